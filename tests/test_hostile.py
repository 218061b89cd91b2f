"""Untrusted specs (issue 5): the specs in tests/hostile/ try to break out of every string,
docstring and comment, to collide names, to name files, and to smuggle control characters.
Each is generated through the CLI, compiled, imported (in process and in a fresh interpreter),
and every operation is called with the generated client against the generated mock server.
A marker file the specs try to create must never exist."""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import json
import re
import ssl
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from oapigen.core import escape, naming
from oapigen.core.diagnostics import SpecError
from oapigen.ir.model import Operation, ParamLocation
from oapigen.models import prepare, verify
from oapigen.run import writer
from oapigen.views.client_layout import RESOURCES
from oapigen.views.server_layout import ROUTERS

from .conftest import MypyRun, mypy_strict_targets
from .hostile_support import (
    HOSTILE,
    ROOT,
    UNSAFE_CHARS,
    Generated,
    exercise,
    fresh_marker,
    generate_and_import,
    handlers_for,
    import_in_subprocess,
    materialize,
    oapigen,
    python_files,
)
from .test_e2e import _type

SPECS = sorted(p.name for p in HOSTILE.iterdir() if p.suffix in (".yaml", ".json"))
_GENERATED: dict[str, Generated] = {}


def package_name(spec: str) -> str:
    return "hostile_" + spec.split(".")[0]


def hostile_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per session for the hostile packages (shared with the mypy run)."""
    folder = tmp_path_factory.getbasetemp() / "hostile"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_workspace(tmp_path_factory)


def hostile(workspace: Path, spec: str) -> Generated:
    """``tests/hostile/<spec>``, generated and imported once per module."""
    if spec not in _GENERATED:
        marker = fresh_marker(workspace)
        path = materialize(HOSTILE / spec, workspace / "specs", marker)
        _GENERATED[spec] = generate_and_import(path, workspace / "out", package_name(spec), marker)
    return _GENERATED[spec]


# -- every spec: generated, compiled, imported, called ------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_generates_clean_code(workspace: Path, spec: str) -> None:
    gen = hostile(workspace, spec)
    files = sorted(p.name for p in gen.package_dir.iterdir())
    expected = (*EXPECTED_FILES, RESOURCES, ROUTERS) if spec in SPLIT_SPECS else EXPECTED_FILES
    paging = sorted(set(files) & set(PAGINATION_FILES))
    assert paging in ([], sorted(PAGINATION_FILES)), paging  # both where an operation pages, else neither
    assert sorted(set(files) - set(PAGINATION_FILES)) == sorted(expected), "spec names must never become file names"
    # Group modules (the client's and the server's) are named after the groups' sanitized
    # attributes, never a device name.
    for path in [*(gen.package_dir / RESOURCES).glob("*"), *(gen.package_dir / ROUTERS).glob("*")]:
        assert path.name == "__init__.py" or (SAFE_MODULE.fullmatch(path.name) and path.stem not in WINDOWS_DEVICES)
    for path in gen.package_dir.rglob("*"):
        if path.is_dir():
            continue
        text = path.read_text(encoding="utf-8")
        found = UNSAFE_CHARS.search(text)
        assert found is None, f"{path.name}: raw {found[0]!r} near {text[max(0, found.start() - 40):found.end()]!r}"
    for name, text in python_files(gen.package_dir).items():
        tree = ast.parse(text, name)
        compile(tree, name, "exec", dont_inherit=True)
        nested = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) and n.col_offset]
        assert all(_group_import(n) for n in nested), name
    assert not gen.marker.exists()


# Runtime names imported where they are used, not at the top: the server runtime reaches the
# pagination runtime only in a package that has it (fixed names, nothing from the spec).
_LAZY_RUNTIME_IMPORTS = {"_server_pagination": frozenset({"ServerPaging", "mock_page"})}


def _group_import(node: ast.Import | ast.ImportFrom) -> bool:
    """The imports that are not at the top of a module: ``client.py`` importing a group's
    classes (under ``TYPE_CHECKING``, and in the property that loads the group), and the
    runtime's lazy imports of optional runtime modules."""
    if not isinstance(node, ast.ImportFrom) or node.level != 1:
        return False
    lazy = _LAZY_RUNTIME_IMPORTS.get(node.module or "")
    if lazy is not None:
        return all(a.name in lazy and a.asname is None for a in node.names)
    return (node.module or "").startswith(f"{RESOURCES}.") and all(
        SAFE_CLASS.fullmatch(a.name) and a.asname is None for a in node.names
    )


@pytest.mark.parametrize("spec", SPECS)
def test_every_operation_through_the_client_against_the_mock_server(workspace: Path, spec: str) -> None:
    gen = hostile(workspace, spec)
    assert exercise(gen) == len(gen.api.operations) >= 1
    assert not gen.marker.exists()


