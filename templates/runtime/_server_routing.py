"""Routing that tries only the routes a request's path can match, in the router's order.

FastAPI's router tries its routes one by one until one matches: a regular-expression match per
route before the request's own. :func:`index_routes` puts a :class:`_Dispatch` in front of the
app's router. For an HTTP request it looks the path up in a tree of the routes' path segments,
checks the few routes found there in the router's order as their ``matches`` would (methods,
then path pattern; a route of another kind through its own ``matches``), and hands the first
full match to the router restricted to that one route: FastAPI's own dispatch matches it
again, updates the scope, records the route and handles the request. Anything else (a path
that matches with another method: 405; a redirect to the path with or without its trailing
slash; 404; a path ending in a newline, which a route's ``$`` also matches; websockets;
lifespan) goes to the router as it is, through every route. The router's list of routes
counts its changes (``add_api_route``, ``include_router``, ``mount``, ``routes.insert``, ...):
the tree is made anew on the next request after one.

An encoded slash (``%2F``) in a request's path is part of a path parameter, not a separator:
ASGI servers hand the path decoded (``/notes/a/b`` for ``/notes/a%2Fb``), so such a request is
routed by its raw path, decoded but for its encoded slashes (``/notes/a%2Fb``, a literal ``%``
as ``%25``), and the parameters that route reads are decoded from it (``key="a/b"``).

Which paths a route can match, by its path's segments: a literal segment, only itself; a
segment that is one parameter of a converter taking one non-empty segment (str, int, float,
uuid), any non-empty segment; from the first other segment on (a path converter, a parameter
inside a segment), anything. A mount is its path followed by anything; any other kind of route
(a host, an included router, a class with its own ``matches``) can match anything.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter
from starlette._utils import get_route_path
from starlette.convertors import (
    FloatConvertor,
    IntegerConvertor,
    PathConvertor,
    StringConvertor,
    UUIDConvertor,
)
from starlette.routing import PARAM_REGEX, BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

# The ``matches`` whose behaviour the tree knows; routes with any other are tried on every path.
_ROUTE_MATCHES = (Route.matches, APIRoute.matches)
_ONE_SEGMENT = (StringConvertor, IntegerConvertor, FloatConvertor, UUIDConvertor)
# The methods by which a list changes in place.
_CHANGES = (
    "__delitem__",
    "__iadd__",
    "__imul__",
    "__setitem__",
    "append",
    "clear",
    "extend",
    "insert",
    "pop",
    "remove",
    "reverse",
    "sort",
)


_ENCODED_SLASH = re.compile(rb"%2[fF]")
# Whether the request being routed is routed by its raw path (it has an encoded slash).
_RAW: ContextVar[bool] = ContextVar("_RAW", default=False)


class _Segment(StringConvertor):
    """A ``str`` path parameter, decoded from a raw path when the request is routed by one."""

    def convert(self, value: str) -> str:
        return unquote(value) if _RAW.get() else value


class _Rest(PathConvertor):
    """A ``path`` path parameter, decoded the same way."""

    def convert(self, value: str) -> str:
        return unquote(value) if _RAW.get() else value


_DECODING = {StringConvertor: _Segment(), PathConvertor: _Rest()}


def _raw_route_path(scope: Scope) -> str | None:
    """The path a request with an encoded slash is routed by (its route path, without the
    root path); None: it has none, or its raw path does not start with its root path."""
    raw = scope.get("raw_path")
    if not isinstance(raw, bytes) or _ENCODED_SLASH.search(raw) is None:
        return None
    pieces = _ENCODED_SLASH.split(raw)
    path = "%2F".join(
        unquote(p.decode("latin-1"), errors="replace").replace("%", "%25")
        for p in pieces
    )
    root = scope.get("root_path", "")
    if not path.startswith(root):
        return None
    return path[len(root) :]


def index_routes(app: FastAPI) -> None:
    """Make ``app``'s router try only the routes that can match each request's path."""
    app.router.routes = _Routes(app.router.routes)
    app.router.middleware_stack = _Dispatch(app.router)


class _Routes(list[BaseRoute]):
    """The router's routes, counting the changes made to them."""

    changes = 0


def _counting(change: Callable[..., Any]) -> Callable[..., Any]:
    def counted(self: _Routes, /, *args: Any, **kwargs: Any) -> Any:
        self.changes += 1
        return change(self, *args, **kwargs)

    return counted


for _change in _CHANGES:
    setattr(_Routes, _change, _counting(getattr(list, _change)))


class _Node:
    """Routes by their path segments from here on, held by their position in the router.

    ``literals`` and ``param`` lead on by the next segment; ``end`` holds the routes whose
    path ends here, ``rest`` those that match any remainder. :meth:`seal` then sorts, for each
    node, ``through``: the routes that match any remainder from it or from a node before it,
    and ``here``: those and ``end``.
    """

    __slots__ = ("end", "here", "literals", "param", "rest", "through")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.end: list[int] = []
        self.rest: list[int] = []
        self.through: tuple[int, ...] = ()
        self.here: tuple[int, ...] = ()

    def add(self, segments: Sequence[str | None], position: int, *, rest: bool) -> None:
        """File the route at ``position`` under ``segments`` (None: a parameter)."""
        node = self
        for segment in segments:
            if segment is None:
                node.param = node.param or _Node()
                node = node.param
            else:
                node = node.literals.setdefault(segment, _Node())
        (node.rest if rest else node.end).append(position)

    def seal(self) -> None:
        """Compute ``through`` and ``here`` of this node and of every node after it."""
        pending: list[tuple[_Node, tuple[int, ...]]] = [(self, ())]
        while pending:
            node, before = pending.pop()
            node.through = tuple(sorted((*before, *node.rest)))
            node.here = tuple(sorted((*node.through, *node.end)))
            children = [*node.literals.values(), *([node.param] if node.param else [])]
            pending.extend((child, node.through) for child in children)

    def candidates(self, segments: list[str]) -> tuple[int, ...]:
        """The positions of the routes that can match a path of ``segments``, in order."""
        nodes = [self]
        reached: list[tuple[int, ...]] = []
        for segment in segments:
            following: list[_Node] = []
            for node in nodes:
                literal = node.literals.get(segment)
                if literal is not None:
                    following.append(literal)
                if node.param is not None and segment:
                    following.append(node.param)
                elif literal is None:
                    reached.append(node.through)  # the path goes on where no route does
            nodes = following
            if not nodes:
                break
        reached.extend(node.here for node in nodes)
        if len(reached) == 1:
            return reached[0]
        return tuple(sorted(set().union(*reached)))


