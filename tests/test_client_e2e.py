"""The generated seed client against the generated seed server (mock mode), in process through
``httpx.ASGITransport``: every answer must decode strictly into the declared types."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest_client import install

THREAD = uuid.UUID("00000000-0000-4000-8000-000000000001")


@pytest.fixture(scope="session")
def seed(generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "agent_server", generated_packages["agent_server"][1].files)


def test_client_against_generated_server(seed: ModuleType) -> None:
    server = importlib.import_module(f"{seed.__name__}.server")
    models = seed.models

    async def main() -> None:
        transport = httpx.ASGITransport(app=server.create_app())
        http = httpx.AsyncClient(transport=transport)
        async with seed.AsyncClient(base_url="http://test", http_client=http, max_retries=0) as client:
            assert isinstance(await client.assistants.create_assistant(body={"graph_id": "agent"}), models.Assistant)
            assert isinstance(await client.threads.create_thread(body={}), models.Thread)
            raw = await client.with_raw_response.thread_runs.create_run(THREAD, body={"assistant_id": "agent"})
            assert isinstance(raw.parse(), models.Run)
            assert raw.headers["Content-Location"].startswith(f"/threads/{THREAD}/runs")
            assert raw.declared_headers.content_location == raw.headers["Content-Location"]
            events = [e async for e in client.thread_runs.stream_run(THREAD, body={"assistant_id": "agent"})]
            assert events and all(isinstance(e, seed.ServerSentEvent) for e in events)
            history = await client.threads.get_thread_history(THREAD, limit=2, before="x")
            assert history and all(isinstance(s, models.ThreadState) for s in history)
            assert await client.store.put_item(body={"namespace": ["a"], "key": "k", "value": {}}) is None
            runs = (await client.thread_runs.list_runs_http(THREAD, select=["run_id", "status"], status="pending")).items
            assert runs and all(isinstance(r, models.Run) for r in runs)
            assert (await client.system.health_check(check_db=1)).ok is True
        await http.aclose()

    asyncio.run(main())
