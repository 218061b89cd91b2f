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
    keys = {"operation_id", "method", "path", "python", "handler", "request", "response"}
    assert table and all(set(row) == keys for row in table)
    create = next(r for r in table if r["operation_id"] == "create_run_threads__thread_id__runs_post")
    assert create["python"] == "thread_runs.create_run" and create["handler"] == "create_run"
    assert create["method"] == "POST" and create["path"] == "/threads/{thread_id}/runs"
    assert create["request"] == "RunCreateStateful" and create["response"] == "Run"
    search = next(r for r in table if r["operation_id"] == "search_assistants_assistants_search_post")
    assert search["python"] == "assistants.search_assistants"
    handlers = [r["handler"] for r in table]
    assert len(handlers) == len(set(handlers)) == 57


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


def test_trust_manifest_answers_from_the_manifest_and_plain_check_does_not(tmp_path: Path) -> None:
    """``--check`` regenerates and compares (a forged manifest cannot fool it); with
    ``--trust-manifest`` it answers from the manifest when that records no change (fast, and
    fooled by a forged one, as the README says), and still regenerates when an input changed."""
    from generator import writer

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
