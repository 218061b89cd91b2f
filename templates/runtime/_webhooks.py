"""Webhooks runtime: Standard Webhooks signatures, verification with replay protection, and
delivery with retries (https://www.standardwebhooks.com).

A signed webhook request carries three headers:

* ``webhook-id``: the message id, the same on every delivery attempt of one message;
* ``webhook-timestamp``: when this attempt was signed, in Unix seconds;
* ``webhook-signature``: space-separated ``v1,<signature>`` entries, each the base64 of
  HMAC-SHA256 over ``"<id>.<timestamp>.<body>"`` with one secret (several entries while a
  secret is being rotated: any one that matches is enough).

A secret is ``whsec_`` followed by the base64 of the key bytes (:func:`generate_secret`).

Every exception here derives from :class:`WebhookError`::

    WebhookError
    ├── WebhookSecretError          a secret is not ``whsec_<base64>`` (also a ValueError)
    ├── WebhookVerificationError    401: signature headers missing or malformed, no signature
    │                               matches, or the timestamp is outside the tolerance window
    ├── WebhookReplayError          409: a message id already received within the window
    ├── WebhookPayloadError         400: the body is not a known event; 422: it does not fit
    │                               the event's schema
    ├── CallbackUrlError            a callback's URL expression reads what its request lacks
    └── WebhookDeliveryError        the sender gave up: no 2xx answer after its attempts
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import random
import re
import secrets as _secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx
import pydantic

__all__ = [
    "DEFAULT_TOLERANCE",
    "CallbackRequest",
    "CallbackUrlError",
    "Secret",
    "WebhookDeliveryError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookReplayError",
    "WebhookSecretError",
    "WebhookVerificationError",
    "WebhookVerifier",
    "generate_secret",
    "message_id",
    "sign",
    "signature_headers",
]

DEFAULT_TOLERANCE = 300.0
"""Seconds a signed request's timestamp may differ from the receiver's clock (either way)."""
SECRET_PREFIX = "whsec_"
ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = (
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
)

Secret = str | bytes
"""``whsec_<base64>`` (or the base64 alone), or the key bytes themselves."""


class WebhookError(Exception):
    """Base of every webhook error; ``status_code``: what a receiver answers."""

    status_code = 400


class WebhookSecretError(WebhookError, ValueError):
    """A secret that is not ``whsec_<base64>``."""


class WebhookVerificationError(WebhookError):
    """The request is not signed by a known secret, or not recently."""

    status_code = 401


class WebhookReplayError(WebhookError):
    """A message id already received (and handled) within the tolerance window."""

    status_code = 409


class WebhookPayloadError(WebhookError):
    """The body is not an event this API sends (400), or does not fit its schema (422)."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


