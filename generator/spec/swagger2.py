"""Swagger 2.0 in: the document is converted to OpenAPI 3.0.3 in memory, then goes down the
normal pipeline. Runs after loading (external ``$ref``\\ s already bundled) and after the
overlay (an overlay for a 2.0 document is written against the 2.0 document, as the user sees it).

What is carried over, and how:

* ``definitions`` -> ``components/schemas``; ``#/definitions/X`` refs become
  ``#/components/schemas/X`` (and ``#/parameters/X`` / ``#/responses/X`` likewise);
* schemas: ``x-nullable: true`` -> ``nullable: true`` (a ``$ref`` is wrapped in a one-member
  ``allOf`` so the flag is not ignored), ``type: file`` -> ``type: string, format: binary``,
  ``discriminator: name`` -> ``discriminator: {propertyName: name}``;
* parameters: ``type``/``format``/``items``/``enum``/limits move into ``schema``;
  ``collectionFormat`` becomes ``style``/``explode`` (2.0's default ``csv`` is
  ``explode: false``); ``in: body`` becomes the ``requestBody`` (one media type per
  ``consumes``), the ``in: formData`` parameters one object schema sent as
  ``multipart/form-data`` (when a field is a file or ``consumes`` says so) or
  ``application/x-www-form-urlencoded``; shared body and form parameters are inlined;
* responses: ``schema`` becomes ``content`` (one media type per ``produces``; a file response
  with only JSON in ``produces`` is ``application/octet-stream``), ``examples`` become each
  media type's ``example``, headers get a ``schema``; ``#/responses/X`` refs stay refs unless
  the operation's ``produces`` differs from the document's;
* ``securityDefinitions`` -> ``components/securitySchemes`` (``basic`` -> ``http``/``basic``,
  OAuth 2 flows renamed: ``application`` -> ``clientCredentials``, ``accessCode`` ->
  ``authorizationCode``);
* ``host``/``basePath``/``schemes`` -> ``servers`` (``https`` when a host has no schemes; a
  relative server when there is no host).

The conversion never fails: what it cannot carry over exactly is a note (a warning), and what
is malformed is copied as is for the 3.0 validation to report. :class:`Conversion` maps a
pointer into the 3.0 document back to the 2.0 one, so every finding names the user's file,
line and 2.0 pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.contract import SWAGGER2_METHODS
from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.pointers import pointer, unescape_pointer

if TYPE_CHECKING:
    from .load import LoadedSpec

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

Tokens = tuple[str, ...]
# Keywords of a non-body parameter (and of an items object / header) that belong in its schema.
_SCHEMA_FIELDS = (
    "type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum", "multipleOf",
)
_SCHEMA_ONE = ("items", "additionalProperties", "not")
_SCHEMA_MAP = ("properties", "patternProperties", "definitions")
_SCHEMA_LIST = ("allOf", "anyOf", "oneOf")
_REFS = (("#/definitions/", "#/components/schemas/"), ("#/parameters/", "#/components/parameters/"),
         ("#/responses/", "#/components/responses/"))
# collectionFormat -> (style, explode), per parameter location
_QUERY_STYLES = {"csv": ("form", False), "multi": ("form", True), "ssv": ("spaceDelimited", False),
                 "pipes": ("pipeDelimited", False)}
_OAUTH_FLOWS = {"implicit": ("implicit", ("authorizationUrl",)), "password": ("password", ("tokenUrl",)),
                "application": ("clientCredentials", ("tokenUrl",)),
                "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl"))}


def is_swagger2(document: Mapping[str, Any]) -> bool:
    return document.get("swagger") == "2.0" and "openapi" not in document


@dataclass(frozen=True, slots=True)
class Conversion:
    """The 3.0 document, notes about the conversion, and the way back to 2.0 pointers."""

    document: dict[str, Any]
    notes: tuple[tuple[str, str], ...]  # (2.0 pointer, message)
    moves: Mapping[Tokens, Tokens] = field(repr=False)  # 3.0 prefix -> 2.0 prefix

    def original_pointer(self, ptr: str) -> str:
        """The 2.0 pointer a 3.0 pointer came from (the longest moved prefix wins)."""
        tokens = tuple(unescape_pointer(ptr))
        for cut in range(len(tokens), 0, -1):
            old = self.moves.get(tokens[:cut])
            if old is not None:
                return pointer(*old, *tokens[cut:])
        return ptr


def convert(document: Mapping[str, Any]) -> Conversion:
    """OpenAPI 3.0.3 from a (bundled) Swagger 2.0 document; ``document`` is left untouched."""
    converter = _Converter(document)
    try:
        out = converter.run()
    except RecursionError:
        raise SpecError(Diagnostic("", "", "nesting is too deep to convert from Swagger 2.0")) from None
    return Conversion(out, tuple(converter.notes), converter.moves)


def upgrade(spec: LoadedSpec, document: dict[str, Any], findings: list[Diagnostic]) -> tuple[
        dict[str, Any], list[Diagnostic], list[Diagnostic], Callable[[str], str]]:
    """Convert a validated 2.0 document and validate the result as usual.

    ``findings`` are the 2.0 document's own. Returns the 3.0 document, every finding (2.0 ones
    first; the 3.0 ones located in the 2.0 document, without those the 2.0 ones already cover),
    the conversion notes as warnings, and the map from a 3.0 pointer to the 2.0 one it came from.
    """
    from .validate import validate_spec

    conversion = convert(document)
    covered = {d.pointer for d in findings}
    seen = {(d.pointer, d.message) for d in findings}
    out = list(findings)
    for d in validate_spec(spec, conversion.document):
        original = conversion.original_pointer(d.pointer)
        if (original, d.message) in seen or any(original == c or original.startswith(c + "/") for c in covered):
            continue
        seen.add((original, d.message))
        out.append(spec.diagnostic(original, d.message, severity=d.severity, hint=d.hint))
    notes = [spec.diagnostic(ptr, message, severity=Severity.WARNING) for ptr, message in conversion.notes]
    return conversion.document, out, notes, conversion.original_pointer


def _extensions(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if isinstance(k, str) and k.startswith("x-")}


def _media_types(value: Any) -> list[str]:
    return [m for m in value if isinstance(m, str)] if isinstance(value, list) else []


class _Converter:
    def __init__(self, source: Mapping[str, Any]) -> None:
        self.src = source
        self.notes: list[tuple[str, str]] = []
        self.moves: dict[Tokens, Tokens] = {}
        self.consumes = _media_types(source.get("consumes")) or [JSON]
        self.produces = _media_types(source.get("produces")) or [JSON]
        self.server_urls: list[str] = []

    def note(self, old: Tokens, message: str) -> None:
        self.notes.append((pointer(*old), message))

    def move(self, new: Tokens, old: Tokens) -> None:
        if new != old:
            self.moves[new] = old

    # -- the document ----------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        src = self.src
        out: dict[str, Any] = {"openapi": OPENAPI_VERSION}
        self.move(("openapi",), ("swagger",))
        if "info" in src:
            out["info"] = src["info"]
        self.server_urls = self.servers()
        if self.server_urls:
            out["servers"] = [{"url": url} for url in self.server_urls]
        for key in ("tags", "externalDocs", "security"):
            if key in src:
                out[key] = src[key]
        out.update((k, v) for k, v in _extensions(src).items())
        paths = src.get("paths")
        out["paths"] = self.paths(paths) if isinstance(paths, Mapping) else paths
        components = self.components()
        if components:
            out["components"] = components
        return out

    def servers(self) -> list[str]:
        host, base = self.src.get("host"), self.src.get("basePath")
        base = base if isinstance(base, str) else ""
        if isinstance(host, str) and host:
            listed = [s for s in self.src.get("schemes") or [] if s in ("http", "https")] if isinstance(
                self.src.get("schemes"), list) else []
            self.move(("servers",), ("host",))
            return [f"{scheme}://{host}{base}" for scheme in listed or ["https"]]
        if base:
            self.move(("servers",), ("basePath",))
            return [base]
        return []

    def components(self) -> dict[str, Any]:
        src, out = self.src, dict[str, Any]()
        definitions = src.get("definitions")
        if isinstance(definitions, Mapping):
            self.move(("components", "schemas"), ("definitions",))
            out["schemas"] = {k: self.schema(v) for k, v in definitions.items()}
        parameters = src.get("parameters")
        if isinstance(parameters, Mapping):
            converted = {}
            for name, p in parameters.items():
                if isinstance(p, Mapping) and p.get("in") in ("body", "formData"):
                    continue  # inlined into each operation that uses it
                new, old = ("components", "parameters", name), ("parameters", name)
                self.move(new, old)
                converted[name] = self.parameter(p, old, new)
            if converted:
                out["parameters"] = converted
        responses = src.get("responses")
        if isinstance(responses, Mapping):
            self.move(("components", "responses"), ("responses",))
            out["responses"] = {
                name: self.response(r, self.produces, ("responses", name), ("components", "responses", name))
                for name, r in responses.items()
            }
        schemes = src.get("securityDefinitions")
        if isinstance(schemes, Mapping):
            self.move(("components", "securitySchemes"), ("securityDefinitions",))
            out["securitySchemes"] = {k: self.security_scheme(v, ("securityDefinitions", k)) for k, v in schemes.items()}
        return out

    def security_scheme(self, scheme: Any, old: Tokens) -> Any:
        if not isinstance(scheme, Mapping):
            return scheme
        kind = scheme.get("type")
        out: dict[str, Any] = {}
        if kind == "basic":
            out = {"type": "http", "scheme": "basic"}
        elif kind == "apiKey":
            out = {k: scheme[k] for k in ("type", "name", "in") if k in scheme}
        elif kind == "oauth2":
            flow = scheme.get("flow")
            name, urls = _OAUTH_FLOWS.get(flow, ("", ())) if isinstance(flow, str) else ("", ())
            if not name:
                self.note(old, f"unknown OAuth 2 flow {flow!r}: copied as is")
                return dict(scheme)
            body = {k: scheme[k] for k in urls if k in scheme}
            body["scopes"] = scheme.get("scopes") if isinstance(scheme.get("scopes"), Mapping) else {}
            out = {"type": "oauth2", "flows": {name: body}}
        else:
            return dict(scheme)
        if "description" in scheme:
            out["description"] = scheme["description"]
        return {**out, **_extensions(scheme)}

    # -- schemas and refs ------------------------------------------------------------------------

    def ref(self, ref: str) -> str:
        for old, new in _REFS:
            if ref.startswith(old):
                return new + ref[len(old):]
        return ref

    def schema(self, node: Any) -> Any:
        """A 2.0 schema object as a 3.0 one (a new object; data values are shared)."""
        if isinstance(node, list):
            return [self.schema(item) for item in node]
        if not isinstance(node, Mapping):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = self.ref(value)
            elif key in _SCHEMA_ONE or key in _SCHEMA_LIST:
                out[key] = self.schema(value)
            elif key in _SCHEMA_MAP and isinstance(value, Mapping):
                out[key] = {name: self.schema(sub) for name, sub in value.items()}
            elif key == "discriminator" and isinstance(value, str):
                out[key] = {"propertyName": value}
            elif key == "x-nullable":
                continue
            else:
                out[key] = value
        if out.get("type") == "file":
            out["type"], out["format"] = "string", "binary"
        if node.get("x-nullable") is True:
            if "$ref" in out:  # siblings of $ref are ignored in 3.0
                out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
            out["nullable"] = True
        return out

    def simple_schema(self, node: Mapping[str, Any]) -> dict[str, Any]:
        """The schema of a non-body parameter, an items object or a header."""
        out: dict[str, Any] = {}
        for key in _SCHEMA_FIELDS:
            if key in node:
                value = node[key]
                out[key] = self.simple_schema(value) if key == "items" and isinstance(value, Mapping) else value
        if "$ref" in node and isinstance(node["$ref"], str):  # not allowed in 2.0, but seen
            out["$ref"] = self.ref(node["$ref"])
        if out.get("type") == "file":
            out["type"], out["format"] = "string", "binary"
        if node.get("x-nullable") is True:
            out["nullable"] = True
        return out

    # -- parameters ------------------------------------------------------------------------------

    def resolve(self, node: Any, old: Tokens) -> tuple[Any, Tokens]:
        """Follow internal refs (up to a few hops) to the node and its 2.0 tokens."""
        for _ in range(8):
            ref = node.get("$ref") if isinstance(node, Mapping) else None
            if not (isinstance(ref, str) and ref.startswith("#/")):
                break
            tokens = tuple(unescape_pointer(ref))
            target: Any = self.src
            for token in tokens:
                target = target.get(token) if isinstance(target, Mapping) else None
            if target is None:
                break
            node, old = target, tokens
        return node, old

    def parameter(self, p: Any, old: Tokens, new: Tokens) -> Any:
        """A non-body parameter (or a ref to one)."""
        if not isinstance(p, Mapping):
            return p
        if isinstance(p.get("$ref"), str):
            return {"$ref": self.ref(p["$ref"])}
        out = {k: p[k] for k in ("name", "in", "description", "required", "allowEmptyValue") if k in p}
        out.update(_extensions(p))
        schema = self.simple_schema(p)
        if schema:
            out["schema"] = schema
            self.move((*new, "schema"), old)
        style = self.array_style(p, old)
        if style is not None:
            out["style"], out["explode"] = style
        return out

    def array_style(self, p: Mapping[str, Any], old: Tokens) -> tuple[str, bool] | None:
        """``style`` and ``explode`` for an array parameter's ``collectionFormat``."""
        if p.get("type") != "array":
            return None
        fmt, location = p.get("collectionFormat", "csv"), p.get("in")
        if location in ("query", "formData"):
            style = _QUERY_STYLES.get(fmt) if isinstance(fmt, str) else None
            if style is None:
                self.note((*old, "collectionFormat"), f"collectionFormat {fmt!r} has no OpenAPI 3 equivalent: sent as csv")
                style = _QUERY_STYLES["csv"]
            return style
        if location in ("path", "header"):
            if fmt != "csv":
                self.note((*old, "collectionFormat"), f"collectionFormat {fmt!r} is not supported in {location}: sent as csv")
            return "simple", False
        return None

    def operation_parameters(self, item: Mapping[str, Any], op: Mapping[str, Any], path_old: Tokens,
                             op_old: Tokens, op_new: Tokens) -> tuple[list[Any], list[tuple[Mapping[str, Any], Tokens]],
                                                                    list[tuple[Mapping[str, Any], Tokens]]]:
        """The operation's own non-body parameters, and the body and form parameters (the
        path item's first, overridden by the operation's of the same name)."""
        plain: list[Any] = []
        body: dict[str, tuple[Mapping[str, Any], Tokens]] = {}
        form: dict[str, tuple[Mapping[str, Any], Tokens]] = {}
        for owner, owner_old, own in ((item, path_old, False), (op, op_old, True)):
            entries = owner.get("parameters")
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                resolved, where = self.resolve(entry, (*owner_old, "parameters", str(index)))
                location = resolved.get("in") if isinstance(resolved, Mapping) else None
                if location == "body":
                    body = {"": (resolved, where)}
                elif location == "formData":
                    form[str(resolved.get("name"))] = (resolved, where)
                elif own:
                    new = (*op_new, "parameters", str(len(plain)))
                    self.move(new, (*owner_old, "parameters", str(index)))
                    plain.append(self.parameter(entry, (*owner_old, "parameters", str(index)), new))
        return plain, list(body.values()), list(form.values())

    def body(self, param: Mapping[str, Any], old: Tokens, new: Tokens, consumes: list[str]) -> dict[str, Any]:
        self.move(new, old)
        schema = self.schema(param.get("schema", {}))
        out: dict[str, Any] = {}
        if "description" in param:
            out["description"] = param["description"]
        types = [m for m in consumes if m not in (FORM, MULTIPART)] or [JSON]
        out["content"] = {m: {"schema": schema} for m in types}
        for m in types:
            self.move((*new, "content", m, "schema"), (*old, "schema"))
        out["required"] = param.get("required") is True
        return out

    def form(self, params: list[tuple[Mapping[str, Any], Tokens]], new: Tokens, consumes: list[str]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        encoding: dict[str, Any] = {}
        has_file = False
        for p, old in params:
            name = str(p.get("name"))
            schema = self.simple_schema(p)
            if "description" in p:
                schema["description"] = p["description"]
            has_file = has_file or p.get("type") == "file"
            properties[name] = schema
            if p.get("required") is True:
                required.append(name)
            style = self.array_style(p, old)
            if style is not None and style != ("form", True):
                encoding[name] = {"style": style[0], "explode": style[1]}
        body: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            body["required"] = required
        types = [m for m in consumes if m in (FORM, MULTIPART)]
        if has_file and FORM in types:
            types.remove(FORM)
        types = types or [MULTIPART if has_file else FORM]
        content: dict[str, Any] = {}
        for m in types:
            content[m] = {"schema": body}
            if encoding and m == FORM:
                content[m]["encoding"] = encoding
            for p, old in params:
                self.move((*new, "content", m, "schema", "properties", str(p.get("name"))), old)
        self.move(new, params[0][1])
        return {"content": content, "required": bool(required)}

    # -- responses -------------------------------------------------------------------------------

    def response(self, r: Any, produces: list[str], old: Tokens, new: Tokens) -> Any:
        if not isinstance(r, Mapping):
            return r
        if isinstance(r.get("$ref"), str):
            return {"$ref": self.ref(r["$ref"])}
        out: dict[str, Any] = {"description": r.get("description", "")}
        if "schema" in r:
            schema = self.schema(r["schema"])
            binary = isinstance(schema, Mapping) and schema.get("format") == "binary" and schema.get("type") == "string"
            types = list(produces)
            if binary and all(m == JSON or m.endswith("+json") for m in types):
                types = ["application/octet-stream"]
            raw_examples = r.get("examples")
            examples: Mapping[str, Any] = raw_examples if isinstance(raw_examples, Mapping) else {}
            content: dict[str, Any] = {}
            for m in types:
                content[m] = {"schema": schema}
                if m in examples:
                    content[m]["example"] = examples[m]
                self.move((*new, "content", m, "schema"), (*old, "schema"))
            out["content"] = content
        headers = r.get("headers")
        if isinstance(headers, Mapping):
            converted = {}
            for name, h in headers.items():
                if not isinstance(h, Mapping):
                    converted[name] = h
                    continue
                header = {k: h[k] for k in ("description",) if k in h}
                header["schema"] = self.simple_schema(h)
                self.move((*new, "headers", name, "schema"), (*old, "headers", name))
                converted[name] = {**header, **_extensions(h)}
            out["headers"] = converted
        out.update(_extensions(r))
        return out

    def responses(self, raw: Any, produces: list[str], old: Tokens, new: Tokens) -> Any:
        if not isinstance(raw, Mapping):
            return raw
        out: dict[str, Any] = {}
        for status, r in raw.items():
            status_old, status_new = (*old, str(status)), (*new, str(status))
            ref = r.get("$ref") if isinstance(r, Mapping) else None
            if isinstance(ref, str) and ref.startswith("#/responses/") and produces != self.produces:
                resolved, where = self.resolve(r, status_old)
                self.move(status_new, where)
                out[status] = self.response(resolved, produces, where, status_new)
            else:
                out[status] = self.response(r, produces, status_old, status_new)
        return out

    # -- paths -----------------------------------------------------------------------------------

    def paths(self, paths: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, item in paths.items():
            if not isinstance(item, Mapping) or str(path).startswith("x-"):
                out[path] = item
                continue
            base = ("paths", str(path))
            converted: dict[str, Any] = {}
            shared = item.get("parameters")
            if isinstance(shared, list):
                kept: list[Any] = []
                for index, entry in enumerate(shared):
                    resolved, _ = self.resolve(entry, (*base, "parameters", str(index)))
                    if isinstance(resolved, Mapping) and resolved.get("in") in ("body", "formData"):
                        continue  # moved into each operation's request body
                    new = (*base, "parameters", str(len(kept)))
                    self.move(new, (*base, "parameters", str(index)))
                    kept.append(self.parameter(entry, (*base, "parameters", str(index)), new))
                if kept:
                    converted["parameters"] = kept
            for key, value in item.items():
                if key in SWAGGER2_METHODS and isinstance(value, Mapping):
                    converted[key] = self.operation(item, value, base, (*base, key))
                elif key != "parameters":
                    converted[key] = value
            out[path] = converted
        return out

    def operation(self, item: Mapping[str, Any], op: Mapping[str, Any], path_old: Tokens, old: Tokens) -> dict[str, Any]:
        new = old  # operations keep their place
        out: dict[str, Any] = {}
        for key in ("tags", "summary", "description", "externalDocs", "operationId", "deprecated", "security"):
            if key in op:
                out[key] = op[key]
        consumes = _media_types(op.get("consumes")) or self.consumes
        produces = _media_types(op.get("produces")) or self.produces
        plain, bodies, form = self.operation_parameters(item, op, path_old, old, new)
        if plain:
            out["parameters"] = plain
        if bodies:
            if form:
                self.note((*old, "parameters"), "both a body and formData parameters: the formData ones are ignored")
            out["requestBody"] = self.body(bodies[0][0], bodies[0][1], (*new, "requestBody"), consumes)
        elif form:
            out["requestBody"] = self.form(form, (*new, "requestBody"), consumes)
        out["responses"] = self.responses(op.get("responses"), produces, (*old, "responses"), (*new, "responses"))
        schemes = op.get("schemes")
        host = self.src.get("host")
        if isinstance(schemes, list) and isinstance(host, str) and host:
            base = self.src.get("basePath") if isinstance(self.src.get("basePath"), str) else ""
            urls = [f"{s}://{host}{base}" for s in schemes if s in ("http", "https")]
            if urls and urls != self.server_urls:
                out["servers"] = [{"url": u} for u in urls]
        out.update(_extensions(op))
        return out


__all__ = ["OPENAPI_VERSION", "Conversion", "convert", "is_swagger2", "upgrade"]
