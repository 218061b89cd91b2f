"""Validate a bundled OpenAPI document: oapigen's own checks, then openapi-spec-validator's.

A Swagger 2.0 document gets the same checks (with its parameter locations) and
openapi-spec-validator's 2.0 validator; :mod:`oapigen.spec.swagger2` then converts it and the
3.0 result is validated again.

Own checks come first and are :attr:`Severity.ERROR` (generated code would be wrong): an
unsupported version, dangling internal ``$ref``\\ s, ``$ref`` alias loops, wrong types at keys the
generator reads, undeclared path template parameters and optional path parameters.
openapi-spec-validator's findings are :attr:`Severity.WARNING`, each located by JSON pointer; it
is run on a copy without the broken refs, with its per-schema meta-check done by jsonschema-rs
when available (about 400x faster than the pure-Python check on openai.yaml).

This module also holds :func:`walk_spec`, the walk that knows what each object of a spec is
(the loader bundles external refs with it).
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..core.contract import HTTP_METHODS, PATH_TEMPLATE_PARAM
from ..core.diagnostics import Diagnostic, Severity
from ..core.pointers import MISSING, follow_pointer, pointer, ref_tokens, unescape_pointer

if TYPE_CHECKING:
    from .loader import LoadedSpec

MAX_DEPTH = 500
"""Refuse documents nested deeper than this many levels."""

# --- what each object of a spec is ------------------------------------------------------------

ROOT, OTHER, SCHEMA, PARAMETER, RESPONSE, REQUEST_BODY = "root", "other", "schema", "parameter", "response", "requestBody"
HEADER, EXAMPLE, LINK, CALLBACK, PATH_ITEM, OPERATION = "header", "example", "link", "callback", "pathItem", "operation"
MEDIA_TYPE, ENCODING, COMPONENTS, SECURITY_SCHEME = "mediaType", "encoding", "components", "securityScheme"
# values that are data (examples, defaults, enums...), never spec objects: a "$ref" in them is text
_DATA_KEYS = frozenset({"example", "default", "enum", "const", "value", "discriminator", "security",
                        "required", "$ref", "externalValue"})
_CHILD: dict[str, tuple[str, bool]] = {  # key -> (kind of the value, value is a map/list of them)
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
            child = _CHILD.get(key)
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


# --- oapigen's own checks ---------------------------------------------------------------------

Tokens = tuple[str | int, ...]
_LOCATIONS = ("query", "header", "path", "cookie")
_LOCATIONS_2 = ("query", "header", "path", "formData", "body")  # Swagger 2.0
_VAGUE = re.compile(r"is not valid under any of the (given )?schemas")


def _describe(value: Any) -> str:
    names = {list: "a list", str: "a string", dict: "an object", type(None): "null", bool: "a boolean",
             int: "an integer", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


class _RefReport:
    """Every ``$ref`` of a document, and which of them cannot be resolved."""

    def __init__(self, document: dict[str, Any], refs: list[tuple[Tokens, str]]) -> None:
        self.foreign: list[tuple[Tokens, str]] = []  # not internal pointers (files, URLs)
        self.dangling: dict[str, list[Tokens]] = {}  # ref -> where it is used
        self.loops: list[list[Tokens]] = []
        self.whole: list[Tokens] = []  # '$ref: "#"': the whole document is never a schema
        targets: dict[tuple[str, ...], tuple[str, ...]] = {}  # ref node -> target, both ref nodes
        nodes: dict[tuple[str, ...], Tokens] = {}
        for path, ref in refs:
            if not ref.startswith("#"):
                self.foreign.append((path, ref))
                continue
            tokens = ref_tokens(ref)
            if tokens is None:
                continue  # '#anchor': a $anchor / $id reference, not checked here
            if not tokens:
                self.whole.append(path)
                continue
            target = follow_pointer(document, tokens)
            if target is MISSING:
                self.dangling.setdefault(ref, []).append(path)
                continue
            key = tuple(str(t) for t in path)
            nodes[key] = path
            if isinstance(target, dict) and isinstance(target.get("$ref"), str):
                targets[key] = tokens
        state: dict[tuple[str, ...], int] = {}  # 1: on the current chain, 2: done
        for start in targets:
            chain: list[tuple[str, ...]] = []
            current: tuple[str, ...] | None = start
            while current is not None and current in targets and current not in state:
                state[current] = 1
                chain.append(current)
                current = targets[current]
            if current is not None and state.get(current) == 1:
                self.loops.append([nodes.get(k, k) for k in chain[chain.index(current):]])
            for key in chain:
                state[key] = 2

    def bad_paths(self) -> list[Tokens]:
        """Ref nodes a resolver would fail on (the library must not see them)."""
        return [p for p, _ in self.foreign] + [p for ps in self.dangling.values() for p in ps] + [
            p for loop in self.loops for p in loop] + self.whole


# JSON Schema's types, and Swagger 2.0's `file` (a 3.x `type: file` is left to the library)
SCHEMA_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null", "file")


def _check_type(path: Tokens, value: Any, problem: Callable[[Tokens, str, str | None], None]) -> None:
    """A schema's ``type`` must name JSON Schema types: any other would be generated as an
    untyped value (``Any``), so an unknown one is an error, with the closest type as a hint."""
    import difflib

    names = value if isinstance(value, list) else [value]
    for index, name in enumerate(names):
        where = (*path, "type", index) if isinstance(value, list) else (*path, "type")
        if not isinstance(name, str):
            problem(where, f"a schema's type must be a string, found {_describe(name)}", None)
        elif name not in SCHEMA_TYPES:
            close = difflib.get_close_matches(name, SCHEMA_TYPES[:-1], n=1)
            problem(where, f"unknown schema type '{name}'",
                    f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(SCHEMA_TYPES[:-1]))


def _collect(document: dict[str, Any], problem: Callable[[Tokens, str, str | None], None]) -> list[tuple[Tokens, str]]:
    """One walk: every ``$ref`` (path, ref); schema/``$ref`` type problems go to ``problem``."""
    refs: list[tuple[Tokens, str]] = []

    def visit(path: list[str | int], node: Any, kind: str) -> bool:
        if isinstance(node, dict):
            ref = node.get("$ref", MISSING)
            if isinstance(ref, str):
                refs.append((tuple(path), ref))
            elif ref is not MISSING:
                problem((*path, "$ref"), f"$ref must be a string, found {_describe(ref)}", None)
            if kind == SCHEMA and "type" in node:
                _check_type(tuple(path), node["type"], problem)
            return True
        if kind == SCHEMA and not isinstance(node, bool):
            hint = ("write `items: {...}` (one schema), not a list"
                    if path and path[-1] == "items" and isinstance(node, list) else None)
            problem(tuple(path), f"a schema must be an object or a boolean, found {_describe(node)}", hint)
            return False
        return True

    try:
        walk_spec(document, visit)
    except TooDeep as exc:
        problem(exc.path, f"nesting is too deep (the limit is {MAX_DEPTH} levels)", None)
    return refs


class _Checker:
    """oapigen's own checks; findings located through the LoadedSpec."""

    def __init__(self, spec: LoadedSpec, document: dict[str, Any], locations: tuple[str, ...] = _LOCATIONS) -> None:
        self.spec, self.document, self.locations = spec, document, locations
        self.findings: list[Diagnostic] = []
        self.covered: list[str] = []  # pointers under which library findings repeat ours
        self.repeated: set[str] = set()  # library messages that repeat ours
        self.bad_refs: list[Tokens] = []

    def error(self, tokens: Tokens, message: str, hint: str | None = None) -> None:
        ptr = pointer(*tokens)
        self.findings.append(self.spec.diagnostic(ptr, message, hint=hint))
        self.covered.append(ptr)

    def run(self) -> None:
        refs = _collect(self.document, self.error)
        report = _RefReport(self.document, refs)
        for path, ref in report.foreign:
            self.error(path, f"$ref '{ref}' is not an internal reference ('#/...'): it was not bundled")
        for ref, paths in report.dangling.items():
            more = f"; also used at {pointer(*paths[1])}" if len(paths) > 1 else ""
            more += f" and {len(paths) - 2} more place(s)" if len(paths) > 2 else ""
            self.error(paths[0], f"dangling $ref '{ref}': nothing at that pointer{more}", self._hint(ref))
        for path in report.whole:
            self.error(path, "$ref '#' refers to the whole document, which is not a schema or a component",
                       "refer to one, e.g. '#/components/schemas/Name'; with --lenient it becomes any JSON value")
        for loop in report.loops:
            chain = " -> ".join(pointer(*p) for p in [*loop, loop[0]])
            self.error(loop[0], f"$ref loop with no schema in between: {chain}")
        self.bad_refs = report.bad_paths()
        self._structure()

    def _hint(self, ref: str) -> str | None:
        """Where a same-named thing exists, for a dangling ref."""
        tokens = ref_tokens(ref) or ()
        if not tokens:
            return None
        name = tokens[-1]
        places: list[tuple[str, ...]] = [("definitions",), ("parameters",), ("responses",)]
        components = self.document.get("components")
        if isinstance(components, dict):
            places = [("components", s) for s in components] + places
        for place in places:
            section = follow_pointer(self.document, place)
            if place != tokens[:-1] and isinstance(section, dict):
                found = name if name in section else next(
                    (k for k in section if isinstance(k, str) and k.lower() == name.lower()), None)
                if found is not None:
                    where = "/".join(place)
                    return f"'{found}' is defined under {where} ('#/{where}/{found}'), not under {'/'.join(tokens[:-1])}"
        return None

    def _deref(self, tokens: Tokens, node: Any) -> tuple[Tokens, Any]:
        """Follow internal refs (a broken one gives MISSING: it is reported elsewhere)."""
        for _ in range(32):
            ref = node.get("$ref") if isinstance(node, dict) else None
            target = ref_tokens(ref) if isinstance(ref, str) else None
            if target is None:
                return tokens, node
            tokens, node = target, follow_pointer(self.document, target)
        return tokens, MISSING

    def _structure(self) -> None:
        doc = self.document
        sections = ("definitions", "parameters", "responses", "securityDefinitions") if self.locations == _LOCATIONS_2 else ()
        for key in ("paths", "webhooks", "components", *sections):
            if key in doc and not isinstance(doc[key], dict):
                self.error((key,), f"'{key}' must be an object, found {_describe(doc[key])}")
        components = doc.get("components")
        for name, section in components.items() if isinstance(components, dict) else ():
            if not str(name).startswith("x-") and not isinstance(section, dict):
                self.error(("components", name), f"components/{name} must be an object, found {_describe(section)}")
        for key in ("paths", "webhooks"):
            items = doc.get(key)
            for url, item in items.items() if isinstance(items, dict) else ():
                if not str(url).startswith("x-"):
                    self._path_item((key, url), item, str(url) if key == "paths" else None)

    def _path_item(self, tokens: Tokens, item: Any, template: str | None) -> None:
        tokens, item = self._deref(tokens, item)
        if item is MISSING:
            return
        if not isinstance(item, dict):
            self.error(tokens, f"a path item must be an object, found {_describe(item)}")
            return
        shared = self._parameters(tokens, item)
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op_tokens, operation = (*tokens, method), item[method]
            if not isinstance(operation, dict):
                self.error(op_tokens, f"an operation must be an object, found {_describe(operation)}")
                continue
            declared = {**shared, **self._parameters(op_tokens, operation)}
            self._responses(op_tokens, operation)
            if "requestBody" in operation:
                body_tokens, body = self._deref((*op_tokens, "requestBody"), operation["requestBody"])
                if body is not MISSING and not isinstance(body, dict):
                    self.error(body_tokens, f"a request body must be an object, found {_describe(body)}")
                elif isinstance(body, dict) and "content" in body and not isinstance(body["content"], dict):
                    self.error((*body_tokens, "content"), "'content' must be an object")
            for name in PATH_TEMPLATE_PARAM.findall(template or ""):
                if (name, "path") not in declared:
                    self.repeated.add(f"Path parameter '{name}' for '{method}' operation in '{template}' was not resolved")
                    self.error(op_tokens, f"path parameter '{{{name}}}' of '{template}' is not declared for {method.upper()}",
                               f"add a parameter with name: {name}, in: path, required: true")

    def _responses(self, op_tokens: Tokens, operation: dict[str, Any]) -> None:
        if "responses" not in operation:
            return
        responses = operation["responses"]
        if not isinstance(responses, dict):
            self.error((*op_tokens, "responses"), f"'responses' must be an object, found {_describe(responses)}")
            return
        for code, response in responses.items():
            if not str(code).startswith("x-"):
                where, response = self._deref((*op_tokens, "responses", code), response)
                if response is not MISSING and not isinstance(response, dict):
                    self.error(where, f"a response must be an object, found {_describe(response)}")

    def _parameters(self, tokens: Tokens, owner: dict[str, Any]) -> dict[tuple[str, str], Any]:
        """(name, in) -> parameter, for the parameters of a path item or operation."""
        if "parameters" not in owner:
            return {}
        entries = owner["parameters"]
        if not isinstance(entries, list):
            self.error((*tokens, "parameters"), f"'parameters' must be a list, found {_describe(entries)}")
            return {}
        out: dict[tuple[str, str], Any] = {}
        for index, entry in enumerate(entries):
            where, param = self._deref((*tokens, "parameters", index), entry)
            if param is MISSING:
                continue
            if not isinstance(param, dict):
                self.error(where, f"a parameter must be an object, found {_describe(param)}")
                continue
            name, location = param.get("name"), param.get("in")
            if not isinstance(name, str) or not isinstance(location, str):
                self.error(where, "a parameter needs a string 'name' and a string 'in'")
            elif location not in self.locations:
                self.error((*where, "in"), f"unknown parameter location 'in: {location}'", "one of: " + ", ".join(self.locations))
            else:
                if location == "path" and param.get("required") is not True:
                    self.error(where, f"path parameter '{name}' must have required: true")
                out[(name, location)] = param
        return out


