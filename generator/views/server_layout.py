"""The shape of the generated server: one ``server.py``, or ``server.py`` and a module per resource
group, ``routers/<group>.py``, for the APIs whose client is split into ``resources/`` (the same
rule, :func:`oapigen.views.client_layout.split`, and the same groups).

A group's module holds what its operations need: their handler methods (``<Group>Handlers``, a
Protocol), their declared responses (``OPERATIONS``) and their routes (``router``), with only
the imports those use. ``server.py`` keeps the public contract: ``Handlers`` (every group's
protocol as a base, plus the methods of the operations of no group), ``OPERATIONS`` and
``router`` for the whole API (the groups' joined), ``create_app`` and ``app``, and every name
it exported before. ``routers/_security.py`` holds ``Credentials`` and the security
dependencies, which ``server.py`` and the group modules both use (``server.py`` re-exports
``Credentials``). ``routers/__init__.py`` imports the group modules.

The routes of the whole API keep one matching order: the groups' routes one group after the
other, except where a route of one group would shadow one of another (``/gists/{id}`` before
``/gists/starred``); each group's ``router`` has its routes in that order, and ``server.py``
joins them by slices (``*routers.gists.router.routes[:2]``).
"""

from __future__ import annotations

import dataclasses
import io
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import naming
from ..core.contract import MODELS_MODULE
from ..core.escape import str_literal
from ..ir.model import CONSTRAINTS_IMPORT, Api
from ..pysource.imports import all_name_key, from_import_lines
from . import server as server_view
from .client_layout import module_name, split
from .server_code import AuthCode, OperationCode, ServerCode, server_code
from .server_parts import segments
from .server_types import OperationView, ServerView

ROUTERS = "routers"  # the package of the group modules
SECURITY = "_security"  # its module of Credentials and the security dependencies
_ROUTERS_SECURITY = f".{ROUTERS}.{SECURITY}"


@dataclass(frozen=True, slots=True)
class RouterModule:
    """``routers/<module>.py``: one resource group's handler protocol, declared responses and
    routes, each statement written out (:class:`ServerCode`'s fields)."""

    path: str  # "routers/threads.py"
    module: str  # "threads" (``aux_`` for a group ``aux``)
    protocol: str  # "ThreadsHandlers"
    doc: str
    protocol_doc: str
    code: ServerCode  # its statements: imports, __all__, methods, OPERATIONS entries, routes


@dataclass(frozen=True, slots=True)
class SecurityModule:
    """``routers/_security.py``: the FastAPI security objects, ``Credentials`` and a dependency
    per set of requirements."""

    imports: tuple[str, ...]  # import lines, "" between sections
    schemes: tuple[str, ...]
    credentials: tuple[str, ...]
    auths: tuple[AuthCode, ...]


@dataclass(frozen=True, slots=True)
class ServerSplit:
    """What ``server.py`` has in the split shape, besides the operations of no group."""

    routers: tuple[RouterModule, ...]
    security: SecurityModule | None
    bases: str  # ``class Handlers(...)``'s bases: every group's protocol, then Protocol
    operations: tuple[str, ...]  # the first entries of OPERATIONS: ``**routers.threads.OPERATIONS,``
    routes: tuple[str, ...]  # the items of ``_ROUTES``: every route, in matching order
    routers_all: str  # ``__all__`` of ``routers/__init__.py``


def route_order(api: Api, view: ServerView) -> list[OperationView]:
    """The matching order of the split shape: group after group (then the operations of no
    group), each in the spec's order, a route moved before the first that would shadow it."""
    by_pointer = {v.op.pointer: v for v in view.operations}
    ops = [*(op for g in api.groups for op in g.operations), *api.ungrouped]
    ordered = server_view.route_order([by_pointer[op.pointer] for op in ops])
    # Operations one route serves alike (paths that differ in a #fragment or a template's name:
    # the server warns that the one declared first serves them) keep the spec's order among
    # the places the groups gave them.
    declared = {op.pointer: i for i, op in enumerate(api.operations)}
    same: dict[tuple[str, ...], list[int]] = {}
    for i, v in enumerate(ordered):
        key = (v.op.method.value, *("{}" if s.startswith("{") else s for s in segments(v.op)))
        same.setdefault(key, []).append(i)
    for places in same.values():
        for place, v in zip(places, sorted((ordered[i] for i in places), key=lambda v: declared[v.op.pointer]), strict=True):
            ordered[place] = v
    return ordered


