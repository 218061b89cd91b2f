"""The webhooks part of the generated package (OpenAPI 3.1 ``webhooks``), for a spec that has
them; a spec without webhooks gets none of these files.

* ``webhooks.py``: one event class per webhook (its typed ``payload``, ``webhook_id``,
  ``timestamp``, ``headers``), the ``WebhookEvent`` union, ``parse_webhook``, the
  ``WebhookHandlers`` Protocol, ``create_webhooks_router`` / ``create_webhooks_app`` (FastAPI,
  imported on call) and ``WebhookSender`` / ``AsyncWebhookSender``;
* ``_webhooks.py``: Standard Webhooks signatures, verification, replay protection, delivery
  with retries (static);
* ``_webhooks_server.py``: the receiver's FastAPI routes (static).

Every name, annotation and import is decided here; the templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core import naming
from ..ir.model import Api, BodyKind, TypeKind, TypeRef
from ..ir.webhooks import Webhook
from ..pysource.imports import all_name_key, import_name_key

MODULE = "webhooks.py"
CALLBACKS_MODULE = "callbacks.py"
STATIC_MODULES = ("_webhooks.py", "_webhooks_server.py")


@dataclass(frozen=True, slots=True)
class Names:
    """What one generated module calls its parts: ``webhooks.py`` and ``callbacks.py`` are the
    same machinery under two sets of names."""

    noun: str  # "webhook" / "callback"
    event_suffix: str  # of the event classes
    union: str
    handlers: str
    parse: str
    handle: str
    router: str
    app: str
    sender: str
    async_sender: str
    table: str


WEBHOOK_NAMES = Names("webhook", "Event", "WebhookEvent", "WebhookHandlers", "parse_webhook", "handle_webhook",
                      "create_webhooks_router", "create_webhooks_app", "WebhookSender", "AsyncWebhookSender", "WEBHOOKS")
CALLBACK_NAMES = Names("callback", "Callback", "CallbackEvent", "CallbackHandlers", "parse_callback", "handle_callback",
                       "create_callbacks_router", "create_callbacks_app", "CallbackSender", "AsyncCallbackSender",
                       "CALLBACKS")
# Runtime names both modules import or re-export.
_RUNTIME_EXPORTS = ("DEFAULT_TOLERANCE", "WebhookDeliveryError", "WebhookError", "WebhookPayloadError",
                    "WebhookReplayError", "WebhookSecretError", "WebhookVerificationError", "WebhookVerifier",
                    "generate_secret")

# Names the modules define or import: event classes avoid them.
_FIXED_NAMES = frozenset(
    {"Any", "AsyncSender", "CallbackRequest", "CallbackUrlError", "ClassVar", "DEFAULT_ATTEMPTS", "DEFAULT_BACKOFF",
     "DEFAULT_MAX_BODY_SIZE", "EventType", "Literal", "Mapping", "Protocol", "Secret", "Sequence", "SIGNED",
     "SyncSender", "TAG", "TYPE_CHECKING", "TypeAlias", "annotations", "cast", "dataclass", "dispatch", "field",
     "httpx", "models", "parse", "resolve_url", "verifier_for", "APIRouter", "FastAPI", "UUID", "date", "datetime",
     "time", "timedelta", *_RUNTIME_EXPORTS,
     *(n for names in (WEBHOOK_NAMES, CALLBACK_NAMES) for n in (names.union, names.handlers, names.sender,
                                                                 names.async_sender, names.table))}
)
# Attributes of the senders: their per-webhook methods avoid them.
_SENDER_NAMES = frozenset({"send", "close", "aclose", "attempts", "backoff"})


@dataclass(frozen=True, slots=True)
class EventView:
    key: str  # in the WEBHOOKS table: the wire name, or "<name> <METHOD>" for a webhook sent with several
    name: str  # wire name
    class_name: str
    method_name: str  # of WebhookHandlers and of the senders
    http_method: str
    payload: str  # annotation, models qualified
    argument: str  # what the senders accept: a model's class also takes a dict (as the client's body=)
    kind: str  # json, text, bytes, none
    media_type: str | None
    status: int
    tag: str | None
    doc: str  # the event class's docstring
    expression: str | None = None  # a callback: its URL's runtime expression
    about: str = ""  # a sender method's docstring


@dataclass(frozen=True, slots=True)
class WebhooksModule:
    names: Names
    title: str
    events: tuple[EventView, ...]
    tag: str | None  # the property that names the event in every payload, when there is one
    signed: bool
    std_imports: tuple[tuple[str, tuple[str, ...]], ...]
    exports: tuple[str, ...]
    union: str  # the WebhookEvent alias's value
    uses_models: bool  # a payload is (or holds) a model class


def _kind(webhook: Webhook) -> str:
    body = webhook.body
    if body is None:
        return "none"
    if body.kind is BodyKind.JSON:
        return "json"
    return "text" if body.kind in (BodyKind.TEXT, BodyKind.EVENT_STREAM) else "bytes"


def _payload_type(webhook: Webhook) -> TypeRef | None:
    kind = _kind(webhook)
    if kind == "json" and webhook.body is not None:
        return webhook.body.type
    return None


def _payload(webhook: Webhook) -> str:
    kind = _kind(webhook)
    if kind == "none":
        return "None"
    if kind == "text":
        return "str"
    if kind == "bytes":
        return "bytes"
    t = _payload_type(webhook)
    assert t is not None
    return t.annotation("models.")


def _title(webhook: Webhook) -> str:
    if webhook.operation_id is None:
        return f"The ``{webhook.name}`` webhook ({webhook.method.value})"
    return (f"The ``{webhook.name}`` callback of ``{webhook.operation_id}`` ({webhook.method.value} "
            f"``{webhook.expression}``)")


def _doc(webhook: Webhook) -> str:
    first = _title(webhook)
    about = "\n\n".join(t for t in (webhook.summary, webhook.description) if t)
    deprecated = "\n\nDeprecated." if webhook.deprecated else ""
    return f"{first}.{chr(10) * 2 + about if about else ''}{deprecated}"


def _common_tag(webhooks: tuple[Webhook, ...]) -> str | None:
    """The tag property when every webhook's payload has it, each with a constant of its own."""
    tags = [w.tag for w in webhooks]
    if len(webhooks) < 2 or any(t is None for t in tags):
        return None
    properties = {t[0] for t in tags if t is not None}
    values = [t[1] for t in tags if t is not None]
    return properties.pop() if len(properties) == 1 and len(set(values)) == len(values) else None


