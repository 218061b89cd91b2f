"""Webhooks (OpenAPI 3.1 ``webhooks``): the requests the API itself sends to its consumers.

Each entry of the document's ``webhooks`` map is a path item whose operations the API provider
initiates. The IR keeps, per (webhook, method), what the generated receiver and sender need:
the wire name, the preferred request body (typed like an operation's, so inline payload schemas
are hoisted and become models in the plan pass), the first declared 2xx status (what the
receiver answers) and the payload's *tag*: a required string property whose schema is a single
constant, which tells events apart when one URL receives them all (OpenAI's ``type``).

The root key :data:`SIGNING_KEY` (``x-webhook-signing: standard-webhooks``; add it with an
overlay to a spec you do not own) says the API signs its webhooks as Standard Webhooks says:
the generated receiver and sender then require a secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..core import naming
from ..core.contract import HTTP_METHODS
from ..core.pointers import pointer as ptr_of
from .model import BodyKind, HttpMethod, Operation, Webhook
from .schemas import resolve_pointer

if TYPE_CHECKING:
    from .operations import OperationWalk

SIGNING_KEY = "x-webhook-signing"
SIGNING_SCHEMES = frozenset({"standard-webhooks"})


def webhooks(walk: OperationWalk) -> tuple[Webhook, ...]:
    """The document's webhooks in document order (the methods of one in ``HTTP_METHODS`` order)."""
    raw = walk.document.get("webhooks")
    out: list[Webhook] = []
    for name, raw_item in raw.items() if isinstance(raw, Mapping) else ():
        if isinstance(name, str):
            out.extend(_requests(walk, name, raw_item, ptr_of("webhooks", name), naming.pascal(name, prefix="Webhook"), "Webhook"))
    return tuple(out)


def callbacks(walk: OperationWalk, operations: Iterable[Operation]) -> tuple[Webhook, ...]:
    """Every operation's callbacks (operations in their order, callbacks and URL expressions in
    document order): ``name`` is the callback's key, ``expression`` its URL's."""
    out: list[Webhook] = []
    for operation in operations:
        op = resolve_pointer(walk.document, "#" + operation.pointer)
        raw = op.get("callbacks") if isinstance(op, Mapping) else None
        for name, raw_callback in raw.items() if isinstance(raw, Mapping) else ():
            callback, cb_ptr = walk.deref(raw_callback, operation.pointer + ptr_of("callbacks", str(name)))
            for expression, raw_item in callback.items():
                if not isinstance(expression, str) or expression.startswith("x-"):
                    continue
                hint = naming.pascal(operation.handler_name, prefix="Op") + naming.pascal(str(name), prefix="Callback")
                found = _requests(walk, str(name), raw_item, cb_ptr + ptr_of(expression), hint, "Callback")
                out.extend(replace(c, operation_id=operation.operation_id, expression=expression) for c in found)
    return tuple(out)


def _requests(walk: OperationWalk, name: str, raw_item: Any, ptr: str, hint: str, suffix: str) -> list[Webhook]:
    """The requests of one webhook or callback path item, in ``HTTP_METHODS`` order."""
    item, item_ptr = walk.deref(raw_item, ptr)
    out: list[Webhook] = []
    for method in HTTP_METHODS:
        op = item.get(method)
        if not isinstance(op, Mapping):
            continue
        op_ptr = f"{item_ptr}/{method}"
        op_hint = hint + (suffix if method == "post" else naming.pascal(method) + suffix)
        request = walk.request_body(op.get("requestBody"), f"{op_ptr}/requestBody", op_hint)
        body = request.preferred if request is not None else None
        out.append(
            Webhook(
                name=name,
                method=HttpMethod(method.upper()),
                summary=_text(op.get("summary")),
                description=_text(op.get("description")) or (request.description if request else None),
                body=body,
                body_required=request is not None and request.required,
                status=_status(op.get("responses")),
                tag=_tag(walk, op.get("requestBody"), body.media_type) if body and body.kind is BodyKind.JSON else None,
                pointer=op_ptr,
                deprecated=op.get("deprecated") is True,
            )
        )
    return out


def signing(document: Mapping[str, Any]) -> bool:
    """Whether the document says its webhooks are signed (:data:`SIGNING_KEY`)."""
    return document.get(SIGNING_KEY) in SIGNING_SCHEMES


def _status(responses: Any) -> int:
    codes = sorted(int(s) for s in responses if str(s).isascii() and str(s).isdigit() and str(s).startswith("2")) \
        if isinstance(responses, Mapping) else []
    return codes[0] if codes else 200


def _tag(walk: OperationWalk, raw_body: Any, media_type: str) -> tuple[str, str] | None:
    """The first (in property order) required property of the JSON payload whose schema is one
    string constant (``const``, or an ``enum`` of one string)."""
    body, _ = walk.deref(raw_body, "")
    media = (body.get("content") or {}).get(media_type)
    schema = media.get("schema") if isinstance(media, Mapping) else None
    for _ in range(64):  # follow $refs (a loop is no object)
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            break
        schema = resolve_pointer(walk.document, ref)
    if not isinstance(schema, Mapping):
        return None
    properties, required = schema.get("properties"), schema.get("required")
    if not isinstance(properties, Mapping) or not isinstance(required, list):
        return None
    for prop, sub in properties.items():
        if prop not in required or not isinstance(sub, Mapping):
            continue
        if isinstance(sub.get("const"), str):
            return (prop, sub["const"])
        enum = sub.get("enum")
        if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
            return (prop, enum[0])
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


__all__ = ["SIGNING_KEY", "Webhook", "callbacks", "signing", "webhooks"]
