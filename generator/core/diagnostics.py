"""Diagnostics: located findings about a spec, and the one exception that carries them.

Every stage reports problems as :class:`Diagnostic` values (file, JSON pointer, line where
known, message, optional hint). A stage that cannot go on raises :class:`SpecError` with its
diagnostics; the CLI prints them and exits 2. Nothing else is allowed to escape to the user
as a traceback.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .escape import visible


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a spec, located by file, JSON pointer and (where known) line."""

    file: str
    pointer: str
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        # a message about a file as a whole (not found, not a folder, a config option) has no
        # place in a spec to point at: no "/" pointer
        text = f"{self.severity.value}: {where}: {self.pointer + ': ' if self.pointer else ''}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return visible(text)  # spec text must not drive the terminal (escape sequences, bidi)

    def as_warning(self) -> Diagnostic:
        return Diagnostic(
            self.file, self.pointer, self.message, Severity.WARNING, self.line, self.column, self.hint
        )


class SpecError(Exception):
    """Bad input: carries located diagnostics. The CLI turns it into exit code 2."""

    def __init__(self, diagnostics: Sequence[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = (diagnostics,)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[SpecError], tuple[tuple[Diagnostic, ...]]]:
        return (SpecError, (self.diagnostics,))  # it crosses processes (oapigen.core.background)


def errors_of(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


