"""The CLI as a user meets it: subprocesses, exit codes, files on disk."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, assert_no_traceback, run_oapigen

SEED = ROOT / "specs" / "agent-server.json"
OVERLAY = ROOT / "specs" / "agent-server.overlay.yaml"
PETSTORE = ROOT / "specs" / "petstore.yaml"
RECURSIVE_UNIONS = ROOT / "tests" / "data" / "recursive_unions.yaml"
NO_SCHEMAS = ROOT / "tests" / "data" / "no_schemas.yaml"


def test_validate_seed_without_overlay_fails_with_located_errors() -> None:
    result = run_oapigen("validate", str(SEED))
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "agent-server.json" in result.stderr and "Interrupt" in result.stderr
    assert "components/responses" in result.stderr  # the hint


def test_validate_seed_with_overlay_passes() -> None:
    result = run_oapigen("validate", str(SEED), "--overlay", str(OVERLAY))
    assert result.returncode == 0, result.stderr


def test_seed_refused_then_lenient_imports_and_is_deterministic(tmp_path: Path) -> None:
    """The seed (without its overlay) is refused; with --lenient it generates (with warnings), imports,
    and a second run with another hash seed writes the same bytes. (One test: the seed is the
    slowest spec to generate, and each run here is a subprocess.)"""
    refused = run_oapigen("generate", str(SEED), "--output", str(tmp_path))
    assert_no_traceback(refused)
    assert refused.returncode == 2 and "Interrupt" in refused.stderr
    assert not (tmp_path / "agent_server").exists()
    out = tmp_path / "out"
    first = run_oapigen("generate", str(SEED), "--lenient", "--output", str(out), "--package", "agent_server")
    assert first.returncode == 0, first.stderr
    assert "warning:" in first.stderr
    check = subprocess.run(
        [sys.executable, "-c", "from agent_server import models; print(models.RunCreateStateful(assistant_id='agent'))"],
        cwd=out, capture_output=True, text=True, check=False,
    )
    assert check.returncode == 0, check.stderr
    snapshot = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}
    assert snapshot
    again = run_oapigen(
        "generate", str(SEED), "--lenient", "--output", str(out), "--package", "agent_server",
        env={"PYTHONHASHSEED": "12345"},
    )
    assert again.returncode == 0, again.stderr
    after = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}
    assert after == snapshot


def test_check_reports_drift_and_user_files_survive(tmp_path: Path) -> None:
    args = ("generate", str(PETSTORE), "--output", str(tmp_path), "--package", "pets")
    assert run_oapigen(*args).returncode == 0
    package = tmp_path / "pets"
    (package / "my_handlers.py").write_text("# mine\n")
    assert run_oapigen(*args, "--check").returncode == 0
    models = package / "models.py"
    models.write_text(models.read_text() + "# edited\n")
    stale = run_oapigen(*args, "--check")
    assert stale.returncode == 1
    assert "+++" in stale.stdout and "# edited" in stale.stdout
    assert run_oapigen(*args).returncode == 0
    assert "# edited" not in models.read_text()
    assert (package / "my_handlers.py").read_text() == "# mine\n"
    # a user file is not owned: --check ignores it, generate never touches it
    assert run_oapigen(*args, "--check").returncode == 0


def test_generate_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path) -> None:
    package = tmp_path / "pets"
    package.mkdir()
    (package / "models.py").write_text("# my own models\n")
    result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path), "--package", "pets")
    assert result.returncode == 2 and "did not generate" in result.stderr
    assert (package / "models.py").read_text() == "# my own models\n"


@pytest.mark.parametrize("package", ["../../x", "/abs", "not-valid", ""])
def test_bad_package_names_are_refused(tmp_path: Path, package: str) -> None:
    result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path / "out"), "--package", package)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert not (tmp_path / "x").exists()


def test_inspect_json_contract() -> None:
    result = run_oapigen("inspect", str(SEED), "--overlay", str(OVERLAY), "--json")
    assert result.returncode == 0, result.stderr
    table = json.loads(result.stdout)
    keys = {"operation_id", "method", "path", "python", "handler", "request", "response", "pagination"}
    assert table and all(set(row) == keys for row in table)
    create = next(r for r in table if r["operation_id"] == "create_run_threads__thread_id__runs_post")
    assert create["python"] == "thread_runs.create_run" and create["handler"] == "create_run"
    assert create["method"] == "POST" and create["path"] == "/threads/{thread_id}/runs"
    assert create["request"] == "RunCreateStateful" and create["response"] == "Run"
    search = next(r for r in table if r["operation_id"] == "search_assistants_assistants_search_post")
    assert search["python"] == "assistants.search_assistants"
    handlers = [r["handler"] for r in table]
    assert len(handlers) == len(set(handlers)) == 59


def test_inspect_table() -> None:
    result = run_oapigen("inspect", str(PETSTORE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split()[:3] == ["METHOD", "PATH", "PYTHON"]


def test_missing_file_and_syntax_errors_exit_2(tmp_path: Path) -> None:
    missing = run_oapigen("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.1.0",\n "info": {\n')
    result = run_oapigen("generate", str(broken), "--output", str(tmp_path))
    assert_no_traceback(result)
    assert result.returncode == 2 and "broken.json" in result.stderr


def test_unsupported_swagger_version_is_refused_with_the_version(tmp_path: Path) -> None:
    spec = tmp_path / "old.yaml"
    spec.write_text('swagger: "1.2"\ninfo: {title: t, version: "1"}\npaths: {}\n')
    result = run_oapigen("generate", str(spec), "--output", str(tmp_path))
    assert_no_traceback(result)
    assert result.returncode == 2 and "1.2" in result.stderr and "Swagger 2.0" in result.stderr


def test_config_unknown_key_is_named(tmp_path: Path) -> None:
    shutil.copy(PETSTORE, tmp_path / "petstore.yaml")
    (tmp_path / "pyproject.toml").write_text('[[tool.oapigen.specs]]\nspec = "petstore.yaml"\nouptut = "gen"\n')
    result = run_oapigen("generate", cwd=tmp_path)
    assert result.returncode == 2 and "ouptut" in result.stderr


def test_config_generates_every_table(tmp_path: Path) -> None:
    shutil.copy(PETSTORE, tmp_path / "petstore.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.oapigen.specs]]\nspec = "petstore.yaml"\noutput = "gen"\npackage = "pets"\n'
        'rename = { listPets = "pets.list" }\n'
        '[[tool.oapigen.specs]]\nspec = "petstore.yaml"\noutput = "gen"\npackage = "pets_two"\n'
    )
    result = run_oapigen("generate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "gen" / "pets" / "models.py").is_file() and (tmp_path / "gen" / "pets_two" / "API.md").is_file()
    assert "pets.list" in (tmp_path / "gen" / "pets" / "API.md").read_text()
    assert run_oapigen("generate", "--check", cwd=tmp_path).returncode == 0


# --- bad input is bad input (exit 2 with a fix), not a bug and not silently accepted -----------

def _spec(tmp_path: Path, schema: str = "{type: object}", extra: str = "") -> Path:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        f'openapi: 3.1.0\ninfo: {{title: t, version: "1"{extra}}}\npaths:\n  /a:\n    get:\n'
        f'      operationId: getA\n      responses:\n        "200":\n          description: ok\n'
        f"          content:\n            application/json:\n              schema: {schema}\n"
    )
    return spec


def test_output_that_is_a_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    for output in ("afile", "afile/below"):
        result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path / output))
        assert_no_traceback(result)
        assert result.returncode == 2, result.stderr
        assert "not a directory" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(("package", "expected"), [
    ("my-pkg", "--package my_pkg"),
    ("class", "keyword"),
    ("json", "standard library"),
    ("os", "standard library"),
])
def test_package_names_that_cannot_work_are_refused_with_a_fix(tmp_path: Path, package: str, expected: str) -> None:
    result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path), "--package", package)
    assert_no_traceback(result)
    assert result.returncode == 2 and expected in result.stderr, result.stderr
    assert not (tmp_path / package).exists()


def test_output_has_the_short_form_other_generators_use(tmp_path: Path) -> None:
    # openapi-generator and many tools take -o; a new user types it first.
    result = run_oapigen("generate", str(PETSTORE), "-o", str(tmp_path / "out"), "--package", "pets")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "pets" / "client.py").is_file()


def test_a_standard_library_name_is_fine_inside_a_package(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("")
    result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path), "--package", "json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "json" / "client.py").is_file()


def test_a_package_named_like_an_installed_module_gets_a_warning(tmp_path: Path) -> None:
    result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path), "--package", "httpx")
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "installed distribution httpx" in result.stderr
    assert "1 warning(s)" in result.stderr
    sdk = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path), "--package", "openai")  # installed or not
    assert sdk.returncode == 0, sdk.stderr
    assert "warning:" in sdk.stderr and "package name 'openai' is also the" in sdk.stderr


def test_unknown_schema_type_is_judged_the_same_by_validate_and_generate(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "{type: objekt}")
    for command in (["validate", str(spec)], ["generate", str(spec), "--output", str(tmp_path / "out")]):
        result = run_oapigen(*command)
        assert result.returncode == 2, result.stderr
        assert "unknown schema type 'objekt'" in result.stderr and "did you mean 'object'" in result.stderr
    assert not (tmp_path / "out").exists()
    assert run_oapigen("generate", str(spec), "--lenient", "--output", str(tmp_path / "out")).returncode == 0


def test_a_harmless_finding_is_a_warning_for_validate_as_for_generate(tmp_path: Path) -> None:
    spec = _spec(tmp_path, extra=", unknownKey: 1")
    validated = run_oapigen("validate", str(spec))
    generated = run_oapigen("generate", str(spec), "--output", str(tmp_path / "out"))
    for result in (validated, generated):
        assert result.returncode == 0, result.stderr
        assert "warning:" in result.stderr and "unknownKey" in result.stderr
    assert "valid (1 warning(s))" in validated.stdout


def test_a_rename_of_no_operation_is_an_error_naming_the_closest(tmp_path: Path) -> None:
    shutil.copy(PETSTORE, tmp_path / "petstore.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.oapigen.specs]]\nspec = "petstore.yaml"\nrename = { listPet = "pets.list" }\n')
    result = run_oapigen("generate", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "/tool/oapigen/specs/0/rename/listPet" in result.stderr and "'listPets'" in result.stderr
    assert not (tmp_path / "generated").exists()


# --- messages ----------------------------------------------------------------------------------

def test_version_and_a_plain_help() -> None:
    from importlib.metadata import version

    shown = run_oapigen("--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"oapigen {version('oapigen')}"
    helped = run_oapigen("--help")
    assert helped.returncode == 0 and "``" not in helped.stdout and "Exit codes" in helped.stdout


def test_errors_say_error_and_no_pointer_when_not_about_a_place_in_a_spec(tmp_path: Path) -> None:
    missing = run_oapigen("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert missing.stderr.startswith(f"error: {tmp_path / 'nope.yaml'}: ") and "/:" not in missing.stderr
    located = run_oapigen("validate", str(_spec(tmp_path, "{type: objekt}")))
    assert located.stderr.startswith(f"error: {tmp_path / 'api.yaml'}:12: /paths/~1a/get/"), located.stderr


def test_check_of_a_package_never_generated_says_missing(tmp_path: Path) -> None:
    result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path), "--check")
    assert result.returncode == 1
    assert f"{tmp_path / 'petstore'}: missing (never generated)" in result.stderr
    assert "stale" not in result.stderr and result.stdout == ""


def test_a_hand_edit_that_is_overwritten_is_named(tmp_path: Path) -> None:
    args = ("generate", str(PETSTORE), "--output", str(tmp_path))
    assert run_oapigen(*args).returncode == 0
    client = tmp_path / "petstore" / "client.py"
    client.write_text(client.read_text() + "# my fix\n")
    result = run_oapigen(*args)
    assert result.returncode == 0, result.stderr
    assert f"warning: {client}: had been edited by hand; the edit is overwritten" in result.stderr
    assert "1 file(s) written" in result.stderr and "# my fix" not in client.read_text()


def test_swagger_1_2_is_refused_naming_its_version(tmp_path: Path) -> None:
    spec = tmp_path / "old.json"
    spec.write_text('{"swaggerVersion": "1.2", "apis": []}')
    result = run_oapigen("validate", str(spec))
    assert result.returncode == 2
    assert "unsupported Swagger version '1.2' (found swaggerVersion: 1.2)" in result.stderr
    assert "no 'openapi' field" not in result.stderr


def test_a_big_spec_logs_each_stage_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    paths = "".join(
        f"  /r{i}:\n    get:\n      operationId: get{i}\n      responses:\n        '200': {{description: ok}}\n"
        for i in range(60))
    spec = tmp_path / "big.yaml"
    spec.write_text(f'openapi: 3.1.0\ninfo: {{title: t, version: "1"}}\npaths:\n{paths}')
    result = run_oapigen("generate", str(spec), "--output", str(tmp_path))  # stderr is a pipe here
    assert result.returncode == 0, result.stderr
    logged = [line.split(" (")[0] for line in result.stderr.splitlines() if "(60 operations, " in line]
    assert logged == [f"{tmp_path / 'big'}: {stage}" for stage in ("load", "validate", "models", "render", "format", "write")]
    quiet = run_oapigen("generate", str(spec), "--output", str(tmp_path / "q"), "-q")
    assert quiet.stderr == ""


def test_warnings_of_every_stage_are_located_alike(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        'openapi: 3.1.0\ninfo: {title: t, version: "1", unknownKey: 1}\npaths:\n  /a:\n    get:\n'
        '      operationId: getA\n      parameters:\n        - {name: "bad name", in: header, schema: {type: string}}\n'
        '      responses:\n        "200": {description: ok}\n')
    result = run_oapigen("generate", str(spec), "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, result.stderr
    assert warnings[0].startswith(f"warning: {spec}:2: /info: ")  # the validator's
    assert warnings[1].startswith(f"warning: {spec}:8: /paths/~1a/get/parameters/0: ")  # the IR's


def test_several_findings_about_one_value_are_one_warning(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "{type: array, items: {type: string, enum: [a, b], default: [a, b]}}")
    result = run_oapigen("validate", str(spec))
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "items/default: default [\"a\", \"b\"] is not of the schema's type (string)" in warning
    assert "belongs to the array schema, next to `items`" in warning


# --- config lookup -------------------------------------------------------------------------------

def test_config_is_found_from_a_subfolder_and_named(tmp_path: Path) -> None:
    shutil.copy(PETSTORE, tmp_path / "petstore.yaml")
    (tmp_path / "pyproject.toml").write_text('[[tool.oapigen.specs]]\nspec = "petstore.yaml"\npackage = "pets"\n')
    below = tmp_path / "src" / "deeper"
    below.mkdir(parents=True)
    (below.parent / "pyproject.toml").write_text('[project]\nname = "other"\n')  # no [tool.oapigen]: passed over
    result = run_oapigen("generate", cwd=below)
    assert result.returncode == 0, result.stderr
    assert f"oapigen: using {Path('..', '..', 'pyproject.toml')}" in result.stderr
    assert (tmp_path / "generated" / "pets" / "client.py").is_file()
    assert run_oapigen("generate", "--check", cwd=below).returncode == 0


def test_no_config_anywhere_is_bad_input(tmp_path: Path) -> None:
    result = run_oapigen("generate", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2 and "no pyproject.toml with a [tool.oapigen] table" in result.stderr


# --- one spec edit rewrites only the files it changes ---------------------------------------------

def test_a_spec_edit_touches_only_the_files_whose_content_changed(tmp_path: Path) -> None:
    spec = tmp_path / "petstore.yaml"
    shutil.copy(PETSTORE, spec)
    args = ("generate", str(spec), "--output", str(tmp_path))
    assert run_oapigen(*args).returncode == 0
    package = tmp_path / "petstore"
    before = {p.name: p.read_bytes() for p in package.iterdir() if p.is_file()}
    spec.write_text(spec.read_text().replace("        tag:\n          type: string\n",
                                             "        tag:\n          type: string\n        color:\n          type: string\n", 1))
    check = run_oapigen(*args, "--check")
    assert check.returncode == 1
    after_check = run_oapigen(*args)
    assert after_check.returncode == 0, after_check.stderr
    changed = sorted(name for name, text in before.items() if (package / name).read_bytes() != text)
    # the models, the hash (in _spec.py and the manifest), and the documents that show the model
    assert "models.py" in changed and "_spec.py" in changed and ".oapigen-manifest.json" in changed
    assert not {"errors.py", "_base_client.py", "_sse.py", "py.typed", "client.py", "server.py"} & set(changed), changed
    assert f"stale ({len(changed) - 1} file(s) differ)" in check.stderr  # the manifest is no diff


# --- generated output details ------------------------------------------------------------------

@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o077, 0o700)])
def test_the_package_folder_respects_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    import os

    old = os.umask(umask)
    try:
        result = run_oapigen("generate", str(PETSTORE), "--output", str(tmp_path / "out"))
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "petstore").stat().st_mode & 0o777 == mode
    assert (tmp_path / "out" / "petstore" / "client.py").stat().st_mode & 0o777 == mode & 0o666


def test_generated_code_passes_ruff_with_the_defaults_and_the_strict_set(tmp_path: Path) -> None:
    # RECURSIVE_UNIONS: the library's Union[...] around quoted forward references (UP007, UP037)
    # and a server whose one operation takes no argument (no Annotated to import: F401);
    # NO_SCHEMAS: no route names a model (server.py's `models` is exported, not unused: F401).
    for spec in (PETSTORE, SEED, RECURSIVE_UNIONS, NO_SCHEMAS):
        extra = ("--overlay", str(OVERLAY)) if spec == SEED else ()
        assert run_oapigen("generate", str(spec), *extra, "--output", str(tmp_path)).returncode == 0
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--output-format", "concise"]
    strict = ["--select", "E,F,W,I,B,UP,SIM,RUF", "--ignore", "E501", "--target-version", "py311"]
    for options in ([], strict):
        result = subprocess.run([*ruff, *options, str(tmp_path)], capture_output=True, text=True, check=False, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr


def test_recursive_unions_rewritten_with_the_operator_still_validate(tmp_path: Path) -> None:
    assert run_oapigen("generate", str(RECURSIVE_UNIONS), "--output", str(tmp_path)).returncode == 0
    check = (
        "from recursive_unions.models import ErrorDetails, Report, Tree\n"
        "tree = [[1, {'a': [2]}], 3]\n"
        "assert Tree.model_validate(tree).model_dump() == tree\n"
        "details = {'x': {'y': {'code': 'c'}}}\n"
        "assert ErrorDetails.model_validate(details).model_dump(exclude_unset=True) == details\n"
        "report = Report.model_validate({'kind': 'report', 'details': {'code': 'c'}, 'tree': 4})\n"
        "assert report.details is not None and report.tree is not None and report.tree.root == 4\n"
    )
    result = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_docs_show_code_spans_the_stream_type_and_each_method_names_its_request(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths:\n  /threads/{thread_id}/runs:\n    post:\n'
        '      operationId: createRun\n      summary: Create a run\n'
        '      description: "Starts a run of `thread_id`, a *uuid* | not <b>html</b>."\n'
        '      parameters: [{name: thread_id, in: path, required: true, schema: {type: string}}]\n'
        '      responses:\n        "200":\n          description: events\n'
        '          content: {text/event-stream: {schema: {type: string}}}\n')
    assert run_oapigen("generate", str(spec), "--output", str(tmp_path)).returncode == 0
    api_md = (tmp_path / "api" / "API.md").read_text()
    assert "Starts a run of `thread_id`, a \\*uuid\\* \\| not \\<b\\>html\\</b\\>." in api_md
    row = next(line for line in api_md.splitlines() if line.startswith("| POST |"))
    assert row.rstrip().endswith("| `Stream` |"), row
    inspected = json.loads(run_oapigen("inspect", str(spec), "--json").stdout)
    assert inspected[0]["response"] == "Stream"
    client = (tmp_path / "api" / "client.py").read_text()
    assert '"""Create a run\n\n        POST /threads/{thread_id}/runs\n\n        Starts a run' in client


