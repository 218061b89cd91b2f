"""The generated seed client against the REAL LangGraph Agent Server.

``langgraph dev`` (langgraph-cli[inmem] and langgraph-api, pinned in
tests/agent_graphs/requirements.txt, run from .venv-agent: see tests/conftest_agent.py) serves
the LLM-free graphs of tests/agent_graphs/. The client is the package generated from
specs/agent-server.json with specs/agent-server.overlay.yaml (what generated/agent_server holds).
Every test runs twice, through ``Client`` and through ``AsyncClient``, and asserts typed results:
these tests fail when the overlay misses a disagreement between the spec and the server.

Every operation the seed spec describes is called; what the real server does with each is in
the overlay's comments.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import threading
import uuid
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from .conftest_agent import agent_server_url  # noqa: F401  (the session fixture)
from .conftest_client import install

STREAM_DEADLINE = 30.0  # seconds; a bound, not a measurement (each stream here takes about one)
STREAM_MODES = ["values", "updates", "messages", "messages-tuple", "events", "debug", "custom",
                "checkpoints", "tasks"]
# The events each stream mode sends for one step of the echo graph (besides `metadata`).
MODE_EVENTS = {
    "values": {"values"},
    "updates": {"updates"},
    "messages": {"messages/metadata", "messages/complete"},
    "messages-tuple": {"messages"},
    "events": {"events"},
    "debug": {"debug"},
    "custom": {"custom"},
    "checkpoints": {"checkpoints"},
    "tasks": {"tasks"},
}


@pytest.fixture(scope="session")
def seed(generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "agent_server", generated_packages["agent_server"][1].files)


class Blocking:
    """An ``AsyncClient`` (or one of its groups) called like a ``Client``: each coroutine runs to
    its end on the test's event loop. Streams stay streams (see ``Api.events``)."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop, stream_type: type) -> None:
        self._target, self._loop, self._stream_type = target, loop, stream_type

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return Blocking(attr, self._loop, self._stream_type)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if isinstance(result, self._stream_type):  # sent now, as Client sends it
                return self._loop.run_until_complete(result.open())
            if not inspect.isawaitable(result):
                return result
            return self._loop.run_until_complete(result)

        return call


class Api:
    """One test's client, sync or async, with the same calls either way."""

    def __init__(self, seed: ModuleType, url: str, mode: str) -> None:
        self.seed, self.models, self.mode = seed, seed.models, mode
        self._loop: asyncio.AbstractEventLoop | None = None
        if mode == "sync":
            self.client: Any = seed.Client(base_url=url, timeout=30.0)
        else:
            self._loop = asyncio.new_event_loop()
            self._async = seed.AsyncClient(base_url=url, timeout=30.0)
            self.client = Blocking(self._async, self._loop, seed.AsyncStream)

    def __getattr__(self, group: str) -> Any:
        return getattr(self.client, group)

    def events(self, stream: Any, until: Callable[[Any], bool] | None = None) -> list[Any]:
        """The events of a stream, to its end or through the first one ``until`` accepts.

        Bounded: a thread stream stays open (heartbeats) after its runs, so a stream that never
        sends the awaited event fails the test after STREAM_DEADLINE seconds instead of hanging.
        """
        if self._loop is None:
            return self._sync_events(stream, until)

        async def collect() -> list[Any]:
            seen: list[Any] = []
            async with stream:
                async for event in stream:
                    seen.append(event)
                    if until is not None and until(event):
                        break
            return seen

        try:
            return self._loop.run_until_complete(asyncio.wait_for(collect(), STREAM_DEADLINE))
        except TimeoutError:
            pytest.fail(f"the stream did not end or send the awaited event within {STREAM_DEADLINE}s")

    @staticmethod
    def _sync_events(stream: Any, until: Callable[[Any], bool] | None) -> list[Any]:
        seen: list[Any] = []
        failure: list[BaseException] = []

        def collect() -> None:
            try:
                with stream:
                    for event in stream:
                        seen.append(event)
                        if until is not None and until(event):
                            break
            except BaseException as exc:  # reported below, in the test's thread
                failure.append(exc)

        worker = threading.Thread(target=collect, daemon=True)
        worker.start()
        worker.join(STREAM_DEADLINE)
        if worker.is_alive():
            stream.close()
            pytest.fail(f"the stream did not end or send the awaited event within {STREAM_DEADLINE}s: {seen}")
        if failure:
            raise failure[0]
        return seen

    def raises(self, error: type[BaseException], call: Callable[[], Any]) -> Any:
        with pytest.raises(error) as info:
            call()
        return info.value

    def close(self) -> None:
        if self._loop is None:
            self.client.close()
        else:
            self._loop.run_until_complete(self._async.aclose())
            self._loop.close()


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, seed: ModuleType, agent_server_url: str) -> Iterator[Api]:  # noqa: F811
    client = Api(seed, agent_server_url, request.param)
    yield client
    client.close()


