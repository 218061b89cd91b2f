"""Load an OpenAPI description into ONE bundled document, safely, and locate pointers in it.

* JSON and YAML (chosen by extension, else sniffed); YAML through libyaml (``CSafeLoader``) when
  available, timestamps kept as strings, mapping keys made strings (``200:`` -> ``"200"``).
* Resource limits fail fast: files over :data:`MAX_FILE_BYTES` (checked before reading), YAML
  aliases that expand too much ("billion laughs"), nesting deeper than :data:`MAX_DEPTH`.
* External ``$ref``\\ s (other files, or URLs with ``allow_remote_refs``) are pulled into the root
  document (``components/<kind>/<Name>``, or ``definitions``/``parameters``/``responses`` for
  Swagger 2.0) and rewritten to internal pointers (:class:`_Bundler`).
* A spec is untrusted input: a ``$ref`` to a local file must stay inside the spec's own folder
  tree (symlinks resolved first) or a folder given with ``allow_ref_outside``; a remote
  document never reads local files.
* :meth:`LoadedSpec.locate` maps a JSON pointer to ``(file, line)``; the line map is built only
  when first asked for (:class:`SourceText`).

Every failure is a :class:`SpecError` naming the file (and line/column where known).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.pointers import MISSING, follow_pointer, pointer, unescape_pointer
from .walk import (
    CALLBACK,
    EXAMPLE,
    HEADER,
    LINK,
    MAX_DEPTH,
    PARAMETER,
    REQUEST_BODY,
    RESPONSE,
    ROOT,
    SCHEMA,
    SECURITY_SCHEME,
    TooDeep,
    walk_spec,
)

try:
    from yaml import CSafeLoader as _BaseYamlLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseYamlLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Refuse files (and remote documents) bigger than this, before reading them."""
MAX_ALIAS_EXPANSION = 1_000_000
"""Refuse YAML whose aliases, expanded, would add more than this many containers."""
REMOTE_TIMEOUT = 10.0
"""Seconds to wait for a remote ``$ref`` (only with ``allow_remote_refs``)."""


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


