"""Exceptions raised by the client.

Every exception derives from :class:`ApiClientError`::

    ApiClientError
    ├── RequestValidationError       an argument does not fit the spec; nothing was sent
    ├── ApiError                     the server answered with a status outside 2xx
    │   ├── RedirectError               3xx not followed (see ``follow_redirects``)
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── UnprocessableEntityError    422
    │   ├── RateLimitError              429
    │   └── InternalServerError         500 and above
    ├── ApiConnectionError           no response: connection refused or reset, DNS, TLS, ...
    │   └── ApiTimeoutError             a connect, read, write or pool timeout
    └── ResponseValidationError      a 2xx response whose body does not fit the declared type

``ApiError`` carries ``status_code``, ``headers``, ``body`` (parsed into the model the spec
declares for that status when there is one, else the JSON value or the text) and the
``httpx.Response``. Messages name the method and the path, never the query string, headers
or argument values, so credentials never show up in them.
"""

from __future__ import annotations

from typing import Any

import httpx
import pydantic

__all__ = [
    "ApiClientError",
    "ApiConnectionError",
    "ApiError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RequestValidationError",
    "ResponseValidationError",
    "UnprocessableEntityError",
]

_EXCERPT = 300
_MAX_SHOWN = 5  # errors a RequestValidationError message lists


def _where(request: httpx.Request) -> str:
    """``METHOD /path`` as sent, without the query string (it may hold an API key)."""
    return f"{request.method} {request.url.raw_path.decode('ascii', 'replace').partition('?')[0]}"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "..."


class ApiClientError(Exception):
    """Base class of every exception this client raises."""


class ApiError(ApiClientError):
    """The server answered with a status outside 2xx."""

    status_code: int
    headers: httpx.Headers
    body: object
    response: httpx.Response

    def __init__(self, response: httpx.Response, body: object) -> None:
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.body = body
        message = f"{response.status_code} {response.reason_phrase} for {_where(response.request)}"
        try:
            detail = _excerpt(response.text)
        except httpx.ResponseNotRead:
            detail = ""
        super().__init__(f"{message}: {detail}" if detail else message)


class RedirectError(ApiError):
    """A 3xx the client did not follow: ``follow_redirects=False``, no ``Location``, a status
    that is not a redirect to follow (300, 304), or too many redirects in a row.

    ``location`` is the ``Location`` header (None when there is none), resolved against the
    request's URL; the message names it without its query string.
    """

    location: str | None

    def __init__(self, response: httpx.Response, body: object, reason: str) -> None:
        super().__init__(response, body)
        value = response.headers.get("location")
        try:
            self.location = (
                None if value is None else str(response.request.url.join(value))
            )
        except httpx.InvalidURL:
            self.location = value
        target = (
            f"to {self.location.partition('?')[0]} "
            if self.location is not None
            else ""
        )
        where = f"{response.status_code} {response.reason_phrase} for {_where(response.request)}"
        self.args = (f"{where}: redirect {target}not followed ({reason})",)


class BadRequestError(ApiError):
    """400 Bad Request."""


class AuthenticationError(ApiError):
    """401 Unauthorized: credentials are missing or wrong."""


class PermissionDeniedError(ApiError):
    """403 Forbidden."""


class NotFoundError(ApiError):
    """404 Not Found."""


class ConflictError(ApiError):
    """409 Conflict."""


class UnprocessableEntityError(ApiError):
    """422 Unprocessable Entity: the request did not validate on the server."""


class RateLimitError(ApiError):
    """429 Too Many Requests."""


class InternalServerError(ApiError):
    """A 5xx status: the server failed."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response, body: object) -> ApiError:
    """The exception for a status outside 2xx: the most specific subclass there is."""
    if response.status_code >= 500:
        return InternalServerError(response, body)
    return _BY_STATUS.get(response.status_code, ApiError)(response, body)


class ApiConnectionError(ApiClientError):
    """The request got no response: the connection failed or broke."""

    request: httpx.Request

    def __init__(self, request: httpx.Request, reason: str) -> None:
        self.request = request
        super().__init__(f"{reason} for {_where(request)}")


class ApiTimeoutError(ApiConnectionError):
    """The request timed out (connect, read, write or waiting for a pooled connection)."""


def transport_error(
    request: httpx.Request, exc: httpx.TransportError
) -> ApiConnectionError:
    """The exception for a transport failure; the httpx exception becomes its ``__cause__``."""
    if isinstance(exc, httpx.TimeoutException):
        return ApiTimeoutError(request, f"timed out ({type(exc).__name__})")
    return ApiConnectionError(request, f"connection failed ({type(exc).__name__})")


class ResponseValidationError(ApiClientError):
    """A 2xx response whose body does not fit the type the spec declares.

    ``Client(strict_responses=False)`` returns such bodies as built as far as they fit instead.
    The pydantic ``ValidationError`` is the ``__cause__``.
    """

    response: httpx.Response
    status_code: int

    def __init__(self, response: httpx.Response, expected: str, errors: str) -> None:
        self.response = response
        self.status_code = response.status_code
        super().__init__(
            f"the {response.status_code} response to {_where(response.request)} "
            f"does not fit {expected}: {errors}"
        )


class RequestValidationError(ApiClientError, ValueError):
    """A call's arguments do not fit what the spec declares; nothing was sent.

    ``operation`` is the method (``store.put_item``), ``errors`` one dict per problem with its
    ``loc`` (starting with the argument: ``("body", "namespace")``), ``msg`` and ``type``, as
    pydantic reports them. The original exception (a pydantic ``ValidationError``, or the
    ``TypeError``/``ValueError`` of an argument that cannot be sent) is the ``__cause__``.
    It is also a ``ValueError``.
    """

    operation: str
    errors: list[dict[str, Any]]

    def __init__(
        self, operation: str, where: str, argument: str, exc: Exception
    ) -> None:
        self.operation = operation
        if isinstance(exc, pydantic.ValidationError):
            self.errors = [
                {"loc": (argument, *e["loc"]), "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(
                    include_url=False, include_input=False, include_context=False
                )
            ]
        else:
            self.errors = [
                {"loc": (argument,), "msg": str(exc), "type": type(exc).__name__}
            ]
        shown = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
            for e in self.errors[:_MAX_SHOWN]
        )
        more = len(self.errors) - _MAX_SHOWN
        super().__init__(
            f"invalid arguments for {operation} ({where}): {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )
