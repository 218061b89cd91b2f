"""JSON pointers (RFC 6901): building, parsing and following them, and reading an internal
``$ref`` as one. Every stage locates findings and follows references through these.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any


def escape_pointer_token(token: str | int) -> str:
    """One JSON pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer from raw tokens: ``pointer("paths", "/a/{b}")`` -> ``/paths/~1a~1{b}``."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def unescape_pointer(ptr: str) -> list[str]:
    if ptr in ("", "/", "#", "#/"):
        return []
    ptr = ptr.removeprefix("#")
    return [t.replace("~1", "/").replace("~0", "~") for t in ptr.lstrip("/").split("/")]


MISSING: Any = object()  # what ``follow_pointer`` returns when nothing is at the pointer


def follow_pointer(node: Any, tokens: Iterable[str | int]) -> Any:
    """The value at ``tokens`` (raw, unescaped pointer tokens) below ``node``, or ``MISSING``.

    The one JSON-pointer walk: list indexes must be ASCII digits (``'\u00b2'.isdigit()`` is
    true, but it is no index).
    """
    for token in tokens:
        if isinstance(node, Mapping):
            key = token if token in node else str(token)
            if key not in node:
                return MISSING
            node = node[key]
        elif isinstance(node, list) and str(token).isascii() and str(token).isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


def ref_tokens(ref: str) -> tuple[str, ...] | None:
    """Tokens of an internal JSON-pointer ref ("#", "#/a/b"); None for anything else."""
    if not ref.startswith("#") or (len(ref) > 1 and ref[1] != "/"):
        return None
    return tuple(unescape_pointer(urllib.parse.unquote(ref) if "%" in ref else ref))