class SpecYamlLoader(_BaseYamlLoader):
    """Safe YAML loader for specs: string keys, string timestamps, counted alias re-uses."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self.alias_uses = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            self.alias_uses += 1  # the same node met again: an alias
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep)
        for key in mapping:
            if type(key) is not str:
                return {_key_text(k): v for k, v in mapping.items()}
        return mapping


def _timestamp_as_text(loader: SpecYamlLoader, node: Any) -> str:
    return str(loader.construct_scalar(node))


SpecYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _fail(display: str, message: str, *, line: int | None = None, column: int | None = None,
          pointer: str = "", hint: str | None = None) -> SpecError:
    return SpecError(Diagnostic(display, pointer, message, Severity.ERROR, line, column, hint))


def read_file_bytes(path: Path, display: str) -> bytes:
    """The bytes of one local file, refusing directories, special files and huge files."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _fail(display, "file not found") from None
    except OSError as exc:
        raise _fail(display, f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _fail(display, "is a directory, not a spec file")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(display, "is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise _fail(display, f"file is too big ({info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(display, f"cannot read file: {exc.strerror or exc}") from None


def decode_text(raw: bytes, display: str) -> str:
    """UTF-8 (a BOM is dropped); SpecError with the line and column of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(display, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line=line, column=column) from None


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
            raise _fail(display, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
        except RecursionError:
            raise _fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)") from None
    loader = SpecYamlLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "syntax error"
        raise _fail(display, f"invalid YAML: {problem}", line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # e.g. a bad !!binary or !!int
        raise _fail(display, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise _fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    if loader.alias_uses:
        _check_shape(data, display)
        try:
            data = copy_json(data)  # unshare aliased nodes: later stages may edit the document
        except RecursionError:
            raise _fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)") from None
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
                    raise _fail(display, "text is not valid Unicode: it has a lone surrogate "
                                f"({_first_surrogate(part)})", pointer=pointer(*here), line=line)
            stack.append((value, here))
    if isinstance(data, str) and _has_surrogate(data):
        raise _fail(display, f"text is not valid Unicode: it has a lone surrogate ({_first_surrogate(data)})")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _first_surrogate(text: str) -> str:
    return next(f"\\u{ord(c):04x}" for c in text if 0xD800 <= ord(c) <= 0xDFFF)


def _check_shape(data: Any, display: str) -> None:
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
                raise _fail(display, "YAML aliases expand too much (a 'billion laughs' alias bomb?); "
                            f"the limit is {MAX_ALIAS_EXPANSION:,} extra nodes")
        elif id(node) in active:
            raise _fail(display, "recursive YAML alias (a node that contains itself)")
        elif depth > MAX_DEPTH:
            raise _fail(display, f"nesting is too deep (the limit is {MAX_DEPTH} levels)")
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
    _check_shape(data, display)
    return data


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """A spec as loaded: the bundled document plus what is needed to locate findings in it."""

    path: Path
    display: str
    document: dict[str, Any]
    sha256: str
    files: tuple[Path, ...]
    # pointer tokens of content pulled in from another file -> (that file's display, tokens there)
    origins: Mapping[tuple[str, ...], tuple[str, tuple[str, ...]]] = field(
        default_factory=dict, repr=False, compare=False)
    # display name -> source text of every file read (line maps are built from them lazily)
    sources: dict[str, SourceText] = field(default_factory=dict, repr=False, compare=False)

    def locate(self, pointer: str) -> tuple[str, int | None]:
        """(file display name, 1-based line or None) for a JSON pointer into :attr:`document`."""
        tokens = tuple(unescape_pointer(pointer))
        display, inner = self.display, tokens
        if self.origins:
            for cut in range(len(tokens), 0, -1):
                origin = self.origins.get(tokens[:cut])
                if origin is not None:
                    display, inner = origin[0], origin[1] + tokens[cut:]
                    break
        source = self.sources.get(display)
        if source is None and display == self.display:
            try:
                text = decode_text(read_file_bytes(self.path, self.display), self.display)
            except SpecError:
                return display, None
            source = self.sources[display] = SourceText(display, text, is_json_text(str(self.path), text))
        return display, (source.line(inner) if source is not None else None)

    def diagnostic(self, pointer: str, message: str, *, severity: Severity = Severity.ERROR,
                   hint: str | None = None) -> Diagnostic:
        """A :class:`Diagnostic` located by :meth:`locate`."""
        file, line = self.locate(pointer)
        return Diagnostic(file, pointer, message, severity, line, None, hint)


def load_spec(path: str | Path, *, allow_remote_refs: bool = False,
              allow_ref_outside: Sequence[str | Path] = ()) -> LoadedSpec:
    """Load, parse and bundle a spec. Raises :class:`SpecError` (never anything else).

    ``$ref``\\ s to local files may reach the spec's folder tree and the folders of
    ``allow_ref_outside`` only (all with symlinks resolved)."""
    root = Path(path)
    display = str(path)
    raw = read_file_bytes(root, display)
    text = decode_text(raw, display)
    is_json = is_json_text(display, text)
    document = parse_text(text, display, is_json)
    if not isinstance(document, dict):
        found = "empty" if document is None else f"a {type(document).__name__}"
        raise _fail(display, f"top level is {found}; expected a mapping (an OpenAPI document object)")
    sources = {display: SourceText(display, text, is_json)}
    roots = (root.resolve().parent, *(Path(d).resolve() for d in allow_ref_outside))
    bundler = _Bundler(root, display, document, sources, allow_remote=allow_remote_refs, roots=roots)
    bundler.run()
    return LoadedSpec(
        path=root,
        display=display,
        document=document,
        sha256=hashlib.sha256(raw).hexdigest(),
        files=(root, *sorted(bundler.local_files)),
        origins=bundler.origins,
        sources=sources,
    )


# --- line maps ------------------------------------------------------------------------------

_STR_TAG = "tag:yaml.org,2002:str"
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],\n]')


class SourceText:
    """One file's text and, built on first use, its pointer -> line map (a trie of tokens)."""

    __slots__ = ("_trie", "display", "is_json", "text")

    def __init__(self, display: str, text: str, is_json: bool) -> None:
        self.display, self.text, self.is_json = display, text, is_json
        self._trie: dict[str, Any] | None = None

    def line(self, tokens: tuple[str, ...]) -> int | None:
        """1-based line of the deepest existing ancestor of ``tokens`` (None for the root)."""
        if self._trie is None:
            try:
                self._trie = _json_lines(self.text) if self.is_json else _yaml_lines(self.text)
            except (yaml.YAMLError, ValueError, RecursionError):
                self._trie = {}
        line, level = None, self._trie
        for token in tokens:
            entry = level.get(token)
            if entry is None:
                break
            line, level = entry
        return line


def _yaml_lines(text: str) -> dict[str, Any]:
    loader = SpecYamlLoader(text)
    trie: dict[str, Any] = {}
    try:
        stack: list[tuple[yaml.Node | None, dict[str, Any]]] = [(loader.get_single_node(), trie)]
        while stack:
            node, level = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.tag == _STR_TAG:
                        key = key_node.value
                    elif key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    else:
                        key = _key_text(loader.construct_object(key_node, deep=True))
                    entry: tuple[int, dict[str, Any]] = (key_node.start_mark.line + 1, {})
                    level[key] = entry
                    stack.append((value_node, entry[1]))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    level[str(index)] = entry = (item.start_mark.line + 1, {})
                    stack.append((item, entry[1]))
    finally:
        loader.dispose()
    return trie


def _json_lines(text: str) -> dict[str, Any]:
    """A small scanner: strings, brackets, commas and newlines are all a line map needs."""
    trie: dict[str, Any] = {}
    line = 1
    stack: list[list[Any]] = []  # [is_array, children, index, expecting_key, children_of_last_key]
    entry: tuple[int, dict[str, Any]]
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        char = token[0]
        if char == "\n":
            line += 1
            continue
        top = stack[-1] if stack else None
        if char == '"':
            if top is not None and top[0]:
                top[1][str(top[2])] = (line, {})
            elif top is not None and top[3]:
                key = json.loads(token) if "\\" in token else token[1:-1]
                top[1][key] = entry = (line, {})
                top[3], top[4] = False, entry[1]
        elif char in "{[":
            if top is None:
                children = trie
            elif top[0]:
                top[1][str(top[2])] = entry = (line, {})
                children = entry[1]
            else:
                children = top[4]
            stack.append([char == "[", children, 0, char == "{", None])
        elif char in "}]":
            if stack:
                stack.pop()
        elif top is not None:  # a comma
            if top[0]:
                top[2] += 1
            else:
                top[3] = True
    return trie


# --- bundling external $refs ------------------------------------------------------------------

_SECTIONS_3 = {kind: ("components", section) for kind, section in (
    (SCHEMA, "schemas"), (PARAMETER, "parameters"), (RESPONSE, "responses"), (REQUEST_BODY, "requestBodies"),
    (HEADER, "headers"), (EXAMPLE, "examples"), (LINK, "links"), (CALLBACK, "callbacks"),
    (SECURITY_SCHEME, "securitySchemes"))}
_SECTIONS_2 = {SCHEMA: ("definitions",), PARAMETER: ("parameters",), RESPONSE: ("responses",)}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_FAILED = object()


@dataclass(frozen=True, slots=True)
class _Where:
    """The file a walk is in: its key (resolved path or URL), display name, the tokens of the
    walked node inside that file, and the length of the document path at that node."""

    key: str
    display: str
    base: tuple[str, ...]
    depth: int

    def tokens(self, path: list[str | int]) -> tuple[str, ...]:
        return self.base + tuple(str(t) for t in path[self.depth:])


class _Bundler:
    """Pulls every external ``$ref`` target into the root document and rewrites the ``$ref``.

    Targets go to the section for the kind of place they are referenced from (a schema to
    ``components/schemas``...), named after the fragment's last token or the file's stem, made
    unique deterministically; kinds without a section (path items...) are inlined. Each target is
    walked in the context of its own file, so its relative refs resolve against that file.
    """

    def __init__(self, root: Path, display: str, document: dict[str, Any], sources: dict[str, SourceText],
                 *, allow_remote: bool, roots: tuple[Path, ...]) -> None:
        self.document, self.sources, self.allow_remote = document, sources, allow_remote
        self.roots = roots  # the folders local $refs may reach
        self.root = _Where(str(root.resolve()), display, (), 0)
        self.sections = _SECTIONS_2 if "swagger" in document else _SECTIONS_3
        self.docs: dict[str, Any] = {}
        self.local_files: set[Path] = set()
        self.targets: dict[tuple[str, str], str] = {}
        self.origins: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
        self.taken: dict[tuple[str, ...], set[str]] = {}
        self.pending: list[tuple[tuple[str, ...], Any, _Where, str]] = []
        self.inlining: set[tuple[str, str]] = set()
        self.errors: list[Diagnostic] = []

    def run(self) -> None:
        self._walk(self.document, ROOT, [], self.root)
        while self.pending and not self.errors:
            tokens, content, where, kind = self.pending.pop(0)
            section = self.document
            for token in tokens[:-1]:
                section = section.setdefault(token, {})
                if not isinstance(section, dict):
                    raise _fail(self.root.display, f"cannot bundle external $refs: '{token}' is not a mapping",
                                pointer="/" + "/".join(tokens[:-1]))
            section[tokens[-1]] = content
            self._walk(content, kind, list(tokens), where)
        if self.errors:
            raise SpecError(self.errors)

    def _walk(self, node: Any, kind: str, path: list[str | int], where: _Where) -> None:
        def visit(path: list[str | int], node: Any, kind: str) -> bool:
            ref = node.get("$ref") if isinstance(node, dict) else None
            return self._on_ref(node, ref, kind, path, where) if isinstance(ref, str) else True

        try:
            walk_spec(node, visit, kind=kind, path=path)
        except TooDeep as exc:
            raise SpecError(self._diagnostic(where, list(exc.path),
                                             f"nesting is too deep (the limit is {MAX_DEPTH} levels)")) from None

    def _diagnostic(self, where: _Where, path: list[str | int], message: str,
                    hint: str | None = None) -> Diagnostic:
        tokens = where.tokens(path)
        source = self.sources.get(where.display)
        line = source.line(tokens) if source is not None else None
        return Diagnostic(where.display, pointer(*tokens), message, Severity.ERROR, line, None, hint)

    def _on_ref(self, node: dict[str, Any], ref: str, kind: str, path: list[str | int], where: _Where) -> bool:
        if ref.startswith("#"):
            if where.key == self.root.key:
                return True  # internal to the root document: stays as it is
            key, display, fragment = where.key, where.display, ref[1:]
        else:
            resolved = self._resolve(ref, path, where)
            if resolved is None:
                return True
            key, display, fragment = resolved
            if key == self.root.key:
                node["$ref"] = "#" + fragment
                return True
        fragment = urllib.parse.unquote(fragment)
        content = self._content(key, display, fragment, ref, path, where)
        if content is _FAILED:
            return True
        ident, frag_tokens = (key, fragment), tuple(unescape_pointer(fragment))
        section = self.sections.get(kind)
        if section is None:  # no section for this kind: inline a copy
            if ident in self.inlining:
                self.errors.append(self._diagnostic(where, path, f"circular $ref '{ref}' (through inlined content)"))
                return False
            inlined = self._inline(node, copy_json(content), ref, path, where)
            if inlined is _FAILED:
                return False
            self.origins[tuple(str(t) for t in path)] = (display, frag_tokens)
            self.inlining.add(ident)
            try:
                self._walk(inlined, kind, list(path), _Where(key, display, frag_tokens, len(path)))
            finally:
                self.inlining.discard(ident)
            return False
        new_ref = self.targets.get(ident)
        if new_ref is None:
            tokens = (*section, self._name(section, key, frag_tokens))
            new_ref = self.targets[ident] = "#" + pointer(*tokens)
            self.origins[tokens] = (display, frag_tokens)
            self.pending.append((tokens, copy_json(content), _Where(key, display, frag_tokens, len(tokens)), kind))
        node["$ref"] = new_ref
        return True

    def _inline(self, node: dict[str, Any], content: Any, ref: str, path: list[str | int], where: _Where) -> Any:
        """Put ``content`` where ``node`` (the ``$ref`` object) is; its sibling keys merge into a
        mapping. Any other JSON value (a string, number, list...) replaces the node in its parent;
        siblings cannot merge into it, so they are an error, as is a document that is not a
        mapping. Returns the inlined value, or _FAILED (error recorded)."""
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if isinstance(content, dict):
            node.clear()
            node.update(content)
            node.update(siblings)
            return node
        what = type(content).__name__ if content is not None else "null"
        if siblings or not path:
            reason = f"has sibling keys ({', '.join(sorted(map(str, siblings)))})" if siblings else "is the whole document"
            self.errors.append(self._diagnostic(where, path, f"$ref '{ref}' points to a {what}, not a mapping, "
                                                f"and {reason}: the two cannot be merged"))
            return _FAILED
        parent: Any = self.document
        for token in path[:-1]:
            parent = parent[token]
        parent[path[-1]] = content
        return content

    def _resolve(self, ref: str, path: list[str | int], where: _Where) -> tuple[str, str, str] | None:
        """(file key, display, fragment) of an external ref, or None (error recorded)."""
        base, _, fragment = ref.partition("#")
        url = urllib.parse.urljoin(where.key, base) if "://" in where.key else base
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme in ("http", "https"):
            if not self.allow_remote:
                self.errors.append(self._diagnostic(
                    where, path, f"remote $ref '{ref}' not allowed; pass --allow-remote-refs to fetch it"))
                return None
            key = url.split("#", 1)[0]
            return key, key, fragment
        if scheme not in ("", "file") and len(scheme) > 1:
            self.errors.append(self._diagnostic(where, path, f"unsupported $ref scheme in '{ref}'"))
            return None
        if "://" in where.key:
            self.errors.append(self._diagnostic(where, path, f"$ref '{ref}': a remote document cannot "
                                                "refer to a local file"))
            return None
        if scheme == "file":
            local = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path)).resolve()
            display = str(local)
        else:
            relative = urllib.parse.unquote(base)
            display = os.path.normpath(os.path.join(os.path.dirname(where.display), relative))
            local = (Path(where.key).parent / relative).resolve()
        if not any(local.is_relative_to(folder) for folder in self.roots):
            self.errors.append(self._diagnostic(
                where, path, f"$ref '{ref}' reaches {local}, outside the spec's folder {self.roots[0]}",
                hint="a spec may only refer to files in its own folder tree; to allow another folder, "
                     "pass --allow-ref-outside DIR (allow_ref_outside in [[tool.oapigen.specs]])"))
            return None
        return str(local), display, fragment

    def _content(self, key: str, display: str, fragment: str, ref: str, path: list[str | int],
                 where: _Where) -> Any:
        """The node a ref points to in another file (that file loaded once), or _FAILED."""
        if fragment and not fragment.startswith("/"):
            self.errors.append(self._diagnostic(where, path, f"$ref '{ref}': only JSON-pointer fragments "
                                                "('#/...') are supported in references to other files"))
            return _FAILED
        if key not in self.docs:
            self.docs[key] = _FAILED
            try:
                self.docs[key] = self._load(key, display)
            except SpecError as exc:
                first = exc.diagnostics[0]
                if first.line is None:  # the file itself is missing/unreadable: say who wants it
                    self.errors.append(self._diagnostic(where, path, f"$ref '{ref}': {display}: {first.message}"))
                else:
                    self.errors.extend(exc.diagnostics)
        node = self.docs[key]
        if node is _FAILED:
            return _FAILED
        node = follow_pointer(node, unescape_pointer(fragment))
        if node is MISSING:
            self.errors.append(self._diagnostic(where, path, f"$ref '{ref}': nothing at '#{fragment}' in {display}"))
            return _FAILED
        return node

    def _load(self, key: str, display: str) -> Any:
        if "://" in key:
            request = urllib.request.Request(key, headers={"User-Agent": "oapigen", "Accept": "*/*"})
            try:
                with urllib.request.urlopen(request, timeout=REMOTE_TIMEOUT) as response:
                    raw = response.read(MAX_FILE_BYTES + 1)
                if len(raw) > MAX_FILE_BYTES:
                    raise ValueError(f"document is bigger than {MAX_FILE_BYTES:,} bytes")
            except (OSError, ValueError) as exc:
                reason = getattr(exc, "reason", None) or exc
                raise _fail(display, f"cannot fetch: {reason}") from None
        else:
            raw = read_file_bytes(Path(key), display)
            self.local_files.add(Path(key))
        text = decode_text(raw, display)
        is_json = is_json_text(key, text)
        data = parse_text(text, display, is_json)
        _check_shape(data, display)
        self.sources[display] = SourceText(display, text, is_json)
        return data

    def _name(self, section: tuple[str, ...], key: str, frag_tokens: tuple[str, ...]) -> str:
        taken = self.taken.get(section)
        if taken is None:
            existing: Any = self.document
            for token in section:
                existing = existing.get(token) if isinstance(existing, dict) else None
            taken = self.taken[section] = set(existing) if isinstance(existing, dict) else set()
        stem = _UNSAFE_NAME.sub("_", PurePosixPath(urllib.parse.urlsplit(key).path if "://" in key
                                                   else Path(key).as_posix()).stem) or "External"
        base = _UNSAFE_NAME.sub("_", frag_tokens[-1]) if frag_tokens else stem
        candidates = [base, f"{stem}_{base}"] if frag_tokens and stem != base else [base]
        name = next((c for c in candidates if c not in taken), "")
        number = 2
        while not name:
            name = f"{base}_{number}" if f"{base}_{number}" not in taken else ""
            number += 1
        taken.add(name)
        return name
