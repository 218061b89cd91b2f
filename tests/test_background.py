"""oapigen.core.background: the models stage runs in a forked process beside validation.

A fork happens only while this process has no other thread. Whether it has one depends on the
tests that ran before (schemathesis leaves an ``asyncio-portal`` thread), so the fork tests
decide at RUN time: in process when a fork is possible there (else skipped, saying which
threads prevent it), and always once more in a fresh interpreter, where nothing prevents it.
Each asserts that the work ran in another process, not only that its value came back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from oapigen.core import background
from oapigen.core.diagnostics import Diagnostic, Severity, SpecError
from oapigen.run import pipeline
from oapigen.run.config import Job
from oapigen.spec import lines

from .conftest import ROOT


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _fails() -> None:
    raise SpecError(Diagnostic("spec.yaml", "/components/schemas/X", f"failed in {os.getpid()}", line=3))


def _sleeps() -> None:
    time.sleep(60)


@pytest.fixture()
def forks() -> None:
    """Skip (at run time, with the reason) when this process cannot fork now."""
    if sys.platform != "linux":
        pytest.skip("background work forks only on Linux")
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    if others:
        pytest.skip(f"no fork while other threads run in this process: {others} (the fresh-interpreter test covers it)")
    assert background.can_fork()


def check_value_comes_back_from_a_child() -> None:
    pid, value = background.start(_pid_and, 21).result()
    assert value == 42 and pid != os.getpid()


def check_error_in_the_child_is_raised_here_whole() -> None:
    with pytest.raises(SpecError) as info:
        background.start(_fails).result()
    (d,) = info.value.diagnostics
    assert (d.file, d.pointer, d.line) == ("spec.yaml", "/components/schemas/X", 3)
    assert d.message.startswith("failed in ") and int(d.message.split()[-1]) != os.getpid()


def check_cancel_kills_the_child() -> None:
    job = background.start(_sleeps)
    process = job._process
    assert process is not None and process.pid != os.getpid()
    job.cancel()
    assert process.exitcode == -signal.SIGKILL  # killed, not left to sleep its 60 s


def check_running_until_the_result_is_sent() -> None:
    job = background.start(_sleeps)
    assert job.running()
    job.cancel()
    assert not job.running()
    done = background.start(_pid_and, 1)
    done.result()
    assert not done.running()


def _petstore_job() -> Job:
    return Job(spec=ROOT / "specs" / "petstore.yaml", output=ROOT / "unused-output", package="p")


def check_validation_runs_beside_the_later_stages() -> None:
    """generate(): the validator runs in its own process while this one builds, renders and
    formats; its findings come out in their place (after the overlay's, before the later stages')."""
    calls: list[int] = []

    def validate(spec: object, document: object) -> list[Diagnostic]:
        return [Diagnostic("petstore.yaml", "/info", f"validated in {os.getpid()}", Severity.WARNING)]

    def render(*args: object, **kwargs: object) -> dict[str, str]:
        calls.append(os.getpid())
        return real_render(*args, **kwargs)  # type: ignore[arg-type]

    real_validate, real_render = pipeline.validate_spec, pipeline.render_package
    pipeline.validate_spec, pipeline.render_package = validate, render  # type: ignore[assignment]
    try:
        generated = pipeline.generate(_petstore_job())
    finally:
        pipeline.validate_spec, pipeline.render_package = real_validate, real_render  # type: ignore[assignment]
    (finding,) = [d for d in generated.diagnostics if d.message.startswith("validated in ")]
    assert int(finding.message.split()[-1]) != os.getpid() and calls == [os.getpid()]


def check_the_validators_errors_explain_a_later_failure() -> None:
    """A later stage that fails on an invalid spec reports the validator's errors, not its own."""

    def validate(spec: object, document: object) -> list[Diagnostic]:
        return [Diagnostic("petstore.yaml", "/paths", "the validator's error")]

    def build_api(*args: object, **kwargs: object) -> None:
        raise KeyError("what an invalid spec does to the IR")

    real_validate, real_build = pipeline.validate_spec, pipeline.build_api
    pipeline.validate_spec, pipeline.build_api = validate, build_api  # type: ignore[assignment]
    try:
        with pytest.raises(SpecError) as info:
            pipeline.generate(_petstore_job())
    finally:
        pipeline.validate_spec, pipeline.build_api = real_validate, real_build  # type: ignore[assignment]
    assert [d.message for d in info.value.diagnostics] == ["the validator's error"]


