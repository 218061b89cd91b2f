"""generator.background: the models stage runs in a forked process beside validation."""

from __future__ import annotations

import os
import threading
import time

import pytest

from generator import background
from generator.errors import Diagnostic, SpecError


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _fails() -> None:
    raise SpecError(Diagnostic("spec.yaml", "/components/schemas/X", "model generation failed: boom", line=3))


def _sleeps() -> None:
    time.sleep(60)


needs_fork = pytest.mark.skipif(not background.can_fork(), reason="forks only on Linux without other threads")


@needs_fork
def test_the_work_runs_in_another_process_and_its_value_comes_back() -> None:
    pid, value = background.start(_pid_and, 21).result()
    assert value == 42 and pid != os.getpid()


@needs_fork
def test_an_error_in_the_child_is_raised_here_whole() -> None:
    with pytest.raises(SpecError) as info:
        background.start(_fails).result()
    (d,) = info.value.diagnostics
    assert (d.file, d.pointer, d.line, d.message) == ("spec.yaml", "/components/schemas/X", 3, "model generation failed: boom")


@needs_fork
def test_cancel_stops_work_nobody_waits_for() -> None:
    job = background.start(_sleeps)
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 10


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
    assert background.start(_pid_and, 2).result() == (os.getpid(), 4)
