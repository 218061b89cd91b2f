"""Shared fixtures: each spec of the repo is generated once per test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import Job, load_jobs

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPECS = ROOT.parent / "shared" / "specs"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"


def repo_jobs() -> list[Job]:
    """The golden cases: the [[tool.oapigen.specs]] tables of this repo's pyproject.toml."""
    return load_jobs(ROOT / "pyproject.toml")


@pytest.fixture(scope="session")
def generated_packages() -> dict[str, tuple[Job, object]]:
    """package name -> (job, in-memory generation result), for every spec in specs/."""
    from generator.pipeline import generate

    return {job.package: (job, generate(job)) for job in repo_jobs()}


def run_oapigen(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it (a subprocess), with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
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