def _version(document: dict[str, Any]) -> tuple[str | None, str, str]:
    """(version '2.0'/'3.0'/'3.1' or None, pointer, message when unsupported)."""
    version = document.get("openapi")
    if "swaggerVersion" in document and version is None and "swagger" not in document:
        found = document["swaggerVersion"]
        return None, "/swaggerVersion", (f"unsupported Swagger version {found!r} (found swaggerVersion: {found}); "
                                         "oapigen reads Swagger 2.0, OpenAPI 3.0.x and 3.1.x")
    if "swagger" in document and version is None:
        found = document["swagger"]
        if found == "2.0":
            return "2.0", "", ""
        what = f"{found!r} ({_describe(found)}; quote it: swagger: \"2.0\")" if not isinstance(found, str) else repr(found)
        return None, "/swagger", f"unsupported Swagger version {what} (found swagger: {found}); oapigen reads Swagger 2.0, OpenAPI 3.0.x and 3.1.x"
    if version is None:
        return None, "", "no 'openapi' field: not an OpenAPI 3.x document (expected openapi: 3.0.x or 3.1.x)"
    match = re.fullmatch(r"(3\.[01])\.\d+(-.+)?", version) if isinstance(version, str) else None
    if match is None:
        what = f"{version!r}" if isinstance(version, str) else f"{version!r} ({_describe(version)}; quote it)"
        return None, "/openapi", f"unsupported OpenAPI version {what} (found openapi: {version}); oapigen reads 3.0.x and 3.1.x"
    return match.group(1), "", ""


