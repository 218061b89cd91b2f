"""Four LLM-free LangGraph graphs for the real-server tests (tests/test_real_server.py).

Plain StateGraph functions: no model service, no network. ``echo`` answers through
:class:`EchoChatModel`, a chat model that only echoes (so the ``messages`` stream modes have
something to stream), and writes one custom stream event; ``ask`` calls ``interrupt()``;
``slow`` sleeps; ``fail`` raises.
"""

from __future__ import annotations

import operator
import time
from typing import Annotated, Any, TypedDict

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class State(TypedDict, total=False):
    messages: Annotated[list[Any], operator.add]
    steps: int


class EchoChatModel(BaseChatModel):
    """A chat model without a model: it answers "echo: <the last message>"."""

    @property
    def _llm_type(self) -> str:
        return "echo"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        text = f"echo: {messages[-1].content}" if messages else "echo"
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


MODEL = EchoChatModel()


def _echo(state: State) -> State:
    last = state.get("messages", [])[-1:] or ["(nothing)"]
    answer = MODEL.invoke(str(last[0]))
    get_stream_writer()({"echoed": str(last[0])})
    return {"messages": [answer.content], "steps": state.get("steps", 0) + 1}


def _ask(state: State) -> State:
    answer = interrupt("what next?")
    return {"messages": [f"answer: {answer}"], "steps": state.get("steps", 0) + 1}


def _slow(state: State) -> State:
    time.sleep(2)
    return {"messages": ["slept"], "steps": state.get("steps", 0) + 1}


def _fail(state: State) -> State:
    raise ValueError("this graph always fails")


def _chain(*nodes: tuple[str, Any]) -> Any:
    builder = StateGraph(State)
    previous = START
    for name, node in nodes:
        builder.add_node(name, node)
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder.compile()


echo = _chain(("echo", _echo))
ask = _chain(("echo", _echo), ("ask", _ask))
slow = _chain(("slow", _slow))
fail = _chain(("fail", _fail))
