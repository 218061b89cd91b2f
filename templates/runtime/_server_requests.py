"""Reading requests where FastAPI needs help: values it does not read from text, cookies it
does not percent-decode, bodies it does not read (forms and multipart need python-multipart,
which the server does without; raw bodies), deepObject query parameters; and the OpenAPI text
documenting them.

Invalid input raises FastAPI's RequestValidationError, located like FastAPI's own errors.
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator, PydanticUserError, ValidationError

from ._server_mock import adapter, deref

DEFINITIONS: dict[str, Any] = {}
"""Schemas the documented types refer to, for ``#/components/schemas`` of /openapi.json."""


def schema_of(tp: Any) -> dict[str, Any]:
    """The JSON schema of ``tp`` as /openapi.json shows it (its definitions: DEFINITIONS)."""
    schema = adapter(tp).json_schema(ref_template="#/components/schemas/{model}")
    DEFINITIONS.update(schema.pop("$defs", {}))
    return schema


_SCALAR_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false")


def _from_text(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_text(v) for v in value]
    if isinstance(value, str) and _SCALAR_TEXT.fullmatch(value):
        return json.loads(value)
    return value


from_text = BeforeValidator(_from_text)
"""Annotation for a parameter whose type has number or boolean literals (``Literal[0, 1]``):
pydantic does not read them from the text a query, path, header or cookie value arrives as."""


def _percent_decoded(value: Any) -> Any:
    if isinstance(value, list):
        return [_percent_decoded(v) for v in value]
    return unquote(value) if isinstance(value, str) else value


percent_decoded = BeforeValidator(_percent_decoded)
"""Annotation for a cookie parameter: its value arrives percent-encoded (style ``form``, as the
generated client sends it; FastAPI reads cookies as they are). Applied before ``from_text``."""


def _splitter(delimiter: str, *, strip: bool = False) -> BeforeValidator:
    def split(value: Any) -> Any:
        if not isinstance(value, list | str):
            return value
        items: list[Any] = []
        for v in [value] if isinstance(value, str) else value:
            if not isinstance(v, str):
                items.append(v)
            elif v:
                items.extend(p.strip(" \t") if strip else p for p in v.split(delimiter))
        return items

    return BeforeValidator(split)


comma_separated = _splitter(",")
"""Annotation for a list parameter sent as one comma-separated value (a query or cookie
parameter of style ``form`` not exploded): FastAPI reads a list only from repeated keys (a
cookie, only as one str). Applied first: before ``percent_decoded`` (a cookie's items are encoded one by one)."""
space_separated = _splitter(" ")
"""The same for a query parameter of style ``spaceDelimited`` not exploded."""
pipe_separated = _splitter("|")
"""The same for a query parameter of style ``pipeDelimited`` not exploded."""
header_items = _splitter(",", strip=True)
"""The same for a list header (style ``simple``): items separated by commas and optional
spaces, in one header line or several."""


def _invalid(
    exc: ValidationError, prefix: tuple[str | int, ...]
) -> RequestValidationError:
    return RequestValidationError(
        [{**e, "loc": (*prefix, *e["loc"])} for e in exc.errors(include_url=False)]
    )


FieldStyle = tuple[str | None, bool, str | None]
"""A body property's declared encoding: (style, explode, content type); see the client's ``_spec``."""