# --- openapi-spec-validator ---------------------------------------------------------------------

def _located(name: str, cls: type[Any]) -> type[Any]:
    """A keyword validator that tags each error it yields with the (logical) path it checked."""
    from jsonschema_path import SchemaPath

    call = cls.__call__
    extra: tuple[str, ...] = ("default",) if name == "default" else ()

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        parts = next((tuple(a.parts) for a in args if isinstance(a, SchemaPath)), None)
        for error in call(self, *args, **kwargs):
            if parts is not None and not hasattr(error, "oapigen_parts"):
                error.oapigen_parts = (*parts, *extra)
            yield error

    return type(f"Located{cls.__name__}", (cls,), {"__call__": __call__})


def _fast_schema_checker(self: Any, schema: Any, schema_value: Any) -> Callable[[Any], None]:
    """Replaces SchemaValidator._get_schema_checker: same check, one cached meta-validator."""
    from openapi_schema_validator.validators import OAS30Validator
    from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator

    if isinstance(self, OpenAPIV31SchemaValidator):
        dialect = self._get_schema_dialect_id(schema, schema_value)
        validator_cls: Any = self._get_validator_class_for_dialect(dialect)
        if validator_cls is None:
            raise ValueError(f"Unknown JSON Schema dialect: {dialect!r}")
        return _meta_checker(validator_cls, self.schema_validator_format_checker)
    oas30: Any = OAS30Validator
    return _meta_checker(oas30, oas30.FORMAT_CHECKER)