def new_thread(api: Api, **body: Any) -> uuid.UUID:
    thread = api.threads.create_thread(body=body)
    assert isinstance(thread, api.models.Thread)
    return thread.thread_id  # type: ignore[no-any-return]


def kinds(events: list[Any]) -> set[str]:
    return {event.event for event in events}


# -- system -----------------------------------------------------------------------------------


def test_system(api: Api) -> None:
    info = api.system.server_info()
    assert isinstance(info, api.models.ServerInfoResponse)
    assert info.version and info.langgraph_py_version and isinstance(info.flags, dict)
    assert info.metadata is None  # the server sends none (overlay action 9)
    assert isinstance(info.host, api.models.ServerInfoResponseHost) and info.host.kind
    for check_db in (0, 1):
        health = api.system.health_check(check_db=check_db)
        assert isinstance(health, api.models.HealthCheckResponse) and health.ok is True
    metrics = api.system.system_metrics(format="json")
    assert isinstance(metrics, dict) and "queue" in metrics
    text = api.system.system_metrics(format="prometheus")
    assert isinstance(text, str) and "# TYPE" in text


# -- assistants -------------------------------------------------------------------------------


def test_assistants(api: Api) -> None:
    m = api.models
    name = f"echo-{uuid.uuid4().hex[:8]}"
    created = api.assistants.create_assistant(
        body=m.AssistantCreate(graph_id="echo", name=name, metadata={"tag": name}))
    assert isinstance(created, m.Assistant) and created.graph_id == "echo" and created.name == name
    aid = created.assistant_id
    assert isinstance(created.config, m.Config)
    assert api.assistants.get_assistant(aid) == created
    patched = api.assistants.patch_assistant(aid, body={"metadata": {"tag": name, "v": 2}})
    assert isinstance(patched, m.Assistant) and patched.version == 2

    found = api.assistants.search_assistants(body={"metadata": {"tag": name}}).items
    assert [type(a) for a in found] == [m.Assistant] and found[0].assistant_id == aid
    picked = api.assistants.search_assistants(body={"metadata": {"tag": name}, "select": ["assistant_id", "name"]}).items
    assert [type(a) for a in picked] == [m.AssistantSubset]  # only the selected fields (action 8b)
    assert (picked[0].assistant_id, picked[0].name, picked[0].graph_id) == (aid, name, None)
    count = api.assistants.count_assistants(body={"graph_id": "echo"})
    assert isinstance(count, int) and count >= 2  # ours and the graph's default assistant

    graph = api.assistants.get_assistant_graph(aid, xray=True)
    assert {node["id"] for node in graph["nodes"]} >= {"__start__", "echo", "__end__"}
    assert graph["edges"]
    schemas = api.assistants.get_assistant_schemas(aid)
    assert isinstance(schemas, m.GraphSchema) and schemas.graph_id == "echo"
    assert "messages" in schemas.state_schema["properties"]
    assert isinstance(api.assistants.get_assistant_subgraphs(aid, recurse=True), dict)  # a plain map: a dict
    assert api.assistants.get_assistant_subgraphs_by_namespace(aid, "echo") == {}

    versions = api.assistants.get_assistant_versions(aid, body={}).items  # a JSON body (action 10)
    assert [type(v) for v in versions] == [m.AssistantVersion, m.AssistantVersion]
    assert sorted(v.version for v in versions) == [1, 2]
    latest = api.assistants.set_latest_assistant_version(aid, body=m.AssistantVersionChange(version=1))
    assert isinstance(latest, m.Assistant) and latest.version == 1 and latest.metadata == {"tag": name}

    assert api.assistants.delete_assistant(aid) is None
    gone = api.raises(api.seed.NotFoundError, lambda: api.assistants.get_assistant(aid))
    assert isinstance(gone.body, m.ErrorResponse) and gone.body.detail


