"""Include / exclude filters: through the CLI, the config and the generated package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from oapigen.cli import main

from .test_evolution import BASE, _write


def _classes(package: Path) -> set[str]:
    text = (package / "models.py").read_text(encoding="utf-8")
    return {line.split("(")[0].removeprefix("class ") for line in text.splitlines() if line.startswith("class ")}


@pytest.fixture()
def spec(tmp_path: Path) -> Path:
    return _write(tmp_path / "pets.json", BASE)


def test_include_tag_keeps_its_operations_and_only_the_models_they_reach(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--output", str(out), "--include-tag", "stores", "-q"]) == 0
    assert _classes(out / "pets") == {"Store", "Address"}  # Address: through Store's $ref; Pet, Unused pruned
    probe = ("import pets.client as c, pets.server as s; "
             "print(sorted(n for n in dir(c.Client) if not n.startswith('_')), sorted(s.OPERATIONS))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=out, capture_output=True, text=True, check=True)
    assert "stores" in result.stdout and "'pets'" not in result.stdout, result.stdout
    assert "list_stores" in result.stdout and "list_pets" not in result.stdout


def test_exclude_path_and_include_operation_combine(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an operation is kept when it matches an include (any kind) and no exclude
    args = ["inspect", str(spec), "--include-operation", "showPet", "--include-path", "/pets", "--exclude-path", "/pets/{petId}",
            "--json"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert [row["operation_id"] for row in json.loads(captured.out)] == ["listPets", "createPet"]
    assert "GET /pets/{petId} (showPet)" in captured.err and "GET /stores (listStores)" in captured.err


def test_inspect_lists_what_was_left_out(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(spec), "--exclude-tag", "stores"]) == 0
    out = capsys.readouterr().out
    table, _, left = out.partition("\n\n")
    assert "listPets" not in left and "/stores" not in table
    assert left.splitlines() == [
        "left out by the filters: 1 operation(s)", "  GET /stores (listStores)",
        "left out (no kept operation uses them): 3 component(s)",
        "  schemas/Address", "  schemas/Store", "  schemas/Unused",
    ]


@pytest.mark.parametrize(("option", "value", "hint"), [
    ("--include-tag", "pet", "did you mean 'pets'"),
    ("--exclude-operation", "listPet", "did you mean 'listPets'"),
    ("--include-path", "/store", "did you mean '/stores'"),
])
def test_a_filter_that_matches_nothing_is_a_located_error(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          option: str, value: str, hint: str) -> None:
    assert main(["generate", str(spec), "--output", str(tmp_path / "out"), option, value]) == 2
    err = capsys.readouterr().err
    assert f"error: {option}: " in err and f"{value!r} matches no" in err and hint in err
    assert not (tmp_path / "out" / "pets").exists()


def test_config_keys_filter_and_a_changed_filter_regenerates(spec: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[[tool.oapigen.specs]]\nspec = "pets.json"\noutput = "out"\nexclude_tags = ["stores"]\n')
    assert main(["generate", "--config", str(config)]) == 0
    package = tmp_path / "out" / "pets"
    assert _classes(package) == {"Pet", "PetStatus"}
    manifest = json.loads((package / ".oapigen-manifest.json").read_text())
    assert manifest["inputs"]["options"]["selection"] == {"exclude_tags": ["stores"]}
    assert main(["generate", "--config", str(config)]) == 0
    assert "up to date (nothing changed)" in capsys.readouterr().err

    config.write_text('[[tool.oapigen.specs]]\nspec = "pets.json"\noutput = "out"\nexclude_operations = ["createPet"]\n')
    assert main(["generate", "--config", str(config)]) == 0
    err = capsys.readouterr().err
    assert "up to date" not in err and "operation removed: `pets.create_pet`" in err and "model added: `Store`" in err
    assert _classes(package) == {"Pet", "PetStatus", "Store", "Address"}

    config.write_text('[[tool.oapigen.specs]]\nspec = "pets.json"\ninclude_operations = ["nope"]\n')
    assert main(["generate", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}: /tool/oapigen/specs/0/include_operations/0: include_operations: 'nope' matches no operation" in err


def test_selection_is_deterministic(spec: Path, tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        assert main(["generate", str(spec), "--output", str(tmp_path / name), "--include-tag", "pets",
                     "--exclude-operation", "createPet", "-q"]) == 0
        outputs.append({p.relative_to(tmp_path / name).as_posix(): p.read_bytes()
                        for p in sorted((tmp_path / name).rglob("*")) if p.is_file() and "__pycache__" not in p.parts})
    assert outputs[0] == outputs[1]


def test_a_swagger2_spec_is_filtered_once_converted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def get(op_id: str, tag: str, ref: str) -> dict[str, object]:
        return {"get": {"operationId": op_id, "tags": [tag], "produces": ["application/json"],
                        "responses": {"200": {"description": "ok", "schema": {"$ref": f"#/definitions/{ref}"}}}}}

    spec = _write(tmp_path / "two.json", {
        "swagger": "2.0", "info": {"title": "Two", "version": "1"},
        "paths": {"/a": get("getA", "a", "A"), "/b": get("getB", "b", "B")},
        "definitions": {"A": {"type": "object", "properties": {"x": {"type": "string"}}},
                        "B": {"type": "object", "properties": {"y": {"type": "string"}}}},
    })
    assert main(["generate", str(spec), "--output", str(tmp_path / "out"), "--exclude-tag", "b", "-q"]) == 0
    assert _classes(tmp_path / "out" / "two") == {"A"}
    assert main(["inspect", str(spec), "--exclude-tag", "b"]) == 0
    assert "  GET /b (getB)\n" in capsys.readouterr().out


def test_filter_options_without_spec_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[[tool.oapigen.specs]]\nspec = "pets.json"\n')
    assert main(["generate", "--config", str(config), "--exclude-tag", "stores"]) == 2
    assert "--exclude-tag need(s) SPEC" in capsys.readouterr().err
