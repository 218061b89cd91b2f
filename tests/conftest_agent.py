"""The real LangGraph Agent Server, for tests/test_real_server.py (and tests against langgraph-sdk).

``agent_server_url`` starts ``langgraph dev`` (langgraph-cli[inmem], in-memory runtime, no
network) from ``.venv-agent`` -- a venv of its own that ``make`` builds from
tests/agent_graphs/requirements.txt, so none of the server's dependencies enter ours -- on
the LLM-free graphs of tests/agent_graphs/, on a free port of 127.0.0.1, once per test session.
It runs in a process group of its own and is stopped by that group's id at the end.

A server that does not start is a test failure that shows its log, never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
AGENT_VENV = ROOT / ".venv-agent"
GRAPHS = ROOT / "tests" / "agent_graphs"
START_TIMEOUT = 90.0  # seconds; the first start imports langgraph-api (a few seconds on 2 cores)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(log: Path, limit: int = 6000) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else "(no log)"
    return text[-limit:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server's process group (uvicorn may have children), politely then firmly."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"langgraph dev exited with {process.returncode} before serving:\n{_log_tail(log)}")
        try:
            if httpx.get(f"{url}/ok", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    _stop(process)
    pytest.fail(f"langgraph dev did not answer GET /ok within {START_TIMEOUT:.0f}s:\n{_log_tail(log)}")


@pytest.fixture(scope="session")
def agent_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running real Agent Server with the graphs echo, ask, slow and fail."""
    langgraph = AGENT_VENV / "bin" / "langgraph"
    if not langgraph.exists():
        pytest.fail(f"{langgraph} is missing: run `make agent-venv` (`make test` builds it)")
    # `langgraph dev` keeps its state under .langgraph_api/ of the project folder: use a copy.
    project = tmp_path_factory.mktemp("agent_graphs")
    for name in ("langgraph.json", "graphs.py"):
        shutil.copy(GRAPHS / name, project / name)
    log = project / "server.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_"))}
    env.update(LANGGRAPH_NO_ANALYTICS="1", LANGSMITH_TRACING="false", PYTHONUNBUFFERED="1")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(langgraph), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        _stop(process)