@functools.cache
def _meta_checker(validator_cls: Any, format_checker: Any) -> Callable[[Any], None]:
    """Check a schema against its dialect's meta-schema; raise the first error (as the library)."""
    from jsonschema.exceptions import SchemaError, ValidationError  # type: ignore[import-untyped]
    from jsonschema.validators import validator_for  # type: ignore[import-untyped]
    from openapi_schema_validator._specifications import REGISTRY

    meta = validator_cls.META_SCHEMA
    try:
        import jsonschema_rs

        registry = jsonschema_rs.Registry([(uri, REGISTRY.contents(uri)) for uri in REGISTRY if "openapis.org" in uri])
        fast = jsonschema_rs.validator_for(meta, registry=registry, validate_formats=True)

        def check_fast(value: Any) -> None:
            for error in fast.iter_errors(value):
                raise ValidationError(error.message, path=list(error.instance_path))

        return check_fast
    except Exception:  # no (usable) jsonschema-rs: the library's own check, built once
        slow = validator_for(meta, default=validator_cls)(meta, format_checker=format_checker, registry=REGISTRY)

        def check(value: Any) -> None:
            for error in slow.iter_errors(value):
                raise SchemaError.create_from(error)

        return check


class _IdSet(set[int]):
    """The library keeps the ids of visited schemas in lists (``in`` is O(n)): a set instead."""

    append = set.add


