"""The models stage: datamodel-code-generator, used as a library, makes ``models.py``.

It reads only ``components/schemas`` (after :func:`generator.build.plan_models` hoisted the
inline operation schemas there) and reports, through its model metadata, the class name of
every schema it turned into a class: that map (source ``$ref`` -> class name) is the one
mapping the IR uses. datamodel-code-generator is imported lazily: it is slow to import.
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Diagnostic, Severity, SpecError
from .errors import pointer as ptr_of
from .schemas import resolve_pointer


@dataclass(frozen=True, slots=True)
class ModelsResult:
    source: str  # unformatted Python source of models.py, without header
    class_by_ref: dict[str, str]  # '#/components/schemas/Run' -> 'Run'
    class_names: tuple[str, ...]


def models_document(document: Mapping[str, Any], spec_name: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The document datamodel-code-generator reads: schemas only, discriminators made safe."""
    components = document.get("components") if isinstance(document.get("components"), Mapping) else {}
    schemas = copy.deepcopy(dict(components.get("schemas") or {}))
    doc: dict[str, Any] = {
        "openapi": document.get("openapi", "3.1.0"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {**{k: v for k, v in components.items() if k != "schemas"}, "schemas": schemas},
    }
    diagnostics = _fix_ambiguous_discriminators(doc, spec_name)
    return doc, diagnostics


def _discriminator_values(doc: Mapping[str, Any], member: Any, prop: str, depth: int = 0) -> set[str] | None:
    """The values a union member admits for the discriminator property (None: unknown)."""
    if depth > 16 or not isinstance(member, Mapping):
        return None
    if isinstance(member.get("$ref"), str):
        return _discriminator_values(doc, resolve_pointer(doc, member["$ref"]), prop, depth + 1)
    found: set[str] | None = None
    props = member.get("properties")
    if isinstance(props, Mapping) and isinstance(props.get(prop), Mapping):
        p = props[prop]
        if "const" in p:
            found = {str(p["const"])}
        elif isinstance(p.get("enum"), list):
            found = {str(v) for v in p["enum"]}
    for sub in member.get("allOf") or []:
        if found is None:
            found = _discriminator_values(doc, sub, prop, depth + 1)
    return found


def _fix_ambiguous_discriminators(doc: dict[str, Any], spec_name: str) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []

    def visit(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            disc = node.get("discriminator")
            members = node.get("oneOf") or node.get("anyOf")
            if isinstance(disc, Mapping) and isinstance(members, list):
                prop = disc.get("propertyName")
                seen: dict[str, int] = {}
                ambiguous = not isinstance(prop, str)
                for i, m in enumerate(members):
                    values = _discriminator_values(doc, m, prop) if isinstance(prop, str) else None
                    if values is None and not disc.get("mapping"):
                        ambiguous = True
                    for v in values or ():
                        if v in seen and seen[v] != i:
                            ambiguous = True
                        seen[v] = i
                if ambiguous:
                    del node["discriminator"]
                    diagnostics.append(
                        Diagnostic(
                            spec_name,
                            ptr_of(*path, "discriminator"),
                            f"discriminator {prop!r} does not tell the variants apart; using a plain union",
                            Severity.WARNING,
                        )
                    )
            for k, v in node.items():
                visit(v, (*path, str(k)))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                visit(v, (*path, str(i)))

    visit(doc["components"]["schemas"], ("components", "schemas"))
    return diagnostics


def generate_models(document: Mapping[str, Any], spec_name: str) -> tuple[ModelsResult, list[Diagnostic]]:
    from datamodel_code_generator import DataModelType, InputFileType, PythonVersion, generate

    doc, diagnostics = models_document(document, spec_name)
    if not doc["components"]["schemas"]:
        return ModelsResult('"""No schemas in this API."""\n', {}, ()), diagnostics
    with tempfile.TemporaryDirectory(prefix="oapigen-models-") as tmp:
        out, meta = Path(tmp) / "models.py", Path(tmp) / "meta.json"
        try:
            generate(
                json.dumps(doc),
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_311,
                use_annotated=True,
                field_constraints=True,
                set_default_enum_member=True,
                use_schema_description=True,
                use_field_description=True,
                disable_timestamp=True,
                formatters=[],
                output=out,
                emit_model_metadata=meta,
            )
        except Exception as exc:  # the library's errors are not typed; keep them located
            raise SpecError(
                Diagnostic(spec_name, "/components/schemas", f"model generation failed: {type(exc).__name__}: {exc}")
            ) from exc
        source = out.read_text(encoding="utf-8") if out.exists() else ""
        metadata = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {"models": []}
    class_by_ref: dict[str, str] = {}
    for entry in metadata.get("models", []):
        ref = entry.get("source_ref") or ""
        ref = ref[ref.index("#"):] if "#" in ref else ref
        class_by_ref.setdefault(ref, entry["class_name"])
    source = _strip_header(source)
    names = tuple(sorted({m["class_name"] for m in metadata.get("models", [])}))
    return ModelsResult(source, class_by_ref, names), diagnostics


def _strip_header(source: str) -> str:
    lines = source.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines).lstrip("\n")