@pytest.mark.parametrize("spec", SPECS)
def test_nothing_runs_at_import_in_a_fresh_interpreter(workspace: Path, spec: str) -> None:
    gen = hostile(workspace, spec)
    import_in_subprocess(gen.root, package_name(spec), ("models", "client", "server", "_server_mock"))
    assert not gen.marker.exists()


def test_generated_code_type_checks(mypy_strict: MypyRun) -> None:
    """Names that shadow builtins or imports (an operation called ``list``, a scheme called
    ``str``) would break annotations: mypy --strict over every hostile package. (Not numbers.yaml:
    its defaults of the wrong type, e.g. a string for an integer, are copied into models.py as the
    spec writes them, which mypy rightly refuses.)"""
    assert not mypy_strict.errors(hostile_packages)


@mypy_strict_targets
def hostile_packages(request: pytest.FixtureRequest) -> list[Path]:
    workspace = hostile_workspace(request.getfixturevalue("tmp_path_factory"))
    return [hostile(workspace, spec).package_dir for spec in SPECS if spec != "numbers.yaml"]


# Specs of more than client_layout.RESOURCES_MIN operations: a module per resource group (the
# client's resources/, the server's routers/).
SPLIT_SPECS = frozenset({"keywords.yaml"})
SAFE_MODULE = re.compile(r"[a-z_][a-z0-9_]*\.py")
SAFE_CLASS = re.compile(r"[A-Z][A-Za-z0-9_]*")
WINDOWS_DEVICES = frozenset({"aux", "con", "nul", "prn", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))})
EXPECTED_FILES = (
    ".oapigen-manifest.json", "API.md", "README.md", "__init__.py", "_auth.py", "_base_client.py",
    "_endpoints.py", "_response.py", "_serialize.py", "_server_http.py", "_server_mock.py",
    "_server_requests.py", "_server_routing.py", "_server_runtime.py", "_server_streams.py", "_spec.py", "_sse.py",
    "_streaming.py", "_types.py", "client.py", "errors.py",
    "models.py", "py.typed", "server.py",
)
PAGINATION_FILES = ("_pagination.py", "_server_pagination.py")  # only in a package that pages


# -- literals: spec text arrives as data, unchanged ---------------------------------------------


def test_docstring_breakers_stay_text(workspace: Path) -> None:
    gen = hostile(workspace, "docstrings.yaml")
    pkg, models = gen.package, gen.package.models
    marker = str(gen.marker)
    note = models.Note.model_json_schema()
    assert note["description"].startswith(f"\"\"\"; open('{marker}', 'w') #")
    assert [m.value for m in models.NoteKind] == ['"""; open(' + repr(marker) + ", 'w') #", "'''", "\\", "a\nb", '")', "# comment", "{{ x }}"]
    assert models.Note(text="t").meta == {'"""': "'''", "\\": "#"}
    dumped = models.Note(text="t").model_dump(mode="json", by_alias=True)
    assert dumped[f"\"\"\"; open('{marker}', 'w') #"] == f"\"\"\"; open('{marker}', 'w') #"
    server = importlib.import_module(f"{pkg.__name__}.server")
    spec = server.create_app().openapi()
    assert spec["info"]["title"] == "Docstring \"\"\" breaker ''' \\"
    op = spec["paths"]["/notes/{note_id}"]["get"]
    assert op["summary"] == f"'''; open('{marker}', 'w') #"
    assert op["description"] == f"\"\"\"; open('{marker}', 'w') #\nline two \\\n{{{{ 7*7 }}}}"
    assert not gen.marker.exists()


def test_jinja_in_the_spec_is_never_rendered(workspace: Path) -> None:
    gen = hostile(workspace, "jinja.yaml")
    title = "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {# comment #}"
    assert gen.package.client.__doc__.startswith(title + ": the HTTP client.")
    assert gen.package.__doc__.startswith(title)
    assert f"# {title}" in (gen.package_dir / "README.md").read_text(encoding="utf-8").replace("\\", "")
    assert "{{ ''.__class__.__mro__[1].__subclasses__() }}" in gen.package.client.__doc__
    assert not gen.marker.exists()


def test_control_characters_are_escaped_not_lost(workspace: Path) -> None:
    gen = hostile(workspace, "unicode.json")
    models = gen.package.models
    spec = json.loads((HOSTILE / "unicode.json").read_text(encoding="utf-8"))
    user = spec["components"]["schemas"]["\u30e6\u30fc\u30b6\u30fc"]
    kind = user["properties"]["kind"]["enum"]
    model = next(getattr(models, n) for n in gen.api.model_names if "kind" in getattr(getattr(models, n), "model_fields", {}))
    enum_type = model.model_fields["kind"].annotation.__args__[0]
    assert [m.value for m in enum_type] == kind  # NFKC-equal values stay distinct members
    default = model.model_validate({}).model_dump(mode="json", by_alias=True, exclude_none=True)
    assert default == {"esc\x1b": user["properties"]["esc\x1b"]["default"]}


