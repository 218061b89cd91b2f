"""Arguments to the wire: parameters by location and style, and request bodies.

Parameters follow the OpenAPI ``style``/``explode`` rules: ``simple``, ``label`` and
``matrix`` in paths (percent-encoded), ``form``, ``spaceDelimited``, ``pipeDelimited`` and
``deepObject`` in queries, ``simple`` in headers and ``form`` in cookies; one declared with
``content: application/json`` (style ``json`` here) is its JSON text, anywhere. Values are first made
JSON-like (models, enums, UUIDs and dates become dicts and strings), booleans are written
``true``/``false`` and ``None`` is an empty value.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pydantic
from pydantic_core import to_jsonable_python

from ._spec import Content, FieldStyle, Param

_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def jsonable(value: object) -> Any:
    """A JSON-like copy of ``value``; models leave out the fields that were never set.

    Serialization warnings are off: a model received with a value this client does not know
    (see ``_response``) is sent back as received.
    """
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(
            mode="json", by_alias=True, exclude_unset=True, warnings=False
        )
    return to_jsonable_python(value, by_alias=True)


def scalar(value: Any) -> str:
    """One JSON-like value as text: ``true``/``false``, ``""`` for None, JSON for containers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _enc(value: Any) -> str:
    return quote(scalar(value), safe="")


def path_segment(param: Param, value: object) -> str:
    """The text that replaces ``{name}`` in the path, percent-encoded.

    A value of only dots is encoded too (``%2E%2E``): as ``..`` it would be a dot segment, and
    URL normalization would send the request to another path.
    """
    segment = _path_segment(param, value)
    return segment.replace(".", "%2E") if not segment.strip(".") else segment


def _json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


def _path_segment(param: Param, value: object) -> str:
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return quote(_json(data), safe="")
    if data is None or data in ("", [], {}):
        raise ValueError(f"path parameter {param.python_name!r} must not be empty")
    explode = param.explode
    if isinstance(data, dict):
        if explode:
            items = [f"{_enc(k)}={_enc(v)}" for k, v in data.items()]
        else:
            items = [_enc(x) for kv in data.items() for x in kv]
    elif isinstance(data, list):
        items = [_enc(x) for x in data]
    else:
        items = [_enc(data)]
    if param.style == "label":
        return "." + ("." if explode else ",").join(items)
    if param.style == "matrix":
        name = quote(param.name, safe="")
        if explode and isinstance(data, dict):
            return "".join(f";{x}" for x in items)
        if explode and isinstance(data, list):
            return "".join(f";{name}={x}" for x in items)
        return f";{name}=" + ",".join(items)
    return ",".join(items)


