"""An operation's pagination as the walk over operations finds it: the hint (the config's
``pagination`` table, else the operation's ``x-oapigen-pagination``), or detection
(:func:`.pagination.detect`) over the operation's parameters, request body and first 2xx
JSON response."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..core.diagnostics import Diagnostic, SpecError
from ..core.pointers import escape_pointer_token
from .model import ANY, BodyKind, Pagination, Parameter, TypeRef
from .pagination import HINT_KEY, HintError
from .pagination import detect as detect_pagination
from .schemas import SchemaTyper
from .wire import body_kind, status_key

Deref = Callable[[Any, str], tuple[Any, str]]


def operation_pagination(
    op_id: str,
    op: Mapping[str, Any],
    op_ptr: str,
    parameters: tuple[Parameter, ...],
    *,
    deref: Deref,
    typer: SchemaTyper,
    file: str,
    hints: Mapping[str, Any],
    hints_origin: tuple[str, str],
) -> Pagination | None:
    """The operation's pagination; a hint that cannot be used is an error located at the hint
    (the config's, or the spec's ``x-`` key). None in the planning pass (no ``file``):
    pagination makes no classes."""
    if op_id in hints:
        given, source = hints[op_id], "config"
        hint_file, where = hints_origin
        where = f"{where}/pagination/{escape_pointer_token(op_id)}"
    else:
        given, source = op.get(HINT_KEY), HINT_KEY
        hint_file, where = file, f"{op_ptr}/{HINT_KEY}"
    if not file:
        return None
    responses = op.get("responses")
    ok = (
        next((s for s in sorted(map(str, responses), key=status_key) if s.startswith("2")), None)
        if isinstance(responses, Mapping)
        else None
    )
    response, _ = deref(responses.get(ok) if ok is not None and isinstance(responses, Mapping) else None, "")
    media = _json_media(response.get("content"))
    body, _ = deref(op.get("requestBody"), "")

    def item_type(schema: Any, items: tuple[str, ...]) -> TypeRef:
        """The type of a page's item when it needs no class of its own: a ``$ref``, a scalar,
        a union of those; else ``Any`` (an inline object's class is datamodel-code-generator's
        to name)."""
        return typer.type_of(schema, "", "PageItem") if _classless(schema) else ANY

    try:
        return detect_pagination(
            hint=given,
            parameters=parameters,
            body_schema=_json_media(body.get("content")).get("schema"),
            response_schema=media.get("schema"),
            response_headers=[str(h) for h in response.get("headers") or {}],
            deref=lambda schema: deref(schema, "")[0],  # a schema's internal $ref chain followed
            item_type=item_type,
            source=source,
        )
    except HintError as exc:
        key = HINT_KEY if source != "config" else "pagination"
        raise SpecError(Diagnostic(hint_file or file, where, f"{key}: {exc}")) from None


def _classless(schema: Any, depth: int = 0) -> bool:
    """Whether typing ``schema`` makes no class: refs, scalars, and arrays and plain unions of them."""
    if not isinstance(schema, Mapping) or depth > 8:
        return False
    if isinstance(schema.get("$ref"), str):
        return True
    if "discriminator" in schema or schema.get("properties"):
        return False
    for key in ("anyOf", "oneOf"):
        if isinstance(members := schema.get(key), list):
            return all(_classless(m, depth + 1) for m in members)
    if schema.get("type") == "array":
        return _classless(schema.get("items"), depth + 1)
    return schema.get("type") in ("string", "integer", "number", "boolean", "null")


def _json_media(content: Any) -> Mapping[str, Any]:
    """The JSON media type object of a ``content`` map (empty when there is none)."""
    if isinstance(content, Mapping):
        for mt, media in content.items():
            if body_kind(str(mt)) is BodyKind.JSON and isinstance(media, Mapping):
                return media
    return {}
