"""The models stage's part cache (oapigen.models.parts): after an edit, datamodel-code-generator
runs on the parts of the schema graph the edit changes only, and the package is byte-identical
to one generated without any cache."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from oapigen.models import parts
from oapigen.models import stage as models_stage
from oapigen.run.config import Job
from oapigen.run.pipeline import generate


def _op(op_id: str, tag: str, schema: str) -> dict[str, Any]:
    return {
        "operationId": op_id,
        "tags": [tag],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}},
    }


# Three parts: "pets" (Pet, its inline Kind class, the discriminated union Animal, Toy0-3), "stores"
# (Store, Shelf0-3, and a component named PetKind: the name the library gives Pet's inline ``kind`` class,
# so the names collide across parts) and the shared Address both reach (cross-part references).
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Parts", "version": "1"},
    "paths": {
        "/pets": {"get": _op("getPet", "pets", "Pet"), "post": _op("feed", "pets", "Animal")},
        "/stores": {"get": _op("getStore", "stores", "Store")},
    },
    "components": {
        "schemas": {
            "Address": {"type": "object", "properties": {"street": {"type": "string"}}, "required": ["street"]},
            "Animal": {
                "oneOf": [{"$ref": "#/components/schemas/Pet"}, {"$ref": "#/components/schemas/Wild"}],
                "discriminator": {"propertyName": "type"},
            },
            "Pet": {
                "type": "object",
                "description": "A pet.",
                "properties": {
                    "type": {"type": "string", "enum": ["pet"]},
                    "home": {"$ref": "#/components/schemas/Address"},
                    "kind": {"type": "object", "properties": {"legs": {"type": "integer"}}},
                    "toys": {"type": "array", "items": {"anyOf": [{"$ref": f"#/components/schemas/Toy{i}"} for i in range(4)]}},
                },
                "required": ["type"],
            },
            "PetKind": {"type": "object", "properties": {"label": {"type": "string"}}},
            "Store": {
                "type": "object",
                "properties": {"address": {"$ref": "#/components/schemas/Address"}, "sells": {"$ref": "#/components/schemas/PetKind"},
                               **{f"shelf{i}": {"$ref": f"#/components/schemas/Shelf{i}"} for i in range(4)}},
            },
            "Wild": {"type": "object", "properties": {"type": {"type": "string", "enum": ["wild"]}}, "required": ["type"]},
            # more schemas in each part: a part re-runs when it is less than 60 % of the schemas
            **{f"Toy{i}": {"type": "object", "properties": {f"toy{i}": {"type": "string"}}} for i in range(4)},
            **{f"Shelf{i}": {"type": "object", "properties": {f"shelf{i}": {"type": "integer"}}} for i in range(4)},
        }
    },
}


def _edited(spec: dict[str, Any], schema: str, description: str) -> dict[str, Any]:
    edited = copy.deepcopy(spec)
    edited["components"]["schemas"][schema]["description"] = description
    return edited


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[set[str]]:
    """The schemas each datamodel-code-generator run holds (in this process: OAPIGEN_DEBUG)."""
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OAPIGEN_DEBUG", "1")
    held: list[set[str]] = []
    library = models_stage._run_datamodel_codegen

    def recording(doc_json: str, **kwargs: Any) -> Any:
        held.append(set(json.loads(doc_json)["components"]["schemas"]))
        return library(doc_json, **kwargs)

    monkeypatch.setattr(models_stage, "_run_datamodel_codegen", recording)
    return held


def _files(tmp_path: Path, spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch, *, cache: bool = True) -> dict[str, str]:
    path = tmp_path / "parts.yaml"
    path.write_text(yaml.safe_dump(spec))
    with monkeypatch.context() as m:
        if not cache:
            m.setenv("OAPIGEN_CACHE_DIR", "off")
        return generate(Job(spec=path, output=tmp_path / "out", package="parts_pkg")).files


def test_an_edit_reruns_its_part_only_and_matches_an_uncached_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: list[set[str]]
) -> None:
    _files(tmp_path, SPEC, monkeypatch)
    assert len(runs) == 1 and {"Pet", "Store", "PetKind"} <= runs[0]  # cold: one run of everything
    runs.clear()
    edited = _edited(SPEC, "Pet", "A pet, edited.")
    warm = _files(tmp_path, edited, monkeypatch)
    # the pets part ran again, with what it refers to and the union naming it; stores came from the cache
    assert runs == [{"Address", "Animal", "Pet", "Wild", "Toy0", "Toy1", "Toy2", "Toy3"}]
    assert warm == _files(tmp_path, edited, monkeypatch, cache=False)
    models = warm["models.py"]
    assert "A pet, edited." in models
    # the names the one run gives: Pet's inline class first, then the component PetKind numbered
    assert "kind: PetKind | None" in models and "sells: PetKind1 | None" in models


def test_a_name_collision_across_parts_falls_back_to_the_whole_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: list[set[str]]
) -> None:
    _files(tmp_path, SPEC, monkeypatch)
    runs.clear()
    edited = _edited(SPEC, "Store", "A store, edited.")
    warm = _files(tmp_path, edited, monkeypatch)
    # alone, the stores part names the component PetKind "PetKind", as the pets part's inline
    # class is named: the merge refuses, and the whole document runs
    assert runs[0] == {"Address", "PetKind", "Store", "Shelf0", "Shelf1", "Shelf2", "Shelf3"}
    assert runs[-1] == set(SPEC["components"]["schemas"])
    assert warm == _files(tmp_path, edited, monkeypatch, cache=False)
    assert "sells: PetKind1 | None" in warm["models.py"]


def test_a_part_is_run_again_when_a_schema_it_refers_to_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: list[set[str]]
) -> None:
    _files(tmp_path, SPEC, monkeypatch)
    runs.clear()
    edited = _edited(SPEC, "Address", "Where it is.")  # shared: both parts refer to it
    warm = _files(tmp_path, edited, monkeypatch)
    assert {"Pet", "Store"} <= set().union(*runs)  # neither part's cached classes were used
    assert warm == _files(tmp_path, edited, monkeypatch, cache=False)


def test_a_part_key_covers_its_run_and_nothing_else() -> None:
    def keys(spec: dict[str, Any]) -> dict[str, str]:
        doc, _ = models_stage.models_document(copy.deepcopy(spec), "parts.yaml")
        owner, runs, found = parts.plan(doc, spec["paths"], "base")
        assert owner["Pet"] == "g:pets" and owner["Store"] == "g:stores" and owner["Address"] == "~shared"
        assert "Address" in runs["g:pets"] and "Store" not in runs["g:pets"]
        return found

    before = keys(SPEC)
    assert keys(_edited(SPEC, "Address", "x")).items() & before.items() == set()  # every part refers to it
    after = keys(_edited(SPEC, "Wild", "x"))  # only pets (Animal's variant) refers to Wild
    assert after["g:pets"] != before["g:pets"] and after["g:stores"] == before["g:stores"]


def test_a_name_freed_in_one_part_renumbers_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: list[set[str]]
) -> None:
    _files(tmp_path, SPEC, monkeypatch)
    runs.clear()
    edited = copy.deepcopy(SPEC)
    del edited["components"]["schemas"]["Pet"]["properties"]["kind"]  # frees the name PetKind
    warm = _files(tmp_path, edited, monkeypatch)
    # the cached stores part has PetKind1, numbered after a class that is gone: it runs again
    assert runs[-1] == set(SPEC["components"]["schemas"])
    assert warm == _files(tmp_path, edited, monkeypatch, cache=False)
    assert "sells: PetKind | None" in warm["models.py"]
