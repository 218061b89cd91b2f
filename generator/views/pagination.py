"""The ``Paging(...)`` rows of paginated operations, for the client and the server runtime.

The client names query parameters by their Python names (its arguments); the server by their
wire names (what the request carries) and adds the item type (what its mock makes items of).
Body properties are wire names on both sides.
"""

from __future__ import annotations

from ..core import escape
from ..core.contract import MODELS_PREFIX
from ..ir.model import ANY, Operation, ParamLocation


def paging_literal(op: Operation, constructor: str, *, server: bool = False) -> str | None:
    """The source of ``constructor(...)`` for a paginated operation, else None."""
    p = op.pagination
    if p is None:
        return None
    python = {} if server else {q.name: q.python_name for q in op.parameters_in(ParamLocation.QUERY)}

    def name(wire: str | None, where: str) -> str | None:
        return python.get(wire, wire) if wire is not None and where == "query" else wire

    values: list[tuple[str, object]] = [
        ("items", p.items),
        ("param", name(p.param, p.param_in)),
        ("param_in", p.param_in),
        ("cursor", p.cursor),
        ("cursor_header", p.cursor_header),
        ("item_cursor", p.item_cursor),
        ("has_more", p.has_more),
        ("limit", name(p.limit, p.limit_in)),
        ("limit_in", p.limit_in),
        ("limit_default", p.limit_default),
        ("start", p.start),
    ]
    defaults = {"items": (), "cursor": (), "has_more": (), "param_in": "query", "limit_in": "query"}
    args = [escape.str_literal(p.style.value)]
    args += [f"{key}={_literal(value)}" for key, value in values if value is not None and value != defaults.get(key)]
    if server and p.item_type != ANY and not p.item_type.imports():
        args.append(f"item={p.item_type.annotation(MODELS_PREFIX)}")
    return f"{constructor}({', '.join(args)})"


def _literal(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + "".join(f"{_literal(v)}, " for v in value) + ")"
    return escape.str_literal(value) if isinstance(value, str) else repr(value)


_PAGE_STYLES = {
    "cursor": "a cursor from each page goes in {param}",
    "offset": "{param} grows by the items received",
    "page": "{param} grows by one",
    "next_url": "the body holds the next page's URL",
    "link": "the `Link` header holds the next page's URL",
}


def pagination_doc(op: Operation) -> str | None:
    """How a paginated operation's pages follow one another, for API.md."""
    p = op.pagination
    if p is None:
        return None
    python = {q.name: q.python_name for q in op.parameters}
    param = f"`{python.get(p.param, p.param) if p.param_in == 'query' else 'body.' + p.param}`" if p.param else ""
    return _PAGE_STYLES[p.style.value].format(param=param)


__all__ = ["pagination_doc", "paging_literal"]
