"""The official LangGraph SDK (``langgraph-sdk``, in ``.venv-agent``) against our servers over real
HTTP: the generated seed server in mock mode, and the reference server of
examples/agent_server_ref. tests/sdk_calls.py makes the calls in the SDK's venv (its
dependencies stay out of ours); this module judges what each call returned."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ROOT, serve_over_http
from .test_reference_server import create_app
from .test_server_generate import server_module

AGENT_PYTHON = ROOT / ".venv-agent" / "bin" / "python"
SCRIPT = ROOT / "tests" / "sdk_calls.py"


@pytest.fixture(autouse=True, scope="module")
def _agent_venv() -> None:
    """The SDK's venv is part of `make test`: without it these tests fail, never skip."""
    if not AGENT_PYTHON.exists():
        pytest.fail(f"{AGENT_PYTHON} is missing: run `make agent-venv` (`make test` builds it)")

STREAMS = ("runs.stream", "runs.join_stream", "runs.stream stateless")


def sdk_calls(url: str, *options: str) -> dict[str, dict[str, Any]]:
    """Each call tests/sdk_calls.py made against ``url``, by name."""
    done = subprocess.run(
        [str(AGENT_PYTHON), str(SCRIPT), url, *options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {c["call"]: c for c in json.loads(done.stdout)["calls"]}


def failures(calls: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: c["error"] for name, c in calls.items() if not c["ok"]}


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    with serve_over_http(server_module(tmp_path_factory, "srv_agent_server").app) as url:
        yield sdk_calls(url)


@pytest.fixture(scope="module")
def reference() -> Iterator[dict[str, dict[str, Any]]]:
    with serve_over_http(create_app()) as url:
        yield sdk_calls(url, "--reference")


def result(calls: dict[str, dict[str, Any]], name: str) -> Any:
    assert calls[name]["ok"], calls[name]["error"]
    return calls[name]["result"]


# -- the generated server in mock mode ------------------------------------------------------


def test_every_sdk_call_works_against_the_mock(mock: dict[str, dict[str, Any]]) -> None:
    assert failures(mock) == {}
    assert len(mock) > 50


def test_the_sdk_streams_from_the_mock(mock: dict[str, dict[str, Any]]) -> None:
    """The seed declares its streams as plain strings: named ``message`` events with JSON data."""
    for name in STREAMS:
        assert result(mock, name) == [["message", {}]] * 3, name


def test_the_sdk_reads_the_run_from_the_mocks_content_location(mock: dict[str, dict[str, Any]]) -> None:
    created = result(mock, "runs.create")
    expected = {"run_id": created["run_id"], "thread_id": created["thread_id"]}
    assert result(mock, "runs.create on_run_created") == expected


# -- the reference server -------------------------------------------------------------------


def test_every_sdk_call_works_against_the_reference_server(reference: dict[str, dict[str, Any]]) -> None:
    expected = {
        "mt reject": "ConflictError",  # the thread is busy: multitask_strategy reject
        "threads.get after delete": "NotFoundError",
    }
    assert {n: e.split(":")[0] for n, e in failures(reference).items()} == expected


def test_a_background_run_through_the_sdk(reference: dict[str, dict[str, Any]]) -> None:
    created = result(reference, "runs.create")
    assert created["status"] == "pending"
    assert result(reference, "runs.create on_run_created") == {
        "run_id": created["run_id"],
        "thread_id": created["thread_id"],
    }
    assert result(reference, "runs.join") == {"messages": ["hello", "echo: hello"], "steps": 1}
    assert result(reference, "runs.get after join")["status"] == "success"
    assert result(reference, "runs.wait")["messages"][-2:] == ["wait", "echo: wait"]
    assert result(reference, "runs.get after cancel")["status"] == "interrupted"
    assert result(reference, "runs.get after cancel_many")["status"] == "interrupted"
    remaining = [r["run_id"] for r in result(reference, "runs.list after delete")]
    assert created["run_id"] not in remaining and len(remaining) == 5
    assert result(reference, "runs.wait stateless") == {"messages": ["stateless", "echo: stateless"], "steps": 1}
    assert len(result(reference, "runs.create_batch")) == 2


def test_the_sdk_streams_from_the_reference_server(reference: dict[str, dict[str, Any]]) -> None:
    stream = result(reference, "runs.stream")
    assert [event for event, _ in stream] == ["metadata", "values", "updates", "values", "end"]
    assert set(stream[0][1]) == {"run_id", "attempt"}
    assert stream[2][1] == {"echo": {"messages": ["echo: stream"], "steps": 3}}
    joined = result(reference, "runs.join_stream")
    assert [event for event, _ in joined] == ["metadata", "values", "values", "end"]
    assert joined[0][1]["run_id"] == result(reference, "runs.create (to join its stream)")["run_id"]
    assert [event for event, _ in result(reference, "runs.stream stateless")] == ["metadata", "values", "values", "end"]


def test_multitask_strategies_through_the_sdk(reference: dict[str, dict[str, Any]]) -> None:
    assert result(reference, "mt enqueued run before")["status"] == "pending"
    assert result(reference, "mt join interrupting run")["messages"][-2:] == ["last", "echo: last"]
    assert result(reference, "mt busy run after")["status"] == "interrupted"
    assert result(reference, "mt enqueued run after")["status"] == "interrupted"
    assert [r["status"] for r in result(reference, "mt runs.list")] == ["success", "interrupted", "interrupted"]


def test_threads_state_and_store_through_the_sdk(reference: dict[str, dict[str, Any]]) -> None:
    assert result(reference, "threads.search")[0]["metadata"] == {"t": "2"}
    assert result(reference, "threads.get_history")[0]["values"]["messages"][-1] == "edited"
    assert result(reference, "threads.copy")["values"] == result(reference, "threads.get_history")[0]["values"]
    assert result(reference, "assistants.get_versions")[0]["metadata"] == {"k": "w"}
    assert result(reference, "store.get_item")["value"] == {"v": 1}
    assert [i["key"] for i in result(reference, "store.search_items")["items"]] == ["k1"]
    assert result(reference, "store.list_namespaces") == {"namespaces": [["docs", "a"]]}
