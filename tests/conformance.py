"""The conformance sweep: a generated client calls every operation of its API against the same
package's mock server, over real HTTP, with arguments synthesized from the models.

General, not per spec: the operations come from ``oapigen inspect --json``, the arguments from
each client method's own type hints, the values from the package's own synthesizer (the mock's
``_server_mock.value``, which validates what it makes against the type). Each operation is
called twice: with its required arguments only, and with every optional argument too.

Outcomes, per call:

* ``ok``: a typed result (a stream is read to its end), or, for an operation whose spec declares
  no 2xx answer, the typed error of a status it declares;
* ``typed``: an error of the package's own hierarchy (``ApiClientError``); since the arguments
  are valid by construction, an ``ApiError`` from the mock is a client/server disagreement,
  and a ``ResponseValidationError`` a mock answer that fails the spec's own schema;
* ``crash``: any other exception (a bug in the client or the harness's reach).

``args``: no value could be synthesized for an argument (counted apart, never as ok).

``python -m tests.conformance SPEC... [--lenient] [--overlay FILE] [--allow-ref-outside DIR]``
prints the table.
"""

from __future__ import annotations

import collections.abc
import contextlib
import importlib
import inspect
import io
import json
import re
import sys
import types
import typing
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oapigen.spec.schema_checks import INDISTINCT

OUTCOMES = ("ok", "typed", "crash", "args")


@dataclass
class Call:
    """One call of the sweep."""

    python: str
    variant: str  # "required" or "all"
    outcome: str
    detail: str = ""


@dataclass
class Sweep:
    """The calls of one package's sweep, and what schemathesis found against the same mock."""

    spec: str
    operations: int
    calls: list[Call] = field(default_factory=list)
    schemathesis: list[str] = field(default_factory=list)
    unreachable: int = 0  # operations shadowed by a #fragment path (warned by oapigen), not called
    # schemathesis failures of operations whose request or response schema reaches a oneOf
    # oapigen warned no value can satisfy (branches no value tells apart): the spec's, not the mock's
    unsatisfiable: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(c.outcome for c in self.calls)

    def failures(self) -> list[Call]:
        return [c for c in self.calls if c.outcome != "ok"]

    def row(self) -> str:
        n = self.counts()
        return (
            f"| {self.spec} | {self.operations} | {n['ok']} | {n['typed']} | {n['crash']} | {n['args']} "
            f"| {len(self.schemathesis)} | {self.unreachable} | {len(self.unsatisfiable)} |"
        )


class NoValue(Exception):
    """No argument value could be synthesized."""


