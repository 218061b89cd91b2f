"""Security schemes as constructor arguments, per-operation security, secrets kept hidden,
and names that could clash (tests/data/client/features.yaml)."""

from __future__ import annotations

import base64
import importlib
import inspect
import logging
from types import ModuleType

import httpx
import pytest

from .conftest_client import FEATURES_SPEC, Recorder, generate_files, install, mock_client

ITEM = {"name": "n"}


@pytest.fixture(scope="session")
def features(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "features", generate_files(FEATURES_SPEC, "features"))


def test_constructor_arguments_from_security_schemes(features: ModuleType) -> None:
    params = inspect.signature(features.Client).parameters
    assert list(params)[:7] == [
        "base_url",
        "basic_auth",
        "bearer_auth",
        "cookie_auth",
        "header_key",
        "query_key",
        "timeout_",  # the scheme "timeout" cannot take the timeout argument's name
    ]
    assert params["base_url"].default == "https://api.example.test/v1"
    assert params and all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())


def test_each_operation_gets_the_credentials_its_security_names(features: ModuleType) -> None:
    rec = Recorder(
        httpx.Response(200, json=ITEM),
        httpx.Response(200, json=[]),
        httpx.Response(201, json=ITEM),
        httpx.Response(200, json={"token": "t"}),
        httpx.Response(200, json="me"),
        httpx.Response(200, json={"status": "ok"}),
    )
    client = mock_client(
        features,
        rec,
        basic_auth=("ann", "pw"),
        bearer_auth="tok",
        cookie_auth="ck",
        header_key="hk",
        query_key="qk",
    )
    with client:
        client.items.get_item("1")  # queryKey
        client.items.list_items()  # cookieAuth
        client.items.create_item(body=ITEM)  # the global security: headerKey
        client.items.login(body={"username": "ann"})  # basicAuth
        client.items.who_am_i()  # bearerAuth, or queryKey + timeout: the first that is set
        client.health()  # security: [] -> nothing
    get_item, list_items, create_item, login, me, health = rec.requests
    assert get_item.url.params["api_key"] == "qk" and "X-Api-Key" not in get_item.headers
    assert list_items.headers["Cookie"] == "session=ck"
    assert create_item.headers["X-Api-Key"] == "hk"
    assert login.headers["Authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    assert me.headers["Authorization"] == "Bearer tok" and "api_key" not in me.url.params
    for request in (health,):
        assert "Authorization" not in request.headers and "X-Api-Key" not in request.headers
        assert not request.url.params and "Cookie" not in request.headers


def test_alternatives_fall_back_to_the_next_complete_one(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json="me"))
    with mock_client(features, rec, query_key="qk", timeout_="t2") as client:
        assert client.items.who_am_i() == "me"
    assert rec.last.url.params["api_key"] == "qk"
    assert rec.last.headers["Authorization"] == "Bearer t2"
    with mock_client(features, rec, query_key="qk") as client:  # queryKey alone is not enough
        client.items.who_am_i()
    assert "api_key" not in rec.last.url.params and "Authorization" not in rec.last.headers


def test_secrets_never_show(features: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(default=httpx.Response(403, json={"detail": "no"}))
    client = mock_client(features, rec, query_key="SECRET-Q", bearer_auth="SECRET-B", basic_auth=("u", "SECRET-P"))
    with client, pytest.raises(features.PermissionDeniedError) as info:
        client.items.get_item("1", extra_query={"page": "2"})
    assert rec.last.url.params["api_key"] == "SECRET-Q"
    texts = [repr(client), str(info.value), repr(info.value), caplog.text, repr(client._credentials)]
    for text in texts:
        assert "SECRET" not in text, text
    assert "api_key=<hidden>&page=2" in caplog.text  # httpx's request log line, redacted
    assert info.value.body == features.models.Problem(detail="no")  # the 'default' response


def test_declared_4xx_range_and_exact_status(features: ModuleType) -> None:
    rec = Recorder(httpx.Response(409, json={"detail": "dup"}), httpx.Response(418, json={"detail": "tea"}))
    with mock_client(features, rec) as client:
        with pytest.raises(features.ConflictError) as conflict:
            client.items.create_item(body=ITEM)
        with pytest.raises(features.ApiError) as teapot:
            client.items.create_item(body=ITEM)
    assert conflict.value.body.detail == "dup"
    assert teapot.value.body == features.models.Problem(detail="tea")  # from "4XX"


def test_untagged_operation_and_defaulted_required_header(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json={"status": "ok"}))
    with mock_client(features, rec) as client:
        assert client.health().status == "ok"
        raw = client.with_raw_response.health()
    assert raw.parse().status == "ok"
    assert rec.last.headers["Accept"] == "application/json"


def test_group_class_names_avoid_runtime_names(features: ModuleType) -> None:
    group_module = importlib.import_module(f"{features.__name__}.resources.stream")  # > RESOURCES_MIN operations
    assert group_module.Stream is features.Stream  # the runtime's event stream, not the group
    assert group_module.Stream2.__doc__ == "A tag whose class name would shadow the runtime's Stream."
    rec = Recorder(httpx.Response(200, content=b"data: 1\n\n", headers={"content-type": "text/event-stream"}))
    with mock_client(features, rec) as client:
        assert isinstance(client.stream, group_module.Stream2)
        assert [e.data for e in client.stream.watch_events()] == [1]
