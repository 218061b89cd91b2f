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
from ..core.contract import MODELS_PREFIX
from ..core.escape import str_literal
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
    table: str  # the module's table of events (Names.table)
    expression: str | None = None  # a callback: its URL's runtime expression
    about: str = ""  # a sender method's docstring

    # Statements written out here (the template only places them), spec strings through
    # str_literal.

    @property
    def entry(self) -> str:
        """The event's ``EventType`` in the table: ``"key": EventType(...)``."""
        media_type = "None" if self.media_type is None else str_literal(self.media_type)
        tag = "" if self.tag is None else f", tag={str_literal(self.tag)}"
        expression = "" if self.expression is None else f", expression={str_literal(self.expression)}"
        return (
            f"{str_literal(self.key)}: EventType({str_literal(self.key)}, {str_literal(self.name)}, "
            f"{str_literal(self.http_method)}, {self.class_name}, {self.payload}, {str_literal(self.kind)}, "
            f"{media_type}, {self.status}, {str_literal(self.method_name)}{tag}{expression})"
        )

    @property
    def lookup(self) -> str:
        """The event's ``EventType``: ``TABLE["key"]``."""
        return f"{self.table}[{str_literal(self.key)}]"

    @property
    def signature(self) -> str:
        """The sender method's parameters after ``self``."""
        target = "url: str" if self.expression is None else "request: CallbackRequest"
        payload = "" if self.kind == "none" else f", payload: {self.argument}"
        url = "" if self.expression is None else "url: str | None = None, "
        return f"{target}{payload}, *, {url}webhook_id: str | None = None"


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

    # Statements written out here (the template only places them), spec strings through
    # str_literal.

    @property
    def doc(self) -> str:
        """The module's docstring."""
        n = self.names
        if n.noun == "webhook":
            first = f"Webhooks of {self.title}: the requests the API sends to its consumers."
        else:
            first = (f"Callbacks of {self.title}: the requests the API sends to a URL a request gave it (an "
                     "operation's callbacks).")
        signed = ("\n\nThe API signs its webhooks and callbacks (x-webhook-signing): the receivers and senders "
                  "need a secret.") if self.signed else ""
        return (
            f"{first}\n\nFor a consumer: {n.parse}(body, headers) returns the typed event (one class per {n.noun},\n"
            f"the {n.union} union); {n.app}(handlers) / {n.router}(handlers)\n"
            f"serve them (FastAPI) and call the {n.handlers} method of each. For the API's implementer:\n"
            f"{n.sender} / {n.async_sender} sign and deliver them, retrying transient failures.\n\n"
            "With a secret, requests are signed and verified as Standard Webhooks says (webhook-id,\n"
            "webhook-timestamp, webhook-signature; HMAC-SHA256), within a tolerance window, and a message id\n"
            f"is handled once.{signed}"
        )

    @property
    def all(self) -> str:
        """The ``__all__`` statement."""
        return f"__all__ = [{', '.join(str_literal(name) for name in self.exports)}]"

    @property
    def table_statement(self) -> str:
        """The table of events: ``WEBHOOKS: dict[str, EventType] = {...}``."""
        return f"{self.names.table}: dict[str, EventType] = {{{', '.join(e.entry for e in self.events)}}}"

    @property
    def router_return(self) -> str:
        """The receiver's router: callbacks are not routed by name."""
        by_name = ", by_name=False" if self.names.noun == "callback" else ""
        return f"return router({self.names.table}, TAG, handlers, checks, max_body_size or DEFAULT_MAX_BODY_SIZE{by_name})"

    @property
    def app(self) -> str:
        """The receiver app's ``app = FastAPI(...)`` statement."""
        title = str_literal(f"{self.title} {self.names.noun}s")
        return f"app = FastAPI(title={title}, openapi_url=None, docs_url=None, redoc_url=None)"


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
    return t.annotation(MODELS_PREFIX)


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
            table=names.table,
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
