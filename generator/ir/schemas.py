"""Schema typing: which spec schemas become model classes, and the Python type of the rest.

One classification serves two passes, so they can never disagree:

* **plan** (before the models stage): every inline schema at an operation boundary (parameter,
  request body, response, response header) that needs a class is *hoisted*: copied under
  ``components/schemas`` with a deterministic name, so datamodel-code-generator makes a class
  for it and reports the class name in its model metadata;
* **build** (after the models stage): the same walk turns each schema into a :class:`TypeRef`,
  looking class names up in the one mapping ``class_by_ref`` (source ``$ref`` -> class name).

Simple shapes stay plain annotations: primitives (with formats), arrays, string-keyed maps,
nullable variants, inline enums of scalars (``Literal``), and unions of such.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from ..core.pointers import MISSING, follow_pointer, unescape_pointer
from ..core.pointers import pointer as make_pointer
from .model import ANY, CONSTRAINT_KEYWORDS, NONE, TypeKind, TypeRef, union

SCHEMAS_PREFIX = "#/components/schemas/"

_STRING_FORMATS = {
    "uuid": "UUID",
    "date-time": "datetime",
    "date": "date",
    "time": "time",
    "binary": "bytes",
}
_SCALARS = {"integer": "int", "number": "float", "boolean": "bool", "string": "str"}
_MAX_DEPTH = 64

# Given (pointer of an inline schema, the schema, a name hint) return its NAMED type.
Namer = Callable[[str, Mapping[str, Any], str], TypeRef]


def resolve_pointer(document: Mapping[str, Any], ref: str) -> Any:
    """The value at an internal ``#/...`` reference, or None if it does not exist."""
    node = follow_pointer(document, unescape_pointer(ref))
    return None if node is MISSING else node