def layout(api: Api, view: ServerView) -> tuple[ServerCode, ServerSplit | None]:
    """``server.py``'s statements, and the group modules' when the API is split."""
    if not split(api):
        return server_code(view), None
    order = route_order(api, view)
    position = {v.handler: i for i, v in enumerate(order)}
    grouped = {op.pointer for g in api.groups for op in g.operations}
    modules = [module_name(g.name) for g in api.groups]
    protocols = naming.dedupe((g.class_name + "Handlers" for g in api.groups), ("Handlers",))
    routers = []
    for group, module, protocol in zip(api.groups, modules, protocols, strict=True):
        pointers = {op.pointer for op in group.operations}
        own = [v for v in view.operations if v.op.pointer in pointers]
        doc = group.description.strip() if group.description else f"Operations tagged {group.tag!r}."
        routers.append(
            RouterModule(
                path=f"{ROUTERS}/{module}.py",
                module=module,
                protocol=protocol,
                doc=(
                    f"{_title(api)}: the server side of the ``{group.name}`` resource group.\n\n{doc}\n\n"
                    f"The handler methods of its operations (``{protocol}``, a base of ``Handlers``),\n"
                    "their declared responses (``OPERATIONS``) and their routes (``router``), which\n"
                    "``server.py`` joins: implement the handlers on a subclass of ``server.Handlers``."
                ),
                protocol_doc=(
                    f"The handler methods of the ``{group.name}`` group's operations (``Handlers`` in\n"
                    "``server.py`` has every group's): subclass ``Handlers`` to implement them."
                ),
                code=_module_code(view, own, sorted(own, key=lambda v: position[v.handler]), protocol),
            )
        )
    main = [v for v in view.operations if v.op.pointer not in grouped]
    code = _main_code(view, main, sorted(main, key=lambda v: position[v.handler]), routers)
    return code, ServerSplit(
        routers=tuple(routers),
        security=_security(view),
        bases=", ".join([*protocols, "Protocol"]),
        operations=tuple(f"**{ROUTERS}.{r.module}.OPERATIONS," for r in routers),
        routes=_joined_routes(order, {v.handler: r.module for r in routers for v in _views(view, r)}),
        routers_all=f"__all__ = [{', '.join(str_literal(m) for m in sorted(modules, key=all_name_key))}]",
    )


def _title(api: Api) -> str:
    return f"{api.title} {api.version}".replace("  ", " ")


def _views(view: ServerView, module: RouterModule) -> list[OperationView]:
    handlers = {c.handler for c in module.code.operations}
    return [v for v in view.operations if v.handler in handlers]


def _joined_routes(order: Sequence[OperationView], module_of: dict[str, str]) -> tuple[str, ...]:
    """The items of ``_ROUTES``: the groups' routes and server.py's own (those ``router`` holds
    then), in ``order``, as slices of each one's list (``*routers.gists.router.routes[:2]``)."""
    runs: list[tuple[str, int, int]] = []  # (source, start, stop) of consecutive routes
    seen: dict[str, int] = {}
    for v in order:
        source = f"{ROUTERS}.{module_of[v.handler]}.router" if v.handler in module_of else "router"
        start = seen.get(source, 0)
        seen[source] = start + 1
        if runs and runs[-1][0] == source:
            runs[-1] = (source, runs[-1][1], start + 1)
        else:
            runs.append((source, start, start + 1))
    items = []
    for source, start, stop in runs:
        whole = start == 0 and stop == seen[source]
        cut = "" if whole else f"[{start or ''}:{'' if stop == seen[source] else stop}]"
        items.append(f"*{source}.routes{cut}")
    return tuple(items)


# -- the statements of each module ----------------------------------------------------------------

Pairs = list[tuple[str, str]]


def _module_view(view: ServerView, own: list[OperationView], routes: list[OperationView]) -> ServerView:
    return dataclasses.replace(
        view, operations=tuple(own), routes=tuple(routes), schemes=(), auths=(),
        std_imports=(), third_party_imports=(), runtime_imports=(), requests_imports=(),
    )


