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

from dataclasses import dataclass
from typing import Any

from ..core.contract import RUNTIME_EXPORTS
from ..ir.model import Api
from .client_endpoints import EndpointsModule, endpoints_module, sends_forms
from .client_layout import RESOURCES, ClientModule, client_module

# Runtime modules in every package: the header line and static code (templates/runtime/;
# _spec.py adds the spec's hash).
STATIC_MODULES = (
    "_auth.py",
    "_base_client.py",
    "_response.py",
    "_serialize.py",
    "_spec.py",
    "_sse.py",
    "_streaming.py",
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

# The names of the OAuth 2 token provider, re-exported when a scheme has a clientCredentials flow.
OAUTH2_EXPORTS = (("_oauth2", "ClientCredentials"), ("_oauth2", "OAuth2TokenError"))

# The files the client part writes for every API (a big one adds resources/, see client_layout).
CLIENT_FILES = (*STATIC_MODULES, "_endpoints.py", "client.py")


@dataclass(frozen=True, slots=True)
class ClientViews:
    """The client's template contexts, built once per render (the docs read ``client`` too)."""

    endpoints: EndpointsModule
    client: ClientModule


def build(api: Api) -> ClientViews:
    endpoints = endpoints_module(api)
    return ClientViews(endpoints, client_module(api, endpoints))


def pages(api: Api) -> bool:
    """Whether an operation is paginated (the package gets the pagination runtime)."""
    return any(op.pagination is not None for op in api.operations)


def fetches_tokens(api: Api) -> bool:
    """Whether a security scheme has an OAuth 2 clientCredentials flow (the package gets the
    token provider, ``_oauth2.py``)."""
    return any(s.client_credentials is not None for s in api.security_schemes)


def json_lines(api: Api) -> bool:
    """Whether an operation answers a JSON-lines stream (the package gets ``_jsonl``)."""
    return any(op.json_lines for op in api.operations)


def runtime_modules(api: Api) -> tuple[str, ...]:
    """The runtime modules the API's client uses: every one of STATIC_MODULES, and the
    optional ones its operations need (a flag per feature, from the IR)."""
    optional = {
        "_forms.py": sends_forms(api),
        "_jsonl.py": json_lines(api),
        "_oauth2.py": fetches_tokens(api),
        "_pagination.py": pages(api),
    }
    return tuple(sorted((*STATIC_MODULES, *(name for name, used in optional.items() if used))))


def files(api: Api, views: ClientViews | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output file -> (template, extra context); ``views``: already built from ``api``."""
    built = build(api) if views is None else views
    endpoints, client = built.endpoints, built.client
    # The runtime modules are plain Python in templates/runtime/; _spec.py adds the spec's hash.
    out: dict[str, tuple[str, dict[str, Any]]] = {
        name: (f"runtime/{name}", {}) for name in runtime_modules(api)
    }
    out["_spec.py"] = ("_spec.py.jinja", {})
    out["_endpoints.py"] = ("_endpoints.py.jinja", {"module": endpoints})
    out["client.py"] = ("client.py.jinja", {"module": client})
    if client.resources:
        out[f"{RESOURCES}/__init__.py"] = ("resources_init.py.jinja", {})
    for resource in client.resources:
        out[resource.path] = ("resource.py.jinja", {"module": resource})
    return out


def exports(api: Api) -> list[tuple[str, str]]:
    """(module, name) pairs the package's __init__ re-exports."""
    paged = PAGINATION_EXPORTS if pages(api) else ()
    oauth2 = OAUTH2_EXPORTS if fetches_tokens(api) else ()
    lines = (("_jsonl", "AsyncJsonLines"), ("_jsonl", "JsonLines")) if json_lines(api) else ()
    return [("client", "AsyncClient"), ("client", "Client"), *RUNTIME_EXPORTS, *paged, *oauth2, *lines]


__all__ = ["CLIENT_FILES", "RESOURCES", "STATIC_MODULES", "ClientViews", "build", "exports", "files", "runtime_modules"]
