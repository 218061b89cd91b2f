"""Spec values as Python source, for the generated server: literals and parameter defaults.

:func:`py_literal` only emits ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``
literals, every string through :func:`oapigen.core.escape.str_literal`.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from ..core import escape
from ..ir.model import BodyKind, FieldEncoding, MediaBody, TypeKind, TypeRef


class Unrenderable(ValueError):
    """A spec value with no JSON equivalent (e.g. NaN): it is left out of the output."""


def py_literal(value: Any) -> str:
    """A Python literal that evaluates to the JSON value ``value`` (strings via ``str_literal``).

    YAML dates and datetimes become their ISO strings, as they read in JSON.
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unrenderable(f"{value!r} is not a JSON number")
        return repr(float(value))
    if isinstance(value, str):
        return escape.str_literal(value)
    if isinstance(value, _dt.date | _dt.datetime):
        return escape.str_literal(value.isoformat())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{escape.str_literal(str(k))}: {py_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise Unrenderable(f"{type(value).__name__} is not a JSON value")


def try_literal(value: Any) -> str | None:
    try:
        return py_literal(value)
    except (Unrenderable, RecursionError):
        return None


def fits(t: TypeRef, value: Any) -> bool:
    """Whether a spec default is a value of ``t`` that mypy accepts as written."""
    match t.kind:
        case TypeKind.ANY:
            return True
        case TypeKind.NONE:
            return value is None
        case TypeKind.PRIMITIVE:
            wanted = {"str": str, "int": int, "float": int | float, "bool": bool}.get(t.name)
            ok = wanted is not None and isinstance(value, wanted)
            return ok and (t.name == "bool" or not isinstance(value, bool))
        case TypeKind.LITERAL:
            return any(value == v and type(value) is type(v) for v in t.literal)
        case TypeKind.LIST:
            return isinstance(value, list) and all(fits(t.args[0], v) for v in value)
        case TypeKind.DICT:
            return isinstance(value, dict) and all(fits(t.args[0], v) for v in value.values())
        case TypeKind.UNION:
            return any(fits(a, value) for a in t.args)
    return False


def encoding_literal(encodings: tuple[FieldEncoding, ...]) -> str | None:
    """A body's per-property encoding as the generated runtimes read it (client and server
    alike): ``{"size": ("deepObject", True, None)}``, i.e. name -> (style, explode,
    content type); None when the spec declares none."""
    if not encodings:
        return None
    items = (
        f"{escape.str_literal(e.name)}: ({py_literal(e.style)}, {e.explode}, {py_literal(e.content_type)})"
        for e in encodings
    )
    return "{" + ", ".join(items) + "}"


BODY_PART = "file"
"""The one part a multipart body that is no object of parts (a bare file, a list of files, a
scalar) is sent in, each item of a list in a part of its own: client and server alike."""

_OBJECT_KINDS = (TypeKind.NAMED, TypeKind.DICT, TypeKind.ANY)


def body_part(media: MediaBody) -> str | None:
    """The part name (a literal) of a multipart body whose type is not an object of parts; None
    for other bodies (a model's properties are its parts)."""
    if media.kind is not BodyKind.MULTIPART:
        return None
    kinds = [t.kind for t in (media.type.args if media.type.kind is TypeKind.UNION else (media.type,))]
    if any(k in _OBJECT_KINDS for k in kinds):
        return None
    return escape.str_literal(BODY_PART)
