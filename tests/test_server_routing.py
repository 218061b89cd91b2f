"""Server: the generated app's routing (``_server_routing``) tries only the routes a request's
path can match. It must answer every request as FastAPI's own routing does, which tries every
route in order: the same route, path parameters, status, headers (``Allow`` of a 405,
``Location`` of a slash redirect) and body, on the seed and on tests/data/server/routing.yaml
(overlapping and odd paths), before and after routes are added to the app."""

from __future__ import annotations

import contextlib
import importlib
import re
import uuid
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Host, Match, Route

from .test_server_generate import server_module

pytestmark = pytest.mark.anyio

THREAD = str(uuid.UUID(int=1))
VALUES = ("1", THREAD, "search", "pinned", "dashboard", "x.json", "café", "a b", "")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW")
ODD_PATHS = (
    "", "/", "//", "/notes//", "/notes/1\n", "/notes\n", "/ok\n", "/unknown", "/notes/1/2/3/4/5/6",
    "/café/menü", "/caf%C3%A9/men%C3%BC", "/with space/x", "/with%20space/x", "/notes/dashboard",
    "/files/a.json", "/files/a.json/", "/files/.json", "/notes/1/tags/pinned/", "/threads/search/",
    f"/threads/{THREAD}/runs/", "/static", "/static/", "/static/a/b", "/notes/7/files/a", "/late/a/b",
    "/late/a/b/c", "/notes/7/count", "/notes/-7/count", f"/notes/{THREAD}/count", "/plugin/ping",
    "/plugin/ping/", "/x/everywhere",
)


async def _endpoint(request: Request) -> Response:
    return PlainTextResponse(f"{request.url.path} {request.path_params}")


async def _mounted(scope: Any, receive: Any, send: Any) -> None:
    await PlainTextResponse(f"mounted {scope['root_path']} {scope['path']}")(scope, receive, send)


class _Everywhere(BaseRoute):
    """A route class of its own: the index cannot know which paths it matches."""

    def matches(self, scope: Any) -> tuple[Match, Any]:
        if scope["type"] == "http" and scope["path"].endswith("/everywhere"):
            return Match.FULL, {"endpoint": _endpoint}
        return Match.NONE, {}

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        await PlainTextResponse("everywhere")(scope, receive, send)


class _Tagged:
    """A middleware adding a header to every answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def tagged(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-tagged", b"1")]
            await send(message)

        await self.app(scope, receive, tagged)


def _add_routes(app: FastAPI) -> None:
    """What a user may add to the app afterwards, each overlapping a generated route."""
    app.add_api_route("/notes/extra", _endpoint, methods=["GET"])  # after /notes/{note_id}
    app.add_api_route("/late/{rest:path}", _endpoint, methods=["GET"])
    app.add_api_route("/notes/{n:int}/count", _endpoint, methods=["GET"])
    app.add_api_route("/notes/{u:uuid}/count", _endpoint, methods=["GET"])
    app.add_route("/notes/search", _endpoint, methods=["POST"])  # same path, another method
    plugin = APIRouter(prefix="/plugin")
    plugin.add_api_route("/ping", _endpoint, methods=["GET"])
    plugin.add_api_route("/{anything}", _endpoint, methods=["POST"])
    app.include_router(plugin)
    app.mount("/static", _mounted)
    app.mount("/notes/{note_id}/files", _mounted)
    app.router.routes.append(_Everywhere())
    app.router.routes.append(Host("other.test", _mounted))
    app.router.routes.insert(0, Route("/{section}/{note_id}", _endpoint, methods=["DELETE"]))
    app.add_middleware(_Tagged)
    # Last: what the index must not pick for a path that one of the routes above matches.
    app.add_api_route("/{a}/{b}", _endpoint, methods=["GET"])
    app.add_api_route("/{a}/{b}/{c}", _endpoint, methods=["GET"])


def _linear(app: FastAPI) -> FastAPI:
    """``app`` answering through FastAPI's own router dispatch, which tries every route."""
    app.router.middleware_stack = app.router.app
    return app


def _concrete(path_format: str) -> Iterator[str]:
    """Paths a route template stands for: each parameter, or all at once, given each value."""
    parts = path_format.split("/")
    params = [i for i, part in enumerate(parts) if part.startswith("{") and part.endswith("}")]
    for value in VALUES:
        yield "/".join(value if i in params else part for i, part in enumerate(parts))
        for at in params:
            yield "/".join(value if i == at else "1" if i in params else part for i, part in enumerate(parts))


