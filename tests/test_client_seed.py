"""The generated seed client (LangSmith Agent Server) against an in-process server.

httpx.MockTransport plays the server; every test checks what the client sent and what it
made of the answer: models, errors, retries, timeouts, raw responses, async.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest_client import Recorder, install, mock_async_client, mock_client, patch_sleep

THREAD = uuid.UUID("00000000-0000-4000-8000-000000000001")
RUN_JSON = {
    "run_id": "00000000-0000-4000-8000-000000000002",
    "thread_id": str(THREAD),
    "assistant_id": "00000000-0000-4000-8000-000000000003",
    "created_at": "2025-01-01T00:00:00Z",
    "updated_at": "2025-01-01T00:00:01Z",
    "status": "pending",
    "metadata": {},
    "kwargs": {},
    "multitask_strategy": "reject",
}
OK = httpx.Response(200, json={"ok": True})
LOCATION = {"Content-Location": f"/threads/{THREAD}/runs/{RUN_JSON['run_id']}"}


@pytest.fixture(scope="session")
def seed(generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "agent_server", generated_packages["agent_server"][1].files)


# -- methods, bodies, results -----------------------------------------------------------------


def test_create_run_with_a_model_or_a_dict(seed: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json=RUN_JSON, headers=LOCATION))
    with mock_client(seed, rec, headers={"X-Api-Key": "k-123"}) as client:
        body = seed.models.RunCreateStateful(assistant_id="agent")
        run = client.thread_runs.create_run(THREAD, body=body)
        again = client.thread_runs.create_run(THREAD, body={"assistant_id": "agent", "metadata": None})
    assert isinstance(run, seed.models.Run) and run == again
    assert run.status == "pending"
    first, second = rec.requests
    assert (first.method, first.url.path) == ("POST", f"/threads/{THREAD}/runs")
    assert first.content == b'{"assistant_id":"agent"}'
    assert second.content == b'{"assistant_id":"agent","metadata":null}'
    assert first.headers["X-Api-Key"] == "k-123"


def test_raw_response_has_the_headers(seed: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json=RUN_JSON, headers=LOCATION))
    with mock_client(seed, rec) as client:
        raw = client.with_raw_response.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.status_code == 200
    assert raw.headers["Content-Location"].endswith(RUN_JSON["run_id"])
    assert raw.parse().run_id == uuid.UUID(RUN_JSON["run_id"])


def test_async_client(seed: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json=RUN_JSON, headers=LOCATION))

    async def main() -> tuple[Any, Any]:
        async with mock_async_client(seed, rec) as client:
            run = await client.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
            raw = await client.with_raw_response.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
            return run, raw

    run, raw = asyncio.run(main())
    assert run.thread_id == THREAD
    assert raw.headers["Content-Location"] == LOCATION["Content-Location"]


def test_query_parameters_and_list_results(seed: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json=[RUN_JSON]))
    with mock_client(seed, rec) as client:
        runs = client.thread_runs.list_runs_http(THREAD, limit=5, select=["run_id", "status"])
    assert [r.status for r in runs] == ["pending"]
    assert rec.last.url.params.multi_items() == [("limit", "5"), ("select", "run_id"), ("select", "status")]


def test_no_content_text_and_content_negotiation(seed: ModuleType) -> None:
    rec = Recorder(
        httpx.Response(204),
        httpx.Response(200, text="# HELP up 1\n", headers={"content-type": "text/plain; version=0.0.4"}),
        httpx.Response(200, json={"up": 1}),
    )
    with mock_client(seed, rec) as client:
        assert client.store.put_item(body={"namespace": ["a"], "key": "k", "value": {}}) is None
        assert client.system.system_metrics(format="prometheus") == "# HELP up 1\n"
        assert client.system.system_metrics(format="json") == {"up": 1}
    assert rec.requests[1].headers["Accept"] == "application/json, text/plain"


def test_required_single_value_parameter_defaults_to_it(seed: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json={"jsonrpc": "2.0", "id": "1", "result": {}}))
    with mock_client(seed, rec) as client:
        client.a2a.post_a2a(THREAD, body={"jsonrpc": "2.0", "id": "1", "method": "tasks/get", "params": {"taskId": "t"}})
    assert rec.last.headers["Accept"] == "application/json"


# -- response validation ----------------------------------------------------------------------


def test_unknown_enum_value_from_a_newer_server_is_kept(seed: ModuleType) -> None:
    newer = {**RUN_JSON, "status": "paused", "multitask_strategy": "merge"}
    rec = Recorder(default=httpx.Response(200, json=newer))
    with mock_client(seed, rec) as client:
        run = client.thread_runs.get_run_http(THREAD, uuid.UUID(RUN_JSON["run_id"]))
    assert isinstance(run, seed.models.Run)
    assert run.status == "paused" and run.multitask_strategy == "merge"
    assert run.thread_id == THREAD  # the rest is still validated and converted
    assert seed._serialize.jsonable(run)["status"] == "paused"  # and goes back as received


def test_a_response_that_does_not_fit_raises_unless_lenient(seed: ModuleType) -> None:
    broken = {**RUN_JSON, "created_at": "not a date"}
    rec = Recorder(default=httpx.Response(200, json=broken))
    with mock_client(seed, rec) as client, pytest.raises(seed.ResponseValidationError) as info:
        client.thread_runs.get_run_http(THREAD, THREAD)
    assert info.value.response.status_code == 200
    assert "created_at" in str(info.value)
    with mock_client(seed, rec, strict_responses=False) as client:
        run = client.thread_runs.get_run_http(THREAD, THREAD)
    assert run.created_at == "not a date"
    assert run.thread_id == THREAD


def test_invalid_json_raises_response_validation_error(seed: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, content=b"{oops", headers={"content-type": "application/json"}))
    with mock_client(seed, rec) as client, pytest.raises(seed.ResponseValidationError):
        client.threads.get_thread(THREAD)



@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_json_in_any_encoding_json_allows_is_decoded(seed: ModuleType, encoding: str) -> None:
    content = json.dumps(RUN_JSON).encode(encoding)
    rec = Recorder(default=httpx.Response(200, content=content, headers={"content-type": "application/json"}))
    with mock_client(seed, rec) as client:
        run = client.thread_runs.get_run_http(THREAD, THREAD)
    assert isinstance(run, seed.models.Run) and run.thread_id == THREAD

# -- errors -----------------------------------------------------------------------------------


def test_404_with_error_response_body(seed: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(404, json={"detail": "Thread not found"}, headers={"X-Request-Id": "r-1"}))
    with mock_client(seed, rec) as client, pytest.raises(seed.NotFoundError) as info:
        client.threads.get_thread(THREAD)
    error = info.value
    assert isinstance(error, seed.ApiError) and isinstance(error, seed.ApiClientError)
    assert error.status_code == 404
    assert error.headers["X-Request-Id"] == "r-1"
    assert error.body == seed.models.ErrorResponse(detail="Thread not found")
    assert error.response.request.url.path == f"/threads/{THREAD}"
    assert str(error) == f'404 Not Found for GET /threads/{THREAD}: {error.response.text}'
    assert "Thread not found" in str(error)


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (502, "InternalServerError"),
        (418, "ApiError"),
        (302, "RedirectError"),  # without a Location: not followed
    ],
)
def test_error_classes_by_status(seed: ModuleType, status: int, name: str) -> None:
    rec = Recorder(default=httpx.Response(status, text="nope"))
    with mock_client(seed, rec, max_retries=0) as client, pytest.raises(seed.ApiError) as info:
        client.threads.create_thread(body={})
    assert type(info.value) is getattr(seed, name)
    assert info.value.body == "nope"  # not JSON: kept as text


# -- retries ----------------------------------------------------------------------------------


def test_flaky_503_with_retry_after_then_200(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = patch_sleep(monkeypatch, seed)
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "2"}), httpx.Response(200, json=RUN_JSON))
    with mock_client(seed, rec) as client:
        run = client.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})  # a POST
    assert run.status == "pending"
    assert len(rec.requests) == 2
    assert sleeps.delays == [2.0]


def test_retry_after_forms(seed: ModuleType) -> None:
    retry_after = seed._base_client.retry_after
    assert retry_after(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < retry_after(httpx.Headers({"Retry-After": later})) <= 30
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers()) is None


def test_backoff_when_no_retry_after(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = patch_sleep(monkeypatch, seed)
    rec = Recorder(httpx.Response(500), httpx.Response(502), default=OK)
    with mock_client(seed, rec) as client:
        client.system.health_check()
    assert len(rec.requests) == 3
    assert 0.375 <= sleeps.delays[0] <= 0.5 and 0.75 <= sleeps.delays[1] <= 1.0


def test_retries_give_up_after_max_retries(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = patch_sleep(monkeypatch, seed)
    rec = Recorder(default=httpx.Response(503))
    with mock_client(seed, rec, max_retries=3) as client, pytest.raises(seed.InternalServerError):
        client.system.health_check()
    assert len(rec.requests) == 4 and len(sleeps.delays) == 3


def test_post_is_not_retried_after_a_500_but_is_after_a_429(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, seed)
    rec = Recorder(httpx.Response(500), httpx.Response(200, json=RUN_JSON))
    with mock_client(seed, rec) as client, pytest.raises(seed.InternalServerError):
        client.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
    assert len(rec.requests) == 1
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200, json=RUN_JSON))
    with mock_client(seed, rec) as client:
        client.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
    assert len(rec.requests) == 2


def test_a_long_retry_after_is_not_waited_for(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = patch_sleep(monkeypatch, seed)
    rec = Recorder(default=httpx.Response(429, headers={"Retry-After": "3600"}))
    with mock_client(seed, rec) as client, pytest.raises(seed.RateLimitError):
        client.system.health_check()
    assert len(rec.requests) == 1 and sleeps.delays == []


def test_connection_errors(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, seed)
    # Never connected: safe to retry even a POST.
    rec = Recorder(httpx.ConnectError("refused"), httpx.Response(200, json=RUN_JSON))
    with mock_client(seed, rec) as client:
        client.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
    assert len(rec.requests) == 2
    # The POST may have reached the server: not retried.
    rec = Recorder(httpx.ReadError("reset"))
    with mock_client(seed, rec) as client, pytest.raises(seed.ApiConnectionError) as info:
        client.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
    assert len(rec.requests) == 1
    assert isinstance(info.value.__cause__, httpx.ReadError)
    # A GET is retried, then the timeout surfaces as ApiTimeoutError.
    rec = Recorder(*[httpx.ReadTimeout("slow")] * 3, default=OK)
    with mock_client(seed, rec) as client, pytest.raises(seed.ApiTimeoutError):
        client.system.health_check()
    assert len(rec.requests) == 3


def test_async_retries(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = patch_sleep(monkeypatch, seed)
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "1"}), httpx.Response(200, json=RUN_JSON))

    async def main() -> Any:
        async with mock_async_client(seed, rec) as client:
            return await client.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})

    assert asyncio.run(main()).status == "pending"
    assert sleeps.delays == [1.0]


# -- timeouts, transport, secrets -------------------------------------------------------------


def test_timeouts_per_client_and_per_call(seed: ModuleType) -> None:
    rec = Recorder(default=OK)
    with mock_client(seed, rec) as client:
        client.system.health_check()
        assert rec.last.extensions["timeout"] == {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}
        client.system.health_check(timeout=2.5)
        assert rec.last.extensions["timeout"]["read"] == 2.5
        client.system.health_check(timeout=None)
        assert rec.last.extensions["timeout"]["read"] is None
    with mock_client(seed, rec, timeout=10.0) as client:
        client.system.health_check()
        assert rec.last.extensions["timeout"]["connect"] == 10.0


def test_own_http_client_is_left_open(seed: ModuleType) -> None:
    http = httpx.Client(transport=httpx.MockTransport(Recorder(default=OK)))
    with seed.Client(base_url="http://testserver/prefix/", http_client=http) as client:
        client.system.health_check()
    assert not http.is_closed
    http.close()
    owned = seed.Client(base_url="http://testserver")
    owned.close()
    assert owned._http.is_closed


def test_base_url_path_prefix(seed: ModuleType) -> None:
    rec = Recorder(default=OK)
    with mock_client(seed, rec, base_url="http://testserver/api/v1/") as client:
        assert client.system.health_check(check_db=1).ok is True
    assert str(rec.last.url) == "http://testserver/api/v1/ok?check_db=1"


def test_secrets_stay_out_of_repr_and_logs(seed: ModuleType, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, seed)
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.Response(503), default=httpx.Response(401, json="bad key"))
    client = mock_client(seed, rec, base_url="http://user:hunter2@testserver", headers={"X-Api-Key": "hunter2"})
    with client, pytest.raises(seed.AuthenticationError) as info:
        client.system.health_check()
    assert "hunter2" not in repr(client)
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in caplog.text  # httpx's own request log included
    assert "GET /ok: 503; retry 1 of 2" in caplog.text


def test_query_is_sent_with_the_http_clients_own_params(seed: ModuleType) -> None:
    rec = Recorder(httpx.Response(200, json=[RUN_JSON]), default=OK)
    http = httpx.Client(transport=httpx.MockTransport(rec), params={"api-version": "2"})
    with seed.Client(base_url="http://testserver", http_client=http) as client:
        client.thread_runs.list_runs_http(THREAD, limit=5)
        client.system.health_check()
    assert rec.requests[0].url.params.multi_items() == [("api-version", "2"), ("limit", "5")]
    assert rec.requests[1].url.params.multi_items() == [("api-version", "2")]


def test_each_response_is_logged_at_debug_level(seed: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder(default=OK)
    with mock_client(seed, rec) as client:
        with caplog.at_level(logging.INFO, logger=f"{seed.__name__}._base_client"):
            client.system.health_check()
        assert " -> 200" not in caplog.text
        with caplog.at_level(logging.DEBUG, logger=f"{seed.__name__}._base_client"):
            client.system.health_check()
    assert "GET /ok -> 200" in caplog.text
