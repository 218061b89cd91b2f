"""The Agent Server's core on the generated ``Handlers``: assistants, threads, runs and the store,
in memory. Each method is one operation of the spec (its signature is the generated one);
operations not implemented here (crons, MCP, A2A, ...) still answer from the spec (mock mode).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from agent_server import models
from agent_server.server import Handlers, Reply, ServerSentEvent

from .graphs import GRAPHS, STATE_SCHEMA, Graph, merge
from .runs import Busy, Run, Runs, Strategy, Thread, now

_T = TypeVar("_T")
_STRATEGIES: dict[Any, Strategy] = {s: s for s in ("reject", "rollback", "interrupt", "enqueue")}
_SYSTEM = uuid.UUID("9c1d6b5e-5c2a-4a55-9b86-6f1f3b2d2a10")  # namespace of the graphs' assistants


def _matches(metadata: Mapping[str, Any], wanted: Mapping[str, Any] | None) -> bool:
    return all(metadata.get(k) == v for k, v in (wanted or {}).items())


def _page(items: Iterable[_T], offset: int | None, limit: int | None) -> list[_T]:
    start = offset or 0
    return list(items)[start : start + (limit if limit is not None else 10)]


def _error(status: int, message: str) -> Reply:
    """An error answer: the body is the spec's ``ErrorResponse`` (here a plain message)."""
    return Reply(status, models.ErrorResponse(detail=message))


def _not_found(what: str, key: object) -> Reply:
    return _error(404, f"{what} {key} not found")


@dataclass(slots=True)
class _Assistant:
    """An assistant: every version of it (the first is 1) and which one is current."""

    assistant_id: uuid.UUID
    versions: list[dict[str, Any]]
    current: int = 1
    created_at: dt.datetime = field(default_factory=now)

    @property
    def latest(self) -> dict[str, Any]:
        return self.versions[self.current - 1]

    def model(self, version: dict[str, Any] | None = None) -> models.Assistant:
        return models.Assistant.model_validate(
            {**(version or self.latest), "assistant_id": self.assistant_id, "created_at": self.created_at}
        )


