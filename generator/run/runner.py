"""``oapigen generate`` over one or many jobs: each job gives an :class:`Outcome` (its status, its
diff, its messages), never an exception; the outcomes are printed in the order of the jobs.

Jobs whose manifest says they are up to date are answered at once, without loading anything.
When more than one job needs work, they run in a process pool (one process per job, at most
one per CPU, or ``--jobs N``): each writes only its own package folder, and its messages are
held back until every job before it has printed, so the output reads the same as a
sequential run. On a terminal, a sequential run draws each job's stages
(:class:`oapigen.run.progress.Stages`); a parallel one counts finished jobs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TextIO

from ..core.background import fork_safe, gc_frozen
from ..core.diagnostics import Severity, SpecError
from .config import Job
from .exit_codes import EXIT_BAD_INPUT, EXIT_BREAKING, EXIT_DRIFT, EXIT_INTERNAL, EXIT_OK, is_stale
from .progress import Stages, grouped_warnings


@dataclass(frozen=True, slots=True)
class RunOptions:
    check: bool = False
    quiet: bool = False
    verbose: bool = False
    trust_manifest: bool = False  # --check answers from the manifest when it says nothing changed


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one job did: its exit status, what goes to stdout (diffs) and to stderr."""

    package_dir: str
    status: int
    stdout: str = ""
    messages: tuple[str, ...] = ()
    report: str = ""  # the change report in Markdown (--report FILE)

    @property
    def stale(self) -> bool:
        return is_stale(self.status)


def internal_error(exc: BaseException) -> str:
    return (f"oapigen: internal error: {type(exc).__name__}: {exc} (this is a bug in oapigen; "
            "set OAPIGEN_DEBUG=1 for the traceback)")


def up_to_date(job: Job, options: RunOptions) -> Outcome | None:
    """The outcome of a job with nothing to do, from its manifest alone; None if it has work.

    ``--check`` regenerates and compares unless ``--trust-manifest``: a manifest can be edited
    along with the files it lists, and a drift check must not take its word for it.
    """
    from .freshness import is_up_to_date

    if options.check and not options.trust_manifest:
        return None
    from .writer import read_manifest, safe_package_dir

    try:
        job.check()
        package_dir = safe_package_dir(job.output, job.package)
        fresh = is_up_to_date(package_dir, read_manifest(package_dir), job.options())
    except SpecError:
        return None  # run_job reports it
    if not fresh:
        return None
    messages = () if options.quiet else (f"{package_dir}: up to date (nothing changed)",)
    return Outcome(str(package_dir), EXIT_OK, "", messages)


def run_job(job: Job, options: RunOptions, display: TextIO | None = None, log: TextIO | None = None) -> Outcome:
    """Generate (or check) one package. Only KeyboardInterrupt escapes. ``display``: a terminal
    to draw the stages on; ``log``: a stream (not a terminal) to write a line per stage to."""
    started = time.perf_counter()
    where = str(job.output / job.package)
    stages = Stages(label=str(job.output / job.package), display=display, log=log)
    try:
        return _run(job, options, stages, started)
    except SpecError as exc:
        shown = [d for d in exc.diagnostics if not options.quiet or d.severity is Severity.ERROR]
        return Outcome(where, EXIT_BAD_INPUT, "", tuple(grouped_warnings(shown, verbose=options.verbose)))
    except Exception as exc:
        if os.environ.get("OAPIGEN_DEBUG"):
            raise
        return Outcome(where, EXIT_INTERNAL, "", (internal_error(exc),))
    finally:
        stages.done()


def _run(job: Job, options: RunOptions, stages: Stages, started: float) -> Outcome:
    from .changes import compare, is_surface, markdown_report, text_report
    from .pipeline import generate
    from .writer import (
        MANIFEST,
        diff_package,
        hand_edited,
        package_name_warnings,
        read_manifest,
        safe_package_dir,
        write_package,
    )

    job.check()
    package_dir = safe_package_dir(job.output, job.package)
    result = generate(job, stages)
    diagnostics = [*package_name_warnings(job.output, job.package), *result.diagnostics]
    warnings = [] if options.quiet else grouped_warnings(diagnostics, verbose=options.verbose)
    recorded = (read_manifest(package_dir) or {}).get("api")
    changes = compare(recorded, result.surface) if is_surface(recorded) else None
    breaking = bool(changes) and any(c.breaking for c in changes or ())
    if changes is None:
        report_lines = [f"{package_dir}: no readable API in the manifest (written by an older oapigen, or edited): "
                        "no change report"] if (package_dir / MANIFEST).exists() else []
        markdown = ""
    else:
        report_lines = text_report(str(package_dir), changes) if changes else []
        markdown = markdown_report(str(package_dir), changes)
    if options.check:
        diffs = diff_package(package_dir, result.files)
        stages.done()
        timings = [f"{package_dir}: {stages.timings_line()}"] if options.verbose else []
        if not any((package_dir / rel).exists() for rel in result.files):
            return Outcome(str(package_dir), EXIT_DRIFT, "", (
                *warnings, *timings, f"{package_dir}: missing (never generated); run oapigen generate"))
        if diffs:
            return Outcome(str(package_dir), EXIT_BREAKING if breaking else EXIT_DRIFT, "".join(diffs), (
                *warnings, *timings, *report_lines,
                f"{package_dir}: stale ({len(diffs)} file(s) differ); run oapigen generate"), markdown)
        return Outcome(str(package_dir), EXIT_OK, "", (*warnings, *timings, *(
            () if options.quiet else (f"{package_dir}: up to date",))))
    stages.stage("write")
    report = write_package(package_dir, result.files, result.inputs, result.surface)
    stages.done()
    if options.quiet:
        return Outcome(str(package_dir), EXIT_OK, "", (), markdown)
    warnings += grouped_warnings([hand_edited(package_dir / rel) for rel in report.overwritten_edits], verbose=options.verbose)
    summary = (
        f"{package_dir}: {len(result.api.operations)} operations, {len(result.api.model_names)} models; "
        f"{len(report.written)} file(s) written, {len(report.unchanged)} unchanged, {len(report.removed)} removed; "
        f"{len(diagnostics) + len(report.overwritten_edits)} warning(s); {time.perf_counter() - started:.1f}s"
    )
    timings = [f"{package_dir}: {stages.timings_line()}"] if options.verbose else []
    return Outcome(str(package_dir), EXIT_OK, "", (*warnings, *timings, *report_lines, summary), markdown)