def test_config_idempotency_headers(tmp_path: Path) -> None:
    """A header named in ``idempotency_headers`` is an idempotency key, besides Idempotency-Key."""
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: a\n"
        "      parameters: [{name: X-Request-Key, in: header, schema: {type: string}}]\n"
        "      responses: {'204': {description: ok}}\n"
    )
    table = '[[tool.oapigen.specs]]\nspec = "api.yaml"\noutput = "gen"\n'
    (tmp_path / "pyproject.toml").write_text(table)
    assert run_oapigen("generate", cwd=tmp_path).returncode == 0
    assert "idempotency_header" not in (tmp_path / "gen" / "api" / "_endpoints.py").read_text()
    (tmp_path / "pyproject.toml").write_text(table + 'idempotency_headers = ["x-request-key"]\n')
    result = run_oapigen("generate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'idempotency_header="X-Request-Key"' in (tmp_path / "gen" / "api" / "_endpoints.py").read_text()
    assert 'idempotency_header="X-Request-Key"' in (tmp_path / "gen" / "api" / "server.py").read_text()
    (tmp_path / "pyproject.toml").write_text(table + 'idempotency_headers = "X-Request-Key"\n')
    result = run_oapigen("generate", cwd=tmp_path)
    assert result.returncode == 2 and "idempotency_headers" in result.stderr and "list" in result.stderr

def test_refs_outside_the_spec_folder_need_the_flag_or_the_config_key(tmp_path: Path) -> None:
    """A spec under review in CI is untrusted: its $refs may not read files beside it."""
    (tmp_path / "secret.yaml").write_text("type: object\ndescription: TOPSECRET\nproperties: {a: {type: string}}\n")
    api = tmp_path / "api"
    api.mkdir()
    (api / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: '../secret.yaml'}\n")
    refused = run_oapigen("generate", str(api / "openapi.yaml"), "--output", str(tmp_path / "out"), "--check")
    assert_no_traceback(refused)
    assert refused.returncode == 2
    assert f"{api / 'openapi.yaml'}:12: /paths/~1x/get/responses/200/content/application~1json/schema: " in refused.stderr
    assert "--allow-ref-outside" in refused.stderr and "TOPSECRET" not in refused.stderr
    allowed = run_oapigen("generate", str(api / "openapi.yaml"), "--output", str(tmp_path / "out"),
                          "--allow-ref-outside", str(tmp_path))
    assert allowed.returncode == 0, allowed.stderr
    assert "TOPSECRET" in (tmp_path / "out" / "openapi" / "models.py").read_text()

    table = '[[tool.oapigen.specs]]\nspec = "openapi.yaml"\noutput = "gen"\n'
    (api / "pyproject.toml").write_text(table)
    assert run_oapigen("generate", cwd=api).returncode == 2
    (api / "pyproject.toml").write_text(table + 'allow_ref_outside = ".."\n')
    result = run_oapigen("generate", cwd=api)
    assert result.returncode == 0, result.stderr
    (api / "pyproject.toml").write_text(table + "allow_ref_outside = 3\n")
    bad = run_oapigen("generate", cwd=api)
    assert bad.returncode == 2 and "/tool/oapigen/specs/0/allow_ref_outside: must be a folder" in bad.stderr


def test_trust_manifest_answers_from_the_manifest_and_plain_check_does_not(tmp_path: Path) -> None:
    """``--check`` regenerates and compares (a forged manifest cannot fool it); with
    ``--trust-manifest`` it answers from the manifest when that records no change (fast, and
    fooled by a forged one, as the README says), and still regenerates when an input changed."""
    from oapigen.run import writer

    spec = tmp_path / "pets.yaml"
    shutil.copy(PETSTORE, spec)
    args = ("generate", str(spec), "--output", str(tmp_path / "out"), "--package", "pets")
    assert run_oapigen(*args, "-q").returncode == 0
    package = tmp_path / "out" / "pets"
    client = package / "client.py"
    client.write_text(client.read_text(encoding="utf-8") + "import os  # slipped in\n", encoding="utf-8")
    manifest = json.loads((package / writer.MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["client.py"] = writer.sha256_text(client.read_text(encoding="utf-8"))
    (package / writer.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    trusted = run_oapigen(*args, "--check", "--trust-manifest")
    assert (trusted.returncode, trusted.stdout) == (0, "")
    assert "up to date (nothing changed)" in trusted.stderr
    plain = run_oapigen(*args, "--check")
    assert plain.returncode == 1 and "slipped in" in plain.stdout and "up to date" not in plain.stderr

    spec.write_text(spec.read_text(encoding="utf-8").replace("title: Swagger Petstore", "title: Changed", 1), encoding="utf-8")
    changed = run_oapigen(*args, "--check", "--trust-manifest")
    assert changed.returncode == 1 and "Changed" in changed.stdout


def test_a_package_name_nothing_has_is_not_looked_up_in_every_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No module of that name is importable: no distribution's metadata is read (a cold run's
    fixed cost); an installed one's name still gets its warning."""
    import importlib.metadata

    from oapigen.run.writer import package_name_warnings

    assert not package_name_warnings(tmp_path, "no_module_is_named_like_this")
    monkeypatch.setattr(importlib.metadata, "packages_distributions", lambda: pytest.fail("read every distribution"))
    assert not package_name_warnings(tmp_path, "no_module_is_named_like_this")
    monkeypatch.undo()
    (warning,) = package_name_warnings(tmp_path, "httpx")
    assert "installed distribution httpx" in warning.message
