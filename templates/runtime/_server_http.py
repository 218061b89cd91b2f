"""What the server guards before a request reaches a route: sizes, and the docs pages.

* :class:`SizeLimits`: a request whose URL (path and query string) or headers are too big is
  answered 414 or 431 before anything reads it; a body over the limit, 413 (without parsing
  it when its ``Content-Length`` says so, else as soon as the bytes read pass the limit; the
  rest is read and dropped first, up to :data:`DRAINED_FACTOR` times the limit, so that the
  client, still sending, gets the answer).
* :func:`add_docs`: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) render the spec, whose text is
  untrusted. ReDoc is told so (``untrusted-spec``: it sanitizes descriptions; Swagger UI always
  does), and each page carries a strict Content-Security-Policy: only the page's own scripts run
  (a nonce for each response), so script in a description (``<script>``, ``onerror=``) does not.
  The pages load Swagger UI and ReDoc from a CDN, or from a local folder (``docs_assets``).
"""

from __future__ import annotations

import ctypes
import html
import json
import secrets
import string
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import anyio.from_thread
import httpx
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024
"""Bytes of request body accepted by default (``create_app(max_body_size=...)``)."""
DEFAULT_MAX_URL_SIZE = 8 * 1024
"""Bytes of path and query string accepted by default (``create_app(max_url_size=...)``)."""
DEFAULT_MAX_HEADER_SIZE = 32 * 1024
"""Bytes of request headers (names and values) accepted by default."""

DocsAssets = str | Path | None
"""A folder holding Swagger UI and ReDoc (see :data:`DOCS_ASSETS`), or None: from the CDN."""


