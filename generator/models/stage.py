"""The models stage: datamodel-code-generator, used as a library, makes ``models.py``.

It reads only ``components/schemas`` (after :func:`oapigen.ir.builder.plan_models` hoisted the
inline operation schemas there) and reports, through its model metadata, the class name of
every schema it turned into a class: that map (source ``$ref`` -> class name) is the one
mapping the IR uses. datamodel-code-generator is imported lazily: it is slow to import.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import cache as disk_cache
from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.fingerprint import generator_fingerprint
from ..core.pointers import pointer as ptr_of
from ..ir.schemas import resolve_pointer
from ..pysource.imports import sorted_import_lines
from . import names as class_naming
from . import overrides, parts, prepare, verify
from .item_formats import keep_item_formats
from .unions import pep604_unions

_MAX_LIBRARY_WARNINGS = 5


@dataclass(frozen=True, slots=True)
class ModelsResult:
    source: str  # unformatted Python source of models.py, without header
    class_by_ref: dict[str, str]  # '#/components/schemas/Run' -> 'Run'
    class_names: tuple[str, ...]


def models_document(document: Mapping[str, Any], spec_name: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The document datamodel-code-generator reads: schemas only, discriminators made safe."""
    components: Mapping[str, Any] = document["components"] if isinstance(document.get("components"), Mapping) else {}
    schemas = copy.deepcopy(dict(components.get("schemas") or {}))
    doc: dict[str, Any] = {
        "openapi": document.get("openapi", "3.1.0"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {**{k: v for k, v in components.items() if k != "schemas"}, "schemas": schemas},
    }
    diagnostics = _fix_ambiguous_discriminators(doc, spec_name)
    overrides.merge_redefined_properties(doc["components"]["schemas"], lambda ref: resolve_pointer(doc, ref))
    class_naming.name_inline_classes(doc["components"]["schemas"])
    prepare.narrow_enums(doc["components"]["schemas"], lambda ref: resolve_pointer(doc, ref))
    prepare.fold_single_all_of(doc["components"]["schemas"])
    class_naming.unify_enums(doc["components"]["schemas"])
    diagnostics += _closed_all_of(doc, spec_name)
    prepare.name_enum_members(doc["components"]["schemas"])
    keep_wire_values(doc["components"]["schemas"])
    nullable_combinations(doc["components"]["schemas"])
    nullable_kept(doc["components"]["schemas"])
    prepare.keep_plain_string_formats(doc["components"]["schemas"])
    prepare.keep_unique_items(doc["components"]["schemas"])
    return doc, diagnostics


def keep_wire_values(schemas: Any) -> None:
    """Make the models keep what the wire carries, in the schemas the library reads.

    * An object schema that does not say what to do with unknown properties (neither
      ``additionalProperties`` nor ``unevaluatedProperties``) allows them, as JSON Schema does:
      its model keeps them (``extra="allow"``), so a newer server's fields are read, dumped and
      sent back, and a body's keys the spec does not list are sent. ``additionalProperties:
      false`` still forbids them.
    * A ``number`` is ``int | float``, whatever its format: pydantic turns an int into a float
      for a ``float`` field (``5`` would go back on the wire as ``5.0``), and the library's
      types for some formats (``decimal``: Decimal, ``date-time``: datetime, ``time-delta``...)
      are written to JSON as strings.
    """
    for schema in prepare.iter_schemas(schemas):
        if not isinstance(schema, dict):
            continue
        if isinstance(schema.get("properties"), Mapping) and not (
                {"additionalProperties", "unevaluatedProperties"} & schema.keys()):
            schema["additionalProperties"] = True
        listed = [schema["type"]] if isinstance(schema.get("type"), str) else schema.get("type")
        if not isinstance(listed, list) or "number" not in listed or "integer" in listed:
            continue
        if "enum" not in schema and "const" not in schema:
            schema["type"] = [t for x in listed for t in (("integer", x) if x == "number" else (x,))]
            if "string" not in listed:  # the format is the number's
                schema.pop("format", None)


def nullable_combinations(schemas: Any) -> None:
    """OpenAPI 3.0's ``nullable: true`` beside ``oneOf``/``anyOf``/``allOf`` (and no ``type``)
    allows null, which the library's models left out (``A | B``, not ``A | B | None``): such a
    schema becomes ``anyOf: [<itself without nullable>, {type: null}]``."""
    for schema in list(prepare.iter_schemas(schemas)):
        if (
            isinstance(schema, dict)
            and schema.get("nullable") is True
            and "type" not in schema
            and any(isinstance(schema.get(k), list) and schema[k] for k in ("oneOf", "anyOf", "allOf"))
        ):
            inner = {k: schema.pop(k) for k in ("oneOf", "anyOf", "allOf", "discriminator") if k in schema}
            schema.pop("nullable")
            schema["anyOf"] = [inner, {"type": "null"}]


def nullable_kept(schemas: Any) -> None:
    """OpenAPI 3.0's ``nullable: true`` where the library's models leave it out: on an array's
    ``items`` or a map's values (``items: {type: string, nullable: true}`` became ``list[str]``:
    a null item failed validation) and on a required property (``title: str``). Such a schema's
    ``type`` becomes ``[type, "null"]``, an enum (whose null the library drops from a type list
    too) ``anyOf: [<the enum>, {type: null}]``. An optional property is left as it is: the
    library types it ``X | None`` already."""
    for schema in list(prepare.iter_schemas(schemas)):
        if not isinstance(schema, dict):
            continue
        props, required = schema.get("properties"), schema.get("required")
        places: list[tuple[dict[str, Any], str]] = [(schema, "items"), (schema, "additionalProperties")]
        if isinstance(props, dict) and isinstance(required, list):
            places += [(props, name) for name in required if isinstance(name, str)]
        for parent, key in places:
            inner = parent.get(key)
            if isinstance(inner, dict) and inner.get("nullable") is True and isinstance(inner.get("type"), str):
                inner.pop("nullable")
                if "enum" in inner:
                    parent[key] = {"anyOf": [inner, {"type": "null"}]}
                else:
                    inner["type"] = [inner["type"], "null"]


def _allowed_keys(doc: Mapping[str, Any], schema: Any, depth: int = 0) -> frozenset[str] | None:
    """The only property names an object of ``schema`` may have (None: any), by the
    ``additionalProperties: false`` of the schema or of what its ``$ref`` and ``allOf`` name."""
    if depth > 16 or not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("$ref"), str):
        return _allowed_keys(doc, resolve_pointer(doc, schema["$ref"]), depth + 1)
    found: frozenset[str] | None = None
    if schema.get("additionalProperties") is False and "patternProperties" not in schema:
        properties = schema.get("properties")
        found = frozenset(properties) if isinstance(properties, Mapping) else frozenset()
    members = schema.get("allOf")
    for member in members if isinstance(members, list) else ():
        allowed = _allowed_keys(doc, member, depth + 1)
        if allowed is not None:
            found = allowed if found is None else found & allowed
    return found


