"""Names for the inline schemas datamodel-code-generator would number.

The models library names an inline schema after where it is (``Thread.status`` ->
``ThreadStatus``), but the variants of a union have no place of their own: it numbers them after
their parent (``RunStreamEventRunStreamEvent1`` ... ``9``, ``FineTuningJobHyperparametersNEpochs1``).
Here, in the document the library reads, each inline union variant it would make a class of is
moved to a component named by its context and what tells it apart from the other variants
(:func:`variant_labels`), and the union refers to it; the library uses a component's name as
it is. Two shapes are rewritten first, into the equivalent form the library names well:

* an ``allOf`` whose other members only annotate (``allOf: [{$ref: X}, {nullable: true}]``, an
  OpenAPI 3.0 idiom) is folded into its schema (``allOf: [{$ref: X}], nullable: true``): the
  library copied X's variants into a numbered class of its own;
* an ``allOf`` of one union (without null) and other members (``allOf: [{anyOf: [A, B]}, Extra]``)
  is the union of the variants each with the other members (``anyOf: [allOf: [A, Extra], allOf:
  [B, Extra]]``): the library numbered those subclasses;
* an object with properties whose union members only add to it (``properties: ..., oneOf:
  [{required: [a]}, {required: [b]}]``) is the union of the object with each member.

The rules, in the README's "Names": the same document gives the same names; a name is never one
a component already has (case-insensitively).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core import naming

SCHEMAS_PREFIX = "#/components/schemas/"

# Keywords that only describe a schema: an allOf member made of these adds no constraint.
_ANNOTATIONS = frozenset(
    {"nullable", "description", "title", "default", "readOnly", "writeOnly", "deprecated", "example", "examples", "$comment"}
)
# Keywords that make the library write a scalar or array union member as a RootModel class.
_CONSTRAINTS = frozenset(
    {"minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
     "minItems", "maxItems", "uniqueItems"}
)
# Keywords of an object schema that a union's members are checked against as well.
_OBJECT_KEYS = ("type", "properties", "required", "additionalProperties", "patternProperties", "minProperties",
                "maxProperties", "propertyNames", "unevaluatedProperties")
_TYPE_LABELS = {"integer": "Int", "number": "Number", "string": "String", "boolean": "Bool", "array": "List", "object": "Object"}


def name_inline_classes(schemas: dict[str, Any]) -> None:
    """Move every inline union variant the models library would make a class of to a component
    named from its context (see the module docstring); rewrites ``schemas`` in place."""
    namer = _Namer(schemas, {name.lower() for name in schemas})
    for name in list(schemas):
        namer.visit(schemas[name], name, set())


class _Namer:
    def __init__(self, schemas: dict[str, Any], taken: set[str]) -> None:
        self.schemas = schemas
        self.taken = taken
        # (its first name, the variant as it was) -> its component
        self.same: dict[str, str] = {}

    def visit(self, schema: Any, context: str, seen: set[int]) -> None:
        if not isinstance(schema, dict) or id(schema) in seen:
            return
        seen.add(id(schema))
        _fold_annotation_members(schema)
        _distribute_all_of(schema)
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list):
                self.union(schema, key, context, seen)
        props = schema.get("properties")
        for prop, sub in props.items() if isinstance(props, Mapping) else ():
            self.visit(sub, context + naming.pascal(str(prop)), seen)  # as the library: ThreadStatus
        for key, suffix in (("items", ""), ("additionalProperties", "Value"), ("not", "Not")):
            self.visit(schema.get(key), context + suffix, seen)
        for key in ("allOf", "prefixItems", "anyOf", "oneOf"):
            for member in schema.get(key) or () if isinstance(schema.get(key), list) else ():
                self.visit(member, context, seen)

    def union(self, schema: dict[str, Any], key: str, context: str, seen: set[int]) -> None:
        members: list[Any] = schema[key]
        parent = {k: schema[k] for k in _OBJECT_KEYS if k in schema}
        extends = any(k != "type" for k in parent)
        if extends:
            # the members add to the object: each variant is the object and the member, when
            # every member is an inline object schema (else the library's own merge is kept)
            if not all(isinstance(m, dict) and "$ref" not in m and not _is_null(m) for m in members):
                return
            variants: list[dict[str, Any] | None] = [_merged(parent, m) for m in members]
        else:
            variants = [m if isinstance(m, dict) and "$ref" not in m and not _is_null(m) else None for m in members]
        # what the library makes a class of: the variant itself, or (an array's) its items
        targets = [
            (i, v, "" if _becomes_class(v) else "items")
            for i, v in enumerate(variants)
            if v is not None and (_becomes_class(v) or _items_class(v))
        ]
        if len(targets) < 2 or (extends and len(targets) < len(members)):
            return  # one class: the library names it after its context, without a number
        labels = variant_labels([v for _, v, _ in targets], schema.get("discriminator"))
        if extends and not all(labels):
            return
        for (i, variant, part), label in zip(targets, labels, strict=True):
            if not label:
                continue  # nothing to name it by: the library's number
            titled = not part and _title(variant) == label and bool(_properties(variant))
            target = variant[part] if part else variant
            candidates = self.candidates(context, f"{label} item" if part else label, titled)
            # the same variant met again under the same (first) name is that class
            key = json.dumps([candidates[0], target], sort_keys=True, default=str)
            name = self.same.get(key)
            if name is None:
                name = self.same[key] = self.allocate(candidates)
                self.schemas[name] = target
                self.visit(target, name, seen)
            if part:
                variant[part] = {"$ref": SCHEMAS_PREFIX + name}
            else:
                members[i] = {"$ref": SCHEMAS_PREFIX + name}
        if extends:
            for k in parent:
                schema.pop(k, None)

    @staticmethod
    def candidates(context: str, label: str, titled: bool) -> list[str]:
        """The names a variant may take, best first: the title of an object variant as it is,
        then the context and its label (words are left out of the context, not the label: the
        label tells siblings apart)."""
        tail = naming.pascal(label)
        named = naming.shorten_class_name(context, max(naming.MAX_LENGTH - len(tail), 16)) + tail
        return [naming.pascal(label), named] if titled else [named]

    def allocate(self, candidates: list[str]) -> str:
        """The first candidate no component has; else the last one numbered."""
        name = next((c for c in candidates if c.lower() not in self.taken and not c.startswith("N_")), None)
        if name is None:
            base, n = candidates[-1], 2
            name = f"{base}{n}"
            while name.lower() in self.taken:
                n += 1
                name = f"{base}{n}"
        self.taken.add(name.lower())
        return name


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and (schema.get("type") == "null" or schema.get("enum") == [None])


def _becomes_class(schema: Mapping[str, Any]) -> bool:
    """Whether the models library writes a union member as a class of its own."""
    if schema.get("properties") or schema.get("patternProperties"):
        return True
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and (len(all_of) > 1 or any(isinstance(m, Mapping) and "$ref" not in m for m in all_of)):
        return True
    enum = schema.get("enum")
    if isinstance(enum, list) and any(v is not None for v in enum):
        return True
    kind = schema.get("type")
    return isinstance(kind, str) and kind in _TYPE_LABELS and kind != "object" and bool(_CONSTRAINTS & schema.keys())


def _items_class(schema: Mapping[str, Any]) -> bool:
    """Whether the library makes a class of the items of an array that is no class itself and
    numbers it: a discriminated union (a RootModel) named like the array's context."""
    items = schema.get("items")
    if schema.get("type") != "array" or not isinstance(items, dict) or "$ref" in items:
        return False
    union = any(isinstance(items.get(k), list) and len(items[k]) > 1 for k in ("anyOf", "oneOf"))
    return union and "discriminator" in items


