"""Reading one spec file, safely: bytes -> text -> data.

* JSON and YAML (chosen by extension, else sniffed); YAML through libyaml (``CSafeLoader``) when
  available, timestamps kept as strings, mapping keys made strings (``200:`` -> ``"200"``).
* Resource limits fail fast: files over :data:`MAX_FILE_BYTES` (checked before reading), YAML
  aliases that expand too much ("billion laughs"); text that is not UTF-8, lone surrogates and
  non-JSON values (NaN, non-string keys) are refused.

Every failure is a :class:`SpecError` naming the file (and line/column where known).
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.pointers import pointer
from .lines import SourceText
from .walk import MAX_DEPTH
from .yaml_loader import SpecYamlLoader
from .yaml_parts import parse_parts

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Refuse files (and remote documents) bigger than this, before reading them."""
MAX_ALIAS_EXPANSION = 1_000_000
"""Refuse YAML whose aliases, expanded, would add more than this many containers."""


def fail(display: str, message: str, *, line: int | None = None, column: int | None = None,
          pointer: str = "", hint: str | None = None) -> SpecError:
    return SpecError(Diagnostic(display, pointer, message, Severity.ERROR, line, column, hint))


def read_file_bytes(path: Path, display: str) -> bytes:
    """The bytes of one local file, refusing directories, special files and huge files."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise fail(display, "file not found") from None
    except OSError as exc:
        raise fail(display, f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail(display, "is a directory, not a spec file")
    if not stat.S_ISREG(info.st_mode):
        raise fail(display, "is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise fail(display, f"file is too big ({info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise fail(display, f"cannot read file: {exc.strerror or exc}") from None


def decode_text(raw: bytes, display: str) -> str:
    """UTF-8 (a BOM is dropped); SpecError with the line and column of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail(display, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line=line, column=column) from None


def is_json_text(name: str, text: str) -> bool:
    """JSON by extension (``.json``), YAML by extension (``.yaml``/``.yml``), else sniffed."""
    lowered = name.lower().split("?", 1)[0]
    if lowered.endswith(".json"):
        return True
    if lowered.endswith((".yaml", ".yml")):
        return False
    return text.lstrip()[:1] in ("{", "[")


def parse_text(text: str, display: str, is_json: bool) -> Any:
    """Parse JSON or YAML text; SpecError with line/column on bad syntax or resource abuse."""
    if is_json:
        try:
            data = json.loads(text)
            _check_surrogates(data, display, text)
            return data
        except json.JSONDecodeError as exc:
            raise fail(display, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
        except RecursionError:
            raise fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)") from None
    parts = parse_parts(text)  # a big file: put together from its entries, each parsed once across runs
    if parts is not None:
        _check_surrogates(parts, display, text)
        return parts
    loader = SpecYamlLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "syntax error"
        raise fail(display, f"invalid YAML: {problem}", line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # e.g. a bad !!binary or !!int
        raise fail(display, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    if loader.alias_uses:
        check_shape(data, display)
        try:
            data = copy_json(data)  # unshare aliased nodes: later stages may edit the document
        except RecursionError:
            raise fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)") from None
    _check_surrogates(data, display, text)
    return data


# An escape that may stand for half of a UTF-16 surrogate pair (JSON "\ud800", YAML "\U0000d800").
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")


def _check_surrogates(data: Any, display: str, text: str) -> None:
    """Refuse text that is not Unicode: a lone surrogate (``"\\ud800"`` without its pair) cannot
    be written to a UTF-8 file. Only searched for when the source has such an escape."""
    if not _SURROGATE_ESCAPE.search(text):
        return
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            items: Any = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            items = ()
        for key, value in items:
            here = (*path, str(key))
            for part in (key, value) if isinstance(key, str) else (value,):
                if isinstance(part, str) and _has_surrogate(part):
                    line = SourceText(display, text, is_json_text(display, text)).line(here)
                    raise fail(display, "text is not valid Unicode: it has a lone surrogate "
                                f"({_first_surrogate(part)})", pointer=pointer(*here), line=line)
            stack.append((value, here))
    if isinstance(data, str) and _has_surrogate(data):
        raise fail(display, f"text is not valid Unicode: it has a lone surrogate ({_first_surrogate(data)})")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _first_surrogate(text: str) -> str:
    return next(f"\\u{ord(c):04x}" for c in text if 0xD800 <= ord(c) <= 0xDFFF)


def check_shape(data: Any, display: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, recursive aliases, and aliases that would expand to
    more than MAX_ALIAS_EXPANSION extra containers (a shared container counts each time)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(data, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        children = [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, (dict, list))]
        if done:
            sizes[id(node)] = total = 1 + sum(sizes[id(c)] for c in children)
            active.discard(id(node))
            if total - len(sizes) > MAX_ALIAS_EXPANSION:
                raise fail(display, "YAML aliases expand too much (a 'billion laughs' alias bomb?); "
                            f"the limit is {MAX_ALIAS_EXPANSION:,} extra nodes")
        elif id(node) in active:
            raise fail(display, "recursive YAML alias (a node that contains itself)")
        elif depth > MAX_DEPTH:
            raise fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)")
        elif id(node) not in sizes:
            active.add(id(node))
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def load_data_file(path: Path, display: str) -> Any:
    """One JSON/YAML file -> data (no ``$ref`` handling); SpecError with line/column on failure."""
    text = decode_text(read_file_bytes(Path(path), display), display)
    data = parse_text(text, display, is_json_text(str(path), text))
    check_shape(data, display)
    return data


# --- line maps ------------------------------------------------------------------------------


# --- bundling external $refs ------------------------------------------------------------------


