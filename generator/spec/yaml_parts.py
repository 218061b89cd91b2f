"""A big YAML spec parsed in parts, each part's value remembered across runs: after an edit, a
regeneration parses only the entries whose text changed (on openai.yaml, 3 MB, the whole parse
is most of a second of every run).

The document's top-level mapping is cut at its keys' lines into entries; an entry that is a
big block mapping (``paths``, ``components``, ``components/schemas``) is cut again, down to
:data:`_DEPTH` levels. Each leaf entry (its key line and the lines below it, dedented) is
parsed on its own with the spec's loader and remembered by its text (:class:`oapigen.core.memo.Memo`);
the document is put together from them in the file's order. That is the value the whole parse
gives only for plain block YAML, so anything else gives None and the caller parses the whole
text (which also reports any error): a directive or document marker, a tab in the indentation,
a line less indented than its entry (but a comment), a complex (``?``) or merge (``<<``) key,
an entry that is not one key, or that uses an alias.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from ..core.memo import Memo
from .yaml_loader import SpecYamlLoader

_DEPTH = 3  # document -> components -> schemas -> one schema
_SPLIT_MIN_LINES = 200  # a block mapping smaller than this is one part
_MIN_CHARS = 200_000  # a smaller file is parsed whole: parts would not pay
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # line breaks to YAML besides "\n": parsed whole
# A key line with nothing after the colon but a comment: its value may be a block mapping below it.
_BLOCK_KEY = re.compile(r"[^\s#?&*!|>%@`\[\]{},-][^#]*:[ \t]*(?:#.*)?\n?")


def _is_entry(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1


_PARTS = Memo("yaml-part", _is_entry)


class _NotPlain(Exception):
    """The text is not plain block YAML as this module cuts it: parse it whole."""


def parse_parts(text: str) -> dict[str, Any] | None:
    """The document ``text`` holds (a mapping), put together from its remembered parts; None
    when it is small or not plain block YAML (see the module's text)."""
    if len(text) < _MIN_CHARS:
        return None
    if any(brk in text for brk in _OTHER_BREAKS):
        return None
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    if any(line.startswith(("%", "---", "...")) for line in lines):
        return None
    try:
        return _mapping(lines, 0, len(lines), 0, 0)
    except _NotPlain:
        return None


def _mapping(lines: list[str], start: int, end: int, indent: int, depth: int) -> dict[str, Any]:
    """The block mapping of ``lines[start:end]``, whose keys are at column ``indent``."""
    result: dict[str, Any] = {}
    for first, last in _entries(lines, start, end, indent):
        head = lines[first][indent:]
        if head.startswith("<<"):
            raise _NotPlain
        child = _first_below(lines, first + 1, last)
        if (depth < _DEPTH and last - first >= _SPLIT_MIN_LINES and child is not None and _column(lines[child]) > indent
                and not lines[child].lstrip(" ").startswith("-") and _BLOCK_KEY.fullmatch(head)):
            key = _only_key(_parsed(head), none=True)
            result[key] = _mapping(lines, child, last, _column(lines[child]), depth + 1)
        else:
            part = "".join(_dedented(lines, first, last, indent))
            value = _PARTS.get(part, functools.partial(_parsed, part))
            key = _only_key(value)
            result[key] = value[key]
    return result


def _column(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _entries(lines: list[str], start: int, end: int, indent: int) -> list[tuple[int, int]]:
    """(first, end) line ranges of the entries of a block mapping at column ``indent``."""
    starts: list[int] = []
    for index in range(start, end):
        line = lines[index]
        body = line.lstrip(" \t")
        if not body.strip():
            continue  # blank
        lead = line[: len(line) - len(body)]
        if "\t" in lead:
            raise _NotPlain
        if body.startswith("#") and len(lead) <= indent:
            continue  # a comment (less indented than any block scalar of an entry could be)
        if len(lead) < indent:
            raise _NotPlain
        if len(lead) == indent:
            if body.startswith("-") and body[1:2] in (" ", "\n", ""):
                if not starts:
                    raise _NotPlain
                continue  # a block sequence at its key's column belongs to that key
            if body.startswith("?"):
                raise _NotPlain
            starts.append(index)
    if not starts:
        raise _NotPlain
    bounds = [*starts, end]
    return [(bounds[i], bounds[i + 1]) for i in range(len(starts))]


def _first_below(lines: list[str], start: int, end: int) -> int | None:
    """The first line of ``start:end`` that is neither blank nor a comment."""
    for index in range(start, end):
        body = lines[index].lstrip(" ")
        if body.strip() and not body.startswith("#"):
            return index
    return None


def _dedented(lines: list[str], first: int, last: int, indent: int) -> list[str]:
    """The entry's lines from its key's column; comments less indented are left out."""
    out = []
    for line in lines[first:last]:
        if len(line) - len(line.lstrip(" ")) >= indent:
            out.append(line[indent:])
        elif not line.strip():
            out.append("\n")
        elif not line.lstrip(" ").startswith("#"):
            raise _NotPlain  # cannot happen after _entries; the guard of the cut
    return out


def _parsed(text: str) -> Any:
    loader = SpecYamlLoader(text)
    try:
        value = loader.get_single_data()
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        raise _NotPlain from None
    finally:
        loader.dispose()
    if loader.alias_uses or not _is_entry(value):
        raise _NotPlain
    return value


def _only_key(value: Any, *, none: bool = False) -> str:
    """The one key of an entry (``none``: a key line alone, whose value is None)."""
    if not _is_entry(value):
        raise _NotPlain
    ((key, item),) = value.items()
    if none and item is not None:
        raise _NotPlain
    return str(key)


__all__ = ["parse_parts"]
