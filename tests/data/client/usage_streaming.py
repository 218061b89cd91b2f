"""How streamed bodies are meant to be used (tests/data/client/streaming.yaml, installed as
``oapigen_client_streaming_api``); type-checked by test_client_typecheck.py.

``assert_type`` pins the types users see; ``# type: ignore[code]`` lines must stay errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import assert_type

from oapigen_client_streaming_api import (
    AsyncClient,
    AsyncJsonLines,
    AsyncStreamedResponse,
    Client,
    JsonLines,
    StreamedResponse,
    models,
)


def blocking(path: Path) -> None:
    with Client() as client:
        with client.with_streaming_response.files.download_file("a") as response:
            assert_type(response, StreamedResponse[bytes])
            for chunk in response.iter_bytes(65536):
                assert_type(chunk, bytes)
            assert_type(response.write_to(path), int)
        with client.with_streaming_response.files.upload_file("a", body=b"x") as stored:
            assert_type(stored.parse(), models.Stored)
        with path.open("rb") as file:
            assert_type(client.files.upload_file("a", body=file), models.Stored)
        client.files.upload_file("a", body="text")  # type: ignore[arg-type]
        events = client.events.list_events(count=2)
        assert_type(events, JsonLines[models.Event])
        with events:
            for event in events:
                assert_type(event, models.Event)


async def asynchronous(chunks: AsyncIterator[bytes]) -> None:
    async with AsyncClient() as client:
        async with client.with_streaming_response.files.read_text("a") as response:
            assert_type(response, AsyncStreamedResponse[str])
            async for line in response.iter_lines():
                assert_type(line, str)
            assert_type(await response.parse(), str)
        assert_type(await client.files.upload_file("a", body=chunks), models.Stored)
        events = client.events.event_lines()
        assert_type(events, AsyncJsonLines[models.Event])
        async with events:
            async for event in events:
                assert_type(event, models.Event)