def _closed_all_of(doc: dict[str, Any], spec_name: str) -> list[Diagnostic]:
    """A property an ``allOf`` adds beside a member with ``additionalProperties: false`` that
    does not declare it can never be valid (JSON Schema applies each member to the whole
    object): it is left out of the models, with a warning, rather than let the client send and
    the server accept what the spec refuses."""
    diagnostics: list[Diagnostic] = []
    schemas = doc["components"]["schemas"]
    for name, schema in list(schemas.items()):
        members = schema.get("allOf") if isinstance(schema, dict) else None
        if not isinstance(members, list):
            continue
        allowed = _allowed_keys(doc, schema)
        if allowed is None:
            continue
        inline = [(("allOf", str(i)), m) for i, m in enumerate(members) if isinstance(m, dict) and "$ref" not in m]
        for path, part in [((), schema), *inline]:
            properties = part.get("properties")
            for key in [k for k in properties if k not in allowed] if isinstance(properties, dict) else ():
                del properties[key]
                if isinstance(part.get("required"), list) and key in part["required"]:
                    part["required"] = [r for r in part["required"] if r != key]
                diagnostics.append(
                    Diagnostic(
                        spec_name,
                        ptr_of("components", "schemas", name, *path, "properties", key),
                        f"property {key!r} can never be valid: a member of the allOf allows no "
                        f"property it does not declare (additionalProperties: false); left out of the models",
                        Severity.WARNING,
                    )
                )
    return diagnostics


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


