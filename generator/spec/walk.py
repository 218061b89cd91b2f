"""What each object of an OpenAPI (or Swagger 2.0) document is, and the one walk that knows it.

:func:`walk_spec` visits every spec object with its kind (a schema, a parameter, an operation...)
and never enters data (examples, defaults, enums, ``x-`` extensions); the validator's checks, the
``--lenient`` rewrite and the loader's ``$ref`` bundling all walk a document with it. Nesting past
:data:`MAX_DEPTH` raises :class:`TooDeep`, in data too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.contract import HTTP_METHODS

MAX_DEPTH = 500
"""Refuse documents nested deeper than this many levels."""

ROOT, OTHER, SCHEMA, PARAMETER, RESPONSE, REQUEST_BODY = "root", "other", "schema", "parameter", "response", "requestBody"
HEADER, EXAMPLE, LINK, CALLBACK, PATH_ITEM, OPERATION = "header", "example", "link", "callback", "pathItem", "operation"
MEDIA_TYPE, ENCODING, COMPONENTS, SECURITY_SCHEME = "mediaType", "encoding", "components", "securityScheme"
# values that are data (examples, defaults, enums...), never spec objects: a "$ref" in them is text
_DATA_KEYS = frozenset({"example", "default", "enum", "const", "value", "discriminator", "security",
                        "required", "$ref", "externalValue"})
CHILD: dict[str, tuple[str, bool]] = {  # key -> (kind of the value, value is a map/list of them)
    **dict.fromkeys(("schema", "items", "additionalProperties", "not", "if", "then", "else", "contains",
                     "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems",
                     "contentSchema"), (SCHEMA, False)),
    **dict.fromkeys(("allOf", "anyOf", "oneOf", "prefixItems", "properties", "patternProperties",
                     "$defs", "definitions", "dependentSchemas", "schemas"), (SCHEMA, True)),
    "parameters": (PARAMETER, True), "responses": (RESPONSE, True), "requestBodies": (REQUEST_BODY, True),
    "headers": (HEADER, True), "examples": (EXAMPLE, True), "links": (LINK, True),
    "callbacks": (CALLBACK, True), "content": (MEDIA_TYPE, True), "encoding": (ENCODING, True),
    "paths": (PATH_ITEM, True), "webhooks": (PATH_ITEM, True), "pathItems": (PATH_ITEM, True),
    "securitySchemes": (SECURITY_SCHEME, True), "requestBody": (REQUEST_BODY, False),
    "components": (COMPONENTS, False),
}
Visitor = Callable[[list[str | int], Any, str], bool]


class TooDeep(Exception):
    """Raised by :func:`walk_spec` past :data:`MAX_DEPTH`; ``path`` is where."""

    def __init__(self, path: tuple[str | int, ...]) -> None:
        super().__init__("nesting is too deep")
        self.path = path


def walk_spec(node: Any, visit: Visitor, *, kind: str = ROOT, path: list[str | int] | None = None) -> None:
    """Depth-first walk over an OpenAPI (or Swagger 2.0) document, knowing what each object is.

    ``visit(path, node, kind)`` is called for every object and list in a spec position, and for
    every value in a schema position (so a schema that is a string is seen); return False to skip
    its children. ``path`` is a shared list: copy it to keep it. Data (examples, defaults, enums,
    ``x-`` extensions) is not entered. Raises :class:`TooDeep` past :data:`MAX_DEPTH` levels.
    """
    _walk(node, kind, False, [] if path is None else path, visit)


def _check_data_depth(value: Any, depth: int, path: list[str | int]) -> None:
    """The depth limit, for data the walk does not enter (examples, defaults, extensions)."""
    stack = [(value, depth)]
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            raise TooDeep(tuple(path))
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))


def _walk(node: Any, kind: str, many: bool, path: list[str | int], visit: Visitor) -> None:
    if len(path) > MAX_DEPTH:
        raise TooDeep(tuple(path))
    if many:  # a map (names -> kind) or a list of kind
        if isinstance(node, dict):
            names_only = kind == SCHEMA  # property names may start with x-
            for key, value in node.items():
                if names_only or not (isinstance(key, str) and key.startswith(("x-", "$ref"))):
                    path.append(key)
                    _walk(value, kind, False, path, visit)
                    path.pop()
                elif isinstance(value, (dict, list)):
                    _check_data_depth(value, len(path) + 1, path)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                path.append(index)
                _walk(value, kind, False, path, visit)
                path.pop()
        return
    container = isinstance(node, (dict, list))
    if not (container or kind == SCHEMA) or not visit(path, node, kind):
        return
    if isinstance(node, dict):
        if kind == CALLBACK:  # expression -> path item
            _walk(node, PATH_ITEM, True, path, visit)
            return
        for key, value in node.items():
            if not isinstance(key, str) or key in _DATA_KEYS or key.startswith("x-") or (
                    key == "examples" and not isinstance(value, dict)):
                if isinstance(value, (dict, list)):
                    _check_data_depth(value, len(path) + 1, path)
                continue
            child = CHILD.get(key)
            if child is None:
                if not isinstance(value, (dict, list)):
                    continue
                child = (OPERATION, False) if kind == PATH_ITEM and key in HTTP_METHODS else (OTHER, False)
            elif child[0] != SCHEMA and not isinstance(value, (dict, list)):
                continue
            path.append(key)
            _walk(value, child[0], child[1], path, visit)
            path.pop()
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)) or kind == SCHEMA:
                path.append(index)
                _walk(value, kind, False, path, visit)
                path.pop()
