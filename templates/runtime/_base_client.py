"""What ``Client`` and ``AsyncClient`` share: configuration, request building and the retry
policy. The two differ only in I/O (``httpx.Client`` or ``httpx.AsyncClient``, ``time.sleep``
or ``asyncio.sleep``).

Retries: at most ``max_retries`` more attempts (the client's, or the call's ``max_retries=``),
after connection errors and after the statuses 408, 429 and 5xx. A request whose method is not
idempotent (POST, PATCH) is retried only when it cannot have been processed: the connection was
never made, or the status says so (429, 503); unless the operation declares an idempotency key
header (``Idempotency-Key``): each call then sends a key of its own (a fresh UUID, unless the
caller gave one), the same on every retry, so the server can tell a retry from a new request,
and the request is retried as an idempotent one. The wait is ``Retry-After`` (or ``retry-after-ms``) when the server sends one
(a wait over 60 s is not worth it: the error is raised at once), else an exponential backoff
from 0.5 s to 8 s with up to 25 % jitter.

Redirects (``follow_redirects=True``, the default) are followed as httpx follows them (301, 302
and 303 may turn the method into GET and drop the body; 307 and 308 send it again; at most the
``http_client``'s ``max_redirects``), except that leaving the origin drops every credential the
client set (``Authorization``, the API-key headers of the security schemes, ``Cookie``), not only
``Authorization``. A 3xx that is not followed raises :class:`RedirectError`, naming the
``Location``.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import logging
import random
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import httpx

from ._auth import Credential, RequestParts, choose, request_auth
from ._response import (
    decode_error_body,
    decode_success,
    deferred,
    record,
    streaming,
)
from ._serialize import (
    EncodedBody,
    cookie_pairs,
    encode_body,
    header_value,
    merge_query,
    path_segment,
    query_pairs,
)
from ._spec import Endpoint
from ._sse import AsyncStream, ServerSentEvent, Stream
from ._types import NOT_GIVEN, NotGiven, RequestContent, TimeoutTypes
from .errors import RedirectError, RequestValidationError, status_error, transport_error

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
"""60 s to read, write or wait for a pooled connection, 5 s to connect. Streams never time
out while waiting for the next event."""
DEFAULT_CONNECTION_LIMITS = httpx.Limits(
    max_connections=1000, max_keepalive_connections=1000
)
"""The connection pool of a client made without ``http_client``. httpx's own (100 connections,
20 kept alive) nearly stalls one client shared by hundreds of tasks; as many kept alive as
allowed at all, because httpcore closes an idle connection whenever the pool holds more
connections in all than it may keep alive (then it reconnects, and queues). Idle connections
still close after 5 s (``keepalive_expiry``)."""
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

log = logging.getLogger(__name__)

# The request cannot have reached the server: safe to retry whatever the method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRY_STATUSES = frozenset({408, 429})
_NOT_PROCESSED_STATUSES = frozenset({429, 503})
# Headers that may carry credentials besides those of the security schemes: never sent to
# another origin.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks to wait: ``retry-after-ms``, or ``Retry-After`` (seconds or a date)."""
    try:
        return max(float(headers["retry-after-ms"]) / 1000, 0.0)
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def backoff(attempt: int) -> float:
    """The wait before retry number ``attempt + 1``: exponential, with jitter."""
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def stream_delay(attempt: int, retry_ms: int | None) -> float:
    """The wait before reconnecting an event stream: the server's ``retry``, else backoff."""
    return retry_ms / 1000 if retry_ms is not None else backoff(attempt)