def check_the_validators_line_maps_locate_the_later_findings() -> None:
    """The validator's process hands back the line map it built: a finding of a later stage is
    located with it, and this process does not build the map a second time."""
    built: list[int] = []

    def yaml_lines(text: str) -> dict[str, object]:
        built.append(os.getpid())
        return real_lines(text)

    def validate(spec: pipeline.LoadedSpec, document: object) -> list[Diagnostic]:
        return [spec.diagnostic("/info", "a finding, located", severity=Severity.WARNING)]

    def build_api(*args: object, **kwargs: object) -> object:
        api, diagnostics = real_build(*args, **kwargs)  # type: ignore[arg-type]
        return api, [*diagnostics, Diagnostic("petstore.yaml", "/info/title", "a later finding", Severity.WARNING)]

    real_lines, real_validate, real_build = lines._yaml_lines, pipeline.validate_spec, pipeline.build_api
    lines._yaml_lines, pipeline.validate_spec, pipeline.build_api = yaml_lines, validate, build_api  # type: ignore[assignment]
    try:
        generated = pipeline.generate(_petstore_job())
    finally:
        lines._yaml_lines, pipeline.validate_spec, pipeline.build_api = real_lines, real_validate, real_build  # type: ignore[assignment]
    (later,) = [d for d in generated.diagnostics if d.message == "a later finding"]
    assert later.line is not None and built == []  # located, with the map built in the validator's process


FORK_CHECKS = [check_value_comes_back_from_a_child, check_error_in_the_child_is_raised_here_whole, check_cancel_kills_the_child,
               check_running_until_the_result_is_sent, check_validation_runs_beside_the_later_stages,
               check_the_validators_errors_explain_a_later_failure, check_the_validators_line_maps_locate_the_later_findings]


@pytest.mark.parametrize("check", FORK_CHECKS, ids=lambda f: f.__name__)
def test_in_this_process(forks: None, check: object) -> None:
    check()  # type: ignore[operator]


@pytest.mark.skipif(sys.platform != "linux", reason="background work forks only on Linux")
def test_in_a_fresh_interpreter() -> None:
    code = (
        "import threading\n"
        "from oapigen.core import background\n"
        "from tests import test_background as t\n"
        "assert threading.active_count() == 1 and background.can_fork()\n"
        "for check in t.FORK_CHECKS:\n"
        "    check()\n"
        "print('forked', len(t.FORK_CHECKS))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OAPIGEN_DEBUG"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["forked", str(len(FORK_CHECKS))]


def test_with_another_thread_it_runs_here_when_asked() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not background.can_fork()
        pid, value = background.start(_pid_and, 1).result()
    finally:
        stop.set()
        other.join()
    assert (pid, value) == (os.getpid(), 2)


def test_oapigen_debug_keeps_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAPIGEN_DEBUG", "1")
    assert not background.can_fork()
    assert background.start(_pid_and, 2).result() == (os.getpid(), 4)


def test_a_command_runs_with_rare_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI raises the collector's thresholds while a command runs, and restores them."""
    import gc

    from oapigen import cli

    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli, "cmd_validate", lambda args: seen.append(gc.get_threshold()) or 0)
    before = gc.get_threshold()
    assert cli.main(["validate", str(ROOT / "specs" / "petstore.yaml")]) == 0
    assert seen == [background.RARE_COLLECTIONS] != [before]
    assert gc.get_threshold() == before



def test_packages_generated_at_once_beside_another_thread_are_spawned_not_forked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With another thread in this process (a test server's), the workers are spawned: a forked
    child that collected this process's garbage could wait forever on a lock that thread held
    (a full suite run hung so, in a child finalizing a generator)."""
    from oapigen.run import runner

    asked: list[str] = []
    real = runner.multiprocessing.get_context
    monkeypatch.setattr(runner.multiprocessing, "get_context", lambda method: asked.append(method) or real(method))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        spec = ROOT / "specs" / "petstore.yaml"
        jobs = [Job(spec=spec, output=tmp_path, package=name) for name in ("one", "two")]
        outcomes = runner.run_jobs(jobs, runner.RunOptions(quiet=True), workers=2)
    finally:
        stop.set()
    assert asked == ["spawn"] and [o.status for o in outcomes] == [0, 0]
    assert (tmp_path / "one" / "client.py").is_file() and (tmp_path / "two" / "client.py").is_file()
