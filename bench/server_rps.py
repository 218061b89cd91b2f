"""Requests per second of the generated server for ``POST /threads/{thread_id}/runs``.

Three apps answer the same request with the same Run:

* ``mock``: the generated server without handlers (the answer synthesized once, then
  remembered for the same request);
* ``mock, distinct requests``: the same with a new thread id in every request, so that each
  answer is synthesized;
* ``handler``: the generated server with a handler returning a prebuilt Run;
* ``hand-written``: one FastAPI route with ``response_model=Run`` returning that Run;
* ``hand-written, 57 routes``: the same route among trivial ones for the seed's other
  operations, in the generated order: FastAPI matches routes one by one, so the size of the
  routing table alone costs a large share.

Requests go straight to the ASGI app in process (no sockets, no HTTP client), so the numbers
are the server's own cost. The apps take turns, ``--rounds`` times, each turn bounded by
``--requests`` and by ``--seconds`` over the rounds; each app's rate is the median of its
turns, so that a burst of load on the machine does not fall on one app alone. ``--profile``
prints where one app's requests spend their time instead (cProfile, by own time).

    .venv/bin/python bench/server_rps.py [--requests 3000] [--seconds 20] [--rounds 5]
    .venv/bin/python bench/server_rps.py --profile handler
"""

import argparse
import asyncio
import cProfile
import importlib
import json
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seed_package import install_seed  # noqa: E402

PACKAGE = "bench_agent_server"
THREAD = uuid.UUID(int=1)
BODY = json.dumps({"assistant_id": "agent", "input": {"messages": []}}).encode()


def load_server(folder: Path) -> Any:
    package = install_seed(folder, PACKAGE)
    return importlib.import_module(f"{package.__name__}.server")


async def call(app: Any, thread: uuid.UUID = THREAD) -> tuple[int, bytes]:
    """One POST through the ASGI interface."""
    path = f"/threads/{thread}/runs"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def rate(app: Any, requests: int, seconds: float, first: int | None = None) -> float:
    """Requests per second; ``first``: the thread id of the first request, the next ones
    following it (distinct requests), None: every request for the same thread."""
    for _ in range(50):  # warm up: caches, lazy imports
        await call(app)
    done, start = 0, time.perf_counter()
    while done < requests and time.perf_counter() - start < seconds:
        thread = THREAD if first is None else uuid.UUID(int=first + done)
        status, _ = await call(app, thread)
        assert status == 200, status
        done += 1
    return done / (time.perf_counter() - start)


def profile(app: Any, requests: int) -> None:
    """Print the functions ``requests`` requests to ``app`` spend the most own time in."""
    asyncio.run(rate(app, 50, 10))
    profiler = cProfile.Profile()
    profiler.runcall(asyncio.run, rate(app, requests, 1e9))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def hand_written(models: Any, run: Any, among: Any = None) -> Any:
    """The route as one writes it by hand; ``among``: an app whose other routes to copy (as
    trivial endpoints, in order) around it."""
    from typing import Annotated

    from fastapi import Body, FastAPI
    from fastapi.routing import APIRoute

    async def create_run(
        thread_id: uuid.UUID, body: Annotated[models.RunCreateStateful, Body()]
    ) -> Any:
        return run

    async def other() -> None:
        return None

    app = FastAPI()
    routes = [r for r in among.routes if isinstance(r, APIRoute)] if among else []
    for route in routes or [None]:
        if route is None or route.name == "create_run":
            app.post(
                "/threads/{thread_id}/runs",
                response_model=models.Run,
                response_model_exclude_unset=True,
            )(create_run)
        else:
            app.add_api_route(route.path, other, methods=list(route.methods), name=route.name)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", metavar="APP", help="mock, handler or hand-written")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="server-rps-") as tmp:
        server = load_server(Path(tmp))
        mock = server.create_app()
        status, body = asyncio.run(call(mock))
        assert status == 200, body
        run = server.models.Run.model_validate_json(body)

        class Prebuilt(server.Handlers):  # type: ignore[misc,name-defined]
            async def create_run(self, **_: Any) -> Any:
                return run

        apps = {
            "mock": mock,
            "handler": server.create_app(Prebuilt()),
            "hand-written": hand_written(server.models, run),
            "hand-written, 57 routes": hand_written(server.models, run, among=mock),
        }
        for name, app in apps.items():
            assert json.loads(asyncio.run(call(app))[1]) == json.loads(body), name
        if args.profile:
            profile(apps[args.profile], args.requests)
            return
        apps["mock, distinct requests"] = server.create_app()
        turns: dict[str, list[float]] = {name: [] for name in apps}
        for turn in range(args.rounds):
            for name, app in apps.items():
                first = 2 + turn * args.requests if name == "mock, distinct requests" else None
                turns[name].append(
                    asyncio.run(rate(app, args.requests, args.seconds / args.rounds, first))
                )
    rates = {name: statistics.median(values) for name, values in turns.items()}
    for name, value in rates.items():
        print(f"{name:>23}: {value:8.0f} requests/s")
    for baseline in ("hand-written", "hand-written, 57 routes"):
        for name in ("mock", "mock, distinct requests", "handler"):
            print(f"{name} / {baseline}: {rates[name] / rates[baseline]:.2f}")


if __name__ == "__main__":
    main()
