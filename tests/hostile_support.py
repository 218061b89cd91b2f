"""Helpers for the untrusted-spec tests (``test_hostile.py``, ``test_fuzz.py``, ``test_limits.py``).

A hostile spec is generated through the CLI entry point (``oapigen.cli.main``) into a folder
of its own, under a package name of its own, then imported; ``@@MARKER@@`` in its text is
replaced by the path of a file that must never come to exist (the spec tries to create it).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from oapigen import cli
from oapigen.ir.model import Api, Operation
from oapigen.run.config import Job
from oapigen.views import server as server_view

from .test_e2e import call_arguments, check_result, method_of

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
MARKER = "@@MARKER@@"

# Characters no generated file may contain raw: C0/C1 controls (but tab and newline), line
# separators Python and black disagree about, bidirectional overrides ("Trojan Source"), BOM,
# lone surrogates.
UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


@dataclass
class Run:
    """One CLI run: exit code and what it printed."""

    code: int
    stdout: str
    stderr: str

    def assert_clean(self) -> None:
        """No traceback and no internal error, whatever the exit code."""
        for text in (self.stdout, self.stderr):
            assert "Traceback" not in text, text
            assert "internal error" not in text, text


def oapigen(*args: str | Path) -> Run:
    """``oapigen ARGS`` in process: the exit code ``main`` returns, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def materialize(spec: Path, folder: Path, marker: Path) -> Path:
    """A copy of ``spec`` in ``folder`` with the marker placeholder replaced by ``marker``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.name
    target.write_text(spec.read_text(encoding="utf-8").replace(MARKER, str(marker)), encoding="utf-8")
    return target


def fresh_marker(folder: Path) -> Path:
    return folder / f"PWNED_{uuid.uuid4().hex}"


@dataclass
class Generated:
    package: ModuleType
    api: Api
    root: Path  # the folder on sys.path that holds the package
    package_dir: Path
    marker: Path
    run: Run


def generate_and_import(spec: Path, root: Path, package: str, marker: Path, *extra: str) -> Generated:
    """Generate ``spec`` with the CLI into ``root/package``, import it, and build its IR."""
    from oapigen.run.pipeline import api_and_models

    run = oapigen("generate", spec, "--output", root, "--package", package, *extra)
    run.assert_clean()
    assert run.code == 0, run.stderr
    api, _, _ = api_and_models(Job(spec=spec, output=root, package=package, lenient="--lenient" in extra))
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    module = importlib.import_module(package)
    for name in ("models", "client", "server"):
        importlib.import_module(f"{package}.{name}")
    return Generated(module, api, root, root / package, marker, run)


def import_in_subprocess(root: Path, package: str, modules: Sequence[str] = ("models", "client", "server")) -> None:
    """Import the package's modules in a fresh interpreter (warnings are errors there too)."""
    code = "import importlib\n" + "".join(f"importlib.import_module({f'{package}.{m}'!r})\n" for m in modules)
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def exercise(gen: Generated, only: Callable[[Operation], bool] = lambda op: True) -> int:
    """Call every operation (every one ``only`` accepts) with the generated AsyncClient against
    the generated mock server, in process, with its required arguments; check each result
    against the declared type. Returns how many were called."""
    package, api = gen.package, gen.api
    server = importlib.import_module(f"{package.__name__}.server")

    async def main() -> int:
        called = 0
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app()))
        # the server serves under its server URL's path (server_view.base_path), as the client sends
        base_url = "http://test" + server_view.base_path(api)
        async with package.AsyncClient(base_url=base_url, http_client=http, max_retries=0) as client:
            for op in filter(only, api.operations):
                args, kwargs = call_arguments(op, package)
                method = method_of(client, op)
                if op.success is None and not any(r.status == "default" for r in op.responses):
                    with pytest.raises(package.ApiError):  # only error statuses declared
                        await method(*args, **kwargs)
                elif op.success is None:
                    await method(*args, **kwargs)  # "default" stands for the 2xx too
                elif op.streams:
                    assert [e async for e in method(*args, **kwargs)]
                else:
                    check_result(op, await method(*args, **kwargs), package)
                called += 1
        await http.aclose()
        return called

    return asyncio.run(main())


def python_files(package_dir: Path) -> dict[str, str]:
    """Every module of the package (``resources/threads.py``...), by path inside it."""
    return {p.relative_to(package_dir).as_posix(): p.read_text(encoding="utf-8") for p in sorted(package_dir.rglob("*.py"))}


def handlers_for(server: ModuleType, **methods: Any) -> Any:
    """A ``Handlers`` subclass instance with ``methods`` (async functions taking ``self``)."""
    cls = type("TestHandlers", (server.Handlers,), dict(methods))
    return cls()
