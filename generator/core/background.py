"""Work that runs in a forked process while this one goes on: the models stage (seconds on a
big spec, on one core) runs beside validation (on the other).

:func:`start` forks and calls ``fn(*args)`` in the child; :meth:`Background.result` waits for
its value or raises its exception here; :meth:`Background.cancel` kills it when its work is
not wanted (validation found errors). A fork is used only on Linux and only while this
process has no other thread (forking a threaded process is unsafe); elsewhere, or with
``OAPIGEN_DEBUG`` set (one process keeps tracebacks whole), ``fn`` runs in :meth:`result`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        message: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # every failure goes back to the parent
        message = (False, exc)
    try:
        conn.send_bytes(pickle.dumps(message))
    except Exception as exc:  # an exception (or value) that does not pickle
        conn.send_bytes(pickle.dumps((False, RuntimeError(f"{type(message[1]).__name__}: {message[1]} ({exc})"))))
    conn.close()


def fork_safe() -> bool:
    """Forking is safe: Linux, and this process has no other thread."""
    return sys.platform == "linux" and threading.active_count() == 1


def can_fork() -> bool:
    """Start background work in a fork (not with ``OAPIGEN_DEBUG``: one process keeps tracebacks whole)."""
    return fork_safe() and not os.environ.get("OAPIGEN_DEBUG")


@contextmanager
def gc_frozen() -> Iterator[None]:
    """While processes fork: what this process holds is moved out of the garbage collector's
    reach, so the children's collections never walk it (nor copy its pages)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# A command's few seconds allocate millions of objects that mostly live until it ends (the
# document, the IR, black's trees): with the default thresholds the collector runs thousands of
# times and finds little to free (~4 % of a cold run on the seed). Raised for a command's run;
# forked workers inherit them.
RARE_COLLECTIONS = (50_000, 20, 100)


@contextmanager
def rare_collections() -> Iterator[None]:
    """While a command runs: the garbage collector runs far less often (:data:`RARE_COLLECTIONS`),
    the previous thresholds are restored after."""
    previous = gc.get_threshold()
    gc.set_threshold(*RARE_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class Background(Generic[T]):
    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        self._fn, self._args = fn, args
        self._process: Any = None
        self._conn: Connection | None = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._conn, child = context.Pipe(duplex=False)
            self._process = context.Process(target=_child, args=(child, fn, args), daemon=True)
            with gc_frozen():
                self._process.start()
            child.close()

    def result(self) -> T:
        if self._conn is None:
            return self._fn(*self._args)
        try:
            ok, value = pickle.loads(self._conn.recv_bytes())
        except EOFError:  # the child died without a word (killed, out of memory)
            raise RuntimeError(f"the background process exited with code {self._wait()}") from None
        finally:
            self._conn.close()
            self._conn = None
        self._wait()
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def running(self) -> bool:
        """The child has not sent its result yet (False when there is no child)."""
        return self._conn is not None and self._process is not None and not self._conn.poll()

    def cancel(self) -> None:
        """Stop the child if it still runs (its result is not wanted)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._wait()

    def _wait(self) -> int | None:
        if self._process is None:
            return None
        self._process.join()
        code: int | None = self._process.exitcode
        self._process = None
        return code


def start(fn: Callable[..., T], *args: Any) -> Background[T]:
    return Background(fn, args)


__all__ = ["RARE_COLLECTIONS", "Background", "can_fork", "fork_safe", "gc_frozen", "rare_collections", "start"]
