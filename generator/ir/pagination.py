"""Paginated list operations: found from the spec alone, or declared where the spec cannot say.

An operation pages when its first 2xx JSON response holds a list of items (the body itself, or
one array property: ``data``, ``items``, ``results``...) and the spec shows how to ask for the
next page, in one of five styles (:class:`PageStyle`), tried in this order:

* **next_url**: the body has the next page's URL (``next_page_url``, ``next_url``, ``next_link``,
  ``links.next``, or ``next`` with ``format: uri``), at the top or one object down
  (``meta.next_page_url``);
* **link**: the response declares a ``Link`` header (RFC 8288, ``rel="next"``);
* **cursor**: a parameter named like a cursor (``after``, ``starting_after``, ``cursor``,
  ``page_token``, ``next_token``, ``continuation_token``...) and a cursor to put in it: a body
  property (``next_cursor``, ``next_page_token``, ``next``, ``last_id``...), a declared response
  header (``X-Next-Cursor``, ``X-Pagination-Next``...) or the last item's ``id``;
* **offset**: an integer parameter ``offset`` (``skip``, ``start``);
* **page**: an integer parameter ``page`` (``page_number``).

Parameters are query parameters or properties of the JSON request body (as in a ``POST
/search`` whose body holds ``limit`` and ``offset``). A boolean ``has_more`` (``has_next``...)
and a page size parameter (``limit``, ``page_size``, ``per_page``...) are used where present.

Where detection cannot know, an operation says it itself (``x-oapigen-pagination``, e.g. in an
overlay) or the config does (``pagination = { opId = {...} }``): ``false`` for "not paginated",
or a mapping whose keys (``style``, ``items``, ``param``, ``cursor``, ``cursor_header``,
``item_cursor``, ``has_more``, ``limit``) replace what detection found; paths are dotted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from .model import ANY, PageStyle, Pagination, Parameter, ParamLocation, TypeKind, TypeRef

HINT_KEY = "x-oapigen-pagination"
HINT_KEYS = ("style", "items", "param", "cursor", "cursor_header", "item_cursor", "has_more", "limit")

# Names compared lower case, without "_" and "-".
_ITEM_LISTS = ("data", "items", "results", "records", "entries", "elements", "values", "list")
_NEXT_URLS = ("nextpageurl", "nexturl", "nextlink", "nextpageuri", "nexturi", "nextpagelink")
_URL_FORMATS = ("uri", "url", "uri-reference", "iri", "iri-reference")
_CURSOR_PARAMS = (
    "after", "startingafter", "cursor", "pagetoken", "nexttoken", "continuationtoken", "nextcursor",
    "continuation", "pagecursor", "marker", "next", "page",
)
_CURSOR_FIELDS = (
    "nextcursor", "nextpagetoken", "nexttoken", "continuationtoken", "nextpagecursor", "cursor",
    "nextpage", "next", "nextmarker", "lastid",
)
_CURSOR_HEADERS = ("xnextcursor", "xpaginationnext", "xnextpagetoken", "nextcursor", "xcontinuationtoken", "xnext")
_HAS_MORE = ("hasmore", "hasnext", "hasnextpage", "more", "hasmoreitems")
_OFFSETS = ("offset", "skip", "start")
_PAGES = ("page", "pagenumber", "pageno", "pagenum")
_LIMITS = ("limit", "pagesize", "perpage", "size", "count", "maxresults", "maxitems", "top", "first")


class HintError(ValueError):
    """A pagination hint (``x-oapigen-pagination`` or the config's) that cannot be used."""


def _norm(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


Deref = Callable[[Any], Any]


def _merged(schema: Any, deref: Deref, depth: int = 0) -> Mapping[str, Any]:
    """The schema with its ``$ref`` followed and its ``allOf`` members' properties merged in."""
    schema = deref(schema)
    if not isinstance(schema, Mapping) or depth > 8:
        return {}
    members = schema.get("allOf")
    if not isinstance(members, list):
        return schema
    properties: dict[str, Any] = {}
    for member in members:
        properties.update(_merged(member, deref, depth + 1).get("properties") or {})
    properties.update(schema.get("properties") or {})
    return {**schema, "properties": properties}


def _is_type(schema: Mapping[str, Any], name: str) -> bool:
    t = schema.get("type")
    return t == name or (isinstance(t, list) and name in t)


def _properties(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def _fields(schema: Mapping[str, Any], deref: Deref) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    """The body's properties (path, schema): top level first, then one object down."""
    top = [(name, _merged(s, deref)) for name, s in _properties(schema).items()]
    for name, s in top:
        yield (name,), s
    for name, s in top:
        if _is_type(s, "object") or _properties(s):
            for inner, inner_schema in _properties(s).items():
                yield (name, inner), _merged(inner_schema, deref)


def _find(fields: Sequence[tuple[tuple[str, ...], Mapping[str, Any]]], names: Sequence[str],
          accept: Callable[[Mapping[str, Any]], bool] = lambda s: True) -> tuple[str, ...] | None:
    """The path of the first field (by the order of ``names``) whose last name is one of them."""
    for wanted in names:
        for path, schema in fields:
            if _norm(path[-1]) == wanted and accept(schema):
                return path
    return None


class _Request:
    """The parameters that can carry paging: query parameters and JSON body properties."""

    def __init__(self, parameters: Sequence[Parameter], body_schema: Mapping[str, Any], deref: Deref) -> None:
        self.query = {p.name: p for p in parameters if p.location is ParamLocation.QUERY}
        self.body = {name: _merged(s, deref) for name, s in _properties(body_schema).items()}

    def find(self, names: Sequence[str], kind: str | None = None) -> tuple[str, str] | None:
        """(wire name, "query" or "body") of the first parameter named one of ``names``."""
        for wanted in names:
            for name, p in self.query.items():
                if _norm(name) == wanted and (kind is None or _param_is(p, kind)):
                    return name, "query"
            for name, s in self.body.items():
                if _norm(name) == wanted and (kind is None or _is_type(s, kind)):
                    return name, "body"
        return None

    def where(self, name: str) -> str | None:
        if name in self.query:
            return "query"
        return "body" if name in self.body else None

    def default(self, name: str, where: str) -> int | None:
        value = self.query[name].default if where == "query" and self.query[name].has_default else (
            self.body[name].get("default") if where == "body" else None
        )
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def _param_is(p: Parameter, kind: str) -> bool:
    t = p.type
    members = t.args if t.kind is TypeKind.UNION else (t,)
    python = {"integer": "int", "string": "str"}[kind]
    return any(m.kind is TypeKind.PRIMITIVE and m.name == python for m in members)


def _is_url(schema: Mapping[str, Any]) -> bool:
    return schema.get("format") in _URL_FORMATS


def _path(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, str):
        raise HintError(f"{key}: must be a dotted path of property names (a string)")
    return tuple(value.split(".")) if value else ()


def detect(
    *,
    hint: Any,
    parameters: Sequence[Parameter],
    body_schema: Any,
    response_schema: Any,
    response_headers: Sequence[str],
    deref: Deref,
    item_type: Callable[[Any, tuple[str, ...]], TypeRef],
    source: str,
) -> Pagination | None:
    """The operation's pagination, or None. ``hint``: the operation's (or the config's) hint
    (None: none); ``item_type(schema, items_path)`` types an item schema. Raises HintError."""
    if hint is False:
        return None
    if hint is not None and not isinstance(hint, Mapping):
        raise HintError("must be false or a mapping with keys " + ", ".join(HINT_KEYS))
    hint = dict(hint or {})
    unknown = sorted(set(hint) - set(HINT_KEYS))
    if unknown:
        raise HintError(f"unknown key {unknown[0]!r} (known: {', '.join(HINT_KEYS)})")
    schema = _merged(response_schema, deref)
    request = _Request(parameters, _merged(body_schema, deref), deref)
    fields = list(_fields(schema, deref))

    # The list of items.
    if "items" in hint:
        items = _path(hint["items"], "items")
    elif _is_type(schema, "array") or ("items" in schema and not _properties(schema)):
        items = ()
    else:
        arrays = [(p, s) for p, s in fields if len(p) == 1 and (_is_type(s, "array") or "items" in s)]
        found = _find(arrays, _ITEM_LISTS) if len(arrays) > 1 else (arrays[0][0] if arrays else None)
        if found is None:
            if hint:
                raise HintError("items: the response has no list of items this could find; name it (items = \"data\")")
            return None
        items = found
    items_schema = _at(schema, items, deref)
    if items_schema is None or not (_is_type(items_schema, "array") or "items" in items_schema):
        if hint:
            raise HintError(f"items: {'.'.join(items) or 'the body'} is not an array in the response")
        return None
    item_schema = _merged(items_schema.get("items"), deref)

    detected = _detected(request, fields, schema, response_headers, item_schema)
    if detected is None and not hint:
        return None
    settings: dict[str, Any] = dict(detected or {})
    if "style" in hint:
        try:
            settings["style"] = PageStyle(hint["style"])
        except ValueError:
            raise HintError(f"style: {hint['style']!r} is none of " + ", ".join(s.value for s in PageStyle)) from None
    for key in ("cursor", "has_more"):
        if key in hint:
            settings[key] = _path(hint[key], key)
    for key in ("param", "cursor_header", "item_cursor", "limit"):
        if key in hint:
            if not isinstance(hint[key], str) or not hint[key]:
                raise HintError(f"{key}: must be a name (a non-empty string)")
            settings[key] = hint[key]
    if "style" not in settings:
        raise HintError("style: cannot be detected for this operation; give it")
    style: PageStyle = settings["style"]
    return _checked(style, settings, request, items, items_schema, item_type, source)


def _at(schema: Mapping[str, Any], path: tuple[str, ...], deref: Deref) -> Mapping[str, Any] | None:
    node: Mapping[str, Any] = schema
    for name in path:
        inner = _properties(node).get(name)
        if inner is None:
            return None
        node = _merged(inner, deref)
    return node


def _detected(
    request: _Request,
    fields: list[tuple[tuple[str, ...], Mapping[str, Any]]],
    schema: Mapping[str, Any],
    headers: Sequence[str],
    item: Mapping[str, Any],
) -> dict[str, Any] | None:
    has_more = _find(fields, _HAS_MORE, lambda s: _is_type(s, "boolean"))
    limit = request.find(_LIMITS, "integer")
    common: dict[str, Any] = {"has_more": has_more or ()}
    if limit is not None:
        common["limit"] = limit[0]
    next_url = _find(fields, _NEXT_URLS) or _find(fields, ("next",), _is_url)
    if next_url is None:
        links = _find(fields, ("links",))
        if links is not None:
            next_url = _find([(p, s) for p, s in fields if p[:-1] == links], ("next",))
    cursor_param = request.find(_CURSOR_PARAMS)
    # next_url, link: the parameter the server's URLs carry (what a mock server reads), if any.
    carrier = cursor_param or request.find(_OFFSETS, "integer") or request.find(_PAGES, "integer")
    if carrier is not None:
        common["param"] = carrier[0]
    if next_url is not None:
        return {"style": PageStyle.NEXT_URL, "cursor": next_url, **common}
    if any(h.lower() == "link" for h in headers):
        return {"style": PageStyle.LINK, **common}
    common.pop("param", None)
    if cursor_param is not None and not (_norm(cursor_param[0]) == "page" and request.find(("page",), "integer")):
        cursor = _find(fields, _CURSOR_FIELDS, lambda s: not _is_type(s, "boolean") and not _is_type(s, "array"))
        header = next((h for wanted in _CURSOR_HEADERS for h in headers if _norm(h) == wanted), None)
        by_item = "id" if "id" in _properties(item) else None
        if cursor is not None or header is not None or by_item is not None:
            return {
                "style": PageStyle.CURSOR,
                "param": cursor_param[0],
                "cursor": cursor or (),
                "cursor_header": header if cursor is None else None,
                "item_cursor": by_item if (cursor is None or cursor[-1] == "last_id") and header is None else None,
                **common,
            }
    offset = request.find(_OFFSETS, "integer")
    if offset is not None:
        return {"style": PageStyle.OFFSET, "param": offset[0], **common}
    page = request.find(_PAGES, "integer")
    if page is not None:
        return {"style": PageStyle.PAGE, "param": page[0], **common}
    return None


def _checked(
    style: PageStyle,
    settings: Mapping[str, Any],
    request: _Request,
    items: tuple[str, ...],
    items_schema: Mapping[str, Any],
    item_type: Callable[[Any, tuple[str, ...]], TypeRef],
    source: str,
) -> Pagination:
    param = settings.get("param")
    param_in = "query"
    if style in (PageStyle.CURSOR, PageStyle.OFFSET, PageStyle.PAGE) and param is None:
        raise HintError(f"param: a {style.value} style needs the parameter that takes the "
                        f"{'cursor' if style is PageStyle.CURSOR else style.value}")
    if param is not None:
        where = request.where(param)
        if where is None:
            raise HintError(f"param: {param!r} is neither a query parameter nor a property of the JSON request body")
        param_in = where
    limit = settings.get("limit")
    limit_in = "query"
    if limit is not None:
        where = request.where(limit)
        if where is None:
            raise HintError(f"limit: {limit!r} is neither a query parameter nor a property of the JSON request body")
        limit_in = where
    cursor = tuple(settings.get("cursor") or ())
    if style is PageStyle.NEXT_URL and not cursor:
        raise HintError("cursor: a next_url style needs the body property holding the next URL")
    if style is PageStyle.CURSOR and not (cursor or settings.get("cursor_header") or settings.get("item_cursor")):
        raise HintError("a cursor style needs where the next cursor is: cursor, cursor_header or item_cursor")
    item = item_type(items_schema.get("items"), items)
    return Pagination(
        style=style,
        items=items,
        item_type=item if item.kind is not TypeKind.NONE else ANY,
        param=param,
        param_in=param_in,
        cursor=cursor,
        cursor_header=settings.get("cursor_header") if style is PageStyle.CURSOR else None,
        item_cursor=settings.get("item_cursor") if style is PageStyle.CURSOR else None,
        has_more=tuple(settings.get("has_more") or ()),
        limit=limit,
        limit_in=limit_in,
        limit_default=request.default(limit, limit_in) if limit is not None else None,
        start=request.default(param, param_in) if param is not None and style is not PageStyle.CURSOR else None,
        source=source,
    )


__all__ = ["HINT_KEY", "HINT_KEYS", "HintError", "detect"]