class SizeLimits:
    """ASGI middleware: 414, 431 and 413 for requests over the limits (None: no limit)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_size: int | None,
        max_url_size: int | None,
        max_header_size: int | None,
    ) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.max_url_size = max_url_size
        self.max_header_size = max_header_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_url_size
        if (
            limit is not None
            and len(scope.get("raw_path") or b"") + len(scope["query_string"]) > limit
        ):
            await _refuse(
                scope, receive, send, 414, f"the URL is longer than {limit} bytes"
            )
            return
        limit = self.max_header_size
        if (
            limit is not None
            and sum(len(k) + len(v) for k, v in scope["headers"]) > limit
        ):
            await _refuse(
                scope, receive, send, 431, f"the request headers exceed {limit} bytes"
            )
            return
        limit = self.max_body_size
        if limit is None:
            await self.app(scope, receive, send)
            return
        for key, value in scope["headers"]:
            if key == b"content-length" and value.isdigit() and int(value) > limit:
                # Read (and drop) what the client sends first, within reason: a client does
                # not read the answer before it has sent its body, and would see a reset.
                if int(value) <= DRAINED_FACTOR * limit:
                    await _drain(receive, DRAINED_FACTOR * limit)
                await _refuse(scope, receive, send, 413, _too_large(limit))
                return
        received = 0
        over = False

        async def limited() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    # An HTTPException: FastAPI passes it on from reading a body, and the app
                    # answers it in the shape the spec declares for 413.
                    raise HTTPException(413, _too_large(limit))
            return message

        async def draining(message: Message) -> None:
            nonlocal over
            if over and message["type"] == "http.response.start":
                over = False
                await _drain(receive, DRAINED_FACTOR * limit - received)
            await send(message)

        try:
            await self.app(scope, limited, draining)
        finally:
            if received >= RELEASE_AFTER and _MALLOC_TRIM is not None:
                _MALLOC_TRIM(0)


RELEASE_AFTER = 1024 * 1024
"""After a request with this many bytes of body, the memory the C allocator keeps free goes
back to the system (glibc's ``malloc_trim``; elsewhere nothing): glibc keeps the heap a big
body grew (its threshold for giving big blocks their own mapping rises with the biggest block
freed), so the process stayed tens of MB above its size after bursts of 10 MB bodies."""


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_MALLOC_TRIM = _malloc_trim()


DRAINED_FACTOR = 4
"""A body over the limit is still read (and dropped) up to this many times the limit before
the 413 is sent; a bigger one is answered at once and the connection closed."""


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop the rest of a request body, at most ``budget`` bytes."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        budget -= len(message.get("body", b""))


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes"


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, detail: str
) -> None:
    await JSONResponse({"detail": detail}, status, headers={"Connection": "close"})(
        scope, receive, send
    )


# -- the docs pages ------------------------------------------------------------------------------

_CDN = {
    "swagger-ui-bundle.js": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js",
    "swagger-ui.css": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css",
    "redoc.standalone.js": "https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js",
}
_CDN_ORIGIN = "https://cdn.jsdelivr.net"
DOCS_ASSETS = tuple(_CDN)
"""The files a ``docs_assets`` folder holds (from the npm packages ``swagger-ui-dist`` and
``redoc``: ``bundles/redoc.standalone.js``)."""
_ASSETS_PATH = "/docs/assets"

_SWAGGER_UI = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>$title</title>
<link rel="stylesheet" type="text/css" href="$css">
</head>
<body>
<div id="swagger-ui"></div>
<script nonce="$nonce" src="$js"></script>
<script nonce="$nonce">
window.ui = SwaggerUIBundle({
  url: $openapi_js,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  oauth2RedirectUrl: window.location.origin + $redirect_js,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
</script>
</body>
</html>
"""

_REDOC = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>$title</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
<redoc spec-url="$openapi_attr" untrusted-spec="true"></redoc>
<script nonce="$nonce" src="$js"></script>
</body>
</html>
"""


def add_docs(app: FastAPI, title: str, docs_assets: str | Path | None) -> None:
    """``/docs``, ``/docs/oauth2-redirect`` and ``/redoc`` for ``app`` (which is made without
    FastAPI's own: ``docs_url=None, redoc_url=None``); ``docs_assets``: the folder to serve
    Swagger UI and ReDoc from instead of the CDN."""
    if docs_assets is not None:
        folder = Path(docs_assets)
        missing = [name for name in DOCS_ASSETS if not (folder / name).is_file()]
        if missing:
            raise ValueError(
                f"docs_assets: {folder} lacks {', '.join(missing)} (from the npm packages "
                "swagger-ui-dist and redoc)"
            )
        app.mount(_ASSETS_PATH, StaticFiles(directory=folder), name="docs_assets")
    openapi_url = app.openapi_url or "/openapi.json"

    def asset(request: Request, name: str) -> str:
        if docs_assets is None:
            return _CDN[name]
        return _root(request) + f"{_ASSETS_PATH}/{name}"

    def page(template: str, request: Request, **assets: str) -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        root = _root(request)
        text = string.Template(template).substitute(
            title=html.escape(title),
            nonce=nonce,
            openapi_js=_js(root + openapi_url),
            openapi_attr=html.escape(root + openapi_url),
            redirect_js=_js(root + "/docs/oauth2-redirect"),
            **{k: html.escape(asset(request, v)) for k, v in assets.items()},
        )
        return HTMLResponse(text, headers=_policy(nonce, docs_assets is None))

    async def swagger_ui(request: Request) -> HTMLResponse:
        return page(
            _SWAGGER_UI, request, css="swagger-ui.css", js="swagger-ui-bundle.js"
        )

    async def redoc(request: Request) -> HTMLResponse:
        return page(_REDOC, request, js="redoc.standalone.js")

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        text = bytes(get_swagger_ui_oauth2_redirect_html().body).decode()
        text = text.replace("<script>", f'<script nonce="{nonce}">')
        return HTMLResponse(text, headers=_policy(nonce, docs_assets is None))

    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/docs/oauth2-redirect", oauth2_redirect, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)


def _root(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def _js(text: str) -> str:
    """A JavaScript string literal that cannot end the ``<script>`` element it is in."""
    return (
        json.dumps(text)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def _policy(nonce: str, cdn: bool) -> dict[str, str]:
    """The headers of a docs page: scripts only with the page's nonce, nothing framed, no
    plugins, requests only to this server; styles may be inline (ReDoc writes its own).
    """
    origin = f" {_CDN_ORIGIN}" if cdn else ""
    policy = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'{origin}; "
        f"img-src 'self' data:{origin}; font-src 'self' data:{origin}; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


class BlockingASGITransport(httpx.BaseTransport):
    """httpx's ``ASGITransport`` for a blocking ``httpx.Client``: calls an ASGI app (the
    generated server) in process, in an event loop of its own thread, so that the blocking
    ``Client`` can be tested against it as ``AsyncClient`` is with ``httpx.ASGITransport``::

        Client(http_client=httpx.Client(transport=BlockingASGITransport(create_app())))

    As with ``httpx.ASGITransport``, the app's lifespan does not run and a response (an event
    stream too) arrives when the app has sent all of it. Close the client to stop the thread.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._transport = httpx.ASGITransport(app=app)
        self._portal: anyio.from_thread.BlockingPortal | None = None
        self._portal_cm: (
            AbstractContextManager[anyio.from_thread.BlockingPortal] | None
        ) = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._portal is None:  # the thread starts with the first request
            self._portal_cm = anyio.from_thread.start_blocking_portal()
            self._portal = self._portal_cm.__enter__()
        body = request.read()
        copy = httpx.Request(
            request.method, request.url, headers=request.headers, content=body
        )
        return self._portal.call(self._send, copy)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        content = b"".join([chunk async for chunk in response.aiter_raw()])
        return httpx.Response(
            response.status_code, headers=response.headers, content=content
        )

    def close(self) -> None:
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal = self._portal_cm = None
