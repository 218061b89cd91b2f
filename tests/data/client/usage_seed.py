"""How the generated seed client is meant to be used; type-checked by test_client_typecheck.py.

``assert_type`` pins the types users see; ``# type: ignore[code]`` lines must stay errors
(``mypy --strict`` reports an ignore that is no longer needed).
"""

from __future__ import annotations

import uuid
from typing import Any, assert_type

import httpx
from oapigen_client_agent_server import (
    NOT_GIVEN,
    ApiError,
    AsyncClient,
    AsyncStream,
    Client,
    NotFoundError,
    RawResponse,
    ServerSentEvent,
    Stream,
    models,
)


def blocking(thread_id: uuid.UUID, key: str) -> None:
    with Client(base_url="http://127.0.0.1:2024", headers={"X-Api-Key": key}, timeout=30.0, max_retries=2) as client:
        run = client.thread_runs.create_run(thread_id, body=models.RunCreateStateful(assistant_id="agent"))
        assert_type(run, models.Run)
        for event in client.thread_runs.stream_run(thread_id, body={"assistant_id": "agent"}):
            assert_type(event, ServerSentEvent)
        with client.thread_runs.stream_run(thread_id, body={"assistant_id": "agent"}) as stream:
            assert_type(stream, Stream)
            assert_type(stream.response, httpx.Response)
        raw = client.with_raw_response.thread_runs.create_run(thread_id, body={"assistant_id": "agent"})
        assert_type(raw, RawResponse[models.Run])
        assert_type(raw.parse(), models.Run)
        history = client.threads.get_thread_history(thread_id, limit=5, before=NOT_GIVEN, timeout=1.0)
        assert_type(history, list[models.ThreadState])
        assert_type(client.system.system_metrics(format="json"), dict[str, Any] | str)
        try:
            client.threads.get_thread(thread_id, extra_headers={"X-Trace": "1"}, extra_query={"debug": "1"})
        except NotFoundError as error:
            assert_type(error.status_code, int)
        except ApiError as error:
            assert_type(error.response, httpx.Response)
        patient = client.with_options(max_retries=5, timeout=120.0, headers={"X-Trace": "1"}, follow_redirects=False)
        assert_type(patient, Client)
        assert_type(patient.threads.get_thread(thread_id, max_retries=0), models.Thread)
        assert_type(raw.declared_headers.content_location, Any)
        client.with_options(max_retries="5")  # type: ignore[arg-type]
        client.threads.get_thread_history(thread_id, 5)  # type: ignore[call-arg]
        client.thread_runs.create_run(thread_id, body=1)  # type: ignore[arg-type]
        client.thread_runs.list_runs_http(thread_id, status="unknown")  # type: ignore[arg-type]


async def asynchronous(thread_id: uuid.UUID) -> None:
    async with AsyncClient(base_url="http://127.0.0.1:2024") as client:
        run = await client.thread_runs.create_run(thread_id, body={"assistant_id": "agent"})
        assert_type(run, models.Run)
        async for event in client.thread_runs.stream_run(thread_id, body={"assistant_id": "agent"}):
            assert_type(event, ServerSentEvent)
        stream = await client.thread_runs.stream_run(thread_id, body={"assistant_id": "agent"})
        assert_type(stream, AsyncStream)
        assert_type(client.with_options(max_retries=0), AsyncClient)
        raw = await client.with_raw_response.thread_runs.stream_run(thread_id, body={"assistant_id": "agent"})
        assert_type(raw, RawResponse[AsyncStream])
        assert_type(raw.headers, httpx.Headers)