def query_pairs(param: Param, value: object) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of a query parameter (httpx percent-encodes them)."""
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return [(param.name, _json(data))]
    if param.style == "deepObject" and isinstance(data, dict):
        return _deep_object(param.name, data)
    if isinstance(data, list):
        if param.explode:
            return [(param.name, scalar(x)) for x in data]
        delimiter = _DELIMITERS.get(param.style, ",")
        return [(param.name, delimiter.join(scalar(x) for x in data))]
    if isinstance(data, dict):
        if param.explode:
            return [(str(k), scalar(v)) for k, v in data.items()]
        return [(param.name, ",".join(scalar(x) for kv in data.items() for x in kv))]
    return [(param.name, scalar(data))]


def _deep_object(
    prefix: str, data: dict[str, Any] | list[Any]
) -> list[tuple[str, str]]:
    """``prefix[key]=value`` pairs, nested objects as ``prefix[key][inner]``; an array of scalars
    repeats its key, an array holding objects or arrays numbers its items (``prefix[key][0]``).
    """
    pairs: list[tuple[str, str]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        name = f"{prefix}[{key}]"
        if isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(x, (dict, list)) for x in value)
        ):
            pairs.extend(_deep_object(name, value))
        elif isinstance(value, list):
            pairs.extend((name, scalar(x)) for x in value)
        else:
            pairs.append((name, scalar(value)))
    return pairs


def header_value(param: Param, value: object) -> str:
    """A header parameter (style ``simple``)."""
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return _json(data)
    if isinstance(data, list):
        return ",".join(scalar(x) for x in data)
    if isinstance(data, dict):
        if param.explode:
            return ",".join(f"{k}={scalar(v)}" for k, v in data.items())
        return ",".join(scalar(x) for kv in data.items() for x in kv)
    return scalar(data)


def cookie_pairs(param: Param, value: object) -> list[str]:
    """``name=value`` items of the Cookie header (style ``form``, values percent-encoded)."""
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return [f"{param.name}={quote(_json(data), safe='')}"]
    if isinstance(data, list):
        if param.explode:
            return [f"{param.name}={_enc(x)}" for x in data]
        return [f"{param.name}=" + ",".join(_enc(x) for x in data)]
    if isinstance(data, dict):
        if param.explode:
            return [f"{k}={_enc(v)}" for k, v in data.items()]
        return [f"{param.name}=" + ",".join(_enc(x) for kv in data.items() for x in kv)]
    return [f"{param.name}={_enc(data)}"]


@lru_cache(maxsize=512)
def adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """A cached TypeAdapter for a type from the endpoint table."""
    return pydantic.TypeAdapter(tp)


@dataclass
class EncodedBody:
    """What httpx needs to send a body: raw content, or multipart parts."""

    content: bytes | None = None
    parts: list[tuple[str, Any]] = field(default_factory=list)
    content_type: str | None = None


def encode_body(spec: Content, body: object) -> EncodedBody:
    """Validate ``body`` against the declared type and encode it for its media type."""
    if spec.kind == "multipart":
        return _multipart(spec, body)
    if spec.kind == "binary":
        content = (
            body.read()
            if isinstance(body, io.IOBase) or hasattr(body, "read")
            else body
        )
        if not isinstance(content, (bytes, bytearray)):
            raise TypeError(f"a {spec.media_type} body must be bytes or a binary file")
        return EncodedBody(content=bytes(content), content_type=spec.media_type)
    if spec.kind in ("text", "event_stream"):
        return EncodedBody(
            content=str(body).encode(), content_type=f"{spec.media_type}; charset=utf-8"
        )
    ad = adapter(spec.type)
    value = ad.validate_python(body)
    if spec.kind != "form":  # JSON
        content = ad.dump_json(value, by_alias=True, exclude_unset=True, warnings=False)
        return EncodedBody(content=content, content_type=spec.media_type)
    data = ad.dump_python(
        value, mode="json", by_alias=True, exclude_unset=True, warnings=False
    )
    if not isinstance(data, dict):
        raise TypeError(f"a {spec.media_type} body must be a model or a dict")
    # A property that is null is left out (RFC 6570: null is undefined), so that ``""`` is
    # the empty string; the server reads a required property left out as null.
    pairs = [
        pair
        for k, v in data.items()
        if v is not None
        for pair in form_field(k, v, spec.encoding.get(k))
    ]
    return EncodedBody(content=urlencode(pairs).encode(), content_type=spec.media_type)


def is_json_type(content_type: str | None) -> bool:
    """Whether a media type is JSON (``application/json``, ``...+json``)."""
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime == "application/json" or mime.endswith("+json")


def form_field(name: str, data: Any, style: FieldStyle | None) -> list[tuple[str, str]]:
    """The pairs of one form-encoded property (JSON-like ``data``) as its encoding says.

    With a style, as a query parameter of that style (``deepObject``: ``size[width]=2``, arrays
    numbered ``tags[0]=a``); else JSON text when the content type is JSON or the value an
    object, one pair per item for arrays, text for scalars.
    """
    if style is not None and style[0] is not None:
        if style[0] == "deepObject" and isinstance(data, (dict, list)):
            return _deep_object(name, data)
        return query_pairs(Param(name, name, "query", style[0], style[1]), data)
    if style is not None and is_json_type(style[2]):
        return [(name, json.dumps(data, separators=(",", ":")))]
    return [(name, scalar(x)) for x in (data if isinstance(data, list) else [data])]


def is_file(value: object) -> bool:
    """Whether a multipart value is a file: bytes, a file object or a ``(name, content...)`` tuple."""
    return (
        isinstance(value, (bytes, bytearray, io.IOBase))
        or hasattr(value, "read")
        or (isinstance(value, tuple) and len(value) in (2, 3))
    )


def _placeholder(value: object) -> object:
    if is_file(value):
        return b""
    if isinstance(value, list):
        return [_placeholder(x) for x in value]
    return value


def _multipart(spec: Content, body: object) -> EncodedBody:
    """Files become file parts, other values text parts (JSON for objects); lists repeat. A body
    that is no object of parts (a file, a list of files) goes in the part ``spec.part``.
    """
    if spec.part is not None:
        adapter(spec.type).validate_python(_placeholder(body))
        items = body if isinstance(body, list) else [body]
        return EncodedBody(parts=[(spec.part, _part(item, None)) for item in items])
    if is_file(body):
        return EncodedBody(parts=[("file", body)])
    if isinstance(body, pydantic.BaseModel):
        fields: Mapping[str, Any] = body.model_dump(
            by_alias=True, exclude_unset=True, warnings=False
        )
    elif isinstance(body, Mapping):
        # Validate a copy with the files stubbed out: files may be file objects or tuples.
        adapter(spec.type).validate_python(
            {k: _placeholder(v) for k, v in body.items()}
        )
        fields = body
    else:
        raise TypeError("a multipart body must be a model or a dict")
    encoded = EncodedBody()
    for name, value in fields.items():
        style = spec.encoding.get(name)
        content_type = style[2] if style is not None else None
        if is_json_type(content_type) and not is_file(
            value
        ):  # the whole value, one JSON part
            encoded.parts.append(
                (
                    name,
                    (
                        None,
                        json.dumps(jsonable(value), separators=(",", ":")),
                        content_type,
                    ),
                )
            )
            continue
        for item in value if isinstance(value, list) else [value]:
            encoded.parts.append((name, _part(item, content_type)))
    return encoded


def _part(value: object, content_type: str | None) -> object:
    """A file part as given (with the declared content type when it names none), an object
    or array as a JSON part, a scalar as a text part; null as a JSON part (``null``: a text
    part could only be ``""``, the empty string's)."""
    if is_file(value):
        if content_type and "*" not in content_type and not isinstance(value, tuple):
            return ("upload", value, content_type)
        return value
    data = jsonable(value)
    if isinstance(data, (dict, list)) or data is None:
        return (None, json.dumps(data, separators=(",", ":")), "application/json")
    return (None, scalar(data))


def merge_query(
    pairs: list[tuple[str, str]], extra: Mapping[str, str] | None
) -> httpx.QueryParams:
    """Query pairs, with ``extra`` replacing parameters of the same name."""
    params = httpx.QueryParams(tuple(pairs))
    for key, value in (extra or {}).items():
        params = params.set(key, value)
    return params
