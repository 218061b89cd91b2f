"""Mock answers: the spec's example, or a value synthesized from the JSON schema of a type.

Values are deterministic for a seed (the runtime derives it from the request) and are checked
against the type before they are used: a synthesized value that does not validate is tried
again with another seed and fewer optional parts.

Schemas of any depth: pydantic's JSON schema generation recurses (a few dozen frames a model),
so each model's schema is generated on its own, with the models it refers to as stubs, and the
synthesizer walks schemas with a stack of its own rather than Python's.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import importlib
import json
import random
import re
import string
import urllib.parse
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticSerializationError, core_schema, to_json

_ATTEMPTS = 8
_DEEP = 4  # below this depth: no optional properties, as few items as allowed
_DEEPEST = 1000  # a schema nesting deeper than this (required recursion) has no value
_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
_MODEL = "x-oapigen-model"  # key of a stub standing for a model in a JSON schema

# The standard library's parser of regular expressions (``re._parser``, Python 3.11+), through
# which a string matching a ``pattern`` is made.
try:
    _REGEX: Any = importlib.import_module("re._parser")
except (
    ImportError
):  # pragma: no cover - another Python: patterns get the plain candidates
    _REGEX = None


class MockError(Exception):
    """No value of the type could be synthesized."""


@functools.cache
def adapter(tp: Any) -> TypeAdapter[Any]:
    """A (cached) pydantic adapter for an annotation: validation, JSON, JSON schema."""
    return TypeAdapter(tp)


class _OneModel(GenerateJsonSchema):
    """Pydantic's JSON schema generator expanding only the model ``expand`` (None: none): every
    other model becomes a stub ``{_MODEL: cls}``, expanded by the synthesizer when it gets
    there."""

    expand: Any = None

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        if schema["cls"] is self.expand:
            return super().model_schema(schema)
        return {_MODEL: schema["cls"]}


@functools.cache
def _schema(tp: Any) -> dict[str, Any]:
    generator = type("_OneModel", (_OneModel,), {"expand": tp})
    return adapter(tp).json_schema(schema_generator=generator)


def value(
    tp: Any, seed: int, *, example: tuple[bool, Any], echo: Mapping[str, Any]
) -> Any:
    """A value of ``tp``: the example if it validates, else a synthesized one.

    Top-level fields of an object (or of each object in a list) named like a key of ``echo``
    (the request's path parameters and JSON body fields) take the request's value when it
    keeps the answer valid and can be sent: never a ``writeOnly`` field, never a null inside
    an echoed object (the models accept null for optional fields where the spec may not),
    never a value JSON cannot carry (a lone surrogate, nesting too deep to encode).
    """
    ta = adapter(tp)
    has_example, sample = example
    if has_example:
        try:
            return ta.validate_python(sample)
        except ValidationError:
            pass  # the spec's example does not fit its own schema: synthesize instead
    schema = _schema(tp)
    result, data = _synthesized(ta, schema, seed)
    return _echo(ta, schema, data, result, echo, deep=False) if echo else result


def error_value(tp: Any, status: int, message: str) -> Any:
    """A value of an error body's type carrying ``message`` and ``status`` where it fits: in
    fields named like a message or a code at any depth; enum values naming a request error
    (4xx) or a server error (5xx) are preferred."""
    ta = adapter(tp)
    schema = _schema(tp)
    prefer = _CLIENT_ERROR if status < 500 else _SERVER_ERROR
    result, data = _synthesized(ta, schema, status, prefer=prefer)
    fields = {
        **dict.fromkeys(_MESSAGE_FIELDS, message),
        **dict.fromkeys(_STATUS_FIELDS, status),
    }
    return _echo(ta, schema, data, result, fields, deep=True)


_MESSAGE_FIELDS = (
    "message",
    "detail",
    "description",
    "error",
    "error_description",
    "msg",
    "title",
)
_STATUS_FIELDS = ("code", "status", "status_code", "statusCode")
_CLIENT_ERROR = ("invalid", "request", "validation", "client", "bad")
_SERVER_ERROR = ("server", "internal", "api")


def _synthesized(
    ta: TypeAdapter[Any],
    schema: dict[str, Any],
    seed: int,
    prefer: tuple[str, ...] = (),
) -> tuple[Any, Any]:
    """A synthesized value that validates, and the data it was validated from."""
    for attempt in range(_ATTEMPTS):
        rng = random.Random(seed + attempt)
        data = _Synthesizer(rng, rich=attempt < _ATTEMPTS // 2, prefer=prefer).run(
            schema
        )
        try:
            return ta.validate_python(data), data
        except ValidationError:
            continue
    raise MockError(f"no value synthesized for {ta!r} validates")


def _echo(
    ta: TypeAdapter[Any],
    schema: Mapping[str, Any],
    data: Any,
    result: Any,
    echo: Mapping[str, Any],
    *,
    deep: bool,
) -> Any:
    """``data`` (``result`` validated) with each echoed field that keeps it valid, validated;
    ``deep``: into the objects at any depth, else the top-level ones."""
    objects = list(_all_objects(data)) if deep else _objects(data)
    write_only = _write_only(schema)
    for key, sent in echo.items():
        targets = [o for o in objects if key in o]
        if key in write_only or not targets:
            continue
        sent = _echoable(sent)
        if sent is None:
            continue
        saved = [o[key] for o in targets]
        for o in targets:
            o[key] = sent
        try:
            result = ta.validate_python(data)
        except ValidationError:
            for o, old in zip(targets, saved, strict=True):
                o[key] = old
    return result


def _echoable(sent: Any) -> Any:
    """``sent`` as it may be echoed (None: not at all): without the null members of its
    objects; None when JSON cannot carry it."""
    if sent is None:
        return None
    try:
        return json.loads(to_json(sent), object_hook=_without_nulls)
    except (PydanticSerializationError, ValueError, RecursionError):
        return None


def _without_nulls(members: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in members.items() if v is not None}


def _objects(data: Any) -> list[dict[str, Any]]:
    """What is echoed into: ``data`` itself, or the objects of a list."""
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    return []


def _all_objects(data: Any) -> Iterator[dict[str, Any]]:
    """The objects in ``data`` at any depth, outermost first."""
    pending = [data]
    while pending:
        item = pending.pop(0)
        if isinstance(item, dict):
            yield item
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _resolve(
    schema: Any, defs: Mapping[str, Any]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """``schema`` with its references and model stubs followed, and the definitions its own
    references name."""
    for _ in range(64):
        if not isinstance(schema, Mapping):
            return {}, defs
        if _MODEL in schema:
            outer = _schema(schema[_MODEL])
            schema, defs = outer, outer.get("$defs", {})
        elif isinstance(schema.get("$ref"), str):
            schema = defs.get(schema["$ref"].rsplit("/", 1)[-1])
        else:
            return schema, defs
    return {}, defs


def _write_only(schema: Mapping[str, Any]) -> frozenset[str]:
    """The ``writeOnly`` properties of the objects echoed into (of ``schema``, or its items)."""
    target, defs = _resolve(schema, schema.get("$defs", {}))
    if target.get("type") == "array":
        target, defs = _resolve(target.get("items"), defs)
    properties = target.get("properties", {})
    return frozenset(
        name
        for name, sub in properties.items()
        if isinstance(sub, Mapping) and sub.get("writeOnly")
    )


def header_value(
    name: str,
    tp: Any,
    path: str,
    seed: int,
    *,
    link: str | None = None,
    link_types: Mapping[str, Any] | None = None,
    values: Sequence[Mapping[str, Any]] = (),
) -> str:
    """A declared response header. ``Location`` and ``Content-Location`` name ``link`` (a path
    of the API, chosen by the generator) with each ``{parameter}`` taken from the first of
    ``values`` (the request's path parameters, the answer's top-level fields) that has it, else
    synthesized from its type in ``link_types``; without a link, the request's path. Other
    headers are synthesized from their type."""
    if name.lower() in ("location", "content-location"):
        if link is None:
            return path
        types = link_types or {}
        offsets = {key: n for n, key in enumerate(types)}  # one seed per parameter

        def fill(match: re.Match[str]) -> str:
            key = match[1]
            found = next((v[key] for v in values if _scalar(v.get(key))), None)
            if found is None:
                ptype = types.get(key, str)
                made = value(
                    ptype, seed + offsets.get(key, 0), example=(False, None), echo={}
                )
                found = _text(ptype, made)
            return urllib.parse.quote(str(found), safe="")

        return _PARAMETER.sub(fill, link)
    return _text(tp, value(tp, seed, example=(False, None), echo={}))


_PARAMETER = re.compile(r"{([^{}]+)}")


def _scalar(found: Any) -> bool:
    return isinstance(found, str | int | float) and not isinstance(found, bool)


def wire_data(tp: Any, made: Any) -> Any:
    """A value of ``tp`` as JSON data the way the server sends it (``_server_runtime`` dumps
    answers with ``exclude_unset``): a field the value was not given stays out, where a plain
    dump writes its default (null for an optional property that may not be null)."""
    return adapter(tp).dump_python(made, mode="json", by_alias=True, exclude_unset=True)


def _text(tp: Any, made: Any) -> str:
    """A value as it is written in a header or a path: JSON, without the quotes of a string."""
    if isinstance(made, str):
        return made
    return adapter(tp).dump_json(made).decode().strip('"')


# -- server-sent events ---------------------------------------------------------------------

DEFAULT_EVENT = "message"
"""The name of a mock event the spec names no event for (the default type of SSE itself)."""
_SSE_FIELDS = frozenset({"event", "data", "id", "retry"})
_EVENTS = 3  # at least this many events in a mock stream


def events(
    tp: Any, seed: int, *, example: tuple[bool, Any], names: tuple[str, ...] = ()
) -> list[tuple[str, Any]]:
    """The (name, data) of each event of a mock stream of ``tp``, the type of the stream's schema.

    * An example written as SSE text (``event: ...`` / ``data: ...`` lines): its events, data
      JSON-decoded where it parses (else sent as a JSON string).
    * A schema of one event (an object whose properties are among ``event``, ``data``, ``id``
      and ``retry``, with ``data``; or a union of such objects: the convention of OpenAPI 3.2's
      ``itemSchema`` and of 3.0/3.1 specs): one event per name its ``event`` property allows
      (``const`` or ``enum``), at least three, cycling; the data synthesized from ``data``.
    * Else the schema is that of each event's data, named by the spec's ``x-sse-events`` hint
      (``names``, cycling) or :data:`DEFAULT_EVENT`; a plain string schema (the stream's text,
      as FastAPI documents a streaming response) or an open one gives ``{}``.
    """
    has_example, sample = example
    if has_example and isinstance(sample, str):
        parsed = _sse_text(sample)
        if parsed:
            return parsed
    schema = _schema(tp)
    kinds = _event_kinds(schema, schema)
    if kinds:
        count = max(_EVENTS, len(kinds))
        return [_event(tp, kinds[n % len(kinds)], seed + n) for n in range(count)]
    labels = names or (DEFAULT_EVENT,)
    count = max(_EVENTS, len(labels))
    if _plain_text(schema):
        return [(labels[n % len(labels)], {}) for n in range(count)]
    made = [value(tp, seed + n, example=example, echo={}) for n in range(count)]
    return [(labels[n % len(labels)], wire_data(tp, m)) for n, m in enumerate(made)]


def items(tp: Any, seed: int, *, example: tuple[bool, Any]) -> list[Any]:
    """The items of a mock JSON-lines stream of ``tp`` (the item type): the spec's example when
    every item of it fits (a list of items, NDJSON text or one item), else a few synthesized.
    """
    has_example, sample = example
    if has_example:
        if isinstance(sample, str):
            lines = [text for text in re.split(r"[\r\n\x1e]+", sample) if text.strip()]
            try:
                sample = [json.loads(text) for text in lines]
            except ValueError:
                sample = None
        listed = sample if isinstance(sample, list) else [sample]
        try:
            return [adapter(tp).validate_python(item) for item in listed]
        except ValidationError:
            pass  # the example does not fit: synthesize instead
    return [value(tp, seed + n, example=(False, None), echo={}) for n in range(_EVENTS)]


def _sse_text(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for block in re.split(r"(?:\r\n|\r|\n){2,}", text.strip()):
        name, data = DEFAULT_EVENT, []
        for line in re.split(r"\r\n|\r|\n", block):
            field, _, rest = line.partition(":")
            rest = rest.removeprefix(" ")
            if field == "event" and rest:
                name = rest
            elif field == "data":
                data.append(rest)
        if data:
            joined = "\n".join(data)
            try:
                out.append((name, json.loads(joined)))
            except ValueError:
                out.append((name, joined))
    return out


def deref(schema: Any, root: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema`` with its references (into ``root``'s definitions) and model stubs followed;
    ``{}`` for no schema or a reference to none. The one reference follower of the server's
    runtime (``_server_requests`` reads request schemas with it)."""
    return _resolve(schema, root.get("$defs", {}))[0]


def _event_kinds(schema: Any, root: Mapping[str, Any]) -> list[tuple[str | None, Any]]:
    """(name, schema of the event object) for each event a schema of one event allows; [] when
    ``schema`` is not the schema of an event."""
    schema = deref(schema, root)
    if not isinstance(schema, Mapping):
        return []
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        concrete = [deref(b, root) for b in branches]
        kinds = [
            _event_kinds(b, root)
            for b in concrete
            if not (isinstance(b, Mapping) and b.get("type") == "null")
        ]
        return [k for ks in kinds for k in ks] if kinds and all(kinds) else []
    properties = schema.get("properties")
    if (
        not isinstance(properties, Mapping)
        or "data" not in properties
        or not set(properties) <= _SSE_FIELDS
    ):
        return []
    name = deref(properties.get("event", {}), root)
    names = _names(name, root) if isinstance(name, Mapping) else []
    return [(n, schema) for n in names] or [(None, schema)]


def _names(schema: Mapping[str, Any], root: Mapping[str, Any]) -> list[str]:
    if isinstance(schema.get("const"), str):
        return [schema["const"]]
    if isinstance(schema.get("enum"), list):
        return [n for n in schema["enum"] if isinstance(n, str)]
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    return [n for b in branches for n in _names(deref(b, root), root)]


def _event(tp: Any, kind: tuple[str | None, Any], seed: int) -> tuple[str, Any]:
    """One event of a schema of events: an object of the kind's schema with the kind's name,
    validated against the stream's type."""
    name, schema = kind
    root = _schema(tp)
    ta = adapter(tp)
    for attempt in range(_ATTEMPTS):
        rng = random.Random(seed + attempt)
        defs = {
            **root.get("$defs", {}),
            **schema.get("$defs", {}),
        }  # an expanded model's own
        made = _Synthesizer(rng, rich=attempt < _ATTEMPTS // 2).run(schema, defs)
        if not isinstance(made, dict):
            break
        if name is not None:
            made["event"] = name
        try:
            checked = wire_data(tp, ta.validate_python(made))
        except ValidationError:
            continue
        if isinstance(checked, dict):
            return str(checked.get("event") or name or DEFAULT_EVENT), checked.get(
                "data"
            )
    raise MockError(f"no event synthesized for {tp!r} validates")


def _plain_text(schema: Mapping[str, Any]) -> bool:
    """A plain string schema (no enum, format or pattern), or one that allows anything."""
    if not schema or set(schema) <= {"title", "description"}:
        return True
    return schema.get("type") == "string" and not set(schema) & {
        "enum",
        "const",
        "format",
        "pattern",
    }


def _moment(rng: random.Random) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))