def _fast_schema_validator(cls: type[Any]) -> type[Any]:
    """The library's schema keyword validator with a cached meta-check and O(1) visited sets."""
    init = cls.__init__

    def __init__(self: Any, registry: Any) -> None:
        init(self, registry)
        self.visited_schema_ids, self.meta_checked_schema_ids = _IdSet(), _IdSet()

    return type(f"Fast{cls.__name__}", (cls,), {"__init__": __init__, "_get_schema_checker": _fast_schema_checker})


@functools.cache
def _validator_class(minor: str) -> type[Any]:
    from openapi_spec_validator import (
        OpenAPIV2SpecValidator,
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    base: type[Any] = {"2.0": OpenAPIV2SpecValidator, "3.1": OpenAPIV31SpecValidator}.get(minor, OpenAPIV30SpecValidator)
    keywords: dict[str, type[Any]] = {}
    for name, cls in base.keyword_validators.items():
        if name == "schema":
            cls = _fast_schema_validator(cls)
        keywords[name] = _located(name, cls)
    return type(f"Located{base.__name__}", (base,), {"keyword_validators": keywords})


def _physical(document: Any, tokens: Tokens) -> list[str | int]:
    """A path as the validator walked it (through $refs) -> where it is in the document."""
    node, out = document, list[str | int]()
    for token in tokens:
        for _ in range(32):  # a child missing here but present in the $ref target: follow
            ref = node.get("$ref") if isinstance(node, dict) and str(token) not in node else None
            target = ref_tokens(ref) if isinstance(ref, str) else None
            if target is None or follow_pointer(document, target) is MISSING:
                break
            node, out = follow_pointer(document, target), list(target)
        child = follow_pointer(node, (token,)) if node is not MISSING else MISSING
        out.append(str(token) if isinstance(node, dict) else token)
        node = child
    return out


def _abridged(literal: str) -> str:
    """A short stand-in for a big JSON/Python literal quoted in a message."""
    import ast
    import json

    value: Any = None
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(literal)
            break
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        return "{" + ", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "") + "}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    return literal[0] + "..." + literal[-1]