def _requests(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, root_path) for every route of ``app``: each method, with and without a
    trailing slash, and the odd paths; a few under a root path."""
    paths: set[str] = set(ODD_PATHS)
    for route in app.routes:
        template = getattr(route, "path_format", None) or getattr(route, "path", None)
        if isinstance(template, str) and template.startswith("/"):
            for path in _concrete(template):
                paths.update({path, path + "/", path.rstrip("/") or "/"})
    out = [(method, path, "") for path in sorted(paths) for method in METHODS]
    out += [(method, "/api" + path, "/api") for path in sorted(paths)[:40] for method in ("GET", "POST")]
    out += [("GET", "/api", "/api"), ("GET", "/apinotes", "/api")]
    return out


async def _answer(app: Any, method: str, path: str, root_path: str) -> tuple[Any, ...]:
    """What ``app`` does with the request: the route it picked, the path parameters, the
    response (status, headers, body)."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": quote(path).encode(), "query_string": b"",
        "root_path": root_path, "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1), "server": ("test", 80),
    }
    sent = False
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    route = scope.get("route")
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    # The docs pages carry a nonce of their own in each response
    headers = [(k, _NONCE.sub(b"nonce", v)) for k, v in start["headers"]]
    return getattr(route, "name", route), scope.get("path_params"), start["status"], headers, _NONCE.sub(b"nonce", body)


_NONCE = re.compile(rb"nonce-[\w-]+|nonce=\"[\w-]+\"")


async def _differences(indexed: FastAPI, linear: FastAPI) -> list[str]:
    differences = []
    for method, path, root_path in _requests(linear):
        got = await _answer(indexed, method, path, root_path)
        expected = await _answer(linear, method, path, root_path)
        if got != expected:
            differences.append(f"{method} {path!r} (root {root_path!r}): {got[:3]} != {expected[:3]}")
    return differences