# -- names: distinct, valid, and the wire names round-trip --------------------------------------


def _sample(op: Operation, package: ModuleType, annotation: str, salt: str) -> Any:
    mock = importlib.import_module(f"{package.__name__}._server_mock")
    return mock.value(_type(annotation, package), sum(map(ord, salt)), example=(False, None), echo={})


def _round_trip(gen: Generated, op: Operation) -> None:
    """Every parameter and the body, sent by the client and received by a server handler under
    the same Python names and values; the body echoed back equal."""
    package = gen.package
    server = importlib.import_module(f"{package.__name__}.server")
    received: dict[str, Any] = {}
    ok = op.success.preferred if op.success is not None else None
    answer = _sample(op, package, ok.type.annotation("models."), "answer") if ok is not None else None

    async def handler(self: Any, **kwargs: Any) -> Any:
        received.update(kwargs)
        return kwargs.get("body", answer)

    sent = {p.python_name: _sample(op, package, p.type.annotation("models."), p.name) for p in op.parameters}
    args = [sent[p.python_name] for p in op.parameters_in(ParamLocation.PATH)]
    kwargs = {p.python_name: sent[p.python_name] for p in op.parameters if p.location is not ParamLocation.PATH}
    if op.request_body is not None:
        kwargs["body"] = _sample(op, package, op.request_body.preferred.type.annotation("models."), "body")

    async def main() -> Any:
        app = server.create_app(handlers_for(server, **{op.handler_name: handler}))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        async with package.AsyncClient(base_url="http://test", http_client=http, max_retries=0) as client:
            owner = getattr(client, op.group) if op.group else client
            result = await getattr(owner, op.python_name)(*args, **kwargs)
        await http.aclose()
        return result

    result = asyncio.run(main())
    credentials = {k for k, v in received.items() if type(v).__name__ == "Credentials"}
    assert {k: v for k, v in received.items() if k not in credentials and k != "body"} == sent
    if op.request_body is not None:
        assert received["body"] == kwargs["body"]
        assert result == kwargs["body"]


@pytest.mark.parametrize(
    ("spec", "operation_ids"),
    [
        ("keywords.yaml", ["import", "None"]),
        ("collisions.yaml", ["getUser", "get_user"]),
        ("unicode.json", ["\u53d6\u5f97\u30e6\u30fc\u30b6\u30fc"]),
        ("docstrings.yaml", ["putNote"]),
        ("paths.yaml", ["../../../tmp/escape"]),
    ],
)
def test_wire_names_round_trip_through_client_and_server(workspace: Path, spec: str, operation_ids: list[str]) -> None:
    gen = hostile(workspace, spec)
    for operation_id in operation_ids:
        _round_trip(gen, next(op for op in gen.api.operations if op.operation_id == operation_id))


def test_every_name_is_a_distinct_valid_identifier(workspace: Path) -> None:
    for spec in ("keywords.yaml", "collisions.yaml", "unicode.json", "paths.yaml"):
        api = hostile(workspace, spec).api
        groups = [g.name for g in api.groups]
        assert len(set(groups)) == len(groups)
        assert not set(groups) & naming.CLIENT_ATTRIBUTES
        for owner in {op.group for op in api.operations}:
            methods = [op.python_name for op in api.operations if op.group == owner]
            assert len(set(methods)) == len(methods), methods
        handlers = [op.handler_name for op in api.operations]
        assert len(set(handlers)) == len(handlers)
        for op in api.operations:
            params = [p.python_name for p in op.parameters]
            assert len(set(params)) == len(params)
            names = [op.python_name, op.handler_name, *params, *(g.class_name for g in api.groups)]
            for name in names:
                assert escape.is_safe_identifier(name) and name not in naming.RESERVED_WORDS, name


