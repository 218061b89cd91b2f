"""The change report (``oapigen diff``, ``generate`` / ``--check`` against the manifest): each
spec edit of the table is reported with its verdict for a client caller and a server implementer."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from oapigen.cli import main

from .conftest import assert_no_traceback, run_oapigen


def _pet_status() -> dict[str, Any]:
    return {"type": "string", "enum": ["available", "pending", "sold"]}


BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0.0"},
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets", "tags": ["pets"],
                "parameters": [
                    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}},
                    {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["a", "b", "c"]}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}},
            },
            "post": {
                "operationId": "createPet", "tags": ["pets"],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
            },
        },
        "/pets/{petId}": {
            "get": {
                "operationId": "showPet", "tags": ["pets"],
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
            },
        },
        "/stores": {
            "get": {
                "operationId": "listStores", "tags": ["stores"],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Store"}}}}},
            },
        },
    },
    "components": {"schemas": {
        "Pet": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "tag": {"type": "string"},
            "status": {"$ref": "#/components/schemas/PetStatus"}}},
        "PetStatus": _pet_status(),
        "Store": {"type": "object", "properties": {"id": {"type": "integer"}, "address": {"$ref": "#/components/schemas/Address"}}},
        "Address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "Unused": {"type": "object", "properties": {"x": {"type": "string"}}},
    }},
}


def _op(d: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    op: dict[str, Any] = d["paths"][path][method]
    return op


def _params(d: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = _op(d, "/pets", "get")["parameters"]
    return params


def _pet(d: dict[str, Any]) -> dict[str, Any]:
    pet: dict[str, Any] = d["components"]["schemas"]["Pet"]
    return pet


def _delete_pet(d: dict[str, Any]) -> None:
    d["paths"]["/pets/{petId}"]["delete"] = {"operationId": "deletePet", "tags": ["pets"], "parameters": [
        {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "gone"}}}


def _pet_from_base(d: dict[str, Any]) -> None:
    pet = _pet(d)
    d["components"]["schemas"]["PetBase"] = {"type": "object", "required": ["id"], "properties": {
        "id": pet["properties"].pop("id")}}
    pet["required"].remove("id")
    d["components"]["schemas"]["Pet"] = {"allOf": [{"$ref": "#/components/schemas/PetBase"}, pet]}


# edit, then the (kind, client verdict, server verdict) of each change expected, then the exit code
EDITS: list[tuple[str, Callable[[dict[str, Any]], object], list[tuple[str, str, str]], int]] = [
    ("description only", lambda d: _op(d, "/pets", "get").update(description="All pets."), [], 0),
    ("operation removed", lambda d: d["paths"]["/pets"].pop("post"),
     [("operation removed", "breaking", "compatible")], 4),
    ("operation added", _delete_pet, [("operation added", "compatible", "compatible")], 1),
    ("operationId renamed, same route", lambda d: _op(d, "/pets", "get").update(operationId="getPets"),
     [("operation renamed", "breaking", "breaking")], 4),
    ("optional parameter added", lambda d: _params(d).append({"name": "q", "in": "query", "schema": {"type": "string"}}),
     [("parameter added", "compatible", "breaking")], 4),
    ("required parameter added",
     lambda d: _params(d).append({"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}),
     [("parameter added", "breaking", "breaking")], 4),
    ("parameter removed", lambda d: _params(d).pop(0), [("parameter removed", "breaking", "breaking")], 4),
    ("parameter made required", lambda d: _params(d)[0].update(required=True),
     [("parameter made required", "breaking", "compatible")], 4),
    ("parameter type widened", lambda d: _params(d)[0].update(schema={"anyOf": [{"type": "integer"}, {"type": "string"}]}),
     [("parameter type widened", "compatible", "breaking")], 4),
    ("parameter enum narrowed", lambda d: _params(d)[1]["schema"].update(enum=["a", "b"]),
     [("parameter type narrowed", "breaking", "compatible")], 4),
    ("return type widened",
     lambda d: _op(d, "/pets/{petId}", "get")["responses"]["200"]["content"]["application/json"].update(
         schema={"anyOf": [{"$ref": "#/components/schemas/Pet"}, {"$ref": "#/components/schemas/Store"}]}),
     [("return type widened", "breaking", "compatible")], 4),
    ("model field removed", lambda d: _pet(d)["properties"].pop("tag"), [("model field removed", "breaking", "breaking")], 4),
    ("model field retyped", lambda d: _pet(d)["properties"].update(name={"type": "integer"}),
     [("model field type changed", "breaking", "breaking")], 4),
    ("optional model field added", lambda d: _pet(d)["properties"].update(age={"type": "integer"}),
     [("model field added", "compatible", "compatible")], 1),
    ("model field made required", lambda d: _pet(d)["required"].append("tag"),
     [("model field made required", "breaking", "breaking")], 4),
    ("enum value removed", lambda d: d["components"]["schemas"]["PetStatus"].update(enum=["available", "sold"]),
     [("enum values removed", "breaking", "breaking")], 4),
    ("fields moved to a base class (allOf)", _pet_from_base, [], 1),  # only `model added: PetBase`
    ("enum value added", lambda d: d["components"]["schemas"]["PetStatus"]["enum"].append("lost"),
     [("enum values added", "compatible", "compatible")], 1),
]


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def _edited(edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    edit(document)
    return document


@pytest.mark.parametrize(("edit", "expected", "code"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_diff_reports_each_edit_with_its_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 edit: Callable[[dict[str, Any]], object],
                                                 expected: list[tuple[str, str, str]], code: int) -> None:
    old = _write(tmp_path / "old.json", BASE)
    new = _write(tmp_path / "new.json", _edited(edit))
    report = tmp_path / "report.md"
    assert main(["diff", str(old), str(new), "--package", "pets", "--report", str(report), "-q"]) == code
    out = capsys.readouterr().out
    markdown = report.read_text(encoding="utf-8")
    # the Markdown table: | kind | what | detail | client | server |
    rows = [[cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip("|"))] for line in markdown.splitlines()
            if line.startswith("| ") and not line.startswith("| change") and "---" not in line]
    found = [(r[0], r[3].strip("*"), r[4].strip("*")) for r in rows if not r[0].startswith("model added")]
    assert found == expected, out
    if code == 0:
        assert "API unchanged" in out and "No change" in markdown


def test_generate_check_exits_4_on_breaking_1_on_compatible_and_generate_reports(tmp_path: Path) -> None:
    spec = _write(tmp_path / "pets.json", BASE)
    out = tmp_path / "out"
    first = run_oapigen("generate", str(spec), "--output", str(out))
    assert first.returncode == 0, first.stderr
    assert "change report" not in first.stderr  # nothing to compare with on the first run
    manifest = json.loads((out / "pets" / ".oapigen-manifest.json").read_text())
    assert manifest["api"]["operations"]["listPets"]["params"]["limit"] == "int = ..."
    assert manifest["api"]["models"]["PetStatus"]["enum"] == ["'available'", "'pending'", "'sold'"]

    _write(spec, _edited(lambda d: _pet(d)["properties"].update(age={"type": "integer"})))
    compatible = run_oapigen("generate", str(spec), "--output", str(out), "--check")
    assert_no_traceback(compatible)
    assert compatible.returncode == 1, compatible.stderr
    assert "API compatible: 1 change(s), 0 breaking" in compatible.stderr

    _write(spec, _edited(lambda d: d["paths"]["/pets"].pop("post")))
    report = tmp_path / "pr.md"
    breaking = run_oapigen("generate", str(spec), "--output", str(out), "--check", "--report", str(report))
    assert breaking.returncode == 4, breaking.stderr
    assert "BREAKING operation removed: `pets.create_pet` POST /pets (createPet)" in breaking.stderr
    assert "| operation removed | `pets.create_pet` | POST /pets (createPet) | **breaking** | compatible |" in report.read_text()

    written = run_oapigen("generate", str(spec), "--output", str(out))
    assert written.returncode == 0 and "API breaking: 1 change(s), 1 breaking" in written.stderr
    again = run_oapigen("generate", str(spec), "--output", str(out), "--check")
    assert again.returncode == 0 and "API" not in again.stderr  # the manifest now holds the new API


@pytest.mark.parametrize("api", [None, [], {"operations": [], "models": {}},
                                 {"operations": {"x": {"call": 1}}, "models": {}},
                                 {"operations": {}, "models": {"Pet": {"fields": {"id": ["int", True]}}}}])
def test_an_unreadable_recorded_api_gives_no_report_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  api: object) -> None:
    spec = _write(tmp_path / "pets.json", BASE)
    out = tmp_path / "out"
    assert main(["generate", str(spec), "--output", str(out), "-q"]) == 0
    manifest_path = out / "pets" / ".oapigen-manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["api"] = api
    manifest_path.write_text(json.dumps(manifest))
    _write(spec, _edited(lambda d: d["paths"]["/pets"].pop("post")))
    assert main(["generate", str(spec), "--output", str(out), "--check"]) == 1
    assert "no readable API in the manifest" in capsys.readouterr().err
