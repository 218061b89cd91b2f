"""The real-world corpus in ../shared/specs: every spec either generates importable models, or
is refused with exit 2 and located messages; never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from oapigen.cli import main

from .conftest import SHARED_SPECS

pytestmark = pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason="../shared/specs is absent (corpus tests need it)")

# Too big to generate in every test run (see bench/ for it); validated only.
VALIDATE_ONLY = {"openai.yaml"}
# Valid documents oapigen refuses on purpose, with the reason it must give.
REFUSED = {
    "fastapi-codegen-tests/remote_ref/body_and_parameters.yaml": "remote",
    # openapi-spec-validator's blind spots (SOURCES.md, Notes): oapigen must catch them itself
    "opc-e2e-extras/documents_with_errors/missing-body-ref.yaml": "dangling $ref",
    "opc-e2e-extras/documents_with_errors/circular-body-ref.yaml": "$ref loop",
}


# The repro specs (repros/README.md) are generated with --lenient, as their README says: each,
# even the invalid ones, must then generate.
LENIENT_DIR = "repros/"


def corpus() -> list[tuple[str, bool]]:
    """(path relative to shared/specs, valid per SOURCES.md or repros/README.md) for every root
    document."""
    if not SHARED_SPECS.is_dir():
        return []
    sources = (SHARED_SPECS / "SOURCES.md").read_text(encoding="utf-8")
    verdicts: dict[str, bool] = {}
    for line in sources.splitlines():
        m = re.match(r"\|\s*(?:\d+\s*\|\s*)?`([^`]+)`", line)
        if m:
            verdicts[m[1].split(" ")[0]] = "**invalid**" not in line
    repros = SHARED_SPECS / LENIENT_DIR / "README.md"
    for line in repros.read_text(encoding="utf-8").splitlines() if repros.is_file() else ():
        m = re.match(r"\|\s*([\w.-]+\.ya?ml)\b", line)
        if m:
            verdicts[LENIENT_DIR + m[1]] = "invalid spec" not in line
    out = []
    for path in sorted(SHARED_SPECS.rglob("*")):
        rel = path.relative_to(SHARED_SPECS).as_posix()
        if path.suffix not in (".yaml", ".yml", ".json") or (rel.startswith("oai-petstore-separate/") and rel != "oai-petstore-separate/spec/swagger.yaml"):
            continue
        key = rel if rel in verdicts else rel.split("/", 1)[-1] if rel.split("/", 1)[-1] in verdicts else path.name
        out.append((rel, verdicts.get(key, verdicts.get(rel, True))))
    return out


CORPUS = corpus()
LOCATED = re.compile(r"^(warning: )?\S.*?(:\d+)?: /.*: .+", re.MULTILINE)


def test_corpus_is_found() -> None:
    assert len(CORPUS) >= 40


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, str]]]:
    out = tmp_path_factory.mktemp("corpus")
    results: dict[str, tuple[int, str]] = {}
    for rel, _ in CORPUS:
        if Path(rel).name in VALIDATE_ONLY:
            continue
        package = "c_" + re.sub(r"\W", "_", rel.rsplit(".", 1)[0]).lower()
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            lenient = ["--lenient"] if rel.startswith(LENIENT_DIR) else []
            code = main(["generate", str(SHARED_SPECS / rel), "--output", str(out), "--package", package, "-q", *lenient,
                         "--allow-ref-outside", str(SHARED_SPECS)])  # the split petstore reaches ../common
        results[rel] = (code, err.getvalue())
    return out, results


@pytest.mark.parametrize(("rel", "valid"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_spec(generated: tuple[Path, dict[str, tuple[int, str]]], rel: str, valid: bool) -> None:
    if Path(rel).name in VALIDATE_ONLY:
        pytest.skip("validated in test_big_spec_validates_with_located_errors")
    _, results = generated
    code, stderr = results[rel]
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    if rel in REFUSED:
        assert code == 2 and REFUSED[rel] in stderr, stderr
    elif valid or rel.startswith(LENIENT_DIR):
        assert code == 0, stderr
    else:
        assert code in (0, 2), stderr
        if code == 2:
            assert LOCATED.search(stderr), stderr


def test_generated_corpus_packages_import(generated: tuple[Path, dict[str, tuple[int, str]]]) -> None:
    out, results = generated
    packages = sorted(p.name for p in out.iterdir() if (p / "__init__.py").is_file())
    assert len(packages) >= sum(1 for code, _ in results.values() if code == 0)
    script = f"import importlib\nfor name in {packages!r}:\n    importlib.import_module(name + '.models')\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=out, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def test_big_spec_validates_with_located_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--verbose", str(SHARED_SPECS / "openai.yaml")])
    err = capsys.readouterr().err
    # the validator's findings only: warnings, judged as generate judges them (exit 0)
    assert code == 0 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("warning: ") and LOCATED.match(line) for line in lines), err[:2000]
    # The validator's result on the biggest spec, through the CLI (loading and validating it
    # takes seconds: once per run, here): 25 findings, 3 pairs about one value, each with its
    # line, all in the schemas.
    assert len(lines) == 22, err[:2000]
    assert all(re.match(r"warning: \S+openai\.yaml:\d+(:\d+)?: /components/schemas/", line) for line in lines), err[:2000]
