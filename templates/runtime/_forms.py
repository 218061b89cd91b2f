"""Form (``application/x-www-form-urlencoded``) and multipart request bodies.

A package has this module only when one of its operations sends such a body; its
``_endpoints`` adds :data:`ENCODERS` to ``_serialize.BODY_ENCODERS``. Each property follows its
``encoding`` (``style``/``explode`` as for a query parameter, ``contentType``); without one,
objects go as JSON, arrays as one value per item.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pydantic

from ._serialize import (
    BodyEncoder,
    EncodedBody,
    _deep_object,
    adapter,
    jsonable,
    query_pairs,
    scalar,
)
from ._spec import Content, FieldStyle, Param


def encode_form(spec: Content, body: object) -> EncodedBody:
    """A form-encoded body: validated, then each property as :func:`form_field` says."""
    ad = adapter(spec.type)
    data = ad.dump_python(
        ad.validate_python(body),
        mode="json",
        by_alias=True,
        exclude_unset=True,
        warnings=False,
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


def encode_multipart(spec: Content, body: object) -> EncodedBody:
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


ENCODERS: dict[str, BodyEncoder] = {"form": encode_form, "multipart": encode_multipart}
