"""Server: once over real HTTP, the mock seed server under uvicorn on 127.0.0.1 (a free port,
in a thread, bounded in time, shut down at the end)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from .test_server_generate import server_module
from .test_server_mock import parse_events


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    server = server_module(tmp_path_factory, "srv_agent_server")
    config = uvicorn.Config(server.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = uv.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not stop"


def test_mock_server_over_http(base_url: str) -> None:
    thread_id = str(uuid.uuid4())
    with httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/ok").json() == client.get("/ok").json()
        run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "agent"})
        assert run.status_code == 200
        assert run.json()["thread_id"] == thread_id
        assert run.headers["content-location"] == f"/threads/{thread_id}/runs"
        with client.stream("POST", f"/threads/{thread_id}/runs/stream", json={"assistant_id": "agent"}) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            text = "".join(stream.iter_text())
        assert [e["id"] for e in parse_events(text)] == ["1", "2", "3"]
        assert client.get("/threads/nope").status_code == 422
