"""Pages of a paginated list operation, and iteration over all their items.

A list method returns its first page: a :class:`SyncPage` (``Client``), or an
:class:`AsyncPager` (``AsyncClient``): awaited, the first :class:`AsyncPage`; iterated with
``async for``, every item. A page has the items it holds (``.items``), the parsed response
body (``.body``, what the method returned before it paged), the HTTP response
(``.http_response``), ``has_next_page()``, ``next_page()`` and ``next_page_info()`` (the
arguments or URL that ask for the next page, to resume later). Iterating a page yields its
items and then those of the pages after it, fetching each page when the items before it are
used up: nothing is read ahead.

How the next page is asked for depends on the operation (:class:`Paging`, from the spec): a
cursor from the body, a response header or the last item goes in a parameter; an offset grows
by the items received; a page number by one; or the next page's URL is in the body or in a
``Link: <...>; rel="next"`` header. There is no next page when the body says so (``has_more:
false``), when the cursor or URL is missing or empty, when a page is empty, or, for offsets and
page numbers without ``has_more``, when a page holds fewer items than the page size asked for
(the ``limit`` argument, else the spec's default).
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import httpx
import pydantic

from ._base_client import AsyncAPIClient, BaseClient, SyncAPIClient
from ._response import decode_success, deferred
from ._spec import Endpoint
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .errors import ApiClientError

ItemT = TypeVar("ItemT")
BodyT = TypeVar("BodyT")

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL_NEXT = re.compile(r"""(?:^|;)\s*rel\s*=\s*"?([^";]*)"?""", re.IGNORECASE)


class NoNextPageError(ApiClientError, LookupError):
    """``next_page()`` on the last page (check ``has_next_page()`` first)."""