def _uses(codes: Iterable[OperationCode], module: str, after: str = ".") -> bool:
    """Whether the statements name ``module.<attribute>`` (``after="("``: call ``module(...)``),
    by tokens: never inside a string."""
    for c in codes:
        for text in (c.method, c.entry, c.decorator, c.route):
            tokens = [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline)]
            for i, token in enumerate(tokens[:-1]):
                if token == module and tokens[i + 1] == after and (i == 0 or tokens[i - 1] != "."):
                    return True
    return False


def _imports(views: list[OperationView], codes: Sequence[OperationCode], parent: str, *, app: bool) -> tuple[Pairs, Pairs, Pairs]:
    """The (standard library, third-party, package) imports, as ``(module, name)``, of a module
    defining the handler methods, declared responses and routes of ``views``, and ``create_app``
    when ``app``; ``parent``: the package (``.`` or ``..``)."""
    std: Pairs = [("typing", "Protocol")]
    fastapi = {"APIRouter"} | ({"FastAPI"} if app else set())
    third: Pairs = [("fastapi", name) for name in fastapi]
    runtime = {"ServerOperation"} | ({"Fallback", "Reply", "Unimplemented", "install"} if app else set())
    if views:
        std += [(m, n) for m, names in server_view.std_imports(views, False) for n in names]
        third += [(m, n) for m, names in server_view.third_party_imports(views, ()) for n in names if n != "FastAPI" or app]
        runtime.add("Unimplemented")
        runtime |= {"Reply"} if any("Reply" in v.returns for v in views) else set()
        runtime |= {"DeclaredResponse"} if any(v.responses for v in views) else set()
        runtime |= {"ResponseContent"} if any(r.contents for v in views for r in v.responses) else set()
        runtime |= {"ResponseHeader"} if any(r.headers for v in views for r in v.responses) else set()
    local: Pairs = [(f"{parent}_server_runtime", n) for n in runtime]
    local += [(f"{parent}_server_requests", n) for n in server_view.requests_imports(views)]
    local += [(parent, MODELS_MODULE)] if _uses(codes, MODELS_MODULE) else []
    constraints_module, constraints = CONSTRAINTS_IMPORT  # an inline schema's constraints (ir.schemas)
    local += [(parent + constraints_module.lstrip("."), constraints)] if _uses(codes, constraints, "(") else []
    local += [(parent, "_server_pagination")] if any(v.paging for v in views) else []
    local += [(f"{parent}_sse", "ServerSentEvent")] if any(v.streams for v in views) else []
    auths = {v.auth.function for v in views if v.auth is not None}
    security = f".{ROUTERS}.{SECURITY}" if parent == "." else f".{SECURITY}"
    local += [(security, n) for n in auths | ({"Credentials"} if auths else set())]
    return std, third, local


def _from(pairs: Pairs) -> tuple[str, ...]:
    """One ``from module import names`` line per module, in isort's order: one section, the
    furthest relative imports (``..``) before the closer ones (``.``)."""
    def level(module: str) -> int:
        return len(module) - len(module.lstrip("."))

    lines: list[str] = []
    for depth in sorted({level(m) for m, _ in pairs}, reverse=True):
        lines += from_import_lines([(m, n) for m, n in pairs if level(m) == depth])
    return tuple(lines)


def _module_code(view: ServerView, own: list[OperationView], routes: list[OperationView], protocol: str) -> ServerCode:
    code = server_code(_module_view(view, own, routes))
    std, third, local = _imports(own, code.operations, "..", app=False)
    names = sorted({"OPERATIONS", "router", protocol}, key=all_name_key)
    return dataclasses.replace(
        code,
        std_imports=_from(std),
        third_party_imports=_from(third),
        package_import="",
        local_imports=_from(local),
        all=f"__all__ = [{', '.join(str_literal(n) for n in names)}]",
    )


