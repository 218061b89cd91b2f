"""`make mutate` only: ``import oapigen...`` gives mutmut's mutated ``generator...`` modules.

mutmut copies ``generator/`` into ``mutants/``, puts that copy first on ``sys.path`` and names
each mutant by its file's path (``generator.core.escape.x_str_literal__mutmut_3``); a mutant runs
only when the function's ``__module__`` is that name. The installed package is ``oapigen``, so
without this alias the tests would exercise the original code and every mutant would survive."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

PREFIX = "oapigen"


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: object, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if name == PREFIX or name.startswith(PREFIX + "."):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module("generator" + spec.name[len(PREFIX):])

    def exec_module(self, module: ModuleType) -> None:
        pass  # already executed under its own name


def alias_oapigen_to_generator() -> None:
    sys.meta_path.insert(0, _Alias())
