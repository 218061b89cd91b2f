"""generator.overlay: OpenAPI Overlay 1.0 actions, warnings and located errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import Severity, SpecError
from generator.loader import load_spec
from generator.overlay import apply_overlay, apply_overlay_with_warnings
from generator.validate import validate_spec

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "specs" / "agent-server.json"
SEED_OVERLAY = ROOT / "specs" / "agent-server.overlay.yaml"

DOC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "tags": [{"name": "a"}],
    "paths": {
        "/pets": {"get": {"tags": ["a"], "responses": {"200": {"description": "ok"}}, "x-drop": 1},
                  "post": {"tags": ["b"], "responses": {"201": {"description": "made"}}}},
    },
    "components": {"schemas": {"Pet": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}},
}


def overlay_file(tmp_path: Path, actions: Any, *, name: str = "o.yaml", **extra: Any) -> Path:
    data = {"overlay": "1.0.0", "info": {"title": "test", "version": "1"}, "actions": actions, **extra}
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1) if name.endswith(".json") else yaml.safe_dump(data, sort_keys=False))
    return path


def test_the_seed_overlay_fixes_the_seed() -> None:
    spec = load_spec(SEED)
    before = copy.deepcopy(spec.document)
    document, warnings = apply_overlay_with_warnings(spec.document, SEED_OVERLAY)
    assert warnings == []
    assert validate_spec(spec, document) == []
    assert spec.document == before  # the input is not touched
    assert document["components"]["schemas"]["Interrupt"]["required"] == ["value"]
    assert "Interrupt" not in document["components"]["responses"]
    assert "/mcp/" not in document["paths"]  # the real server only redirects it to /mcp
    media = document["paths"]["/mcp"]["post"]["requestBody"]["content"]["application/json"]
    assert "description" not in media and "example" in media
    assert document["paths"]["/mcp"]["delete"]["responses"]["404"]["description"]


def test_the_seed_overlay_documents_itself() -> None:
    text = SEED_OVERLAY.read_text(encoding="utf-8")
    assert text.startswith("#") and "Interrupt" in text.split("overlay:")[0]
    data = yaml.safe_load(text)
    assert data["overlay"].startswith("1.0.") and data["info"]["title"]
    assert all(action.get("description") for action in data["actions"])


def test_update_merges_objects_and_appends_to_arrays(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [
        {"target": "$.components.schemas.Pet", "update": {
            "required": ["name"], "properties": {"name": {"type": "string"}, "id": {"format": "int64"}}}},
        {"target": "$.tags", "update": {"name": "b"}},
        {"target": "$.tags", "update": [{"name": "c"}, {"name": "d"}]},
        {"target": "$.info.title", "update": "renamed"},
        {"target": "$.paths.*.*", "update": {"x-seen": True}},
    ])
    document = apply_overlay(DOC, path)
    pet = document["components"]["schemas"]["Pet"]
    assert pet["required"] == ["id", "name"]
    assert pet["properties"] == {"id": {"type": "integer", "format": "int64"}, "name": {"type": "string"}}
    assert [t["name"] for t in document["tags"]] == ["a", "b", "c", "d"]
    assert document["info"]["title"] == "renamed"
    assert all(op["x-seen"] for op in document["paths"]["/pets"].values())
    assert DOC["tags"] == [{"name": "a"}] and "name" not in DOC["components"]["schemas"]["Pet"]["properties"]


def test_remove_drops_keys_and_list_items(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [
        {"target": "$.paths['/pets'].get['x-drop']", "remove": True},
        {"target": "$.paths['/pets'].post", "remove": True},
        {"target": "$.tags[?(@.name != 'z')]", "remove": True},
    ])
    document = apply_overlay({**DOC, "tags": [{"name": "a"}, {"name": "z"}, {"name": "b"}]}, path)
    assert list(document["paths"]["/pets"]) == ["get"] and "x-drop" not in document["paths"]["/pets"]["get"]
    assert document["tags"] == [{"name": "z"}]


def test_a_target_matching_nothing_is_a_located_warning(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [{"target": "$.paths['/nope'].get", "update": {"x": 1}}])
    document, warnings = apply_overlay_with_warnings(DOC, path)
    assert document == DOC
    (warning,) = warnings
    assert warning.severity is Severity.WARNING and warning.pointer == "/actions/0/target"
    assert warning.file == str(path) and warning.line == 6 and "matched nothing" in warning.message


def test_json_overlay_files_work(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [{"target": "$.info", "update": {"summary": "s"}}], name="o.json")
    assert apply_overlay(DOC, path)["info"]["summary"] == "s"


@pytest.mark.parametrize(
    ("text", "pointer", "message", "line"),
    [
        ("- a\n", "", "must be a mapping", None),
        ("info: {title: t, version: '1'}\nactions: []\n", "", "not an Overlay 1.0", None),
        ("overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n", "/overlay", "not an Overlay 1.0", 1),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\n", "", "'actions' must be a list", None),
        ("overlay: 1.0.0\ninfo: {title: t}\nactions: []\n", "/info", "'info' must be", 2),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - 3\n", "/actions/0", "an action must be", 4),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - {target: $.info, update: {}}\n"
         "  - target: $.paths[\n    update: {}\n", "/actions/1/target", "invalid JSONPath", 5),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - {target: info, update: {}}\n",
         "/actions/0/target", "starting with '$'", 4),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    remove: 'yes'\n",
         "/actions/0/remove", "true or false", 5),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: [1]\n",
         "/actions/0/update", "must be an object", 5),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - {target: $, remove: true}\n",
         "/actions/0/target", "whole document", 4),
    ],
)
def test_bad_overlays_raise_located_errors(tmp_path: Path, text: str, pointer: str, message: str,
                                           line: int | None) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as exc:
        apply_overlay(DOC, path)
    (error,) = exc.value.diagnostics
    assert (error.file, error.pointer, error.line) == (str(path), pointer, line)
    assert message in error.message


def test_overlay_syntax_errors_and_missing_files_are_spec_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("overlay: 1.0.0\nactions: [\n")
    with pytest.raises(SpecError) as exc:
        apply_overlay(DOC, broken)
    assert exc.value.diagnostics[0].line == 3
    with pytest.raises(SpecError, match="file not found"):
        apply_overlay(DOC, tmp_path / "missing.yaml")


def test_soft_problems_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "soft.yaml"
    path.write_text("overlay: 1.0.0\nactions:\n  - target: $.info\n    description: nothing to do\n")
    document, warnings = apply_overlay_with_warnings(DOC, path)
    assert document == DOC
    assert [w.pointer for w in warnings] == ["", "/actions/0"]
    assert all(w.severity is Severity.WARNING for w in warnings)
