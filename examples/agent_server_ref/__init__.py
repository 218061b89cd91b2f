"""A reference Agent Server on the generated stub server (``generated/agent_server``).

The core of the LangSmith Agent Server API (assistants, threads, background runs with their
event streams, the store) implemented in memory on the generated ``Handlers``, serving the
built-in graphs of :mod:`.graphs`. The official ``langgraph-sdk`` and the generated client both
work against it (tests/test_reference_server.py, tests/test_sdk_against_server.py).

    PYTHONPATH=generated:examples python -m agent_server_ref --port 8000
"""

from __future__ import annotations

from agent_server.server import create_app as _create_app
from fastapi import FastAPI

from .handlers import ReferenceHandlers

__all__ = ["ReferenceHandlers", "create_app"]


def create_app() -> FastAPI:
    """A new server, with data of its own."""
    return _create_app(ReferenceHandlers())