# -- threads ----------------------------------------------------------------------------------


def test_threads(api: Api) -> None:
    m = api.models
    tag = uuid.uuid4().hex
    tid = new_thread(api, metadata={"tag": tag}, ttl={"strategy": "keep_latest", "ttl": 60})
    thread = api.threads.get_thread(tid)
    assert isinstance(thread, m.Thread) and thread.metadata == {"tag": tag} and thread.status == "idle"
    assert thread.state_updated_at >= thread.created_at and thread.error is None  # action 17
    patched = api.threads.patch_thread(tid, body={"metadata": {"more": 1}})
    assert isinstance(patched, m.Thread) and patched.metadata == {"tag": tag, "more": 1}

    # A thread without runs has no checkpoint yet: null checkpoint, metadata, created_at (action 4).
    state = api.threads.get_latest_thread_state(tid)
    assert isinstance(state, m.ThreadState)
    assert (state.checkpoint, state.metadata, state.created_at, state.next) == (None, None, None, [])
    assert api.threads.get_thread_history(tid) == []

    found = api.threads.search_threads(body={"metadata": {"tag": tag}}).items
    assert [(type(t), t.thread_id) for t in found] == [(m.Thread, tid)]
    picked = api.threads.search_threads(body={"metadata": {"tag": tag}, "select": ["thread_id", "status"]}).items
    assert [type(t) for t in picked] == [m.ThreadSubset]  # action 8c
    assert (picked[0].thread_id, picked[0].status, picked[0].created_at) == (tid, "idle", None)
    assert api.threads.count_threads(body={"metadata": {"tag": tag}}) == 1

    copy = api.threads.copy_thread_post(tid)
    assert isinstance(copy, m.Thread) and copy.thread_id != tid
    assert api.threads.delete_thread(tid) is None
    api.raises(api.seed.NotFoundError, lambda: api.threads.get_thread(tid))
    pruned = api.threads.prune_threads(body=m.ThreadPruneRequest(thread_ids=[copy.thread_id], strategy="delete"))
    assert pruned == m.ThreadPruneResponse(pruned_count=1)  # an operation the seed lacks (action 18)
    api.raises(api.seed.NotFoundError, lambda: api.threads.get_thread(copy.thread_id))


# -- runs on a thread -------------------------------------------------------------------------


def test_runs_and_state(api: Api) -> None:
    m = api.models
    tid = new_thread(api)
    values = api.thread_runs.wait_run(tid, body={"assistant_id": "echo", "input": {"messages": ["hi"]}})
    assert values == {"messages": ["hi", "echo: hi"], "steps": 1}

    state = api.threads.get_latest_thread_state(tid)
    assert isinstance(state, m.ThreadState) and state.values == values
    assert isinstance(state.checkpoint, m.CheckpointConfig) and state.checkpoint.checkpoint_id
    assert state.checkpoint_id == state.checkpoint.checkpoint_id and state.parent_checkpoint_id  # 17
    history = api.threads.get_thread_history(tid, limit=10)
    assert history and all(isinstance(s, m.ThreadState) for s in history) and history[0].values == values
    assert api.threads.get_thread_history_post(tid, body={"limit": 10}) == history
    at = api.threads.get_thread_state_at_checkpoint(tid, state.checkpoint.checkpoint_id)
    assert isinstance(at, m.ThreadState) and at.values == values
    posted = api.threads.post_thread_state_at_checkpoint(tid, body={"checkpoint": {"checkpoint_id": state.checkpoint.checkpoint_id}})
    assert isinstance(posted, m.ThreadState) and posted.values == values

    update = api.threads.update_thread_state(tid, body={"values": {"messages": ["manual"]}, "as_node": "echo"})
    assert isinstance(update, m.ThreadStateUpdateResponse) and update.checkpoint["checkpoint_id"]
    assert api.threads.get_latest_thread_state(tid).values["messages"][-1] == "manual"

    run = api.thread_runs.create_run(tid, body=m.RunCreateStateful(assistant_id="echo", input={"messages": ["bg"]}))
    assert isinstance(run, m.Run) and run.thread_id == tid
    assert "langsmith_session_name" in type(run).model_fields and run.langsmith_session_name is None  # 17
    joined = api.thread_runs.join_run_http(tid, run.run_id)
    assert joined["messages"][-2:] == ["bg", "echo: bg"]
    done = api.thread_runs.get_run_http(tid, run.run_id)
    assert isinstance(done, m.Run) and done.status == "success"

    runs = api.thread_runs.list_runs_http(tid, limit=10, status="success").items
    assert {type(r) for r in runs} == {m.Run} and run.run_id in {r.run_id for r in runs}
    picked = api.thread_runs.list_runs_http(tid, select=["run_id", "status"]).items
    assert {type(r) for r in picked} == {m.RunSubset}  # action 8d
    assert {(r.status, r.assistant_id) for r in picked} == {("success", None)}
    assert api.thread_runs.delete_run(tid, run.run_id) is None
    api.raises(api.seed.NotFoundError, lambda: api.thread_runs.get_run_http(tid, run.run_id))