def _merged(parent: Mapping[str, Any], member: Mapping[str, Any]) -> dict[str, Any]:
    """``parent``'s object keywords and ``member``, as one schema (both hold)."""
    out = copy.deepcopy(dict(parent))
    for key, value in member.items():
        if key == "properties" and isinstance(value, Mapping) and isinstance(out.get("properties"), Mapping):
            out["properties"] = {**out["properties"], **value}
        elif key == "required" and isinstance(value, list) and isinstance(out.get("required"), list):
            out["required"] = [*out["required"], *(r for r in value if r not in out["required"])]
        else:
            out[key] = value
    return out


def _fold_annotation_members(schema: dict[str, Any]) -> None:
    """``allOf: [{$ref: X}, {nullable: true}]`` -> ``allOf: [{$ref: X}], nullable: true``."""
    members = schema.get("allOf")
    if not isinstance(members, list) or len(members) < 2:
        return
    notes = [m for m in members if isinstance(m, dict) and m and not (m.keys() - _ANNOTATIONS)]
    if not notes or len(notes) == len(members):
        return
    for note in notes:
        for key, value in note.items():
            schema.setdefault(key, value)
    schema["allOf"] = [m for m in members if not any(m is n for n in notes)]


def _distribute_all_of(schema: dict[str, Any]) -> None:
    """``allOf: [{anyOf: [A, B]}, Extra]`` -> ``anyOf: [{allOf: [A, Extra]}, {allOf: [B, Extra]}]``."""
    members = schema.get("allOf")
    if not isinstance(members, list) or "anyOf" in schema or "oneOf" in schema:
        return
    unions = [
        m for m in members
        if isinstance(m, dict) and "$ref" not in m and ("anyOf" in m) != ("oneOf" in m)
        and isinstance(m.get("anyOf", m.get("oneOf")), list) and not (m.keys() - _ANNOTATIONS - {"anyOf", "oneOf", "discriminator"})
    ]
    if len(unions) != 1 or len(members) < 2:
        return
    union = unions[0]
    key = "anyOf" if "anyOf" in union else "oneOf"
    if any(_is_null(m) for m in union[key]):
        return  # null is no object: it would not meet the other members
    others = [m for m in members if m is not union]
    schema.pop("allOf")
    for k, v in union.items():
        if k != key:
            schema.setdefault(k, v)
    schema[key] = [{"allOf": [m, *copy.deepcopy(others)]} for m in union[key]]