def _run_datamodel_codegen(
    doc_json: str, *, spec_name: str, aliases: Mapping[str, str]
) -> tuple[str, dict[str, Any], list[str]]:
    """models.py source, the model metadata, and the library's own warnings."""
    from datamodel_code_generator import generate
    from datamodel_code_generator._format_types import PythonVersion
    from datamodel_code_generator.enums import DataModelType, InputFileType, NamingStrategy

    with tempfile.TemporaryDirectory(prefix="oapigen-models-") as tmp, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, meta = Path(tmp) / "models.py", Path(tmp) / "meta.json"
        try:
            generate(
                doc_json,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_311,
                use_annotated=True,
                field_constraints=True,
                set_default_enum_member=True,
                treat_dot_as_module=False,
                use_schema_description=True,
                use_field_description=True,
                disable_timestamp=True,
                formatters=[],
                output=out,
                emit_model_metadata=meta,
                aliases=dict(aliases) or None,
                # pydantic's EmailStr needs the email-validator package; the generated package
                # needs only pydantic, so e-mail addresses are plain strings.
                type_mappings=["email=string", "idn-email=string"],
                # Kept in the fields' JSON schemas: formats of plain strings (see
                # prepare.keep_plain_string_formats), uniqueItems (prepare.keep_unique_items),
                # writeOnly (never in a mock answer).
                field_extra_keys={"writeOnly"},
                field_extra_keys_without_x_prefix={prepare.KEPT_FORMAT, prepare.KEPT_UNIQUE},
                naming_strategy=NamingStrategy.FullPath,
            )
        except Exception as exc:  # the library's errors are not typed; keep them located
            raise SpecError(
                Diagnostic(spec_name, "/components/schemas", f"model generation failed: {type(exc).__name__}: {exc}")
            ) from exc
        source = out.read_text(encoding="utf-8") if out.exists() else ""
        metadata = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {"models": []}
    return source, metadata, sorted({str(w.message) for w in caught})


def _cached_datamodel_codegen(
    doc: dict[str, Any], spec_name: str, aliases: Mapping[str, str], paths: Mapping[str, Any]
) -> tuple[str, dict[str, Any], list[str]]:
    """:func:`_run_datamodel_codegen`, cached by its input document (in order), the aliases and
    the generator's fingerprint (oapigen's code and the library versions): on a big spec the
    library takes seconds, and a changed operation does not change the schemas. A changed
    schema re-runs the library on its part of the schema graph only (:mod:`.parts`; ``paths``:
    the document's operations, which group the schemas)."""
    doc_json = json.dumps(doc, default=str)  # once: the library's input and the cache key
    folder = disk_cache.cache_dir("models")
    h = hashlib.sha256(generator_fingerprint().encode())
    h.update(json.dumps([doc_json, sorted(aliases.items())]).encode())
    key = h.hexdigest()
    cached = disk_cache.read_cached(folder, key)
    if cached is not None:
        try:
            entry = json.loads(cached)
            return entry["source"], entry["metadata"], entry["warnings"]
        except (ValueError, KeyError, TypeError):
            pass  # a damaged entry: generate again
    library = functools.partial(_run_datamodel_codegen, spec_name=spec_name, aliases=dict(aliases))
    if folder is None:
        source, metadata, library_warnings = library(doc_json)
    else:
        base = json.dumps([generator_fingerprint(), sorted(aliases.items()), {k: v for k, v in doc.items() if k != "components"},
                           {k: v for k, v in doc["components"].items() if k != "schemas"}], default=str)
        source, metadata, library_warnings = parts.run(doc, doc_json, paths, base, library)
    entry_text = json.dumps({"source": source, "metadata": metadata, "warnings": library_warnings})
    disk_cache.write_cached(folder, key, entry_text)
    return source, metadata, library_warnings


