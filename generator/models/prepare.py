"""What the models stage hands to datamodel-code-generator: the input document prepared so
that the library writes what oapigen needs (:mod:`.verify` checks what it writes back).

Property names Python or pydantic cannot use as they are get a Python name from
:mod:`oapigen.core.naming`, passed as an alias (the wire name stays the field's alias): names
that NFKC normalization would merge with another (``ﬁ`` and ``fi`` are one identifier to
Python) and names in pydantic's protected namespaces (``model_dump...``, ``model_validate...``);
enum values whose member names would merge the same way get ``x-enum-varnames``; union variants
get names, enums are narrowed to what their schema admits, plain string formats are kept.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..core import naming
from ..core.naming import PROTECTED_PREFIXES, PYDANTIC_ATTRIBUTES
from ..core.pointers import escape_pointer_token

SCHEMAS = "/components/schemas"

# Keywords whose values are data, not schemas: never walked for schemas or names.
_VALUE_KEYWORDS = frozenset({"enum", "const", "default", "example", "examples", "x-enum-varnames"})
# Keywords whose values map arbitrary names to schemas.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def nfkc(name: str) -> str:
    return unicodedata.normalize("NFKC", name)


def iter_schemas(root: Any) -> Iterator[Mapping[str, Any]]:
    """Every schema object under ``root`` (a mapping of names to schemas, or a schema)."""
    stack: list[Any] = list(root.values()) if isinstance(root, Mapping) else [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, Mapping) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        for key, value in node.items():
            if key in _SCHEMA_MAPS and isinstance(value, Mapping):
                stack.extend(value.values())
            elif key not in _VALUE_KEYWORDS and not str(key).startswith("x-"):
                stack.append(value)


def _python_form(name: str) -> str:
    """Roughly the identifier datamodel-code-generator makes of a wire name."""
    return re.sub(r"\W", "_", nfkc(name))


def needs_python_name(name: str) -> bool:
    """Whether a property name must get its Python name from oapigen rather than the library."""
    return nfkc(name) != name or _python_form(name).startswith(PROTECTED_PREFIXES)


def field_aliases(schemas: Any) -> dict[str, str]:
    """Wire name -> Python field name, for every property name that :func:`needs_python_name`.

    The Python names are distinct from every property name of the document (in any spelling
    datamodel-code-generator could give it), so a field can never meet another one.
    """
    names: set[str] = set()
    for schema in iter_schemas(schemas):
        props = schema.get("properties")
        if isinstance(props, Mapping):
            names.update(str(k) for k in props)
    wanted = sorted(n for n in names if needs_python_name(n))
    if not wanted:
        return {}
    taken = names | {_python_form(n) for n in names} | {_python_form(n) + "_" for n in names}
    candidates = []
    for name in wanted:
        candidate = naming.snake(name, prefix="field", reserved={"field"})
        if candidate.startswith(PROTECTED_PREFIXES) or candidate in PYDANTIC_ATTRIBUTES:
            candidate = "field_" + candidate
        candidates.append(candidate)
    return dict(zip(wanted, naming.dedupe(candidates, taken), strict=True))


# Attributes of ``str``: a member of a string enum (a ``StrEnum``) named like one shadows the
# method, which ``mypy --strict`` rejects (``replace``, ``title``, ``count``...).
STR_ATTRIBUTES = frozenset(a for a in dir(str) if not a.startswith("_"))


def name_enum_members(schemas: Any) -> None:
    """Give ``x-enum-varnames`` to string enum values whose member names NFKC would merge, or
    that would shadow a method of ``str`` (``replace`` -> ``replace_``); names a schema gives
    already (``x-enum-varnames``) are checked the same way."""
    for schema in iter_schemas(schemas):
        values = schema.get("enum")
        given = schema.get("x-enum-varnames")
        if not isinstance(values, list) or "x-enumNames" in schema or (
                given is not None and (not isinstance(given, list) or len(given) != len(values))):
            continue
        sources = [g if isinstance(g, str) and g else v for g, v in zip(given or values, values, strict=True)]
        renamed = [isinstance(v, str) and isinstance(n, str) and (nfkc(n) != n or _python_form(n) in STR_ATTRIBUTES)
                   for n, v in zip(sources, values, strict=True)]
        if not any(renamed):
            continue
        taken = {nfkc(n) for n, r in zip(sources, renamed, strict=True) if isinstance(n, str) and not r}
        names: list[str | None] = []
        used = set(taken)
        for source, rename, kept in zip(sources, renamed, given or [None] * len(values), strict=True):
            if rename:
                name = naming.snake(source, prefix="value", reserved={"mro"} | STR_ATTRIBUTES)
                name = naming.dedupe([name], used)[0]
                used.add(name)
                names.append(name)
            else:
                names.append(kept)
        if isinstance(schema, dict):
            schema["x-enum-varnames"] = names


# String formats datamodel-code-generator types as a plain ``str`` (e-mail addresses: pydantic's
# EmailStr needs the email-validator package), which would lose them: kept as ``x-format``, which
# the library writes back as ``format`` into the field's JSON schema (``json_schema_extra``).
PLAIN_STRING_FORMATS = frozenset(
    {"email", "idn-email", "uri-reference", "iri", "iri-reference", "idn-hostname", "uri-template",
     "json-pointer", "relative-json-pointer", "regex"}
)
KEPT_FORMAT = "x-format"


def keep_plain_string_formats(schemas: Any) -> None:
    """Give ``x-format`` to string schemas of the :data:`PLAIN_STRING_FORMATS`, so that the
    models' JSON schemas (the mock's source, /openapi.json) keep the format; a spec's own
    ``x-format`` is dropped from the library's copy, where it would become a ``format``."""
    for schema in iter_schemas(schemas):
        if not isinstance(schema, dict):
            continue
        schema.pop(KEPT_FORMAT, None)
        kind, fmt = schema.get("type"), schema.get("format")
        strings = kind == "string" or (isinstance(kind, list) and "string" in kind)
        if strings and isinstance(fmt, str) and fmt in PLAIN_STRING_FORMATS:
            schema[KEPT_FORMAT] = fmt