def variant_labels(variants: Sequence[Mapping[str, Any]], discriminator: Any = None) -> list[str | None]:
    """What tells each variant of a union apart, as words for its name: the first of these that
    is distinct among the variants (per variant, in this order):

    1. its discriminator value: the one value it admits for the discriminator's property, else
       for a property every variant gives one value (``type`` first: ``{type: {const:
       auto}}`` -> ``Auto``; ``event: thread.run.created`` -> ``ThreadRunCreated``);
    2. the component it extends (``allOf: [{$ref: ResponseAudioDeltaEvent}, ...]``), of two or
       more the one not every variant extends (``[RuleCreation, RulesetInfo]`` -> ``RuleCreation``);
    3. the one value of an enum or const (``enum: [auto]`` -> ``Auto``);
    4. the properties it requires that not every other variant requires (``With`` and their
       names: ``WithFileIds``), else the properties only it has;
    5. its kind: ``Enum``, ``Int``, ``Number``, ``String``, ``Bool``, ``List``, ``Object``.

    Before these, its ``title``; an object variant's title is its name as it is when free
    (``allocate``). None where nothing tells it apart."""
    prop = _discriminating_property(variants, discriminator)
    rules: list[Callable[[Mapping[str, Any]], str | None]] = [
        _title,
        lambda v: _one_value(v, prop) if prop else None,
        lambda v: _extended(v, variants),
        _own_value,
        lambda v: _required_label(v, variants),
        _kind,
    ]
    labels: list[str | None] = [None] * len(variants)
    for rule in rules:
        found = [rule(v) if labels[i] is None else None for i, v in enumerate(variants)]
        words = [tuple(naming.words(f)) if f else () for f in found]
        for i, label in enumerate(found):
            if label and words[i] and words.count(words[i]) == 1 and not _label_taken(words[i], labels):
                labels[i] = label
        if all(labels):
            break
    return labels