@dataclass(frozen=True, slots=True)
class Paging:
    """How an operation pages. Paths are wire names, outside in; ``param`` and ``limit`` are
    Python argument names for query parameters, wire names for request body properties.
    """

    style: Literal["cursor", "offset", "page", "next_url", "link"]
    items: tuple[str, ...] = ()  # () : the body is the list of items
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


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What asks for the next page: new arguments (``params``, by Python name for query
    parameters; ``body``, the request body to send) or a URL (``url``)."""

    params: Mapping[str, object] = field(default_factory=dict)
    body: object = NOT_GIVEN
    url: str | None = None


@dataclass(frozen=True, slots=True)
class _Call:
    """One request of the method: its arguments and per-call options."""

    endpoint: Endpoint[Any]
    args: Mapping[str, object]
    body: object
    timeout: TimeoutTypes | NotGiven
    max_retries: int | NotGiven
    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, str] | None
    url: str | None = None  # next_url / link: the URL to GET instead of the endpoint's

    def next(self, info: PageInfo) -> _Call:
        if info.url is not None:
            return _Call(
                self.endpoint,
                self.args,
                self.body,
                self.timeout,
                self.max_retries,
                self.extra_headers,
                None,
                info.url,
            )
        return _Call(
            self.endpoint,
            {**self.args, **info.params},
            info.body,
            self.timeout,
            self.max_retries,
            self.extra_headers,
            self.extra_query,
        )

    def request(
        self, client: BaseClient, http: httpx.Client | httpx.AsyncClient
    ) -> httpx.Request:
        request = client._build_request(
            http,
            self.endpoint,
            self.args,
            body=self.body,
            timeout=self.timeout,
            extra_headers=self.extra_headers,
            extra_query=self.extra_query,
        )
        if self.url is None:
            return request
        url = (
            client.base_url.join(self.url)
            if not self.url.startswith(("http://", "https://"))
            else httpx.URL(self.url)
        )
        headers = httpx.Headers(request.headers)
        headers["Host"] = url.netloc.decode("ascii")
        base = client.base_url
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            for name in client._secret_headers:  # another origin gets no credentials
                headers.pop(name, None)
        return httpx.Request(
            request.method,
            url,
            headers=headers,
            stream=request.stream,
            extensions=request.extensions,
        )


@functools.cache
def _attribute(cls: type[pydantic.BaseModel], wire: str) -> str | None:
    """The model field that has the wire name ``wire`` (its alias, else its name)."""
    for name, info in cls.model_fields.items():
        if (info.alias or name) == wire:
            return name
    return None


def _get(value: object, wire: str) -> object:
    if isinstance(value, pydantic.RootModel):
        value = value.root
    if isinstance(value, Mapping):
        return value.get(wire)
    if isinstance(value, pydantic.BaseModel):
        name = _attribute(type(value), wire)
        if name is not None:
            return getattr(value, name, None)
        return (value.model_extra or {}).get(wire)
    return None


def _at(value: object, path: tuple[str, ...]) -> object:
    for wire in path:
        value = _get(value, wire)
    return value


def _with(body: object, wire: str, value: object) -> object:
    """The request body with the property ``wire`` set to ``value``."""
    if isinstance(body, pydantic.BaseModel):
        name = _attribute(type(body), wire)
        if name is not None:
            return body.model_copy(update={name: value})
        return {**body.model_dump(by_alias=True, exclude_unset=True), wire: value}
    return {**(body if isinstance(body, Mapping) else {}), wire: value}


def _next_link(header: str) -> str | None:
    """The target of the ``rel="next"`` link of an RFC 8288 ``Link`` header."""
    for match in _LINK.finditer(header):
        rel = _REL_NEXT.search(match[2])
        if rel is not None and "next" in rel[1].lower().split():
            return match[1]
    return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class BasePage(Generic[ItemT, BodyT]):
    """One page: ``items``, ``body`` (the parsed response), ``http_response``."""

    def __init__(
        self, paging: Paging, call: _Call, http_response: httpx.Response, body: BodyT
    ) -> None:
        self._paging = paging
        self._call = call
        self.http_response = http_response
        self.body = body
        items = _at(body, paging.items) if paging.items else body
        if isinstance(items, pydantic.RootModel):
            items = items.root
        self.items: list[ItemT] = list(items) if isinstance(items, list) else []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.items)} has_next_page={self.has_next_page()}>"

    def __len__(self) -> int:
        return len(self.items)

    def has_next_page(self) -> bool:
        return self.next_page_info() is not None

    def _argument(self, name: str, where: str) -> object:
        if where == "query":
            return self._call.args.get(name, NOT_GIVEN)
        return (
            _get(self._call.body, name)
            if not isinstance(self._call.body, NotGiven)
            else None
        )

    def _short(self) -> bool:
        """Fewer items than the page size asked for (known only for offsets and page numbers)."""
        p = self._paging
        size = _int(self._argument(p.limit, p.limit_in)) if p.limit else None
        size = size if size is not None else p.limit_default
        return size is not None and len(self.items) < size

    def _with_param(self, value: object) -> PageInfo:
        p = self._paging
        assert p.param is not None
        if p.param_in == "query":
            return PageInfo(params={p.param: value}, body=self._call.body)
        return PageInfo(body=_with(self._call.body, p.param, value))

    def next_page_info(self) -> PageInfo | None:
        """What asks for the next page, or None on the last page."""
        p = self._paging
        if not self.items:
            return None
        if p.has_more and _at(self.body, p.has_more) is False:
            return None
        if p.style in ("next_url", "link"):
            if p.style == "next_url":
                found = _at(
                    self.body, p.cursor
                )  # a str, or pydantic's Url for format: uri
                url = str(found) if found is not None else None
            else:
                url = _next_link(", ".join(self.http_response.headers.get_list("link")))
            return PageInfo(url=url) if url else None
        if p.style == "cursor":
            cursor: object = None
            if p.cursor:
                cursor = _at(self.body, p.cursor)
            elif p.cursor_header:
                cursor = self.http_response.headers.get(p.cursor_header)
            if (cursor is None or cursor == "") and p.item_cursor:
                cursor = _get(self.items[-1], p.item_cursor)
            if (
                cursor is None
                or cursor == ""
                or cursor == self._argument(p.param or "", p.param_in)
            ):
                return (
                    None  # no cursor, or the one this page was asked with: no progress
                )
            return self._with_param(cursor)
        if not p.has_more and self._short():
            return None
        current = _int(self._argument(p.param or "", p.param_in))
        if p.style == "offset":
            return self._with_param(
                (current if current is not None else p.start or 0) + len(self.items)
            )
        return self._with_param(
            (current if current is not None else p.start if p.start is not None else 1)
            + 1
        )

    def _next_call(self) -> _Call:
        info = self.next_page_info()
        if info is None:
            raise NoNextPageError("this is the last page: no next page to fetch")
        return self._call.next(info)


class SyncPage(BasePage[ItemT, BodyT]):
    """A page of a ``Client`` list method; iterating it yields the items of all pages."""

    def __init__(
        self,
        client: SyncAPIClient,
        paging: Paging,
        call: _Call,
        http_response: httpx.Response,
        body: BodyT,
    ) -> None:
        super().__init__(paging, call, http_response, body)
        self._client = client

    def next_page(self) -> SyncPage[ItemT, BodyT]:
        """The next page (:class:`NoNextPageError` on the last one)."""
        return _fetch(self._client, self._paging, self._next_call(), deferring=False)

    def iter_pages(self) -> Iterator[SyncPage[ItemT, BodyT]]:
        """This page and the pages after it, each fetched when the one before is done."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.next_page()

    def __iter__(self) -> Iterator[ItemT]:
        for page in self.iter_pages():
            yield from page.items


