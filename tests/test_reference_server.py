"""The reference Agent Server (examples/agent_server_ref, on the committed generated/agent_server)
under uvicorn, driven by the generated client: background runs (pending -> running -> success /
error / interrupted), join, streams (metadata, values, updates, end), cancel, the multitask
strategies, and the store. No test waits on a clock: a slow run sleeps for minutes and is always
cancelled, and a run is known to be running once its stream has sent ``metadata``."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ROOT, serve_over_http

for _folder in ("generated", "examples"):
    if str(ROOT / _folder) not in sys.path:
        sys.path.append(str(ROOT / _folder))

from agent_server import Client, ConflictError, NotFoundError  # noqa: E402 - from generated/
from agent_server_ref import create_app  # noqa: E402 - from examples/

SLOW = {"messages": ["zzz"], "sleep": 600}


@pytest.fixture(scope="module")
def reference_url() -> Iterator[str]:
    with serve_over_http(create_app()) as url:
        yield url


@pytest.fixture()
def client(reference_url: str) -> Iterator[Client]:
    with Client(base_url=reference_url, timeout=30, max_retries=0) as client:
        yield client


@pytest.fixture()
def thread_id(client: Client) -> uuid.UUID:
    return client.threads.create_thread(body={}).thread_id


def run(client: Client, thread_id: uuid.UUID, body: dict[str, Any]) -> Any:
    return client.thread_runs.create_run(thread_id, body={"assistant_id": "echo", **body})


def started(client: Client, thread_id: uuid.UUID, run_id: uuid.UUID) -> None:
    """Return once the run is running: its stream has sent ``metadata`` (the stream is closed
    right after, which does not cancel the run)."""
    with client.thread_runs.stream_run_http(thread_id, run_id) as stream:
        assert next(iter(stream)).event == "metadata"


def test_create_background_run_answers_at_once_and_runs_to_success(client: Client, thread_id: uuid.UUID) -> None:
    created = client.with_raw_response.thread_runs.create_run(
        thread_id, body={"assistant_id": "echo", "input": {"messages": ["hi"]}}
    )
    run_ = created.parse()
    assert run_.status.value == "pending"  # answered before the run started
    assert created.headers["content-location"] == f"/threads/{thread_id}/runs/{run_.run_id}"
    joined = client.thread_runs.join_run_http(thread_id, run_.run_id)
    assert joined == {"messages": ["hi", "echo: hi"], "steps": 1}
    assert client.thread_runs.get_run_http(thread_id, run_.run_id).status.value == "success"
    thread = client.threads.get_thread(thread_id)
    assert (thread.status.value, thread.values) == ("idle", joined)
    history = client.threads.get_thread_history(thread_id)
    assert [h.values for h in history][:2] == [joined, {"messages": ["hi"]}]  # newest first


def test_a_run_is_running_until_cancelled(client: Client, thread_id: uuid.UUID) -> None:
    slow = run(client, thread_id, {"input": SLOW})
    started(client, thread_id, slow.run_id)
    assert client.thread_runs.get_run_http(thread_id, slow.run_id).status.value == "running"
    assert client.threads.get_thread(thread_id).status.value == "busy"
    client.thread_runs.cancel_run_http(thread_id, slow.run_id, wait=True)
    assert client.thread_runs.get_run_http(thread_id, slow.run_id).status.value == "interrupted"
    assert client.threads.get_thread(thread_id).status.value == "idle"
    with pytest.raises(NotFoundError):  # only a run in progress can be cancelled
        client.thread_runs.cancel_run_http(thread_id, slow.run_id)


def test_a_failing_graph_ends_the_run_in_error(client: Client, thread_id: uuid.UUID) -> None:
    failed = run(client, thread_id, {"assistant_id": "fail", "input": {"messages": ["x"]}})
    error = {"error": "ValueError", "message": "this graph always fails"}
    assert client.thread_runs.join_run_http(thread_id, failed.run_id) == {"__error__": error}
    assert client.thread_runs.get_run_http(thread_id, failed.run_id).status.value == "error"
    assert client.threads.get_thread(thread_id).status.value == "error"
    with client.thread_runs.stream_run_http(thread_id, failed.run_id) as stream:
        events = [(e.event, e.data) for e in stream]
    assert [name for name, _ in events] == ["metadata", "values", "error", "end"]
    assert events[2][1] == error


def test_stream_sends_the_events_of_the_real_server(client: Client, thread_id: uuid.UUID) -> None:
    body = {"assistant_id": "echo", "input": {"messages": ["s"]}, "stream_mode": ["values", "updates"]}
    with client.thread_runs.stream_run(thread_id, body=body) as stream:
        events = list(stream)
    assert [e.event for e in events] == ["metadata", "values", "updates", "values", "end"]
    assert [e.id for e in events] == ["1", "2", "3", "4", "5"]
    run_id = events[0].data["run_id"]
    assert events[0].data == {"run_id": run_id, "attempt": 1}
    assert events[2].data == {"echo": {"messages": ["echo: s"], "steps": 1}}
    assert events[3].data == {"messages": ["s", "echo: s"], "steps": 1}
    assert events[4].data is None
    # Joining the stream later replays it; Last-Event-ID resumes after that event.
    with client.thread_runs.stream_run_http(thread_id, uuid.UUID(run_id), last_event_id="3") as stream:
        assert [e.event for e in stream] == ["values", "end"]


def test_stream_answers_with_location_headers(reference_url: str, thread_id: uuid.UUID) -> None:
    import httpx

    body = {"assistant_id": "echo", "input": {"messages": ["h"]}}
    with httpx.Client(base_url=reference_url, timeout=30) as http:
        response = http.post(f"/threads/{thread_id}/runs/stream", json=body)
    run_id = response.text.split('"run_id":"', 1)[1].split('"', 1)[0]
    assert response.headers["content-location"] == f"/threads/{thread_id}/runs/{run_id}"
    assert response.headers["location"] == f"/threads/{thread_id}/runs/{run_id}/stream"


def test_multitask_reject_refuses_a_second_run(client: Client, thread_id: uuid.UUID) -> None:
    slow = run(client, thread_id, {"input": SLOW})
    with pytest.raises(ConflictError):
        run(client, thread_id, {"input": {"messages": ["x"]}, "multitask_strategy": "reject"})
    client.thread_runs.cancel_run_http(thread_id, slow.run_id, wait=True)
    again = run(client, thread_id, {"input": {"messages": ["x"]}, "multitask_strategy": "reject"})
    assert client.thread_runs.join_run_http(thread_id, again.run_id)["messages"][-1] == "echo: x"


def test_multitask_enqueue_waits_for_the_run_before(client: Client, thread_id: uuid.UUID) -> None:
    slow = run(client, thread_id, {"input": SLOW})
    queued = run(client, thread_id, {"input": {"messages": ["q"]}, "multitask_strategy": "enqueue"})
    started(client, thread_id, slow.run_id)
    assert client.thread_runs.get_run_http(thread_id, queued.run_id).status.value == "pending"
    client.thread_runs.cancel_run_http(thread_id, slow.run_id)
    assert client.thread_runs.join_run_http(thread_id, queued.run_id)["messages"][-2:] == ["q", "echo: q"]
    statuses = {r.run_id: r.status.value for r in client.thread_runs.list_runs_http(thread_id)}
    assert statuses == {slow.run_id: "interrupted", queued.run_id: "success"}


def test_multitask_interrupt_interrupts_the_runs_in_progress(client: Client, thread_id: uuid.UUID) -> None:
    slow = run(client, thread_id, {"input": SLOW})
    queued = run(client, thread_id, {"input": {"messages": ["q"]}, "multitask_strategy": "enqueue"})
    last = run(client, thread_id, {"input": {"messages": ["last"]}, "multitask_strategy": "interrupt"})
    assert client.thread_runs.join_run_http(thread_id, last.run_id)["messages"][-1] == "echo: last"
    statuses = {r.run_id: r.status.value for r in client.thread_runs.list_runs_http(thread_id)}
    assert statuses == {slow.run_id: "interrupted", queued.run_id: "interrupted", last.run_id: "success"}


def test_multitask_rollback_leaves_no_trace_of_the_runs_in_progress(client: Client, thread_id: uuid.UUID) -> None:
    slow = run(client, thread_id, {"input": SLOW})
    started(client, thread_id, slow.run_id)
    last = run(client, thread_id, {"input": {"messages": ["last"]}, "multitask_strategy": "rollback"})
    assert client.thread_runs.join_run_http(thread_id, last.run_id) == {"messages": ["last", "echo: last"], "steps": 1}
    with pytest.raises(NotFoundError):
        client.thread_runs.get_run_http(thread_id, slow.run_id)
    assert [r.run_id for r in client.thread_runs.list_runs_http(thread_id)] == [last.run_id]


def test_stateless_runs_leave_no_thread(client: Client) -> None:
    before = client.threads.count_threads(body={})
    answer = client.stateless_runs.wait_run_stateless(body={"assistant_id": "echo", "input": {"messages": ["s"]}})
    assert answer == {"messages": ["s", "echo: s"], "steps": 1}
    assert client.threads.count_threads(body={}) == before


def test_the_store_keeps_items(client: Client) -> None:
    namespace = ["ref", uuid.uuid4().hex]
    client.store.put_item(body={"namespace": namespace, "key": "k", "value": {"n": 1}})
    assert client.store.get_item(key="k", namespace=".".join(namespace)).value == {"n": 1}
    found = client.store.search_items(body={"namespace_prefix": namespace[:1], "filter": {"n": 1}})
    assert [(i.namespace, i.key) for i in found.items if i.namespace == namespace] == [(namespace, "k")]
    assert namespace in client.store.list_namespaces(body={"prefix": namespace}).body.namespaces
    client.store.delete_item(body={"namespace": namespace, "key": "k"})
    assert namespace not in client.store.list_namespaces(body={"prefix": namespace}).body.namespaces