def test_model_fields_keep_wire_names_as_aliases(workspace: Path) -> None:
    models = hostile(workspace, "keywords.yaml").package.models
    wire = {
        "def": "d", "match": "m", "type": "t", "_": "u", "None": "n", "True": True, "self": "s", "str": "s",
        "int": 1, "list": [1], "dict": {"a": 1}, "Field": "f", "BaseModel": "b", "model_config": "c",
        "model_fields": "f", "model_dump": "d", "model_dump_json": "j", "model_validate": "v",
        "model_validator": "w", "model_post_init": "p", "schema": "s", "json": "j", "validate": "v",
        "copy": "c", "construct": "c", "fields": "f", "root": "r", "__root__": "r", "__init__": "i",
        "__class__": "c", "_private": "p",
    }
    cls = models.Class
    assert cls.model_validate(wire).model_dump(mode="json", by_alias=True, exclude_unset=True) == wire
    for name in cls.model_fields:
        assert name.isidentifier() and not name.startswith(naming.PROTECTED_PREFIXES), name
        assert name not in naming.PYDANTIC_ATTRIBUTES, name
    collided = hostile(workspace, "collisions.yaml").package.models.User
    users = {k: f"v{i}" for i, k in enumerate(["getUser", "get_user", "GetUser", "get-user", "get user", "a.b", "a_b", "1x", "_1x", "", " ", "-"])}
    assert collided.model_validate(users).model_dump(by_alias=True, exclude_unset=True) == users


def test_field_aliases_for_names_python_or_pydantic_would_merge() -> None:
    schemas = {
        "M": {"type": "object", "properties": {n: {} for n in ["\ufb01", "fi", "fi_2", "model_dumpster", "model-validate", "e\u0301", "ok"]}},
        "N": {"type": "object", "properties": {"x": {"type": "object", "properties": {"\uff58": {}}}}, "default": {"model_dump": 1}},
    }
    aliases = prepare.field_aliases(schemas)
    assert set(aliases) == {"\ufb01", "model_dumpster", "model-validate", "e\u0301", "\uff58"}
    assert len(set(aliases.values())) == len(aliases)
    taken = {"fi", "fi_2", "ok", "x", "model_dumpster", "model_validate"}
    for python in aliases.values():
        assert escape.is_safe_identifier(python) and python not in taken
        assert not python.startswith(naming.PROTECTED_PREFIXES)
    assert prepare.field_aliases(schemas) == aliases  # deterministic


# -- the models post-check ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("class A(BaseModel):\n    x: int\nimport os\n", "Import statement at module level"),
        ("from os import system\n", "imports from 'os'"),
        ("class A(BaseModel):\n    '''doc'''\n    open('/tmp/x', 'w')\n", "Expr statement in a class body"),
        ("class A(BaseModel):\n    x: int = __import__('os')\n", "uses '__import__'"),
        ("class A(BaseModel):\n    x: int = ().__class__\n", "'__class__'"),
        ("class A(BaseModel):\n    x: str = ''.join([])\n", "calls .join()"),
        ("class A(BaseModel):\n    \ufb01: int\n    fi: int\n", "is defined twice"),
        ("class A(BaseModel):\n    model_dump_: int\n", "reserved by pydantic"),
        ("class A(BaseModel):\n    x: int\nA.x = 1\nprint(1)\n", "statement at module level"),
        ('class A(BaseModel):\n    """doc\n', "invalid Python"),
    ],
)
def test_models_post_check_refuses_anything_but_model_code(source: str, message: str) -> None:
    with pytest.raises(SpecError) as raised:
        verify.checked_source(source, "spec.yaml", {"A": "#/components/schemas/A"})
    text = str(raised.value)
    assert message in text and text.startswith("error: spec.yaml: /components/schemas"), text


_UNCHECKED_MODELS = """
import sys
from oapigen.core import background
from oapigen.core.diagnostics import SpecError
from oapigen.models import stage
from oapigen.run import pipeline
from oapigen.run.config import Job
from pathlib import Path

def library_output(doc, spec_name, aliases, paths):  # what a compromised datamodel-code-generator might write
    return "class Pet(BaseModel):\\n    x: int = __import__('os')\\n", {"models": [
        {"class_name": "Pet", "source_ref": "#/components/schemas/Pet"}]}, []

stage._cached_datamodel_codegen = library_output
assert background.can_fork()  # the models stage runs in a forked child, which does not check
try:
    pipeline.generate(Job(spec=Path(sys.argv[1]), output=Path(sys.argv[2]), package="p"))
except SpecError as exc:
    print(exc)
else:
    print("generated")
"""


def test_models_from_the_background_process_are_checked_in_the_parent(tmp_path: Path) -> None:
    """The models child leaves the post-check to the parent (which parses the source anyway for
    the models view); a refused source still stops generation there, located."""
    result = subprocess.run([sys.executable, "-c", _UNCHECKED_MODELS, str(ROOT / "specs" / "petstore.yaml"),
                             str(tmp_path)], capture_output=True, text=True, timeout=300, check=False)
    assert "/components/schemas/Pet: models: " in result.stdout, result.stdout + result.stderr
    assert "uses '__import__'" in result.stdout and "refusing to write models.py" in result.stdout


