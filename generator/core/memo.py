"""Memos on disk for pure text functions that a regeneration calls thousands of times with the
same arguments (the black layout of a long statement, :mod:`oapigen.pysource.black_layout`).

A :class:`Memo` maps a digest of a call's arguments to its result (a string, or None). It is
read from one file (``$OAPIGEN_CACHE_DIR/memo/<kind>-<fingerprint>``, in :mod:`marshal`'s
format: reading it runs no code) on its first use in a run and written back by
:func:`save_all` at the end of the render, with the entries this run used (and the others it
read, while there are not too many). The file's name carries
:func:`oapigen.core.fingerprint.generator_fingerprint` (oapigen's code, its templates, the
output-shaping libraries): a memo written by another oapigen is never read. The key is a digest
of every argument in full, so an entry answers only the call that made it. A file that cannot be
read (missing, damaged, not a memo) counts as empty; one that cannot be written is only slower.
``OAPIGEN_CACHE_DIR=off`` turns memos off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .cache import cache_dir
from .fingerprint import generator_fingerprint

_MAX_KEPT = 200_000  # above this many entries, a save keeps only those the run used
_FORMAT = "oapigen-memo-1"
_MEMOS: list[Memo] = []


class Memo:
    """One pure function's results, by a digest of its arguments (see the module's text)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._read: dict[bytes, str | None] | None = None  # as read from the file (None: not yet)
        self._used: dict[bytes, str | None] = {}
        self._added = False
        _MEMOS.append(self)

    def path(self) -> Path | None:
        """This oapigen's memo file of this kind (None: memos are off)."""
        folder = cache_dir("memo")
        return None if folder is None else folder / f"{self.kind}-{generator_fingerprint()[:32]}"

    def get(self, args: str, compute: Callable[[], str | None]) -> str | None:
        """``compute()``, or the result it gave for the same ``args`` (every argument of the
        call, in full, as one string) in this or an earlier run."""
        key = hashlib.blake2b(args.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if key in self._used:
            return self._used[key]
        if self._read is None:
            self._read = _load(self.path())
        found: object = self._read.get(key, self)
        if found is None or isinstance(found, str):  # (anything else: not a result, a foreign file's)
            value = found
        else:
            value = compute()
            self._added = True
        self._used[key] = value
        return value

    def save(self) -> None:
        """Write the entries back (when this run added any, or used fewer than it read), then
        start over: the next run reads the file again."""
        read, used, added = self._read or {}, self._used, self._added
        self._read, self._used, self._added = None, {}, False
        if not added and len(used) == len(read):
            return
        path = self.path()
        if path is None:
            return
        entries = {**read, **used} if len(read) + len(used) <= _MAX_KEPT else used
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump((_FORMAT, self.kind, entries), fh)
            os.replace(tmp, path)
            for other in path.parent.glob(f"{self.kind}-*"):  # written by another oapigen
                if other != path:
                    with contextlib.suppress(OSError):
                        other.unlink()
        except (OSError, ValueError):
            pass


def _load(path: Path | None) -> dict[bytes, str | None]:
    """The entries of a memo file; empty when there is none or it is not one (damaged: ignored)."""
    if path is None:
        return {}
    try:
        loaded = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not (isinstance(loaded, tuple) and len(loaded) == 3 and loaded[0] == _FORMAT and isinstance(loaded[2], dict)):
        return {}
    return loaded[2]


def save_all() -> None:
    """:meth:`Memo.save` every memo of this process (at the end of the render)."""
    for memo in _MEMOS:
        memo.save()


__all__ = ["Memo", "save_all"]
