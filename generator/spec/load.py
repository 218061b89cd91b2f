"""Load a spec: read the root file, bundle its external ``$ref``\\ s into ONE document
(:mod:`.bundle`), and keep what is needed to locate a JSON pointer in it later
(:meth:`LoadedSpec.locate`: the file each part came from, and its line there, :mod:`.lines`).

Every failure is a :class:`SpecError` naming the file (and line/column where known).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.pointers import unescape_pointer
from .bundle import Bundler
from .lines import SourceText
from .read import decode_text, fail, is_json_text, parse_text, read_file_bytes


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

    def line_maps(self) -> dict[str, Any]:
        """The pointer -> line maps built so far, by file: for :meth:`adopt_line_maps` of this
        spec's copy in another process (building one for a big YAML file takes a second)."""
        return {display: source.trie for display, source in self.sources.items() if source.trie is not None}

    def adopt_line_maps(self, maps: Mapping[str, Any]) -> None:
        for display, trie in maps.items():
            source = self.sources.get(display)
            if source is not None and source.trie is None:
                source.trie = trie

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
        raise fail(display, f"top level is {found}; expected a mapping (an OpenAPI document object)")
    sources = {display: SourceText(display, text, is_json)}
    roots = (root.resolve().parent, *(Path(d).resolve() for d in allow_ref_outside))
    bundler = Bundler(root, display, document, sources, allow_remote=allow_remote_refs, roots=roots)
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