@pytest.fixture(scope="module", params=["srv_agent_server", "srv_routing"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return server_module(tmp_path_factory, request.param)


def _add_root_mount(app: FastAPI) -> None:
    """A mount at the root, then a route that it leaves nothing to."""
    app.mount("", _mounted)
    app.add_api_route("/{a}", _endpoint, methods=["GET"])


@pytest.mark.parametrize(
    "extend", [None, _add_routes, _add_root_mount], ids=["generated", "with routes added", "with a root mount"]
)
async def test_indexed_routing_answers_as_fastapi_routing(
    server: ModuleType, extend: Callable[[FastAPI], None] | None
) -> None:
    indexed, linear = server.create_app(), _linear(server.create_app())
    if extend is not None:
        extend(indexed)
        extend(linear)
    assert await _differences(indexed, linear) == []
    if extend is _add_routes:  # the middleware added with the routes answers too
        assert (b"x-tagged", b"1") in (await _answer(indexed, "GET", "/notes/extra", ""))[3]


def _shadow() -> Route:
    """A route that takes GET /notes/1 from the generated one when it comes first."""
    return Route("/notes/{note_id}", _endpoint, methods=["GET"])


def _given(app: FastAPI) -> list[BaseRoute]:
    """The app's router given a list of the user's own, to be changed afterwards."""
    app.router.routes = list(app.router.routes)
    return app.router.routes


CHANGES: dict[str, Callable[[FastAPI], object]] = {
    "insert": lambda app: app.router.routes.insert(0, _shadow()),
    "append": lambda app: app.router.routes.append(_shadow()),
    "extend": lambda app: app.router.routes.extend([_shadow()]),
    "+=": lambda app: app.router.routes.__iadd__([_shadow()]),
    "setitem": lambda app: app.router.routes.__setitem__(0, _shadow()),
    "setitem slice": lambda app: app.router.routes.__setitem__(slice(0, 0), [_shadow()]),
    "delitem": lambda app: app.router.routes.__delitem__(slice(0, 5)),
    "pop": lambda app: app.router.routes.pop(5),
    "remove": lambda app: app.router.routes.remove(app.router.routes[5]),
    "reverse": lambda app: app.router.routes.reverse(),
    "sort": lambda app: app.router.routes.sort(key=lambda r: str(getattr(r, "path", ""))),
    "clear": lambda app: app.router.routes.clear(),
    "*=": lambda app: app.router.routes.__imul__(2),
    "a list of the user's": lambda app: _given(app).insert(0, _shadow()),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
async def test_routes_changed_between_requests(
    tmp_path_factory: pytest.TempPathFactory, change: Callable[[FastAPI], object]
) -> None:
    """However the list of routes changes after the first request, the next ones are routed
    as FastAPI's router routes them."""
    server = server_module(tmp_path_factory, "srv_routing")
    indexed, linear = server.create_app(), _linear(server.create_app())
    for app in (indexed, linear):
        await _answer(app, "GET", "/notes/1", "")
        change(app)
    assert await _differences(indexed, linear) == []
    if change is CHANGES["a list of the user's"]:  # and keeps following that list
        for app in (indexed, linear):
            await _answer(app, "GET", "/notes/1", "")
            app.router.routes.pop(0)
        assert await _differences(indexed, linear) == []


@pytest.mark.parametrize(
    "sabotage",
    [
        lambda found: found[1:],  # the first candidate dropped
        lambda found: found[1::2],  # every other one dropped
        lambda found: found[::-1],  # their order reversed
    ],
    ids=["first dropped", "every other dropped", "reversed"],
)
async def test_the_comparison_sees_a_dropped_or_reordered_candidate(
    tmp_path_factory: pytest.TempPathFactory,
    sabotage: Callable[[tuple[int, ...]], tuple[int, ...]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test above would fail if the index lost or reordered routes: with an index that
    does, the comparison finds requests answered differently. (Where the routes that match a
    request share no method, as in the seed, a lost route is found by the router's own
    dispatch, which gets every request no route of the index fully matched.)"""
    server = server_module(tmp_path_factory, "srv_routing")
    node = importlib.import_module(f"{server.__package__}._server_routing")._Node
    candidates = node.candidates
    monkeypatch.setattr(node, "candidates", lambda self, segments: sabotage(candidates(self, segments)))
    indexed, linear = server.create_app(), _linear(server.create_app())
    _add_routes(indexed)
    _add_routes(linear)
    assert await _differences(indexed, linear) != []


class _Counting:
    """A route's path regex that counts its matches: what linear routing costs each request."""

    def __init__(self, pattern: Any, counts: list[int]) -> None:
        self.pattern, self.counts = pattern, counts

    def match(self, text: str) -> Any:
        self.counts[0] += 1
        return self.pattern.match(text)


async def test_a_request_tries_a_few_routes_not_all(server: ModuleType) -> None:
    """A request for any generated route matches at most three path patterns: the route's
    twice (by the index, then by the router, which tries just that route), and where the index
    cannot rule one out (``/files/{name}.json`` for ``/files/name``), that one. FastAPI's
    router matches the pattern of every route before the one it picks."""
    counts = [0]
    routes = [route for route in server.router.routes if isinstance(route, Route)]
    tried: dict[str, list[int]] = {}
    with _counted(routes, counts):
        for app in (server.create_app(), _linear(server.create_app())):
            for route in routes:
                method = sorted(route.methods or {"GET"})[0]
                path = route.path_format.replace("{", "").replace("}", "")
                counts[0] = 0
                await _answer(app, method, path, "")
                tried.setdefault(f"{method} {path}", []).append(counts[0])
    assert max(indexed for indexed, _ in tried.values()) <= 3, tried
    assert max(linear for _, linear in tried.values()) >= len(routes) - 1, tried


GROWTHS: dict[str, Callable[[list[BaseRoute], BaseRoute], object]] = {
    "append": lambda routes, route: routes.append(route),
    "extend": lambda routes, route: routes.extend([route]),
    "+=": lambda routes, route: routes.__iadd__([route]),
}


@pytest.mark.parametrize("grow", GROWTHS.values(), ids=GROWTHS.keys())
async def test_a_route_added_after_the_first_request_is_indexed(
    tmp_path_factory: pytest.TempPathFactory, grow: Callable[[list[BaseRoute], BaseRoute], object]
) -> None:
    """A route added last is found by the router's whole dispatch, index or not; it is in the
    index too: a request for it matches a few path patterns, not every route's."""
    server = server_module(tmp_path_factory, "srv_routing")
    app = server.create_app()
    await _answer(app, "GET", "/notes/1", "")
    grow(app.router.routes, Route("/added/{name}", _endpoint, methods=["GET"]))
    counts = [0]
    with _counted([r for r in app.router.routes if isinstance(r, Route)], counts):
        answer = await _answer(app, "GET", "/added/x", "")
    assert (answer[2], answer[4]) == (200, b"/added/x {'name': 'x'}")
    assert counts[0] <= 3, counts


@contextlib.contextmanager
def _counted(routes: list[Route], counts: list[int]) -> Iterator[None]:
    saved = [route.path_regex for route in routes]
    for route in routes:
        route.path_regex = _Counting(route.path_regex, counts)  # type: ignore[assignment]
    try:
        yield
    finally:
        for route, pattern in zip(routes, saved, strict=True):
            route.path_regex = pattern
