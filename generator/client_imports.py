"""Import blocks of the generated client modules, laid out the way isort (ruff ``I``) wants.

Sections: standard library ``from`` imports, third-party ``import x``, then the package's own
modules; modules sorted by name, names by type (CONSTANTS, Classes, functions) then name, ignoring case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


def _name_key(name: str) -> tuple[int, str, str]:
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return (kind, name.lower(), name)


def _group(pairs: Iterable[tuple[str, str]]) -> tuple[FromImport, ...]:
    by_module: dict[str, set[str]] = {}
    for module, name in pairs:
        by_module.setdefault(module, set()).add(name)
    return tuple(
        FromImport(module, tuple(sorted(names, key=_name_key)))
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
