"""Webhooks receiver runtime: the FastAPI routes behind ``webhooks.create_webhooks_router``.

Two routes, for every method the webhooks use: ``/`` receives any event (identified as
``webhooks.parse_webhook`` does) and ``/{webhook_name}`` the event of that name; for callbacks
(``callbacks.create_callbacks_router``), whose URLs the consumer chooses, ``/`` and any path
under it receive any event. Answers:

* the webhook's first declared 2xx status (200 when none): handled, or ``handlers`` has no
  method for it (the event is acknowledged and dropped);
* 400: not an event this API sends, or malformed; 422: the payload does not fit its schema;
* 401: signature headers missing or malformed, no signature matches, timestamp outside the
  tolerance window (a receiver with a secret only);
* 404: ``/{webhook_name}`` names no webhook; 405: a method the webhook is not sent with;
* 409: a message id already handled within the window (replay protection);
* 413: a body over ``max_body_size`` bytes.

Error answers are JSON ``{"detail": "..."}``. A handler's exception is not caught (500): the
message id is remembered only once the handler has returned, so the sender's retry is handled.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ._webhooks import (
    EventType,
    WebhookError,
    WebhookPayloadError,
    WebhookVerifier,
    dispatch,
    parse,
)

__all__ = ["DEFAULT_MAX_BODY_SIZE", "router"]

DEFAULT_MAX_BODY_SIZE = 1024 * 1024


class _TooLarge(WebhookError):
    status_code = 413


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge(f"the body is over {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge(f"the body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def router(
    events: Mapping[str, EventType],
    tag: str | None,
    handlers: object,
    verifier: WebhookVerifier | None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    by_name: bool = True,
) -> APIRouter:
    """The receiver's routes (see the module docstring); not ``by_name`` (callbacks, whose URLs
    the consumer chooses): ``/`` and every path under it receive any event."""

    async def receive(request: Request, name: str | None) -> Response:
        try:
            body = await _body(request, max_body_size)
            event, verified = parse(
                events,
                tag,
                body,
                request.headers,
                verifier,
                name,
                False,
                request.method,
            )
            event_type = events[event.webhook]
            if request.method != event_type.method:
                raise WebhookPayloadError(
                    f"the {event_type.name!r} webhook is sent with {event_type.method}",
                    405,
                )
        except WebhookError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)
        await dispatch(events, handlers, event)
        if verifier is not None and verified is not None:
            verifier.remember(verified)
        return Response(status_code=event_type.status)

    async def any_event(request: Request) -> Response:
        return await receive(request, None)

    async def named_event(request: Request, webhook_name: str) -> Response:
        return await receive(request, webhook_name)

    async def any_path(request: Request, path: str) -> Response:
        return await receive(request, None)

    methods = sorted({e.method for e in events.values()})
    out = APIRouter()
    out.add_api_route("/", any_event, methods=methods, include_in_schema=False)
    if by_name:
        out.add_api_route(
            "/{webhook_name}", named_event, methods=methods, include_in_schema=False
        )
    else:
        out.add_api_route(
            "/{path:path}", any_path, methods=methods, include_in_schema=False
        )
    return out
