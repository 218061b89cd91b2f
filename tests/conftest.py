"""Shared fixtures: each spec of the repo is generated once per test run."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

if "mutmut" in sys.modules:
    # `make mutate`: mutmut runs these tests over its mutated copy, importable only as `generator`
    # (it names mutants by path), so `oapigen` must be that copy under its other name.
    from tests.mutation_alias import alias_oapigen_to_generator

    alias_oapigen_to_generator()

from oapigen.run.config import Job, load_jobs

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPECS = ROOT.parent / "shared" / "specs"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"


def pytest_configure(config: pytest.Config) -> None:
    """``UPDATE_GOLDEN`` makes the golden tests write what they then compare: they cannot fail.
    In CI that would accept any change of the output, so it is refused there."""
    if UPDATE_GOLDEN and os.environ.get("CI"):
        raise pytest.UsageError(
            "UPDATE_GOLDEN=1 is refused when CI is set: it rewrites the goldens, so the golden tests "
            "cannot fail. Regenerate them locally (`make generate`, `UPDATE_GOLDEN=1 pytest "
            "tests/test_golden.py`) and commit the result."
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"oapigen cache: {os.environ.get('OAPIGEN_TEST_CACHE_DIR') or 'a new empty folder for this session'}"]
    if UPDATE_GOLDEN:
        lines.append("UPDATE_GOLDEN=1: the golden tests REWRITE generated/ and tests/golden/ (they cannot fail)")
    return lines


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The random order's seed again at the end (also with -q), to repeat a failing order."""
    seed = getattr(config.option, "randomly_seed", None)
    if config.pluginmanager.has_plugin("randomly") and seed is not None:
        terminalreporter.write_line(f"tests ran in random order: repeat it with --randomly-seed={seed}")


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each session gets its own empty oapigen cache (``OAPIGEN_CACHE_DIR``, inherited by the
    CLI subprocesses too): the suite never reads nor fills the user's ``~/.cache/oapigen``, and
    the cold paths (datamodel-code-generator, black) run. ``OAPIGEN_TEST_CACHE_DIR=<folder>``
    keeps one cache across sessions instead (a warm, faster local run)."""
    kept = os.environ.get("OAPIGEN_TEST_CACHE_DIR")
    folder = Path(kept) if kept else tmp_path_factory.mktemp("oapigen_cache")
    previous = os.environ.get("OAPIGEN_CACHE_DIR")
    os.environ["OAPIGEN_CACHE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop("OAPIGEN_CACHE_DIR", None)
        else:
            os.environ["OAPIGEN_CACHE_DIR"] = previous


def repo_jobs() -> list[Job]:
    """The golden cases: the [[tool.oapigen.specs]] tables of this repo's pyproject.toml."""
    return load_jobs(ROOT / "pyproject.toml")


_REPO_GENERATED: dict[str, tuple[Job, Any]] = {}


def repo_generated() -> dict[str, tuple[Job, Any]]:
    """package name -> (job, in-memory generation result), for every spec in specs/: generated
    once per session, shared by every test that needs them (the seed with its overlay is the
    slowest spec)."""
    from oapigen.run.pipeline import generate

    if not _REPO_GENERATED:
        _REPO_GENERATED.update({job.package: (job, generate(job)) for job in repo_jobs()})
    return _REPO_GENERATED


@pytest.fixture(scope="session")
def generated_packages() -> dict[str, tuple[Job, Any]]:
    """:func:`repo_generated` as a fixture."""
    return repo_generated()


@pytest.fixture(scope="session")
def split_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A synthetic API big enough for a models package (tests/data/models/split_spec.py)."""
    from .conftest_client import generate_files
    from .data.models.split_spec import split_spec

    spec = tmp_path_factory.mktemp("split_spec") / "split.json"
    spec.write_text(json.dumps(split_spec()), encoding="utf-8")
    return generate_files(spec, "split")


@pytest.fixture(scope="session")
def split(split_files: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """That package, written to disk and imported."""
    from .conftest_client import install

    return install(tmp_path_factory, "split", split_files)


def run_oapigen(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it (a subprocess), with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "oapigen", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=False,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


@contextlib.contextmanager
def serve_over_http(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (a free port, in a thread, bounded in time);
    yields its base URL and shuts it down at the end."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture()
def served() -> Iterator[Callable[..., Any]]:
    """``served(pkg, handlers=None)``: a Client of ``pkg`` over HTTP to its server (uvicorn on
    127.0.0.1; ``client.base_url`` is the server's)."""
    stack: list[Any] = []

    def start(pkg: ModuleType, handlers: Any = None) -> Any:
        server = importlib.import_module(f"{pkg.__name__}.server")
        context = serve_over_http(server.create_app() if handlers is None else server.create_app(handlers))
        url = context.__enter__()
        stack.append(context)
        client = pkg.Client(base_url=url, max_retries=0)
        stack.append(client)
        return client

    yield start
    for item in reversed(stack):
        item.__exit__(None, None, None)


@pytest.fixture()
def anyio_backend() -> str:
    """The async tests run on asyncio."""
    return "asyncio"


# -- one mypy --strict run per session -------------------------------------------------------------

MypyTargets = Callable[[pytest.FixtureRequest], list[Path]]
_MYPY_TARGETS: dict[str, MypyTargets] = {}


def mypy_strict_targets(provider: MypyTargets) -> MypyTargets:
    """Register (when a test module is imported, i.e. collected) a function that writes what
    its module wants type-checked and returns the paths (package folders, scripts). The
    ``mypy_strict`` fixture runs mypy ONCE over every registered target; each module's test
    asserts on its own part of the result."""
    _MYPY_TARGETS[f"{provider.__module__}.{provider.__name__}"] = provider
    return provider


@dataclass(frozen=True)
class MypyRun:
    targets: dict[str, list[Path]]
    returncode: int
    output: str

    def errors(self, provider: MypyTargets) -> str:
        """mypy's lines about ``provider``'s targets, and any line about no target (a crash, a
        duplicate module): empty when they type-check."""
        mine = self.targets[f"{provider.__module__}.{provider.__name__}"]
        assert mine, "the provider returned no target"
        every = [p for paths in self.targets.values() for p in paths]
        lines = []
        for line in self.output.splitlines():
            if not line or line.startswith("Success:") or line.startswith("Found "):
                continue
            about = [p for p in every if line.startswith(str(p))]
            if not about or any(line.startswith(str(p)) for p in mine):
                lines.append(line)
        if self.returncode not in (0, 1):  # 2: mypy itself failed
            lines.append(f"mypy exited with {self.returncode}")
        return "\n".join(lines)


@pytest.fixture(scope="session")
def mypy_strict(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> MypyRun:
    """``mypy --strict`` once over the targets of every collected test module."""
    targets = {key: provider(request) for key, provider in sorted(_MYPY_TARGETS.items())}
    every = [str(p) for paths in targets.values() for p in paths]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--show-absolute-path",
         "--cache-dir", str(tmp_path_factory.mktemp("mypy_cache")), *every],
        cwd=tmp_path_factory.getbasetemp(), capture_output=True, text=True, timeout=1200, check=False,
    )
    return MypyRun(targets, done.returncode, done.stdout + done.stderr)