_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def form_body(
    tp: Any, *, required: bool, encoding: dict[str, FieldStyle] | None = None
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading an application/x-www-form-urlencoded body into ``tp``.

    Each property is read as its ``encoding`` declares it (as the generated client sends it):
    deepObject ``size[width]=2`` (arrays numbered, ``tags[0]=a``), form and delimited arrays
    and objects, JSON text; then shaped by the body's schema: one value where an array is
    expected is a one-item array, JSON text where only an object or array fits is decoded.
    """
    styles = encoding or {}

    async def read(request: Request) -> Any:
        raw = await request.body()
        if not raw and not required and "content-type" not in request.headers:
            return None  # no body (an empty form, every property null, has its content type)
        schema = _json_schema(tp)
        # form-exploded objects: their properties arrive as keys of their own (``width=2``)
        exploded = [
            n
            for n, (style, explode, _) in styles.items()
            if style == "form"
            and explode
            and _fits(schema, n, "object")
            and not _fits(schema, n, "array")
        ]
        fields: dict[str, Any] = {}
        loose: dict[str, Any] = {}
        for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
            name, _, rest = key.partition("[")
            if rest and styles.get(name, (None, True, None))[0] == "deepObject":
                _put(fields, name, _brackets(rest), value)
            elif exploded and key not in fields and not _declares(schema, key):
                _add(loose, key, value)
            else:
                _add(fields, key, value)
        if exploded and loose:
            fields[exploded[0]] = loose
        for name, (style, explode, content_type) in styles.items():
            declared = fields.get(name)
            as_array, as_object = _fits(schema, name, "array"), _fits(
                schema, name, "object"
            )
            if (
                style in _DELIMITERS
                and not explode
                and isinstance(declared, str)
                and (as_array or as_object)
            ):
                parts = declared.split(_DELIMITERS[style])
                fields[name] = (
                    parts
                    if as_array
                    else dict(zip(parts[::2], parts[1::2], strict=False))
                )
            elif style is None and is_json(content_type) and declared is not None:
                fields[name] = _json_or_text(declared)
        return _validate(tp, _shaped(fields, schema, schema), ("body",))

    return read


def multipart_body(
    tp: Any,
    *,
    required: bool,
    encoding: dict[str, FieldStyle] | None = None,
    part: str | None = None,
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading a multipart/form-data body into ``tp`` (file parts as bytes, JSON
    parts decoded; shaped by the schema as :func:`form_body` does). A body that is no object of
    parts (a file, a list of files) is read from the part(s) named ``part``."""

    async def read(request: Request) -> Any:
        raw = await request.body()
        if not raw and not required:
            return None
        head = (
            f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
        )
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            head + raw
        )
        fields: dict[str, Any] = {}
        if message.is_multipart():
            for item in message.iter_parts():
                name = item.get_param("name", header="content-disposition")
                if isinstance(name, str):
                    payload = item.get_payload(decode=True)
                    value: Any = payload if isinstance(payload, bytes) else b""
                    if item.get_filename() is None and is_json(item.get_content_type()):
                        value = _json_or_text(value.decode("utf-8", "replace"))
                    elif (
                        item.get_filename() is None
                        and item.get_content_maintype() == "text"
                    ):
                        value = value.decode(
                            item.get_content_charset() or "utf-8", "replace"
                        )
                    _add(fields, name, value)
        schema = _json_schema(tp)
        value = fields if part is None else fields.get(part)
        return _validate(tp, _shaped(value, schema, schema), ("body",))

    return read


def raw_body(tp: Any, *, required: bool) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading a text (str) or binary (bytes) body as it is."""

    async def read(request: Request) -> Any:
        raw = await request.body()
        if not raw and not required:
            return None
        return _validate(
            tp, raw.decode("utf-8", "replace") if tp is str else raw, ("body",)
        )

    return read


def deep_object(
    name: str, tp: Any, *, required: bool
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading the query parameter ``name`` in deepObject style: ``name[key]=v``,
    nested objects as ``name[key][inner]=v`` and numbered arrays as the client sends them;
    shaped by the schema as :func:`form_body` does."""
    prefix = name + "["

    async def read(request: Request) -> Any:
        root: dict[str, Any] = {}
        for key, value in request.query_params.multi_items():
            if key.startswith(prefix) and key.endswith("]"):
                _put(root, name, _brackets(key[len(prefix) :]), value)
        if name not in root and not required:
            return None
        schema = _json_schema(tp)
        return _validate(
            tp, _shaped(root.get(name, {}), schema, schema), ("query", name)
        )

    return read


@functools.cache
def _json_schema(tp: Any) -> dict[str, Any]:
    try:
        return adapter(tp).json_schema()
    except (
        PydanticUserError,
        TypeError,
        ValueError,
        RecursionError,
    ):  # pydantic cannot describe it
        return {}


