"""The graphs the reference server runs: small graph-like functions, no model and no network.

A graph is a list of nodes; a node takes the state and the run's input and returns an update.
The state is a dict: ``messages`` (a list, appended to) and anything else (replaced). Input
merges into the state like an update before the first node.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

State = dict[str, Any]
Node = Callable[[Mapping[str, Any], Mapping[str, Any]], Awaitable[State]]


def merge(state: Mapping[str, Any], update: Mapping[str, Any]) -> State:
    """``update`` applied to ``state``: ``messages`` are appended, other keys replaced."""
    merged = dict(state)
    for key, value in update.items():
        if key == "messages":
            merged[key] = [*merged.get(key, []), *(value if isinstance(value, list) else [value])]
        else:
            merged[key] = value
    return merged


async def _echo(state: Mapping[str, Any], run_input: Mapping[str, Any]) -> State:
    """Answers the last message; waits ``input["sleep"]`` seconds first (a slow step, which
    the tests always cancel rather than wait for)."""
    delay = run_input.get("sleep")
    if isinstance(delay, int | float) and delay > 0:
        await asyncio.sleep(delay)
    last = state.get("messages", [])[-1:] or ["(nothing)"]
    return {"messages": [f"echo: {last[0]}"], "steps": state.get("steps", 0) + 1}


async def _fail(state: Mapping[str, Any], run_input: Mapping[str, Any]) -> State:
    raise ValueError("this graph always fails")


@dataclass(frozen=True, slots=True)
class Graph:
    graph_id: str
    nodes: tuple[tuple[str, Node], ...]

    def drawing(self) -> dict[str, list[dict[str, Any]]]:
        """Nodes and edges, as ``GET /assistants/{assistant_id}/graph`` shows them."""
        names = ["__start__", *(name for name, _ in self.nodes), "__end__"]
        return {
            "nodes": [{"id": n, "type": "runnable", "data": {"name": n}} for n in names],
            "edges": [{"source": a, "target": b} for a, b in itertools.pairwise(names)],
        }


STATE_SCHEMA: dict[str, Any] = {
    "title": "State",
    "type": "object",
    "properties": {
        "messages": {"title": "Messages", "type": "array", "items": {}},
        "steps": {"title": "Steps", "type": "integer"},
    },
}

GRAPHS: dict[str, Graph] = {
    "echo": Graph("echo", (("echo", _echo),)),
    "fail": Graph("fail", (("fail", _fail),)),
}
