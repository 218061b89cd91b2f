"""Import blocks and name order of the generated modules, as ruff's ``I`` and ``RUF022`` want.

Sections: ``__future__``, standard library, third-party, then the package's own modules;
modules sorted by name. Names sort by type (CONSTANTS, Classes, the rest), then in natural order
(``Run2`` before ``Run10``): ignoring case in imports (:func:`import_name_key`), minding it in
``__all__`` (:func:`all_name_key`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class FromImport:
    """``from module import names``, or ``import module`` when ``names`` is empty."""

    module: str  # "typing", "httpx", ".", "._base_client"
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportBlock:
    stdlib: tuple[FromImport, ...]
    third_party: tuple[FromImport, ...]
    local: tuple[FromImport, ...]

    @property
    def sections(self) -> tuple[tuple[FromImport, ...], ...]:
        """The non-empty sections, in order (a blank line goes between them)."""
        return tuple(s for s in (self.stdlib, self.third_party, self.local) if s)

    @property
    def names(self) -> frozenset[str]:
        """Every name the block binds."""
        return frozenset(n for s in self.sections for imp in s for n in imp.names or (imp.module,))


def _kind(name: str) -> int:
    return 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2


def _natural(name: str) -> tuple[str | int, ...]:
    return tuple(int(part) if i % 2 else part for i, part in enumerate(_DIGITS.split(name)))


def import_name_key(name: str) -> tuple[int, tuple[str | int, ...], str]:
    """isort's order of the names in ``from m import ...``."""
    return (_kind(name), _natural(name.lower()), name)


def all_name_key(name: str) -> tuple[int, tuple[str | int, ...]]:
    """ruff's order (RUF022) of the names in ``__all__``."""
    return (_kind(name), _natural(name))


def _group(pairs: Iterable[tuple[str, str]]) -> tuple[FromImport, ...]:
    by_module: dict[str, set[str]] = {}
    for module, name in pairs:
        by_module.setdefault(module, set()).add(name)
    return tuple(
        FromImport(module, tuple(sorted(names, key=import_name_key)))
        for module, names in sorted(by_module.items(), key=lambda item: _module_key(item[0]))
    )


def _module_key(module: str) -> tuple[str, ...]:
    # "." sorts before "._auth", which sorts before "._base_client".
    return tuple(module.lstrip(".").split(".")) if module != "." else ()


def import_block(
    stdlib: Iterable[tuple[str, str]],
    third_party: Iterable[str],
    local: Iterable[tuple[str, str]],
) -> ImportBlock:
    """An import block from ``(module, name)`` pairs and whole third-party modules."""
    whole = tuple(FromImport(module) for module in sorted(set(third_party)))
    return ImportBlock(_group(stdlib), whole, _group(local))


def _section(module: str, first_party: Iterable[str] = ()) -> int:
    """isort's section of a module: ``__future__``, the standard library, third-party, then the
    package's own (relative imports, and the packages named in ``first_party``)."""
    top = module.split(".")[0]
    if module.startswith(".") or top in first_party:
        return 3
    return 0 if top == "__future__" else 1 if top in sys.stdlib_module_names else 2


def from_import_lines(pairs: Iterable[tuple[str, str]], *, first_party: Iterable[str] = ()) -> tuple[str, ...]:
    """``from module import a, b`` lines for ``(module, name)`` pairs: one per module, in isort's
    sections (:func:`_section`) with ``""`` between them, modules and names in its order."""
    own = frozenset(first_party)
    sections: dict[int, list[tuple[str, str]]] = {}
    for module, name in pairs:
        sections.setdefault(_section(module, own), []).append((module, name))
    lines: list[str] = []
    for key in sorted(sections):
        lines += [""] if lines else []
        lines += [f"from {imp.module} import {', '.join(imp.names)}" for imp in _group(sections[key])]
    return tuple(lines)


def sorted_import_lines(imports: Iterable[str]) -> str:
    """One-line imports (``from m import a, b``) in isort's sections and order, a blank line
    between sections."""
    sections: list[list[str]] = [[], [], [], []]

    def section(line: str) -> int:
        return _section(line.split()[1])

    for line in sorted(set(imports), key=lambda ln: (section(ln), ln.startswith("from "), ln.split()[1])):
        sections[section(line)].append(line)
    return "\n\n".join("\n".join(s) for s in sections if s)