# ``uniqueItems``, which the models leave out (a list allows duplicates; the check would be a
# validator of the library's), kept the same way as a format: the models' JSON schemas (the
# mock's source, /openapi.json) keep it, so that the mock answers distinct items.
KEPT_UNIQUE = "x-uniqueItems"


def keep_unique_items(schemas: Any) -> None:
    """Give ``x-uniqueItems`` to array schemas with ``uniqueItems: true``; a spec's own
    ``x-uniqueItems`` is dropped from the library's copy, where it would become the keyword."""
    for schema in iter_schemas(schemas):
        if isinstance(schema, dict):
            schema.pop(KEPT_UNIQUE, None)
            if schema.get("uniqueItems") is True:
                schema[KEPT_UNIQUE] = True


# Keywords that make a schema an object or a combination of schemas: an allOf member with one
# is left to the library (its classes and merges), never folded into its parent.
_STRUCTURE_KEYWORDS = frozenset(
    {"$ref", "properties", "patternProperties", "additionalProperties", "allOf", "anyOf", "oneOf", "not",
     "discriminator", "if", "then", "else", "dependentSchemas", "unevaluatedProperties"}
)
_ANNOTATION_KEYWORDS = frozenset(
    {"nullable", "description", "title", "default", "readOnly", "writeOnly", "deprecated", "example", "examples",
     "$comment"}
)


def fold_single_all_of(schemas: Any) -> None:
    """``{allOf: [{type: array, minItems: 1}], nullable: false}`` (one inline member that is no
    object, beside keywords that only annotate it) -> the member's keywords on the schema itself.
    The library writes such a member as a RootModel class without its constraints: Box's
    ``tags`` (``minItems: 1``) took ``[]``, and the mock answered it."""
    for schema in list(iter_schemas(schemas)):
        members = schema.get("allOf")
        if not isinstance(schema, dict) or not isinstance(members, list) or len(members) != 1:
            continue
        member = members[0]
        if not isinstance(member, Mapping) or _STRUCTURE_KEYWORDS & member.keys():
            continue
        own = schema.keys() - {"allOf"}
        if _STRUCTURE_KEYWORDS & own or any(
                k in member and member[k] != schema[k] for k in own - _ANNOTATION_KEYWORDS):
            continue
        del schema["allOf"]
        for key, value in member.items():
            schema.setdefault(key, value)


