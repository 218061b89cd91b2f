"""The generated client's serialization: parameters by location and style, and bodies.

Unit tests call the runtime helpers (``_serialize``) directly; the rest goes through the
``features`` client (tests/data/client/features.yaml) and checks the requests it sends.
"""

from __future__ import annotations

import io
import json
from types import ModuleType
from urllib.parse import parse_qsl

import httpx
import pytest

from .conftest_client import FEATURES_SPEC, Recorder, generate_files, install, mock_client


@pytest.fixture(scope="session")
def features(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "features", generate_files(FEATURES_SPEC, "features"))


@pytest.fixture(scope="session")
def ser(features: ModuleType) -> ModuleType:
    return features._serialize


def param(ser: ModuleType, location: str, style: str, explode: bool, name: str = "p") -> object:
    return ser.Param(name, name, location, style, explode)


# -- path -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("simple", False, "a b/c", "a%20b%2Fc"),
        ("simple", False, ["x", "y/z"], "x,y%2Fz"),
        ("simple", False, {"a": 1, "b": 2}, "a,1,b,2"),
        ("simple", True, {"a": 1, "b": 2}, "a=1,b=2"),
        ("label", False, ["x", "y"], ".x,y"),
        ("label", True, ["x", "y"], ".x.y"),
        ("label", False, "v", ".v"),
        ("matrix", False, "v", ";p=v"),
        ("matrix", False, ["x", "y"], ";p=x,y"),
        ("matrix", True, ["x", "y"], ";p=x;p=y"),
        ("matrix", True, {"a": 1, "b": 2}, ";a=1;b=2"),
        ("simple", False, True, "true"),
    ],
)
def test_path_styles(ser: ModuleType, style: str, explode: bool, value: object, expected: str) -> None:
    assert ser.path_segment(param(ser, "path", style, explode), value) == expected


@pytest.mark.parametrize("value", ["", [], None])
def test_empty_path_parameter_is_refused(ser: ModuleType, value: object) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        ser.path_segment(param(ser, "path", "simple", False), value)


# -- query, header, cookie --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("form", True, ["a", "b"], [("p", "a"), ("p", "b")]),
        ("form", False, ["a", "b"], [("p", "a,b")]),
        ("spaceDelimited", False, ["a", "b"], [("p", "a b")]),
        ("pipeDelimited", False, ["a", "b"], [("p", "a|b")]),
        ("form", True, {"k": "v", "n": 1}, [("k", "v"), ("n", "1")]),
        ("form", False, {"k": "v", "n": 1}, [("p", "k,v,n,1")]),
        ("deepObject", True, {"k": "v", "o": {"x": 1}}, [("p[k]", "v"), ("p[o][x]", "1")]),
        ("form", True, None, [("p", "")]),
        ("form", True, False, [("p", "false")]),
    ],
)
def test_query_styles(ser: ModuleType, style: str, explode: bool, value: object, expected: list[tuple[str, str]]) -> None:
    assert ser.query_pairs(param(ser, "query", style, explode), value) == expected


def test_header_and_cookie_values(ser: ModuleType) -> None:
    assert ser.header_value(param(ser, "header", "simple", False), ["a", "b"]) == "a,b"
    assert ser.header_value(param(ser, "header", "simple", True), {"a": 1}) == "a=1"
    assert ser.cookie_pairs(param(ser, "cookie", "form", True), "a b;c") == ["p=a%20b%3Bc"]
    assert ser.cookie_pairs(param(ser, "cookie", "form", False), ["x", "y"]) == ["p=x,y"]


def test_list_items_sends_every_style(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json=[]))
    with mock_client(features, rec, cookie_auth="s3cret") as client:
        client.items.list_items(
            tags=["a", "b"],
            ids=[1, 2],
            piped=["x", "y"],
            spaced=["u", "v"],
            filter=features.models.ListItemsFilter(color="red"),
            active=True,
            before=None,
            x_trace=["t1", "t2"],
            pref="dark mode",
            extra_query={"limit": "5"},
            extra_headers={"X-Extra": "1"},
        )
    request = rec.last
    assert parse_qsl(request.url.query.decode(), keep_blank_values=True) == [
        ("tags", "a,b"),
        ("ids", "1"),
        ("ids", "2"),
        ("piped", "x|y"),
        ("spaced", "u v"),
        ("filter[color]", "red"),
        ("active", "true"),
        ("before", ""),
        ("limit", "5"),
    ]
    assert request.headers["X-Trace"] == "t1,t2"
    assert request.headers["X-Extra"] == "1"
    assert request.headers["Cookie"] == "session=s3cret; pref=dark%20mode"
    assert request.headers["Accept"] == "application/json"


def test_not_given_is_not_sent_and_none_is(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json=[]))
    with mock_client(features, rec) as client:
        client.items.list_items()
        assert rec.last.url.query == b""
        client.items.list_items(before=None)
        assert rec.last.url.query == b"before="
    assert repr(features.NOT_GIVEN) == "NOT_GIVEN"
    assert not features.NOT_GIVEN


def test_path_parameters_are_encoded_in_path_order(features: ModuleType) -> None:
    rec = Recorder(
        httpx.Response(200, text="cell", headers={"content-type": "text/plain"}),
        httpx.Response(200, json={"name": "n"}),
    )
    with mock_client(features, rec) as client:
        assert client.items.get_cell([1, 2], ["a b", "c"], {"x": 1, "y": 2}) == "cell"
        assert client.items.get_item("a/b?c").name == "n"
    assert rec.requests[0].url.raw_path == b"/grid/;coords=1;coords=2/.a%20b,c/x,1,y,2"
    assert rec.requests[1].url.raw_path == b"/items/a%2Fb%3Fc"


