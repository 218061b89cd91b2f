"""The walk over a document's operations, from path items to :class:`Operation` values:
operation ids and Python names made unique, parameters (dereferenced, ordered, the ignored and
unsendable ones left out with a warning), request bodies and responses by media type, security.
It runs twice (:mod:`oapigen.ir.builder`): to plan which inline schemas need classes, then to
build the IR.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core import naming
from ..core.contract import HTTP_METHODS, PATH_TEMPLATE_PARAM
from ..core.diagnostics import Diagnostic, Severity
from ..core.pointers import pointer as ptr_of
from .model import (
    ANY,
    BodyKind,
    Header,
    HttpMethod,
    MediaBody,
    Operation,
    Parameter,
    ParamLocation,
    RequestBody,
    Response,
    SecurityRequirement,
    TypeKind,
    TypeRef,
    primitive,
)
from .oauth2 import requirement
from .pagination_hints import operation_pagination
from .path_groups import has_tags, path_groups
from .schemas import SchemaTyper, resolve_pointer
from .wire import (
    EVENT_NAMES_KEY,
    IDEMPOTENCY_HEADERS,
    IGNORED_HEADERS,
    KIND_ORDER,
    STATUS,
    TRANSPORT_HEADERS,
    body_kind,
    field_encodings,
    idempotency_header,
    is_http_token,
    status_key,
    text_or_none,
)

# Body kinds whose schema may be a $ref to a plain array or map (the method returns the list).
_UNWRAPPED = frozenset({BodyKind.JSON, BodyKind.JSON_LINES})


@dataclass
class OperationWalk:
    """One pass over the document's operations."""

    document: Mapping[str, Any]
    typer: SchemaTyper
    renames: Mapping[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    file: str = ""
    fastapi_spec: bool = False
    idempotency_headers: frozenset[str] = IDEMPOTENCY_HEADERS  # lower case
    renamed: dict[str, bool] = field(default_factory=dict)  # operation pointer -> renamed by the config
    path_groups: dict[str, str] = field(default_factory=dict)  # path -> group, for a spec without tags
    # The config's pagination hints by operationId, and where the config is (file, pointer).
    pagination_hints: Mapping[str, Any] = field(default_factory=dict)
    hints_origin: tuple[str, str] = ("", "")
    group_labels: dict[str, str] = field(default_factory=dict)  # tag or path group -> the words naming it

    def deref(self, obj: Any, ptr: str) -> tuple[Any, str]:
        """Follow internal $refs of non-schema objects (parameters, bodies, responses)."""
        seen: set[str] = set()
        while isinstance(obj, Mapping) and isinstance(obj.get("$ref"), str):
            ref = obj["$ref"]
            if ref in seen or not ref.startswith("#"):
                return {}, ptr
            seen.add(ref)
            obj, ptr = resolve_pointer(self.document, ref), ref[1:]
        return (obj if isinstance(obj, Mapping) else {}), ptr

    def warn(self, ptr: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.file, ptr, message, Severity.WARNING))

    # -- operations -------------------------------------------------------------------------

    def operations(self) -> list[Operation]:
        paths = self.document.get("paths") or {}
        all_paths = list(paths)
        ids = [
            (op["operationId"], path)
            for path, item in paths.items()
            if isinstance(item, Mapping)
            for method in HTTP_METHODS
            if isinstance(op := item.get(method), Mapping) and isinstance(op.get("operationId"), str)
        ]
        self.fastapi_spec = sum(naming.is_fastapi_style(i, p) for i, p in ids) * 2 > len(ids) > 0
        drafts: list[dict[str, Any]] = []
        self.path_groups = path_groups(all_paths) if not has_tags(paths) else {}
        for path, raw_item in paths.items():
            item, item_ptr = self.deref(raw_item, ptr_of("paths", path))
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, Mapping):
                    continue
                op_ptr = ptr_of("paths", path, method) if item_ptr.startswith("/paths") else f"{item_ptr}/{method}"
                drafts.append(self.draft(path, method, item, op, op_ptr, all_paths))
        self.unique_operation_ids(drafts)
        operations = self.name_operations(drafts)
        self.check_fragments(operations)
        return operations

    def check_fragments(self, operations: list[Operation]) -> None:
        """Warn about paths with a ``#fragment``: it is never sent, so the operation is served
        at the path without it; when another operation has the same method and URL, the two
        are one route, which answers for the one declared first."""
        first: dict[tuple[HttpMethod, str], Operation] = {}
        for op in operations:
            url = (op.method, PATH_TEMPLATE_PARAM.sub("{}", op.url_path))
            other = first.setdefault(url, op)
            if other is not op and "#" in op.path + other.path:
                self.warn(
                    op.pointer,
                    f"{op.method.value} {op.path!r} and {other.method.value} {other.path!r} "
                    f"({other.pointer}) are one URL: a #fragment is never sent; the server "
                    f"routes {op.method.value} {op.url_path!r} to {other.operation_id!r}, "
                    f"declared first",
                )
            elif "#" in op.path:
                self.warn(
                    op.pointer,
                    f"the #fragment of {op.path!r} is never sent: served at {op.url_path!r}",
                )

    def unique_operation_ids(self, drafts: list[dict[str, Any]]) -> None:
        """OpenAPI: an operationId is unique. One used twice keeps it on its first operation; the
        others get ``<id>_2``, ``<id>_3``... (with a warning), so tools can tell them apart."""
        first: dict[str, dict[str, Any]] = {}
        taken = {d["operation_id"] for d in drafts}
        for d in drafts:
            original = d["operation_id"]
            other = first.setdefault(original, d)
            if other is d:
                continue
            unique = naming.dedupe([original], taken)[0]
            taken.add(unique)
            self.warn(
                d["pointer"],
                f"operationId {original!r} is also the id of {other['method'].value} {other['path']}; "
                f"this operation is {unique!r}",
            )
            d["operation_id"] = unique

    def draft(
        self, path: str, method: str, item: Mapping[str, Any], op: Mapping[str, Any], op_ptr: str, all_paths: list[str]
    ) -> dict[str, Any]:
        op_id = op.get("operationId")
        op_id = op_id if isinstance(op_id, str) and op_id else naming.synthesized_operation_id(method, path)
        renamed = self.renames.get(op_id)
        group_override = None
        if renamed and "." in renamed:
            group_override, renamed = renamed.split(".", 1)
        base = renamed or naming.operation_base_name(op_id, path, all_paths, fastapi_spec=self.fastapi_spec)
        self.renamed[op_ptr] = bool(renamed)
        hint = naming.pascal(base, prefix="Op")
        tags = op.get("tags")
        tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else None
        parameters = self.parameters(path, item, op, op_ptr, hint)
        pagination = operation_pagination(
            op_id, op, op_ptr, parameters, deref=self.deref, typer=self.typer,
            file=self.file, hints=self.pagination_hints, hints_origin=self.hints_origin,
        )
        return {
            "operation_id": op_id,
            "method": HttpMethod(method.upper()),
            "path": path,
            "base": base,
            "tag": group_override or tag,
            # a spec without tags: grouped by the path's first segment
            "group_key": group_override or tag or self.path_groups.get(path),
            "summary": text_or_none(op.get("summary")),
            "description": text_or_none(op.get("description")),
            "deprecated": op.get("deprecated") is True,
            "parameters": parameters,
            "request_body": self.request_body(op.get("requestBody"), f"{op_ptr}/requestBody", hint),
            "responses": self.responses(op.get("responses"), f"{op_ptr}/responses", hint),
            "security": self.security(op),
            "pointer": op_ptr,
            "idempotency_header": idempotency_header(parameters, self.idempotency_headers),
            "pagination": pagination,
        }

    def name_operations(self, drafts: list[dict[str, Any]]) -> list[Operation]:
        tags = sorted({d["group_key"] for d in drafts if d["group_key"] is not None})
        self.group_labels = naming.group_labels(tags)
        group_names = dict(
            zip(
                tags,
                naming.dedupe(naming.snake(self.group_labels[t], prefix="group", reserved=naming.CLIENT_ATTRIBUTES) for t in tags),
                strict=True,
            )
        )
        taken_on_client = set(group_names.values()) | naming.CLIENT_ATTRIBUTES
        by_group: dict[str | None, list[dict[str, Any]]] = {}
        for d in drafts:
            d["group"] = group_names.get(d["group_key"]) if d["group_key"] is not None else None
            by_group.setdefault(d["group"], []).append(d)
        for group, members in by_group.items():
            reserved = taken_on_client if group is None else frozenset()
            # Names from the spec avoid the names annotations use; a rename from the config is
            # the user's choice and is kept as written.
            names = [
                naming.snake(d["base"], prefix="op", reserved=reserved if self.renamed[d["pointer"]] else reserved | naming.ANNOTATION_NAMES)
                for d in members
            ]
            paths = [d["path"] for d in members]
            methods = [d["method"].value.lower() for d in members]
            for d, name in zip(members, naming.distinct_by_path(names, paths, methods, reserved), strict=True):
                d["python_name"] = name
        counts: dict[str, int] = {}
        for d in drafts:
            counts[d["python_name"]] = counts.get(d["python_name"], 0) + 1
        handlers = [
            d["python_name"] if counts[d["python_name"]] == 1 or d["group"] is None else f"{d['group']}_{d['python_name']}"
            for d in drafts
        ]
        for d, handler in zip(drafts, naming.dedupe(handlers), strict=True):
            d["handler_name"] = handler
        return [
            Operation(**{k: v for k, v in d.items() if k not in ("base", "group_key")})
            for d in drafts
        ]

    # -- parameters -------------------------------------------------------------------------

    def parameters(
        self, path: str, item: Mapping[str, Any], op: Mapping[str, Any], op_ptr: str, hint: str
    ) -> tuple[Parameter, ...]:
        merged: dict[tuple[str, str], tuple[Mapping[str, Any], str]] = {}
        item_ptr = op_ptr.rsplit("/", 1)[0]
        for source, base_ptr in ((item.get("parameters"), item_ptr), (op.get("parameters"), op_ptr)):
            for i, raw in enumerate(source if isinstance(source, list) else []):
                p, p_ptr = self.deref(raw, f"{base_ptr}/parameters/{i}")
                name, loc = p.get("name"), p.get("in")
                if loc == "header" and isinstance(name, str) and name.lower() in IGNORED_HEADERS:
                    continue  # OpenAPI: these header parameters are ignored (content negotiation, auth)
                if loc == "header" and isinstance(name, str) and name.lower() in TRANSPORT_HEADERS:
                    self.warn(p_ptr, f"header parameter {name!r} is a field the HTTP connection sets itself; left out")
                    continue
                if loc in ("header", "cookie") and isinstance(name, str) and not is_http_token(name):
                    self.warn(p_ptr, f"{loc} parameter {name!r} is not a valid HTTP field name; left out")
                    continue
                if isinstance(name, str) and loc in ("path", "query", "header", "cookie"):
                    merged[(loc, name)] = (p, p_ptr)
        path_order = PATH_TEMPLATE_PARAM.findall(path)
        params: list[tuple[Mapping[str, Any], str]] = list(merged.values())
        for name in path_order:
            if ("path", name) not in merged:
                self.warn(op_ptr, f"path parameter {{{name}}} is not declared; typed as str")
                params.append(({"name": name, "in": "path", "required": True, "schema": {"type": "string"}}, op_ptr))

        def order(entry: tuple[Mapping[str, Any], str]) -> tuple[int, int]:
            p = entry[0]
            if p["in"] == "path":
                return (0, path_order.index(p["name"]) if p["name"] in path_order else len(path_order))
            return (1 if p.get("required") is True else 2, 0)

        params.sort(key=order)
        names = naming.dedupe(
            (naming.snake(p["name"], prefix="param", reserved=naming.METHOD_KEYWORDS) for p, _ in params),
            naming.METHOD_KEYWORDS,
        )
        return tuple(self.parameter(p, p_ptr, py, hint) for (p, p_ptr), py in zip(params, names, strict=True))

    def parameter(self, p: Mapping[str, Any], p_ptr: str, python_name: str, hint: str) -> Parameter:
        location = ParamLocation(p["in"])
        schema, s_ptr = p.get("schema"), f"{p_ptr}/schema"
        content = p.get("content")
        json_content = False
        if schema is None and isinstance(content, Mapping) and content:
            mt = next(iter(content))
            schema, s_ptr = (content[mt] or {}).get("schema"), p_ptr + ptr_of("content", mt, "schema")
            json_content = body_kind(str(mt)) is BodyKind.JSON
        type_ = self.typer.type_of(schema, s_ptr, hint + naming.pascal(p["name"], prefix="P")) if schema is not None else primitive("str")
        default_style = "form" if location in (ParamLocation.QUERY, ParamLocation.COOKIE) else "simple"
        style: str = p["style"] if isinstance(p.get("style"), str) else default_style
        if json_content:
            style = "json"  # content: {application/json: ...}: the value is its JSON text
        explode: bool = p["explode"] if isinstance(p.get("explode"), bool) else style == "form"
        has_default = isinstance(schema, Mapping) and "default" in schema
        return Parameter(
            name=p["name"],
            python_name=python_name,
            location=location,
            required=location is ParamLocation.PATH or p.get("required") is True,
            type=type_,
            description=text_or_none(p.get("description")),
            deprecated=p.get("deprecated") is True,
            style=style,
            explode=explode,
            has_default=has_default,
            default=schema.get("default") if has_default and isinstance(schema, Mapping) else None,
            pointer=p_ptr,
            enum=self.is_enum(schema),
        )

    def is_enum(self, schema: Any) -> bool:
        """Whether ``schema`` (its ``$ref``s followed) is an enum or a const."""
        for _ in range(64):  # a $ref loop is no enum
            if not isinstance(schema, Mapping):
                return False
            ref = schema.get("$ref")
            if not isinstance(ref, str) or not ref.startswith("#"):
                return "enum" in schema or "const" in schema
            schema = resolve_pointer(self.document, ref)
        return False

    # -- bodies -----------------------------------------------------------------------------

    def contents(self, content: Any, ptr: str, hint: str, *, request: bool = False) -> tuple[MediaBody, ...]:
        """The media types of a body; a response's JSON-lines stream typed by its item (the
        schema's ``items``, or the schema), a request's sent as text."""
        if not isinstance(content, Mapping):
            return ()
        out: list[MediaBody] = []
        typed: dict[str, TypeRef] = {}  # a schema's JSON -> its type, for the media types sharing it
        for mt, media in content.items():
            if not isinstance(media, Mapping):
                media = {}
            kind = body_kind(str(mt))
            if request and kind is BodyKind.JSON_LINES:
                kind = BodyKind.TEXT
            m_ptr = ptr + ptr_of(str(mt))
            schema = media.get("schema")
            if kind is BodyKind.BINARY:
                type_ = primitive("bytes")
            elif kind is BodyKind.TEXT:
                type_ = primitive("str")
            elif schema is None:
                type_ = ANY
            else:
                # one class for the media types with the same schema; another media type's
                # own schema is named after it (CreatePetBodyForm), not numbered
                same = json.dumps(schema, sort_keys=True, default=str)
                if same not in typed:
                    media_hint = hint + _media_label(str(mt), kind) if typed else hint
                    typed[same] = self.typer.type_of(schema, f"{m_ptr}/schema", media_hint)
                type_ = typed[same]
            unwrapped = self.typer.collection_of(schema, hint) if kind in _UNWRAPPED else None
            if kind is BodyKind.JSON_LINES:  # a stream of items: the items' type
                whole = unwrapped or type_
                type_, unwrapped = (whole.args[0] if whole.kind is TypeKind.LIST else type_), None
            has_example, example = self.example(media)
            encoding = field_encodings(media.get("encoding")) if kind in (BodyKind.FORM, BodyKind.MULTIPART) else ()
            names = media.get(EVENT_NAMES_KEY) if kind is BodyKind.EVENT_STREAM else None
            event_names = tuple(n for n in names if isinstance(n, str) and n) if isinstance(names, list) else ()
            out.append(MediaBody(str(mt), kind, type_, has_example, example, encoding, unwrapped, event_names))
        out.sort(key=lambda m: KIND_ORDER[m.kind])
        return tuple(out)

    def example(self, media: Mapping[str, Any]) -> tuple[bool, Any]:
        if "example" in media:
            return True, media["example"]
        examples = media.get("examples")
        if isinstance(examples, Mapping):
            for value in examples.values():
                ex, _ = self.deref(value, "")
                if "value" in ex:
                    return True, ex["value"]
        return False, None

    def request_body(self, raw: Any, ptr: str, hint: str) -> RequestBody | None:
        if raw is None:
            return None
        body, b_ptr = self.deref(raw, ptr)
        contents = self.contents(body.get("content"), f"{b_ptr}/content", hint + "Body", request=True)
        if not contents:
            return None
        return RequestBody(body.get("required") is True, contents, text_or_none(body.get("description")))

    def responses(self, raw: Any, ptr: str, hint: str) -> tuple[Response, ...]:
        if not isinstance(raw, Mapping):
            return ()
        statuses = sorted((str(s) for s in raw), key=status_key)
        first_success = next((s for s in statuses if s.startswith("2")), None)
        out = []
        for status in statuses:
            if not STATUS.fullmatch(status):
                self.warn(
                    ptr + ptr_of(status),
                    f"response {status!r} is not an HTTP status code (100-599), a range (2XX) or 'default'; left out",
                )
                continue
            resp, r_ptr = self.deref(raw.get(status, raw.get(int(status)) if status.isascii() and status.isdigit() else None), f"{ptr}/{status}")
            suffix = "Response" if status == first_success else f"Response{naming.pascal(status, prefix='S')}"
            headers = []
            raw_headers = resp.get("headers")
            for h_name, h_raw in (raw_headers.items() if isinstance(raw_headers, Mapping) else ()):
                h, h_ptr = self.deref(h_raw, r_ptr + ptr_of("headers", h_name))
                if not is_http_token(h_name):
                    self.warn(h_ptr, f"response header {h_name!r} is not a valid HTTP field name; left out")
                    continue
                h_type = self.typer.type_of(h.get("schema"), f"{h_ptr}/schema", hint + naming.pascal(h_name)) if "schema" in h else primitive("str")
                headers.append(Header(h_name, naming.snake(h_name, prefix="header"), h.get("required") is True, h_type, text_or_none(h.get("description"))))
            out.append(
                Response(
                    status,
                    text_or_none(resp.get("description")) or "",
                    self.contents(resp.get("content"), f"{r_ptr}/content", hint + suffix),
                    tuple(headers),
                )
            )
        return tuple(out)

    # -- security ---------------------------------------------------------------------------

    def security(self, op: Mapping[str, Any]) -> tuple[SecurityRequirement, ...]:
        raw = op.get("security", self.document.get("security"))
        if not isinstance(raw, list):
            return ()
        return tuple(requirement(r) for r in raw if isinstance(r, Mapping))


def _media_label(media_type: str, kind: BodyKind) -> str:
    """What names a media type's own body class: ``Form``, ``Multipart``, else its subtype."""
    if kind is BodyKind.FORM:
        return "Form"
    if kind is BodyKind.MULTIPART:
        return "Multipart"
    return naming.pascal(media_type.partition(";")[0].rpartition("/")[2], prefix="Media")