def _label_taken(words: tuple[str, ...], labels: Sequence[str | None]) -> bool:
    return any(label is not None and tuple(naming.words(label)) == words for label in labels)


def _discriminating_property(variants: Sequence[Mapping[str, Any]], discriminator: Any) -> str | None:
    if isinstance(discriminator, Mapping) and isinstance(discriminator.get("propertyName"), str):
        return str(discriminator["propertyName"])
    common: set[str] | None = None
    for v in variants:
        props = {p for p in _properties(v) if _one_value(v, p) is not None}
        common = props if common is None else common & props
    if not common:
        return None
    return "type" if "type" in common else sorted(common)[0]


def _properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The properties ``schema`` declares itself or in its inline ``allOf`` members."""
    out: dict[str, Any] = {}
    for part in [schema, *(p for p in schema.get("allOf") or [] if isinstance(p, Mapping))]:
        props = part.get("properties")
        if isinstance(props, Mapping):
            out.update(props)
    return out


def _one_value(schema: Mapping[str, Any], prop: str) -> str | None:
    """The one value ``schema`` admits for the property ``prop``."""
    spec = _properties(schema).get(prop)
    return _own_value(spec) if isinstance(spec, Mapping) else None


def _own_value(schema: Mapping[str, Any]) -> str | None:
    if isinstance(schema.get("const"), str | int) and not isinstance(schema.get("const"), bool):
        return str(schema["const"])
    enum = schema.get("enum")
    if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str | int) and not isinstance(enum[0], bool):
        return str(enum[0])
    return None


def _extended(schema: Mapping[str, Any], variants: Sequence[Mapping[str, Any]]) -> str | None:
    """The one component it extends that not every variant extends."""
    refs = _refs(schema)
    shared = set.intersection(*(set(_refs(v)) for v in variants)) if len(refs) > 1 else set()
    own = [r for r in refs if r not in shared]
    return own[0][len(SCHEMAS_PREFIX):] if len(own) == 1 and own[0].startswith(SCHEMAS_PREFIX) else None


def _refs(schema: Mapping[str, Any]) -> list[str]:
    return [str(m["$ref"]) for m in schema.get("allOf") or [] if isinstance(m, Mapping) and isinstance(m.get("$ref"), str)]


def _required(schema: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for part in [schema, *(p for p in schema.get("allOf") or [] if isinstance(p, Mapping))]:
        out += [r for r in part.get("required") or [] if isinstance(r, str) and r not in out]
    return out


def _required_label(schema: Mapping[str, Any], variants: Sequence[Mapping[str, Any]]) -> str | None:
    others = [v for v in variants if v is not schema]
    own = [r for r in _required(schema) if not all(r in _required(o) for o in others)]
    if not own:
        own = [p for p in _properties(schema) if not any(p in _properties(o) for o in others)]
    return "with " + " ".join(own) if own else None


def _title(schema: Mapping[str, Any]) -> str | None:
    title = schema.get("title")
    return title if isinstance(title, str) and naming.words(title) else None


def _kind(schema: Any, depth: int = 0) -> str | None:
    """``Enum``, ``Int``, ... ``List`` after its items' kind (``StringList``, ``IntListList``)."""
    if not isinstance(schema, Mapping) or depth > 4:
        return None
    if isinstance(schema.get("$ref"), str):
        return str(schema["$ref"]).rpartition("/")[2]
    if isinstance(schema.get("enum"), list):
        return "Enum"
    kind = schema.get("type")
    if kind == "array":
        inner = _kind(schema.get("items"), depth + 1)
        return f"{inner} List" if inner else "List"
    if isinstance(kind, str):
        return _TYPE_LABELS.get(kind)
    return "Object" if _properties(schema) or schema.get("allOf") else None


# What a property's inline enum keeps for its field when the enum becomes a shared class.
_FIELD_KEYS = frozenset({"default", "title", "readOnly", "writeOnly", "deprecated", "example", "examples"})


