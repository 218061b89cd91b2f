"""Apply an OpenAPI Overlay 1.0.x document (https://spec.openapis.org/overlay/v1.0.0) to a spec.

An overlay is ``{overlay: "1.0.x", info: {title, version}, actions: [...]}``; each action has a
JSONPath ``target`` (jsonpath-ng's extended syntax, e.g. ``$.paths['/pets'].get``) and either
``remove: true`` (the matched nodes are removed from their parent) or ``update``:

* object target: ``update`` (an object) is merged in recursively -- objects into objects, arrays
  of the update appended to arrays of the target, anything else replaces;
* array target: ``update`` is appended (a list update appends each of its items);
* scalar target: replaced by ``update`` (1.0.0 leaves this open; replacing is what tools do).

Actions apply in order, each to the result of the previous ones. A target matching nothing is
a warning, not an error. Malformed overlays raise :class:`SpecError` located in the overlay file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.pointers import pointer, unescape_pointer
from .lines import SourceText
from .read import copy_json, decode_text, is_json_text, load_data_file, read_file_bytes

_VERSION = re.compile(r"1\.0\.\d+")


def apply_overlay(document: dict[str, Any], overlay_path: str | Path) -> dict[str, Any]:
    """A NEW document: ``document`` (left untouched) with the overlay applied."""
    return apply_overlay_with_warnings(document, overlay_path)[0]


def apply_overlay_with_warnings(document: dict[str, Any], overlay_path: str | Path
                                ) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Like :func:`apply_overlay`, also returning warnings (targets that matched nothing...)."""
    display = str(overlay_path)
    data = load_data_file(Path(overlay_path), display)
    overlay = _Overlay(display, _locator(Path(overlay_path), display))
    actions = overlay.check(data)
    result = copy_json(document)
    for index, action in enumerate(actions):
        result = overlay.apply(result, index, action)
    return result, overlay.warnings


def _locator(path: Path, display: str) -> Callable[[str], int | None]:
    """``pointer -> line`` in the overlay file, the line map built on first call."""
    source: list[SourceText] = []

    def line(ptr: str) -> int | None:
        if not source:
            try:
                text = decode_text(read_file_bytes(path, display), display)
            except SpecError:
                return None
            source.append(SourceText(display, text, is_json_text(str(path), text)))
        return source[0].line(tuple(unescape_pointer(ptr)))

    return line


