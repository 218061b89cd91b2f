"""Server: once over real HTTP, the mock seed server under uvicorn on 127.0.0.1 (a free port,
in a thread, bounded in time, shut down at the end)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from .conftest import serve_over_http
from .test_server_generate import server_module
from .test_server_mock import parse_events


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_over_http(server_module(tmp_path_factory, "srv_agent_server").app) as url:
        yield url


def test_mock_server_over_http(base_url: str) -> None:
    thread_id = str(uuid.uuid4())
    with httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/ok").json() == client.get("/ok").json()
        run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "agent"})
        assert run.status_code == 200
        assert run.json()["thread_id"] == thread_id
        # the run's URL (GET /threads/{thread_id}/runs/{run_id}), from the path and the answer
        assert run.headers["content-location"] == f"/threads/{thread_id}/runs/{run.json()['run_id']}"
        with client.stream("POST", f"/threads/{thread_id}/runs/stream", json={"assistant_id": "agent"}) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            text = "".join(stream.iter_text())
        assert [e["id"] for e in parse_events(text)] == ["1", "2", "3"]
        assert client.get("/threads/nope").status_code == 422
