"""Bundling: every external ``$ref`` (another file, or a URL with ``allow_remote_refs``) is
pulled into the root document (``components/<kind>/<Name>``, or ``definitions``/``parameters``/
``responses`` for Swagger 2.0) and rewritten to an internal pointer.

A spec is untrusted input: a ``$ref`` to a local file must stay inside the spec's own folder tree
(symlinks resolved first) or a folder given with ``allow_ref_outside``; a remote document never
reads local files; remote documents are bounded in size (:data:`.read.MAX_FILE_BYTES`) and time
(:data:`REMOTE_TIMEOUT`).
"""

from __future__ import annotations

import os
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.pointers import MISSING, escape_pointer_token, follow_pointer, pointer, unescape_pointer
from .lines import SourceText
from .read import (
    MAX_FILE_BYTES,
    check_shape,
    copy_json,
    decode_text,
    fail,
    is_json_text,
    parse_text,
    read_file_bytes,
)
from .walk import (
    CALLBACK,
    CHILD,
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

REMOTE_TIMEOUT = 10.0
"""Seconds to wait for a remote ``$ref`` (only with ``allow_remote_refs``)."""


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


class Bundler:
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
                    raise fail(self.root.display, f"cannot bundle external $refs: '{token}' is not a mapping",
                                pointer="/" + "/".join(tokens[:-1]))
            section[tokens[-1]] = content
            self._walk(content, kind, list(tokens), where)
        if self.errors:
            raise SpecError(self.errors)

    def _walk(self, node: Any, kind: str, path: list[str | int], where: _Where) -> None:
        def visit(path: list[str | int], node: Any, kind: str) -> bool:
            if isinstance(node, dict):
                self._expand_map_refs(node, path, where)
            ref = node.get("$ref") if isinstance(node, dict) else None
            return self._on_ref(node, ref, kind, path, where) if isinstance(ref, str) else True

        try:
            walk_spec(node, visit, kind=kind, path=path)
        except TooDeep as exc:
            raise SpecError(self._diagnostic(where, list(exc.path),
                                             f"nesting is too deep (the limit is {MAX_DEPTH} levels)")) from None

    def _expand_map_refs(self, node: dict[str, Any], path: list[str | int], where: _Where) -> None:
        """A map of spec objects given as a reference to a map elsewhere
        (``properties: {$ref: 'attributes.yml#/droplet_ids'}``, ``responses: {$ref: ...}``)
        becomes one ``$ref`` per entry of the target map (``droplet_ids: {$ref:
        'attributes.yml#/droplet_ids/droplet_ids'}``), which the walk then resolves like any other
        (a target in the root document itself is copied in).
        Bundlers such as Redocly's resolve a ``$ref`` anywhere; without this, the ``$ref`` would
        read as a property named "$ref". A property named "$ref" whose value is a schema (not a
        string) stays one. The map's other entries are kept and win over the target's."""
        for key, value in node.items():
            child = CHILD.get(key)
            if child is None or not child[1] or not isinstance(value, dict) or not isinstance(value.get("$ref"), str):
                continue
            ref: str = value["$ref"]
            here = [*path, key]
            target = self._map_target(ref, here, where)
            if target is None:
                continue
            if ref.startswith("#") and where.key == self.root.key:
                # in the root document: copies (later stages resolve schema $refs only into
                # components, and the target may be anywhere)
                expanded: dict[str, Any] = copy_json(target)
            else:  # one $ref per entry, bundled from its own file like any other
                base = ref if "#" in ref else ref + "#"
                expanded = {name: {"$ref": f"{base}/{escape_pointer_token(name)}"} for name in target}
            expanded.update((k, v) for k, v in value.items() if k != "$ref")
            node[key] = expanded

    def _map_target(self, ref: str, path: list[str | int], where: _Where) -> dict[str, Any] | None:
        """The mapping a map's ``$ref`` points to, or None (an error recorded)."""
        if ref.startswith("#"):
            doc = self.document if where.key == self.root.key else self.docs.get(where.key)
            target = follow_pointer(doc, unescape_pointer(urllib.parse.unquote(ref[1:])))
            display = where.display
        else:
            resolved = self._resolve(ref, path, where)
            if resolved is None:
                return None
            key, display, fragment = resolved
            target = self._content(key, display, urllib.parse.unquote(fragment), ref, path, where)
            if target is _FAILED:
                return None
        if not isinstance(target, dict):
            found = "nothing" if target is MISSING else f"a {type(target).__name__}"
            self.errors.append(self._diagnostic(
                where, path, f"$ref '{ref}' stands for a map of entries here, but {display} has {found} there"))
            return None
        return target

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
                raise fail(display, f"cannot fetch: {reason}") from None
        else:
            raw = read_file_bytes(Path(key), display)
            self.local_files.add(Path(key))
        text = decode_text(raw, display)
        is_json = is_json_text(key, text)
        data = parse_text(text, display, is_json)
        check_shape(data, display)
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