def is_json(content_type: str | None) -> bool:
    """A JSON media type (``application/json`` or ``*/*+json``), parameters ignored."""
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime == "application/json" or mime.endswith("+json")


def _json_or_text(value: Any) -> Any:
    """Text decoded as JSON; text that is not JSON, and anything else, as it is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # the model reports it


def _brackets(rest: str) -> list[str]:
    """``width]`` -> ``["width"]``; ``items][0][price]`` -> ``["items", "0", "price"]``."""
    return rest.removesuffix("]").split("][")


def _put(fields: dict[str, Any], name: str, path: list[str], value: str) -> None:
    node = fields.setdefault(name, {})
    for key in path[:-1]:
        if not isinstance(node, dict):
            return
        node = node.setdefault(key, {})
    if isinstance(node, dict):
        _add(node, path[-1], value)


def _resolve(
    schema: Any,
    root: dict[str, Any],
    keys: tuple[str, ...] = ("anyOf", "oneOf", "allOf"),
) -> list[dict[str, Any]]:
    """``schema`` and its alternatives (``$ref`` and the combinations ``keys`` followed)."""
    out: list[dict[str, Any]] = []
    stack = [schema]
    while stack and len(out) < 64:
        s = stack.pop()
        if isinstance(s, dict) and isinstance(s.get("$ref"), str):
            s = deref(s, root) or None  # a reference to no definition: skipped
        if not isinstance(s, dict):
            continue
        out.append(s)
        for key in keys:
            stack.extend(s.get(key) or [])
    return out


def _kinds(schema: Any, root: dict[str, Any]) -> set[str]:
    """The JSON types a schema admits ("any" when it does not say)."""
    kinds: set[str] = set()
    for s in _resolve(schema, root):
        t = s.get("type")
        if isinstance(t, str):
            kinds.add(t)
        elif isinstance(t, list):
            kinds.update(x for x in t if isinstance(x, str))
        elif "properties" in s or "additionalProperties" in s:
            kinds.add("object")
        elif (
            "enum" in s or "const" in s
        ):  # no type beside: the values' own (``null`` alone...)
            kinds.update(_JSON_KINDS.get(type(v), "any") for v in _values(s))
        elif not any(k in s for k in ("anyOf", "oneOf", "allOf")):
            kinds.add("any")
    return kinds


_JSON_KINDS = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def _values(schema: dict[str, Any]) -> list[Any]:
    """The values an ``enum`` or ``const`` allows."""
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return values if isinstance(values, list) else []


def _admits_empty_text(schema: Any, root: dict[str, Any]) -> bool:
    """Whether ``""`` may be a string value of the schema (a string with no enum or const, or one
    listing it): if not, ``""`` in a form is null as the client writes it."""
    for s in _resolve(schema, root):
        if "enum" in s or "const" in s:
            if "" in _values(s):
                return True
        elif s.get("type") == "string" or (
            isinstance(s.get("type"), list) and "string" in s["type"]
        ):
            return True
    return False


def _member(schema: Any, root: dict[str, Any], key: str | None) -> Any:
    """The schema of an array's items (``key`` None) or of an object's property ``key``."""
    for s in _resolve(schema, root):
        if key is None and isinstance(s.get("items"), dict):
            return s["items"]
        props = s.get("properties")
        if key is not None and isinstance(props, dict) and key in props:
            return props[key]
        extra = s.get("additionalProperties")
        if key is not None and isinstance(extra, dict):
            return extra
    return {}


def _declares(schema: dict[str, Any], key: str) -> bool:
    return any(key in (s.get("properties") or {}) for s in _resolve(schema, schema))


def _fits(schema: dict[str, Any], name: str, kind: str) -> bool:
    return kind in _kinds(_member(schema, schema, name), schema)


def _shaped(value: Any, schema: Any, root: dict[str, Any]) -> Any:
    """Form values (text, repeated keys, bracketed keys) in the shape the schema expects: one
    value where only an array fits becomes a one-item array, numbered keys an array, JSON text
    where only an object or array fits is decoded, ``""`` where null fits and no ``""`` is null,
    a required property that admits null and is left out is null."""
    kinds = _kinds(schema, root)
    if not kinds or "any" in kinds:
        return value
    if isinstance(value, str) and "string" not in kinds and kinds & {"object", "array"}:
        value = _json_or_text(value)
    numbered = isinstance(value, dict) and value and all(k.isdigit() for k in value)
    if (
        "array" in kinds
        and numbered
        and ("object" not in kinds or not _declared_keys(schema, root, value))
    ):
        value = [value[k] for k in sorted(value, key=int)]
    if (
        "array" in kinds
        and not isinstance(value, list)
        and not kinds & _kinds_of(value)
    ):
        value = [value]
    if isinstance(value, list) and "array" in kinds:
        item = _member(schema, root, None)
        return [_shaped(v, item, root) for v in value]
    if isinstance(value, dict) and "object" in kinds:
        shaped = {
            k: _shaped(v, _member(schema, root, k), root) for k, v in value.items()
        }
        for key in _required(schema, root) - shaped.keys():
            if "null" in _kinds(_member(schema, root, key), root):
                shaped[key] = None  # the client leaves a null property out
        return shaped
    if value == "" and "null" in kinds and not _admits_empty_text(schema, root):
        return None  # an array's null item, as the client writes it (or a browser's empty field)
    return value


def _required(schema: Any, root: dict[str, Any]) -> set[str]:
    """The properties every object of ``schema`` must have (``$ref`` and ``allOf`` followed;
    not a branch of ``anyOf``/``oneOf``)."""
    return {
        name
        for s in _resolve(schema, root, ("allOf",))
        for name in s.get("required") or ()
        if isinstance(name, str)
    }


def _declared_keys(schema: Any, root: dict[str, Any], value: dict[str, Any]) -> bool:
    return any(
        set(value) & set(s.get("properties") or {}) for s in _resolve(schema, root)
    )


def _kinds_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {"object"}
    if isinstance(value, str):
        return {
            "string",
            "integer",
            "number",
            "boolean",
        }  # form text reads as any scalar
    return {"string"} if isinstance(value, bytes) else set()


def query_object(
    name: str,
    tp: Any,
    *,
    explode: bool,
    json: bool = False,
    others: Sequence[str] = (),
    rank: int = 0,
    required: bool,
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading the query parameter ``name`` of an object type, style ``form``, as
    the generated client writes it: exploded, each property is a key of its own (any key but
    ``others``, the keys of the operation's other query parameters; only the declared ones when
    the object admits no other; the client writes each at most once, so a key repeated is one of
    several such parameters: the ``rank``-th, in the order of the operation's parameters, is this
    one's; the wire cannot tell whose a key sent once is: the first's); not exploded,
    ``name=key,value,key,value``. A model of another schema (a root model: a union, an array)
    is read from ``name`` itself; with ``json`` (``content: application/json``), any type:
    ``name``'s JSON text.

    Values arrive as text, read as JSON where the type takes it so (nested objects and arrays,
    numbers, booleans, ``""`` for null: as the client writes them), else as the text itself.
    """
    taken = tuple(others)
    brackets = tuple(o + "[" for o in others)
    loc = ("query", name)

    async def read(request: Request) -> Any:
        query = request.query_params
        closed, is_object = _object_keys(tp)
        if json or not is_object or not explode:
            items = query.getlist(name)
            if not items:
                return _absent(loc, required)
            text: Any
            if is_object and not json:
                text = ",".join(items)
            elif json or not _admits_array(tp):
                text = items[-1]
            else:
                text = items if explode else ",".join(items)
            return _object_text(tp, text, explode=False, json=json, loc=loc)
        fields: dict[str, Any] = {}
        for key in dict.fromkeys(query.keys()):
            if key in taken or key.startswith(brackets):
                continue
            if closed is None or key in closed:
                texts = query.getlist(key)
                if rank < len(texts):
                    fields[key] = texts[rank]
        if not fields and not required:
            return None
        return _validate_text(tp, fields, loc)

    return read