class BaseClient:
    """Configuration and request building, shared by the sync and async clients."""

    _owns_http: bool  # whether close() closes the connection pool

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes,
        max_retries: int,
        strict_responses: bool,
        follow_redirects: bool,
        credentials: Mapping[str, Credential | None],
    ) -> None:
        self.base_url = httpx.URL(str(base_url).rstrip("/"))
        self.timeout = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        )
        self.max_retries = max_retries
        self.follow_redirects = follow_redirects
        self._strict_responses = strict_responses
        self._headers = httpx.Headers(headers)
        self._credentials = {
            name: c for name, c in credentials.items() if c is not None
        }
        probe = RequestParts(httpx.Headers())
        for credential in self._credentials.values():
            credential.apply(probe)
        self._secret_headers = _SECRET_HEADERS | {
            name.lower() for name in probe.headers
        }

    def __repr__(self) -> str:
        url = self.base_url.copy_with(username=None, password=None, query=None)
        return f"<{type(self).__name__} base_url={str(url)!r}>"

    def with_options(
        self,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A copy of this client with other options, sharing its connection pool.

        Options left out keep this client's values; ``headers`` are added to (or replace) this
        client's headers. The copy is cheap (no new connections) and this client is unchanged.
        Closing the copy leaves the pool open: it stays the original client's to close.
        """
        clone = copy.copy(self)
        clone.__dict__.pop("with_raw_response", None)  # a cached_property bound to self
        clone.__dict__.pop("with_streaming_response", None)
        clone._owns_http = False
        if not isinstance(max_retries, NotGiven):
            clone.max_retries = max_retries
        if not isinstance(timeout, NotGiven):
            clone.timeout = (
                timeout
                if isinstance(timeout, httpx.Timeout)
                else httpx.Timeout(timeout)
            )
        if headers:
            clone._headers = httpx.Headers(self._headers)
            clone._headers.update(headers)
        if not isinstance(follow_redirects, NotGiven):
            clone.follow_redirects = follow_redirects
        for name, value in vars(self).items():  # the resource groups, bound to the copy
            if isinstance(value, SyncResource | AsyncResource):
                setattr(clone, name, type(value)(clone))  # type: ignore[arg-type]
        return clone

    def _retries(self, max_retries: int | NotGiven) -> int:
        return self.max_retries if isinstance(max_retries, NotGiven) else max_retries

    def _timeout(self, timeout: TimeoutTypes | NotGiven, stream: bool) -> httpx.Timeout:
        if not isinstance(timeout, NotGiven):
            return (
                timeout
                if isinstance(timeout, httpx.Timeout)
                else httpx.Timeout(timeout)
            )
        if stream:
            t = self.timeout
            return httpx.Timeout(
                connect=t.connect, read=None, write=t.write, pool=t.pool
            )
        return self.timeout

    def _build_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        endpoint: Endpoint[Any],
        args: Mapping[str, object],
        *,
        body: object,
        timeout: TimeoutTypes | NotGiven,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, str] | None,
        stream: bool = False,
        last_event_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Request:
        """The one request builder: arguments to an ``httpx.Request``, as the spec says."""
        headers = httpx.Headers(
            {"Accept": endpoint.accept} if endpoint.accept else None
        )
        if self._headers:
            headers.update(self._headers)
        parts = RequestParts(headers)
        if self._credentials and endpoint.security:
            for credential in choose(self._credentials, endpoint.security):
                credential.apply(parts)
        segments: dict[str, str] = {}
        argument = "body"
        try:
            for param in endpoint.params:
                value = args.get(param.python_name, NOT_GIVEN)
                if isinstance(value, NotGiven):
                    continue
                argument = param.python_name
                if param.location == "path":
                    segments[param.name] = path_segment(param, value)
                elif param.location == "query":
                    parts.query.extend(query_pairs(param, value))
                elif param.location == "header":
                    headers[param.name] = header_value(param, value)
                else:
                    parts.cookies.extend(cookie_pairs(param, value))
            argument = "body"
            encoded = EncodedBody()
            if endpoint.body is not None and not isinstance(body, NotGiven):
                encoded = encode_body(endpoint.body, body)
        except (
            TypeError,
            ValueError,
        ) as exc:  # pydantic's ValidationError is a ValueError
            where = f"{endpoint.method} {endpoint.path}"
            raise RequestValidationError(endpoint.name, where, argument, exc) from exc
        if encoded.content_type:
            headers["Content-Type"] = encoded.content_type
        content: RequestContent | None = encoded.content
        if encoded.stream is not None:  # a file or an iterable, sent in chunks
            headers.update(encoded.stream.headers)
            content = encoded.stream.content(isinstance(http, httpx.AsyncClient))
        if parts.cookies:
            headers["Cookie"] = "; ".join([*headers.get_list("Cookie"), *parts.cookies])
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        if extra_headers:
            headers.update(extra_headers)
        key_header = endpoint.idempotency_header
        if key_header is not None and key_header not in headers:
            headers[key_header] = idempotency_key or str(uuid.uuid4())
        pieces = list(endpoint.path_pieces)
        pieces[1::2] = [segments[name] for name in pieces[1::2]]
        url, params = _target(
            http,
            str(self.base_url) + "".join(pieces),
            merge_query(parts.query, extra_query),
        )
        return http.build_request(
            endpoint.method,
            url,
            params=params,
            headers=headers,
            content=content,
            files=encoded.parts or None,
            timeout=self._timeout(timeout, stream),
        )

    def _retry_delay(
        self,
        endpoint: Endpoint[Any],
        attempt: int,
        retries: int,
        *,
        response: httpx.Response | None = None,
        error: httpx.TransportError | None = None,
    ) -> float | None:
        """Seconds to wait before trying again, or None: do not retry."""
        if attempt >= retries:
            return None
        safe = endpoint.idempotent or endpoint.idempotency_header is not None
        if response is None:
            return backoff(attempt) if safe or isinstance(error, _NOT_SENT) else None
        status = response.status_code
        if status not in _RETRY_STATUSES and status < 500:
            return None
        if not safe and status not in _NOT_PROCESSED_STATUSES:
            return None
        wait = retry_after(response.headers)
        if wait is None:
            return backoff(attempt)
        return wait if wait <= MAX_RETRY_AFTER else None

    def _decode(self, endpoint: Endpoint[T], response: httpx.Response) -> T:
        strict = self._strict_responses
        return cast(
            T, deferred(lambda: decode_success(endpoint, response, strict=strict))
        )

    def _redirect(
        self,
        http: httpx.Client | httpx.AsyncClient,
        endpoint: Endpoint[Any],
        response: httpx.Response,
        hops: int,
    ) -> httpx.Request:
        """The request that follows a 3xx response (read and closed), or RedirectError."""
        if not self.follow_redirects:
            reason = "follow_redirects=False"
        elif "location" not in response.headers:
            reason = "no Location header"
        elif not response.has_redirect_location:
            reason = f"{response.status_code} is not a redirect to follow"
        elif hops >= http.max_redirects:
            reason = f"more than {http.max_redirects} redirects"
        else:
            try:
                return self._redirect_request(response)
            except httpx.InvalidURL:
                reason = "invalid Location"
        raise RedirectError(response, decode_error_body(endpoint, response), reason)

    def _redirect_request(self, response: httpx.Response) -> httpx.Request:
        """The next request, by httpx's rules: 303 (and 302, and 301 after a POST) become GET
        without a body; another origin gets no credentials (an ``http`` to ``https`` move on the
        same host keeps them)."""
        request = response.request
        url = request.url.join(response.headers["location"])
        method = request.method
        status = response.status_code
        if (status in (302, 303) and method != "HEAD") or (
            status == 301 and method == "POST"
        ):
            method = "GET"
        headers = httpx.Headers(request.headers)
        headers["Host"] = url.netloc.decode("ascii")
        old = request.url
        upgrade = (
            old.scheme == "http"
            and url.scheme == "https"
            and old.port is None
            and url.port is None
        )
        if (url.scheme, url.host, url.port) != (
            old.scheme,
            old.host,
            old.port,
        ) and not (upgrade and url.host == old.host):
            for name in self._secret_headers:
                headers.pop(name, None)
        stream: httpx.SyncByteStream | httpx.AsyncByteStream | None = request.stream
        if method != request.method:
            stream = None
            for name in ("content-length", "content-type", "transfer-encoding"):
                headers.pop(name, None)
        return httpx.Request(
            method, url, headers=headers, stream=stream, extensions=request.extensions
        )


def _target(
    http: httpx.Client | httpx.AsyncClient, url: str, query: httpx.QueryParams
) -> tuple[str, httpx.QueryParams | None]:
    """The URL and ``params`` to build a request with.

    The query is written into the URL, which spares httpx a second parse of it, unless httpx
    has to combine it with something: the ``http_client``'s own ``params``, or a ``?`` or ``#``
    already in the URL (which ``params`` replaces or keeps apart).
    """
    if http.params or "?" in url or "#" in url:
        return url, query
    return (f"{url}?{query}" if query else url), None


def _log_answer(response: httpx.Response) -> None:
    if log.isEnabledFor(
        logging.DEBUG
    ):  # reading request.url.path costs even when not logged
        log.debug(
            "%s %s -> %d",
            response.request.method,
            response.request.url.path,
            response.status_code,
        )


def _log_retry(
    request: httpx.Request, reason: object, delay: float, attempt: int, retries: int
) -> None:
    log.info(
        "%s %s: %s; retry %d of %d in %.2f s",
        request.method,
        request.url.path,
        reason,
        attempt + 1,
        retries,
        delay,
    )


class SyncAPIClient(BaseClient):
    """The blocking client: I/O through an ``httpx.Client``."""

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes,
        max_retries: int,
        strict_responses: bool,
        follow_redirects: bool,
        http_client: httpx.Client | None,
        credentials: Mapping[str, Credential | None],
    ) -> None:
        super().__init__(
            base_url=base_url,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            strict_responses=strict_responses,
            follow_redirects=follow_redirects,
            credentials=credentials,
        )
        transport = getattr(http_client, "_transport", None)
        if isinstance(transport, httpx.AsyncBaseTransport) and not isinstance(
            transport, httpx.BaseTransport
        ):
            raise TypeError(
                f"Client's http_client has an async transport ({type(transport).__name__}), "
                "which only an AsyncClient can use; to call the generated server in process "
                "with Client, pass http_client=httpx.Client(transport="
                "server.BlockingASGITransport(app))"
            )
        self._http = (
            http_client
            if http_client is not None
            else httpx.Client(limits=DEFAULT_CONNECTION_LIMITS)
        )
        self._owns_http = http_client is None

    def close(self) -> None:
        """Close the connections, unless the ``http_client`` was passed in by the caller."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(
        self,
        endpoint: Endpoint[Any],
        request: httpx.Request,
        *,
        stream: bool,
        retries: int,
    ) -> httpx.Response:
        attempt = hops = 0
        while True:
            try:
                response = self._http.send(
                    request,
                    stream=stream,
                    follow_redirects=False,
                    auth=request_auth(self._credentials, endpoint.security),
                )
            except httpx.TransportError as exc:
                delay = self._retry_delay(endpoint, attempt, retries, error=exc)
                if delay is None:
                    raise transport_error(request, exc) from exc
                reason: object = type(exc).__name__
            else:
                _log_answer(response)
                if response.is_success:
                    record(response, endpoint, strict=self._strict_responses)
                    return response
                response.read()
                response.close()
                if 300 <= response.status_code < 400:
                    request = self._redirect(self._http, endpoint, response, hops)
                    hops += 1
                    continue
                delay = self._retry_delay(endpoint, attempt, retries, response=response)
                if delay is None:
                    raise status_error(response, decode_error_body(endpoint, response))
                reason = response.status_code
            _log_retry(request, reason, delay, attempt, retries)
            time.sleep(delay)
            attempt += 1

    def _request(
        self,
        endpoint: Endpoint[T],
        args: Mapping[str, object],
        *,
        body: object = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> T:
        request = self._build_request(
            self._http,
            endpoint,
            args,
            body=body,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        retries = self._retries(max_retries)
        # streaming(): a call of with_streaming_response, whose body is left unread
        return self._decode(
            endpoint,
            self._send(endpoint, request, stream=streaming(), retries=retries),
        )

    def _stream(
        self,
        endpoint: Endpoint[ServerSentEvent],
        args: Mapping[str, object],
        *,
        body: object = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Stream:
        retries = self._retries(max_retries)
        key = str(uuid.uuid4()) if endpoint.idempotency_header is not None else None

        def open_stream(last_event_id: str | None) -> httpx.Response:
            request = self._build_request(
                self._http,
                endpoint,
                args,
                body=body,
                timeout=timeout,
                extra_headers=extra_headers,
                extra_query=extra_query,
                stream=True,
                last_event_id=last_event_id,
                idempotency_key=key,
            )
            return self._send(endpoint, request, stream=True, retries=retries)

        reconnect = open_stream if endpoint.resumable else None
        return Stream(open_stream(None), reconnect, stream_delay, time.sleep, retries)


class AsyncAPIClient(BaseClient):
    """The asyncio client: I/O through an ``httpx.AsyncClient``."""

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes,
        max_retries: int,
        strict_responses: bool,
        follow_redirects: bool,
        http_client: httpx.AsyncClient | None,
        credentials: Mapping[str, Credential | None],
    ) -> None:
        super().__init__(
            base_url=base_url,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            strict_responses=strict_responses,
            follow_redirects=follow_redirects,
            credentials=credentials,
        )
        self._http = (
            http_client
            if http_client is not None
            else httpx.AsyncClient(limits=DEFAULT_CONNECTION_LIMITS)
        )
        self._owns_http = http_client is None

    async def aclose(self) -> None:
        """Close the connections, unless the ``http_client`` was passed in by the caller."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(
        self,
        endpoint: Endpoint[Any],
        request: httpx.Request,
        *,
        stream: bool,
        retries: int,
    ) -> httpx.Response:
        attempt = hops = 0
        while True:
            try:
                response = await self._http.send(
                    request,
                    stream=stream,
                    follow_redirects=False,
                    auth=request_auth(self._credentials, endpoint.security),
                )
            except httpx.TransportError as exc:
                delay = self._retry_delay(endpoint, attempt, retries, error=exc)
                if delay is None:
                    raise transport_error(request, exc) from exc
                reason: object = type(exc).__name__
            else:
                _log_answer(response)
                if response.is_success:
                    record(response, endpoint, strict=self._strict_responses)
                    return response
                await response.aread()
                await response.aclose()
                if 300 <= response.status_code < 400:
                    request = self._redirect(self._http, endpoint, response, hops)
                    hops += 1
                    continue
                delay = self._retry_delay(endpoint, attempt, retries, response=response)
                if delay is None:
                    raise status_error(response, decode_error_body(endpoint, response))
                reason = response.status_code
            _log_retry(request, reason, delay, attempt, retries)
            await asyncio.sleep(delay)
            attempt += 1

    async def _request(
        self,
        endpoint: Endpoint[T],
        args: Mapping[str, object],
        *,
        body: object = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> T:
        request = self._build_request(
            self._http,
            endpoint,
            args,
            body=body,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        retries = self._retries(max_retries)
        # streaming(): a call of with_streaming_response, whose body is left unread
        response = await self._send(
            endpoint, request, stream=streaming(), retries=retries
        )
        return self._decode(endpoint, response)

    def _stream(
        self,
        endpoint: Endpoint[ServerSentEvent],
        args: Mapping[str, object],
        *,
        body: object = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncStream:
        retries = self._retries(max_retries)
        key = str(uuid.uuid4()) if endpoint.idempotency_header is not None else None

        async def open_stream(last_event_id: str | None) -> httpx.Response:
            request = self._build_request(
                self._http,
                endpoint,
                args,
                body=body,
                timeout=timeout,
                extra_headers=extra_headers,
                extra_query=extra_query,
                stream=True,
                last_event_id=last_event_id,
                idempotency_key=key,
            )
            return await self._send(endpoint, request, stream=True, retries=retries)

        return AsyncStream(
            open_stream, endpoint.resumable, stream_delay, asyncio.sleep, retries
        )


class SyncResource:
    """Base of the resource groups of :class:`Client`."""

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncResource:
    """Base of the resource groups of :class:`AsyncClient`."""

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client