@dataclass
class SchemaTyper:
    """Turns schemas into TypeRefs; what needs a class is delegated to ``namer``."""

    document: Mapping[str, Any]
    namer: Namer
    class_by_ref: Mapping[str, str] = field(default_factory=dict)
    unwrap_collections: bool = False  # the build pass: collection_of answers (never while planning)

    def type_of(self, schema: Any, ptr: str, hint: str, depth: int = 0) -> TypeRef:
        if depth > _MAX_DEPTH or not isinstance(schema, Mapping):
            return ANY
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._ref(ref, hint, depth)
        if "const" in schema and _is_scalar(schema["const"]):
            return TypeRef(TypeKind.LITERAL, literal=(schema["const"],))
        types = schema.get("type")
        nullable = schema.get("nullable") is True
        if isinstance(types, list):
            nullable = nullable or "null" in types
            types = [t for t in types if t != "null"]
            if len(types) == 1:
                types = types[0]
            elif not types:
                return NONE
            else:
                return self._wrap_null(self.namer(ptr, schema, hint), nullable)
        if "enum" in schema:
            values = tuple(v for v in schema["enum"] if v is not None)
            if None in schema["enum"]:
                nullable = True
            if values and all(_is_scalar(v) for v in values) and not _has_object_keys(schema):
                return self._wrap_null(TypeRef(TypeKind.LITERAL, literal=values), nullable)
        for key in ("anyOf", "oneOf"):
            members = schema.get(key)
            if isinstance(members, list) and members and not _has_object_keys(schema):
                if len(members) == 1:
                    return self._wrap_null(self.type_of(members[0], f"{ptr}/{key}/0", hint, depth + 1), nullable)
                simple = [m for m in members if not _is_null(m)]
                if len(simple) < len(members):
                    nullable = True
                if len(simple) == 1:
                    inner = self.type_of(simple[0], f"{ptr}/{key}/{members.index(simple[0])}", hint, depth + 1)
                    return self._wrap_null(inner, nullable)
                if "discriminator" not in schema and all(_is_plain(m) for m in simple):
                    parts = [
                        self.type_of(m, f"{ptr}/{key}/{i}", f"{hint}Variant{i}", depth + 1)
                        for i, m in enumerate(members)
                        if not _is_null(m)
                    ]
                    return self._wrap_null(union(*parts), nullable)
                return self._wrap_null(self.namer(ptr, schema, hint), nullable)
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and all_of:
            if len(all_of) == 1 and not _has_object_keys(schema):
                return self._wrap_null(self.type_of(all_of[0], f"{ptr}/allOf/0", hint, depth + 1), nullable)
            return self._wrap_null(self.namer(ptr, schema, hint), nullable)
        if types == "null":
            return NONE
        if types == "array" or (types is None and "items" in schema):
            items = schema.get("items")
            inner = self.type_of(items, f"{ptr}/items", hint + "Item", depth + 1) if items is not None else ANY
            return self._wrap_null(TypeRef(TypeKind.LIST, args=(inner,), constraints=constraints_of(schema, "list")), nullable)
        if types == "object" or (types is None and _has_object_keys(schema)):
            if schema.get("properties") or schema.get("patternProperties"):
                return self._wrap_null(self.namer(ptr, schema, hint), nullable)
            extra = schema.get("additionalProperties")
            value = (
                self.type_of(extra, f"{ptr}/additionalProperties", hint + "Value", depth + 1)
                if isinstance(extra, Mapping)
                else ANY
            )
            return self._wrap_null(TypeRef(TypeKind.DICT, args=(value,), constraints=constraints_of(schema, "dict")), nullable)
        if isinstance(types, str) and types in _SCALARS:
            name = _SCALARS[types]
            if types == "string":
                name = _STRING_FORMATS.get(str(schema.get("format", "")), "str")
                if schema.get("contentEncoding") == "base64" or schema.get("contentMediaType"):
                    name = "bytes" if schema.get("format") == "binary" else name
            kept = constraints_of(schema, name)
            if types == "number":  # as the models have it (models.keep_wire_values): 5 stays 5
                return self._wrap_null(union(_constrained("int", kept), _constrained("float", kept)), nullable)
            return self._wrap_null(_constrained(name, kept), nullable)
        return ANY

    def collection_of(self, schema: Any, hint: str) -> TypeRef | None:
        """The ``list[...]``/``dict[str, ...]`` type of ``schema`` when it is a ``$ref`` to the
        class of a plain array or string-keyed map (a RootModel of a list or dict), else None."""
        ref = schema.get("$ref") if self.unwrap_collections and isinstance(schema, Mapping) else None
        key = ref[ref.index("#"):] if isinstance(ref, str) and "#" in ref else None
        if key is None or key not in self.class_by_ref:
            return None
        target = resolve_pointer(self.document, key)
        if not isinstance(target, Mapping) or target.get("type") not in ("array", "object") or any(
            k in target for k in ("$ref", "allOf", "anyOf", "oneOf", "enum", "const", "nullable", "properties", "patternProperties")
        ):
            return None
        inner = self.type_of(target, key.removeprefix("#"), hint)
        if inner.kind not in (TypeKind.LIST, TypeKind.DICT) or any(t.kind is TypeKind.ANY for t in inner.walk()):
            return None  # an item type without a class of its own is not worth losing the class for
        return inner.unconstrained()  # what is returned: the class checks the constraints

    def _ref(self, ref: str, hint: str, depth: int) -> TypeRef:
        key = ref[ref.index("#"):] if "#" in ref else ref
        if key in self.class_by_ref:
            return TypeRef(TypeKind.NAMED, self.class_by_ref[key])
        target = resolve_pointer(self.document, key) if key.startswith("#") else None
        if target is None:
            return ANY
        return self.type_of(target, key.removeprefix("#"), hint, depth + 1)

    @staticmethod
    def _wrap_null(t: TypeRef, nullable: bool) -> TypeRef:
        return union(t, NONE) if nullable else t


# String formats with no Python type of their own (uuid, date-time... have one) kept in the
# JSON schema of a value (the mock makes values of them; /openapi.json shows them).
KEPT_FORMATS = frozenset(
    {"email", "idn-email", "uri", "iri", "uri-reference", "iri-reference", "uri-template", "hostname",
     "idn-hostname", "ipv4", "ipv6", "json-pointer", "relative-json-pointer", "regex", "duration", "byte", "base64"}
)
# JSON Schema keyword -> ``Constraints`` keyword, by the Python type it constrains.
_LENGTHS = {
    "str": (("minLength", "min_length"), ("maxLength", "max_length")),
    "list": (("minItems", "min_length"), ("maxItems", "max_length")),
    "dict": (("minProperties", "min_length"), ("maxProperties", "max_length")),
}
_NUMBERS = frozenset({"int", "float"})