class _Overlay:
    def __init__(self, display: str, line: Callable[[str], int | None]) -> None:
        self.display, self.line = display, line
        self.warnings: list[Diagnostic] = []

    def _diagnostic(self, tokens: tuple[str | int, ...], message: str, severity: Severity,
                    hint: str | None = None) -> Diagnostic:
        ptr = pointer(*tokens)
        return Diagnostic(self.display, ptr, message, severity, self.line(ptr), None, hint)

    def error(self, tokens: tuple[str | int, ...], message: str, hint: str | None = None) -> SpecError:
        return SpecError(self._diagnostic(tokens, message, Severity.ERROR, hint))

    def warn(self, tokens: tuple[str | int, ...], message: str) -> None:
        self.warnings.append(self._diagnostic(tokens, message, Severity.WARNING))

    def check(self, data: Any) -> list[tuple[dict[str, Any], Any]]:
        """The actions, each with its parsed target; SpecError for a malformed overlay."""
        from jsonpath_ng.ext.parser import parse

        if not isinstance(data, dict):
            raise self.error((), "an overlay must be a mapping with 'overlay', 'info' and 'actions'")
        version = data.get("overlay")
        if not isinstance(version, str) or not _VERSION.fullmatch(version):
            raise self.error(("overlay",) if "overlay" in data else (),
                             f"not an Overlay 1.0 document (overlay: {version!r})", "start it with overlay: 1.0.0")
        info = data.get("info")
        if info is None:
            self.warn((), "no 'info' (title, version)")
        elif not isinstance(info, dict) or not all(isinstance(info.get(k), str) for k in ("title", "version")):
            raise self.error(("info",), "'info' must be a mapping with a string 'title' and 'version'")
        actions = data.get("actions")
        if not isinstance(actions, list):
            raise self.error(("actions",) if "actions" in data else (), "'actions' must be a list of actions")
        if not actions:
            self.warn(("actions",), "the overlay has no actions")
        parsed: list[tuple[dict[str, Any], Any]] = []
        for index, action in enumerate(actions):
            where: tuple[str | int, ...] = ("actions", index)
            if not isinstance(action, dict):
                raise self.error(where, "an action must be a mapping with 'target' and 'update' or 'remove'")
            target = action.get("target")
            if not isinstance(target, str) or not target.startswith("$"):
                raise self.error((*where, "target"), f"'target' must be a JSONPath string starting with '$', found {target!r}")
            if "remove" in action and not isinstance(action["remove"], bool):
                raise self.error((*where, "remove"), "'remove' must be true or false")
            if "description" in action and not isinstance(action["description"], str):
                raise self.error((*where, "description"), "'description' must be a string")
            if "update" not in action and not action.get("remove"):
                self.warn(where, "this action has neither 'update' nor 'remove: true': it does nothing")
            try:
                expression = parse(target)
            except Exception as exc:  # jsonpath-ng raises plain Exceptions for syntax errors
                raise self.error((*where, "target"), f"invalid JSONPath {target!r}: {exc}") from None
            parsed.append((action, expression))
        return parsed

    def apply(self, document: dict[str, Any], index: int, entry: tuple[dict[str, Any], Any]) -> dict[str, Any]:
        action, expression = entry
        where: tuple[str | int, ...] = ("actions", index)
        try:
            matches = expression.find(document)
        except Exception as exc:  # e.g. a filter comparing incompatible types
            raise self.error((*where, "target"), f"cannot evaluate JSONPath {action['target']!r}: {exc}") from None
        if not matches:
            self.warn((*where, "target"), f"target {action['target']!r} matched nothing")
            return document
        paths = list({tuple(self._path(match, where)): None for match in matches})
        if () in paths and not any(match.value is document for match in matches):
            # jsonpath-ng's extensions (`len`, `sorted`, `str()`...) give values outside the
            # document, with no path: without this they would apply to the root
            raise self.error((*where, "target"), f"target {action['target']!r} matches a computed value, "
                             "not a place in the document")
        if action.get("remove"):
            if () in paths:
                raise self.error((*where, "target"), "cannot remove the whole document")
            # deepest and last first, so earlier removals do not shift later paths
            for path in sorted(paths, key=lambda p: [(isinstance(t, int), t) for t in p], reverse=True):
                parent = _node(document, list(path[:-1]))
                if isinstance(parent, dict):
                    parent.pop(path[-1], None)
                elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
                    del parent[path[-1]]
            return document
        if "update" not in action:
            return document
        update = action["update"]
        for path in paths:
            node = _node(document, list(path))
            if isinstance(node, dict):
                if not isinstance(update, dict):
                    raise self.error((*where, "update"), f"the target {pointer(*path) or '/'} is an object, so "
                                     "'update' must be an object")
                _merge(node, update)
            elif isinstance(node, list):
                node.extend(copy_json(update) if isinstance(update, list) else [copy_json(update)])
            elif not path:
                raise self.error((*where, "update"), "the document root must stay an object")
            else:
                _node(document, list(path[:-1]))[path[-1]] = copy_json(update)
        return document

    def _path(self, match: Any, where: tuple[str | int, ...]) -> list[str | int]:
        """The concrete path of a jsonpath-ng match (keys and indexes from the root)."""
        from jsonpath_ng.jsonpath import Fields, Index, Root, This

        out: list[str | int] = []
        while match is not None and match.context is not None:
            step = match.path
            if isinstance(step, Fields) and len(step.fields) == 1:
                out.append(step.fields[0])
            elif isinstance(step, Index) and len(step.indices) == 1:
                index = step.indices[0]
                out.append(index + len(match.context.value) if index < 0 else index)
            elif not isinstance(step, (Root, This)):  # anything else: find the child by identity
                parent = match.context.value
                items = parent.items() if isinstance(parent, dict) else enumerate(parent)
                key = next((k for k, v in items if v is match.value), None)
                if key is None:
                    raise self.error((*where, "target"), f"cannot tell where {step} matched; use a plainer JSONPath")
                out.append(key)
            match = match.context
        return out[::-1]


def _node(document: Any, path: list[str | int]) -> Any:
    for token in path:
        document = document[token]
    return document


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(copy_json(value))
        else:
            target[key] = copy_json(value)
