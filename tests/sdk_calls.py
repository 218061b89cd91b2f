"""The official LangGraph SDK (``langgraph-sdk``) calling an Agent Server, one call after another.

Run by the tests with the interpreter of ``.venv-agent`` (the SDK's dependencies stay out of
oapigen's venv), against a server on 127.0.0.1:

    .venv-agent/bin/python tests/sdk_calls.py http://127.0.0.1:PORT [--reference]

Prints one JSON object: ``{"calls": [{"call": ..., "ok": ..., "error": ..., "result": ...}]}``,
each call in the order made: ``ok`` false with the exception's type and message when the SDK
raised, else the result as JSON (streams as ``[event, data]`` pairs). The tests judge the
results; this script only makes the calls. Ids come from earlier answers (a fixed id when an
earlier call failed). ``--reference`` adds the calls only a server that keeps state can answer
sensibly (the multitask strategies of a thread with a run in progress).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

from langgraph_sdk import get_sync_client
from langgraph_sdk.schema import StreamPart

FALLBACK_ID = "00000000-0000-4000-8000-000000000000"
SLOW = {"messages": ["zzz"], "sleep": 600}  # the reference graph sleeps; always cancelled here


class Calls:
    def __init__(self) -> None:
        self.made: list[dict[str, Any]] = []

    def __call__(self, name: str, call: Callable[[], Any]) -> Any:
        try:
            result = call()
            if isinstance(result, Iterable) and not isinstance(result, dict | list | str | bytes):
                result = [_part(p) for p in result]
        except Exception as exc:  # every failure is a finding, reported
            self.made.append({"call": name, "ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
            return None
        self.made.append({"call": name, "ok": True, "result": json.loads(json.dumps(result, default=str))})
        return result


def _part(part: Any) -> Any:
    if isinstance(part, StreamPart):
        return [part.event, part.data]
    return part


def _id(result: Any, key: str) -> str:
    if isinstance(result, dict) and isinstance(result.get(key), str):
        return str(result[key])
    return FALLBACK_ID


def main(url: str, reference: bool) -> None:
    client = get_sync_client(url=url, api_key=None, timeout=30)
    call = Calls()
    inp = {"messages": ["hello"]}

    a = _id(call("assistants.create", lambda: client.assistants.create("echo", name="a1", metadata={"k": "v"})), "assistant_id")
    call("assistants.get", lambda: client.assistants.get(a))
    call("assistants.update", lambda: client.assistants.update(a, metadata={"k": "w"}))
    call("assistants.get_graph", lambda: client.assistants.get_graph(a))
    call("assistants.get_schemas", lambda: client.assistants.get_schemas(a))
    call("assistants.get_subgraphs", lambda: client.assistants.get_subgraphs(a))
    call("assistants.search", lambda: client.assistants.search(metadata={"k": "w"}))
    call("assistants.count", lambda: client.assistants.count(metadata={"k": "w"}))
    call("assistants.get_versions", lambda: client.assistants.get_versions(a))
    call("assistants.set_latest", lambda: client.assistants.set_latest(a, 1))

    t = _id(call("threads.create", lambda: client.threads.create(metadata={"t": "1"})), "thread_id")
    call("threads.get", lambda: client.threads.get(t))
    call("threads.update", lambda: client.threads.update(t, metadata={"t": "2"}))
    call("threads.search", lambda: client.threads.search(metadata={"t": "2"}))
    call("threads.count", lambda: client.threads.count(metadata={"t": "2"}))

    created: dict[str, str] = {}
    r = _id(
        call(
            "runs.create",
            lambda: client.runs.create(t, a, input=inp, on_run_created=lambda m: created.update(m)),
        ),
        "run_id",
    )
    call("runs.create on_run_created", lambda: dict(created))
    call("runs.get", lambda: client.runs.get(t, r))
    call("runs.join", lambda: client.runs.join(t, r))
    call("runs.get after join", lambda: client.runs.get(t, r))
    call("runs.list", lambda: client.runs.list(t))
    call("runs.wait", lambda: client.runs.wait(t, a, input={"messages": ["wait"]}))
    call("runs.stream", lambda: client.runs.stream(t, a, input={"messages": ["stream"]}, stream_mode=["values", "updates"]))
    r2 = _id(call("runs.create (to join its stream)", lambda: client.runs.create(t, a, input={"messages": ["joined"]})), "run_id")
    call("runs.join_stream", lambda: client.runs.join_stream(t, r2))
    r3 = _id(call("runs.create (to cancel)", lambda: client.runs.create(t, a, input=SLOW)), "run_id")
    r4 = _id(call("runs.create (queued behind it)", lambda: client.runs.create(t, a, input=inp)), "run_id")
    call("runs.cancel_many", lambda: client.runs.cancel_many(thread_id=t, run_ids=[r4]))
    call("runs.cancel", lambda: client.runs.cancel(t, r3, wait=True))
    call("runs.get after cancel", lambda: client.runs.get(t, r3))
    call("runs.get after cancel_many", lambda: client.runs.get(t, r4))
    call("runs.delete", lambda: client.runs.delete(t, r))
    call("runs.list after delete", lambda: client.runs.list(t, limit=100))

    call("threads.get_state", lambda: client.threads.get_state(t))
    call("threads.update_state", lambda: client.threads.update_state(t, {"messages": ["edited"]}))
    call("threads.get_history", lambda: client.threads.get_history(t))
    call("threads.copy", lambda: client.threads.copy(t))

    call("runs.create stateless", lambda: client.runs.create(None, a, input={"messages": ["stateless"]}))
    call("runs.wait stateless", lambda: client.runs.wait(None, a, input={"messages": ["stateless"]}))
    call("runs.stream stateless", lambda: client.runs.stream(None, a, input={"messages": ["stateless"]}))
    call(
        "runs.create_batch",
        lambda: client.runs.create_batch([{"assistant_id": a, "input": {"messages": [str(i)]}} for i in range(2)]),
    )

    call("store.put_item", lambda: client.store.put_item(["docs", "a"], key="k1", value={"v": 1}))
    call("store.get_item", lambda: client.store.get_item(["docs", "a"], key="k1"))
    call("store.search_items", lambda: client.store.search_items(["docs"], filter={"v": 1}))
    call("store.list_namespaces", lambda: client.store.list_namespaces(prefix=["docs"]))
    call("store.delete_item", lambda: client.store.delete_item(["docs", "a"], key="k1"))
    call("store.get_item after delete", lambda: client.store.get_item(["docs", "a"], key="k1"))

    c = _id(call("crons.create", lambda: client.crons.create(a, schedule="0 0 * * *", input=inp)), "cron_id")
    call("crons.create_for_thread", lambda: client.crons.create_for_thread(t, a, schedule="0 0 * * *", input=inp))
    call("crons.search", lambda: client.crons.search(assistant_id=a))
    call("crons.count", lambda: client.crons.count(assistant_id=a))
    call("crons.delete", lambda: client.crons.delete(c))

    if reference:
        multitask(client, call, a)

    call("threads.delete", lambda: client.threads.delete(t))
    call("threads.get after delete", lambda: client.threads.get(t))
    call("assistants.delete", lambda: client.assistants.delete(a))
    print(json.dumps({"calls": call.made}))


def multitask(client: Any, call: Calls, a: str) -> None:
    """A thread busy with a slow run, then a second run with each multitask strategy."""
    t = _id(call("mt threads.create", lambda: client.threads.create()), "thread_id")
    busy = _id(call("mt runs.create slow", lambda: client.runs.create(t, a, input=SLOW)), "run_id")
    call("mt reject", lambda: client.runs.create(t, a, input={"messages": ["x"]}, multitask_strategy="reject"))
    queued = _id(
        call("mt enqueue", lambda: client.runs.create(t, a, input={"messages": ["queued"]}, multitask_strategy="enqueue")),
        "run_id",
    )
    call("mt enqueued run before", lambda: client.runs.get(t, queued))
    last = _id(
        call("mt interrupt", lambda: client.runs.create(t, a, input={"messages": ["last"]}, multitask_strategy="interrupt")),
        "run_id",
    )
    call("mt join interrupting run", lambda: client.runs.join(t, last))
    call("mt busy run after", lambda: client.runs.get(t, busy))
    call("mt enqueued run after", lambda: client.runs.get(t, queued))
    call("mt runs.list", lambda: client.runs.list(t, limit=100))
    call("mt state", lambda: client.threads.get_state(t))


if __name__ == "__main__":
    main(sys.argv[1], "--reference" in sys.argv[2:])
