"""oapigen in the user's build: several specs in one project, the pre-commit hook, template
overrides, progress and messages, the documented CLI. Through the CLI (subprocesses) or the
public API."""

from __future__ import annotations

import argparse
import io
import os
import pty
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from oapigen.cli import _parser
from oapigen.core.diagnostics import Diagnostic, Severity
from oapigen.run.progress import Stages, grouped_warnings, message_kind

from .conftest import ROOT, assert_no_traceback, run_oapigen

PETSTORE = ROOT / "specs" / "petstore.yaml"
SWAGGER2 = ROOT / "tests" / "data" / "swagger2" / "features.yaml"

# A project that vendors two APIs (one of them Swagger 2.0), as the README's worked example.
PROJECT = """\
[[tool.oapigen.specs]]
spec = "vendor/petstore.yaml"
output = "src/clients"
package = "pets"
rename = { listPets = "pets.list" }

[[tool.oapigen.specs]]
spec = "vendor/features.yaml"
output = "src/clients"
package = "inventory"
"""


def make_project(root: Path) -> Path:
    (root / "vendor").mkdir(parents=True)
    shutil.copy(PETSTORE, root / "vendor" / "petstore.yaml")
    shutil.copy(SWAGGER2, root / "vendor" / "features.yaml")
    (root / "pyproject.toml").write_text(PROJECT)
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with two specs, generated in parallel (kept fresh: tests copy it to change it)."""
    root = make_project(tmp_path_factory.mktemp("project"))
    result = run_oapigen("generate", "--jobs", "2", cwd=root)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return root


def copy_of(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(project, target)
    return target


# --- several specs in one project ----------------------------------------------------------------


def test_parallel_generation_is_ordered_and_the_same_as_sequential(project: Path, tmp_path: Path) -> None:
    sequential = make_project(tmp_path / "sequential")
    result = run_oapigen("generate", "--jobs", "1", cwd=sequential)
    assert result.returncode == 0, result.stderr
    assert tree(sequential / "src") == tree(project / "src")
    assert (project / "src" / "clients" / "pets" / "models.py").is_file()
    assert "pets.list" in (project / "src" / "clients" / "inventory" / ".." / "pets" / "API.md").read_text()
    again = run_oapigen("generate", cwd=project)  # nothing changed: the manifest answers, in table order
    lines = again.stderr.splitlines()
    assert lines[0].startswith("src/clients/pets: up to date") and lines[1].startswith("src/clients/inventory: up to date")


def test_parallel_messages_come_in_table_order(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    result = run_oapigen("generate", "--jobs", "2", cwd=root)
    assert result.returncode == 0, result.stderr
    summaries = [line for line in result.stderr.splitlines() if " operations, " in line]
    assert [s.split(":")[0] for s in summaries] == ["src/clients/pets", "src/clients/inventory"]
    assert result.stderr.rstrip().endswith("oapigen: 2 package(s) done")


def test_check_lists_every_stale_package(project: Path, tmp_path: Path) -> None:
    root = copy_of(project, tmp_path)
    for name in ("pets", "inventory"):
        models = root / "src" / "clients" / name / "models.py"
        models.write_text(models.read_text() + "# edited\n")
    result = run_oapigen("generate", "--check", cwd=root)
    assert result.returncode == 1
    assert result.stdout.count("# edited") == 2  # both diffs
    assert result.stderr.splitlines()[-1] == (
        "oapigen: 2 of 2 package(s) stale: src/clients/pets, src/clients/inventory; run oapigen generate")


def test_a_broken_spec_fails_its_package_only(project: Path, tmp_path: Path) -> None:
    root = copy_of(project, tmp_path)
    (root / "vendor" / "petstore.yaml").write_text("openapi: 3.0.0\ninfo: [\n")
    (root / "vendor" / "features.yaml").write_text(SWAGGER2.read_text().replace("title: Swagger 2 features", "title: Renamed"))
    result = run_oapigen("generate", cwd=root)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "petstore.yaml:3" in result.stderr and "src/clients/inventory: " in result.stderr
    assert "Renamed" in (root / "src" / "clients" / "inventory" / "API.md").read_text()
    assert result.stderr.splitlines()[-1] == "oapigen: 1 of 2 package(s) failed: src/clients/pets"


def test_two_tables_writing_one_package_are_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "pyproject.toml").write_text(PROJECT.replace('package = "inventory"', 'package = "pets"'))
    result = run_oapigen("generate", cwd=root)
    assert result.returncode == 2 and "/tool/oapigen/specs/1/package" in result.stderr


def test_spec_options_without_spec_are_refused(tmp_path: Path) -> None:
    result = run_oapigen("generate", "--package", "x", cwd=make_project(tmp_path))
    assert result.returncode == 2 and "--package need(s) SPEC" in result.stderr


# --- the pre-commit hook ---------------------------------------------------------------------------


def hook() -> dict[str, object]:
    (entry,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(entry, dict)
    return entry


def test_pre_commit_hook_definition() -> None:
    h = hook()
    assert h["id"] == "oapigen-check" and h["language"] == "python" and h["pass_filenames"] is False
    assert h["entry"] == "oapigen generate --check --trust-manifest"  # fast: the manifest answers


def run_hook(root: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry, as pre-commit runs it (the installed ``oapigen`` script)."""
    command = shlex.split(str(hook()["entry"]))
    assert command[0] == "oapigen"
    script = Path(sys.executable).with_name("oapigen")
    return subprocess.run([str(script), *command[1:]], cwd=root, capture_output=True, text=True, check=False,
                          timeout=300)