def _one_line(message: str, limit: int = 200) -> str:
    """A validator message on one line, a big leading literal abridged, at most ``limit`` chars."""
    text = " ".join(message.split("\n\nFailed validating", 1)[0].split())
    if text[:1] in ("{", "["):
        depth, quote, end = 0, "", len(text) - 1
        for index, char in enumerate(text):
            if quote:
                quote = "" if char == quote and text[index - 1] != "\\" else quote
            elif char in "'\"":
                quote = char
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    end = index
                    break
        if end > 60:
            text = _abridged(text[: end + 1]) + text[end + 1:]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _library_findings(document: dict[str, Any], minor: str) -> Iterator[tuple[str, str]]:
    """(pointer, message) for everything openapi-spec-validator reports; never raises."""
    try:
        validator = _validator_class(minor)(document)
        phases = [validator.schema_validator.iter_errors(document), validator.root_validator(validator.schema_path)]
    except Exception as exc:
        yield "", _one_line(f"openapi-spec-validator could not start: {type(exc).__name__}: {exc}")
        return
    for logical, errors in enumerate(phases):
        try:
            for error in errors:
                parts = getattr(error, "oapigen_parts", ())
                tokens = (*parts, *error.absolute_path)
                path = _physical(document, tokens) if logical else tokens
                yield pointer(*path), _one_line(error.message)
        except Exception as exc:  # e.g. a $ref it cannot resolve
            yield "", _one_line(f"openapi-spec-validator stopped early: {type(exc).__name__}: {exc}")


def _replaced(document: dict[str, Any], paths: list[Tokens], *, share: bool) -> dict[str, Any]:
    """``document`` with the node at each path replaced by ``{}``; copies only what it changes
    when ``share``, else everything."""
    from .loader import copy_json

    root: dict[str, Any] = dict(document) if share else copy_json(document)
    copies: dict[Tokens, Any] = {(): root}
    for path in paths:
        parent: Any = root
        for depth, token in enumerate(path):
            key = int(token) if isinstance(parent, list) else token
            if depth == len(path) - 1:
                parent[key] = {}
            elif share and path[: depth + 1] not in copies:
                parent[key] = copies[path[: depth + 1]] = (dict if isinstance(parent[key], dict) else list)(parent[key])
            parent = parent[key]
    return root


# Keywords whose value is one schema: an invalid one is left out (``not: []`` must not become
# ``not: {}``, which nothing satisfies; ``items: [A, B]`` must not become ``items: {}``, which reads
# as "an array").
_ONE_SCHEMA = frozenset(k for k, (kind, many) in _CHILD.items() if kind == SCHEMA and not many)
_SCHEMA_MAPS = frozenset(k for k, (kind, many) in _CHILD.items() if kind == SCHEMA and many)


_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _misfit_default(schema: dict[str, Any]) -> str | None:
    """Why the schema's ``default`` does not fit its ``type`` or ``enum`` (None: it fits, or
    the schema says too little to tell)."""
    default = schema["default"]
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    types = [t for t in types if isinstance(t, str) and t in _JSON_TYPES]
    if types and schema.get("nullable") is True:
        types.append("null")
    text = json.dumps(default, default=str, ensure_ascii=False)
    shown = text if len(text) <= 40 else _abridged(text)
    if types and not any(_JSON_TYPES[t](default) for t in types):
        return f"default {shown} is not of the schema's type ({' or '.join(types)})"
    enum = schema.get("enum")
    null_ok = default is None and schema.get("nullable") is True
    if isinstance(enum, list) and enum and not null_ok and not any(
            type(v) is type(default) and v == default for v in enum):
        return f"default {shown} is not one of the schema's enum values"
    return None


def misfit_defaults(document: dict[str, Any]) -> list[tuple[Tokens, str]]:
    """Each schema whose ``default`` does not fit its type or enum: (path, why). Generated
    models would carry a value of the wrong type (and fail type checking): they drop it."""
    found: list[tuple[Tokens, str]] = []

    def visit(path: list[str | int], node: Any, kind: str) -> bool:
        if kind == SCHEMA and isinstance(node, dict) and "default" in node:
            why = _misfit_default(node)
            if why is not None:
                found.append(((*path, "default"), why))
        return True

    with contextlib.suppress(TooDeep):  # reported by the checks
        walk_spec(document, visit)
    return found


INDISTINCT = "a value of one fits both, and a oneOf wants exactly one"
"""The end of the warning about ``oneOf`` branches no value can tell apart (the sweep harness
reads it)."""

