"""The ``--lenient`` rewrite: a document the generator can go on with despite findings that
would otherwise stop it. Unresolvable ``$ref``\\ s become ``{}`` (any JSON value), schemas that
are not schemas constrain nothing, defaults that misfit their schema are dropped.
"""

from __future__ import annotations

from typing import Any

from ..core.pointers import follow_pointer
from .refs import RefReport, Tokens, collect_refs, with_empty_nodes
from .schema_checks import misfit_defaults
from .walk import CHILD, SCHEMA

# Keywords whose value is one schema: an invalid one is left out (``not: []`` must not become
# ``not: {}``, which nothing satisfies; ``items: [A, B]`` must not become ``items: {}``, which reads
# as "an array").
_ONE_SCHEMA = frozenset(k for k, (kind, many) in CHILD.items() if kind == SCHEMA and not many)
_SCHEMA_MAPS = frozenset(k for k, (kind, many) in CHILD.items() if kind == SCHEMA and many)


def drop_misfit_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (changed in place) without the defaults :func:`misfit_defaults` finds."""
    for path, _ in misfit_defaults(document):
        owner = follow_pointer(document, path[:-1])
        if isinstance(owner, dict):
            owner.pop("default", None)
    return document


def drop_dangling_refs(document: dict[str, Any]) -> dict[str, Any]:
    """For ``--lenient``: a new document where each unresolvable ``$ref`` (dangling, looping or
    not internal) is replaced by ``{}`` (an untyped JSON value), and each schema that is not a
    schema (a list, a string...) constrains nothing: a keyword's value (draft 4's tuple
    ``items: [A, B]``, which never constrained a value that is not an array) is left out, a
    property's or an ``allOf`` member's becomes ``{}``."""
    invalid: list[Tokens] = []
    report = RefReport(document, collect_refs(document, lambda path, *_: invalid.append(path)))
    removed = [p for p in invalid if len(p) >= 2 and p[-1] in _ONE_SCHEMA and p[-2] not in _SCHEMA_MAPS]
    emptied = [p for p in invalid if p not in removed and not (p and p[-1] == "$ref")]
    out = with_empty_nodes(document, [*report.bad_paths(), *emptied], share=False)
    for path in removed:
        parent: Any = out
        for token in path[:-1]:
            parent = parent[int(token) if isinstance(parent, list) else token]
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return out