def header_object(
    name: str, tp: Any, *, explode: bool, json: bool = False, required: bool
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading the header ``name`` of an object type, style ``simple``, as the
    client writes it: exploded ``key=value,key=value``, else ``key,value,key,value`` (a root
    model: the text itself); with ``json``, its JSON text. Values as :func:`query_object`'s.
    """
    loc = ("header", name)

    async def read(request: Request) -> Any:
        lines = request.headers.getlist(name)
        if not lines:
            return _absent(loc, required)
        return _object_text(tp, ",".join(lines), explode=explode, json=json, loc=loc)

    return read


def path_object(
    name: str, tp: Any, *, explode: bool, json: bool = False, required: bool
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading the path parameter ``name`` FastAPI cannot read as typed, as the
    client writes it (percent-encoded; the routing decodes it, ``%2F`` too): style ``simple``
    as :func:`header_object` reads a header; with ``json`` (``content: application/json``),
    its JSON text."""
    loc = ("path", name)

    async def read(request: Request) -> Any:
        text = request.path_params.get(name)
        if not isinstance(text, str):
            return _absent(loc, required)
        return _object_text(tp, text, explode=explode, json=json, loc=loc)

    return read


def cookie_object(
    name: str,
    tp: Any,
    *,
    explode: bool,
    json: bool = False,
    others: Sequence[str] = (),
    required: bool,
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency reading the cookie parameter ``name`` of an object type, style ``form``, as
    the client writes it (values percent-encoded): exploded, each property is a cookie of its
    own (any but ``others``, the operation's other cookies; only the declared ones for a closed
    object), else ``name=key,value,key,value`` (a root model: the value itself); with ``json``,
    its JSON text. Values as :func:`query_object`'s."""
    loc = ("cookie", name)

    async def read(request: Request) -> Any:
        cookies = request.cookies
        closed, is_object = _object_keys(tp)
        if explode and is_object and not json:
            fields = {
                k: unquote(v)
                for k, v in cookies.items()
                if k not in others and (closed is None or k in closed)
            }
            if not fields and not required:
                return None
            return _validate_text(tp, fields, loc)
        if name not in cookies:
            return _absent(loc, required)
        return _object_text(
            tp, cookies[name], explode=False, json=json, loc=loc, encoded=True
        )

    return read


def _absent(loc: tuple[str, str], required: bool) -> None:
    if required:
        raise RequestValidationError(
            [{"type": "missing", "loc": loc, "msg": "Field required", "input": None}]
        )


def _object_text(
    tp: Any,
    text: Any,
    *,
    explode: bool,
    json: bool,
    loc: tuple[str, str],
    encoded: bool = False,
) -> Any:
    """One parameter's text (a list of texts: a repeated query key) read into ``tp``: JSON
    text; a root model's value (its items for an array); an object's ``key=value`` items
    (``explode``) or ``key,value`` pairs, separated by commas. ``encoded``: each item is
    percent-encoded (a cookie's)."""

    def plain(item: str) -> str:
        return unquote(item) if encoded else item

    if json:
        return _validate(tp, _json_value(plain(text), loc), loc)
    if not _object_keys(tp)[1]:
        if isinstance(text, str) and _admits_array(tp):
            text = [plain(t) for t in text.split(",")] if text else []
        return _validate_text(tp, text if isinstance(text, list) else plain(text), loc)
    parts = [plain(t) for t in text.split(",")] if text else []
    fields: dict[str, Any] = {}
    if explode:
        for part in parts:
            key, _, value = part.partition("=")
            fields[key] = value
    elif len(parts) % 2:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": loc,
                    "input": text,
                    "msg": "Value error, expected key,value pairs separated by commas",
                }
            ]
        )
    else:
        fields = dict(zip(parts[::2], parts[1::2], strict=True))
    return _validate_text(tp, fields, loc)