def test_models_post_check_escapes_raw_control_characters() -> None:
    source = "class A(BaseModel):\n    '''esc\x1b[2J bidi\u202e'''\n    x: str = 'soh\x01 ls\u2028'\n    y: str = r'raw\x1b'\n"
    checked = verify.checked_source(source, "spec.yaml", {})
    assert not UNSAFE_CHARS.search(checked)
    namespace: dict[str, Any] = {"BaseModel": object}
    exec(compile(checked, "m", "exec"), namespace)  # only our own fixed source
    assert namespace["A"].__doc__ == "esc\x1b[2J bidi\u202e"
    assert (namespace["A"].x, namespace["A"].y) == ("soh\x01 ls\u2028", "raw\x1b")


# -- the escaping helpers on the characters that break files and terminals -----------------


UNSAFE_TEXTS = [
    "bidi \u202eevil\u202c \u2066isolate\u2069 \u200f", "esc \x1b[2J\x1b]0;title\x07", "c1 \x85\x9b",
    "bom \ufeff", "ls \u2028 ps \u2029", "lone \ud800", "ff \x0c vt \x0b", '""" \\ \r\n end\\',
]


@pytest.mark.parametrize("text", UNSAFE_TEXTS)
def test_escape_helpers_leave_no_unsafe_character(text: str) -> None:
    literal = escape.str_literal(text)
    assert not UNSAFE_CHARS.search(literal) and ast.literal_eval(literal) == text
    doc = escape.docstring(text, indent=4)
    assert not UNSAFE_CHARS.search(doc)
    tree = ast.parse(f"def f():\n    {doc}\n    return 1\n")
    assert len(tree.body[0].body) == 2  # type: ignore[attr-defined]
    for out in (escape.comment(text), escape.md_cell(text), escape.md_code(text), escape.html_comment(text)):
        assert not UNSAFE_CHARS.search(out) and "\n" not in out
    visible = escape.visible(text)
    assert not UNSAFE_CHARS.search(visible) and ast.literal_eval(repr(visible)) == visible


# -- templates: no spec string rendered without its escaping filter -----------------------------

# Attributes (last dotted name) that hold sanitized identifiers, annotations built from them,
# booleans, numbers, enum-valued words, or source text computed by the views from escaped parts.
SAFE_ATTRIBUTES = frozenset(
    {
        # identifiers from oapigen.core.naming (or computed from them)
        "name", "python_name", "attribute", "sync_class", "async_class", "raw_class", "async_raw_class",
        "argument", "constant", "handler", "function", "request_name", "credentials_name", "endpoint",
        "credential", "factory", "reader", "object_reader", "splitter", "decorator", "marker", "package", "module",
        # `def` or `async def` (a streaming handler is a plain def in the Protocol)
        "definition",
        # annotations and runtime type expressions made of sanitized names and str_literal()s
        "annotation", "item_annotation", "returns", "async_returns", "result", "type", "item_type", "reads",
        # Python literals made by str_literal / server_literals.py_literal (encoding_literal,
        # body_part)
        "default", "example", "encoding", "part", "events",
        # a paginated operation's Paging(...) source (views/pagination.py: str_literal()s, numbers)
        "paging",
        # the in-process example's `base_url="http://test", ` (a constant) or nothing
        "test_args",
        # booleans and numbers
        "explode", "required", "status", "json_content", "object_rank",
        # HTTP methods and parameter locations (enum values), dotted Python calls and exception
        # names, code fences longer than any backtick run: computed by the docs view
        "method", "value", "location", "python", "call", "raises", "fence",
        # statements of server.py written out by views/server_code.py (and its decorators), every
        # spec string in them through str_literal (the hostile specs above run through them)
        "all", "signature", "credentials", "operations_open", "entry", "route", "serve", "app", "package_import",
        # statements of _endpoints.py written out by views/client_endpoints.endpoint_statement, and
        # the client methods' `def` lines and request calls (views/client_methods.MethodView), the
        # constructors' credentials entries (CredentialView.entry) and base_url parameter
        # (ClientModule.base_url_parameter), every spec string in them through str_literal
        "statement", "sync_def", "async_def", "base_url_parameter", "sync_return", "async_return", "paginated_md",
        # webhooks.py / callbacks.py (oapigen.views.webhooks): sanitized class and method names,
        # payload annotations and their union, a boolean, and the fixed names of views.webhooks.Names
        "class_name", "method_name", "payload", "union", "signed", "noun", "table", "handlers", "parse", "handle",
        "router", "sender", "async_sender",
        # and their statements, written out by views/webhooks.py (WebhooksModule.table_statement and
        # router_return, EventView.lookup; also .all, .app and .signature), every spec string in them
        # through str_literal
        "table_statement", "router_return", "lookup",
        # API.md's Markdown written out by views/docs.py and operations_table.py (table rows, the
        # operation's heading line, the idempotency key and argument, the response headers), every
        # spec string in them through escape.md_cell / md_code
        "table_row", "heading", "idempotency_key_md", "idempotency_argument_md", "listing",
        # README.md's in-process clients (fixed text around test_args) and its idempotent calls (through
        # md_code), written out by views/docs.QuickStart
        "in_process_client", "in_process_async_client", "idempotent_md",
        # API.md's line on an operation's OAuth 2 scopes, written out by views/docs_oauth2.py
        # (scheme keys and scopes through md_code)
        "authorization_md",
        # the groups' streaming wrapper classes (sanitized names, as raw_class) and API.md's sentence
        # on how an answer streams (views/streaming_docs.py, spec strings through md_code)
        "stream_class", "async_stream_class", "streaming",
        # the split server (views/server_layout.py): the group protocols' sanitized class names,
        # Handlers' bases (those names) and routers/__init__.py's __all__ (sanitized module names)
        "protocol", "bases", "routers_all",
    }
)
# Template variables that are not spec strings: loop variables over sanitized names (import
# lines built from them), macros.
SAFE_NAMES = frozenset({"name", "module", "target", "source", "args", "names", "line", "pager"})
EXPRESSION = re.compile(r"{{-?\s*(.*?)\s*-?}}", re.DOTALL)
FILTERS = ("str_literal", "docstring", "comment", "md", "md_code", "html_comment", "join")