class AsyncPage(BasePage[ItemT, BodyT]):
    """A page of an ``AsyncClient`` list method; ``async for`` yields the items of all pages."""

    def __init__(
        self,
        client: AsyncAPIClient,
        paging: Paging,
        call: _Call,
        http_response: httpx.Response,
        body: BodyT,
    ) -> None:
        super().__init__(paging, call, http_response, body)
        self._client = client

    async def next_page(self) -> AsyncPage[ItemT, BodyT]:
        """The next page (:class:`NoNextPageError` on the last one)."""
        return await _afetch(
            self._client, self._paging, self._next_call(), deferring=False
        )

    async def iter_pages(self) -> AsyncIterator[AsyncPage[ItemT, BodyT]]:
        """This page and the pages after it, each fetched when the one before is done."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


class AsyncPager(Generic[ItemT, BodyT]):
    """What an ``AsyncClient`` list method returns: ``await`` it for the first page, or
    ``async for`` over it for every item of every page."""

    def __init__(self, client: AsyncAPIClient, paging: Paging, call: _Call) -> None:
        self._client = client
        self._paging = paging
        self._call = call

    def __await__(self) -> Generator[Any, None, AsyncPage[ItemT, BodyT]]:
        return _afetch(
            self._client, self._paging, self._call, deferring=True
        ).__await__()

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        page: AsyncPage[ItemT, BodyT] = await self
        async for item in page:
            yield item


SyncListPage: TypeAlias = SyncPage[ItemT, list[ItemT]]
"""The page of an operation whose body is the list of items."""
AsyncListPage: TypeAlias = AsyncPage[ItemT, list[ItemT]]
AsyncListPager: TypeAlias = AsyncPager[ItemT, list[ItemT]]


def _fetch(
    client: SyncAPIClient, paging: Paging, call: _Call, *, deferring: bool
) -> SyncPage[Any, Any]:
    response = client._send(
        call.endpoint,
        call.request(client, client._http),
        stream=False,
        retries=client._retries(call.max_retries),
    )
    return _page(SyncPage, client, paging, call, response, deferring)  # type: ignore[no-any-return]


async def _afetch(
    client: AsyncAPIClient, paging: Paging, call: _Call, *, deferring: bool
) -> AsyncPage[Any, Any]:
    response = await client._send(
        call.endpoint,
        call.request(client, client._http),
        stream=False,
        retries=client._retries(call.max_retries),
    )
    return _page(AsyncPage, client, paging, call, response, deferring)  # type: ignore[no-any-return]


def _page(
    cls: Any,
    client: BaseClient,
    paging: Paging,
    call: _Call,
    response: httpx.Response,
    deferring: bool,
) -> Any:
    """The page of ``response``; inside ``with_raw_response`` (``deferring``), None until parsed."""
    strict = client._strict_responses

    def page() -> Any:
        return cls(
            client,
            paging,
            call,
            response,
            decode_success(call.endpoint, response, strict=strict),
        )

    return deferred(page) if deferring else page()


def sync_page(
    client: SyncAPIClient,
    endpoint: Endpoint[BodyT],
    args: Mapping[str, object],
    *,
    body: object = NOT_GIVEN,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    max_retries: int | NotGiven = NOT_GIVEN,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, str] | None = None,
) -> SyncPage[Any, BodyT]:
    """The first page of a ``Client`` list method."""
    assert endpoint.paging is not None
    call = _Call(endpoint, args, body, timeout, max_retries, extra_headers, extra_query)
    return _fetch(client, endpoint.paging, call, deferring=True)


def async_pager(
    client: AsyncAPIClient,
    endpoint: Endpoint[BodyT],
    args: Mapping[str, object],
    *,
    body: object = NOT_GIVEN,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    max_retries: int | NotGiven = NOT_GIVEN,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, str] | None = None,
) -> AsyncPager[Any, BodyT]:
    """The pager of an ``AsyncClient`` list method (nothing is sent until it is used)."""
    assert endpoint.paging is not None
    call = _Call(endpoint, args, body, timeout, max_retries, extra_headers, extra_query)
    return AsyncPager(client, endpoint.paging, call)
