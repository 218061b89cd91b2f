"""The client part of the generated package: template contexts computed from the IR.

The generated client is a handful of static runtime modules (``_base_client.py``,
``_serialize.py``, ``_sse.py``, ...: templates that only render the header) plus two
modules computed here:

* ``_endpoints.py``: one ``Endpoint`` row per operation (method, path, parameters with their
  wire names and styles, body, declared responses, security, idempotency);
* ``client.py``: ``Client`` / ``AsyncClient`` with one method per operation on the resource
  groups, and the ``with_raw_response`` wrappers.

Every name, annotation and import is decided here; templates only lay them out.
"""

from __future__ import annotations

from typing import Any

from ..ir.model import Api
from .client_endpoints import EndpointsModule, endpoints_module
from .client_methods import ClientModule, client_module

# Runtime modules whose templates render the header line and static code.
STATIC_MODULES = (
    "_auth.py",
    "_base_client.py",
    "_pagination.py",
    "_response.py",
    "_serialize.py",
    "_spec.py",
    "_sse.py",
    "_types.py",
    "errors.py",
)

# The names of the pagination runtime, re-exported when an operation is paginated.
PAGINATION_EXPORTS = (
    ("_pagination", "AsyncListPage"),
    ("_pagination", "AsyncListPager"),
    ("_pagination", "AsyncPage"),
    ("_pagination", "AsyncPager"),
    ("_pagination", "NoNextPageError"),
    ("_pagination", "PageInfo"),
    ("_pagination", "SyncListPage"),
    ("_pagination", "SyncPage"),
)

# Every file the client part writes.
CLIENT_FILES = (*STATIC_MODULES, "_endpoints.py", "client.py")

# (module, name) the package __init__ re-exports besides the clients.
RUNTIME_EXPORTS = (
    ("_response", "RawResponse"),
    ("_response", "ResponseHeaders"),
    ("_sse", "AsyncStream"),
    ("_sse", "ServerSentEvent"),
    ("_sse", "Stream"),
    ("_types", "NOT_GIVEN"),
    ("_types", "NotGiven"),
    ("errors", "ApiClientError"),
    ("errors", "ApiConnectionError"),
    ("errors", "ApiError"),
    ("errors", "ApiTimeoutError"),
    ("errors", "AuthenticationError"),
    ("errors", "BadRequestError"),
    ("errors", "ConflictError"),
    ("errors", "InternalServerError"),
    ("errors", "NotFoundError"),
    ("errors", "PermissionDeniedError"),
    ("errors", "RateLimitError"),
    ("errors", "RedirectError"),
    ("errors", "RequestValidationError"),
    ("errors", "ResponseValidationError"),
    ("errors", "UnprocessableEntityError"),
)


def files(api: Api) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output file -> (template, extra context)."""
    endpoints: EndpointsModule = endpoints_module(api)
    client: ClientModule = client_module(api, endpoints)
    out: dict[str, tuple[str, dict[str, Any]]] = {
        name: (f"{name}.jinja", {}) for name in STATIC_MODULES
    }
    out["_endpoints.py"] = ("_endpoints.py.jinja", {"module": endpoints})
    out["client.py"] = ("client.py.jinja", {"module": client})
    return out


def exports(api: Api) -> list[tuple[str, str]]:
    """(module, name) pairs the package's __init__ re-exports."""
    paged = PAGINATION_EXPORTS if any(op.pagination for op in api.operations) else ()
    return [("client", "AsyncClient"), ("client", "Client"), *RUNTIME_EXPORTS, *paged]


__all__ = ["CLIENT_FILES", "RUNTIME_EXPORTS", "STATIC_MODULES", "exports", "files"]