def _unfiltered(expression: str) -> str | None:
    """The spec-derived value an expression renders raw, or None if it is safe."""
    if re.search(r"\|\s*(" + "|".join(FILTERS) + r")\b", expression):
        return None
    if expression.startswith(('"', "'")) or re.fullmatch(r"[\w.]+\(.*\)", expression, re.DOTALL):
        return None  # a literal, or a macro call (macros are scanned themselves)
    last = expression.split(".")[-1]
    if "." not in expression:
        return None if expression in SAFE_NAMES else expression
    return None if last in SAFE_ATTRIBUTES else expression


def test_templates_render_spec_strings_only_through_an_escaping_filter() -> None:
    offenders = []
    for template in sorted((ROOT / "templates").glob("*.jinja")):
        text = template.read_text(encoding="utf-8")
        for match in EXPRESSION.finditer(text):
            bad = _unfiltered(match[1])
            if bad is not None:
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{template.name}:{line}: {{{{ {match[1]} }}}}")
    assert not offenders, "render spec strings through an escape filter:\n" + "\n".join(offenders)


def test_the_template_scan_catches_a_raw_spec_string() -> None:
    assert _unfiltered("op.description") == "op.description"
    assert _unfiltered("r.description | str_literal") is None
    assert _unfiltered("api.title") == "api.title"
    assert _unfiltered("p.python_name") is None


# -- paths: nothing outside the output folder ----------------------------------------------


def test_path_like_names_write_nothing_outside_the_package(tmp_path: Path) -> None:
    spec = materialize(HOSTILE / "paths.yaml", tmp_path / "specs", fresh_marker(tmp_path))
    out = tmp_path / "deep" / "out"
    before = {p for p in tmp_path.rglob("*")}
    run = oapigen("generate", spec, "--output", out, "--package", "p")
    run.assert_clean()
    assert run.code == 0, run.stderr
    created = {p.relative_to(tmp_path).as_posix() for p in set(tmp_path.rglob("*")) - before}
    assert created == {"deep", "deep/out", "deep/out/p", *(f"deep/out/p/{f}" for f in EXPECTED_FILES)}


@pytest.mark.parametrize("package", ["../x", "/tmp/x", "a/b", "..", "x.y", "", "日本", "a\x00b"])
def test_package_names_that_are_paths_are_refused(tmp_path: Path, package: str) -> None:
    run = oapigen("generate", ROOT / "specs" / "petstore.yaml", "--output", tmp_path / "out", "--package", package)
    run.assert_clean()
    assert run.code == 2 and "package name" in run.stderr
    assert not any(tmp_path.rglob("*.py"))


