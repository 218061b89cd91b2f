"""Per-call overhead of the generated client against raw httpx + pydantic.

Both sides send ``POST /threads/{thread_id}/runs`` with a small JSON body through the same
in-process ``httpx.MockTransport`` (answering a fixed Run) and return a validated
``models.Run``:

* ``raw``: ``httpx.Client.post(...)`` with the body dumped from the model, then
  ``raise_for_status()`` and ``models.Run.model_validate_json(response.content)``;
* ``generated``: ``client.thread_runs.create_run(thread_id, body=...)``.

The same again with ``httpx.AsyncClient`` against ``AsyncClient``, awaited one call after the
other in one event loop. Prints the median time per call of each over ``--rounds`` rounds of
``--calls`` calls, and the ratios generated / raw (the target is <= 1.15). No sockets; nothing
is asserted.

    .venv/bin/python bench/client_overhead.py [--calls 2000] [--rounds 5]
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seed_package import install_seed  # noqa: E402

PACKAGE = "bench_client_agent_server"
THREAD = uuid.UUID(int=1)
RUN = {
    "run_id": str(uuid.UUID(int=2)),
    "thread_id": str(THREAD),
    "assistant_id": str(uuid.UUID(int=3)),
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
    "status": "pending",
    "metadata": {},
    "kwargs": {},
    "multitask_strategy": "reject",
}


def load_package(folder: Path) -> Any:
    return install_seed(folder, PACKAGE)


def timed(fn: Callable[[], Any], calls: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


async def timed_async(fn: Callable[[], Awaitable[Any]], calls: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            await fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def report(label: str, raw_t: float, gen_t: float) -> None:
    print(f"{label} raw httpx + pydantic : {raw_t * 1e6:8.1f} us/call")
    print(f"{label} generated client     : {gen_t * 1e6:8.1f} us/call")
    print(f"{label} ratio generated/raw  : {gen_t / raw_t:8.2f}  (target <= 1.15)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import httpx

    package = load_package(Path(tempfile.mkdtemp(prefix="oapigen-bench-")))
    models = package.models
    answer = json.dumps(RUN).encode()
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=answer, headers={"content-type": "application/json"})
    )
    body = models.RunCreateStateful(assistant_id="agent")
    path = f"/threads/{THREAD}/runs"
    json_type = {"content-type": "application/json"}

    raw_http = httpx.Client(transport=transport, base_url="http://bench")

    def raw() -> Any:
        response = raw_http.post(
            path, content=body.model_dump_json(exclude_unset=True, by_alias=True), headers=json_type
        )
        response.raise_for_status()
        return models.Run.model_validate_json(response.content)

    client = package.Client(
        base_url="http://bench", http_client=httpx.Client(transport=transport, base_url="http://bench")
    )

    def generated() -> Any:
        return client.thread_runs.create_run(THREAD, body=body)

    assert isinstance(raw(), models.Run) and isinstance(generated(), models.Run)
    for fn in (raw, generated):  # warm up
        timed(fn, 200, 1)
    report("sync ", timed(raw, args.calls, args.rounds), timed(generated, args.calls, args.rounds))

    async def run_async() -> tuple[float, float]:
        raw_http = httpx.AsyncClient(transport=transport, base_url="http://bench")

        async def raw() -> Any:
            response = await raw_http.post(
                path, content=body.model_dump_json(exclude_unset=True, by_alias=True), headers=json_type
            )
            response.raise_for_status()
            return models.Run.model_validate_json(response.content)

        client = package.AsyncClient(
            base_url="http://bench",
            http_client=httpx.AsyncClient(transport=transport, base_url="http://bench"),
        )

        async def generated() -> Any:
            return await client.thread_runs.create_run(THREAD, body=body)

        assert isinstance(await raw(), models.Run) and isinstance(await generated(), models.Run)
        for fn in (raw, generated):  # warm up
            await timed_async(fn, 200, 1)
        return (
            await timed_async(raw, args.calls, args.rounds),
            await timed_async(generated, args.calls, args.rounds),
        )

    report("async", *asyncio.run(run_async()))


if __name__ == "__main__":
    main()