class ReferenceHandlers(Handlers):
    """The reference implementation: one instance holds one server's data."""

    def __init__(self) -> None:
        self.assistants: dict[uuid.UUID, _Assistant] = {}
        self.runs = Runs()
        self.items: dict[tuple[tuple[str, ...], str], models.Item] = {}
        for graph_id in GRAPHS:  # one assistant per graph, as the real server makes them
            self._new_assistant(
                uuid.uuid5(_SYSTEM, graph_id), graph_id, {}, {"created_by": "system"}, name=graph_id
            )

    # -- assistants -------------------------------------------------------------------------

    def _new_assistant(
        self, assistant_id: uuid.UUID, graph_id: str, config: dict[str, Any], metadata: dict[str, Any], **extra: Any
    ) -> _Assistant:
        version = {"graph_id": graph_id, "config": config, "metadata": metadata, "version": 1,
                   "updated_at": now(), "context": extra.pop("context", None) or {}, **extra}
        assistant = _Assistant(assistant_id, [version])
        self.assistants[assistant_id] = assistant
        return assistant

    def _assistant(self, key: uuid.UUID | str) -> _Assistant | None:
        """By id, or the graph's own assistant for a graph name (as runs may name it)."""
        if isinstance(key, uuid.UUID):
            return self.assistants.get(key)
        try:
            return self.assistants.get(uuid.UUID(key))
        except ValueError:
            return self.assistants.get(uuid.uuid5(_SYSTEM, key))

    async def create_assistant(self, *, body: models.AssistantCreate) -> models.Assistant | Reply:
        if body.graph_id not in GRAPHS:
            return _not_found("Graph", body.graph_id)
        assistant_id = body.assistant_id or uuid.uuid4()
        if assistant_id in self.assistants:
            if body.if_exists is not None and body.if_exists.value == "do_nothing":
                return self.assistants[assistant_id].model()
            return _error(409, f"Assistant {assistant_id} already exists")
        return self._new_assistant(
            assistant_id, body.graph_id, body.config or {}, body.metadata or {},
            name=body.name or "Untitled", description=body.description, context=body.context,
        ).model()

    async def get_assistant(self, *, assistant_id: uuid.UUID) -> models.Assistant | Reply:
        assistant = self.assistants.get(assistant_id)
        return assistant.model() if assistant else _not_found("Assistant", assistant_id)

    async def patch_assistant(
        self, *, assistant_id: uuid.UUID, body: models.AssistantPatch
    ) -> models.Assistant | Reply:
        """A new version, made the current one (as the real server does)."""
        assistant = self.assistants.get(assistant_id)
        if assistant is None:
            return _not_found("Assistant", assistant_id)
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        if "metadata" in changes:
            changes["metadata"] = {**assistant.latest["metadata"], **changes["metadata"]}
        version = {**assistant.latest, **changes, "version": len(assistant.versions) + 1, "updated_at": now()}
        assistant.versions.append(version)
        assistant.current = version["version"]
        return assistant.model()

    async def delete_assistant(self, *, assistant_id: uuid.UUID) -> Any:
        if self.assistants.pop(assistant_id, None) is None:
            return _not_found("Assistant", assistant_id)
        return None

    async def search_assistants(
        self, *, body: models.AssistantSearchRequest
    ) -> list[models.Assistant | models.AssistantSubset] | Reply:
        found: list[models.Assistant | models.AssistantSubset] = [
            a.model()
            for a in sorted(self.assistants.values(), key=lambda a: a.created_at, reverse=True)
            if _matches(a.latest["metadata"], body.metadata)
            and body.graph_id in (None, a.latest["graph_id"])
            and body.name in (None, a.latest.get("name"))
        ]
        return _page(found, body.offset, body.limit)

    async def count_assistants(self, *, body: models.AssistantCountRequest) -> int | Reply:
        return sum(
            1
            for a in self.assistants.values()
            if _matches(a.latest["metadata"], body.metadata) and body.graph_id in (None, a.latest["graph_id"])
        )

    async def get_assistant_versions(
        self, *, assistant_id: uuid.UUID, body: models.AssistantVersionsSearchRequest
    ) -> list[models.AssistantVersion] | Reply:
        assistant = self.assistants.get(assistant_id)
        if assistant is None:
            return _not_found("Assistant", assistant_id)
        versions = [models.AssistantVersion.model_validate(assistant.model(v).model_dump()) for v in reversed(assistant.versions)]
        return _page(versions, body.offset, body.limit)

    async def set_latest_assistant_version(
        self, *, assistant_id: uuid.UUID, body: models.AssistantVersionChange
    ) -> models.Assistant | Reply:
        version = body.version or 1
        assistant = self.assistants.get(assistant_id)
        if assistant is None or not 1 <= version <= len(assistant.versions):
            return _not_found("Assistant version", f"{assistant_id}@{version}")
        assistant.current = version
        return assistant.model()

    def _graph(self, key: uuid.UUID | str) -> Graph | None:
        assistant = self._assistant(key)
        return GRAPHS.get(assistant.latest["graph_id"]) if assistant else None

    async def get_assistant_graph(
        self, *, assistant_id: uuid.UUID | str, xray: bool | int
    ) -> dict[str, list[dict[str, Any]]] | Reply:
        graph = self._graph(assistant_id)
        return graph.drawing() if graph else _not_found("Assistant", assistant_id)

    async def get_assistant_schemas(self, *, assistant_id: uuid.UUID) -> models.GraphSchema | Reply:
        graph = self._graph(assistant_id)
        if graph is None:
            return _not_found("Assistant", assistant_id)
        return models.GraphSchema(graph_id=graph.graph_id, state_schema=STATE_SCHEMA)

    async def get_assistant_subgraphs(
        self, *, assistant_id: uuid.UUID, recurse: bool
    ) -> dict[str, models.GraphSchemaNoId] | Reply:
        graph = self._graph(assistant_id)
        return {} if graph else _not_found("Assistant", assistant_id)

    # -- threads ----------------------------------------------------------------------------

    def _thread_model(self, thread: Thread) -> models.Thread:
        return models.Thread.model_validate(
            {"thread_id": thread.thread_id, "created_at": thread.created_at, "updated_at": thread.updated_at,
             "metadata": thread.metadata, "status": thread.status, "values": thread.values, "config": {}}
        )

    async def create_thread(self, *, body: models.ThreadCreate) -> models.Thread | Reply:
        thread_id = body.thread_id or uuid.uuid4()
        existing = self.runs.threads.get(thread_id)
        if existing is not None:
            if body.if_exists is not None and body.if_exists.value == "do_nothing":
                return self._thread_model(existing)
            return _error(409, f"Thread {thread_id} already exists")
        thread = Thread(thread_id, dict(body.metadata or {}))
        self.runs.threads[thread_id] = thread
        return self._thread_model(thread)

    async def get_thread(self, *, thread_id: uuid.UUID) -> models.Thread | Reply:
        thread = self.runs.threads.get(thread_id)
        return self._thread_model(thread) if thread else _not_found("Thread", thread_id)

    async def patch_thread(self, *, thread_id: uuid.UUID, body: models.ThreadPatch) -> models.Thread | Reply:
        thread = self.runs.threads.get(thread_id)
        if thread is None:
            return _not_found("Thread", thread_id)
        thread.metadata.update(body.metadata or {})
        thread.updated_at = now()
        return self._thread_model(thread)

    async def delete_thread(self, *, thread_id: uuid.UUID) -> Any:
        if thread_id not in self.runs.threads:
            return _not_found("Thread", thread_id)
        self.runs.delete_thread(thread_id)
        return None

    def _threads(self, metadata: Mapping[str, Any] | None, status: Any) -> list[Thread]:
        wanted = getattr(status, "value", status)
        return [
            t
            for t in sorted(self.runs.threads.values(), key=lambda t: t.created_at, reverse=True)
            if not t.temporary and _matches(t.metadata, metadata) and wanted in (None, t.status)
        ]

    async def search_threads(
        self, *, body: models.ThreadSearchRequest
    ) -> list[models.Thread | models.ThreadSubset] | Reply:
        found = [
            t for t in self._threads(body.metadata, body.status) if body.ids is None or t.thread_id in body.ids
        ]
        return [self._thread_model(t) for t in _page(found, body.offset, body.limit)]

    async def count_threads(self, *, body: models.ThreadCountRequest) -> int | Reply:
        return len(self._threads(body.metadata, body.status))

    async def copy_thread_post(self, *, thread_id: uuid.UUID) -> models.Thread | Reply:
        thread = self.runs.threads.get(thread_id)
        if thread is None:
            return _not_found("Thread", thread_id)
        copy = Thread(uuid.uuid4(), dict(thread.metadata), checkpoints=list(thread.checkpoints))
        self.runs.threads[copy.thread_id] = copy
        return self._thread_model(copy)

    # -- thread state -----------------------------------------------------------------------

    def _states(self, thread: Thread) -> list[models.ThreadState]:
        """The thread's checkpoints as states, newest first."""
        return [
            models.ThreadState.model_validate(
                {
                    "values": c.values,
                    "next": c.next,
                    "tasks": [],
                    "checkpoint": {"thread_id": str(thread.thread_id), "checkpoint_ns": "", "checkpoint_id": c.checkpoint_id},
                    "parent_checkpoint": (
                        {"thread_id": str(thread.thread_id), "checkpoint_ns": "", "checkpoint_id": c.parent_id}
                        if c.parent_id
                        else None
                    ),
                    "metadata": {**thread.metadata, **c.metadata},
                    "created_at": c.created_at.isoformat(),
                    "interrupts": [],
                }
            )
            for c in reversed(thread.checkpoints)
        ]

    async def get_latest_thread_state(
        self, *, thread_id: uuid.UUID, subgraphs: bool | None
    ) -> models.ThreadState | Reply:
        thread = self.runs.threads.get(thread_id)
        if thread is None:
            return _not_found("Thread", thread_id)
        states = self._states(thread)
        if states:
            return states[0]
        return models.ThreadState.model_validate(
            {"values": {}, "next": [], "tasks": [], "checkpoint": {"thread_id": str(thread_id), "checkpoint_ns": ""},
             "metadata": thread.metadata, "created_at": thread.created_at.isoformat()}
        )

    async def get_thread_history(
        self, *, thread_id: uuid.UUID, limit: int, before: str | None
    ) -> list[models.ThreadState] | Reply:
        thread = self.runs.threads.get(thread_id)
        return self._states(thread)[:limit] if thread else _not_found("Thread", thread_id)

    async def get_thread_history_post(
        self, *, thread_id: uuid.UUID, body: models.ThreadStateSearch
    ) -> list[models.ThreadState] | Reply:
        return await self.get_thread_history(thread_id=thread_id, limit=body.limit or 10, before=None)

    async def update_thread_state(
        self, *, thread_id: uuid.UUID, body: models.ThreadStateUpdate
    ) -> models.ThreadStateUpdateResponse | Reply:
        thread = self.runs.threads.get(thread_id)
        if thread is None:
            return _not_found("Thread", thread_id)
        update = body.values if isinstance(body.values, dict) else {}
        checkpoint = thread.commit(merge(thread.values or {}, update), next_nodes=[], source="update", run_id=None)
        return models.ThreadStateUpdateResponse(
            checkpoint={"thread_id": str(thread_id), "checkpoint_ns": "", "checkpoint_id": checkpoint.checkpoint_id}
        )

    # -- runs -------------------------------------------------------------------------------

    def _run_model(self, run: Run) -> models.Run:
        return models.Run.model_validate(
            {"run_id": run.run_id, "thread_id": run.thread_id, "assistant_id": run.assistant_id,
             "created_at": run.created_at, "updated_at": run.updated_at, "status": run.status,
             "metadata": run.metadata, "kwargs": run.kwargs, "multitask_strategy": run.multitask_strategy}
        )

    def _start(
        self, thread_id: uuid.UUID | None, body: models.RunCreateStateful | models.RunCreateStateless
    ) -> Run | Reply:
        """Start a run of ``body`` on the thread (None: a new temporary thread, a stateless run)."""
        assistant = self._assistant(body.assistant_id)
        if assistant is None:
            return _not_found("Assistant", body.assistant_id)
        graph = GRAPHS[assistant.latest["graph_id"]]
        if thread_id is None:
            thread = Thread(uuid.uuid4(), {}, temporary=True)
            self.runs.threads[thread.thread_id] = thread
        elif (found := self.runs.threads.get(thread_id)) is not None:
            thread = found
        elif isinstance(body, models.RunCreateStateful) and getattr(body.if_not_exists, "value", None) == "create":
            thread = Thread(thread_id, {})
            self.runs.threads[thread_id] = thread
        else:
            return _not_found("Thread", thread_id)
        chosen = getattr(getattr(body, "multitask_strategy", None), "value", None)
        strategy = _STRATEGIES.get(chosen, "enqueue")  # the real server's default
        modes = body.stream_mode if isinstance(body.stream_mode, list) else [body.stream_mode or "values"]
        kwargs = {
            "input": body.input,
            "config": body.config.model_dump(exclude_none=True) if body.config else {},
            "stream_mode": [getattr(m, "value", m) for m in modes],
        }
        metadata = {**assistant.latest["metadata"], **thread.metadata, **(body.metadata or {}),
                    "graph_id": graph.graph_id, "assistant_id": str(assistant.assistant_id)}
        try:
            return self.runs.start(
                thread, graph, assistant_id=assistant.assistant_id, kwargs=kwargs, metadata=metadata, strategy=strategy
            )
        except Busy as busy:
            return _error(409, str(busy))

    @staticmethod
    def _where(run: Run, stateless: bool) -> dict[str, str]:
        """The run's URL (Content-Location), as the SDK reads the run id from it."""
        url = f"/runs/{run.run_id}" if stateless else f"/threads/{run.thread_id}/runs/{run.run_id}"
        return {"Content-Location": url}

    async def create_run(self, *, thread_id: uuid.UUID, body: models.RunCreateStateful) -> models.Run | Reply:
        """Create Background Run: the run starts in the background; its Run comes back at once."""
        run = self._start(thread_id, body)
        if isinstance(run, Reply):
            return run
        return Reply(200, self._run_model(run), headers=self._where(run, stateless=False))

    async def run_stateless(self, *, body: models.RunCreateStateless) -> Any:
        run = self._start(None, body)
        if isinstance(run, Reply):
            return run
        return Reply(200, self._run_model(run), headers=self._where(run, stateless=True))

    async def run_batch_stateless(self, *, body: models.RunBatchCreate) -> Any:
        runs = [self._start(None, one) for one in body.root]
        refused = next((r for r in runs if isinstance(r, Reply)), None)
        return refused or [self._run_model(r) for r in runs if isinstance(r, Run)]

    async def _wait(self, run: Run | Reply, stateless: bool) -> Any:
        if isinstance(run, Reply):
            return run
        await run.finished()
        return Reply(200, run.output, headers=self._where(run, stateless))

    async def wait_run(self, *, thread_id: uuid.UUID, body: models.RunCreateStateful) -> Any:
        return await self._wait(self._start(thread_id, body), stateless=False)

    async def wait_run_stateless(self, *, body: models.RunCreateStateless) -> Any:
        return await self._wait(self._start(None, body), stateless=True)

    def _stream(self, run: Run | Reply, stateless: bool, after: int = 0) -> AsyncIterator[ServerSentEvent] | Reply:
        if isinstance(run, Reply):
            return run
        base = self._where(run, stateless)["Content-Location"]
        headers = {"Content-Location": base, "Location": f"{base}/stream"}  # Location: where to reconnect
        return Reply(200, self._events(run, after), headers=headers)

    @staticmethod
    async def _events(run: Run, after: int) -> AsyncIterator[ServerSentEvent]:
        async for number, name, data in run.follow(after):
            yield ServerSentEvent(data, event=name, id=str(number))

    async def stream_run(
        self, *, thread_id: uuid.UUID, body: models.RunCreateStateful
    ) -> AsyncIterator[ServerSentEvent] | Reply:
        return self._stream(self._start(thread_id, body), stateless=False)

    async def stream_run_stateless(
        self, *, body: models.RunCreateStateless
    ) -> AsyncIterator[ServerSentEvent] | Reply:
        return self._stream(self._start(None, body), stateless=True)

    def _run(self, thread_id: uuid.UUID, run_id: uuid.UUID) -> Run | Reply:
        run = self.runs.runs.get(run_id)
        if run is None or run.thread_id != thread_id:
            return _not_found("Run", run_id)
        return run

    async def get_run_http(self, *, thread_id: uuid.UUID, run_id: uuid.UUID) -> models.Run | Reply:
        run = self._run(thread_id, run_id)
        return run if isinstance(run, Reply) else self._run_model(run)

    async def list_runs_http(
        self,
        *,
        thread_id: uuid.UUID,
        limit: int,
        offset: int,
        status: Literal["pending", "error", "success", "timeout", "interrupted"] | None,
        select: list[Any] | None,
    ) -> list[models.Run | models.RunSubset] | Reply:
        if thread_id not in self.runs.threads:
            return _not_found("Thread", thread_id)
        runs = [r for r in self.runs.of_thread(thread_id) if status in (None, r.status)]
        return [self._run_model(r) for r in _page(runs, offset, limit)]

    async def join_run_http(self, *, thread_id: uuid.UUID, run_id: uuid.UUID, cancel_on_disconnect: bool) -> Any:
        """The run's final state, once it has ended."""
        return await self._wait(self._run(thread_id, run_id), stateless=False)

    async def stream_run_http(
        self,
        *,
        thread_id: uuid.UUID,
        run_id: uuid.UUID,
        last_event_id: str | None,
        stream_mode: str | None,
        cancel_on_disconnect: bool,
    ) -> AsyncIterator[ServerSentEvent] | Reply:
        """Join a run's stream: its events from the first (or after ``Last-Event-ID``)."""
        after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
        return self._stream(self._run(thread_id, run_id), stateless=False, after=after)

    async def cancel_run_http(
        self, *, thread_id: uuid.UUID, run_id: uuid.UUID, wait: bool, action: Literal["interrupt", "rollback"]
    ) -> Any:
        run = self._run(thread_id, run_id)
        if isinstance(run, Reply):
            return run
        if run.done:
            return _not_found("Run in progress", run_id)
        self.runs.cancel(run, rollback=action == "rollback")
        if wait:
            await run.finished()
        return None

    async def cancel(self, *, action: Literal["interrupt", "rollback"], body: models.RunsCancel) -> Reply | None:
        """Cancel runs by status, or by thread and ids."""
        which = body.root
        status = getattr(which.status, "value", None)
        chosen = [
            r
            for r in list(self.runs.runs.values())
            if not r.done
            and (status in (None, "all") or r.status == status)
            and (which.thread_id is None or r.thread_id == which.thread_id)
            and (which.run_ids is None or r.run_id in which.run_ids)
        ]
        if not chosen:
            return _error(404, "No runs found to cancel.")
        for run in chosen:
            self.runs.cancel(run, rollback=action == "rollback")
        return None

    async def delete_run(self, *, thread_id: uuid.UUID, run_id: uuid.UUID) -> Any:
        run = self._run(thread_id, run_id)
        if isinstance(run, Reply):
            return run
        if not run.done:
            self.runs.cancel(run)
        self.runs.runs.pop(run_id)
        return None

    # -- store ------------------------------------------------------------------------------

    @staticmethod
    def _namespace(parts: list[str] | None) -> tuple[str, ...]:
        """A namespace from the query, where the SDK sends it joined with dots."""
        return tuple(label for part in parts or [] for label in part.split(".") if label)

    async def put_item(self, *, body: models.StorePutRequest) -> Reply | None:
        key = (tuple(body.namespace), body.key)
        old = self.items.get(key)
        self.items[key] = models.Item(
            namespace=body.namespace, key=body.key, value=body.value,
            created_at=old.created_at if old else now(), updated_at=now(),
        )
        return None

    async def get_item(self, *, key: str, namespace: str | None) -> models.Item | Reply | None:
        return self.items.get((self._namespace([namespace] if namespace else []), key))

    async def delete_item(self, *, body: models.StoreDeleteRequest) -> Reply | None:
        self.items.pop((tuple(body.namespace or ()), body.key), None)
        return None

    async def search_items(self, *, body: models.StoreSearchRequest) -> models.SearchItemsResponse | Reply:
        prefix = tuple(body.namespace_prefix or ())
        found = [
            item
            for (namespace, _), item in sorted(self.items.items())
            if namespace[: len(prefix)] == prefix and _matches(item.value, body.filter)
        ]
        return models.SearchItemsResponse(items=_page(found, body.offset, body.limit))

    async def list_namespaces(
        self, *, body: models.StoreListNamespacesRequest
    ) -> models.ListNamespaceResponse | Reply:
        prefix, suffix = tuple(body.prefix or ()), tuple(body.suffix or ())
        found = sorted(
            {
                namespace[: body.max_depth] if body.max_depth else namespace
                for namespace, _ in self.items
                if namespace[: len(prefix)] == prefix and (not suffix or namespace[-len(suffix) :] == suffix)
            }
        )
        return models.ListNamespaceResponse(namespaces=[list(n) for n in _page(found, body.offset, body.limit or 100)])