def unify_enums(schemas: dict[str, Any]) -> None:
    """Make the identical inline enums of several properties one class.

    An enum written out in full in several places (the same values, type and description:
    ``RunCreateStateful.on_disconnect`` and ``RunCreateStateless.on_disconnect``) is moved to a
    component named by the words its places' names share at their start and end
    (``RunCreateOnDisconnect``; ``InterruptBefore`` for ``CronCreate.interrupt_before`` beside
    ``RunCreateStateful.interrupt_before``), else by its first place (when that name is free);
    each property refers to it, keeping its own default, title and description."""
    uses: dict[str, list[tuple[dict[str, Any], str, str]]] = {}
    seen: set[int] = set()
    places: set[str] = set()  # every property's place: names the library may give its classes

    def walk(schema: Any, context: str) -> None:
        if not isinstance(schema, dict) or id(schema) in seen:
            return
        seen.add(id(schema))
        props: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
        for prop, sub in list(props.items()):
            where = context + naming.pascal(str(prop))
            places.add(where.lower())
            if isinstance(sub, dict) and _plain_enum(sub):
                identity = json.dumps({k: v for k, v in sub.items() if k not in _FIELD_KEYS}, sort_keys=True, default=str)
                uses.setdefault(identity, []).append((props, str(prop), where))
            else:
                walk(sub, where)
        for key, suffix in (("items", ""), ("additionalProperties", "Value")):
            walk(schema.get(key), context + suffix)
        for key in ("allOf", "anyOf", "oneOf"):
            for member in schema.get(key) or () if isinstance(schema.get(key), list) else ():
                walk(member, context)

    for name in list(schemas):
        walk(schemas[name], name)
    taken = {name.lower() for name in schemas}
    for group in uses.values():
        if len(group) < 2:
            continue
        contexts = [where for _, _, where in group]
        values = [v for v in group[0][0][group[0][1]]["enum"] if v is not None]
        value = str(values[0]) if len(values) == 1 else None
        own = {c.lower() for c in contexts}
        shared = next(
            (n for n in [*_shared_names(contexts, value), contexts[0]] if n.lower() not in taken and (n.lower() in own or n.lower() not in places)),
            None,
        )
        if shared is None:
            continue
        taken.add(shared.lower())
        first = group[0][0][group[0][1]]
        schemas[shared] = {k: v for k, v in first.items() if k not in _FIELD_KEYS}
        for props, prop, _ in group:
            kept = {k: v for k, v in props[prop].items() if k in _FIELD_KEYS or k == "description"}
            props[prop] = {"$ref": SCHEMAS_PREFIX + shared, **kept}


def _plain_enum(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and isinstance(schema.get("enum"), list)
        and any(v is not None for v in schema["enum"])
        and not ({"$ref", "allOf", "anyOf", "oneOf", "properties", "items"} & schema.keys())
    )


def _shared_names(names: Sequence[str], value: str | None = None) -> list[str]:
    """Names made of the words all ``names`` end with (at least one) after the words they all
    start with, then after fewer of those (``RunsCancelWithStatus`` taken -> ``RunsCancelStatus``);
    a one-word name gets the one ``value`` of an enum, where given, before it (``AutoType`` for
    ``type: {enum: [auto]}``)."""
    split = [naming.class_name_words(n) for n in names]
    shortest = min(len(words) for words in split)
    lead = 0
    while lead < shortest and len({words[lead] for words in split}) == 1:
        lead += 1
    tail = 0
    while tail < shortest - lead and len({words[-1 - tail] for words in split}) == 1:
        tail += 1
    if not tail:
        return []
    end = split[0][len(split[0]) - tail:]
    if not lead and tail == 1:  # one word (Type): the value says which
        end = [naming.pascal(w) for w in naming.words(value or "") if w not in naming.words(end[0])] + end
    return [naming.shorten_class_name("".join(split[0][:n] + end)) for n in range(lead, 0 if lead else -1, -1)]