_ANNOTATIONS = frozenset({"title", "description", "example", "examples", "$comment"})
_PLAIN_OBJECT = frozenset({"type", "properties", "required", "additionalProperties"})


def _followed(document: dict[str, Any], node: Any) -> Any:
    """``node`` with its annotations left out, a ``$ref`` (with no other constraint beside it)
    followed to what it names."""
    for _ in range(32):
        if not isinstance(node, dict):
            return node
        bare = {k: v for k, v in node.items() if k not in _ANNOTATIONS and not k.startswith("x-")}
        tokens = ref_tokens(bare["$ref"]) if set(bare) == {"$ref"} and isinstance(bare["$ref"], str) else None
        if tokens is None:
            return bare
        node = follow_pointer(document, tokens)
    return node


def _ref_of(node: Any) -> Any:
    return node.get("$ref") if isinstance(node, dict) else None


def _without_const(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_const(v) for k, v in node.items() if k != "const"}
    if isinstance(node, list):
        return [_without_const(v) for v in node]
    return node


def _const_alone_apart(a: Any, b: Any) -> bool:
    """OpenAPI 3.0 (no ``const``): whether two object branches are told apart only by a
    ``const`` on their required properties: same required properties, each declared in both
    and the same schema once ``const`` is left out, no other constraint than ``type``,
    ``properties``, ``required`` and ``additionalProperties``. An object of the required
    properties alone then fits both."""
    if not (isinstance(a, dict) and isinstance(b, dict) and set(a) | set(b) <= _PLAIN_OBJECT):
        return False
    required = a.get("required")
    props_a, props_b = a.get("properties"), b.get("properties")
    if not (a.get("type") == b.get("type") == "object" and isinstance(required, list) and required
            and sorted(map(str, required)) == sorted(map(str, b.get("required") or []))
            and isinstance(props_a, dict) and isinstance(props_b, dict)
            and all(isinstance(n, str) and n in props_a and n in props_b for n in required)):
        return False
    pairs = [(props_a[n], props_b[n]) for n in required]
    return all(_without_const(x) == _without_const(y) for x, y in pairs) and any(x != y for x, y in pairs)


def indistinct_one_ofs(document: dict[str, Any], minor: str) -> list[tuple[Tokens, str]]:
    """Each ``oneOf`` with two branches no value can tell apart: the same schema once ``$ref``
    is followed (a ``discriminator`` does not change what validates), or (OpenAPI 3.0, which
    has no ``const``) told apart only by ``const``. A value of one fits both, so no value of
    theirs fits the oneOf: (path, why)."""
    found: list[tuple[Tokens, str]] = []

    def visit(path: list[str | int], node: Any, kind: str) -> bool:
        branches = node.get("oneOf") if kind == SCHEMA and isinstance(node, dict) else None
        if not isinstance(branches, list) or len(branches) > 64:
            return True
        followed = [_followed(document, b) for b in branches]
        for j, b in enumerate(followed):
            for i, a in enumerate(followed[:j]):
                if a == b:
                    named = "discriminator" in node and _ref_of(branches[i]) != _ref_of(branches[j])
                    why = f"oneOf branches {i} and {j} are the same schema ($ref followed)" + (
                        " (the discriminator names them apart; a JSON Schema validator does not read it)"
                        if named else "")
                elif minor.startswith("3.0") and _const_alone_apart(a, b):
                    why = (f"oneOf branches {i} and {j} differ only by `const`, which OpenAPI 3.0 "
                           "does not have (it is ignored)")
                else:
                    continue
                found.append(((*path, "oneOf"), f"{why}: {INDISTINCT}"))
                return True
        return True

    with contextlib.suppress(TooDeep):  # reported by the checks
        walk_spec(document, visit)
    return found


