"""Pages of the paginated list operations, on the server side.

:func:`page_body` makes the body of one page from a whole collection and the request's
arguments, the way
the client reads it back (the same :class:`ServerPaging` as the client's, by wire names): the items
at the position the request asks for (its offset, page number or cursor), the cursor, the
next page's URL or ``Link`` header, and ``has_more``. Cursors made here are the number of
items before the next page (``"20"``); where the client takes the cursor from the last item
(``after=<id of the last item>``), use item ids that are those numbers, or answer yourself.

In mock mode, a paginated operation answers pages of a collection of :data:`MOCK_ITEMS`
items synthesized from the item type (the same item at the same position on every request),
so following the cursors visits every item once and the last page says it is the last.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import URL

from . import _server_mock, _server_runtime
from ._server_mock import adapter

MOCK_ITEMS = 25
"""How many items a paginated operation's collection holds in mock mode."""
DEFAULT_PAGE_SIZE = 10
"""The page size when neither the request nor the spec gives one."""


@dataclass(frozen=True, slots=True)
class ServerPaging:
    """How an operation pages: where its items, cursor and ``has_more`` are in the body (paths
    of wire names), which parameters carry the position and the page size."""

    style: Literal["cursor", "offset", "page", "next_url", "link"]
    items: tuple[str, ...] = ()
    param: str | None = None
    param_in: Literal["query", "body"] = "query"
    cursor: tuple[str, ...] = ()
    cursor_header: str | None = None
    item_cursor: str | None = None
    has_more: tuple[str, ...] = ()
    limit: str | None = None
    limit_in: Literal["query", "body"] = "query"
    limit_default: int | None = None
    start: int | None = None
    item: Any = None  # the type of an item (None: any JSON value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def window(paging: ServerPaging, arguments: Mapping[str, Any]) -> tuple[int, int]:
    """(position of the first item, page size) the request asks for; ``arguments``: its query
    parameters and JSON body properties, by wire name."""
    size = _int(arguments.get(paging.limit)) if paging.limit else None
    size = (
        size
        if size is not None and size > 0
        else paging.limit_default or DEFAULT_PAGE_SIZE
    )
    value = _int(arguments.get(paging.param)) if paging.param else None
    if paging.style == "page":
        first = paging.start if paging.start is not None else 1
        return max((value if value is not None else first) - first, 0) * size, size
    if paging.style == "offset":
        return max(value if value is not None else paging.start or 0, 0), size
    return (
        max(value or 0, 0),
        size,
    )  # cursors and URLs made here: the items before the page