@functools.cache
def _query_schema(tp: Any) -> dict[str, Any]:
    """The JSON schema of ``tp``, its top-level ``$ref`` followed."""
    schema = _json_schema(tp)
    return dict(deref(schema, schema))


def _object_keys(tp: Any) -> tuple[frozenset[str] | None, bool]:
    """(the only keys the object admits, None: any; whether ``tp`` is an object)."""
    schema = _query_schema(tp)
    if not (
        schema.get("type") == "object"
        or "properties" in schema
        or "additionalProperties" in schema
    ):
        return None, False
    if schema.get("additionalProperties") is False:
        return frozenset(schema.get("properties", {})), True
    return None, True


def _json_value(text: str, loc: tuple[str, str]) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": loc,
                    "msg": "JSON text expected",
                    "input": text,
                }
            ]
        ) from None


def _admits_array(tp: Any) -> bool:
    schema = _query_schema(tp)
    return schema.get("type") == "array" or any(
        isinstance(b, dict) and b.get("type") == "array"
        for b in schema.get("anyOf", ())
    )


def _json_text(value: Any) -> Any:
    """Text as the client writes a value that is not a string: JSON (the text ``null`` is a
    string: the client writes null as ``""``)."""
    if isinstance(value, list):
        return [_json_text(v) for v in value]
    if value == "":
        return None
    decoded = _json_or_text(value)
    return value if decoded is None else decoded


