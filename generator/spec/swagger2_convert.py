"""The Swagger 2.0 -> OpenAPI 3.0.3 conversion itself, one document object at a time (see
:mod:`.swagger2` for what is carried over and how): servers, components, security schemes,
parameters (bodies and forms become request bodies), responses, paths and operations. Every
moved object records its 3.0 -> 2.0 prefix, so findings point back into the user's file;
what cannot be carried over exactly is a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.contract import SWAGGER2_METHODS
from ..core.pointers import pointer, unescape_pointer
from .swagger2_schemas import convert_ref, convert_schema, convert_simple_schema

Tokens = tuple[str, ...]
OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# collectionFormat -> (style, explode), per parameter location
_QUERY_STYLES = {"csv": ("form", False), "multi": ("form", True), "ssv": ("spaceDelimited", False),
                 "pipes": ("pipeDelimited", False)}


_OAUTH_FLOWS = {"implicit": ("implicit", ("authorizationUrl",)), "password": ("password", ("tokenUrl",)),
                "application": ("clientCredentials", ("tokenUrl",)),
                "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl"))}


def _extensions(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if isinstance(k, str) and k.startswith("x-")}


def _media_types(value: Any) -> list[str]:
    return [m for m in value if isinstance(m, str)] if isinstance(value, list) else []


class Converter:
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
            out["schemas"] = {k: convert_schema(v) for k, v in definitions.items()}
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
            return {"$ref": convert_ref(p["$ref"])}
        out = {k: p[k] for k in ("name", "in", "description", "required", "allowEmptyValue") if k in p}
        out.update(_extensions(p))
        schema = convert_simple_schema(p)
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
        schema = convert_schema(param.get("schema", {}))
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
            schema = convert_simple_schema(p)
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
            return {"$ref": convert_ref(r["$ref"])}
        out: dict[str, Any] = {"description": r.get("description", "")}
        if "schema" in r:
            schema = convert_schema(r["schema"])
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
                header["schema"] = convert_simple_schema(h)
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