def inspect_rows(
    spec: Path, *, lenient: bool, overlay: Path | None = None, allow: tuple[Path, ...] = ()
) -> list[dict[str, Any]]:
    """``oapigen inspect SPEC --json``, in process."""
    from oapigen.cli import main

    out = io.StringIO()
    args = ["inspect", str(spec), "--json", "-q", *(["--lenient"] if lenient else [])]
    args += ["--overlay", str(overlay)] if overlay else []
    for folder in allow:
        args += ["--allow-ref-outside", str(folder)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(args)
    assert code == 0, f"inspect {spec} exited {code}"
    rows: list[dict[str, Any]] = json.loads(out.getvalue())
    return rows


def _unwrap(annotation: Any, pkg_types: types.ModuleType) -> tuple[Any, bool]:
    """(the type to synthesize for a parameter, whether it may be left out)."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members, plain_dicts = [], []
        for member in typing.get_args(annotation):
            if member is type(None) or member is pkg_types.NotGiven:
                optional = True
            elif typing.get_origin(member) is dict:
                plain_dicts.append(member)  # the "or a dict" alternative of a body model
            elif typing.get_origin(member) in (typing.IO, collections.abc.Iterable, collections.abc.AsyncIterable) or (
                typing.get_origin(member) is tuple and bytes in typing.get_args(annotation)
            ):
                continue  # a file object, (name, file[, type]) or chunks (BinaryContent): bytes stand for them
            else:
                members.append(member)
        members = members or plain_dicts
        if len(members) == 1:
            return members[0], optional
        return typing.Union[tuple(members)], optional  # noqa: UP007 (built at run time)
    return annotation, optional


_SKIPPED = {"self", "timeout", "extra_headers", "extra_query", "extra_body", "max_retries"}


def _constrained(route: Callable[..., Any] | None) -> dict[str, Any]:
    """The types of the server's route function for ``route``'s keywords that carry the
    constraints of a schema written inline (``Annotated[..., Constraints(...)]``), FastAPI's
    markers left out: the client's signature shows the plain type, the server checks these."""
    if route is None:
        return {}
    out: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(route, include_extras=True).items():
        if not _has_constraints(hint):
            continue
        if typing.get_origin(hint) is typing.Annotated:
            inner, *metadata = typing.get_args(hint)
            kept = [m for m in metadata if type(m).__name__ == "Constraints"]
            hint = typing.Annotated[(inner, *kept)] if kept else inner
        out[name] = hint
    return out


def _has_constraints(hint: Any, depth: int = 0) -> bool:
    if type(hint).__name__ == "Constraints":
        return True
    return depth < 16 and any(_has_constraints(a, depth + 1) for a in typing.get_args(hint))


def arguments(
    method: Callable[..., Any], pkg: types.ModuleType, seed: int, *, optional: bool, route: Callable[..., Any] | None = None
) -> dict[str, Any]:
    """Keyword arguments for ``method``: every required one, and with ``optional`` the rest;
    of the types ``route`` (the server's route function) checks constraints of where it has some."""
    mock = importlib.import_module(pkg.__name__ + "._server_mock")
    pkg_types = importlib.import_module(pkg.__name__ + "._types")
    hints = typing.get_type_hints(method)
    checked = _constrained(route)
    out: dict[str, Any] = {}
    for name, param in inspect.signature(method).parameters.items():
        if name in _SKIPPED or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        tp, may_omit = _unwrap(hints[name], pkg_types)
        if name in checked:
            tp = _unwrap(checked[name], pkg_types)[0]
        if param.default is not param.empty and may_omit and not optional:
            continue
        try:
            out[name] = mock.value(tp, seed + zlib.crc32(name.encode()), example=(False, None), echo={})
        except Exception as exc:  # the synthesizer's own failure: reported, not a crash
            raise NoValue(f"{name}: {tp!r}: {type(exc).__name__}: {exc}") from exc
    return out


_CLIENT_OPTIONS = {"base_url", "headers", "timeout", "max_retries", "strict_responses", "http_client"}


def credentials(pkg: types.ModuleType) -> dict[str, Any]:
    """A value for each credential argument of ``pkg.Client`` (one per security scheme)."""
    mock = importlib.import_module(pkg.__name__ + "._server_mock")
    pkg_types = importlib.import_module(pkg.__name__ + "._types")
    init = pkg.Client.__init__
    hints = typing.get_type_hints(init)
    out = {}
    for name in inspect.signature(init).parameters:
        if name != "self" and name not in _CLIENT_OPTIONS:
            tp, _ = _unwrap(hints[name], pkg_types)
            out[name] = mock.value(tp, zlib.crc32(name.encode()), example=(False, None), echo={})
    return out


def _resolve(client: Any, dotted: str) -> Callable[..., Any]:
    target = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return typing.cast(Callable[..., Any], target)


def _consume(result: Any) -> Any:
    """Read a stream to its end (a typed iterator), so its events are validated too."""
    if hasattr(result, "__next__") or type(result).__name__ in ("Stream", "JsonLinesStream"):
        with result if hasattr(result, "__enter__") else contextlib.nullcontext(result) as stream:
            return list(stream)
    return result


def declared_errors(pkg: types.ModuleType) -> dict[tuple[str, str], set[str]]:
    """(METHOD, path) -> the statuses an operation declares, for operations without a 2xx."""
    endpoints = importlib.import_module(pkg.__name__ + "._endpoints")
    spec_module = importlib.import_module(pkg.__name__ + "._spec")
    out: dict[tuple[str, str], set[str]] = {}
    for row in vars(endpoints).values():
        if isinstance(row, spec_module.Endpoint):
            statuses = {reply.status for reply in row.replies}
            if not any(s.startswith("2") for s in statuses):
                out[(row.method, row.path)] = statuses
    return out


def shadowed(operations: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (METHOD, path) of operations no request can reach: a path whose ``#fragment`` (never
    sent) makes it the URL of an operation declared before it. oapigen warns about each
    (README, "The server"); no server can tell the two apart."""
    first: dict[tuple[str, str], str] = {}
    out = set()
    for method, path in operations:
        url = re.sub(r"\{[^{}]*\}", "{}", path.split("#", 1)[0])
        if first.setdefault((method, url), path) != path and "#" in path:
            out.add((method, path))
    return out


def sweep(pkg: types.ModuleType, spec: str, rows: list[dict[str, Any]], base_url: str) -> Sweep:
    """Call every operation of ``rows`` through ``pkg``'s Client against ``base_url``."""
    errors = importlib.import_module(pkg.__name__ + ".errors")
    no_success = declared_errors(pkg)
    unreachable = shadowed([(row["method"], row["path"]) for row in rows])
    result = Sweep(spec, len(rows), unreachable=len(unreachable))
    with pkg.Client(base_url=base_url, max_retries=0, **credentials(pkg)) as client:
        for index, row in enumerate(rows):
            if (row["method"], row["path"]) in unreachable:
                continue
            method = _resolve(client, row["python"])
            allowed = no_success.get((row["method"], row["path"]), set())
            for variant in ("required", "all"):
                result.calls.append(_call(method, pkg, errors, row, variant, index, allowed))
    return result


def _route(server: types.ModuleType, handler: str) -> Callable[..., Any] | None:
    """The route function of ``handler``: in server.py, or in its group's module (routers/) when
    the server is split."""
    found = getattr(server, handler, None)
    if found is None:
        endpoints = (getattr(r, "endpoint", None) for r in server.router.routes)
        found = next((e for e in endpoints if getattr(e, "__name__", None) == handler), None)
    return found


def _call(
    method: Callable[..., Any], pkg: types.ModuleType, errors: Any, row: dict[str, Any], variant: str, seed: int, allowed: set[str]
) -> Call:
    name = f"{row['python']} ({row['method']} {row['path']})"
    route = _route(importlib.import_module(pkg.__name__ + ".server"), row["handler"])
    try:
        kwargs = arguments(method, pkg, seed, optional=variant == "all", route=route)
    except NoValue as exc:
        return Call(name, variant, "args", str(exc))
    try:
        _consume(method(**kwargs))
    except errors.ApiError as exc:
        if str(exc.status_code) in allowed or f"{str(exc.status_code)[0]}XX" in allowed or "default" in allowed:
            return Call(name, variant, "ok", f"declared {exc.status_code}")
        return Call(name, variant, "typed", f"{type(exc).__name__}: {str(exc)[:300]}")
    except errors.ApiClientError as exc:
        return Call(name, variant, "typed", f"{type(exc).__name__}: {str(exc)[:300]}")
    except Exception as exc:
        return Call(name, variant, "crash", f"{type(exc).__name__}: {str(exc)[:300]}")
    return Call(name, variant, "ok")


@contextlib.contextmanager
def generated(
    spec: Path, package: str, root: Path, *, lenient: bool, overlay: Path | None = None, allow: tuple[Path, ...] = ()
) -> Iterator[types.ModuleType]:
    """``spec`` generated into ``root/package`` and imported (removed from sys.modules after)."""
    from oapigen.run.config import Job
    from oapigen.run.pipeline import generate

    job = Job(spec=spec, output=root, package=package, lenient=lenient, overlay=overlay, allow_ref_outside=allow)
    files = generate(job).files
    for rel, text in files.items():
        target = root / package / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def schemathesis_failures(document: dict[str, Any], app: Any, examples: int, prefix: str = "") -> list[str]:
    """Positive schemathesis cases against ``app`` in process: the mock must not fail
    (``not_a_server_error``) and must answer what the spec's own schema allows
    (``response_schema_conformance``; not for event streams, whose 3.1 ``schema`` describes
    the stream, not each event). One line per failing operation."""
    import schemathesis
    from schemathesis import checks
    from schemathesis.config import SchemathesisConfig
    from schemathesis.core.errors import SerializationNotPossible

    config = SchemathesisConfig.from_dict(
        {"base-url": "http://127.0.0.1" + prefix, "seed": 1, "generation": {"mode": "positive", "deterministic": True, "max-examples": examples}}
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.app = app
    failures = []
    paths = document.get("paths", {})
    unreachable = shadowed([(m.upper(), path) for path, item in paths.items() for m in _METHODS if m in item])
    for path, item in sorted(paths.items()):
        for method in _METHODS:
            if method not in item or (method.upper(), path) in unreachable:
                continue
            responses = item[method].get("responses") or {}
            streams = any("text/event-stream" in ((r or {}).get("content") or {}) for r in responses.values())
            selected = [checks.not_a_server_error] + ([] if streams else [checks.response_schema_conformance])
            try:
                _check_operation(schema[path][method.upper()], selected, examples)
            except SerializationNotPossible:
                continue  # a media type schemathesis cannot write (e.g. a vendor type): the sweep's calls cover it
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup among them
                words = " / ".join(line.strip() for line in str(exc).splitlines() if line.strip())
                failures.append(f"{method.upper()} {path}: {type(exc).__name__}: {words[:400]}")
    return failures


def _check_operation(operation: Any, selected: list[Any], examples: int) -> None:
    from hypothesis import HealthCheck, given, settings

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.call_and_validate(checks=selected)

    check()


def run(
    spec: Path,
    root: Path,
    *,
    lenient: bool,
    overlay: Path | None = None,
    allow: tuple[Path, ...] = (),
    package: str = "swept",
    examples: int = 5,
) -> Sweep:
    """The whole sweep of one spec: generate, serve the mock over HTTP, call everything; then
    schemathesis against the same mock. ``allow``: folders outside the spec's own that its
    ``$ref``s may reach (``--allow-ref-outside``)."""
    from oapigen.run.config import Job
    from oapigen.run.pipeline import generation_document, prepare

    from tests.conftest import serve_over_http

    rows = inspect_rows(spec, lenient=lenient, overlay=overlay, allow=allow)
    with generated(spec, package, root, lenient=lenient, overlay=overlay, allow=allow) as pkg:
        server = importlib.import_module(package + ".server")
        with serve_over_http(server.create_app()) as url:
            # The server serves its routes under the path of the spec's server URL (router.prefix).
            result = sweep(pkg, spec.name, rows, url + server.router.prefix)
        if examples:
            # The document as generated from: with --lenient, an invalid spec's schemas as the
            # generator reads them (and warns about), not as a validator of another draft would.
            prepared = prepare(
                Job(spec=spec, output=root, package=package, lenient=lenient, overlay=overlay, allow_ref_outside=allow)
            )
            document = generation_document(prepared.document, lenient)
            warned = {d.pointer for d in prepared.findings if d.message.endswith(INDISTINCT)}
            unsatisfiable = unsatisfiable_operations(document, warned)
            for line in schemathesis_failures(document, server.create_app(), examples, server.router.prefix):
                method, path = line.split(": ", 1)[0].split(" ", 1)
                (result.unsatisfiable if (method, path) in unsatisfiable else result.schemathesis).append(line)
    return result


def unsatisfiable_operations(document: dict[str, Any], warned: set[str]) -> set[tuple[str, str]]:
    """The (METHOD, path) of operations whose request body or responses reach (``$ref``\\ s
    followed) a ``oneOf`` at a pointer of ``warned``: oapigen warned that no value fits it."""
    found = set()
    for path, item in (document.get("paths") or {}).items():
        for method in _METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if not isinstance(operation, dict):
                continue
            base = "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method
            roots = [(f"{base}/{key}", operation.get(key)) for key in ("requestBody", "responses")]
            if _reaches(document, roots, {w.removesuffix("/oneOf") for w in warned}):
                found.add((method.upper(), path))
    return found


def _reaches(document: dict[str, Any], roots: list[tuple[str, Any]], targets: set[str]) -> bool:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        where, node = stack.pop()
        if where in targets:
            return True
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and ref[1:] not in seen:
                seen.add(ref[1:])
                stack.append((ref[1:], _pointed(document, ref[1:])))
            stack.extend((f"{where}/{k.replace('~', '~0').replace('/', '~1')}", v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v) for i, v in enumerate(node))
    return False


def _pointed(document: Any, pointer: str) -> Any:
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        document = document.get(token) if isinstance(document, dict) else None
    return document


HEADER = (
    "| spec | operations | ok | typed error | crash | no args | schemathesis failures | unreachable | unsatisfiable |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def main(argv: list[str]) -> int:
    import tempfile

    lenient = "--lenient" in argv
    overlay = Path(argv[argv.index("--overlay") + 1]) if "--overlay" in argv else None
    allow = (Path(argv[argv.index("--allow-ref-outside") + 1]),) if "--allow-ref-outside" in argv else ()
    specs = [Path(a) for a in argv if not a.startswith("--") and Path(a) not in (overlay, *allow)]
    print(HEADER)
    failures: list[Call] = []
    for index, spec in enumerate(specs):
        with tempfile.TemporaryDirectory() as tmp:
            result = run(spec, Path(tmp), lenient=lenient, overlay=overlay, allow=allow, package=f"swept_{index}")
        print(result.row(), flush=True)
        failures += result.failures()
        for line in result.schemathesis:
            print(f"- schemathesis {spec.name}: {line}", file=sys.stderr)
        for line in result.unsatisfiable:
            print(f"- unsatisfiable {spec.name}: {line}", file=sys.stderr)
    for call in failures:
        print(f"- {call.outcome} [{call.variant}] {call.python}: {call.detail}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