def constraints_of(schema: Mapping[str, Any], python: str) -> tuple[tuple[str, str | int | float | bool], ...]:
    """What ``schema`` asks of a value of the Python type ``python`` beyond the type, as
    ``Constraints`` keywords (:data:`oapigen.ir.model.CONSTRAINT_KEYWORDS`, in their order):
    lengths and item counts, bounds (3.0's boolean ``exclusiveMinimum`` too), ``multipleOf``,
    a ``pattern`` Python's ``re`` compiles, a kept ``format``, ``uniqueItems``."""
    found: dict[str, str | int | float | bool] = {}
    for keyword, name in _LENGTHS.get(python, ()):
        value = schema.get(keyword)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            found[name] = value
    if python in _NUMBERS:
        for keyword, inclusive, exclusive in (("minimum", "ge", "gt"), ("maximum", "le", "lt")):
            value = schema.get(keyword)
            if _finite(value):
                found[exclusive if schema.get("exclusive" + keyword[:1].upper() + keyword[1:]) is True else inclusive] = value
        for keyword, exclusive in (("exclusiveMinimum", "gt"), ("exclusiveMaximum", "lt")):
            if _finite(schema.get(keyword)):
                found[exclusive] = schema[keyword]
        if _finite(schema.get("multipleOf")) and schema["multipleOf"] > 0:
            found["multiple_of"] = schema["multipleOf"]
    if python == "str":
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and _compiles(pattern):
            found["pattern"] = pattern
        if schema.get("format") in KEPT_FORMATS:
            found["format_name"] = str(schema["format"])
    if python == "list" and schema.get("uniqueItems") is True:
        found["unique"] = True
    return tuple((k, found[k]) for k in CONSTRAINT_KEYWORDS if k in found)


def _constrained(name: str, constraints: tuple[tuple[str, str | int | float | bool], ...]) -> TypeRef:
    return TypeRef(TypeKind.PRIMITIVE, name, constraints=constraints)


def _finite(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _is_scalar(value: Any) -> bool:
    """A value a ``Literal[...]`` can hold: strings, ints, bools and finite floats (YAML's ``.nan``
    and ``.inf`` have no literal)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int | bool)


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and (schema.get("type") == "null" or schema.get("enum") == [None])


def _has_object_keys(schema: Mapping[str, Any]) -> bool:
    return any(k in schema for k in ("properties", "additionalProperties", "patternProperties", "required"))


def _is_plain(schema: Any) -> bool:
    """A union member that reads fine as an annotation: a $ref or a scalar-ish schema."""
    if not isinstance(schema, Mapping):
        return False
    if "$ref" in schema:
        return True
    t = schema.get("type")
    return isinstance(t, str) and t in _SCALARS | {"array": "", "null": ""} and not _has_object_keys(schema)


@dataclass
class HoistPlan:
    """Inline schemas copied under components/schemas: location pointer -> component name."""

    components: dict[str, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)  # lower-cased: names must differ in more than case

    def namer(self, document: dict[str, Any]) -> Namer:
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        self.taken.update(name.lower() for name in schemas)

        def allocate(ptr: str, schema: Mapping[str, Any], hint: str) -> TypeRef:
            if ptr in self.components:
                return TypeRef(TypeKind.NAMED, self.components[ptr])
            name, n = hint, 2
            while name.lower() in self.taken:
                name = f"{hint}{n}"
                n += 1
            self.taken.add(name.lower())
            self.components[ptr] = name
            schemas[name] = dict(schema)
            return TypeRef(TypeKind.NAMED, name)

        return allocate

    def lookup(self, class_by_ref: Mapping[str, str]) -> Namer:
        def find(ptr: str, schema: Mapping[str, Any], hint: str) -> TypeRef:
            component = self.components.get(ptr)
            cls = class_by_ref.get(SCHEMAS_PREFIX + component) if component else None
            return TypeRef(TypeKind.NAMED, cls) if cls else ANY

        return find


def component_ref(name: str) -> str:
    return "#" + make_pointer("components", "schemas", name)


def component_classes(document: Mapping[str, Any]) -> dict[str, str]:
    """For the plan pass: every component schema is a class already, named by its key."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    return {component_ref(name): name for name in schemas} if isinstance(schemas, Mapping) else {}
