"""What a spec's words mean on the wire, for the IR: a media type's body kind, which response
keys a server can send (and their order), which header and cookie names can be sent at all
(and which the connection owns), idempotency-key headers, a form's field encodings, and the
security schemes with the credentials they carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..core import naming
from .model import (
    BodyKind,
    FieldEncoding,
    Parameter,
    ParamLocation,
    SecurityKind,
    SecurityScheme,
)
from .oauth2 import oauth_flows

# OpenAPI: header parameters with these names "SHALL be ignored" (the IR drops them, so
# neither the client nor the server sees them).
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# Header fields the HTTP connection itself owns (RFC 9110/9112): the client library writes them
# (Host from the URL, Content-Length from the body), so a parameter of that name could never be
# sent as the spec says: left out, with a warning.
TRANSPORT_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade"}
)
# An HTTP field name (RFC 9110 "token"): what a header or cookie may be named on the wire.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def is_http_token(name: str) -> bool:
    """Whether ``name`` can be sent as a header or cookie name."""
    return _TOKEN.fullmatch(name) is not None


# Streams of JSON values, one per line: NDJSON, JSON Lines (and its common spellings) and JSON text
# sequences (RFC 7464: each value after an RS character).
JSON_LINES_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonl",
        "application/jsonlines",
        "application/x-jsonlines",
        "application/json-seq",
    }
)


def body_kind(media_type: str) -> BodyKind:
    mt = media_type.split(";")[0].strip().lower()
    if mt == "application/json" or mt.endswith("+json") or mt == "*/json":
        return BodyKind.JSON
    if mt == "application/x-www-form-urlencoded":
        return BodyKind.FORM
    if mt.startswith("multipart/"):
        return BodyKind.MULTIPART
    if mt == "text/event-stream":
        return BodyKind.EVENT_STREAM
    if mt in JSON_LINES_TYPES:
        return BodyKind.JSON_LINES
    if mt.startswith("text/") or mt == "application/xml":
        return BodyKind.TEXT
    return BodyKind.BINARY


KIND_ORDER = {
    BodyKind.JSON: 0,
    BodyKind.EVENT_STREAM: 1,
    BodyKind.JSON_LINES: 2,
    BodyKind.FORM: 3,
    BodyKind.MULTIPART: 4,
    BodyKind.TEXT: 5,
    BodyKind.BINARY: 6,
}
STATUS = re.compile(r"[1-5](?:[0-9][0-9]|XX|xx)|default")  # a response key the server can send


def status_key(status: str) -> tuple[int, str]:
    if status.isascii() and status.isdigit():
        return (0, status)
    if status.upper().endswith("XX"):
        return (1, status)
    return (2, status)


IDEMPOTENCY_HEADERS = frozenset({"idempotency-key", "x-idempotency-key"})
"""Header parameters that carry an idempotency key (case-insensitive); the config's
``idempotency_headers`` adds others."""


def idempotency_header(parameters: Iterable[Parameter], names: frozenset[str]) -> str | None:
    """The wire name of the operation's idempotency key header parameter, if it declares one."""
    return next(
        (p.name for p in parameters if p.location is ParamLocation.HEADER and p.name.lower() in names), None
    )


# The media type object key listing an event stream's event names (README, "The server").
EVENT_NAMES_KEY = "x-sse-events"
_STYLES = frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"})


def field_encodings(raw: Any) -> tuple[FieldEncoding, ...]:
    """A media type's ``encoding`` map, by property name (sorted; unusable entries left out).

    As OpenAPI 3.1.1 says, giving ``style``, ``explode`` or ``allowReserved`` means RFC 6570
    serialization (``style`` defaults to ``form``, ``explode`` to ``style == "form"``); giving
    none of them means the value is sent as its ``contentType``.
    """
    out: list[FieldEncoding] = []
    for name, enc in sorted(raw.items()) if isinstance(raw, Mapping) else ():
        if not isinstance(enc, Mapping) or not isinstance(name, str):
            continue
        content_type = enc.get("contentType") if isinstance(enc.get("contentType"), str) else None
        style = enc.get("style")
        if (isinstance(style, str) and style in _STYLES) or any(k in enc for k in ("explode", "allowReserved")):
            style = style if isinstance(style, str) and style in _STYLES else "form"
            explode = enc["explode"] if isinstance(enc.get("explode"), bool) else style == "form"
            out.append(FieldEncoding(name, style, explode, content_type))
        elif content_type is not None:
            out.append(FieldEncoding(name, None, True, content_type))
    return tuple(out)


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def security_schemes(document: Mapping[str, Any]) -> tuple[SecurityScheme, ...]:
    raw = (document.get("components") or {}).get("securitySchemes") or {}
    keys = sorted(raw) if isinstance(raw, Mapping) else []
    # ``scopes``: the server's Credentials attribute with the granted OAuth 2 scopes.
    reserved = naming.CLIENT_ATTRIBUTES | naming.ANNOTATION_NAMES | {"scopes"}
    names = naming.dedupe(naming.snake(k, prefix="auth", reserved=reserved) for k in keys)
    out = []
    for key, py in zip(keys, names, strict=True):
        s = raw[key] if isinstance(raw[key], Mapping) else {}
        kind, location, param = SecurityKind.UNSUPPORTED, None, None
        t = s.get("type")
        if (
            t == "apiKey"
            and s.get("in") in ("header", "query", "cookie")
            and isinstance(s.get("name"), str)
            and (s["in"] == "query" or is_http_token(s["name"]))
        ):  # a header or cookie that cannot be sent on the wire leaves the scheme unsupported
            kind, location, param = SecurityKind.API_KEY, ParamLocation(s["in"]), s["name"]
        elif t == "http" and str(s.get("scheme", "")).lower() == "bearer":
            kind = SecurityKind.HTTP_BEARER
        elif t == "http" and str(s.get("scheme", "")).lower() == "basic":
            kind = SecurityKind.HTTP_BASIC
        elif t == "oauth2":
            kind = SecurityKind.OAUTH2
        elif t == "openIdConnect":
            kind = SecurityKind.OPENID_CONNECT
        flows = oauth_flows(s.get("flows")) if kind is SecurityKind.OAUTH2 else ()
        out.append(SecurityScheme(key, py, kind, location, param, text_or_none(s.get("description")), flows))
    return tuple(out)
