"""oapigen.spec.overlay: OpenAPI Overlay 1.0 actions, warnings and located errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from oapigen.core.diagnostics import Severity, SpecError
from oapigen.spec.load import load_spec
from oapigen.spec.overlay import apply_overlay, apply_overlay_with_warnings
from oapigen.spec.validate import validate_spec

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
    assert data["actions"] and all(action.get("description") for action in data["actions"])


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
    assert [op["x-seen"] for op in document["paths"]["/pets"].values()] == [True, True]
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
    assert warnings and all(w.severity is Severity.WARNING for w in warnings)


TWO_OPS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/a": {"get": {"parameters": [], "responses": {"200": {"description": "ok"}}}},
        "/b": {"get": {"parameters": [], "responses": {"200": {"description": "ok"}}}},
    },
}


@pytest.mark.parametrize(
    "update",
    [
        {"name": "trace", "in": "header"},  # one item appended to each array
        [{"name": "trace", "in": "header"}],  # a list: each of its items appended
    ],
)
def test_an_update_applied_to_several_arrays_is_copied_into_each(tmp_path: Path, update: Any) -> None:
    """Each target gets its own copy: a later action changing one target leaves the others."""
    path = overlay_file(tmp_path, [
        {"target": "$.paths.*.get.parameters", "update": update},
        {"target": "$.paths['/a'].get.parameters[0]", "update": {"description": "only on /a"}},
    ])
    document = apply_overlay(TWO_OPS, path)
    assert document["paths"]["/a"]["get"]["parameters"] == [{"name": "trace", "in": "header", "description": "only on /a"}]
    assert document["paths"]["/b"]["get"]["parameters"] == [{"name": "trace", "in": "header"}]
    assert TWO_OPS["paths"]["/a"]["get"]["parameters"] == []


def test_an_update_merged_into_several_objects_is_copied_into_each(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [
        {"target": "$.paths.*.get", "update": {"x-meta": {"owner": "x"}, "parameters": [{"name": "p", "in": "query"}]}},
        {"target": "$.paths['/a'].get['x-meta']", "update": {"owner": "a"}},
        {"target": "$.paths['/a'].get.parameters[0]", "update": {"required": True}},
    ])
    document = apply_overlay(TWO_OPS, path)
    assert document["paths"]["/a"]["get"]["x-meta"] == {"owner": "a"}
    assert document["paths"]["/b"]["get"]["x-meta"] == {"owner": "x"}
    assert document["paths"]["/a"]["get"]["parameters"] == [{"name": "p", "in": "query", "required": True}]
    assert document["paths"]["/b"]["get"]["parameters"] == [{"name": "p", "in": "query"}]


def test_a_scalar_update_replaces_each_match(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [
        {"target": "$.paths.*.get.responses['200'].description", "update": {"text": "new"}},
        {"target": "$.paths['/a'].get.responses['200'].description", "update": {"more": 1}},
    ])
    document = apply_overlay(TWO_OPS, path)
    assert document["paths"]["/a"]["get"]["responses"]["200"]["description"] == {"text": "new", "more": 1}
    assert document["paths"]["/b"]["get"]["responses"]["200"]["description"] == {"text": "new"}


# -- every message, pointer, line and hint by value (make mutate runs against this file) -----------

HEAD = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\n"


@pytest.mark.parametrize(
    ("text", "pointer", "line", "message", "hint"),
    [
        ("- a\n", "", None, "an overlay must be a mapping with 'overlay', 'info' and 'actions'", None),
        ("overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n", "/overlay", 1,
         "not an Overlay 1.0 document (overlay: '2.0.0')", "start it with overlay: 1.0.0"),
        ("info: {title: t, version: '1'}\nactions: []\n", "", None, "not an Overlay 1.0 document (overlay: None)",
         "start it with overlay: 1.0.0"),
        ("overlay: 1.0.0\ninfo: [t]\nactions: []\n", "/info", 2,
         "'info' must be a mapping with a string 'title' and 'version'", None),
        ("overlay: 1.0.0\ninfo: {title: t}\nactions: []\n", "/info", 2,
         "'info' must be a mapping with a string 'title' and 'version'", None),
        (HEAD + "actions:\n  - {target: $.info, update: {}}\n  - target: $.paths[\n    update: {}\n", "/actions/1/target", 5,
         "invalid JSONPath '$.paths[': Parse error near the end of string!", None),
        (HEAD + "actions:\n  - {target: info, update: {}}\n", "/actions/0/target", 4,
         "'target' must be a JSONPath string starting with '$', found 'info'", None),
        (HEAD, "", None, "'actions' must be a list of actions", None),
        (HEAD + "actions: 3\n", "/actions", 3, "'actions' must be a list of actions", None),
        (HEAD + "actions:\n  - 3\n", "/actions/0", 4, "an action must be a mapping with 'target' and 'update' or 'remove'", None),
        (HEAD + "actions:\n  - {target: 3}\n", "/actions/0/target", 4,
         "'target' must be a JSONPath string starting with '$', found 3", None),
        (HEAD + "actions:\n  - target: $.info\n    remove: 1\n", "/actions/0/remove", 5, "'remove' must be true or false", None),
        (HEAD + "actions:\n  - target: $.info\n    description: 3\n", "/actions/0/description", 5,
         "'description' must be a string", None),
        (HEAD + "actions:\n  - target: $.info\n    update: [1]\n", "/actions/0/update", 5,
         "the target /info is an object, so 'update' must be an object", None),
        (HEAD + "actions:\n  - target: $\n    update: [1]\n", "/actions/0/update", 5,
         "the target / is an object, so 'update' must be an object", None),
        (HEAD + "actions:\n  - {target: $, remove: true}\n", "/actions/0/target", 4, "cannot remove the whole document", None),
        (HEAD + "actions:\n  - target: $.tags.`sorted`\n    update: {injected: true}\n", "/actions/0/target", 4,
         "target '$.tags.`sorted`' matches a computed value, not a place in the document", None),
        (HEAD + "actions:\n  - target: $.tags.`len`\n    remove: true\n", "/actions/0/target", 4,
         "target '$.tags.`len`' matches a computed value, not a place in the document", None),
        (HEAD + "actions:\n  - target: '$.tags[?(@.name =~ \"[\")]'\n    remove: true\n", "/actions/0/target", 4,
         "cannot evaluate JSONPath '$.tags[?(@.name =~ \"[\")]': unterminated character set at position 0", None),
    ],
)
def test_each_overlay_error_exactly(tmp_path: Path, text: str, pointer: str, line: int | None, message: str,
                                    hint: str | None) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as exc:
        apply_overlay(DOC, path)
    (error,) = exc.value.diagnostics
    assert (error.file, error.pointer, error.line, error.message, error.hint, error.severity) == (
        str(path), pointer, line, message, hint, Severity.ERROR)


@pytest.mark.parametrize(
    ("text", "warnings"),
    [
        ("overlay: 1.0.0\nactions: []\n", [("", None, "no 'info' (title, version)"), ("/actions", 2, "the overlay has no actions")]),
        (HEAD + "actions:\n  - target: $.info\n", [("/actions/0", 4, "this action has neither 'update' nor 'remove: true': it does nothing")]),
        (HEAD + "actions:\n  - target: $.nope\n    remove: true\n", [("/actions/0/target", 4, "target '$.nope' matched nothing")]),
    ],
)
def test_each_overlay_warning_exactly(tmp_path: Path, text: str, warnings: list[tuple[str, int | None, str]]) -> None:
    path = tmp_path / "soft.yaml"
    path.write_text(text)
    document, found = apply_overlay_with_warnings(DOC, path)
    assert document == DOC
    assert [(w.file, w.pointer, w.line, w.message, w.hint, w.severity) for w in found] == [
        (str(path), pointer, line, message, None, Severity.WARNING) for pointer, line, message in warnings]


def test_lines_in_a_json_overlay_indented_with_tabs(tmp_path: Path) -> None:
    """A .json overlay is located as JSON (tabs, which YAML does not allow, are fine)."""
    path = tmp_path / "o.json"
    path.write_text('{\n\t"overlay": "1.0.0",\n\t"info": {"title": "t", "version": "1"},\n\t"actions": [\n'
                    '\t\t{"target": "$.nope", "remove": true}\n\t]\n}\n')
    _, (warning,) = apply_overlay_with_warnings(DOC, path)
    assert (warning.pointer, warning.line) == ("/actions/0/target", 5)


def test_targets_are_the_matched_keys_even_when_values_are_shared(tmp_path: Path) -> None:
    """Equal small ints are one object in Python: a match is located by its key or index,
    never by looking its value up in the parent."""
    path = overlay_file(tmp_path, [
        {"target": "$.x.b", "update": 2},
        {"target": "$.xs[1]", "update": 2},
        {"target": "$.ys[-1]", "update": 9},
    ])
    document = apply_overlay({"openapi": "3.1.0", "x": {"a": 1, "b": 1}, "xs": [1, 1], "ys": [1, 1, 1]}, path)
    assert (document["x"], document["xs"], document["ys"]) == ({"a": 1, "b": 2}, [1, 2], [1, 1, 9])


def test_remove_by_negative_and_nested_indexes(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [
        {"target": "$.tags[-1,2]", "remove": True},  # the same item twice: removed once
        {"target": "$.a.b[0]", "remove": True},
        {"target": "$.a.c[1,0]", "remove": True},
    ])
    document = apply_overlay({"tags": ["t0", "t1", "t2"], "a": {"b": ["b0", "b1"], "c": ["c0", "c1", "c2"]}}, path)
    assert document == {"tags": ["t0", "t1"], "a": {"b": ["b1"], "c": ["c2"]}}


def test_merge_replaces_unless_both_are_objects_or_both_lists(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [{"target": "$.info", "update": {
        "title": ["a list now"], "tags": {"an": "object now"}, "new": [1], "version": "2", "x": {"deep": {"k": 1}}}}])
    document = apply_overlay({"info": {"title": "t", "tags": ["a"], "version": "1", "x": {"deep": {"j": 0}}}}, path)
    assert document["info"] == {"title": ["a list now"], "tags": {"an": "object now"}, "version": "2",
                                "x": {"deep": {"j": 0, "k": 1}}, "new": [1]}
