"""The shape of the generated client: one ``client.py``, or ``client.py`` and a module per
resource group that loads on first use.

A small API keeps every method in ``client.py``. An API of more than :data:`RESOURCES_MIN`
operations (``client.py`` would pass ~1,000 lines; the seed's was 4,971) gets one module per
resource group, ``resources/<group>.py``, with the group's sync, async and raw-response
classes, as openai-python has one module per resource. ``client.py`` keeps ``Client`` and
``AsyncClient``, their constructors and the operations of no group; each group is a
``cached_property`` that imports its module the first time it is read
(``client.threads``), so ``import pkg`` and ``Client(...)`` load no group module. Type checkers
see the group classes through imports under ``TYPE_CHECKING``: ``client.threads.create(...)``
keeps its full signature.

The group classes have the same names in both shapes (and avoid every name either shape
imports), so crossing the threshold renames nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.escape import str_literal
from ..ir.model import Api, Operation, ResourceGroup
from ..pysource.imports import ImportBlock, all_name_key, import_block
from .client_credentials import CredentialView, credential_views
from .client_endpoints import EndpointsModule
from .client_methods import (
    GroupView,
    MethodView,
    default_base_url,
    group_view,
    indent_rest,
    method_imports,
    method_view,
)

RESOURCES_MIN = 12  # operations; up to this many, one client.py
RESOURCES = "resources"  # the package of the group modules
CLIENT_CLASSES = (
    "Client",
    "AsyncClient",
    "ClientWithRawResponse",
    "AsyncClientWithRawResponse",
    "ClientWithStreamingResponse",
    "AsyncClientWithStreamingResponse",
)
# File names Windows refuses whatever their extension (``aux.py``): such a group's module gets a
# trailing underscore. Group names are lower-case ASCII identifiers (naming.snake), so no two
# modules differ only in case.
_DEVICE_NAMES = frozenset({"aux", "con", "nul", "prn", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))})


@dataclass(frozen=True, slots=True)
class ResourceModule:
    """``resources/<module>.py``: one resource group's classes."""

    path: str  # "resources/threads.py"
    module: str  # "threads": the group's attribute on the client (``aux_`` for ``aux``)
    attribute: str  # the group's attribute on the client, ``client.<attribute>``
    doc: str
    raw_doc: str  # of ``client.with_raw_response.<attribute>``
    stream_doc: str  # of ``client.with_streaming_response.<attribute>``
    imports: ImportBlock
    group: GroupView
    all: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClientModule:
    imports: ImportBlock
    type_imports: ImportBlock  # under ``if TYPE_CHECKING:``: the group classes of ``resources``
    doc: str
    groups: tuple[GroupView, ...]  # every group, in ``Api.groups`` order
    inline: tuple[GroupView, ...]  # the groups defined in client.py (the one-module shape)
    resources: tuple[ResourceModule, ...]  # the groups in modules of their own, loaded lazily
    methods: tuple[MethodView, ...]  # operations without a group, on the client itself
    schemes: tuple[CredentialView, ...]
    base_url: str | None  # the default base URL, when the spec gives a usable one
    sync_doc: str
    async_doc: str
    all: tuple[str, ...]

    @property
    def base_url_parameter(self) -> str:
        """The constructors' ``base_url`` parameter, with the default base URL if there is one."""
        default = "" if self.base_url is None else f" = {str_literal(self.base_url)}"
        return f"base_url: str | httpx.URL{default},"


def module_name(group: str) -> str:
    """The module of a resource group (``resources/<module>.py``, the server's
    ``routers/<module>.py``): its name, with a trailing ``_`` where Windows refuses it."""
    return group + "_" if group in _DEVICE_NAMES else group


def split(api: Api) -> bool:
    """Whether the groups go to modules of their own."""
    return bool(api.groups) and len(api.operations) > RESOURCES_MIN


def client_module(api: Api, endpoints: EndpointsModule) -> ClientModule:
    """The ``client.py`` context, with the group modules' when the API is split."""
    rows = dict(zip((op.pointer for op in api.operations), endpoints.rows, strict=True))
    views = {op.pointer: method_view(op, rows[op.pointer]) for op in api.operations}
    schemes = credential_views(api.security_schemes)
    whole = _imports(schemes, api.operations, groups=bool(api.groups))  # the one-module shape's
    taken = {*CLIENT_CLASSES, "TYPE_CHECKING", *whole.names}
    groups = tuple(group_view(g, [views[op.pointer] for op in g.operations], taken) for g in api.groups)
    base_url = default_base_url(api)
    if split(api):
        resources = tuple(_resource(api, group, view) for group, view in zip(api.groups, groups, strict=True))
        imports = _imports(schemes, api.ungrouped, groups=False, lazy=True)
        type_imports = import_block((), (), ((f".{RESOURCES}.{r.module}", name) for r in resources for name in r.all))
        inline: tuple[GroupView, ...] = ()
    else:
        resources, imports, type_imports, inline = (), whole, import_block((), (), ()), groups
    return ClientModule(
        imports=imports,
        type_imports=type_imports,
        doc=_module_doc(api),
        groups=groups,
        inline=inline,
        resources=resources,
        methods=tuple(views[op.pointer] for op in api.ungrouped),
        schemes=schemes,
        base_url=base_url,
        sync_doc=_client_doc(api, schemes, base_url, asynchronous=False),
        async_doc=_client_doc(api, schemes, base_url, asynchronous=True),
        all=tuple(sorted({*CLIENT_CLASSES, *(n for g in inline for n in g.classes)}, key=all_name_key)),
    )


