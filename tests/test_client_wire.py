"""Nothing lost on the wire, and one error hierarchy: a small spec (tests/data/client/wire.yaml)
generated and called as users call it, against its own server over real HTTP or a
``httpx.MockTransport`` that records what was sent."""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest import serve_over_http
from .conftest_client import DATA, generate_files, install, mock_async_client, mock_client

WIRE_SPEC = DATA / "wire.yaml"
# What a newer server sends: fields the spec does not list, at the top and nested, and numbers
# as they are (an int in a ``number`` field).
NEWER_ITEM = {"key": "k", "weight": 5, "color": "red", "tags": [{"name": "a", "since": 2020}]}


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "wire", generate_files(WIRE_SPEC, "wire"))


@pytest.fixture(scope="module")
def base_url(wire: ModuleType) -> Iterator[str]:
    """The package's own server over real HTTP: ``put_item`` answers with what it received,
    ``get_item`` with :data:`NEWER_ITEM`, ``get_scores`` with ints and floats."""
    server = importlib.import_module(f"{wire.__name__}.server")
    models = wire.models

    class Newer(server.Handlers):  # type: ignore[name-defined,misc]
        async def put_item(self, *, body: Any, credentials: Any) -> Any:
            return models.Item.model_validate(body.model_dump(mode="json", by_alias=True, exclude_unset=True))

        async def get_item(self, *, key: str, credentials: Any) -> Any:
            return models.Item.model_validate({**NEWER_ITEM, "key": key})

        async def get_scores(self, *, credentials: Any) -> Any:
            return [1, 2.5, 3]

    with serve_over_http(server.create_app(Newer())) as url:
        yield url


def client(wire: ModuleType, base_url: str, **options: Any) -> Any:
    return wire.Client(base_url=base_url, bearer="t", key="k", max_retries=0, **options)