def test_pre_commit_hook_passes_on_a_fresh_tree_and_fails_on_a_stale_one(project: Path, tmp_path: Path) -> None:
    fresh = run_hook(project)
    assert fresh.returncode == 0, fresh.stderr
    root = copy_of(project, tmp_path)
    (root / "vendor" / "petstore.yaml").write_text(PETSTORE.read_text().replace("List all pets", "List the pets"))
    stale = run_hook(root)
    assert stale.returncode == 1
    assert "List the pets" in stale.stdout and "src/clients/pets: stale" in stale.stderr


# --- template overrides -----------------------------------------------------------------------------


def test_a_template_is_replaced_through_the_cli_and_its_edits_regenerate(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "API.md.jinja").write_text("# {{ api.title | md }}\n{% for r in rows %}\n- {{ r.python }}\n{% endfor %}\n")
    args = ("generate", str(PETSTORE), "--output", str(tmp_path / "out"), "--package", "pets", "--templates", str(templates))
    assert run_oapigen(*args).returncode == 0
    api_md = tmp_path / "out" / "pets" / "API.md"
    assert api_md.read_text() == "# Swagger Petstore\n- pets.list_pets\n- pets.create_pets\n- pets.show_pet_by_id\n"
    assert (tmp_path / "out" / "pets" / "client.py").is_file()  # the other templates are the built-in ones
    assert "up to date (nothing changed)" in run_oapigen(*args).stderr
    (templates / "API.md.jinja").write_text("# {{ api.title | md }} (ours)\n")
    assert run_oapigen(*args, "--check").returncode == 1  # an edited override makes the package stale
    assert run_oapigen(*args).returncode == 0 and api_md.read_text() == "# Swagger Petstore (ours)\n"
    (templates / "README.md.jinja").write_text("read me\n")  # a new override is an input too
    assert run_oapigen(*args, "--check").returncode == 1
    missing = run_oapigen(*args[:-1], str(tmp_path / "nope"))
    assert missing.returncode == 2 and "templates folder not found" in missing.stderr
    (templates / "API.md.jinja").write_text("# {{ api.nope }}\n")  # a broken override is bad input
    broken = run_oapigen(*args)
    assert broken.returncode == 2 and f"error: {templates / 'API.md.jinja'}: template error: " in broken.stderr