def _main_code(view: ServerView, own: list[OperationView], routes: list[OperationView], routers: list[RouterModule]) -> ServerCode:
    """server.py's statements in the split shape: those of the operations of no group, with the
    whole API's ``create_app`` and exports (the security objects are in ``routers/_security.py``)."""
    code = server_code(_module_view(view, own, routes))
    whole = server_code(view)
    std, third, local = _imports(own, code.operations, ".", app=True)
    local += [(".", ROUTERS), (".", MODELS_MODULE)]  # models: exported, ``server.models`` as in one module
    local += [("._server_runtime", n) for n in view.runtime_imports if n in ("IdempotencyStore", "MemoryIdempotencyStore")]
    local += [("._sse", "ServerSentEvent")] if view.streams else []
    local += [(_ROUTERS_SECURITY, "Credentials")] if view.schemes else []
    if view.oauth2:  # create_app's token_verifier, and the mock's token endpoint
        names = ("TokenVerifier", "verify_tokens_with", *(("serve_mock_tokens",) if view.token_paths else ()))
        local += [("._server_oauth2", n) for n in names]
    local += [(f".{ROUTERS}.{r.module}", r.protocol) for r in routers]
    lines = _from([(m, n) for m, n in local if m != "."])
    if view.idempotency:  # after the runtime's other names, as isort puts it
        at = next(i for i, line in enumerate(lines) if line.startswith("from ._server_runtime ")) + 1
        stored = next(line for line in whole.local_imports if "StoredAnswer" in line)
        lines = (*lines[:at], stored, *lines[at:])
    return dataclasses.replace(
        whole,
        noqa=code.noqa,
        std_imports=_from(std),
        third_party_imports=_from(third),
        package_import=_from([(m, n) for m, n in local if m == "."])[0],
        all=f"__all__ = [{', '.join(str_literal(n) for n in sorted({*view.exports, MODELS_MODULE}, key=all_name_key))}]",
        local_imports=lines,
        schemes=(),
        credentials=(),
        auths=(),
        operations=code.operations,
        routes=code.routes,
        operations_open="{",
    )


def _security(view: ServerView) -> SecurityModule | None:
    if not view.schemes:
        return None
    std: Pairs = [("dataclasses", "dataclass")]
    third: Pairs = []
    if view.auths:
        std.append(("typing", "Annotated"))
        third.append(("fastapi", "Security"))
    for module, names in server_view.third_party_imports([], view.schemes):
        third += [(module, n) for n in names if module == "fastapi.security"]
    scoped = any(a.oauth2 for a in view.auths)  # OAuth 2 scopes: _server_oauth2.authorize reads the request
    third += [("fastapi", "Request")] if scoped else []
    local: Pairs = [(".._server_oauth2", "authorize")] if scoped else []
    local += [(".._server_runtime", "require")] if any(not a.oauth2 for a in view.auths) else []
    lines = [*_from(std), "", *_from(third)]
    lines += ["", *_from(local)] if local else []
    whole = server_code(view)
    return SecurityModule(tuple(lines), whole.schemes, whole.credentials, whole.auths)


# -- the render.py interface ------------------------------------------------------------------


def files(api: Api, view: ServerView | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output file -> (template, extra context); ``view``: already built from ``api``."""
    view = server_view.build(api) if view is None else view
    code, parts = layout(api, view)
    out = {
        server_view.SERVER: ("server.py.jinja", {"server": view, "code": code, "split": parts}),
        server_view.RUNTIME: ("runtime/_server_runtime.py", {}),
        server_view.REQUESTS: ("runtime/_server_requests.py", {}),
        server_view.MOCK: ("runtime/_server_mock.py", {}),
        server_view.ROUTING: ("runtime/_server_routing.py", {}),
        server_view.HTTP: ("runtime/_server_http.py", {}),
        server_view.STREAMS: ("runtime/_server_streams.py", {}),
    }
    if view.paging:  # the pagination runtime only where an operation pages
        out[server_view.PAGINATION] = ("runtime/_server_pagination.py", {})
    if view.oauth2:  # the scope checks only where an operation names OAuth 2 scopes
        out[server_view.OAUTH2] = ("runtime/_server_oauth2.py", {})
    if parts is not None:
        out[f"{ROUTERS}/__init__.py"] = ("routers_init.py.jinja", {"split": parts})
        out.update((r.path, ("server_group.py.jinja", {"module": r, "code": r.code})) for r in parts.routers)
        if parts.security is not None:
            out[f"{ROUTERS}/{SECURITY}.py"] = ("server_security.py.jinja", {"module": parts.security})
    return out
