"""Server: schemathesis against the mock servers of the seed (with its overlay) and petstore,
in process, bounded (10 examples per operation, derandomized, no example database).

Positive cases (data the spec allows) run the four conformance checks; negative cases (data it
does not) only check that the server does not fail. Two limits, both of the tool and the spec,
not of the server:

* for ``text/event-stream`` responses, response_schema_conformance is left out: schemathesis
  validates each event (an object: data, event, id) against an OpenAPI 3.1 ``schema``, which
  the seed uses for the whole stream (``type: string``); events are checked in test_server_mock;
* negative cases leave status_code_conformance out: the seed does not declare the 400 and 422
  that invalid requests get (e.g. a malformed uuid on ``GET /assistants/{assistant_id}``).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed (pip install schemathesis)"
)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from oapigen.run.config import Job  # noqa: E402
from oapigen.run.pipeline import prepare  # noqa: E402
from schemathesis import checks  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402

from .test_server_generate import SPECS, server_module  # noqa: E402

CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = {"positive": 10, "negative": 3}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@cache
def _document(package: str) -> Any:
    """The spec as generated: with its overlay (the seed's moves /mcp/ and adds operations)."""
    spec, overlay = SPECS[package]
    return prepare(Job(spec=spec, output=spec.parent, package=package, overlay=overlay)).document


def _operations(package: str) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, read at collection time."""
    document = _document(package)
    return [(m.upper(), path) for path, item in document["paths"].items() for m in METHODS if m in item]


@cache
def _schema(package: str, mode: str) -> Any:
    document = copy.deepcopy(_document(package))
    config = SchemathesisConfig.from_dict(
        {
            # The generated server serves the paths under the path of the spec's server URL
            # (petstore: /v1), as the client sends them.
            "base-url": ((document.get("servers") or [{}])[0]).get("url", "http://127.0.0.1"),
            "seed": 1,
            "generation": {"mode": mode, "deterministic": True, "max-examples": EXAMPLES[mode]},
        }
    )
    return schemathesis.openapi.from_dict(document, config=config)


def _run(tmp_path_factory: pytest.TempPathFactory, package: str, mode: str, method: str, path: str) -> None:
    schema = _schema(package, mode)
    schema.app = server_module(tmp_path_factory, package).create_app()
    operation = schema[path][method]
    responses = operation.definition.raw.get("responses", {})
    streams = any("text/event-stream" in (r.get("content") or {}) for r in responses.values())
    if mode == "negative":
        selected = [checks.not_a_server_error]
    else:
        selected = [c for c in CONFORMANCE if not (streams and c is checks.response_schema_conformance)]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(checks=selected)

    check()


@pytest.mark.parametrize(
    ("package", "method", "path"),
    [(package, *op) for package in ("srv_agent_server", "srv_petstore") for op in _operations(package)],
)
def test_mock_server_conforms(
    tmp_path_factory: pytest.TempPathFactory, package: str, method: str, path: str
) -> None:
    _run(tmp_path_factory, package, "positive", method, path)


@pytest.mark.parametrize(("method", "path"), _operations("srv_agent_server"))
def test_mock_server_survives_invalid_input(
    tmp_path_factory: pytest.TempPathFactory, method: str, path: str
) -> None:
    _run(tmp_path_factory, "srv_agent_server", "negative", method, path)