def test_templates_compiled_ahead_still_report_errors_where_used(tmp_path: Path) -> None:
    """The templates are compiled while the models stage runs (oapigen.render.jinja.compile_templates):
    a file of the override folder that no output uses is no error, and a broken one that is
    used is reported by the render, located at its line."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "unused.jinja").write_text("{% endfor %}\n")
    args = ("generate", str(PETSTORE), "--output", str(tmp_path / "out"), "--package", "pets", "--templates", str(templates))
    assert run_oapigen(*args).returncode == 0
    (templates / "README.md.jinja").write_text("# {{ api.package }}\n{% if %}\n")
    broken = run_oapigen(*args)
    assert broken.returncode == 2, broken.stderr
    assert f"error: {templates / 'README.md.jinja'}:2: template error: " in broken.stderr
    assert_no_traceback(broken)


def test_the_config_key_templates(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "my-templates").mkdir()
    (root / "my-templates" / "README.md.jinja").write_text("{{ api.package }} by us\n")
    (root / "pyproject.toml").write_text(PROJECT.replace('package = "pets"\n', 'package = "pets"\ntemplates = "my-templates"\n'))
    result = run_oapigen("generate", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "src" / "clients" / "pets" / "README.md").read_text() == "pets by us\n"
    assert "Python client and server" in (root / "src" / "clients" / "inventory" / "README.md").read_text()


# --- progress and messages --------------------------------------------------------------------------


def test_stages_draw_only_on_a_terminal_for_big_specs() -> None:
    ticks = iter(range(100))
    shown = io.StringIO()
    big = Stages(label="big", display=shown, clock=lambda: float(next(ticks)))
    big.stage("load")
    big.size(51)
    for name in ("validate", "models", "render", "format", "write"):
        big.stage(name)
    big.done()
    assert "\rbig: [##....] validate (51 operations)" in shown.getvalue()
    assert "write" in shown.getvalue() and shown.getvalue().endswith("\r")
    assert big.timings_line() == "load 1.00s, validate 1.00s, models 1.00s, render 1.00s, format 1.00s, write 1.00s"
    small = io.StringIO()
    stages = Stages(display=small)
    stages.stage("load")
    stages.size(50)
    stages.stage("validate")
    stages.done()
    assert small.getvalue() == ""


def many_operations(tmp_path: Path, count: int) -> Path:
    paths = "".join(f"  /things/{i}:\n    get:\n      operationId: thing{i}\n      responses:\n"
                    f"        '200': {{description: ok, content: {{application/json: {{schema: {{type: integer}}}}}}}}\n"
                    for i in range(count))
    spec = tmp_path / "many.yaml"
    spec.write_text(f"openapi: 3.0.3\ninfo: {{title: many, version: '1'}}\npaths:\n{paths}")
    return spec


def test_progress_on_a_terminal_and_none_on_a_pipe(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "oapigen", "generate", str(many_operations(tmp_path, 51)), "--output", str(tmp_path)]
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=terminal, check=False, timeout=300)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    text = shown.decode()
    for stage in ("validate", "models", "render", "format", "write"):  # the size is known once loaded
        assert f"] {stage} (51 operations)" in text, text
    assert "51 operations, 0 models" in text
    (tmp_path / "many" / "API.md").unlink()
    piped = run_oapigen(*args[3:], "--check")  # the same stages, on a pipe
    assert piped.returncode == 1
    assert "\r" not in piped.stderr and "operations)" not in piped.stderr


def test_quiet_and_verbose(tmp_path: Path) -> None:
    args = ("generate", str(PETSTORE), "--output", str(tmp_path), "--package", "pets")
    quiet = run_oapigen(*args, "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""
    (tmp_path / "pets" / "API.md").unlink()
    verbose = run_oapigen(*args, "--verbose")
    assert verbose.returncode == 0
    timings, summary = verbose.stderr.splitlines()[-2:]
    assert re.fullmatch(r"\S+/pets: load \S+s, validate \S+s, models \S+s, render \S+s, format \S+s, write \S+s", timings)
    assert re.fullmatch(r"\S+/pets: 3 operations, 3 models; 1 file\(s\) written, \d+ unchanged, 0 removed; 0 warning\(s\); \S+s",
                        summary)


def test_warnings_are_grouped_by_kind(tmp_path: Path) -> None:
    paths = "".join(f"  /p{i}:\n    get:\n      responses:\n        '200': {{description: ok}}\n      summry: typo{i}\n"
                    for i in range(5))
    spec = tmp_path / "typos.yaml"
    spec.write_text(f"openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}")
    normal = run_oapigen("generate", str(spec), "--output", str(tmp_path / "a"))
    assert normal.returncode == 0, normal.stderr
    warnings = [line for line in normal.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3 and "summry" in warnings[0]
    assert "  ... and 2 more like this (--verbose shows them all)" in normal.stderr
    assert "5 warning(s)" in normal.stderr
    verbose = run_oapigen("validate", str(spec), "--lenient", "--verbose")
    assert len([line for line in verbose.stderr.splitlines() if line.startswith("warning:")]) == 5


def test_grouping_keeps_errors_and_order() -> None:
    def w(message: str) -> Diagnostic:
        return Diagnostic("f", "/x", message, Severity.WARNING)

    diagnostics = [w("'a' is bad"), Diagnostic("f", "/e", "broken"), w("'b' is bad"), w("other 1"), w("'c' is bad"),
                   w("'d' is bad")]
    assert message_kind("'a' is not of type \"string\" at 12") == "'...' is not of type '...' at N"
    lines = grouped_warnings(diagnostics, verbose=False, per_kind=2)
    assert lines == ["error: f: /e: broken", "warning: f: /x: 'a' is bad", "warning: f: /x: 'b' is bad",
                     "  ... and 2 more like this (--verbose shows them all)", "warning: f: /x: other 1"]
    assert len(grouped_warnings(diagnostics, verbose=True, per_kind=2)) == 6


# --- the command, documented ------------------------------------------------------------------------


def test_python_m_generator_is_oapigen() -> None:
    script = Path(sys.executable).with_name("oapigen")
    via_script = subprocess.run([str(script), "generate", "--help"], capture_output=True, text=True, check=False)
    via_module = run_oapigen("generate", "--help")
    assert via_script.returncode == via_module.returncode == 0
    assert via_script.stdout == via_module.stdout


def test_readme_opens_with_the_two_commands_and_documents_every_option() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith("# oapigen\n\n```sh\nmake generate   # ") and "\nmake test       # " in readme.split("```")[1]
    parser = _parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        assert f"`oapigen {name}" in readme, name
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}" in readme, (name, flag)
    for code in ("`0`", "`1`", "`2`", "`3`"):
        assert code in readme.split("## Exit codes", 1)[1].split("##", 1)[0]
    assert "oapigen-check" in readme and "templates =" in readme


def test_generated_docs_show_every_call_and_a_real_quick_start(project: Path) -> None:
    package = project / "src" / "clients" / "pets"
    api_md = (package / "API.md").read_text()
    for call, signature in [("pets.list", "client.pets.list(*, limit: int | NotGiven = NOT_GIVEN) -> list[models.Pet]"),
                            ("pets.create_pets", "client.pets.create_pets(*, body: models.Pet | dict[str, Any]) -> None"),
                            ("pets.show_pet_by_id", "client.pets.show_pet_by_id(pet_id: str) -> models.Pet")]:
        assert f"### `client.{call}`" in api_md and f"```python\n{signature}\n```" in api_md
    assert "| `pet_id` | path `petId` | `str` | yes | The id of the pet to retrieve |" in api_md
    readme = (package / "README.md").read_text()
    assert "with Client(base_url=\"http://petstore.swagger.io/v1\") as client:" in readme
    assert "result = client.pets.list()" in readme and "except ApiError as exc:" in readme
    assert "uvicorn pets.server:app" in readme and "async def list(self, *, limit: int | None)" in readme


def test_make_says_what_each_step_does_before_it_runs(tmp_path: Path) -> None:
    """`make generate` on a fresh clone runs quiet pip for a long time: a line before each step."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # A make of its own, not a sub-make of `make test` (which would print "Entering directory").
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    dry = subprocess.run(["make", "--no-print-directory", "-n", "-B", "generate", f"VENV={tmp_path / 'venv'}"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    commands = [i for i, line in enumerate(lines) if not line.startswith(("echo ", "touch "))]
    for i in commands:  # every step is announced by the line before it
        assert lines[i - 1].startswith('echo "make: '), (lines[i], lines[i - 1])


def test_the_readme_pre_commit_snippet_names_the_hook_and_no_tag_that_does_not_exist() -> None:
    import tomllib

    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("`.pre-commit-config.yaml`:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    (repo,) = yaml.safe_load(snippet)["repos"]
    assert repo["hooks"] == [{"id": hook()["id"]}]
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert str(repo["rev"]) not in (version, f"v{version}")  # oapigen's repository has no tags yet
