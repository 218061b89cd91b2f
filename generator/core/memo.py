"""Memos on disk for pure functions that a regeneration calls again with the same arguments
(the black layout of a long statement, :mod:`oapigen.pysource.black_layout`; the value of one
entry of a YAML spec, :mod:`oapigen.spec.yaml_parts`).

A :class:`Memo` maps a digest of a call's arguments to its result, kept in :mod:`marshal`'s
format (reading it runs no code; each :meth:`Memo.get` returns a fresh copy, so a caller may
change what it gets). It is read from one file (``$OAPIGEN_CACHE_DIR/memo/<kind>-<fingerprint>``)
on its first use in a run and written back by :meth:`Memo.save` (:func:`save_all`) with the
entries this run used (and the others it read, while there are not too many). The file's name
carries :func:`oapigen.core.fingerprint.generator_fingerprint` (oapigen's code, its templates,
the output-shaping libraries): a memo written by another oapigen is never read. The key is a
digest of every argument in full, so an entry answers only the call that made it, and the file
carries a digest of its content: a file that cannot be read (missing, damaged, not a memo)
counts as empty, a value the caller does not accept is computed again, and a file that cannot
be written is only slower. ``OAPIGEN_CACHE_DIR=off`` turns memos off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cache import cache_dir
from .fingerprint import generator_fingerprint

_MAX_KEPT = 200_000  # above this many entries, a save keeps only those the run used
_FORMAT = "oapigen-memo-2"
_MEMOS: list[Memo] = []


class Memo:
    """One pure function's results, by a digest of its arguments (see the module's text).
    ``accepts``: whether a value read back is one the function can return."""

    def __init__(self, kind: str, accepts: Callable[[Any], bool]) -> None:
        self.kind, self._accepts = kind, accepts
        self._read: dict[bytes, bytes] | None = None  # as read from the file (None: not yet)
        self._used: dict[bytes, bytes] = {}
        self._added = False
        _MEMOS.append(self)

    def path(self) -> Path | None:
        """This oapigen's memo file of this kind (None: memos are off)."""
        folder = cache_dir("memo")
        return None if folder is None else folder / f"{self.kind}-{generator_fingerprint()[:32]}"

    def get(self, args: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, or (a copy of) the result it gave for the same ``args`` (every
        argument of the call, in full, as one string) in this or an earlier run."""
        key = hashlib.blake2b(args.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        data = self._used.get(key)
        if data is None:
            if self._read is None:
                self._read = _load(self.path(), self.kind)
            data = self._read.get(key)
        if data is not None:
            try:
                value = marshal.loads(data)
            except (EOFError, ValueError, TypeError):
                pass
            else:
                if self._accepts(value):
                    self._used[key] = data
                    return value
        value = compute()
        try:
            self._used[key] = marshal.dumps(value)
            self._added = True
        except ValueError:  # not a value marshal keeps: not remembered
            pass
        return value

    def save(self) -> None:
        """Write the entries back (when this run added any), then start over: the next run
        reads the file again."""
        read, used, added = self._read or {}, self._used, self._added
        self._read, self._used, self._added = None, {}, False
        if not added:
            return
        path = self.path()
        if path is None:
            return
        payload = marshal.dumps({**read, **used} if len(read) + len(used) <= _MAX_KEPT else used)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump((_FORMAT, self.kind, hashlib.sha256(payload).digest(), payload), fh)
            os.replace(tmp, path)
            for other in path.parent.glob(f"{self.kind}-*"):  # written by another oapigen
                if other != path and not other.name.startswith(".tmp-"):
                    with contextlib.suppress(OSError):
                        other.unlink()
        except OSError:
            pass


def _load(path: Path | None, kind: str) -> dict[bytes, bytes]:
    """The entries of a memo file; empty when there is none or it is not one (damaged: ignored)."""
    if path is None:
        return {}
    try:
        fmt, found_kind, digest, payload = marshal.loads(path.read_bytes())
        if (fmt, found_kind) != (_FORMAT, kind) or hashlib.sha256(payload).digest() != digest:
            return {}
        entries = marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(k, bytes) and isinstance(v, bytes)}


def save_all() -> None:
    """:meth:`Memo.save` every memo of this process (at the end of the render)."""
    for memo in _MEMOS:
        memo.save()


__all__ = ["Memo", "save_all"]