@pytest.mark.parametrize("mode", STREAM_MODES)
def test_each_stream_mode(api: Api, mode: str) -> None:
    tid = new_thread(api)
    events = api.events(api.thread_runs.stream_run(
        tid, body={"assistant_id": "echo", "input": {"messages": [mode]}, "stream_mode": mode}))
    assert events[0].event == "metadata" and events[0].data["run_id"]
    assert kinds(events) == {"metadata"} | MODE_EVENTS[mode]
    if mode == "values":
        assert events[-1].data == {"messages": [mode, f"echo: {mode}"], "steps": 1}
    if mode == "custom":
        assert [e.data for e in events if e.event == "custom"] == [{"echoed": mode}]
    if mode == "messages-tuple":
        message, metadata = next(e.data for e in events if e.event == "messages")
        assert message["content"] == f"echo: {mode}" and metadata["langgraph_node"] == "echo"


def test_stateless_runs(api: Api) -> None:
    m = api.models
    body = {"assistant_id": "echo", "input": {"messages": ["x"]}}
    events = api.events(api.stateless_runs.stream_run_stateless(body=body))
    assert kinds(events) == {"metadata", "values"} and events[-1].data["messages"] == ["x", "echo: x"]
    assert api.stateless_runs.wait_run_stateless(body=body) == {"messages": ["x", "echo: x"], "steps": 1}
    run = api.stateless_runs.run_stateless(body=m.RunCreateStateless(**body))
    assert isinstance(run, m.Run) and run.assistant_id  # action 15
    batch = api.stateless_runs.run_batch_stateless(body=[body, body])
    assert [type(r) for r in batch] == [m.Run, m.Run] and batch[0].run_id != batch[1].run_id


def test_interrupt_and_resume_with_a_command(api: Api) -> None:
    m = api.models
    tid = new_thread(api)
    first = api.thread_runs.wait_run(tid, body={"assistant_id": "ask", "input": {"messages": ["q"]}})
    assert first["__interrupt__"][0]["value"] == "what next?"
    state = api.threads.get_latest_thread_state(tid)
    assert isinstance(state, m.ThreadState) and state.next == ["ask"]
    # interrupt("what next?"): the value is a string, not an object (action 1)
    assert [(type(i), i.value) for i in state.interrupts] == [(m.Interrupt, "what next?")]
    assert [i.value for i in state.tasks[0].interrupts] == ["what next?"]
    assert api.threads.get_thread(tid).status == "interrupted"
    assert api.threads.get_thread_history(tid)[0].interrupts[0].value == "what next?"

    resume = m.RunCreateStateful(assistant_id="ask", command=m.Command(resume="go"), stream_mode=["values"])
    events = api.events(api.thread_runs.stream_run(tid, body=resume))
    assert events[-1].data["messages"] == ["q", "echo: q", "answer: go"]
    assert api.threads.get_thread(tid).status == "idle"
    assert api.threads.get_latest_thread_state(tid).interrupts == []


