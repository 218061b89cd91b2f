"""Server: the view (names, literals, route order, security) on small hand-made IRs."""

from __future__ import annotations

import ast
import datetime as dt
import math

import pytest
from oapigen.ir.model import (
    NONE,
    Api,
    BodyKind,
    HttpMethod,
    MediaBody,
    Operation,
    Parameter,
    ParamLocation,
    RequestBody,
    Response,
    SecurityKind,
    SecurityRequirement,
    SecurityScheme,
    TypeKind,
    TypeRef,
    primitive,
)
from oapigen.render.jinja import environment, header_text
from oapigen.views import server as server_view
from oapigen.views import server_layout, server_literals

STR = primitive("str")


def op(
    path: str,
    method: HttpMethod = HttpMethod.GET,
    *,
    name: str = "",
    parameters: tuple[Parameter, ...] = (),
    responses: tuple[Response, ...] = (Response("200", "OK", (MediaBody("application/json", BodyKind.JSON, STR),)),),
    security: tuple[SecurityRequirement, ...] = (),
    body: RequestBody | None = None,
) -> Operation:
    handler = name or "_".join(w for w in path.replace("{", "").replace("}", "").split("/") if w) or "root"
    return Operation(
        operation_id=handler, method=method, path=path, python_name=handler, handler_name=handler,
        group=None, tag=None, summary=None, description=None, deprecated=False, parameters=parameters,
        request_body=body, responses=responses, security=security, pointer="",
    )


def api(*operations: Operation, schemes: tuple[SecurityScheme, ...] = ()) -> Api:
    return Api(
        title="T", version="1", description=None, package="pkg", spec_name="t.yaml", spec_sha256="0",
        servers=(), operations=operations, groups=(), security_schemes=schemes,
    )


def param(name: str, python: str, location: ParamLocation, t: TypeRef = STR, **kw: object) -> Parameter:
    return Parameter(name, python, location, kw.pop("required", location is ParamLocation.PATH), t, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -3, 1.5, "", 'quote " and \\ and \n and \u2028 and """', ["a", {"b": [1, None]}], {"k": {"x": False}}],
)
def test_py_literal_round_trips(value: object) -> None:
    assert ast.literal_eval(server_literals.py_literal(value)) == value


def test_py_literal_reads_yaml_dates_as_strings_and_refuses_the_rest() -> None:
    assert ast.literal_eval(server_literals.py_literal(dt.date(2024, 1, 2))) == "2024-01-02"
    assert ast.literal_eval(server_literals.py_literal({1: "a"})) == {"1": "a"}
    for bad in (math.nan, math.inf, object(), {1, 2}):
        with pytest.raises(server_literals.Unrenderable):
            server_literals.py_literal(bad)


def test_routes_keep_spec_order_unless_a_template_would_shadow_a_literal() -> None:
    ops = (
        op("/threads/{thread_id}", name="get_thread"),
        op("/threads/search", HttpMethod.POST, name="search_post"),
        op("/threads/search", name="search"),
        op("/threads", name="threads"),
        op("/threads/{thread_id}/runs/{run_id}", name="run"),
        op("/threads/{thread_id}/runs/latest", name="latest"),
    )
    view = server_view.build(api(*ops))
    # Only a route with the same method can shadow another.
    assert [v.handler for v in view.routes] == ["search", "get_thread", "search_post", "threads", "latest", "run"]
    assert [v.handler for v in view.operations] == [o.handler_name for o in ops]


def test_path_parameters_starlette_cannot_name_are_renamed_in_the_route() -> None:
    operation = op("/items/{item-id}/{petId}", parameters=(
        param("item-id", "item_id", ParamLocation.PATH), param("petId", "pet_id", ParamLocation.PATH),
    ))
    view = server_view.build(api(operation)).operations[0]
    assert view.route_path == "/items/{item_id}/{petId}"
    assert [p.alias for p in view.params] == [False, True]


def test_route_functions_do_not_shadow_module_names() -> None:
    view = server_view.build(api(op("/a", name="create_app"), op("/b", name="time"), op("/c", name="models")))
    assert [v.function for v in view.operations] == ["create_app_", "time_", "models_"]
    assert [v.handler for v in view.operations] == ["create_app", "time", "models"]


def test_parameters() -> None:
    literal = TypeRef(TypeKind.LITERAL, literal=(0, 1))
    modes = TypeRef(TypeKind.LIST, args=(STR,))
    operation = op(
        "/items/{itemId}",
        parameters=(
            param("itemId", "item_id", ParamLocation.PATH),
            param("level", "level", ParamLocation.QUERY, literal, has_default=True, default=0),
            param("modes", "modes", ParamLocation.QUERY, modes, has_default=True, default=["a"]),
            param("when", "when", ParamLocation.QUERY, primitive("datetime"), has_default=True, default="2024"),
            param("X-Trace_Id", "x_trace_id", ParamLocation.HEADER),
            param("filter", "filter", ParamLocation.QUERY, TypeRef(TypeKind.NAMED, "Filter"), style="deepObject"),
        ),
    )
    view = server_view.build(api(operation))
    item, level, modes_view, when, trace, deep = view.operations[0].params
    assert (item.alias, item.wire_name, item.default) == (True, "itemId", None)
    assert (level.annotation, level.default, level.from_text) == ("Literal[0, 1]", "0", True)
    assert (modes_view.default, modes_view.mutable_default) == ('["a"]', True)
    assert view.mutable_defaults
    # A default that does not type-check as written (a str for a datetime) is left to None.
    assert (when.annotation, when.default) == ("datetime | None", "None")
    assert (trace.marker, trace.alias, trace.convert_underscores) == ("Header", True, False)
    assert (deep.deep_object, deep.annotation, deep.item_annotation) == (True, "models.Filter | None", "models.Filter")