def drop_misfit_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (changed in place) without the defaults :func:`misfit_defaults` finds."""
    for path, _ in misfit_defaults(document):
        owner = follow_pointer(document, path[:-1])
        if isinstance(owner, dict):
            owner.pop("default", None)
    return document


def drop_dangling_refs(document: dict[str, Any]) -> dict[str, Any]:
    """For ``--lenient``: a new document where each unresolvable ``$ref`` (dangling, looping or
    not internal) is replaced by ``{}`` (an untyped JSON value), and each schema that is not a
    schema (a list, a string...) constrains nothing: a keyword's value (draft 4's tuple
    ``items: [A, B]``, which never constrained a value that is not an array) is left out, a
    property's or an ``allOf`` member's becomes ``{}``."""
    invalid: list[Tokens] = []
    report = _RefReport(document, _collect(document, lambda path, *_: invalid.append(path)))
    removed = [p for p in invalid if len(p) >= 2 and p[-1] in _ONE_SCHEMA and p[-2] not in _SCHEMA_MAPS]
    emptied = [p for p in invalid if p not in removed and not (p and p[-1] == "$ref")]
    out = _replaced(document, [*report.bad_paths(), *emptied], share=False)
    for path in removed:
        parent: Any = out
        for token in path[:-1]:
            parent = parent[int(token) if isinstance(parent, list) else token]
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return out


_LIST_DEFAULT = "a default list belongs to the array schema, next to `items`, not inside it"


def _merged(findings: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str | None]]:
    """The library's findings, one per pointer: several about one value (``['a'] is not of type
    'string'`` and ``['a'] is not one of ['a']``) become one message naming the value once, and a
    list ``default`` inside ``items`` gets a hint (it belongs to the array, next to ``items``)."""
    by_pointer: dict[str, list[str]] = {}
    for ptr, message in findings:
        if message not in by_pointer.setdefault(ptr, []):
            by_pointer[ptr].append(message)
    for ptr, messages in by_pointer.items():
        subject = messages[0].split(" is ", 1)[0] + " " if " is " in messages[0] else None
        rest = [m.removeprefix(subject) if subject and m.startswith(subject + "is ") else m for m in messages[1:]]
        hint = None
        if ptr.endswith("/items/default") and messages[0].startswith("["):
            hint = _LIST_DEFAULT
        yield ptr, _one_line("; ".join([messages[0], *rest])), hint


def validate_spec(spec: LoadedSpec, document: dict[str, Any] | None = None) -> list[Diagnostic]:
    """Every finding about the spec: oapigen's own (ERROR) first, then the library's (WARNING).

    ``document`` defaults to ``spec.document`` (it differs when an overlay was applied).
    """
    doc = spec.document if document is None else document
    minor, where, problem = _version(doc)
    if minor is None:
        return [spec.diagnostic(where, problem)]
    checker = _Checker(spec, doc, _LOCATIONS_2 if minor == "2.0" else _LOCATIONS)
    checker.run()
    findings = list(checker.findings)
    for path, why in misfit_defaults(doc):  # the library's own word on them is covered
        where_ = pointer(*path)
        checker.covered.append(where_)
        listed = where_.endswith("/items/default") and isinstance(follow_pointer(doc, path), list)
        findings.append(spec.diagnostic(where_, f"{why}: it is left out of the generated code",
                                        severity=Severity.WARNING, hint=_LIST_DEFAULT if listed else None))
    for path, why in indistinct_one_ofs(doc, minor):
        findings.append(spec.diagnostic(pointer(*path), why, severity=Severity.WARNING))
    library_doc = _replaced(doc, checker.bad_refs, share=True) if checker.bad_refs else doc
    for ptr, message, hint in _merged(_library_findings(library_doc, minor)):
        if message in checker.repeated or any(ptr == c or ptr.startswith(c + "/") for c in checker.covered):
            continue
        if _VAGUE.search(message) and any(c.startswith(ptr + "/") for c in checker.covered):
            continue  # "not valid under any of the schemas" above one of ours: ours says why
        if ptr == "" and "openapi-spec-validator" in message and checker.findings:
            continue  # it tripped over something already reported
        if minor == "2.0" and ptr.endswith("/type") and follow_pointer(doc, tuple(unescape_pointer(ptr))) == "file":
            continue  # 2.0's `type: file`: the library checks 2.0 schemas as 3.0 ones
        findings.append(spec.diagnostic(ptr, message, severity=Severity.WARNING, hint=hint))
    unique: dict[tuple[str, str, Severity], Diagnostic] = {}
    for finding in findings:
        unique.setdefault((finding.pointer, finding.message, finding.severity), finding)
    return list(unique.values())