def generate_models(
    document: Mapping[str, Any], spec_name: str, *, check: bool = True
) -> tuple[ModelsResult, list[Diagnostic]]:
    """The models source and its class names; ``check=False``: escaped but not checked yet
    (:func:`check_models` does it in the process that reads the source next)."""
    doc, diagnostics = models_document(document, spec_name)
    spec_refs = prepare.clear_of_python_names(doc)  # the class of a new ref is the spec ref's
    if not doc["components"]["schemas"]:
        return ModelsResult('"""No schemas in this API."""\n', {}, ()), diagnostics
    aliases = prepare.field_aliases(doc["components"]["schemas"])
    paths = document.get("paths")
    source, metadata, library_warnings = _cached_datamodel_codegen(doc, spec_name, aliases, paths if isinstance(paths, Mapping) else {})
    for message in library_warnings[:_MAX_LIBRARY_WARNINGS]:
        diagnostics.append(Diagnostic(spec_name, "/components/schemas", f"models: {message}", Severity.WARNING))
    if len(library_warnings) > _MAX_LIBRARY_WARNINGS:
        more = len(library_warnings) - _MAX_LIBRARY_WARNINGS
        diagnostics.append(Diagnostic(spec_name, "/components/schemas", f"models: {more} more warnings like these", Severity.WARNING))
    class_by_ref: dict[str, str] = {}
    for entry in metadata.get("models", []):
        ref = entry.get("source_ref") or ""
        ref = ref[ref.index("#"):] if "#" in ref else ref
        class_by_ref.setdefault(spec_refs.get(ref, ref), entry["class_name"])
    names = tuple(sorted({m["class_name"] for m in metadata.get("models", [])}))
    source = pep604_unions(keep_item_formats(source, metadata, doc))
    source, renames = verify.shortened_class_names(source, names)
    if renames:
        class_by_ref = {ref: renames.get(cls, cls) for ref, cls in class_by_ref.items()}
        names = tuple(sorted(renames.get(n, n) for n in names))
    # datamodel-code-generator escapes well, but its output is checked, never trusted: unsafe
    # characters become escapes, and anything but plain models is refused (exit 2, located).
    result = ModelsResult(_strip_header(verify.escaped_source(source, spec_name)), class_by_ref, names)
    if check:
        check_models(result, spec_name)
    return result, diagnostics


def check_models(result: ModelsResult, spec_name: str) -> None:
    """A located SpecError unless the models source is valid Python made of plain models only
    (:func:`oapigen.models.verify.check_source`)."""
    verify.check_source(result.source, spec_name, {cls: ref for ref, cls in result.class_by_ref.items()})


def _strip_header(source: str) -> str:
    lines = source.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return _sort_imports("".join(lines).lstrip("\n"))


def _sort_imports(source: str) -> str:
    """Sort the leading block of one-line imports the way isort/ruff would (future, stdlib, rest)."""
    lines = source.split("\n")
    end = 0
    while end < len(lines) and (lines[end].startswith(("from ", "import ")) or not lines[end].strip()):
        if "(" in lines[end]:
            return source  # a wrapped import: leave the block as it is
        end += 1
    head = sorted_import_lines(line for line in lines[:end] if line.strip())
    return head + "\n\n\n" + "\n".join(lines[end:]).lstrip("\n")
