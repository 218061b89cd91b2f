"""The client part of the generated package: template contexts computed from the IR.

The generated client is a handful of static runtime modules (``_base_client.py``,
``_serialize.py``, ``_sse.py``, ...: templates that only render the header; the optional ones
only where the API uses them: ``_forms.py`` when a request body is form-encoded or multipart)
plus the modules computed here:

* ``_endpoints.py``: one ``Endpoint`` row per operation (method, path, parameters with their
  wire names and styles, body, declared responses, security, idempotency);
* ``client.py``: ``Client`` / ``AsyncClient`` with one method per operation on the resource
  groups, and the ``with_raw_response`` wrappers; for a big API the groups live in
  ``resources/<group>.py``, imported on first use (:mod:`.client_layout`).

Every name, annotation and import is decided here; templates only lay them out.
"""

from __future__ import annotations

from typing import Any

from ..ir.model import Api
from .client_endpoints import EndpointsModule, endpoints_module, sends_forms
from .client_layout import RESOURCES, ClientModule, client_module

# Runtime modules whose templates render the header line and static code, in every package.
STATIC_MODULES = (
    "_auth.py",
    "_base_client.py",
    "_response.py",
    "_serialize.py",
    "_spec.py",
    "_sse.py",
    "_types.py",
    "errors.py",
)

# The files the client part writes for every API (a big one adds resources/, see client_layout).
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


def runtime_modules(api: Api) -> tuple[str, ...]:
    """The runtime modules the API's client uses: every one of STATIC_MODULES, and the
    optional ones its operations need (a flag per feature, from the IR)."""
    optional = {"_forms.py": sends_forms(api)}
    return tuple(sorted((*STATIC_MODULES, *(name for name, used in optional.items() if used))))


def files(api: Api) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output file -> (template, extra context)."""
    endpoints: EndpointsModule = endpoints_module(api)
    client: ClientModule = client_module(api, endpoints)
    out: dict[str, tuple[str, dict[str, Any]]] = {
        name: (f"{name}.jinja", {}) for name in runtime_modules(api)
    }
    out["_endpoints.py"] = ("_endpoints.py.jinja", {"module": endpoints})
    out["client.py"] = ("client.py.jinja", {"module": client})
    if client.resources:
        out[f"{RESOURCES}/__init__.py"] = ("resources_init.py.jinja", {})
    for resource in client.resources:
        out[resource.path] = ("resource.py.jinja", {"module": resource})
    return out


def exports(api: Api) -> list[tuple[str, str]]:
    """(module, name) pairs the package's __init__ re-exports."""
    del api  # the same names for every spec
    return [("client", "AsyncClient"), ("client", "Client"), *RUNTIME_EXPORTS]


__all__ = ["CLIENT_FILES", "RESOURCES", "RUNTIME_EXPORTS", "STATIC_MODULES", "exports", "files", "runtime_modules"]