# -- bodies -----------------------------------------------------------------------------------


def test_json_body_from_dict_is_validated_and_sends_only_given_fields(features: ModuleType) -> None:
    item = {"id": "1", "name": "n", "color": "red"}
    rec = Recorder(default=httpx.Response(201, json=item))
    with mock_client(features, rec) as client:
        created = client.items.create_item(body={"name": "n", "note": None})
        assert isinstance(created, features.models.Item)
        assert created.color == features.models.Color.red
        assert json.loads(rec.last.content) == {"name": "n", "note": None}
        assert rec.last.headers["Content-Type"] == "application/json"
        client.items.create_item(body=features.models.Item(name="m"))
        assert json.loads(rec.last.content) == {"name": "m"}
        with pytest.raises(features.RequestValidationError, match=r"body\.name: Field required"):
            client.items.create_item(body={"color": "red"})  # name is required
    assert len(rec.requests) == 2


def test_optional_body_may_be_left_out(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(204))
    with mock_client(features, rec) as client:
        assert client.items.replace_item("1") is None
    assert rec.last.content == b""
    assert "Content-Type" not in rec.last.headers


def test_form_body(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json={"token": "t"}))
    with mock_client(features, rec) as client:
        assert client.items.login(body={"username": "u v", "scopes": ["a", "b"]}) == {"token": "t"}
    assert rec.last.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(rec.last.content.decode()) == [("username", "u v"), ("scopes", "a"), ("scopes", "b")]


def test_text_body_and_text_response(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, text="héllo", headers={"content-type": "text/plain; charset=utf-8"}))
    with mock_client(features, rec) as client:
        assert client.stream.add_note(body="héllo") == "héllo"
    assert rec.last.content == "héllo".encode()
    assert rec.last.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_binary_response(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, content=b"\x00\x01", headers={"content-type": "application/octet-stream"}))
    with mock_client(features, rec) as client:
        assert client.stream.get_blob() == b"\x00\x01"


def test_multipart_parts(ser: ModuleType) -> None:
    content = ser.Content("multipart/form-data", "multipart", lambda: dict)
    encoded = ser.encode_body(
        content,
        {"file": (None, io.BytesIO(b"x")), "files": [b"a", b"b"], "meta": {"k": 1}, "n": 3, "flag": True},
    )
    names = [name for name, _ in encoded.parts]
    assert names == ["file", "files", "files", "meta", "n", "flag"]
    assert encoded.parts[3][1] == (None, '{"k":1}', "application/json")
    assert encoded.parts[4][1] == (None, "3")
    assert encoded.parts[5][1] == (None, "true")


def test_odd_names_and_spec_text(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json={"a": 1}))
    with mock_client(features, rec) as client:
        assert client.items.odd_op("x y", class_="c") == {"a": 1}
        doc = client.items.odd_op.__doc__
    assert rec.last.url.raw_path == b"/odd/x%20y?class=c"
    assert doc.startswith('Tricky """ quotes, a backslash \\ and {braces}')
    assert 'class_: A keyword as a name; """quoted""".' in doc


def test_json_body_keeps_text_that_is_not_ascii(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(201, json={"name": "n"}))
    with mock_client(features, rec) as client:
        client.items.create_item(body={"name": "héllo ✓ \u2028 \"q\" \\"})
    assert json.loads(rec.last.content) == {"name": "héllo ✓ \u2028 \"q\" \\"}


# -- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://h/a", "http://h/a%20b/", "http://h/a?x=1", "http://h/a#f", "http://h/a?x#f"])
@pytest.mark.parametrize("pairs", [(), (("q", "1 2#&?/é"), ("q", "")), (("x", "2"),)])
@pytest.mark.parametrize("client_params", [None, {"v": "1"}])
def test_query_in_the_url_builds_the_same_request_as_params(
    features: ModuleType, url: str, pairs: tuple[tuple[str, str], ...], client_params: dict[str, str] | None
) -> None:
    """What the builder hands httpx builds the URL httpx builds from ``params=``."""
    base = features._base_client
    http = httpx.Client(params=client_params)
    query = httpx.QueryParams(pairs)
    target, params = base._target(http, url, query)
    built = http.build_request("GET", target, params=params).url
    assert built == http.build_request("GET", url, params=query).url
    assert built.raw_path == http.build_request("GET", url, params=query).url.raw_path


def test_path_is_split_at_its_parameters(features: ModuleType) -> None:
    endpoint = features._spec.Endpoint("GET", "/a/{x}/{y}.{z}/b")
    assert endpoint.path_pieces == ("/a/", "x", "/", "y", ".", "z", "/b")
    assert features._spec.Endpoint("GET", "/plain").path_pieces == ("/plain",)


# -- responses --------------------------------------------------------------------------------


def test_reply_for_a_status(features: ModuleType) -> None:
    spec = features._spec
    replies = [spec.Declared(s) for s in ("201", "2XX", "404", "4xx", "4XX", "default")]
    endpoint = spec.Endpoint("GET", "/", replies=tuple(replies))
    found = {code: endpoint.reply_for(code) for code in (201, 200, 404, 418, 500, 302)}
    assert found == {
        201: replies[0],
        200: replies[1],  # 2XX
        404: replies[2],
        418: replies[3],  # the first of 4xx and 4XX
        500: replies[5],  # default
        302: replies[5],
    }
    only_201 = spec.Endpoint("GET", "/", replies=(replies[0], replies[5]))
    assert only_201.reply_for(200) is replies[0]  # an undeclared 2xx: the first success
    assert spec.Endpoint("GET", "/").reply_for(500) is None