# Keywords of a schema that constrain only a scalar (what an enum's siblings may carry and still
# be folded into it).
_SCALAR_KEYWORDS = frozenset(
    {"type", "format", "enum", "const", "nullable", "description", "title", "default", "example",
     "examples", "deprecated", "readOnly", "writeOnly", "pattern", "minLength", "maxLength",
     "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "$ref", "allOf"}
)


def narrow_enums(schemas: Any, resolve: Callable[[str], Any]) -> None:
    """Fold ``allOf: [$ref]`` (or a 3.1 sibling ``$ref``) into an ``enum`` or ``const`` beside it.

    ``{enum: [circle], allOf: [{$ref: ShapeKind}]}`` admits only ``circle``: both must hold. The
    models library keeps the referenced enum and drops the sibling, so ``Circle.kind`` would take
    any ``ShapeKind`` and a ``Circle | Square`` union would read a square as a circle. When
    every member is a scalar schema (a referenced enum, a 3.1 ``oneOf`` of titled ``const``s, a
    string with a format...), the schema becomes one enum: its own values that every member
    admits (in its order), with the members' ``type`` and ``format`` where it has none, and the
    member names and descriptions a member gives its values (``x-enum-varnames``, the titles of
    its ``const`` branches) where it has none of its own.
    """
    for schema in list(iter_schemas(schemas)):
        own = schema.get("enum") if isinstance(schema.get("enum"), list) else (
            [schema["const"]] if "const" in schema else None)
        members = list(schema.get("allOf") or []) if isinstance(schema.get("allOf"), list) else []
        if isinstance(schema.get("$ref"), str):
            members.append({"$ref": schema["$ref"]})
        if own is None or not members or not isinstance(schema, dict):
            continue
        resolved = [_scalar_member(m, resolve) for m in members]
        if any(r is None for r in resolved):
            continue  # an object, a union...: not a narrowing this can fold
        values = [v for v in own if all(_admits(r, v) for r in resolved if r is not None)]
        if not values:
            continue  # nothing fits both: leave it to the library (and the validator)
        for r in resolved:
            for key in ("type", "format", "nullable"):
                if r is not None and key in r and key not in schema:
                    schema[key] = r[key]
        schema.pop("allOf", None)
        schema.pop("$ref", None)
        schema.pop("const", None)
        schema["enum"] = values
        if not {_VARNAMES, "x-enumNames"} & schema.keys():
            _carry_member_names(schema, values, [r for r in resolved if r is not None])


def _scalar_member(member: Any, resolve: Callable[[str], Any], depth: int = 0) -> Mapping[str, Any] | None:
    """The schema a ``$ref`` chain leads to, if it constrains only a scalar (no allOf of its own);
    a ``oneOf``/``anyOf`` of ``const`` branches (3.1's titled enum) as the enum of their values."""
    while isinstance(member, Mapping) and isinstance(member.get("$ref"), str) and depth < 16:
        member, depth = resolve(member["$ref"]), depth + 1
    if not isinstance(member, Mapping) or "allOf" in member or "$ref" in member:
        return None
    scalar = _const_union_as_enum(member)
    if scalar is None or any(key not in _SCALAR_KEYWORDS and not str(key).startswith("x-") for key in scalar):
        return None
    return scalar


_VARNAMES = "x-enum-varnames"
_DESCRIPTIONS = "x-enum-descriptions"
# Keywords of a ``const`` branch of a oneOf/anyOf enum (the value and what documents it).
_CONST_BRANCH_KEYWORDS = frozenset({"const", "title", "description", "type", "format", "deprecated"})


def _const_union_as_enum(member: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``member`` itself, or, when its ``oneOf`` (or ``anyOf``) lists only ``const`` branches
    (and ``{type: null}``), the enum of their values within its own ``enum``/``const``, each
    branch's title and description as the member's name and description; None for a union of
    anything else."""
    key = next((k for k in ("oneOf", "anyOf") if k in member), None)
    if key is None:
        return member
    branches = member[key]
    if ("oneOf" in member and "anyOf" in member) or not isinstance(branches, list) or not branches:
        return None
    values: list[Any] = []
    names: list[Any] = []
    descriptions: list[Any] = []
    for branch in branches:
        if not isinstance(branch, Mapping):
            return None
        if branch.get("type") == "null" and set(branch) <= {"type", "title", "description"}:
            values.append(None)
        elif "const" in branch and all(
            k in _CONST_BRANCH_KEYWORDS or str(k).startswith("x-") for k in branch
        ):
            values.append(branch["const"])
        else:
            return None
        names.append(branch.get("title"))
        descriptions.append(branch.get("description"))
    kept = [n for n, v in enumerate(values) if _admits(member, v)]
    enum: dict[str, Any] = {k: v for k, v in member.items() if k not in (key, "const")}
    enum["enum"] = [values[n] for n in kept]
    if all(isinstance(names[n], str) and names[n] for n in kept):
        enum[_VARNAMES] = [names[n] for n in kept]
    if any(isinstance(descriptions[n], str) and descriptions[n] for n in kept):
        enum[_DESCRIPTIONS] = [descriptions[n] or "" for n in kept]
    return enum


def _carry_member_names(schema: dict[str, Any], values: list[Any], members: list[Mapping[str, Any]]) -> None:
    """Give a narrowed enum the names (and descriptions) of its values in the first member that
    names every one of them, so that ``ThreadType.PUBLIC_THREAD`` stays ``PUBLIC_THREAD``."""
    for member in members:
        enum, names = member.get("enum"), member.get(_VARNAMES)
        if not isinstance(enum, list) or not isinstance(names, list) or len(names) != len(enum):
            continue
        index = {json.dumps(v, sort_keys=True): n for n, v in enumerate(enum)}
        found = [index.get(json.dumps(v, sort_keys=True)) for v in values]
        if any(n is None or not isinstance(names[n], str) or not names[n] for n in found):
            continue
        schema[_VARNAMES] = [names[n] for n in found if n is not None]
        described = member.get(_DESCRIPTIONS)
        if isinstance(described, list) and len(described) == len(enum):
            schema[_DESCRIPTIONS] = [described[n] for n in found if n is not None]
        return


def _admits(schema: Mapping[str, Any], value: Any) -> bool:
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        return False
    return "const" not in schema or schema["const"] == value


def clear_of_python_names(doc: dict[str, Any]) -> dict[str, str]:
    """Rename the components whose class would be named like a Python keyword or builtin.

    The models library names a component's class by its key (first letter upper-cased) and
    numbers one that is a keyword (``None`` -> ``None1``, ``True1``) or keeps one that shadows a
    builtin (``Exception``). Each such key becomes :func:`naming.clear_class_name`'s name
    (``NoneModel``) in ``doc``, every ``$ref`` and discriminator mapping to it rewritten; returns
    new ref -> the spec's ref, so that classes are found by the spec's refs.
    """
    schemas: dict[str, Any] = doc["components"]["schemas"]
    taken = {key.lower() for key in schemas}
    renamed: dict[str, str] = {}
    for key in schemas:
        form = key[:1].upper() + key[1:] if key.isidentifier() else key
        name = naming.clear_class_name(form)
        if name == form:
            continue
        name = naming.dedupe([name], taken)[0] if name.lower() in taken else name
        taken.add(name.lower())
        renamed[key] = name
    if not renamed:
        return {}
    refs = {SCHEMAS + "/" + escape_pointer_token(old): SCHEMAS + "/" + escape_pointer_token(new) for old, new in renamed.items()}
    doc["components"]["schemas"] = {renamed.get(k, k): v for k, v in schemas.items()}
    _rewrite_refs(doc["components"], {"#" + old: "#" + new for old, new in refs.items()})
    return {"#" + new: "#" + old for old, new in refs.items()}


def _rewrite_refs(node: Any, refs: Mapping[str, str]) -> None:
    """Every ``$ref`` (or discriminator mapping value) in ``node`` to a key of ``refs``, or
    into one (``#/components/schemas/None/properties/a``), pointed at its value instead."""

    def moved(ref: str) -> str:
        head = ref
        while head not in refs and "/" in head:
            head = head.rsplit("/", 1)[0]
        return refs[head] + ref[len(head):] if head in refs else ref

    names = {old.rsplit("/", 1)[1]: new.rsplit("/", 1)[1] for old, new in refs.items()}
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "$ref" and isinstance(value, str):
                    item[key] = moved(value)
                elif key == "mapping" and isinstance(value, dict):
                    for k, v in value.items():
                        if isinstance(v, str):
                            value[k] = names.get(v, moved(v))
                else:
                    stack.append(value)


# -- the output ---------------------------------------------------------------------------------


__all__ = [
    "KEPT_FORMAT",
    "KEPT_UNIQUE",
    "clear_of_python_names",
    "field_aliases",
    "fold_single_all_of",
    "iter_schemas",
    "keep_plain_string_formats",
    "keep_unique_items",
    "name_enum_members",
    "narrow_enums",
    "needs_python_name",
]