def _route_name(w: Webhook) -> str:
    """Its name in the receiver's ``/{name}`` route: a callback's is ``operationId.callback``."""
    return w.name if w.operation_id is None else f"{w.operation_id}.{w.name}"


def outgoing_module(api: Api, hooks: tuple[Webhook, ...], names: Names) -> WebhooksModule:
    """``webhooks.py`` (``hooks``: the webhooks) or ``callbacks.py`` (the callbacks)."""
    routes = [_route_name(w) for w in hooks]
    keys = naming.dedupe(
        r if routes.count(r) == 1 else f"{r} {w.method.value}" for w, r in zip(hooks, routes, strict=True)
    )
    classes = naming.dedupe(
        (naming.pascal(k, prefix=names.event_suffix, reserved=_FIXED_NAMES) + names.event_suffix for k in keys),
        _FIXED_NAMES,
    )
    methods = naming.dedupe(
        (naming.snake(k, prefix="on", reserved=_SENDER_NAMES | naming.RESERVED_WORDS) for k in keys), _SENDER_NAMES
    )
    tag = _common_tag(hooks)
    events = tuple(
        EventView(
            key=key,
            name=route,
            class_name=cls,
            method_name=method,
            http_method=w.method.value,
            payload=_payload(w),
            argument=_payload(w) + (" | dict[str, Any]" if (t := _payload_type(w)) is not None and t.kind is TypeKind.NAMED else ""),
            kind=_kind(w),
            media_type=w.body.media_type if w.body is not None else None,
            status=w.status,
            tag=w.tag[1] if tag is not None and w.tag is not None else None,
            doc=_doc(w),
            expression=w.expression,
            about=f"Deliver {_title(w)[0].lower()}{_title(w)[1:]}"
            + (" to ``url``." if w.expression is None else ": to its URL resolved from ``request``, or to ``url``."),
        )
        for w, key, route, cls, method in zip(hooks, keys, routes, classes, methods, strict=True)
    )
    std: dict[str, set[str]] = {
        "collections.abc": {"Mapping", "Sequence"},
        "dataclasses": {"dataclass", "field"},
        "typing": {"TYPE_CHECKING", "ClassVar", "Protocol", "TypeAlias", "cast"},
    }
    for w in hooks:
        for module, name in t.imports() if (t := _payload_type(w)) is not None else ():
            std.setdefault(module, set()).add(name)
    if any(e.argument != e.payload for e in events):
        std["typing"].add("Any")
    exports = (
        names.async_sender, names.union, names.handlers, names.sender, names.app, names.router, names.handle,
        names.parse, *_RUNTIME_EXPORTS, *(e.class_name for e in events),
        *(("CallbackRequest", "CallbackUrlError") if names is CALLBACK_NAMES else ()),
    )
    return WebhooksModule(
        names=names,
        title=api.title,
        events=events,
        tag=tag,
        signed=api.webhook_signing,
        std_imports=tuple((m, tuple(sorted(n, key=import_name_key))) for m, n in sorted(std.items())),
        exports=tuple(sorted(exports, key=all_name_key)),
        union=" | ".join(e.class_name for e in events),
        uses_models=any(t.model_names() for w in hooks if (t := _payload_type(w)) is not None),
    )


def webhooks_module(api: Api) -> WebhooksModule:
    return outgoing_module(api, api.webhooks, WEBHOOK_NAMES)


def files(api: Api) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output file -> (template, extra context); nothing for a spec without webhooks or callbacks."""
    if not api.webhooks and not api.callbacks:
        return {}
    # the runtime modules are plain Python in templates/runtime/
    out: dict[str, tuple[str, dict[str, Any]]] = {name: (f"runtime/{name}", {}) for name in STATIC_MODULES}
    if api.webhooks:
        out[MODULE] = ("webhooks.py.jinja", {"module": webhooks_module(api)})
    if api.callbacks:
        out[CALLBACKS_MODULE] = ("webhooks.py.jinja", {"module": outgoing_module(api, api.callbacks, CALLBACK_NAMES)})
    return out


def exports(api: Api) -> list[tuple[str, str]]:
    """The package ``__init__`` exports nothing of the webhooks: ``from pkg.webhooks import ...``."""
    del api
    return []


__all__ = ["CALLBACKS_MODULE", "CALLBACK_NAMES", "MODULE", "STATIC_MODULES", "WEBHOOK_NAMES", "EventView", "Names",
           "WebhooksModule", "exports", "files", "outgoing_module", "webhooks_module"]
