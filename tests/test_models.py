"""Models: what datamodel-code-generator makes of 3.1 features, through the public pipeline."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml
from oapigen.run.config import Job
from oapigen.run.pipeline import generate
from oapigen.run.writer import write_package

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Models", "version": "1"},
    "paths": {
        "/pets": {
            "post": {
                "operationId": "createPet",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"pet": {"$ref": "#/components/schemas/Pet"}, "note": {"type": ["string", "null"]}},
                                "required": ["pet"],
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Cat": {
                "type": "object",
                "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"}},
                "required": ["kind"],
            },
            "Dog": {
                "type": "object",
                "properties": {"kind": {"const": "dog"}, "bark": {"type": ["string", "null"]}},
                "required": ["kind"],
            },
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}},
            },
            "Owner": {
                "type": "object",
                "properties": {
                    "name": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "avatar": {"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64"},
                    "class": {"type": "string"},
                    "model_config": {"type": "integer"},
                },
            },
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
            },
        }
    },
}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("models")
    spec = root / "models.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    job = Job(spec=spec, output=root / "out", package="models_pkg")
    result = generate(job)
    write_package(root / "out" / "models_pkg", result.files, result.inputs)
    sys.path.insert(0, str(root / "out"))
    try:
        yield importlib.import_module("models_pkg.models")
    finally:
        sys.path.remove(str(root / "out"))
        for name in [m for m in sys.modules if m.startswith("models_pkg")]:
            del sys.modules[name]


def test_discriminated_one_of_picks_the_variant(models: Any) -> None:
    pet = models.Pet.model_validate({"kind": "dog", "bark": None})
    assert type(pet.root).__name__ == "Dog"
    with pytest.raises(pydantic.ValidationError):
        models.Pet.model_validate({"kind": "bird"})


def test_type_arrays_and_any_of_with_null_are_optional(models: Any) -> None:
    owner = models.Owner.model_validate({"name": None, "tags": ["a"]})
    assert owner.name is None and owner.tags == ["a"]
    assert models.CreatePetBody.model_validate({"pet": {"kind": "cat"}, "note": None}).note is None


def test_const_is_enforced(models: Any) -> None:
    with pytest.raises(pydantic.ValidationError):
        models.Cat.model_validate({"kind": "dog"})


def test_reserved_field_names_keep_their_wire_alias(models: Any) -> None:
    owner = models.Owner.model_validate({"class": "x", "model_config": 3})
    dumped = owner.model_dump(by_alias=True, exclude_none=True)
    assert dumped["class"] == "x" and dumped["model_config"] == 3


def test_recursive_schema(models: Any) -> None:
    node = models.Node.model_validate({"children": [{"children": []}]})
    assert node.children[0].children == []


def test_inline_request_body_became_a_named_model(models: Any) -> None:
    assert issubclass(models.CreatePetBody, pydantic.BaseModel)


def test_generated_models_are_self_contained(models: Any) -> None:
    source = Path(models.__file__).read_text()
    assert "oapigen" not in source.split("\n", 1)[1] and "generator" not in source


def test_models_stage_is_cached_by_its_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oapigen.models import stage as models_stage

    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "models.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    job = Job(spec=spec, output=tmp_path / "out", package="cached_pkg")
    first = generate(job).files

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("datamodel-code-generator ran although its input was cached")

    monkeypatch.setattr(models_stage, "_run_datamodel_codegen", fail)
    assert generate(job).files == first
    changed = dict(SPEC, components={"schemas": {**SPEC["components"]["schemas"], "Extra": {"type": "object", "properties": {"x": {"type": "string"}}}}})
    spec.write_text(yaml.safe_dump(changed))
    with pytest.raises(AssertionError, match="although its input was cached"):
        generate(job)  # a changed schema misses the cache


NAMES_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Names", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "getThing",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/" + "Very" * 20 + "LongThing"}}},
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Very" * 20 + "LongThing": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["a", "b"]},
                    "other": {"$ref": "#/components/schemas/Other"},
                    "forest": {"$ref": "#/components/schemas/" + "Very" * 20 + "LongForest"},
                },
            },
            # recursive: the library writes the name as a forward reference, in quotes
            "Very" * 20 + "LongForest": {
                "type": "array",
                "items": {"type": "object", "properties": {"trees": {"$ref": "#/components/schemas/" + "Very" * 20 + "LongWood"}}},
            },
            "Very" * 20 + "LongWood": {
                "type": "array",
                "items": {"type": "object", "properties": {"trees": {"$ref": "#/components/schemas/" + "Very" * 20 + "LongForest"}}},
            },
            "Other": {"type": "object", "properties": {"status": {"type": "string", "enum": ["c"]}}},
            "Event": {  # inline variants: named by their title, else by their discriminator value
                "anyOf": [
                    {"title": "Started", "type": "object", "properties": {"type": {"const": "run.started"}}},
                    {"type": "object", "properties": {"type": {"type": "string", "enum": ["run.done"]}}},
                ]
            },
        }
    },
}


def test_class_names_come_from_their_context_and_are_capped(tmp_path_factory: pytest.TempPathFactory) -> None:
    from .conftest_client import install

    spec = tmp_path_factory.mktemp("names") / "names.json"
    spec.write_text(json.dumps(NAMES_SPEC))
    result = generate(Job(spec=spec, output=Path("unused"), package="names_pkg"))
    names = set(result.api.model_names)
    # inline enums named after the schema holding them, not Status / Status1
    assert "OtherStatus" in names and not any(n[-1].isdigit() for n in names), names
    assert {"Started", "EventRunDone"} <= names
    ok = result.api.operations[0].success
    assert ok is not None
    long = ok.contents[0].type.name
    assert len(long) <= 64 and long.endswith("LongThing") and long in result.files["client.py"]
    pkg = install(tmp_path_factory, "names_pkg", result.files)
    assert getattr(pkg.models, long).model_validate({"status": "a", "forest": [{"trees": [{}]}]}).status == "a"
    assert not re.search(r"\b(Very){15}", result.files["models.py"])  # no long name is left


def test_shortened_class_names_rename_names_and_forward_references_only() -> None:
    from oapigen.models.verify import shortened_class_names

    long = "Long" * 20 + "Item"
    source = (
        f"class {long}(BaseModel):\n"
        f'    """{long} is documented."""\n'
        f"    x: int\n\n\n"
        f'class Holder(RootModel[list["{long}"]]):\n'
        f'    root: list["{long}"]\n'
        f"    y: Kind = Kind.{long}\n\n\n"
        f"{long}.model_rebuild()\n"
    )
    renamed, renames = shortened_class_names(source, [long, "Holder"])
    short = renames[long]
    assert len(short) <= 64 and short.endswith("LongItem")
    assert len(re.findall(rf"\b{short}\b", renamed)) == 4  # the class, two forward refs, the rebuild
    assert f'"""{long} is documented."""' in renamed and f"Kind.{long}" in renamed


def test_an_enum_beside_allof_ref_is_narrowed_to_the_values_both_admit() -> None:
    from oapigen.ir.schemas import resolve_pointer
    from oapigen.models.prepare import narrow_enums

    schemas: dict[str, Any] = {
        "Kind": {"type": "string", "enum": ["a", "b"], "x-note": "extensions do not matter"},
        "Holder": {
            "type": "object",
            "properties": {
                "kind": {"enum": ["a", "z"], "allOf": [{"$ref": "#/components/schemas/Kind"}]},
                "sibling": {"const": "b", "$ref": "#/components/schemas/Kind"},  # 3.1: $ref with siblings
                "whole": {"enum": [{}], "allOf": [{"$ref": "#/components/schemas/Holder"}]},  # an object: kept
            },
        },
    }
    doc = {"components": {"schemas": schemas}}
    narrow_enums(schemas, lambda ref: resolve_pointer(doc, ref))
    props = schemas["Holder"]["properties"]
    assert props["kind"] == {"type": "string", "enum": ["a"]}
    assert props["sibling"] == {"type": "string", "enum": ["b"]}
    assert "allOf" in props["whole"]


def test_an_enum_beside_a_ref_to_a_const_union_is_narrowed_and_keeps_the_member_names() -> None:
    """3.1's titled enum (``oneOf: [{title, const}...]``, Discord's ChannelTypes) is a member
    the narrowing folds; the narrowed enum keeps the titles (or a referenced enum's
    ``x-enum-varnames``) as member names, checked like any other (``count`` shadows str.count)."""
    from oapigen.ir.schemas import resolve_pointer
    from oapigen.models.prepare import name_enum_members, narrow_enums

    schemas: dict[str, Any] = {
        "Kind": {"type": "string", "oneOf": [
            {"title": "count", "description": "counted", "const": "c"}, {"title": "ALPHA", "const": "a"},
            {"title": "ZED", "const": "z"}]},
        "Level": {"type": "integer", "enum": [1, 2, 3], "x-enum-varnames": ["LOW", "MID", "HIGH"]},
        "Open": {"oneOf": [{"const": "a"}, {"type": "string"}]},  # not only consts: not an enum
        "Holder": {"type": "object", "properties": {
            "kind": {"enum": ["c", "a", "q"], "allOf": [_ref("Kind")]},
            "level": {"enum": [3, 1], "$ref": "#/components/schemas/Level"},
            "open": {"enum": ["a"], "allOf": [_ref("Open")]},
        }},
    }
    doc = {"components": {"schemas": schemas}}
    narrow_enums(schemas, lambda ref: resolve_pointer(doc, ref))
    name_enum_members(schemas)
    props = schemas["Holder"]["properties"]
    assert props["kind"] == {"type": "string", "enum": ["c", "a"], "x-enum-varnames": ["count_", "ALPHA"],
                             "x-enum-descriptions": ["counted", ""]}
    assert props["level"] == {"type": "integer", "enum": [3, 1], "x-enum-varnames": ["HIGH", "LOW"]}
    assert "allOf" in props["open"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": "#/components/schemas/" + name}


AUTO = {"type": "string", "enum": ["auto"]}
VARIANTS_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Variants", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            # a property's union of an enum and a constrained int (was HyperNEpochs, HyperNEpochs1)
            "Hyper": {"type": "object", "properties": {
                "n_epochs": {"oneOf": [AUTO, {"type": "integer", "minimum": 1, "maximum": 50}], "default": "auto"},
                "input": {"oneOf": [  # titles that do not tell the variants apart: their kinds do
                    {"type": "array", "title": "array", "minItems": 1, "items": {"type": "string"}},
                    {"type": "array", "title": "array", "minItems": 1, "items": {"type": "integer"}},
                ]},
            }},
            # inline objects told apart by a property with one value (was RunEventRunEvent1...)
            "RunEvent": {"oneOf": [
                {"type": "object", "required": ["event"], "properties": {"event": {"type": "string", "enum": ["thread.run.created"]}, "data": {"type": "string"}}},
                {"type": "object", "required": ["event"], "properties": {"event": {"type": "string", "enum": ["thread.run.failed"]}, "data": {"type": "integer"}}},
            ]},
            # an allOf of a union and an object (was StreamEventStreamEvent1 ... subclasses)
            "Delta": {"type": "object", "required": ["type"], "properties": {"type": {"const": "delta"}, "text": {"type": "string"}}},
            "Done": {"type": "object", "required": ["type"], "properties": {"type": {"const": "done"}}},
            "StreamEvent": {"allOf": [
                {"anyOf": [_ref("Delta"), _ref("Done")]},
                {"type": "object", "properties": {"stream_id": {"type": "string"}}},
            ]},
            # OpenAPI 3.0's nullable $ref (was a copy of the union numbered: Choice1)
            "Choice": {"oneOf": [AUTO, {"type": "object", "properties": {"id": {"type": "string"}}}]},
            "Run": {"type": "object", "properties": {"choice": {"allOf": [_ref("Choice"), {"nullable": True}]}}},
            # an object whose union members only require (was CancelCancel, CancelCancel1)
            "Cancel": {
                "type": "object",
                "properties": {"status": {"type": "string", "enum": ["pending", "all"]}, "run_ids": {"type": "array", "items": {"type": "string"}}},
                "oneOf": [{"required": ["status"]}, {"required": ["run_ids"]}],
            },
            # titled variants in a property's items
            "Message": {"type": "object", "properties": {"parts": {"type": "array", "items": {"oneOf": [
                {"title": "Text Part", "type": "object", "properties": {"kind": {"const": "text"}, "text": {"type": "string"}}},
                {"title": "Data Part", "type": "object", "properties": {"kind": {"const": "data"}, "data": {"type": "object"}}},
            ]}}}},
            # long names that shorten alike (was ...CreateNoiseReduction2)
            **{
                f"RealtimeTranscriptionSessionCreate{kind}GA": {"type": "object", "properties": {"audio": {"type": "object", "properties": {
                    "input": {"type": "object", "properties": {"noise_reduction": {"type": "object", "properties": {"type": {"type": "string"}}}}}
                }}}}
                for kind in ("Request", "Response")
            },
        }
    },
}


def test_union_variants_are_named_from_their_context_not_numbered(tmp_path_factory: pytest.TempPathFactory) -> None:
    """README (Names): every inline union variant the models library would number is named by
    its context and what tells it apart; no class name ends in a digit."""
    from .conftest_client import install

    spec = tmp_path_factory.mktemp("variants") / "variants.json"
    spec.write_text(json.dumps(VARIANTS_SPEC))
    result = generate(Job(spec=spec, output=Path("unused"), package="variants_pkg"))
    names = set(result.api.model_names)
    assert not [n for n in names if n[-1].isdigit()], sorted(names)
    assert {
        "HyperNEpochsAuto", "HyperNEpochsInt", "HyperInputStringList", "HyperInputIntList",
        "RunEventThreadRunCreated", "RunEventThreadRunFailed", "StreamEventDelta", "StreamEventDone",
        "CancelWithStatus", "CancelWithRunIds", "CancelStatus", "TextPart", "DataPart",
        "RealtimeTranscriptionSessionCreateResponseInputNoiseReduction",
    } <= names, sorted(names)
    assert not {"ChoiceChoice", "StreamEventStreamEvent"} & names
    models = install(tmp_path_factory, "variants_pkg", result.files).models
    hyper = models.Hyper.model_validate({"n_epochs": 3, "input": [1, 2]})
    assert isinstance(hyper.n_epochs, models.HyperNEpochsInt) and isinstance(hyper.input, models.HyperInputIntList)
    assert models.Hyper().n_epochs == "auto"
    failed = models.RunEvent.model_validate({"event": "thread.run.failed", "data": 3}).root
    assert isinstance(failed, models.RunEventThreadRunFailed)
    done = models.StreamEvent.model_validate({"type": "done", "stream_id": "s"}).root
    assert isinstance(done, models.StreamEventDone) and isinstance(done, models.Done) and done.stream_id == "s"
    assert models.Run(choice=None).choice is None and models.Run.model_validate({"choice": "auto"}).choice is not None
    assert isinstance(models.Cancel.model_validate({"status": "all"}).root, models.CancelWithStatus)
    with pytest.raises(pydantic.ValidationError):
        models.Cancel.model_validate({})  # one of the required sets must hold
    parts = models.Message.model_validate({"parts": [{"kind": "data", "data": {}}]}).parts
    assert isinstance(parts[0], models.DataPart)


def _disconnect(default: str) -> dict[str, Any]:
    return {"type": "string", "enum": ["cancel", "continue"], "description": "The disconnect mode.", "default": default, "title": "On Disconnect"}


ENUMS_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Enums", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "RunCreateStateful": {"type": "object", "properties": {"on_disconnect": _disconnect("cancel")}},
            "RunCreateStateless": {"type": "object", "properties": {"on_disconnect": _disconnect("continue")}},
            "Alpha": {"type": "object", "properties": {"type": {"type": "string", "enum": ["auto"], "description": "Always `auto`."}}},
            "Beta": {"type": "object", "properties": {"type": {"type": "string", "enum": ["auto"], "description": "Always `auto`."}}},
            # the same values, another description: another class
            "Gamma": {"type": "object", "properties": {"type": {"type": "string", "enum": ["auto"], "description": "Mostly `auto`."}}},
        }
    },
}


def test_identical_inline_enums_are_one_class_named_by_what_their_places_share(tmp_path_factory: pytest.TempPathFactory) -> None:
    """README (Names): an enum written out identically in several properties is one class, named
    by the words its places' names share (``RunCreateOnDisconnect``), a one-word name after its
    one value (``AutoType``); each field keeps its own default and title."""
    from .conftest_client import install

    spec = tmp_path_factory.mktemp("enums") / "enums.json"
    spec.write_text(json.dumps(ENUMS_SPEC))
    result = generate(Job(spec=spec, output=Path("unused"), package="enums_pkg"))
    names = set(result.api.model_names)
    assert {"RunCreateOnDisconnect", "AutoType", "GammaType"} <= names, sorted(names)
    assert not {"RunCreateStatefulOnDisconnect", "RunCreateStatelessOnDisconnect", "AlphaType", "BetaType"} & names
    models = install(tmp_path_factory, "enums_pkg", result.files).models
    assert models.RunCreateStateful().on_disconnect is models.RunCreateOnDisconnect.cancel
    assert models.RunCreateStateless().on_disconnect is models.RunCreateOnDisconnect.continue_
    assert models.RunCreateStateful.model_fields["on_disconnect"].title == "On Disconnect"
    assert models.Beta.model_validate({"type": "auto"}).type is models.AutoType.auto


def test_a_bodys_media_types_share_a_class_or_are_named_after_their_media_type(tmp_path_factory: pytest.TempPathFactory) -> None:
    """README (Names): the media types of one body with the same inline schema are one class;
    one with a schema of its own is named after its media type (was PostThingsBody2, 3)."""
    obj = {"type": "object", "properties": {"a": {"type": "string"}}}
    own = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
    spec = tmp_path_factory.mktemp("media") / "media.json"
    spec.write_text(json.dumps({
        "openapi": "3.1.0", "info": {"title": "m", "version": "1"},
        "paths": {"/things": {"post": {"operationId": "postThings", "responses": {"204": {"description": "ok"}}, "requestBody": {"content": {
            "application/json": {"schema": obj},
            "application/x-www-form-urlencoded": {"schema": obj},
            "multipart/form-data": {"schema": own},
            "application/merge-patch+json": {"schema": {**obj, "required": ["a"]}},
        }}}}},
    }))
    result = generate(Job(spec=spec, output=Path("unused"), package="media_pkg"))
    assert set(result.api.model_names) == {"PostThingsBody", "PostThingsBodyMultipart", "PostThingsBodyMergePatchJson"}
    body = result.api.operations[0].request_body
    assert body is not None
    assert {m.media_type: m.type.name for m in body.contents} == {
        "application/json": "PostThingsBody", "application/x-www-form-urlencoded": "PostThingsBody",
        "multipart/form-data": "PostThingsBodyMultipart", "application/merge-patch+json": "PostThingsBodyMergePatchJson",
    }


def test_an_allof_of_one_inline_member_is_folded_only_when_nothing_clashes() -> None:
    from oapigen.models.prepare import fold_single_all_of

    schemas: dict[str, Any] = {"H": {"type": "object", "properties": {
        "tags": {"allOf": [{"type": "array", "minItems": 1, "description": "inner"}], "description": "outer"},
        "clash": {"type": "string", "allOf": [{"type": "integer", "minimum": 1}]},  # kept: no value fits
        "object": {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}]},  # the library's
        "ref": {"allOf": [_ref("H")], "nullable": True},
    }}}
    fold_single_all_of(schemas)
    props = schemas["H"]["properties"]
    assert props["tags"] == {"type": "array", "minItems": 1, "description": "outer"}
    assert "allOf" in props["clash"] and "allOf" in props["object"] and "allOf" in props["ref"]