def test_handler_results() -> None:
    item_or_null = TypeRef(TypeKind.UNION, args=(TypeRef(TypeKind.NAMED, "Item"), NONE))
    event_stream = Response("200", "OK", (MediaBody("text/event-stream", BodyKind.EVENT_STREAM, STR),))
    view = server_view.build(
        api(
            op("/a", name="a"),
            op("/b", name="b", responses=(Response("204", "No content"),)),
            op("/c", name="c", responses=(event_stream,)),
            op("/d", name="d", responses=(Response("default", "Any", (MediaBody("application/json", BodyKind.JSON, NONE),)),)),
            op("/e", name="e", responses=(Response("405", "Not allowed"),)),
            op("/f", name="f", responses=(Response("200", "Item or null", (MediaBody("application/json", BodyKind.JSON, item_or_null),)),)),
        )
    )
    # `None` ends each union (ruff's RUF036 in the generated server)
    assert [(v.returns, v.status) for v in view.operations] == [
        ("str | Reply", 200),
        ("Reply | None", 204),
        ("AsyncIterator[ServerSentEvent] | Awaitable[AsyncIterator[ServerSentEvent] | Reply]", 200),
        ("Reply | None", 200),
        ("Reply | None", 405),
        ("models.Item | Reply | None", 200),
    ]


def test_security_dependencies() -> None:
    schemes = (
        SecurityScheme("apiKey", "api_key", SecurityKind.API_KEY, ParamLocation.HEADER, "X-Api-Key"),
        SecurityScheme("bearer", "bearer", SecurityKind.HTTP_BEARER),
        SecurityScheme("weird", "weird", SecurityKind.UNSUPPORTED),
    )
    either = (SecurityRequirement(("apiKey",)), SecurityRequirement(("bearer",)))
    both = (SecurityRequirement(("apiKey", "bearer")),)
    optional = (SecurityRequirement(("bearer",)), SecurityRequirement(()))
    view = server_view.build(
        api(
            op("/a", name="a", security=either),
            op("/b", name="b", security=either),
            op("/c", name="c", security=both),
            op("/d", name="d", security=optional),
            op("/e", name="e", security=(SecurityRequirement(("weird",)),)),
            op("/f", name="f"),
            schemes=schemes,
        )
    )
    auths = [v.auth.function if v.auth else None for v in view.operations]
    assert auths == ["_api_key_or_bearer", "_api_key_or_bearer", "_api_key_and_bearer", "_bearer_or_anonymous", None, None]
    assert [v.credentials_name for v in view.operations][:2] == ["credentials", "credentials"]
    assert view.auths[0].challenge == "APIKey, Bearer"
    assert [s.factory for s in view.schemes] == ["APIKeyHeader", "HTTPBearer"]


def test_request_bodies_fastapi_cannot_read_are_read_by_the_runtime() -> None:
    def body(kind: BodyKind, media_type: str, required: bool = True) -> RequestBody:
        return RequestBody(required, (MediaBody(media_type, kind, TypeRef(TypeKind.NAMED, "Form")),))

    view = server_view.build(
        api(
            op("/j", HttpMethod.POST, name="j", body=body(BodyKind.JSON, "application/json", required=False)),
            op("/f", HttpMethod.POST, name="f", body=body(BodyKind.FORM, "application/x-www-form-urlencoded")),
            op("/m", HttpMethod.POST, name="m", body=body(BodyKind.MULTIPART, "multipart/form-data")),
            op("/r", HttpMethod.POST, name="r", body=body(BodyKind.BINARY, "image/png")),
        )
    )
    bodies = [v.body for v in view.operations]
    assert [(b.reader, b.annotation) for b in bodies if b] == [
        (None, "models.Form | None"),
        ("form_body", "models.Form"),
        ("multipart_body", "models.Form"),
        ("raw_body", "models.Form"),
    ]
    assert [v.openapi_extra for v in view.operations] == [False, True, True, True]


def test_spec_text_is_escaped_in_the_output() -> None:
    nasty = 'x"""; import os  # \\'
    operation = op("/a", name="a")
    operation = Operation(**{**{f: getattr(operation, f) for f in operation.__slots__}, "summary": nasty, "description": nasty})  # type: ignore[arg-type]
    files = server_layout.files(api(operation))
    template, extra = files["server.py"]
    text = environment().get_template(template).render({"api": api(operation), "header": header_text(api(operation))}, **extra)
    ast.parse(text)
    assert "import os" not in [line.strip() for line in text.splitlines()]
