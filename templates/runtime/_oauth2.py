"""OAuth 2 client credentials (RFC 6749 section 4.4): the client fetches its own access tokens.

Given ``ClientCredentials`` for a scheme whose spec declares a ``clientCredentials`` flow, the
client POSTs to the flow's ``tokenUrl`` (resolved against the client's ``base_url`` when
relative) and sends the token as ``Authorization: Bearer ...``. The token is kept until
shortly before its ``expires_in`` (a tenth of it, at most 30 s); then it is refreshed with the
``refresh_token`` grant (section 6) when the token answer gave a refresh token (at the flow's
``refreshUrl``, else its ``tokenUrl``), or fetched again when there is none or the refresh
fails. A request answered 401 is sent once more with a new token. One fetch serves every
thread (``Client``) or task (``AsyncClient``) waiting for a token: the requests go through
the client's own connection pool (``http_client``), as httpx's authentication flows do.

The client authenticates to the token endpoint with HTTP Basic (``client_secret_basic``, the
RFC's default), or in the form body (``client_secret_post``). A token endpoint that refuses
raises :class:`OAuth2TokenError` (an ``AuthenticationError``) with the endpoint's ``error``
and ``error_description``. The client secret and the tokens never show in a ``repr``, a
message or a log line; the token is never sent to another origin than ``base_url``'s.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
import time
from collections.abc import AsyncGenerator, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote_plus

import httpx

from ._auth import Bearer, Credential, RequestParts
from .errors import AuthenticationError

__all__ = ["ClientCredentials", "OAuth2TokenError", "TokenAuthMethod"]

TokenAuthMethod = Literal["client_secret_basic", "client_secret_post"]
EXPIRY_MARGIN = 30.0
"""A token is renewed this many seconds before it expires (at most: a tenth of its life)."""

log = logging.getLogger(__name__)

_Flow = Generator[httpx.Request, httpx.Response, "_Token"]


@dataclass(frozen=True)
class ClientCredentials:
    """The client's credentials for an OAuth 2 ``clientCredentials`` flow.

    ``scopes``: the scopes to ask for (none: the token endpoint's default). ``token_url``
    replaces the spec's ``tokenUrl``. ``auth_method``: how the client authenticates to the
    token endpoint: ``"client_secret_basic"`` (HTTP Basic) or ``"client_secret_post"`` (in the
    form body). ``extra``: more form fields of the token request (``audience``, ...).
    """

    client_id: str
    client_secret: str = field(repr=False)
    scopes: Sequence[str] = ()
    token_url: str | None = None
    auth_method: TokenAuthMethod = "client_secret_basic"
    extra: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"ClientCredentials(client_id={self.client_id!r}, client_secret=<hidden>, "
            f"scopes={tuple(self.scopes)!r})"
        )


class OAuth2TokenError(AuthenticationError):
    """The token endpoint refused to give a token (or answered something that is none).

    ``error`` and ``error_description`` are the endpoint's (RFC 6749 section 5.2), when it
    sent them. ``response`` is the token endpoint's answer.
    """

    error: str | None
    error_description: str | None

    def __init__(
        self, response: httpx.Response, body: object, reason: str, secret: str
    ) -> None:
        super().__init__(response, body)
        fields = body if isinstance(body, Mapping) else {}
        self.error = _text(fields.get("error"), secret)
        self.error_description = _text(fields.get("error_description"), secret)
        url = response.request.url.copy_with(query=None, fragment=None)
        detail = ": ".join(t for t in (self.error, self.error_description) if t)
        self.args = (
            f"OAuth 2 token request to {url} failed ({response.status_code}, {reason})"
            + (f": {detail}" if detail else ""),
        )


def _text(value: object, secret: str) -> str | None:
    """A field of the token endpoint's answer, the client secret never quoted."""
    if not isinstance(value, str):
        return None
    return value.replace(secret, "<hidden>") if secret else value


@dataclass(frozen=True)
class _Token:
    access: str = field(repr=False)
    refresh: str | None = field(repr=False)
    renew_at: float | None  # time.monotonic(); None: until a 401

    def fresh(self) -> bool:
        return self.renew_at is None or time.monotonic() < self.renew_at


class OAuth2(Credential, httpx.Auth):
    """An access token fetched with the client credentials grant, kept and renewed."""

    def __init__(
        self,
        credentials: ClientCredentials,
        base_url: str | httpx.URL,
        *,
        token_url: str,
        refresh_url: str | None,
    ) -> None:
        base = httpx.URL(str(base_url).rstrip("/") + "/")
        self._origin = (base.scheme, base.host, base.port)
        self._credentials = credentials
        self._token_url = base.join(credentials.token_url or token_url)
        self._refresh_url = base.join(refresh_url) if refresh_url else self._token_url
        self._token: _Token | None = None
        self._lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None

    def apply(self, parts: RequestParts) -> None:
        """Nothing: the token is added when the request is sent (:meth:`sync_auth_flow`)."""

    # -- httpx's authentication flow ------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        if not self._ours(request):
            yield request
            return
        rejected = None
        for _ in range(2):  # once more after a 401, with a new token
            with self._lock:
                token = yield from self._sync_drive(self._current(rejected))
            response = yield self._authorized(request, token)
            if response.status_code != 401:
                return
            rejected = token

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not self._ours(request):
            yield request
            return
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        rejected = None
        for _ in range(2):  # once more after a 401, with a new token
            async with self._async_lock:  # the other tasks wait for this one's token
                flow = self._current(rejected)
                try:
                    token_request = next(flow)
                    while True:
                        answer = yield token_request
                        await answer.aread()
                        token_request = flow.send(answer)
                except StopIteration as done:
                    token: _Token = done.value
            response = yield self._authorized(request, token)
            if response.status_code != 401:
                return
            rejected = token

    @staticmethod
    def _sync_drive(flow: _Flow) -> _Flow:
        """``flow``, each token endpoint answer read before it gets it."""
        try:
            token_request = next(flow)
            while True:
                response = yield token_request
                response.read()
                token_request = flow.send(response)
        except StopIteration as done:
            token: _Token = done.value
            return token

    def _ours(self, request: httpx.Request) -> bool:
        """Whether the request goes to ``base_url``'s origin (a redirect may leave it)."""
        return (request.url.scheme, request.url.host, request.url.port) == self._origin

    @staticmethod
    def _authorized(request: httpx.Request, token: _Token) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {token.access}"
        return request

    # -- the token --------------------------------------------------------------------------

    def _current(self, rejected: _Token | None = None) -> _Flow:
        """The token to send (the lock held): the kept one while fresh and not ``rejected``,
        else a refreshed one, else a new one."""
        token = self._token
        if token is not None and token is not rejected and token.fresh():
            return token
        if token is not None and token.refresh is not None:
            form = {"grant_type": "refresh_token", "refresh_token": token.refresh}
            response = yield self._token_request(self._refresh_url, form)
            refreshed = self._answer(response, token.refresh, fail=False)
            if refreshed is not None:
                self._token = refreshed
                return refreshed
            log.info("OAuth 2: refreshing the token failed; fetching a new one")
        form = {"grant_type": "client_credentials"}
        if self._credentials.scopes:
            form["scope"] = " ".join(self._credentials.scopes)
        response = yield self._token_request(self._token_url, form)
        fetched = self._answer(response, None, fail=True)
        assert fetched is not None
        self._token = fetched
        return fetched

    def _token_request(self, url: httpx.URL, form: dict[str, str]) -> httpx.Request:
        c = self._credentials
        headers = {"Accept": "application/json"}
        form = {**c.extra, **form}
        if c.auth_method == "client_secret_post":
            form.update(client_id=c.client_id, client_secret=c.client_secret)
        else:  # RFC 6749 section 2.3.1: both form-encoded, then Basic
            pair = f"{quote_plus(c.client_id)}:{quote_plus(c.client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(
                pair.encode()
            ).decode("ascii")
        return httpx.Request("POST", url, data=form, headers=headers)

    def _answer(
        self, response: httpx.Response, refresh: str | None, *, fail: bool
    ) -> _Token | None:
        """The token in the endpoint's answer; None (or OAuth2TokenError when ``fail``) if none."""
        try:
            body: object = response.json()
        except ValueError:
            body = response.text
        fields = body if isinstance(body, Mapping) else {}
        access, life = fields.get("access_token"), fields.get("expires_in")
        if not response.is_success or not isinstance(access, str) or not access:
            if not fail:
                return None
            reason = "refused" if not response.is_success else "no access_token"
            raise OAuth2TokenError(
                response, body, reason, self._credentials.client_secret
            )
        try:
            seconds = float(life) if life is not None else None
        except (TypeError, ValueError):
            seconds = None
        renew_at = None
        if seconds is not None:
            renew_at = time.monotonic() + seconds - min(EXPIRY_MARGIN, seconds / 10)
        new_refresh = fields.get("refresh_token")
        log.debug(
            "OAuth 2: new access token from %s (expires in %s s)",
            response.request.url.copy_with(query=None),
            seconds,
        )
        return _Token(
            access,
            new_refresh if isinstance(new_refresh, str) and new_refresh else refresh,
            renew_at,
        )


def oauth2_credential(
    value: str | ClientCredentials,
    base_url: str | httpx.URL,
    *,
    token_url: str,
    refresh_url: str | None,
) -> Credential:
    """A scheme's credential: a token (a string, sent as it is) or client credentials."""
    if isinstance(value, str):
        return Bearer(value)
    return OAuth2(value, base_url, token_url=token_url, refresh_url=refresh_url)