def _plain(route: BaseRoute) -> Route | None:
    """``route`` if it matches as ``Route.matches`` does: by its path regex, then its methods."""
    if isinstance(route, Route) and type(route).matches in _ROUTE_MATCHES:
        return route
    return None


def _filing(route: BaseRoute) -> tuple[list[str | None], bool]:
    """The segments ``route`` is filed under, and whether it matches any remainder after them."""
    plain = _plain(route)
    if plain is not None:
        path, rest, convertors = plain.path, False, plain.param_convertors
    elif isinstance(route, Mount) and type(route).matches is Mount.matches:
        path, rest, convertors = route.path, True, route.param_convertors
    else:
        return [], True
    if not path.startswith("/"):
        return [], True
    segments: list[str | None] = []
    for segment in path[1:].split("/"):
        param = PARAM_REGEX.fullmatch(segment)
        if param is None and PARAM_REGEX.search(segment) is None:
            segments.append(segment)  # a literal: compiled with re.escape
        elif param is not None and isinstance(convertors.get(param[1]), _ONE_SEGMENT):
            segments.append(None)
        else:
            return segments, True
    return segments, rest


class _Alone(APIRouter):
    """A router seen through one of its routes: every attribute but ``routes`` is the router's,
    so that the router's own dispatch handles a request this route matched."""

    def __init__(self, router: APIRouter, route: BaseRoute) -> None:
        self.__dict__.update(_router=router, routes=[route])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_router"], name)


class _Index:
    """The tree of one list of routes, and each route's own router."""

    def __init__(self, router: APIRouter, routes: list[BaseRoute]) -> None:
        self.source = routes  # the router's list (or one given to the router since)
        self.changes = routes.changes if isinstance(routes, _Routes) else 0
        self.routes = list(routes)
        self.tree = _Node()
        # The routes that match as Route.matches does (by path regex, then methods); None: others.
        self.plain: list[Route | None] = []
        for position, route in enumerate(self.routes):
            segments, rest = _filing(route)
            self.tree.add(segments, position, rest=rest)
            self.plain.append(_plain(route))
            convertors = getattr(route, "param_convertors", None)
            if isinstance(convertors, dict):  # decoding parameters of raw paths (%2F)
                for name, convertor in convertors.items():
                    convertors[name] = _DECODING.get(type(convertor), convertor)
        self.tree.seal()
        self.alone: list[ASGIApp] = [_Alone(router, r).app for r in self.routes]

    def current(self, routes: list[BaseRoute]) -> bool:
        """Whether ``routes`` are still the indexed ones (the same objects, in order)."""
        if routes is self.source and isinstance(routes, _Routes):
            return routes.changes == self.changes
        return len(routes) == len(self.routes) and all(
            map(operator.is_, routes, self.routes)
        )

    def first_full(self, scope: Scope, path: str) -> int | None:
        """The position of the first route that fully matches ``scope`` (its route path:
        ``path``), if any: the one the router would try all its routes to find."""
        method = scope["method"]
        for position in self.tree.candidates(path[1:].split("/")):
            plain = self.plain[position]
            if plain is None:
                full = self.routes[position].matches(scope)[0] is Match.FULL
            else:  # what Route.matches decides for an HTTP request, without its child scope
                full = (not plain.methods or method in plain.methods) and (
                    plain.path_regex.match(path) is not None
                )
            if full:
                return position
        return None


class _Dispatch:
    """The router's entry point: HTTP requests through the index, the rest as before."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.linear = router.middleware_stack
        self.index = _Index(router, router.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = _raw_route_path(scope)
            if (
                raw is not None
            ):  # routed by its raw path, its parameters decoded from it
                scope["path"] = scope.get("root_path", "") + raw
                token = _RAW.set(True)
                try:
                    await self.route(scope, raw, receive, send)
                finally:
                    _RAW.reset(token)
                return
            await self.route(scope, get_route_path(scope), receive, send)
            return
        await self.linear(scope, receive, send)

    async def route(
        self, scope: Scope, path: str, receive: Receive, send: Send
    ) -> None:
        """An HTTP request whose route path is ``path``: through the index when it can be."""
        if path.startswith("/") and not path.endswith("\n"):
            routes = self.router.routes
            if not self.index.current(routes):
                self.index = _Index(self.router, routes)
            index = self.index
            position = index.first_full(scope, path)
            if position is not None:
                scope.setdefault("router", self.router)
                await index.alone[position](scope, receive, send)
                return
        await self.linear(scope, receive, send)