def _resource(api: Api, group: ResourceGroup, view: GroupView) -> ResourceModule:
    stdlib, local = method_imports(group.operations)
    local |= {("._base_client", "AsyncResource"), ("._base_client", "SyncResource")}
    # One level down: ``.`` is ``..`` in resources/.
    imports = import_block(stdlib, (), ((f".{module}", name) for module, name in local))
    title = f"{api.title} {api.version}".replace("  ", " ")
    doc = (
        f"{title}: the ``{view.attribute}`` resource group (``client.{view.attribute}``).\n\n"
        f"{view.doc}\n\nLoaded on first use of ``client.{view.attribute}``; import ``Client`` from the package."
    )
    module = module_name(view.attribute)
    return ResourceModule(
        path=f"{RESOURCES}/{module}.py",
        module=module,
        attribute=view.attribute,
        doc=doc,
        raw_doc=f"``client.{view.attribute}`` methods that return a ``RawResponse``.",
        stream_doc=f"``client.{view.attribute}`` methods that return a streamed response (``with``).",
        imports=imports,
        group=view,
        all=tuple(sorted(view.classes, key=all_name_key)),
    )


def _imports(
    schemes: Sequence[CredentialView], ops: Iterable[Operation], *, groups: bool, lazy: bool = False
) -> ImportBlock:
    """The imports of ``client.py`` with the methods of ``ops``; ``groups``: and the group
    classes; ``lazy``: the groups are properties that import their modules."""
    stdlib, local = method_imports(list(ops))
    stdlib |= {("collections.abc", "Mapping"), ("functools", "cached_property")}
    if lazy:
        stdlib.add(("typing", "TYPE_CHECKING"))
    local |= {
        ("._base_client", "DEFAULT_MAX_RETRIES"),
        ("._base_client", "DEFAULT_TIMEOUT"),
        ("._base_client", "AsyncAPIClient"),
        ("._base_client", "SyncAPIClient"),
        ("._types", "TimeoutTypes"),
    }
    if groups:
        local |= {("._base_client", "AsyncResource"), ("._base_client", "SyncResource")}
    local.update(s.credential_import for s in schemes)
    local.update(("._oauth2", "ClientCredentials") for s in schemes if s.oauth2)
    return import_block(stdlib, ("httpx",), local)


def _client_doc(api: Api, schemes: Sequence[CredentialView], base_url: str | None, asynchronous: bool) -> str:
    kind = "asyncio" if asynchronous else "blocking"
    closing = (
        "an ``async with`` block, or call ``await client.aclose()``"
        if asynchronous
        else "a ``with`` block, or call ``client.close()``"
    )
    lines = [
        f"{api.title} {api.version} client ({kind}).".replace("  ", " "),
        "",
        f"Use it in {closing}, to release the connections.",
        "",
        "Args:",
        "    base_url: The server, e.g. ``http://127.0.0.1:8000``"
        + (f" (default: {base_url})." if base_url else "."),
    ]
    lines += [f"    {s.argument}: {indent_rest(s.doc[0].upper() + s.doc[1:], ' ' * 8)}" for s in schemes]
    lines += [
        "    headers: Headers sent with every request.",
        "    timeout: Seconds, an ``httpx.Timeout`` or None (default: 60 s, 5 s to connect);",
        "        each call may pass its own ``timeout=``. Event streams wait for events forever.",
        "    max_retries: Retries after connection errors, 408, 429 and 5xx (default 2).",
        "    strict_responses: Raise ``ResponseValidationError`` when a response does not fit",
        "        its declared type (unknown enum values never raise); False returns it as built.",
        "    follow_redirects: Follow 301, 302, 303, 307 and 308 (default); credentials are not",
        "        sent to another origin. False: a 3xx raises ``RedirectError``.",
        "    http_client: An httpx client of your own (e.g. with a mock or ASGI transport); the",
        "        client does not close it. Without it, the client's pool holds up to 1,000",
        "        connections, all kept alive for 5 s when idle (``DEFAULT_CONNECTION_LIMITS``).",
    ]
    return "\n".join(lines)


def _module_doc(api: Api) -> str:
    lines = [
        f"{api.title} {api.version}: the HTTP client.".replace("  ", " "),
        "",
        "``Client`` (blocking) and ``AsyncClient`` (asyncio) have one method per operation, on a",
        "resource group per tag (``client.<group>.<method>(...)``); API.md lists them all.",
        "``client.with_raw_response.<group>.<method>(...)`` returns a ``RawResponse`` with the",
        "HTTP response (headers, status) around the same result;",
        "``client.with_streaming_response.<group>.<method>(...)`` a context manager whose response",
        "body is read as it arrives (``iter_bytes``, ``iter_lines``, ``write_to``).",
    ]
    if api.description:
        lines += ["", api.description.strip()]
    return "\n".join(lines)