def test_a_failing_graph(api: Api) -> None:
    tid = new_thread(api)
    events = api.events(api.thread_runs.stream_run(tid, body={"assistant_id": "fail", "input": {"messages": ["x"]}}))
    errors = [e.data for e in events if e.event == "error"]
    assert errors == [{"error": "ValueError", "message": "this graph always fails"}]
    waited = api.thread_runs.wait_run(tid, body={"assistant_id": "fail", "input": {}})
    assert waited == {"__error__": {"error": "ValueError", "message": "this graph always fails"}}
    runs = api.thread_runs.list_runs_http(tid).items
    assert [r.status for r in runs] == ["error", "error"]
    thread = api.threads.get_thread(tid)
    assert thread.status == "error" and thread.error == errors[0]  # action 17
    task = api.threads.get_latest_thread_state(tid).tasks[0]
    assert (task.name, task.path, task.result) == ("fail", ["__pregel_pull", "fail"], None)
    assert "this graph always fails" in task.error


def test_background_runs_streams_and_cancel(api: Api) -> None:
    m = api.models
    slow = {"assistant_id": "slow", "input": {"messages": ["x"]}}
    tid = new_thread(api)
    api.thread_runs.wait_run(tid, body={"assistant_id": "echo", "input": {"messages": ["x"]}})
    # Two thread stream modes, sent comma-separated (action 14): state updates and lifecycle.
    stream = api.threads.join_thread_stream(tid, stream_modes=["lifecycle", "state_update"])
    api.threads.update_thread_state(tid, body={"values": {"messages": ["m"]}, "as_node": "echo"})
    run = api.thread_runs.create_run(tid, body={"assistant_id": "echo", "input": {"messages": ["y"]}})
    events = api.events(stream, until=lambda e: e.event == "metadata" and e.data.get("status") == "run_done")
    # Lifecycle events prove the comma-separated modes were split (one unknown mode sends none);
    # the state update may land before the stream is subscribed (a race of the real server).
    assert "metadata" in kinds(events) and kinds(events) <= {"state_update", "metadata"}
    assert events[-1].data["run_id"] == str(run.run_id)
    for update in (e for e in events if e.event == "state_update"):  # when it was not missed
        assert update.data["state"]["values"]["messages"][-1] == "m"

    busy = api.thread_runs.create_run(tid, body=slow)
    conflict = api.raises(api.seed.ConflictError, lambda: api.thread_runs.create_run(tid, body={**slow, "multitask_strategy": "reject"}))
    assert isinstance(conflict.body, m.ErrorResponse) and "already running" in conflict.body.detail
    joined = api.events(api.thread_runs.stream_run_http(tid, busy.run_id, stream_mode="values"))
    assert kinds(joined) == {"values"} and joined[-1].data["messages"][-1] == "slept"

    cancelled = api.thread_runs.create_run(tid, body=slow)
    api.thread_runs.cancel_run_http(tid, cancelled.run_id, wait=True, action="interrupt")
    assert api.thread_runs.get_run_http(tid, cancelled.run_id).status == "interrupted"
    bulk = api.thread_runs.create_run(tid, body=slow)
    assert api.thread_runs.cancel(body=m.RunsCancel(thread_id=tid, run_ids=[bulk.run_id])) is None
    api.thread_runs.join_run_http(tid, bulk.run_id)
    assert api.thread_runs.get_run_http(tid, bulk.run_id).status == "interrupted"
    nothing = api.raises(api.seed.NotFoundError, lambda: api.thread_runs.cancel(body={"thread_id": str(tid), "run_ids": [str(uuid.uuid4())]}))
    assert nothing.body == m.ErrorResponse(detail="No runs found to cancel.")


# -- store, crons, MCP, A2A -------------------------------------------------------------------


def test_store(api: Api) -> None:
    m = api.models
    ns = ["docs", uuid.uuid4().hex]
    assert api.store.put_item(body={"namespace": ns, "key": "k", "value": {"x": 1}}) is None
    item = api.store.get_item(key="k", namespace=".".join(ns))  # one dot-joined value (action 12)
    # ... which the client's signature asks for (a list would be sent as `namespace=a&namespace=b`)
    signature = inspect.signature(importlib.import_module(f"{api.seed.__name__}.resources.store").Store.get_item)
    assert str(signature.parameters["namespace"].annotation).startswith("str |")
    assert isinstance(item, m.Item) and (item.namespace, item.key, item.value) == (ns, "k", {"x": 1})
    assert api.store.get_item(key="missing", namespace=".".join(ns)) is None  # action 13
    found = api.store.search_items(body={"namespace_prefix": ns}).body
    assert isinstance(found, m.SearchItemsResponse) and [(i.key, i.score) for i in found.items] == [("k", None)]
    assert "score" in m.Item.model_fields  # action 17
    spaces = api.store.list_namespaces(body={"prefix": ns}).body
    assert isinstance(spaces, m.ListNamespaceResponse) and spaces.namespaces == [ns]  # action 7
    assert api.store.delete_item(body={"namespace": ns, "key": "k"}) is None
    assert api.store.get_item(key="k", namespace=".".join(ns)) is None