def _set(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = body
    for name in path[:-1]:
        inner = node.get(name)
        if not isinstance(inner, dict):
            inner = node[name] = {}
        node = inner
    node[path[-1]] = value


def page_body(
    paging: ServerPaging,
    collection: Sequence[Any],
    arguments: Mapping[str, Any],
    *,
    url: str = "",
    template: Any = None,
) -> tuple[Any, dict[str, str]]:
    """The JSON body of the page of ``collection`` (JSON values) that ``arguments`` (the
    request's paging parameters by wire name: ``{"limit": 10, "after": "20"}``) ask for, and
    the headers it goes with (``Link``, a cursor header). ``url``: the request's
    URL, for the next page's URL (styles next_url and link). ``template``: the other fields of
    the body (a JSON object; the page's fields replace its own).

    A handler answers with it as ``Reply(200, body, headers=...)`` (``OPERATIONS[name].paging``
    is the operation's :class:`ServerPaging`)."""
    position, size = window(paging, arguments)
    items = list(collection[position : position + size])
    end = position + len(items)
    more = end < len(collection)
    token = str(end) if more else None
    headers: dict[str, str] = {}
    next_url = None
    if more:
        if paging.style == "page":
            first = paging.start if paging.start is not None else 1
            value = str(position // size + first + 1)
        else:
            value = str(end)
        if paging.style in ("next_url", "link"):
            query = {paging.param or "cursor": value}
            next_url = str(URL(url).include_query_params(**query))
    if paging.style == "link" and next_url is not None:
        headers["Link"] = f'<{next_url}>; rel="next"'
    if paging.cursor_header and token is not None:
        headers[paging.cursor_header] = token
    if paging.item_cursor:
        for number, item in enumerate(items, start=position + 1):
            if isinstance(item, dict):
                item[paging.item_cursor] = str(number)
    if not paging.items:
        return items, headers
    body = dict(template) if isinstance(template, Mapping) else {}
    _set(body, paging.items, items)
    if paging.has_more:
        _set(body, paging.has_more, more)
    if paging.style == "next_url" and paging.cursor:
        _set(body, paging.cursor, next_url)
    elif paging.style == "cursor" and paging.cursor:
        last = paging.item_cursor is not None and paging.cursor[-1] == "last_id"
        _set(body, paging.cursor, str(end) if last and items else token)
    return body, headers


def mock_page(
    paging: ServerPaging,
    page_type: Any,
    answer: Any,
    request: Request,
    sent: Any,
    handler: str,
) -> tuple[Any, dict[str, str | None]]:
    """A mock answer made a coherent page: :data:`MOCK_ITEMS` items in all, the cursors and
    URLs leading from page to page. The answer as it was if the page does not fit its type.
    """
    page_adapter = adapter(page_type)
    template = _server_mock.wire_data(page_type, answer)
    arguments = {**(sent if isinstance(sent, Mapping) else {}), **request.query_params}
    seed = int.from_bytes(hashlib.sha256(handler.encode()).digest()[:8], "big")
    collection = _MockCollection(paging, template, seed)
    body, headers = page_body(
        paging, collection, arguments, url=str(request.url), template=template
    )
    # The declared headers the mock would make up otherwise: absent on the last page.
    own = (
        ["Link"]
        if paging.style == "link"
        else [paging.cursor_header] if paging.cursor_header else []
    )
    sent_headers: dict[str, str | None] = {name: None for name in own}
    sent_headers.update(headers)
    # The last page: no cursor rather than a null one, unless the body must have it.
    for candidate in (_without_null(body, paging.cursor), body):
        try:
            return page_adapter.validate_python(candidate), sent_headers
        except ValidationError:
            continue
    return answer, {}


def _without_null(body: Any, path: tuple[str, ...]) -> Any:
    """``body`` without the null at ``path`` (a copy of the objects on the way to it)."""
    if not path or not isinstance(body, Mapping):
        return body
    head, rest = path[0], path[1:]
    if head not in body or (not rest and body[head] is not None):
        return body
    if not rest:
        return {k: v for k, v in body.items() if k != head}
    return {**body, head: _without_null(body[head], rest)}


class _MockCollection(Sequence[Any]):
    """The mock's collection: :data:`MOCK_ITEMS` items, each made when a page shows it."""

    def __init__(self, paging: ServerPaging, template: Any, seed: int) -> None:
        self._paging, self._template, self._seed = paging, template, seed

    def __len__(self) -> int:
        return MOCK_ITEMS

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(MOCK_ITEMS))]
        if not 0 <= index < MOCK_ITEMS:
            raise IndexError(index)
        return _item(self._paging, self._template, self._seed, index)


def _item(paging: ServerPaging, template: Any, seed: int, number: int) -> Any:
    """The collection's item at ``number``: the same on every request for it."""
    if paging.item is not None:
        made = _server_mock.value(
            paging.item, seed + number, example=(False, None), echo={}
        )
        return _server_mock.wire_data(paging.item, made)
    listed = template
    for name in paging.items:
        listed = listed.get(name) if isinstance(listed, Mapping) else None
    return listed[number % len(listed)] if isinstance(listed, list) and listed else {}


_server_runtime.MOCK_PAGE[:] = [
    mock_page
]  # the mock answers this package's lists in pages