def test_manifest_paths_are_untrusted(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    package = tmp_path / "out" / "pkg"
    writer.write_package(package, {"a.py": "A\n"}, {})
    (package / "b.py").symlink_to(secret)
    manifest = json.loads((package / writer.MANIFEST).read_text())
    manifest["files"].update({"../../secret.txt": "x", str(secret): "x", "b.py": "x", "./a.py": "x"})
    (package / writer.MANIFEST).write_text(json.dumps(manifest))
    assert writer.owned_files(package) == {"a.py", "b.py"}
    diffs = "".join(writer.diff_package(package, {"a.py": "A\n"}))
    assert "SECRET" not in diffs  # never read through the link or outside the package
    writer.write_package(package, {"a.py": "A2\n"}, {})
    assert secret.read_text() == "TOP SECRET\n"
    with pytest.raises(SpecError, match="outside the package"):
        writer.write_package(package, {"../evil.py": "x"}, {})
    assert not (tmp_path / "out" / "evil.py").exists()


def test_symbolic_links_in_the_package_are_kept_and_never_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    (elsewhere / "handlers.py").write_text("mine\n")
    package = tmp_path / "out" / "pkg"
    writer.write_package(package, {"a.py": "A\n"}, {})
    (package / "handlers").symlink_to(elsewhere, target_is_directory=True)
    (package / "client.py").symlink_to(elsewhere / "handlers.py")
    with pytest.raises(SpecError, match=r"did not generate: client\.py"):
        writer.write_package(package, {"a.py": "A\n", "client.py": "generated\n"}, {})
    writer.write_package(package, {"a.py": "A2\n"}, {})
    assert (package / "handlers").is_symlink() and (package / "handlers" / "handlers.py").read_text() == "mine\n"
    assert (elsewhere / "handlers.py").read_text() == "mine\n"


# -- writes: the previous output survives failures; user files survive everything ---------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_spec_failing_at_the_models_stage_leaves_the_previous_output(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    good = (ROOT / "specs" / "petstore.yaml").read_text(encoding="utf-8")
    spec.write_text(good, encoding="utf-8")
    out = tmp_path / "out"
    assert oapigen("generate", spec, "--output", out, "--package", "api", "-q").code == 0
    (out / "api" / "handlers.py").write_text("# mine\n")
    before = _snapshot(out)
    # Two schema names that are one class name once Python normalizes identifiers (NFKC).
    broken = good.replace("components:\n  schemas:\n", 'components:\n  schemas:\n    "\\uff58": {type: object, properties: {a: {type: string}}}\n    x: {type: object, properties: {b: {type: string}}}\n', 1)
    assert broken != good
    spec.write_text(broken, encoding="utf-8")
    run = oapigen("generate", spec, "--output", out, "--package", "api")
    run.assert_clean()
    assert run.code == 2 and "models:" in run.stderr and "/components/schemas" in run.stderr, run.stderr
    assert _snapshot(out) == before


@pytest.mark.parametrize("stage", ["render", "format"])
def test_an_error_while_rendering_or_formatting_leaves_the_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    from oapigen.run import pipeline

    spec = tmp_path / "api.yaml"
    spec.write_text((ROOT / "specs" / "petstore.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert oapigen("generate", spec, "--output", out, "--package", "api", "-q").code == 0
    before = _snapshot(out)
    spec.write_text(spec.read_text(encoding="utf-8").replace("title: Swagger Petstore", "title: Changed", 1), encoding="utf-8")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{stage} failed")

    if stage == "render":
        monkeypatch.setattr(pipeline, "render_package", boom)
    else:
        monkeypatch.setattr(pipeline.Formatting, "finish", boom)
    run = oapigen("generate", spec, "--output", out, "--package", "api")
    assert run.code == 3 and f"{stage} failed" in run.stderr and "Traceback" not in run.stderr
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["api"]  # no staging folder left behind


def test_user_files_survive_regeneration_and_check(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text((ROOT / "specs" / "petstore.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert oapigen("generate", spec, "--output", out, "--package", "api", "-q").code == 0
    package = out / "api"
    (package / "handlers.py").write_text("# mine\n")
    (package / "impl").mkdir()
    (package / "impl" / "store.py").write_text("# mine too\n")
    check = oapigen("generate", spec, "--output", out, "--package", "api", "--check")
    assert check.code == 0 and "handlers.py" not in check.stdout + check.stderr
    spec.write_text(spec.read_text(encoding="utf-8").replace("title: Swagger Petstore", "title: Changed", 1), encoding="utf-8")
    check = oapigen("generate", spec, "--output", out, "--package", "api", "--check")
    assert check.code == 1 and "handlers.py" not in check.stdout and "store.py" not in check.stdout
    assert oapigen("generate", spec, "--output", out, "--package", "api", "-q").code == 0
    assert (package / "handlers.py").read_text() == "# mine\n"
    assert (package / "impl" / "store.py").read_text() == "# mine too\n"
    assert "handlers.py" not in writer.owned_files(package)


def test_an_edited_generated_file_that_is_no_longer_generated_is_kept(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    writer.write_package(package, {"a.py": "A\n", "old.py": "old\n", "gone.py": "gone\n"}, {})
    (package / "old.py").write_text("old, with my edits\n")
    report = writer.write_package(package, {"a.py": "A\n"}, {})
    assert report.removed == ("gone.py",)
    assert (package / "old.py").read_text() == "old, with my edits\n" and not (package / "gone.py").exists()
    assert writer.owned_files(package) == {"a.py"}


def test_check_is_not_fooled_by_a_forged_manifest(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text((ROOT / "specs" / "petstore.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert oapigen("generate", spec, "--output", out, "--package", "api", "-q").code == 0
    client = out / "api" / "client.py"
    client.write_text(client.read_text(encoding="utf-8") + "import os  # slipped in\n", encoding="utf-8")
    manifest = json.loads((out / "api" / writer.MANIFEST).read_text())
    manifest["files"]["client.py"] = writer.sha256_text(client.read_text(encoding="utf-8"))
    (out / "api" / writer.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    assert oapigen("generate", spec, "--output", out, "--package", "api", "--check").code == 1


def test_diagnostics_never_print_raw_control_characters(tmp_path: Path) -> None:
    spec = tmp_path / "esc.json"
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "paths": {"/a\x1b[2J\u202e/{x}": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    spec.write_text(json.dumps(doc), encoding="utf-8")
    run = oapigen("generate", spec, "--output", tmp_path / "out")
    assert run.code == 2 and "/{x}" in run.stderr
    assert not UNSAFE_CHARS.search(run.stderr), run.stderr


# -- the generated code at run time -------------------------------------------------------------


def test_client_verifies_tls_and_hides_secrets(workspace: Path) -> None:
    gen = hostile(workspace, "keywords.yaml")
    text = "\n".join(python_files(gen.package_dir).values())
    assert "verify=False" not in text and "CERT_NONE" not in text
    arguments = set(inspect.signature(gen.package.Client).parameters)
    assert {"self_2", "timeout_", "base_url_"} <= arguments  # schemes named self, timeout, base_url
    client = gen.package.Client(base_url="https://example.test", self_2="SECRET-TOKEN", timeout_="SECRET-KEY", base_url_=("u", "SECRET-PW"))
    try:
        context = client._http._transport._pool._ssl_context
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
        assert not client._http.follow_redirects  # credentials never follow a redirect elsewhere
        assert "SECRET" not in repr(client) + repr(client._credentials)
    finally:
        client.close()


def test_path_parameters_cannot_climb_out_of_their_segment(workspace: Path) -> None:
    gen = hostile(workspace, "paths.yaml")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with gen.package.Client(base_url="http://test/api", http_client=http) as client:
        group = next(g.name for g in gen.api.groups if any(op.operation_id == "../../../tmp/escape" for op in g.operations))
        method = getattr(client, group).tmp_escape
        for value in ("..", ".", "../../admin", "a/b", "%2e%2e"):
            method(value)
    assert seen == ["/api/files/%2E%2E", "/api/files/%2E", "/api/files/..%2F..%2Fadmin", "/api/files/a%2Fb", "/api/files/%252e%252e"]


def test_server_errors_carry_no_stack_trace(workspace: Path) -> None:
    gen = hostile(workspace, "docstrings.yaml")
    server = importlib.import_module(f"{gen.package.__name__}.server")

    async def put_note(self: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SECRET database password in a stack trace")

    async def main() -> httpx.Response:
        app = server.create_app(handlers_for(server, put_note=put_note))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            return await http.put("/notes/1", json={"text": "t"})

    response = asyncio.run(main())
    assert response.status_code == 500
    assert "SECRET" not in response.text and "Traceback" not in response.text and "File " not in response.text


def test_the_mock_servers_doc_pages_escape_the_spec_title(tmp_path: Path) -> None:
    spec = tmp_path / "xss.yaml"
    title = "</title><script>alert(1)</script>"
    spec.write_text(
        (ROOT / "specs" / "petstore.yaml").read_text(encoding="utf-8").replace("title: Swagger Petstore", f"title: '{title}'", 1),
        encoding="utf-8",
    )
    gen = generate_and_import(spec, tmp_path / "out", "hostile_xss", fresh_marker(tmp_path))
    server = importlib.import_module("hostile_xss.server")

    async def main() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app()), base_url="http://test") as http:
            return [await http.get(url) for url in ("/docs", "/redoc", "/openapi.json")]

    docs, redoc, schema = asyncio.run(main())
    assert "<script>alert(1)" not in docs.text and "&lt;/title&gt;&lt;script&gt;" in docs.text
    assert "<script>alert(1)" not in redoc.text
    assert schema.json()["info"]["title"] == title  # the document keeps the text as written
    # the generated docs carry the title as text: Markdown/HTML-escaped, a Python docstring value
    for page in ("README.md", "API.md"):
        text = (gen.package_dir / page).read_text(encoding="utf-8")
        assert "<script>" not in text and "alert(1)" in text, page
    assert title in (gen.package.__doc__ or "")
