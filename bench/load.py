"""The generated server under real load: uvicorn on 127.0.0.1, driven by httpx from asyncio.

The seed spec (with its overlay) is generated into a temporary folder; each app runs in its own
``uvicorn`` process (one worker, h11), so its RSS is measured alone (``/proc/<pid>/status``):

* ``mock``: ``create_app()`` (answers from the spec); ``handler``: ``create_app(Prebuilt())``
  returning a prebuilt Run; ``hand-written``: one FastAPI route (``response_model=Run``).

Phases, each bounded in requests and in seconds:

1. throughput: ``POST /threads/{thread_id}/runs``, ``--concurrency`` connections (default 200)
   per app, the apps taking ``--rounds`` turns; requests/s (overall, and the median of the
   turns, which the ratios use), p50/p99 latency, errors (not 200, or a transport error), RSS;
2. SSE: ``--streams`` (default 500) concurrent ``POST /threads/{id}/runs/stream`` to the mock,
   each read to its end; how many arrived complete (3 events);
3. leak check: ``--leak`` (default 20,000) requests with distinct thread ids to the mock; RSS
   after a warm-up of 2,000 and at the end;
4. bad traffic to the mock: malformed JSON, 10 MB bodies (a JSON array where an object is
   expected), 11 MB bodies (over the default limit), a wrong content type, 64 KB query strings and 64 KB headers; the statuses, and the
   longest a ``GET /ok`` probe (every 20 ms, on its own connection) waited meanwhile;
5. bursts: ``--bursts`` (default 10) rounds of 30 10.4 MB invalid bodies, 10 at a time, to a
   fresh mock; the RSS at the start and a second after each round (flat, not growing, when
   nothing leaks);
6. client: the generated ``AsyncClient`` with its default connection pool (or
   ``--client-limits``), shared by 100 and by 500 tasks calling ``system.health_check()``;
   requests/s, p50/p99, errors, and how many TCP connections the server saw.

Nothing is asserted; the table is printed (``--json`` also writes it). Only 127.0.0.1.

    .venv/bin/python bench/load.py [--concurrency 200] [--requests 4000] [--seconds 20]
        [--streams 500] [--leak 20000] [--bursts 10] [--skip throughput,sse,leak,bad,bursts,client]
        [--client-limits 100/20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seed_package import install_seed  # noqa: E402

PACKAGE = "bench_load_agent_server"
BODY = json.dumps({"assistant_id": "agent", "input": {"messages": []}}).encode()
JSON = {"content-type": "application/json"}

APPS = f'''
"""The apps bench/load.py serves, each wrapped to count the TCP connections it sees."""
import uuid
import warnings
from typing import Any

warnings.filterwarnings("ignore", message=".*httpx2.*")  # starlette's TestClient on httpx

from fastapi import Body, FastAPI
from fastapi.testclient import TestClient
from typing_extensions import Annotated

from {PACKAGE} import models, server

PEERS: set[Any] = set()


def counting(app: Any) -> Any:
    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            if scope["path"] == "/__bench/connections":
                body = str(len(PEERS)).encode()
                await send({{"type": "http.response.start", "status": 200, "headers": []}})
                await send({{"type": "http.response.body", "body": body}})
                return
            PEERS.add(scope.get("client"))
        await app(scope, receive, send)

    return wrapper


_mock = server.create_app()
RUN = models.Run.model_validate_json(
    TestClient(_mock).post("/threads/" + str(uuid.UUID(int=1)) + "/runs", content={BODY!r},
                           headers={{"content-type": "application/json"}}).content
)


class Prebuilt(server.Handlers):
    async def create_run(self, **_: Any) -> Any:
        return RUN


def _hand_written() -> FastAPI:
    app = FastAPI()

    @app.post("/threads/{{thread_id}}/runs", response_model=models.Run, response_model_exclude_unset=True)
    async def create_run(thread_id: uuid.UUID, body: Annotated[models.RunCreateStateful, Body()]) -> Any:
        return RUN

    return app


mock = counting(_mock)
handler = counting(server.create_app(Prebuilt()))
hand_written = counting(_hand_written())
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Served:
    url: str
    pid: int

    def rss(self) -> float:
        return rss_mb(self.pid)


@contextmanager
def serve(folder: Path, app: str) -> Iterator[Served]:
    """``uvicorn loadapps:<app>`` in its own process, until the block ends."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(folder)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"loadapps:{app}", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log", "--lifespan", "off"],
        cwd=folder, env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn for {app} did not start") from None
                time.sleep(0.1)
        yield Served(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Row:
    phase: str
    target: str
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    rss_mb: float = float("nan")
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def drive(call: Callable[[int], Awaitable[bool]], concurrency: int, total: int,
                seconds: float) -> tuple[int, float, int, list[float]]:
    """``total`` calls (or as many as fit in ``seconds``) from ``concurrency`` tasks:
    (done, elapsed, errors, latencies)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    start = time.perf_counter()

    async def worker() -> None:
        nonlocal errors
        for number in counter:
            if time.perf_counter() - start > seconds:
                return
            begin = time.perf_counter()
            try:
                ok = await call(number)
            except Exception:
                ok = False
            latencies.append(time.perf_counter() - begin)
            errors += not ok

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies), time.perf_counter() - start, errors, latencies


def pool(size: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                             timeout=httpx.Timeout(60.0))


async def throughput(url: str, concurrency: int, total: int, seconds: float, distinct: bool = False,
                     first: int = 0) -> tuple[int, float, int, list[float]]:
    async with pool(concurrency) as http:
        async def call(number: int) -> bool:
            thread = uuid.UUID(int=first + number if distinct else 1)
            response = await http.post(f"{url}/threads/{thread}/runs", content=BODY, headers=JSON)
            return response.status_code == 200

        for number in range(20):  # warm up
            await call(number)
        return await drive(call, concurrency, total, seconds)


async def sse(url: str, streams: int, seconds: float) -> tuple[int, float, int, list[float], int]:
    async with pool(streams) as http:
        complete = 0

        async def call(number: int) -> bool:
            nonlocal complete
            thread = uuid.UUID(int=number + 7)
            async with http.stream("POST", f"{url}/threads/{thread}/runs/stream", content=BODY,
                                   headers=JSON) as response:
                text = (await response.aread()).decode()
            events = [block for block in text.split("\n\n") if block.strip()]
            whole = response.status_code == 200 and len(events) == 3 and text.endswith("\n\n")
            complete += whole
            return whole

        done, elapsed, errors, latencies = await drive(call, streams, streams, seconds)
        return done, elapsed, errors, latencies, complete


BAD_KINDS: dict[str, tuple[int, Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]]] = {}


def bad(name: str, count: int) -> Callable[[Any], Any]:
    def register(function: Any) -> Any:
        BAD_KINDS[name] = (count, function)
        return function

    return register


THREAD_RUNS = f"/threads/{uuid.UUID(int=1)}/runs"


@bad("malformed JSON", 200)
def _malformed(http: httpx.AsyncClient, url: str) -> Awaitable[httpx.Response]:
    return http.post(url + THREAD_RUNS, content=b'{"assistant_id": "a", "input": {', headers=JSON)


@bad("10.4 MB invalid body", 5)
def _huge(http: httpx.AsyncClient, url: str) -> Awaitable[httpx.Response]:
    return http.post(url + THREAD_RUNS, content=HUGE, headers=JSON)


# Made once, before any probe runs: 10.4 MB (under the default limit of 10 MiB), a list where
# an object goes; 11 MB, over it.
HUGE = json.dumps(["abcdefghij"] * 740_000).encode()
OVER_LIMIT = b"[" + b"1," * 5_500_000 + b"1]"


@bad("11 MB body", 5)
def _over_limit(http: httpx.AsyncClient, url: str) -> Awaitable[httpx.Response]:
    return http.post(url + THREAD_RUNS, content=OVER_LIMIT, headers=JSON)


@bad("wrong content type", 200)
def _content_type(http: httpx.AsyncClient, url: str) -> Awaitable[httpx.Response]:
    return http.post(url + THREAD_RUNS, content=BODY, headers={"content-type": "text/plain"})


@bad("64 KB query string", 50)
def _long_url(http: httpx.AsyncClient, url: str) -> Awaitable[httpx.Response]:
    return http.get(url + "/ok", params={"q": "x" * 65_400})  # httpx's URL limit is 64 KiB


@bad("64 KB header", 50)
def _long_header(http: httpx.AsyncClient, url: str) -> Awaitable[httpx.Response]:
    return http.get(url + "/ok", headers={"x-padding": "x" * 65_536})


async def bad_traffic(url: str, kind: str, seconds: float) -> tuple[Counter[str], float, float, int]:
    """The statuses of ``kind``'s requests (10 at a time), the longest ``GET /ok`` probe wait
    meanwhile, the elapsed time and the number of probes."""
    count, send = BAD_KINDS[kind]
    statuses: Counter[str] = Counter()
    probes: list[float] = []
    stop = threading.Event()

    def probe() -> None:  # a thread of its own: the driver's event loop does not delay it
        with httpx.Client(timeout=60) as http:
            while not stop.is_set():
                begin = time.perf_counter()
                http.get(url + "/ok")
                probes.append(time.perf_counter() - begin)
                time.sleep(0.02)

    async with pool(10) as http:
        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        await asyncio.sleep(0.1)

        async def call(_: int) -> bool:
            try:
                response = await send(http, url)
                statuses[str(response.status_code)] += 1
                return 400 <= response.status_code < 500
            except Exception as exc:
                statuses[type(exc).__name__] += 1
                return False

        _, elapsed, _, _ = await drive(call, 10, count, seconds)
        stop.set()
        thread.join()
    return statuses, max(probes, default=0.0), elapsed, len(probes)


async def bursts(served: Served, rounds: int, seconds: float) -> tuple[int, float, int, list[float], list[float]]:
    """``rounds`` bursts of 30 10.4 MB invalid bodies, 10 at a time: (done, elapsed, errors,
    latencies, the RSS after each burst, a second after it)."""
    done = errors = 0
    elapsed = 0.0
    latencies: list[float] = []
    rss: list[float] = []
    async with pool(10) as http:
        async def call(_: int) -> bool:
            response = await http.post(served.url + THREAD_RUNS, content=HUGE, headers=JSON)
            return response.status_code == 422

        for _ in range(rounds):
            n, spent, failed, times = await drive(call, 10, 30, seconds)
            done, elapsed, errors = done + n, elapsed + spent, errors + failed
            latencies += times
            await asyncio.sleep(1)
            rss.append(served.rss())
    return done, elapsed, errors, latencies, rss


async def client_load(package: Any, url: str, tasks: int, total: int, seconds: float,
                      limits: str | None) -> tuple[int, float, int, list[float], int]:
    if limits:  # another pool than the generated client's default, to compare
        connections, alive = (int(n) for n in limits.split("/"))
        base = sys.modules[f"{package.__name__}._base_client"]
        base.DEFAULT_CONNECTION_LIMITS = httpx.Limits(max_connections=connections, max_keepalive_connections=alive)
    async with package.AsyncClient(base_url=url) as client:
        async def call(_: int) -> bool:
            await client.system.health_check()
            return True

        await call(0)
        done, elapsed, errors, latencies = await drive(call, tasks, total, seconds)
    async with httpx.AsyncClient() as http:
        connections = int((await http.get(url + "/__bench/connections")).text)
    return done, elapsed, errors, latencies, connections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--seconds", type=float, default=20.0, help="bound of each phase")
    parser.add_argument("--rounds", type=int, default=5, help="turns each app takes in the throughput phase")
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--leak", type=int, default=20_000)
    parser.add_argument("--bursts", type=int, default=10, help="rounds of 30 10.4 MB bodies (RSS after each)")
    parser.add_argument("--skip", default="", help="comma-separated phases to skip")
    parser.add_argument("--client-limits", metavar="CONNECTIONS/KEPT_ALIVE",
                        help="the client phase with this pool instead of the generated default")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    rows: list[Row] = []

    def add(row: Row) -> None:
        rows.append(row)
        print(format_row(row), flush=True)

    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp)
        package = install_seed(folder, PACKAGE)
        (folder / "loadapps.py").write_text(textwrap.dedent(APPS), encoding="utf-8")
        if "throughput" not in skip:
            with serve(folder, "mock") as mock, serve(folder, "handler") as handler, \
                    serve(folder, "hand_written") as hand:
                apps = {"mock": mock, "handler": handler, "hand_written": hand}
                results: dict[str, list[tuple[int, float, int, list[float]]]] = {name: [] for name in apps}
                for _ in range(args.rounds):  # the apps take turns: a burst of load hits all alike
                    for name, served in apps.items():
                        results[name].append(asyncio.run(throughput(
                            served.url, args.concurrency, args.requests // args.rounds, args.seconds / args.rounds)))
                for name, served in apps.items():
                    turns = results[name]
                    latencies = [x for turn in turns for x in turn[3]]
                    rates = sorted(turn[0] / turn[1] for turn in turns)
                    add(Row("throughput", f"{name} x{args.concurrency}", sum(t[0] for t in turns),
                            sum(t[1] for t in turns), sum(t[2] for t in turns), percentile(latencies, 0.5),
                            percentile(latencies, 0.99), served.rss(),
                            {"median of turns": f"{rates[len(rates) // 2]:.0f} req/s"}))
        with serve(folder, "mock") as served:
            if "sse" not in skip:
                done, elapsed, errors, latencies, complete = asyncio.run(sse(served.url, args.streams, 60))
                add(Row("sse", f"mock x{args.streams} streams", done, elapsed, errors,
                        percentile(latencies, 0.5), percentile(latencies, 0.99), served.rss(),
                        {"complete": f"{complete}/{args.streams}"}))
            if "leak" not in skip:
                warm = min(2000, args.leak)
                asyncio.run(throughput(served.url, 50, warm, 60, distinct=True, first=10_000))
                before = served.rss()
                done, elapsed, errors, latencies = asyncio.run(
                    throughput(served.url, 50, args.leak, 180, distinct=True, first=100_000))
                add(Row("leak", f"mock, {args.leak:,} distinct", done, elapsed, errors,
                        percentile(latencies, 0.5), percentile(latencies, 0.99), served.rss(),
                        {"rss after warm-up": f"{before:.0f} MB"}))
            if "bad" not in skip:
                start_rss = served.rss()
                for kind in BAD_KINDS:
                    statuses, worst, elapsed, probes = asyncio.run(bad_traffic(served.url, kind, 60))
                    errors = sum(n for s, n in statuses.items() if not (s.isdigit() and 400 <= int(s) < 500))
                    add(Row("bad traffic", kind, sum(statuses.values()), elapsed, errors, rss_mb=served.rss(),
                            notes={"statuses": dict(sorted(statuses.items())),
                                   "longest /ok wait": f"{worst * 1000:.0f} ms over {probes} probes",
                                   "rss before bad traffic": f"{start_rss:.0f} MB"}))
                asyncio.run(throughput(served.url, 50, 2000, 60, distinct=True, first=10_000))
                add(Row("bad traffic", "RSS after, + 2,000 good", rss_mb=served.rss()))
        if "bursts" not in skip:
            with serve(folder, "mock") as served:
                asyncio.run(throughput(served.url, 10, 100, 60))
                start_rss = served.rss()
                done, elapsed, errors, latencies, rss = asyncio.run(bursts(served, args.bursts, 120))
                add(Row("bursts", f"{args.bursts} x 30 x 10.4 MB, 10 at a time", done, elapsed, errors,
                        percentile(latencies, 0.5), percentile(latencies, 0.99), rss[-1],
                        {"rss at start": f"{start_rss:.0f} MB",
                         "rss after each burst": " ".join(f"{r:.0f}" for r in rss)}))
        if "client" not in skip:
            for tasks, total in ((100, 5000), (500, 5000)):
                with serve(folder, "mock") as served:
                    done, elapsed, errors, latencies, connections = asyncio.run(
                        client_load(package, served.url, tasks, total, args.seconds * 3, args.client_limits))
                    add(Row("client", f"AsyncClient x{tasks} tasks" + (f", {args.client_limits}" if args.client_limits else ""), done, elapsed, errors,
                            percentile(latencies, 0.5), percentile(latencies, 0.99), served.rss(),
                            {"TCP connections": connections}))
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "rps": r.rps} for r in rows], indent=2, default=str))
    by_target = {r.target.split(" x")[0]: float(r.notes["median of turns"].split()[0])
                 for r in rows if r.phase == "throughput"}
    if "mock" in by_target and "hand_written" in by_target:
        print(f"mock / hand-written: {by_target['mock'] / by_target['hand_written']:.2f}; "
              f"handler / hand-written: {by_target['handler'] / by_target['hand_written']:.2f}")


HEADER = (f"| {'phase':<11} | {'target':<26} | {'requests':>8} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>8} "
          f"| {'errors':>6} | {'RSS MB':>6} | notes |\n|{'-' * 13}|{'-' * 28}|{'-' * 10}|{'-' * 9}|{'-' * 9}"
          f"|{'-' * 10}|{'-' * 8}|{'-' * 8}|-------|")


def format_row(row: Row) -> str:
    notes = "; ".join(f"{k}: {v}" for k, v in row.notes.items())
    return (f"| {row.phase:<11} | {row.target:<26} | {row.requests:>8} | {row.rps:>7.0f} | {row.p50_ms:>7.1f} "
            f"| {row.p99_ms:>8.1f} | {row.errors:>6} | {row.rss_mb:>6.0f} | {notes} |")


if __name__ == "__main__":
    main()
