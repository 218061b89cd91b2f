"""The exit codes of the ``oapigen`` command, in one place (README, "Exit codes"); the runner
gives each job one, the command returns the worst.
"""

from __future__ import annotations

from collections.abc import Iterable

EXIT_OK = 0
"""Done; or, with ``--check``, up to date."""
EXIT_DRIFT = 1
"""``--check``: the generated package is stale (``diff``: the API changed, compatibly)."""
EXIT_BAD_INPUT = 2
"""Bad input (spec, overlay, config, options): located errors, never a traceback."""
EXIT_INTERNAL = 3
"""A bug in oapigen (``OAPIGEN_DEBUG=1`` shows the traceback)."""
EXIT_BREAKING = 4
"""``--check`` / ``diff``: the generated API changed in a way that breaks its callers."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C), as a shell reports SIGINT."""

# the worst exit status last: a failure outranks a breaking change, which outranks drift
_SEVERITY = (EXIT_OK, EXIT_DRIFT, EXIT_BREAKING, EXIT_BAD_INPUT, EXIT_INTERNAL)


def worst(statuses: Iterable[int]) -> int:
    """The exit status of several jobs: the most severe of theirs (:data:`EXIT_OK` for none)."""
    return max(statuses, key=_SEVERITY.index, default=EXIT_OK)


def is_stale(status: int) -> bool:
    """The status says the generated package differs from what the generator makes."""
    return status in (EXIT_DRIFT, EXIT_BREAKING)