def _print(outcome: Outcome, stdout: TextIO, stderr: TextIO) -> None:
    if outcome.stdout:
        stdout.write(outcome.stdout)
        stdout.flush()
    for line in outcome.messages:
        print(line, file=stderr)
    stderr.flush()


def run_jobs(jobs: Sequence[Job], options: RunOptions, *, workers: int | None = None,
             stdout: TextIO | None = None, stderr: TextIO | None = None) -> list[Outcome]:
    """Every job's outcome, printed in job order as soon as the jobs before it are done."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    terminal = err if err.isatty() and not options.quiet else None
    log = err if terminal is None and not options.quiet else None
    outcomes: list[Outcome | None] = [up_to_date(job, options) for job in jobs]
    todo = [i for i, o in enumerate(outcomes) if o is None]
    workers = max(1, min(len(todo), workers or os.cpu_count() or 1))
    printed = 0

    def flush() -> None:
        nonlocal printed
        while printed < len(outcomes) and (ready := outcomes[printed]) is not None:
            _print(ready, out, err)
            printed += 1

    if workers == 1:
        for i, job in enumerate(jobs):
            if outcomes[i] is None:
                outcomes[i] = run_job(job, options, terminal, log)
            flush()
    else:
        from . import pipeline  # noqa: F401  (imported once here: forked workers inherit it)

        flush()
        counter = _Counter(terminal, len(todo))
        # Forked only where that is safe (no other thread: a child could wait forever on a lock
        # a thread of this process held), and with this process's objects out of the children's
        # collections (a child must not finalize this process's generators); else spawned.
        forking = fork_safe()
        context = multiprocessing.get_context("fork" if forking else "spawn")
        with gc_frozen() if forking else nullcontext(), ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures: dict[int, Future[Outcome]] = {i: pool.submit(run_job, jobs[i], options) for i in todo}
            counter.draw(0)
            for done, i in enumerate(todo, start=1):
                outcomes[i] = _result(futures[i], jobs[i])
                counter.erase()
                flush()
                counter.draw(done)
        counter.erase()
    return [o for o in outcomes if o is not None]


class _Counter:
    """``[k/N] packages done`` on a terminal, while a parallel run waits."""

    def __init__(self, terminal: TextIO | None, total: int) -> None:
        self.terminal, self.total, self.width = terminal, total, 0

    def draw(self, done: int) -> None:
        if self.terminal is not None and done < self.total:
            text = f"[{done}/{self.total}] packages done, {self.total - done} generating"
            self.terminal.write("\r" + text)
            self.terminal.flush()
            self.width = len(text)

    def erase(self) -> None:
        if self.terminal is not None and self.width:
            self.terminal.write("\r" + " " * self.width + "\r")
            self.terminal.flush()
            self.width = 0


def _result(future: Future[Outcome], job: Job) -> Outcome:
    try:
        return future.result()
    except Exception as exc:  # the worker died (e.g. killed): report it as that job's failure
        if os.environ.get("OAPIGEN_DEBUG"):
            raise
        return Outcome(str(job.output / job.package), EXIT_INTERNAL, "", (internal_error(exc),))


def summary(outcomes: Sequence[Outcome], options: RunOptions) -> list[str]:
    """The closing lines of a run over several jobs: every stale and every failed package."""
    lines = []
    stale = [o.package_dir for o in outcomes if o.stale]
    failed = [o.package_dir for o in outcomes if o.status in (EXIT_BAD_INPUT, EXIT_INTERNAL)]
    if stale:
        lines.append(f"oapigen: {len(stale)} of {len(outcomes)} package(s) stale: {', '.join(stale)}; run oapigen generate")
    if failed:
        lines.append(f"oapigen: {len(failed)} of {len(outcomes)} package(s) failed: {', '.join(failed)}")
    if not lines and len(outcomes) > 1 and not options.quiet:
        verb = "up to date" if options.check else "done"
        lines.append(f"oapigen: {len(outcomes)} package(s) {verb}")
    return lines


__all__ = ["Outcome", "RunOptions", "run_job", "run_jobs", "summary"]