def _base64(rng: random.Random) -> str:
    return base64.b64encode(rng.choice(_WORDS).encode()).decode()


# String formats (as pydantic writes them in JSON schemas, or as the models keep them from the
# spec where their type is a plain str) -> a value maker.
_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "date-time": lambda rng: _moment(rng).isoformat(),
    "date": lambda rng: _moment(rng).date().isoformat(),
    "time": lambda rng: _moment(rng).time().isoformat(),
    "duration": lambda rng: f"PT{rng.randrange(1, 3600)}S",
    "email": lambda rng: f"{rng.choice(_WORDS)}@example.com",
    "idn-email": lambda rng: f"{rng.choice(_WORDS)}@example.com",
    "uri": lambda rng: f"https://example.com/{rng.choice(_WORDS)}",
    "iri": lambda rng: f"https://example.com/{rng.choice(_WORDS)}",
    "uri-reference": lambda rng: f"/{rng.choice(_WORDS)}",
    "iri-reference": lambda rng: f"/{rng.choice(_WORDS)}",
    "uri-template": lambda rng: f"https://example.com/{rng.choice(_WORDS)}",
    "hostname": lambda rng: "example.com",
    "idn-hostname": lambda rng: "example.com",
    "ipv4": lambda rng: f"192.0.2.{rng.randrange(1, 255)}",
    "ipv6": lambda rng: "2001:db8::1",
    "json-pointer": lambda rng: f"/{rng.choice(_WORDS)}/0",
    "relative-json-pointer": lambda rng: f"0/{rng.choice(_WORDS)}",
    "regex": lambda rng: "^[a-z]+$",
    "base64": _base64,
    "byte": _base64,
}