class WebhookDeliveryError(WebhookError):
    """No 2xx answer after ``attempts`` attempts; ``response``: the last answer (None: the last
    attempt got none: connection refused, timeout, ...)."""

    def __init__(
        self, message: str, attempts: int, response: httpx.Response | None
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.response = response


def generate_secret(size: int = 24) -> str:
    """A new random secret, ``whsec_<base64 of size bytes>``."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(size)).decode("ascii")


def _key(secret: Secret) -> bytes:
    if isinstance(secret, bytes):
        if not secret:
            raise WebhookSecretError("a webhook secret must not be empty")
        return secret
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookSecretError(
            "a webhook secret is 'whsec_' followed by base64"
        ) from None
    if not key:
        raise WebhookSecretError("a webhook secret must not be empty")
    return key


def _keys(secret: Secret | Sequence[Secret]) -> tuple[bytes, ...]:
    keys = (
        (_key(secret),)
        if isinstance(secret, str | bytes)
        else tuple(_key(s) for s in secret)
    )
    if not keys:
        raise WebhookSecretError("no webhook secret given")
    return keys


def _signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    return hmac.new(
        key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256
    ).digest()


def sign(secret: Secret, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature entry."""
    return "v1," + base64.b64encode(
        _signature(_key(secret), msg_id, timestamp, body)
    ).decode("ascii")


def message_id() -> str:
    """A new message id (``msg_`` and 32 hex digits)."""
    return "msg_" + _secrets.token_hex(16)


def signature_headers(
    secret: Secret | Sequence[Secret],
    msg_id: str,
    body: bytes,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The three headers of a signed request, one signature per secret."""
    ts = int(time.time()) if timestamp is None else timestamp
    entries = " ".join(
        "v1," + base64.b64encode(_signature(key, msg_id, ts, body)).decode("ascii")
        for key in _keys(secret)
    )
    return {ID_HEADER: msg_id, TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: entries}


@dataclass(frozen=True, slots=True)
class Verified:
    """What a verified request said about itself."""

    webhook_id: str
    timestamp: int


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by its lower-case name from any mapping (httpx's and Starlette's ignore case,
    a plain dict may not)."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


class WebhookVerifier:
    """Checks Standard Webhooks signatures; keeps the ids it has seen for the tolerance window.

    ``secret``: one, or several while rotating (a request signed by any of them passes).
    ``tolerance``: seconds the timestamp may differ from ``clock()`` (default 5 minutes).
    ``replay_protection``: refuse (:class:`WebhookReplayError`) a message id already remembered;
    the ids are forgotten once their timestamp is outside the window (then the request is stale
    anyway). Thread-safe.
    """

    def __init__(
        self,
        secret: Secret | Sequence[Secret],
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        replay_protection: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = _keys(secret)
        self.tolerance = tolerance
        self.replay_protection = replay_protection
        self._clock = clock
        # message id -> when it may be forgotten, in the order received (so nearly in that order)
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def verify(
        self, body: bytes, headers: Mapping[str, str], *, remember: bool = True
    ) -> Verified:
        """Raise unless ``body`` is signed by a known secret within the window and (with replay
        protection) its id is new; ``remember``: record the id now (a receiver that handles
        the event first records it with :meth:`remember` once handled)."""
        msg_id, stamp, signatures = (
            header(headers, h) for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
        )
        if not msg_id or not stamp or not signatures:
            raise WebhookVerificationError(
                "missing webhook signature headers (webhook-id, webhook-timestamp, webhook-signature)"
            )
        try:
            timestamp = int(stamp)
        except ValueError:
            raise WebhookVerificationError(
                "webhook-timestamp is not an integer"
            ) from None
        now = self._clock()
        if abs(now - timestamp) > self.tolerance:
            which = "too old" if timestamp < now else "in the future"
            raise WebhookVerificationError(
                f"webhook-timestamp is {which} (tolerance {self.tolerance:g} s)"
            )
        given = [
            e[3:].encode("utf-8", "replace")
            for e in signatures.split()
            if e.startswith("v1,")
        ]
        expected = [
            base64.b64encode(_signature(key, msg_id, timestamp, body))
            for key in self._keys
        ]
        # every comparison runs (constant time in the signature's content)
        matches = [hmac.compare_digest(g, e) for g in given for e in expected]
        if not any(matches):
            raise WebhookVerificationError("no webhook signature matches")
        if self.replay_protection:
            with self._lock:
                self._forget(now)
                if msg_id in self._seen:
                    raise WebhookReplayError(f"webhook {msg_id!r} was already received")
                if remember:
                    self._seen[msg_id] = timestamp + self.tolerance
        return Verified(msg_id, timestamp)

    def remember(self, verified: Verified) -> None:
        """Record a verified message id as received (see ``remember`` of :meth:`verify`)."""
        if self.replay_protection:
            with self._lock:
                self._seen[verified.webhook_id] = verified.timestamp + self.tolerance

    def _forget(self, now: float) -> None:
        """Drop the oldest ids whose window has passed (amortized O(1) per request: an id
        received ahead of older ones is kept at most one more window)."""
        while self._seen:
            msg_id, until = next(iter(self._seen.items()))
            if until >= now:
                break
            del self._seen[msg_id]


# -- delivery ------------------------------------------------------------------------------------

DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubled for each next one
MAX_DELAY = 30.0
_RETRY_STATUS = frozenset({408, 425, 429})


def _retryable(response: httpx.Response) -> bool:
    return response.status_code in _RETRY_STATUS or response.status_code >= 500


def _delay(backoff: float, attempt: int) -> float:
    """The wait after failed attempt number ``attempt`` (1-based): exponential, with jitter."""
    return min(backoff * 2.0 ** (attempt - 1), MAX_DELAY) * (1 - 0.25 * random.random())


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One webhook request to deliver (signed anew for each attempt)."""

    method: str
    url: str
    body: bytes
    content_type: str | None
    webhook_id: str
    headers: Mapping[str, str]

    def request(
        self, client: httpx.Client | httpx.AsyncClient, keys: Sequence[Secret]
    ) -> httpx.Request:
        headers = dict(self.headers)
        if self.content_type is not None:
            headers["content-type"] = self.content_type
        if keys:
            headers.update(signature_headers(keys, self.webhook_id, self.body))
        else:
            headers.setdefault(ID_HEADER, self.webhook_id)
            headers.setdefault(TIMESTAMP_HEADER, str(int(time.time())))
        return client.build_request(
            self.method, self.url, content=self.body, headers=headers
        )


def _settled(
    outgoing: Outgoing,
    response: httpx.Response | None,
    lost: bool,
    attempt: int,
    attempts: int,
) -> bool | None:
    """True: delivered; False: retry; None: give up (raise). ``lost``: an earlier attempt got no
    answer, so it may have arrived: a 409 (the id was received) then means delivered."""
    if response is not None and (
        response.is_success or (response.status_code == 409 and lost)
    ):
        return True
    if attempt >= attempts or (response is not None and not _retryable(response)):
        return None
    return False


def _failure(
    outgoing: Outgoing,
    response: httpx.Response | None,
    attempts: int,
    error: Exception | None,
) -> WebhookDeliveryError:
    what = (
        f"HTTP {response.status_code}" if response is not None else type(error).__name__
    )
    return WebhookDeliveryError(
        f"webhook {outgoing.webhook_id!r} to {outgoing.method} {httpx.URL(outgoing.url).copy_with(query=None)} "
        f"not delivered after {attempts} attempt(s): {what}",
        attempts,
        response,
    )


def deliver(
    client: httpx.Client,
    outgoing: Outgoing,
    keys: Sequence[Secret],
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """Send ``outgoing`` until a 2xx answer; retry after a transport error, 408, 425, 429 or 5xx."""
    lost = False
    for attempt in range(1, max(attempts, 1) + 1):
        response, error = None, None
        try:
            response = client.send(outgoing.request(client, keys))
            response.read()
        except httpx.TransportError as exc:
            error = exc
        settled = _settled(outgoing, response, lost, attempt, attempts)
        if settled:
            assert response is not None
            return response
        if settled is None:
            raise _failure(outgoing, response, attempt, error)
        lost = lost or response is None
        sleep(_delay(backoff, attempt))
    raise AssertionError("unreachable")  # pragma: no cover


async def adeliver(
    client: httpx.AsyncClient,
    outgoing: Outgoing,
    keys: Sequence[Secret],
    attempts: int,
    backoff: float,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> httpx.Response:
    """:func:`deliver` for an async client."""
    import asyncio

    pause = sleep or asyncio.sleep
    lost = False
    for attempt in range(1, max(attempts, 1) + 1):
        response, error = None, None
        try:
            response = await client.send(outgoing.request(client, keys))
            await response.aread()
        except httpx.TransportError as exc:
            error = exc
        settled = _settled(outgoing, response, lost, attempt, attempts)
        if settled:
            assert response is not None
            return response
        if settled is None:
            raise _failure(outgoing, response, attempt, error)
        lost = lost or response is None
        await pause(_delay(backoff, attempt))
    raise AssertionError("unreachable")  # pragma: no cover


# -- events --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventType:
    """One webhook as ``webhooks.py`` declares it."""

    key: str  # in the WEBHOOKS table: the name, or "name METHOD" for a webhook sent with several
    name: str  # the key under the spec's ``webhooks``
    method: str
    event: Callable[
        ..., Any
    ]  # the event class: event(payload, webhook_id, timestamp, headers)
    payload: Any  # the payload's type (what a TypeAdapter reads)
    kind: str  # "json", "text", "bytes" or "none" (no body)
    media_type: str | None
    status: int  # what the receiver answers once handled
    handler: str  # the WebhookHandlers method
    tag: str | None = None  # the value of the tag property (see ``identify``)
    expression: str | None = (
        None  # a callback: its URL's runtime expression (see ``resolve_url``)
    )


@lru_cache(maxsize=256)
def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def identify(
    events: Mapping[str, EventType],
    tag: str | None,
    body: bytes,
    name: str | None = None,
    method: str | None = None,
) -> EventType:
    """Which webhook ``body`` is: the one named ``name`` (sent with ``method``, when it is sent
    with several); else the only one; else by the payload's tag property (``tag``: every
    event's JSON payload has it, with a constant of its own); else the one JSON event whose
    schema the payload fits (several: an error)."""
    if name is not None:
        named = [e for e in events.values() if e.name == name]
        if not named:
            raise WebhookPayloadError(f"no webhook is named {name!r}", 404)
        found = (
            next((e for e in named if e.method == method), None)
            if method is not None
            else named[0]
        )
        if found is None:
            sent = ", ".join(e.method for e in named)
            raise WebhookPayloadError(f"the {name!r} webhook is sent with {sent}", 405)
        return found
    if len(events) == 1:
        return next(iter(events.values()))
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookPayloadError(
            "the webhook body is not JSON: name the webhook it is"
        ) from None
    if tag is not None:
        value = data.get(tag) if isinstance(data, dict) else None
        found = next(
            (e for e in events.values() if e.tag is not None and e.tag == value), None
        )
        if found is None:
            raise WebhookPayloadError(
                f"unknown webhook event: {tag!r} is {str(value)[:100]!r}"
            )
        return found
    fits = [e for e in events.values() if e.kind == "json" and _fits(e.payload, data)]
    if len(fits) != 1:
        names = ", ".join(repr(e.name) for e in fits) or "none"
        raise WebhookPayloadError(
            f"the webhook body fits {'several webhooks' if fits else 'no webhook'} ({names})"
        )
    return fits[0]


def _fits(tp: Any, data: Any) -> bool:
    try:
        _adapter(tp).validate_python(data)
    except pydantic.ValidationError:
        return False
    return True


def read_payload(event_type: EventType, body: bytes) -> Any:
    """The typed payload of ``body``."""
    if event_type.kind == "none":
        return None
    if event_type.kind == "bytes":
        return body
    if event_type.kind == "text":
        try:
            return body.decode()
        except UnicodeDecodeError:
            raise WebhookPayloadError("the webhook body is not UTF-8 text") from None
    if not body and event_type.payload is not None:
        raise WebhookPayloadError(f"the {event_type.name!r} webhook has no body")
    try:
        return _adapter(event_type.payload).validate_json(body)
    except pydantic.ValidationError as exc:
        lines = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
            for e in exc.errors(include_input=False)[:5]
        )
        raise WebhookPayloadError(
            f"the {event_type.name!r} webhook body does not fit its schema: {lines}",
            422,
        ) from None


def parse(
    events: Mapping[str, EventType],
    tag: str | None,
    body: bytes | str,
    headers: Mapping[str, str],
    verifier: WebhookVerifier | None,
    name: str | None = None,
    remember: bool = True,
    method: str | None = None,
) -> tuple[Any, Verified | None]:
    """Verify (with ``verifier``), identify and read one webhook request: the event and what
    the verification found."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    verified = (
        verifier.verify(raw, headers, remember=remember)
        if verifier is not None
        else None
    )
    event_type = identify(events, tag, raw, name, method)
    payload = read_payload(event_type, raw)
    stamp = header(headers, TIMESTAMP_HEADER)
    timestamp = (
        verified.timestamp
        if verified
        else int(stamp) if stamp and stamp.isascii() and stamp.isdigit() else None
    )
    event = event_type.event(
        payload, header(headers, ID_HEADER), timestamp, dict(headers)
    )
    return event, verified


async def dispatch(
    events: Mapping[str, EventType], handlers: object, event: Any
) -> bool:
    """Call the handler of ``event``; False when ``handlers`` has none for it."""
    method = getattr(handlers, events[event.webhook].handler, None)
    if method is None:
        return False
    await method(event)
    return True


def encode_payload(event_type: EventType, payload: object) -> bytes:
    """``payload`` as the body of ``event_type``, validated against its type."""
    if event_type.kind == "none":
        return b""
    if event_type.kind == "text":
        return str(payload).encode()
    if event_type.kind == "bytes":
        if not isinstance(payload, bytes | bytearray):
            raise WebhookPayloadError(f"the {event_type.name!r} webhook body is bytes")
        return bytes(payload)
    ad = _adapter(event_type.payload)
    try:
        value = ad.validate_python(payload)
    except pydantic.ValidationError as exc:
        raise WebhookPayloadError(
            f"the {event_type.name!r} payload does not fit its schema: {exc}", 422
        ) from None
    return ad.dump_json(value, by_alias=True, exclude_unset=True, warnings=False)


def _secrets_of(
    secret: Secret | Sequence[Secret] | None, signed: bool, who: str
) -> tuple[Secret, ...]:
    if secret is None or (isinstance(secret, str | bytes) and not secret):
        if signed:
            raise WebhookSecretError(
                f"this API signs its webhooks: the {who} needs secret="
            )
        return ()
    given = (secret,) if isinstance(secret, str | bytes) else tuple(secret)
    _keys(given)  # checked now, not at the first delivery
    return given


class _Sender:
    def __init__(
        self,
        secret: Secret | Sequence[Secret] | None,
        *,
        signed: bool,
        attempts: int,
        backoff: float,
        headers: Mapping[str, str] | None,
    ) -> None:
        self._keys = _secrets_of(secret, signed, "sender")
        self.attempts = attempts
        self.backoff = backoff
        self._headers = dict(headers or {})

    def _outgoing(
        self, event_type: EventType, url: str, payload: object, webhook_id: str | None
    ) -> Outgoing:
        content_type = event_type.media_type if event_type.kind != "none" else None
        if content_type is not None and event_type.kind == "text":
            content_type += "; charset=utf-8"
        return Outgoing(
            event_type.method,
            url,
            encode_payload(event_type, payload),
            content_type,
            webhook_id or message_id(),
            self._headers,
        )


class SyncSender(_Sender):
    """Signs (when given a secret) and delivers webhooks with ``httpx.Client``."""

    def __init__(
        self,
        secret: Secret | Sequence[Secret] | None,
        *,
        signed: bool,
        http_client: httpx.Client | None,
        attempts: int,
        backoff: float,
        timeout: float,
        headers: Mapping[str, str] | None,
    ) -> None:
        super().__init__(
            secret, signed=signed, attempts=attempts, backoff=backoff, headers=headers
        )
        self._own = http_client is None
        self._client = http_client or httpx.Client(timeout=timeout)

    def _send(
        self, event_type: EventType, url: str, payload: object, webhook_id: str | None
    ) -> httpx.Response:
        outgoing = self._outgoing(event_type, url, payload, webhook_id)
        return deliver(self._client, outgoing, self._keys, self.attempts, self.backoff)

    def close(self) -> None:
        """Close the HTTP client (unless it was given)."""
        if self._own:
            self._client.close()


class AsyncSender(_Sender):
    """Signs (when given a secret) and delivers webhooks with ``httpx.AsyncClient``."""

    def __init__(
        self,
        secret: Secret | Sequence[Secret] | None,
        *,
        signed: bool,
        http_client: httpx.AsyncClient | None,
        attempts: int,
        backoff: float,
        timeout: float,
        headers: Mapping[str, str] | None,
    ) -> None:
        super().__init__(
            secret, signed=signed, attempts=attempts, backoff=backoff, headers=headers
        )
        self._own = http_client is None
        self._client = http_client or httpx.AsyncClient(timeout=timeout)

    async def _send(
        self, event_type: EventType, url: str, payload: object, webhook_id: str | None
    ) -> httpx.Response:
        outgoing = self._outgoing(event_type, url, payload, webhook_id)
        return await adeliver(
            self._client, outgoing, self._keys, self.attempts, self.backoff
        )

    async def aclose(self) -> None:
        """Close the HTTP client (unless it was given)."""
        if self._own:
            await self._client.aclose()


def verifier_for(
    secret: Secret | Sequence[Secret] | None,
    verifier: WebhookVerifier | None,
    tolerance: float,
    signed: bool,
) -> WebhookVerifier | None:
    """The receiver's verifier: ``verifier``, else one for ``secret``, else None (unsigned)."""
    if verifier is not None:
        return verifier
    keys = _secrets_of(secret, signed, "receiver")
    return WebhookVerifier(keys, tolerance=tolerance) if keys else None


# -- callbacks -----------------------------------------------------------------------------------


class CallbackUrlError(WebhookError):
    """A callback's URL expression reads something its :class:`CallbackRequest` does not have."""


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """The request (and, when the expression reads it, the response) a callback belongs to: what
    its URL's runtime expression (``{$request.body#/callbackUrl}``) is resolved from."""

    body: object = None  # a model, or its JSON value
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    path: Mapping[str, str] = field(
        default_factory=dict
    )  # path parameters by their spec name
    url: str | None = None  # $url
    method: str | None = None  # $method
    status_code: int | None = None  # $statusCode
    response_body: object = None
    response_headers: Mapping[str, str] = field(default_factory=dict)


_EMBEDDED = re.compile(r"{([^{}]*)}")


def resolve_url(event_type: EventType, request: CallbackRequest) -> str:
    """The callback's URL: its expression with each ``{...}`` (or the whole, when it is one
    bare ``$...`` expression) replaced by what it names (OpenAPI "Runtime Expressions").
    """
    expression = event_type.expression or ""
    if expression.startswith("$") and "{" not in expression:
        return _runtime_value(expression, request)
    return _EMBEDDED.sub(lambda m: _runtime_value(m[1], request), expression)


def _runtime_value(expression: str, request: CallbackRequest) -> str:
    simple = {
        "$url": request.url,
        "$method": request.method,
        "$statusCode": (
            None if request.status_code is None else str(request.status_code)
        ),
    }
    if expression in simple:
        value: object = simple[expression]
    else:
        side, _, rest = expression.partition(".")
        source, _, name = rest.partition(".")
        body, headers = (
            (
                (request.body, request.headers)
                if side == "$request"
                else (request.response_body, request.response_headers)
            )
            if side in ("$request", "$response")
            else (None, {})
        )
        if (
            source.startswith("body")
            and side in ("$request", "$response")
            and (source == "body" or source.startswith("body#"))
        ):
            value = _pointer(_jsonable(body), expression.partition("#")[2])
        elif source == "header" and name:
            value = header(headers, name.lower())
        elif side == "$request" and source == "query" and name:
            value = request.query.get(name)
        elif side == "$request" and source == "path" and name:
            value = request.path.get(name)
        else:
            raise CallbackUrlError(
                f"{expression!r} is not a runtime expression oapigen resolves"
            )
    if value is None:
        raise CallbackUrlError(
            f"the callback URL needs {expression}, which the CallbackRequest lacks"
        )
    return value if isinstance(value, str) else json.dumps(value)


def _jsonable(value: object) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def _pointer(value: Any, pointer: str) -> Any:
    """The value at a JSON pointer (``/a/0/b``), None when there is none."""
    if not pointer:
        return value
    for token in pointer.lstrip("/").split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value