def test_crons(api: Api) -> None:
    m = api.models
    group = api.crons
    tid = new_thread(api)
    stateless = group.create_cron(body={"assistant_id": "echo", "schedule": "0 0 1 1 *", "input": {"messages": ["c"]}})
    assert isinstance(stateless, m.Cron) and (stateless.thread_id, stateless.end_time) == (None, None)  # action 5
    assert (stateless.enabled, stateless.on_run_completed, stateless.timezone) == (True, "delete", None)  # 17
    on_thread = group.create_thread_cron(tid, body={"assistant_id": "echo", "schedule": "0 0 1 1 *"})
    assert isinstance(on_thread, m.Cron) and on_thread.thread_id == tid
    found = group.search_crons(body={"thread_id": str(tid)}).items
    assert [(type(c), c.cron_id) for c in found] == [(m.Cron, on_thread.cron_id)]
    picked = group.search_crons(body={"thread_id": str(tid), "select": ["cron_id", "schedule"]}).items
    assert [(type(c), c.schedule, c.payload) for c in picked] == [(m.CronSubset, "0 0 1 1 *", None)]  # 8e
    assert group.count_crons(body={"thread_id": str(tid)}) == 1
    got = group.get_cron(on_thread.cron_id)  # an operation the seed lacks (action 18)
    assert isinstance(got, m.Cron) and got.cron_id == on_thread.cron_id and got.thread_id == tid
    for cron in (stateless, on_thread):
        assert group.delete_cron(cron.cron_id) is None
    assert group.count_crons(body={"thread_id": str(tid)}) == 0
    api.raises(api.seed.NotFoundError, lambda: group.get_cron(stateless.cron_id))


def test_mcp_and_a2a(api: Api) -> None:
    m = api.models
    listed = api.mcp.post_mcp(body={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert listed == {"jsonrpc": "2.0", "id": 1, "result": {"tools": []}}  # at /mcp (action 16)
    not_allowed = api.raises(api.seed.ApiError, api.mcp.get_mcp)
    assert not_allowed.status_code == 405
    api.raises(api.seed.NotFoundError, api.mcp.delete_mcp)  # stateless: no session to end

    assistant = api.assistants.search_assistants(body={"graph_id": "echo", "metadata": {"created_by": "system"}}).items[0]
    message = {"role": "user", "parts": [{"kind": "text", "text": "hi"}], "messageId": uuid.uuid4().hex}
    answer = api.a2a.post_a2a(assistant.assistant_id, body={
        "jsonrpc": "2.0", "id": "1", "method": "message/send", "params": {"message": message}})
    assert isinstance(answer, m.PostA2aResponse) and answer.id == "1" and answer.error is None
    assert answer.result["kind"] == "task" and answer.result["status"]["state"] == "completed"


def test_typed_errors(api: Api) -> None:
    m = api.models
    missing = api.raises(api.seed.NotFoundError, lambda: api.threads.get_thread(uuid.uuid4()))
    assert isinstance(missing.body, m.ErrorResponse) and "not found" in missing.body.detail
    assert missing.status_code == 404 and isinstance(missing, api.seed.ApiError)
    api.raises(api.seed.NotFoundError, lambda: api.assistants.create_assistant(body={"graph_id": "no-such-graph"}))
    tid = new_thread(api)
    duplicate = api.raises(api.seed.ConflictError, lambda: api.threads.create_thread(body={"thread_id": tid}))
    assert "already exists" in duplicate.body.detail
    invalid = api.raises(api.seed.UnprocessableEntityError,
                         lambda: api.threads.get_thread_history(tid, extra_query={"limit": "many"}))
    assert invalid.body == m.ErrorResponse(detail="Invalid limit many")
