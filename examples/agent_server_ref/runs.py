"""Threads, runs and their events, in memory: the part of the Agent Server that runs graphs.

A run is an asyncio task. It starts ``pending``, waits for the runs before it on its thread (one
run at a time per thread), goes ``running``, runs its graph node by node (each step a checkpoint
of the thread's state and a few events) and ends ``success``, ``error`` or ``interrupted``
(cancelled). Every event a run sends is kept, numbered from 1, so a stream joined late, or
resumed with ``Last-Event-ID``, gets all of them from where it starts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .graphs import Graph, merge

Strategy = Literal["reject", "rollback", "interrupt", "enqueue"]
INFLIGHT = ("pending", "running")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Busy(Exception):
    """A run was refused: its thread is busy and the strategy is ``reject``."""


@dataclass(slots=True)
class Checkpoint:
    checkpoint_id: str
    values: dict[str, Any]
    next: list[str]
    metadata: dict[str, Any]
    created_at: dt.datetime
    parent_id: str | None
    run_id: uuid.UUID | None  # the run that wrote it (None: an update of the state)


@dataclass(slots=True)
class Thread:
    thread_id: uuid.UUID
    metadata: dict[str, Any]
    created_at: dt.datetime = field(default_factory=now)
    updated_at: dt.datetime = field(default_factory=now)
    status: Literal["idle", "busy", "interrupted", "error"] = "idle"
    checkpoints: list[Checkpoint] = field(default_factory=list)  # oldest first
    temporary: bool = False  # a stateless run's: deleted when the run ends

    @property
    def values(self) -> dict[str, Any] | None:
        return self.checkpoints[-1].values if self.checkpoints else None

    def commit(
        self, values: dict[str, Any], *, next_nodes: list[str], source: str, run_id: uuid.UUID | None
    ) -> Checkpoint:
        """A new checkpoint of the state: the latest one."""
        parent = self.checkpoints[-1].checkpoint_id if self.checkpoints else None
        checkpoint = Checkpoint(
            str(uuid.uuid4()),
            values,
            next_nodes,
            {"source": source, "step": len(self.checkpoints), "run_id": str(run_id) if run_id else None},
            now(),
            parent,
            run_id,
        )
        self.checkpoints.append(checkpoint)
        self.updated_at = checkpoint.created_at
        return checkpoint


@dataclass(slots=True)
class Run:
    run_id: uuid.UUID
    thread_id: uuid.UUID
    assistant_id: uuid.UUID
    metadata: dict[str, Any]
    kwargs: dict[str, Any]
    multitask_strategy: Strategy
    status: Literal["pending", "running", "error", "success", "timeout", "interrupted"] = "pending"
    created_at: dt.datetime = field(default_factory=now)
    updated_at: dt.datetime = field(default_factory=now)
    events: list[tuple[str, Any]] = field(default_factory=list)  # (name, data); id = index + 1
    output: dict[str, Any] | None = None  # the final state, or {"__error__": ...}
    rollback: bool = False  # cancelled with action "rollback": leave no trace
    closed: bool = False  # over, its last event (``end``) sent
    task: asyncio.Task[None] | None = None
    _pulse: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def done(self) -> bool:
        return self.status not in INFLIGHT

    def emit(self, name: str, data: Any) -> None:
        self.events.append((name, data))
        self._wake()

    def set_status(self, status: Literal["running", "error", "success", "interrupted"]) -> None:
        self.status = status
        self.updated_at = now()
        self._wake()

    def _wake(self) -> None:
        self._pulse.set()
        self._pulse = asyncio.Event()

    async def follow(self, after: int = 0) -> AsyncIterator[tuple[int, str, Any]]:
        """(id, name, data) of each event after the ``after``-th, as they come, until the run
        has ended and every event is sent."""
        sent = after
        while True:
            pulse = self._pulse
            while sent < len(self.events):
                name, data = self.events[sent]
                sent += 1
                yield sent, name, data
            if self.closed:
                return
            await pulse.wait()

    async def finished(self) -> None:
        """Wait until the run is over (a waiter cancelled does not cancel the run)."""
        while not self.closed:
            await self._pulse.wait()

    def close(self) -> None:
        self.closed = True
        self.emit("end", None)


class Runs:
    """Every thread and run of the server."""

    def __init__(self) -> None:
        self.threads: dict[uuid.UUID, Thread] = {}
        self.runs: dict[uuid.UUID, Run] = {}

    def of_thread(self, thread_id: uuid.UUID) -> list[Run]:
        """The thread's runs, newest first."""
        runs = [r for r in self.runs.values() if r.thread_id == thread_id]
        return sorted(runs, key=lambda r: r.created_at, reverse=True)

    def inflight(self, thread_id: uuid.UUID) -> list[Run]:
        return [r for r in self.of_thread(thread_id) if not r.done]

    def start(
        self,
        thread: Thread,
        graph: Graph,
        *,
        assistant_id: uuid.UUID,
        kwargs: dict[str, Any],
        metadata: dict[str, Any],
        strategy: Strategy,
    ) -> Run:
        """A new run of ``graph`` on ``thread``, started in the background (``pending``).

        With runs in flight on the thread: ``reject`` raises :class:`Busy`; ``interrupt`` and
        ``rollback`` cancel them (rollback also removes them and their checkpoints); ``enqueue``
        waits for them.
        """
        inflight = self.inflight(thread.thread_id)
        if inflight and strategy == "reject":
            raise Busy("Thread is already running a task. Wait for it to finish or choose a different multitask strategy.")
        if strategy in ("interrupt", "rollback"):
            for other in inflight:
                self.cancel(other, rollback=strategy == "rollback")
        run = Run(uuid.uuid4(), thread.thread_id, assistant_id, metadata, kwargs, strategy)
        self.runs[run.run_id] = run
        earlier = [r.task for r in inflight if r.task is not None]
        run.task = asyncio.create_task(self._execute(run, thread, graph, earlier))
        run.task.add_done_callback(lambda _: self._settle(run, thread))
        return run

    def cancel(self, run: Run, *, rollback: bool = False) -> None:
        run.rollback = rollback
        if run.task is not None:
            run.task.cancel()

    async def _execute(self, run: Run, thread: Thread, graph: Graph, earlier: list[asyncio.Task[None]]) -> None:
        if earlier:
            await asyncio.wait(earlier)  # enqueued: one run at a time per thread
        run.set_status("running")
        thread.status = "busy"
        modes = run.kwargs.get("stream_mode") or ["values"]
        given = run.kwargs.get("input")
        run_input: Mapping[str, Any] = given if isinstance(given, dict) else {}
        run.emit("metadata", {"run_id": str(run.run_id), "attempt": 1})
        nodes = [name for name, _ in graph.nodes]
        state = merge(thread.values or {}, run_input)
        thread.commit(state, next_nodes=nodes[:1], source="input", run_id=run.run_id)
        if "values" in modes:
            run.emit("values", state)
        try:
            for position, (name, node) in enumerate(graph.nodes):
                update = await node(state, run_input)
                state = merge(state, update)
                thread.commit(state, next_nodes=nodes[position + 1 : position + 2], source="loop", run_id=run.run_id)
                if "updates" in modes:
                    run.emit("updates", {name: update})
                if "values" in modes:
                    run.emit("values", state)
        except asyncio.CancelledError:
            raise  # settled by _settle
        except Exception as exc:  # the graph failed: the run's error, not the server's
            run.output = {"__error__": {"error": type(exc).__name__, "message": str(exc)}}
            run.emit("error", run.output["__error__"])
            run.set_status("error")
            return
        run.output = state
        run.set_status("success")

    def _settle(self, run: Run, thread: Thread) -> None:
        """When the run's task is over: a cancelled run is ``interrupted`` (or rolled back),
        every stream gets ``end``, the thread is idle (or error), a temporary thread goes."""
        if not run.done:  # cancelled, maybe before it started
            run.output = thread.values or {}
            run.set_status("interrupted")
        if run.rollback:
            thread.checkpoints = [c for c in thread.checkpoints if c.run_id != run.run_id]
            self.runs.pop(run.run_id, None)
        if not self.inflight(thread.thread_id):
            thread.status = "error" if run.status == "error" else "idle"
        if thread.temporary and not self.inflight(thread.thread_id):
            self.threads.pop(thread.thread_id, None)
        run.close()

    def delete_thread(self, thread_id: uuid.UUID) -> None:
        for run in self.of_thread(thread_id):
            if not run.done:
                self.cancel(run)
            self.runs.pop(run.run_id, None)
        self.threads.pop(thread_id, None)