class Recorder:
    """A MockTransport handler that keeps the requests and answers from a script."""

    def __init__(self, answer: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or (lambda request: httpx.Response(200, json={"key": "k"}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.answer(request)  # type: ignore[no-any-return]


# --- nothing lost -------------------------------------------------------------------------------


def test_a_newer_servers_fields_are_kept_read_dumped_and_sent_back(wire: ModuleType, base_url: str) -> None:
    with client(wire, base_url) as c:
        item = c.store.get_item("k")
        assert item.color == "red" and item.model_extra == {"color": "red"}
        assert item.tags[0].since == 2020
        # model_dump(mode="json", by_alias=True, exclude_unset=True) is the body as received
        assert item.model_dump(mode="json", by_alias=True, exclude_unset=True) == NEWER_ITEM
        assert type(item.weight) is int
        echoed = c.store.put_item(body=item.model_dump(by_alias=True, exclude_unset=True) | {"value": {}})
        assert echoed.color == "red" and echoed.tags[0].since == 2020 and echoed.model_extra["value"] == {}
        # a model received is sent back whole, as a body
        c.store.put_item(body=wire.models.PutItem.model_validate({"key": "k", "value": {}, "ttl": 5}))


def test_a_dict_body_is_sent_with_every_key_the_user_gave(wire: ModuleType) -> None:
    recorder = Recorder()
    body = {"key": "k", "value": {"a": 1}, "ttl": 5, "index": False, "weight": 5}
    with mock_client(wire, recorder) as c:
        c.store.put_item(body=body)
    sent = recorder.requests[0].content
    assert json.loads(sent) == body
    assert b'"weight":5,' in sent or b'"weight":5}' in sent  # not 5.0


def test_an_int_in_a_number_field_stays_an_int(wire: ModuleType, base_url: str) -> None:
    models = wire.models
    assert type(models.Item(key="k", weight=5).weight) is int
    assert type(models.Item(key="k", weight=5.0).weight) is float
    item = models.Item.model_validate_json('{"key":"k","weight":5,"price":2,"ratio":0.5}')
    assert item.model_dump_json(exclude_unset=True) == '{"key":"k","weight":5,"price":2,"ratio":0.5}'
    assert models.Item(key="k", price=1.25).model_dump(mode="json", exclude_unset=True)["price"] == 1.25  # not "1.25"
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        models.Item(key="k", weight=-1)  # the spec's constraints still hold
    with client(wire, base_url) as c:
        scores = c.store.get_scores()
    assert scores == [1, 2.5, 3] and [type(s) for s in scores] == [int, float, int]


def test_the_seeds_store_put_item_sends_ttl_and_index(generated_packages: dict[str, Any],
                                                     tmp_path_factory: pytest.TempPathFactory) -> None:
    """The call from the issue: ``ttl`` and ``index`` are not in the seed's StorePutRequest."""
    seed = install(tmp_path_factory, "agent_server", generated_packages["agent_server"][1].files)
    recorder = Recorder(lambda request: httpx.Response(204))
    body = {"namespace": ["x"], "key": "k", "value": {"a": 1}, "ttl": 5, "index": False}
    with mock_client(seed, recorder) as c:
        c.store.put_item(body=body)
    assert json.loads(recorder.requests[0].content) == body


# --- one error hierarchy ------------------------------------------------------------------------


def test_an_invalid_body_raises_a_request_validation_error_and_sends_nothing(wire: ModuleType) -> None:
    recorder = Recorder()
    with mock_client(wire, recorder) as c, pytest.raises(wire.RequestValidationError) as exc:
        c.store.put_item(body={"value": 1, "weight": "heavy"})
    error = exc.value
    assert isinstance(error, wire.ApiClientError) and isinstance(error, ValueError)
    assert error.operation == "store.put_item"
    message = str(error)
    assert message.startswith("invalid arguments for store.put_item (PUT /items): ")
    assert "body.key: Field required" in message and "body.value: Input should be a valid dictionary" in message
    assert "heavy" not in message  # argument values are never shown
    assert ("body", "weight", "int") in [e["loc"] for e in error.errors]
    assert recorder.requests == []


def test_a_closed_schema_refuses_unknown_keys(wire: ModuleType, base_url: str) -> None:
    """``additionalProperties: false``: the client refuses them, and so does the server."""
    with mock_client(wire, Recorder()) as c, pytest.raises(wire.RequestValidationError, match=r"body\.b: Extra"):
        c.store.post_closed(body={"a": "x", "b": 1})
    auth = {"Authorization": "Bearer t", "X-Key": "k"}
    assert httpx.post(f"{base_url}/closed", json={"a": "x", "b": 1}, headers=auth).status_code == 422
    assert httpx.post(f"{base_url}/closed", json={"a": "x"}, headers=auth).status_code == 204


def test_a_parameter_that_cannot_be_sent_is_named(wire: ModuleType) -> None:
    with mock_client(wire, Recorder()) as c, pytest.raises(wire.RequestValidationError) as exc:
        c.store.get_item("")
    assert "store.get_item (GET /items/{key}): key: path parameter 'key' must not be empty" in str(exc.value)


def test_async_client_raises_the_same_request_error(wire: ModuleType) -> None:
    async def main() -> None:
        async with mock_async_client(wire, Recorder()) as c:
            with pytest.raises(wire.RequestValidationError, match=r"store\.put_item"):
                await c.store.put_item(body={"key": 1})

    asyncio.run(main())


def _bad_item(request: httpx.Request) -> httpx.Response:
    """GET: a body that does not fit ``Item``; PUT: one that does."""
    return httpx.Response(200, json={"weight": "heavy"} if request.method == "GET" else {"key": "k"})


def test_with_raw_response_returns_a_body_that_does_not_fit(wire: ModuleType) -> None:
    with mock_client(wire, Recorder(_bad_item)) as c:
        with pytest.raises(wire.ResponseValidationError):
            c.store.get_item("k")
        raw = c.with_raw_response.store.get_item("k")
        assert raw.status_code == 200 and raw.http_response.json() == {"weight": "heavy"}
        with pytest.raises(wire.ResponseValidationError, match="does not fit Item"):
            raw.parse()
        good = c.with_raw_response.store.put_item(body={"key": "k", "value": {}})
        assert good.parse() is good.parse() and good.parse().key == "k"


def test_async_with_raw_response_parses_on_demand(wire: ModuleType) -> None:
    async def main() -> None:
        async with mock_async_client(wire, Recorder(_bad_item)) as c:
            raw = await c.with_raw_response.store.get_item("k")
            assert raw.http_response.json() == {"weight": "heavy"}
            with pytest.raises(wire.ResponseValidationError):
                raw.parse()

    asyncio.run(main())


# --- redirects -----------------------------------------------------------------------------------


def _redirects(routes: dict[str, tuple[int, str]]) -> Recorder:
    """Answers ``status`` with ``Location`` for the URLs in ``routes``, else the request echoed."""

    def answer(request: httpx.Request) -> httpx.Response:
        hop = routes.get(str(request.url))
        if hop is not None:
            status, location = hop
            return httpx.Response(status, headers={"Location": location} if location else {})
        return httpx.Response(200, json={"key": request.method, "value": {"body": request.content.decode()}})

    return Recorder(answer)


def test_a_same_origin_redirect_is_followed_with_the_body_and_credentials(wire: ModuleType) -> None:
    recorder = _redirects({"http://testserver/items": (307, "/v2/items")})
    with mock_client(wire, recorder, bearer="t", key="k") as c:
        item = c.store.put_item(body={"key": "k", "value": {}})
    first, second = recorder.requests
    assert str(second.url) == "http://testserver/v2/items" and second.method == "PUT"
    assert second.content == first.content and json.loads(second.content) == {"key": "k", "value": {}}
    assert second.headers["Authorization"] == "Bearer t" and second.headers["X-Key"] == "k"
    assert item.key == "PUT"


def test_another_origin_gets_no_credentials(wire: ModuleType) -> None:
    recorder = _redirects({"http://testserver/items/k": (302, "https://elsewhere.example/items/k")})
    with mock_client(wire, recorder, bearer="t", key="k", headers={"Cookie": "s=1"}) as c:
        c.store.get_item("k")
    second = recorder.requests[1]
    assert second.url.host == "elsewhere.example" and second.headers["Host"] == "elsewhere.example"
    assert not {"authorization", "x-key", "cookie"} & set(second.headers.keys())


def test_a_303_after_a_put_is_a_get_without_body(wire: ModuleType) -> None:
    recorder = _redirects({"http://testserver/items": (303, "/items/k")})
    with mock_client(wire, recorder) as c:
        assert c.store.put_item(body={"key": "k", "value": {}}).key == "GET"
    second = recorder.requests[1]
    assert second.method == "GET" and second.content == b"" and "content-type" not in second.headers


@pytest.mark.parametrize(("routes", "options", "reason"), [
    ({"http://testserver/items/k": (307, "/v2/items/k?sig=secret")}, {"follow_redirects": False},
     "redirect to http://testserver/v2/items/k not followed (follow_redirects=False)"),
    ({"http://testserver/items/k": (304, "")}, {}, "304 Not Modified for GET /items/k: redirect not followed (no Location header)"),
    ({"http://testserver/items/k": (307, "/items/k")}, {}, "not followed (more than 20 redirects)"),
])
def test_a_redirect_not_followed_names_its_location(wire: ModuleType, routes: dict[str, tuple[int, str]],
                                                    options: dict[str, Any], reason: str) -> None:
    with mock_client(wire, _redirects(routes), **options) as c, pytest.raises(wire.RedirectError) as exc:
        c.store.get_item("k")
    assert isinstance(exc.value, wire.ApiError) and reason in str(exc.value)
    assert "secret" not in str(exc.value)
    location = routes["http://testserver/items/k"][1]
    assert exc.value.location == (f"http://testserver{location}" if location else None)


def test_async_client_follows_redirects(wire: ModuleType) -> None:
    recorder = _redirects({"http://testserver/items/k": (308, "/v2/items/k")})

    async def main() -> None:
        async with mock_async_client(wire, recorder) as c:
            assert (await c.store.get_item("k")).key == "GET"
        async with mock_async_client(wire, recorder, follow_redirects=False) as c:
            with pytest.raises(wire.RedirectError, match="/v2/items/k"):
                await c.store.get_item("k")

    asyncio.run(main())


def test_a_redirect_over_http_from_the_generated_server(wire: ModuleType) -> None:
    """The API moved from ``/old`` to ``/``: the client follows the server's 308."""
    from starlette.responses import RedirectResponse

    server = importlib.import_module(f"{wire.__name__}.server")
    app = server.create_app()
    app.add_api_route("/old/items/{key}", lambda key: RedirectResponse(f"/items/{key}", status_code=308),
                      methods=["GET"])
    with serve_over_http(app) as url, client(wire, f"{url}/old") as c:
        raw = c.with_raw_response.store.get_item("k")
        assert raw.status_code == 200 and str(raw.http_response.url) == f"{url}/items/k"
        assert isinstance(raw.parse(), wire.models.Item)
        with client(wire, f"{url}/old", follow_redirects=False) as strict, pytest.raises(wire.RedirectError) as exc:
            strict.store.get_item("k")
        assert exc.value.status_code == 308 and exc.value.location == f"{url}/items/k"
