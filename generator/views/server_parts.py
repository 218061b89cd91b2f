"""What each part of an operation becomes on the generated server: its parameters (read by
FastAPI or by a runtime reader), its body reader, its responses, the ``Link`` headers a created
resource gets, and its security schemes. :mod:`.server` assembles them into the server view."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from ..core.contract import MODELS_PREFIX, PATH_TEMPLATE_PARAM
from ..ir.model import (
    NONE,
    BodyKind,
    MediaBody,
    Operation,
    Parameter,
    ParamLocation,
    Response,
    SecurityKind,
    SecurityScheme,
    TypeKind,
    TypeRef,
    primitive,
    union,
)
from .server_literals import body_part, encoding_literal, fits, try_literal
from .server_types import (
    BodyView,
    ContentView,
    HeaderView,
    LinkParam,
    LinkView,
    ParamView,
    ResponseView,
    SchemeView,
)


def _with_none(annotation: str, t: TypeRef) -> str:
    return annotation if t.nullable or t.kind is TypeKind.ANY else f"{annotation} | None"


# -- computing them ---------------------------------------------------------------------------


def annotation_of(t: TypeRef) -> str:
    """What server.py writes for ``t``: FastAPI, the runtime's readers and the mock read the
    constraints of a schema written where it is used."""
    return t.annotation(MODELS_PREFIX, validated=True)


def _scalar(t: TypeRef) -> bool:
    if t.kind is TypeKind.UNION:
        return all(_scalar(a) for a in t.args)
    return t.kind in (TypeKind.PRIMITIVE, TypeKind.LITERAL, TypeKind.ANY, TypeKind.NONE)


def fastapi_reads(p: Parameter) -> bool:
    """Whether FastAPI reads and validates the parameter as typed. In a path, only scalars; in
    headers and cookies, scalars and lists of them; in a query, those or one model (its fields
    as query parameters). FastAPI refuses most of the rest when the route is defined (dicts,
    lists of models, unions of models), or cannot read it from the wire."""
    members = [a for a in (p.type.args if p.type.kind is TypeKind.UNION else (p.type,)) if a.kind is not TypeKind.NONE]
    if all(_scalar(m) for m in members):
        return True
    if p.location is ParamLocation.PATH:
        return False
    if all(_scalar(m) or (m.kind is TypeKind.LIST and _scalar(m.args[0])) for m in members):
        return True
    return p.location is ParamLocation.QUERY and len(members) == 1 and members[0].kind is TypeKind.NAMED


# The runtime's splitter for a list sent as one value, by the style delimiting it.
_SPLITTERS = {"form": "comma_separated", "spaceDelimited": "space_separated", "pipeDelimited": "pipe_separated"}


def _splitter(p: Parameter) -> str | None:
    """The splitter of a list parameter FastAPI reads that arrives as one delimited value (it
    reads only repeated keys): a query or cookie parameter not exploded, a header (``simple``
    style: always one comma-separated value)."""
    members = [a for a in (p.type.args if p.type.kind is TypeKind.UNION else (p.type,)) if a.kind is not TypeKind.NONE]
    if not any(m.kind is TypeKind.LIST for m in members):
        return None
    if p.location is ParamLocation.HEADER:
        return "header_items"
    if p.location in (ParamLocation.QUERY, ParamLocation.COOKIE) and not p.explode:
        return _SPLITTERS.get(p.style)
    return None


_OBJECT_READERS = {
    ParamLocation.PATH: "path_object",
    ParamLocation.QUERY: "query_object",
    ParamLocation.HEADER: "header_object",
    ParamLocation.COOKIE: "cookie_object",
}


def object_reader(p: Parameter) -> str | None:
    """The runtime function reading a query, header or cookie parameter FastAPI cannot (None:
    FastAPI reads it): an object (FastAPI would read every query key into a model, and no dict,
    or hand the handler the text) or a model of another schema (a root model), not an enum;
    and any parameter sent as JSON text (``content: application/json``). deepObject:
    ``deep_object``. In a path: JSON text, and what FastAPI cannot read of style ``simple``
    (objects, arrays, root models; ``label`` and ``matrix`` values are handed over as text)."""
    if p.location is ParamLocation.PATH:
        readable = p.style == "json" or (p.style == "simple" and not fastapi_reads(p))
        return _OBJECT_READERS[p.location] if readable else None
    if p.location not in _OBJECT_READERS or p.style == "deepObject":
        return None
    members = [a for a in (p.type.args if p.type.kind is TypeKind.UNION else (p.type,)) if a.kind is not TypeKind.NONE]
    spread = len(members) == 1 and (
        members[0].kind is TypeKind.DICT or (members[0].kind is TypeKind.NAMED and not p.enum)
    )
    return _OBJECT_READERS[p.location] if spread or p.style == "json" else None


def param_view(p: Parameter, renamed_in_route: bool = False, others: tuple[str, ...] = (), rank: int = 0) -> ParamView:
    deep = p.location is ParamLocation.QUERY and p.style == "deepObject"
    reader = object_reader(p)
    if not deep and not reader and not fastapi_reads(p):
        # Handed to the handler as the text on the wire, rather than refused by FastAPI.
        listed = p.type.kind is TypeKind.LIST and p.location is not ParamLocation.PATH
        text = TypeRef(TypeKind.LIST, args=(primitive("str"),)) if listed else primitive("str")
        p = replace(p, type=union(text, NONE) if p.type.nullable else text, has_default=False, default=None)
    if reader:  # the runtime's reader answers None for a parameter not sent
        p = replace(p, has_default=False, default=None)
    annotation, plain = annotation_of(p.type), p.type.annotation(MODELS_PREFIX)
    default: str | None = None
    if not p.required:
        literal = try_literal(p.default) if p.has_default and fits(p.type, p.default) else None
        if literal is None or p.default is None:
            annotation, plain, literal = _with_none(annotation, p.type), _with_none(plain, p.type), "None"
        default = literal
    return ParamView(
        python_name=p.python_name,
        wire_name=p.name,
        marker=MARKERS[p.location],
        alias=p.name != p.python_name and not renamed_in_route,
        convert_underscores=not (p.location is ParamLocation.HEADER and "_" in p.name),
        annotation=annotation,
        handler_annotation=plain,
        item_annotation=annotation_of(p.type),
        default=default,
        required=default is None,
        mutable_default=default is not None and default[:1] in ("[", "{"),
        description=p.description,
        deprecated=p.deprecated,
        deep_object=deep,
        location=p.location.value,
        object_reader=reader,
        object_others=others if reader and p.location is not ParamLocation.HEADER else (),
        explode=p.explode,
        json_content=p.style == "json",
        object_rank=rank if reader and p.explode else 0,
        percent_decoded=p.location is ParamLocation.COOKIE and not reader,
        splitter=None if deep else _splitter(p),
        from_text=not reader and any(
            t.kind is TypeKind.LITERAL and any(not isinstance(v, str) for v in t.literal)
            for t in p.type.walk()
        ),
    )


CHALLENGES = {
    "APIKeyHeader": "APIKey",
    "APIKeyQuery": "APIKey",
    "APIKeyCookie": "APIKey",
    "HTTPBearer": "Bearer",
    "HTTPBasic": "Basic",
}

_READERS = {
    BodyKind.FORM: "form_body",
    BodyKind.MULTIPART: "multipart_body",
    BodyKind.TEXT: "raw_body",
    BodyKind.BINARY: "raw_body",
}


def body_view(op: Operation) -> BodyView | None:
    if op.request_body is None:
        return None
    media = op.request_body.preferred
    item, plain = annotation_of(media.type), media.type.annotation(MODELS_PREFIX)
    required = op.request_body.required
    return BodyView(
        annotation=item if required else _with_none(item, media.type),
        handler_annotation=plain if required else _with_none(plain, media.type),
        required=required,
        media_type=media.media_type,
        body_media_type=None if media.media_type == "application/json" else media.media_type,
        reader=_READERS.get(media.kind),
        item_type=item,
        encoding=encoding_literal(media.encoding),
        part=body_part(media),
    )


# The concrete media type of an answer declared with a wildcard one (``*/*``, ``image/*``): by
# the body's kind, then by the wildcard's type; anything else is application/octet-stream.
_CONCRETE_BY_KIND = {
    BodyKind.JSON: "application/json",
    BodyKind.TEXT: "text/plain",
    BodyKind.EVENT_STREAM: "text/event-stream",
    BodyKind.FORM: "application/x-www-form-urlencoded",
    BodyKind.MULTIPART: "multipart/form-data",
}
_CONCRETE_BY_TYPE = {
    "text": "text/plain",
    "image": "image/png",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "font": "font/woff2",
    "multipart": "multipart/mixed",
}


def concrete_media_type(media_type: str, kind: BodyKind) -> str | None:
    """What an answer declared as ``media_type`` is sent as when that is a wildcard (None: it
    is not): a Content-Type header names one media type, never ``*/*``."""
    main, _, sub = media_type.split(";")[0].strip().lower().partition("/")
    if "*" not in (main, sub):
        return None
    by_kind = _CONCRETE_BY_KIND.get(kind)
    if by_kind is not None and (main == "*" or by_kind.startswith(main + "/")):
        return by_kind
    return _CONCRETE_BY_TYPE.get(main, "application/octet-stream")


def _content(m: MediaBody) -> ContentView:
    return ContentView(
        media_type=m.media_type,
        sent_as=concrete_media_type(m.media_type, m.kind),
        kind=None if m.kind is BodyKind.JSON else m.kind.value,
        annotation=annotation_of(m.type),
        example=try_literal(m.example) if m.has_example else None,
        events=try_literal(m.event_names) if m.event_names else None,
    )


def response_view(r: Response, op: Operation, gets: tuple[Operation, ...], base: str) -> ResponseView:
    streams = any(c.kind is BodyKind.EVENT_STREAM for c in r.contents)
    return ResponseView(
        status=r.status,
        description=r.description,
        contents=tuple(_content(c) for c in r.contents),
        headers=tuple(
            HeaderView(
                h.name,
                annotation_of(h.type),
                h.required,
                _link(op, gets, base, stream=streams and h.name.lower() == "location")
                if h.name.lower() in _LINK_HEADERS
                else None,
            )
            for h in r.headers
        ),
    )


_LINK_HEADERS = ("location", "content-location")


def _link(op: Operation, gets: tuple[Operation, ...], base: str, *, stream: bool) -> LinkView | None:
    """The path a mock ``Location`` / ``Content-Location`` of ``op`` names: the member a request
    to ``op`` creates or acts on, when a GET operation of the API reads it.

    The member is a GET path of one more template segment than ``op``'s (``POST /threads/{t}/runs``
    -> ``/threads/{t}/runs/{run_id}``), else of ``op``'s length with its last, literal segment a
    template instead (``POST /threads/{t}/runs/stream`` -> ``/threads/{t}/runs/{run_id}``). For
    the ``Location`` of an event stream (where a client reconnects), a streaming GET one literal
    segment below the member is preferred (``/threads/{t}/runs/{run_id}/stream``). The runtime
    fills the template from the request's path parameters, the answer's top-level fields, or a
    value synthesized from the parameter's type. None: no path fits (the mock names the request's
    own path).
    """
    own = route_path(op).strip("/").split("/")  # names as the request's path parameters have them
    by_shape = {tuple(_shape(segments(g))): g for g in gets}
    literal_last = bool(own) and not own[-1].startswith("{")
    for prefix in (own, own[:-1] if literal_last else []):
        member = by_shape.get((*_shape(prefix), "{}")) if prefix else None
        if member is None:
            continue
        chosen, tail = member, segments(member)[-1:]
        below = [
            g
            for g in gets
            if stream and g.streams and _shape(segments(g))[:-1] == _shape(segments(member))
            and not segments(g)[-1].startswith("{")
        ]
        if below:
            chosen, tail = below[0], [*tail, segments(below[0])[-1]]
        path = base + "/" + "/".join([*prefix, *tail])
        renamed = route_renames(op)
        params = {p.name: p for p in chosen.parameters_in(ParamLocation.PATH)}
        params.update({p.python_name if p.name in renamed else p.name: p for p in op.parameters_in(ParamLocation.PATH)})
        return LinkView(
            path,
            tuple(
                LinkParam(name, annotation_of(params[name].type) if name in params and fastapi_reads(params[name]) else "str")
                for name in dict.fromkeys(PATH_TEMPLATE_PARAM.findall(path))
            ),
        )
    return None


def _shape(segments: list[str]) -> list[str]:
    """Path segments with every template written ``{}``: paths that match the same requests."""
    return ["{}" if s.startswith("{") else s for s in segments]


def scheme_view(s: SecurityScheme) -> SchemeView | None:
    const = "_" + s.python_name.upper()
    match s.kind:
        case SecurityKind.API_KEY:
            assert s.location is not None
            factory = {"header": "APIKeyHeader", "query": "APIKeyQuery", "cookie": "APIKeyCookie"}[s.location.value]
            return SchemeView(s.python_name, const, factory, s.param_name, s.key, s.description, "str | None", "str | None", False)
        case SecurityKind.HTTP_BEARER | SecurityKind.OAUTH2 | SecurityKind.OPENID_CONNECT:
            return SchemeView(
                s.python_name, const, "HTTPBearer", None, s.key, s.description,
                "HTTPAuthorizationCredentials | None", "str | None", True,
            )
        case SecurityKind.HTTP_BASIC:
            return SchemeView(
                s.python_name, const, "HTTPBasic", None, s.key, s.description,
                "HTTPBasicCredentials | None", "HTTPBasicCredentials | None", False,
            )
    return None  # unsupported schemes are not checked


# A path the mock token endpoint may be served at: literal segments only (no template, no escape).
_TOKEN_PATH = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+")


def mock_token_paths(schemes: tuple[SecurityScheme, ...], server_url: str, base_path: str) -> tuple[str, ...]:
    """The paths on this server of the clientCredentials flows' token and refresh URLs (relative
    ones, or absolute ones at the origin of the spec's server URL ``server_url``), where the mock
    server answers as a token endpoint; ``base_path``: the path the operations are served under."""
    origin = urlsplit(server_url)
    out = set()
    for s in schemes:
        flow = s.client_credentials
        for url in (flow.token_url, flow.refresh_url) if flow is not None else ():
            parts = urlsplit(url or "")
            if parts.scheme or parts.netloc:
                if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                    continue
                path = parts.path
            else:
                path = parts.path if parts.path.startswith("/") else f"{base_path}/{parts.path}"
            if _TOKEN_PATH.fullmatch(path):
                out.add(path)
    return tuple(sorted(out))


MARKERS = {
    ParamLocation.PATH: "Path",
    ParamLocation.QUERY: "Query",
    ParamLocation.HEADER: "Header",
    ParamLocation.COOKIE: "Cookie",
}

_ROUTE_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def route_renames(op: Operation) -> frozenset[str]:
    """Wire names of the path parameters the route names by their Python name instead.

    Those that are not identifiers (``{user-id}``); and when such a renamed parameter would
    take the route name of another one (``{user-id}`` -> ``user_id`` beside ``{user_id}``),
    every path parameter whose Python name differs (Python names are distinct).
    """
    params = op.parameters_in(ParamLocation.PATH)
    renamed = {p.name for p in params if not _ROUTE_PARAM.fullmatch(p.name)}
    kept = {p.name for p in params if p.name not in renamed}
    if any(p.python_name in kept for p in params if p.name in renamed):
        renamed |= {p.name for p in params if p.name != p.python_name}
    return frozenset(renamed)


def route_path(op: Operation) -> str:
    """The path FastAPI routes: the spec's without a ``#fragment`` (never sent), with the
    parameters of :func:`renamed_in_route` named by their Python names."""
    renamed = route_renames(op)
    names = {p.name: p.python_name for p in op.parameters_in(ParamLocation.PATH) if p.name in renamed}
    return PATH_TEMPLATE_PARAM.sub(lambda m: "{" + names.get(m[1], m[1]) + "}", op.url_path)  # one pass: no renaming twice


def segments(op: Operation) -> list[str]:
    return op.url_path.strip("/").split("/")