# What a (sub-)schema asks the synthesizer for: a schema, the definitions its references name,
# its depth, whether it is an optional property.
_Request = tuple[Any, Mapping[str, Any], int, bool]
_Step = Generator[_Request, Any, Any]


class _Synthesizer:
    """Walks a JSON schema (pydantic's dialect) and makes one value of it.

    Each schema is a step (a generator) that yields the sub-schemas it needs and is sent their
    values; :meth:`run` keeps the steps on a stack of its own: no depth is too deep for it.
    """

    def __init__(
        self, rng: random.Random, *, rich: bool, prefer: tuple[str, ...] = ()
    ) -> None:
        self.rng = rng
        self.rich = rich
        self.prefer = prefer

    def run(
        self, schema: Mapping[str, Any], defs: Mapping[str, Any] | None = None
    ) -> Any:
        """A value of ``schema`` (its references into ``defs``, by default its own ``$defs``)."""
        steps = [
            self.value(
                schema, schema.get("$defs", {}) if defs is None else defs, 0, False
            )
        ]
        sent: Any = None
        while steps:
            try:
                request = steps[-1].send(sent)
            except StopIteration as done:
                steps.pop()
                sent = done.value
                continue
            steps.append(self.value(*request))
            sent = None
        return sent

    def value(
        self, schema: Any, defs: Mapping[str, Any], depth: int, optional: bool
    ) -> _Step:
        """A value of ``schema``; ``optional``: of a property that may be left out, never null
        (the models accept null there, the spec may not)."""
        schema, defs = _resolve(schema, defs)
        if not schema or depth > _DEEPEST:
            return None if depth > _DEEPEST else {}
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self.choice(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                options = _with_siblings(schema, schema[key])
                return (yield from self.union(options, defs, depth, optional))
        if schema.get("allOf"):
            parts = []
            for sub in schema["allOf"]:
                parts.append((yield sub, defs, depth + 1, False))
            if all(isinstance(p, dict) for p in parts):
                return {k: v for p in parts for k, v in p.items()}
            return parts[0]
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        match kind:
            case "object":
                return (yield from self.object(schema, defs, depth))
            case "array":
                return (yield from self.array(schema, defs, depth))
            case "string":
                return self.string(schema)
            case "integer":
                return self.integer(schema)
            case "number":
                return self.number(schema)
            case "boolean":
                return self.rng.random() < 0.5
            case "null":
                return None
        return {}  # any JSON value

    def choice(self, options: list[Any]) -> Any:
        """One of ``options``: one naming a preferred word when there is one."""
        preferred = [
            o
            for o in options
            if isinstance(o, str) and any(w in o.lower() for w in self.prefer)
        ]
        return self.rng.choice(preferred or options)

    def union(
        self, options: list[Any], defs: Mapping[str, Any], depth: int, optional: bool
    ) -> _Step:
        """A value of one branch valid under no other, when one can be made: the spec's
        ``oneOf`` means exactly one (the models' unions take the first member that fits, and
        pydantic writes ``anyOf``; one branch only satisfies ``anyOf`` too). The branches are
        tried in a random order, null last (never for an optional property); when none gives
        such a value, an optional property is left out (:data:`_OMIT`), else the first value
        made is kept."""
        first = self._branch(options, depth, optional)
        made = yield first, defs, depth + 1, False
        if len(options) < 2 or _alone(made, first, options, defs):
            return made
        others = [o for o in options if o is not first and not _is_null(o)]
        self.rng.shuffle(others)
        if not optional:
            others += [o for o in options if o is not first and _is_null(o)]
        tries: list[tuple[Any, Any]] = []
        for branch in [first, *others]:
            if not _resolve(branch, defs)[
                0
            ]:  # any value: a scalar fits fewer branches than {}
                tries += [(branch, {"type": kind}) for kind in _ANY_KINDS]
            elif branch is not first:
                tries.append((branch, branch))
        for branch, sub in tries[:_BRANCHES]:
            candidate = yield sub, defs, depth + 1, False
            if _alone(candidate, branch, options, defs):
                return candidate
        return _OMIT if optional else made

    def _branch(self, options: list[Any], depth: int, optional: bool) -> Any:
        concrete = [o for o in options if not _is_null(o)]
        if not concrete or (
            depth >= _DEEP and not optional and len(concrete) < len(options)
        ):
            return {"type": "null"}
        return concrete[self.rng.randrange(len(concrete))]

    def object(
        self, schema: Mapping[str, Any], defs: Mapping[str, Any], depth: int
    ) -> _Step:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        out: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required:
                out[name] = yield sub, defs, depth + 1, False
            elif (
                self.rich
                and depth < _DEEP
                and not (isinstance(sub, Mapping) and sub.get("writeOnly"))
            ):
                made = yield sub, defs, depth + 1, True
                if made is not _OMIT:
                    out[name] = made
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping) and extra and depth < _DEEP:
            first = self.rng.choice(_WORDS)
            count = max(1, int(schema.get("minProperties", 0)))
            for key in [first, *(f"{first}{n}" for n in range(2, count + 1))]:
                out[key] = yield extra, defs, depth + 1, False
        return out

    def array(
        self, schema: Mapping[str, Any], defs: Mapping[str, Any], depth: int
    ) -> _Step:
        prefix = schema.get("prefixItems")
        items: list[Any] = []
        if isinstance(prefix, list):
            for sub in prefix:
                items.append((yield sub, defs, depth + 1, False))
            return items
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", low + 2))
        count = max(low, min(high, 1 if depth < _DEEP else 0))
        # Distinct items where the schema asks for them: a few more tries each.
        unique = schema.get("uniqueItems") is True
        for _ in range(count * _UNIQUE_TRIES if unique else count):
            made = yield schema.get("items", {}), defs, depth + 1, False
            if not (unique and any(_same(made, item) for item in items)):
                items.append(made)
            if len(items) == count:
                break
        return items

    def string(self, schema: Mapping[str, Any]) -> str:
        rng = self.rng
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        make = _FORMATS.get(str(schema.get("format")))
        pattern = schema.get("pattern")
        if not isinstance(pattern, str):
            text = make(rng) if make else f"{rng.choice(_WORDS)}-{rng.randrange(1000)}"
            text = text.ljust(low, "x")
            return text[: int(high)] if high is not None else text
        formatted = make(rng) if make else None
        if formatted is not None and _matches(pattern, formatted):
            return formatted
        made: str | None = None
        # Repetitions: a few (twice), the fewest, then as many as minLength may need.
        for extra, most in (
            (_MAX_EXTRA, False),
            (_MAX_EXTRA, False),
            (0, False),
            (low, True),
            (low // 2 + 1, True),
            (low // 4 + 1, True),
        ):
            made = matching(pattern, rng, extra=extra, most=most)
            if made is None or (
                len(made) >= low and (high is None or len(made) <= int(high))
            ):
                break
        if made is not None:
            return made
        candidates = ("a", "A", "0", "a0", "example", "")
        return next((c for c in candidates if _matches(pattern, c)), "example")

    def integer(self, schema: Mapping[str, Any]) -> int:
        low, high = self._bounds(schema, 1)
        step = schema.get("multipleOf")
        number = self.rng.randint(int(low), int(high))
        if isinstance(step, int) and step > 0:
            number = -(-int(low) // step) * step
        return number

    def number(self, schema: Mapping[str, Any]) -> float:
        low, high = self._bounds(schema, 1e-6)
        return round(self.rng.uniform(low, high), 3) if high - low > 0.01 else low

    @staticmethod
    def _bounds(schema: Mapping[str, Any], epsilon: float) -> tuple[float, float]:
        low = schema.get("minimum", schema.get("exclusiveMinimum", -epsilon) + epsilon)
        high = schema.get(
            "maximum", schema.get("exclusiveMaximum", low + 100 + epsilon) - epsilon
        )
        return low, max(low, min(high, low + 100))


_BRANCHES = 6  # branches of a union tried for a value valid under only one
_UNIQUE_TRIES = 8  # items made per item wanted, at most, for an array of distinct items
_OMIT = object()  # an optional property's value that is better left out
_ANY_KINDS = (
    "string",
    "integer",
    "boolean",
)  # tried for a branch that allows any value
_FIT_DEPTH = 64  # below this depth, :func:`_fits` assumes a value fits


# Keywords pydantic writes beside an optional field's ``anyOf`` (the field's
# ``json_schema_extra``: the formats and ``uniqueItems`` the models keep), with the kind of
# branch each constrains.
_FIELD_KEYWORDS = {"format": "string", "uniqueItems": "array"}


def _with_siblings(schema: Mapping[str, Any], options: list[Any]) -> list[Any]:
    """The branches of a union, each inline branch of the kind a keyword beside the union
    constrains given that keyword (``{anyOf: [{type: string}, {type: null}], format: email}``:
    an e-mail address or null)."""
    beside = {k: v for k, v in schema.items() if k in _FIELD_KEYWORDS}
    return [_given(o, beside) for o in options] if beside else options


def _given(branch: Any, beside: Mapping[str, Any]) -> Any:
    if not isinstance(branch, Mapping):
        return branch
    kind = branch.get("type")
    return {**{k: v for k, v in beside.items() if _FIELD_KEYWORDS[k] == kind}, **branch}


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null"


def _alone(made: Any, branch: Any, options: list[Any], defs: Mapping[str, Any]) -> bool:
    """Whether ``made`` (a value of ``branch``) is valid under none of the other ``options``."""
    return made is not _OMIT and not any(
        _fits(o, defs, made) for o in options if o is not branch
    )


def _fits(schema: Any, defs: Mapping[str, Any], data: Any, depth: int = 0) -> bool:
    """Whether ``data`` may be valid under ``schema`` (pydantic's dialect, its references into
    ``defs``, model stubs followed). The keywords that tell union branches apart are checked
    (types, ``const``, ``enum``, ``required``, closed objects, properties, items, bounds,
    lengths, patterns); the others (formats among them) are taken to hold: never False for a
    valid value, so a value no other branch fits is valid under one branch only."""
    schema, defs = _resolve(schema, defs)
    if not schema or depth > _FIT_DEPTH:
        return True
    if "const" in schema and not _same(data, schema["const"]):
        return False
    if isinstance(schema.get("enum"), list) and not any(
        _same(data, e) for e in schema["enum"]
    ):
        return False
    kinds = schema.get("type")
    if isinstance(kinds, str | list) and not any(
        _is_kind(data, k) for k in ([kinds] if isinstance(kinds, str) else kinds)
    ):
        return False
    deeper = depth + 1
    if not all(_fits(sub, defs, data, deeper) for sub in schema.get("allOf", ())):
        return False
    for key in (
        "anyOf",
        "oneOf",
    ):  # oneOf: at least one (a bound: fits may be too kind)
        if schema.get(key) and not any(
            _fits(s, defs, data, deeper) for s in schema[key]
        ):
            return False
    if isinstance(data, str):
        return _fits_text(schema, data)
    if isinstance(data, int | float) and not isinstance(data, bool):
        return _fits_number(schema, data)
    if isinstance(data, dict):
        return _fits_object(schema, defs, data, deeper)
    if isinstance(data, list):
        if len(data) < schema.get("minItems", 0) or len(data) > schema.get(
            "maxItems", len(data)
        ):
            return False
        prefix = schema.get("prefixItems")
        prefix = prefix if isinstance(prefix, list) else []
        items = schema.get("items")
        return all(
            _fits(prefix[n] if n < len(prefix) else items, defs, item, deeper)
            for n, item in enumerate(data)
        )
    return True


def _fits_text(schema: Mapping[str, Any], data: str) -> bool:
    if len(data) < schema.get("minLength", 0) or len(data) > schema.get(
        "maxLength", len(data)
    ):
        return False
    pattern = schema.get("pattern")
    try:
        return not isinstance(pattern, str) or re.search(pattern, data) is not None
    except (re.error, RecursionError, OverflowError):
        return True


def _fits_number(schema: Mapping[str, Any], data: float) -> bool:
    def bound(key: str) -> float | None:
        found = schema.get(key)
        return found if isinstance(found, int | float) else None

    low, high = bound("minimum"), bound("maximum")
    above, below = bound("exclusiveMinimum"), bound("exclusiveMaximum")
    return (
        (low is None or data >= low)
        and (high is None or data <= high)
        and (above is None or data > above)
        and (below is None or data < below)
    )


def _fits_object(
    schema: Mapping[str, Any], defs: Mapping[str, Any], data: dict[str, Any], depth: int
) -> bool:
    if any(r not in data for r in schema.get("required", ())):
        return False
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    open_keys = "patternProperties" in schema  # keys it may allow are not checked
    for key, item in data.items():
        if key in properties:
            sub: Any = properties[key]
        elif open_keys or extra is None or extra is True:
            continue
        else:
            sub = extra  # False: no other key; a schema: the others'
        if sub is False or not _fits(sub, defs, item, depth):
            return False
    return True


def _is_kind(data: Any, kind: Any) -> bool:
    match kind:
        case "null":
            return data is None
        case "boolean":
            return isinstance(data, bool)
        case "integer":
            return (isinstance(data, int) and not isinstance(data, bool)) or (
                isinstance(data, float) and data.is_integer()
            )
        case "number":
            return isinstance(data, int | float) and not isinstance(data, bool)
        case "string":
            return isinstance(data, str)
        case "array":
            return isinstance(data, list)
        case "object":
            return isinstance(data, dict)
    return True


def _same(data: Any, expected: Any) -> bool:
    """JSON equality: ``True`` is not ``1``."""
    if isinstance(data, bool) or isinstance(expected, bool):
        return type(data) is type(expected) and data == expected
    if isinstance(data, list) and isinstance(expected, list):
        return len(data) == len(expected) and all(
            _same(a, b) for a, b in zip(data, expected, strict=True)
        )
    if isinstance(data, dict) and isinstance(expected, dict):
        return data.keys() == expected.keys() and all(
            _same(v, expected[k]) for k, v in data.items()
        )
    return bool(data == expected)


# -- strings matching a pattern ------------------------------------------------------------------


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except (re.error, RecursionError, OverflowError):
        return False


_MAX_EXTRA = 3  # repetitions beyond a quantifier's minimum
_MAX_LENGTH = 4096  # of a string made from a pattern
_PRINTABLE = string.ascii_letters + string.digits + "-_.~:/@+ "
# Characters of \d, \w, \s and their negations to choose from, and each class's test.
_CATEGORIES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "CATEGORY_DIGIT": ("0123456789", str.isdigit),
    "CATEGORY_NOT_DIGIT": ("abcxyzABC_-", lambda c: not c.isdigit()),
    "CATEGORY_WORD": ("abcxyzABC019_", lambda c: c.isalnum() or c == "_"),
    "CATEGORY_NOT_WORD": ("-.:/ ", lambda c: not (c.isalnum() or c == "_")),
    "CATEGORY_SPACE": (" ", str.isspace),
    "CATEGORY_NOT_SPACE": ("abcxyzABC019", lambda c: not c.isspace()),
}


class _Unsupported(Exception):
    """A pattern the maker cannot follow (or that makes too long a string)."""


@functools.lru_cache(maxsize=256)
def _parsed(pattern: str) -> Any:
    if _REGEX is None:
        return None
    try:
        return _REGEX.parse(pattern)
    except (
        re.error,
        RecursionError,
        OverflowError,
        ValueError,
        IndexError,
        AssertionError,
    ):
        return None  # the parser's refusals: no such string is made


def matching(
    pattern: str, rng: random.Random, *, extra: int = _MAX_EXTRA, most: bool = False
) -> str | None:
    """A string matching the regular expression ``pattern`` (None: none could be made).

    Made from the standard library's parse of the pattern: literals, classes, alternatives,
    groups and back-references, quantifiers (from their minimum to ``extra`` more; ``most``:
    always as many as that); anchors and lookarounds are not followed, and what is made is
    checked against the pattern.
    """
    tree = _parsed(pattern)
    if tree is None:
        return None
    maker = _Maker(rng, extra, most)
    try:
        maker.emit(tree)
    except (_Unsupported, RecursionError):
        return None
    text = "".join(maker.out)
    return text if _matches(pattern, text) else None


class _Maker:
    """Makes a string from a parsed pattern."""

    def __init__(self, rng: random.Random, extra: int, most: bool) -> None:
        self.rng = rng
        self.extra = extra
        self.most = most
        self.out: list[str] = []
        self.groups: dict[int, str] = {}

    def emit(self, items: Any) -> None:
        rng, out = self.rng, self.out
        for op, arg in items:
            name = getattr(op, "name", str(op))
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "NOT_LITERAL":
                out.append(next(c for c in _PRINTABLE if ord(c) != arg))
            elif name == "ANY":
                out.append(rng.choice(string.ascii_letters))
            elif name == "IN":
                out.append(_one_of(arg, rng))
            elif name == "BRANCH":
                self.emit(rng.choice(arg[1]))
            elif name == "SUBPATTERN":
                start = len(out)
                self.emit(arg[-1])
                if arg[0] is not None:
                    self.groups[arg[0]] = "".join(out[start:])
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                high = max(low, min(high, low + self.extra))
                for _ in range(high if self.most else rng.randint(low, high)):
                    self.emit(sub)
            elif name == "ATOMIC_GROUP":
                self.emit(arg)
            elif name == "GROUPREF":
                out.append(self.groups.get(arg, ""))
            elif name == "GROUPREF_EXISTS":
                group, yes, no = arg
                self.emit(yes if group in self.groups else (no or []))
            elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
                raise _Unsupported(name)
            if len(out) > _MAX_LENGTH:
                raise _Unsupported("too long")


def _one_of(items: Any, rng: random.Random) -> str:
    """A character of a class ``[...]``."""
    if items and getattr(items[0][0], "name", "") == "NEGATE":
        rest = items[1:]
        start = rng.randrange(len(_PRINTABLE))
        for c in _PRINTABLE[start:] + _PRINTABLE[:start]:
            if not any(_in(op, arg, c) for op, arg in rest):
                return c
        raise _Unsupported("negated class")
    op, arg = rng.choice(items)
    name = getattr(op, "name", str(op))
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        low, high = arg
        printable = [c for c in _PRINTABLE if low <= ord(c) <= high]
        if printable:
            return rng.choice(printable)
        code = rng.randint(low, min(high, low + 64))
        return chr(code) if not 0xD800 <= code <= 0xDFFF else chr(low)
    if name == "CATEGORY" and str(arg) in _CATEGORIES:
        return rng.choice(_CATEGORIES[str(arg)][0])
    raise _Unsupported(name)


def _in(op: Any, arg: Any, c: str) -> bool:
    name = getattr(op, "name", str(op))
    if name == "LITERAL":
        return bool(ord(c) == arg)
    if name == "RANGE":
        return bool(arg[0] <= ord(c) <= arg[1])
    if name == "CATEGORY" and str(arg) in _CATEGORIES:
        return _CATEGORIES[str(arg)][1](c)
    raise _Unsupported(name)
