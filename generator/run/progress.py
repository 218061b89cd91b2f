"""What the user sees while ``oapigen generate`` works: stage progress, timings, grouped warnings.

* :class:`Stages` records when each stage starts (``load``, ``validate``, ``models``,
  ``render``, ``format``, ``write``); the pipeline calls it, the CLI reads the timings
  (``--verbose``). Given a stream that is a terminal, and once the spec is known to have more
  than :data:`PROGRESS_MIN_OPERATIONS` operations, it also draws a one-line progress display
  there (``\\r``-rewritten, erased when done). Nothing is drawn on a pipe or a file.
* :func:`grouped_warnings` prints warnings grouped by the kind of message (the message with its
  quoted names and numbers blanked), at most :data:`WARNINGS_PER_KIND` of each kind unless
  verbose, with a count of the rest.

Standard library only: it is imported on the fast path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from ..core.diagnostics import Diagnostic, Severity

STAGES = ("load", "validate", "models", "render", "format", "write")
PROGRESS_MIN_OPERATIONS = 50
WARNINGS_PER_KIND = 3

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_NUMBER = re.compile(r"\d+")


@dataclass
class Stages:
    """Stage timings of one job, and (on a terminal) a live display of the current stage."""

    label: str = ""
    display: TextIO | None = None  # a terminal to draw on; None: draw nothing
    log: TextIO | None = None  # not a terminal (a CI log): one line per stage instead
    clock: Callable[[], float] = time.perf_counter
    started: list[tuple[str, float]] = field(default_factory=list)
    ended: float | None = None
    operations: int | None = None
    _drawn: int = 0
    _logged: int = 0  # stages written to the log so far

    def stage(self, name: str) -> None:
        """``name`` starts now (and the previous stage ends)."""
        self.started.append((name, self.clock()))
        self._draw()

    def size(self, operations: int) -> None:
        """The spec has this many operations (known after loading)."""
        self.operations = operations
        self._draw()

    def done(self) -> None:
        """The last stage ends (the first call counts) and the display is erased."""
        if self.ended is None:
            self.ended = self.clock()
        self._erase()

    def timings(self) -> list[tuple[str, float]]:
        """(stage, seconds) in the order they ran."""
        end = self.ended if self.ended is not None else self.clock()
        out = []
        for i, (name, start) in enumerate(self.started):
            stop = self.started[i + 1][1] if i + 1 < len(self.started) else end
            out.append((name, stop - start))
        return out

    def timings_line(self) -> str:
        return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.timings())

    def _draw(self) -> None:
        if not self.started or (self.operations or 0) <= PROGRESS_MIN_OPERATIONS:
            return
        if self.log is not None:
            for name, start in self.started[self._logged:]:
                since = start - self.started[0][1]
                print(f"{self.label}: {name} ({self.operations} operations, {since:.1f}s)", file=self.log, flush=True)
            self._logged = len(self.started)
        if self.display is None:
            return
        name = self.started[-1][0]
        step = STAGES.index(name) + 1 if name in STAGES else len(self.started)
        bar = "#" * step + "." * (len(STAGES) - step)
        text = f"{self.label}: [{bar}] {name} ({self.operations} operations)"
        self.display.write("\r" + text.ljust(self._drawn))
        self.display.flush()
        self._drawn = len(text)

    def _erase(self) -> None:
        if self.display is not None and self._drawn:
            self.display.write("\r" + " " * self._drawn + "\r")
            self.display.flush()
            self._drawn = 0


def message_kind(message: str) -> str:
    """A message with its specifics blanked: what groups warnings of one kind."""
    return _NUMBER.sub("N", _QUOTED.sub("'...'", message))


def grouped_warnings(diagnostics: Sequence[Diagnostic], *, verbose: bool, per_kind: int = WARNINGS_PER_KIND) -> list[str]:
    """The lines to print: errors as they are, warnings grouped by kind in order of first
    appearance, at most ``per_kind`` of each unless ``verbose``, then a count of the rest."""
    lines = [d.format() for d in diagnostics if d.severity is Severity.ERROR]
    groups: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.severity is Severity.WARNING:
            groups.setdefault(message_kind(d.message), []).append(d)
    for members in groups.values():
        shown = members if verbose else members[:per_kind]
        lines.extend(d.format() for d in shown)
        if len(members) > len(shown):
            lines.append(f"  ... and {len(members) - len(shown)} more like this (--verbose shows them all)")
    return lines


__all__ = ["PROGRESS_MIN_OPERATIONS", "STAGES", "WARNINGS_PER_KIND", "Stages", "grouped_warnings", "message_kind"]