def _validate_text(tp: Any, value: Any, loc: tuple[str | int, ...]) -> Any:
    """``value`` (text, or an object of texts) validated read as JSON; where the type refuses
    that (an object: in the fields it refuses), as the text itself."""
    ta = adapter(tp)
    decoded = (
        {k: _json_text(v) for k, v in value.items()}
        if isinstance(value, dict)
        else _json_text(value)
    )
    try:
        return ta.validate_python(decoded)
    except ValidationError as exc:
        refused = {e["loc"][0] for e in exc.errors() if e["loc"]}
    if isinstance(value, dict):
        value = {k: v if k in refused else decoded[k] for k, v in value.items()}
    try:
        return ta.validate_python(value)
    except ValidationError as exc:
        raise _invalid(exc, loc) from None


def _add(fields: dict[str, Any], key: str, value: Any) -> None:
    if key in fields:
        previous = fields[key]
        fields[key] = (
            [*previous, value] if isinstance(previous, list) else [previous, value]
        )
    else:
        fields[key] = value


def _validate(tp: Any, value: Any, loc: tuple[str | int, ...]) -> Any:
    try:
        return adapter(tp).validate_python(value)
    except ValidationError as exc:
        raise _invalid(exc, loc) from None


def openapi_extra(
    *,
    body: tuple[str, Any, bool] | None = None,
    deep_objects: Sequence[tuple[str, Any, bool]] = (),
    object_params: Sequence[tuple[str, str, Any, bool, bool, bool]] = (),
) -> dict[str, Any]:
    """What FastAPI cannot document by itself: runtime-read bodies, deepObject parameters.

    Their schemas refer to ``#/components/schemas``; :func:`install` adds the definitions.
    """
    extra: dict[str, Any] = {}
    if body is not None:
        media_type, tp, required = body
        extra["requestBody"] = {
            "required": required,
            "content": {media_type: {"schema": schema_of(tp)}},
        }
    if deep_objects or object_params:
        extra["parameters"] = [
            {
                "name": name,
                "in": "query",
                "style": "deepObject",
                "explode": True,
                "required": required,
                "schema": schema_of(tp),
            }
            for name, tp, required in deep_objects
        ] + [
            {
                "name": name,
                "in": location,
                "required": required,
                **(
                    {"content": {"application/json": {"schema": schema_of(tp)}}}
                    if as_json
                    else {
                        "style": "simple" if location in ("header", "path") else "form",
                        "explode": explode,
                        "schema": schema_of(tp),
                    }
                ),
            }
            for location, name, tp, required, explode, as_json in object_params
        ]
    return extra
