"""OAuth 2 on the server: the bearer token checked by a verifier of yours, the scopes each
operation's security requirement names checked against the scopes the token grants.

``create_app(token_verifier=...)`` takes a function (or coroutine function) of the token that
returns the scopes it grants, or None when the token is not valid (unknown, expired, revoked).
For each request to an operation with security requirements, the alternatives are tried in
the spec's order (OR; the schemes of one alternative together: AND); an alternative is met
when every scheme's credential is there and each OAuth 2 token is valid and grants every
scope the alternative names for it. Then the handler gets ``credentials.scopes``: the scopes
the tokens of that alternative grant. Otherwise the answer is (RFC 6750 section 3):

* 401 with ``WWW-Authenticate: Bearer error="invalid_token"`` when a token is not valid, or
  with the schemes' challenges (no error code) when credentials are missing;
* 403 with ``WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`` when the
  token is valid but lacks scopes; the body names the missing ones.

Without a verifier (mock mode, or a server whose handlers check tokens themselves) any token
is valid and grants every scope the operation asks for: the server behaves as before it knew
scopes, and ``credentials.scopes`` holds the operation's scopes. The mock server (no handlers,
no verifier) also answers at the spec's token and refresh URLs that are on this server
(:func:`serve_mock_tokens`), so that a client with ``ClientCredentials`` works against it.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TypeVar
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

__all__ = ["TokenVerifier", "authorize", "serve_mock_tokens", "verify_tokens_with"]

TokenVerifier = Callable[
    [str], "Iterable[str] | Awaitable[Iterable[str] | None] | None"
]
"""A token -> the scopes it grants (an iterable of names), or None: not a valid token."""

_C = TypeVar("_C")
# RFC 6750 section 3: the characters of a scope in the WWW-Authenticate header; a scope with
# others (a quote, a space, a control character) is named in the body only.
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def verify_tokens_with(app: FastAPI, verifier: TokenVerifier | None) -> None:
    """Make ``app`` check OAuth 2 tokens with ``verifier`` (None: every token is valid)."""
    if verifier is not None and not callable(verifier):
        raise TypeError(
            f"token_verifier must be callable, not {type(verifier).__name__}"
        )
    app.state.token_verifier = verifier


async def _granted(
    request: Request, token: str, cache: dict[str, frozenset[str] | None]
) -> frozenset[str] | None:
    """The scopes ``token`` grants (None: not valid), asked once per request."""
    if token in cache:
        return cache[token]
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        return _EVERY_SCOPE
    answer = verifier(token)
    if inspect.isawaitable(answer):
        answer = await answer
    if isinstance(
        answer, str
    ):  # one scope, or a space-separated list as in a token answer
        answer = answer.split()
    scopes = None if answer is None else frozenset(answer)
    cache[token] = scopes
    return scopes


class _Every(frozenset[str]):
    """The scopes of a token no verifier checked: every scope there is."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY_SCOPE = _Every()


async def authorize(
    request: Request,
    credentials: _C,
    requirements: Sequence[Mapping[str, Sequence[str]]],
    oauth2: Sequence[str],
    challenge: str,
) -> _C:
    """``credentials`` with the granted ``scopes`` if they meet one of ``requirements``
    (scheme -> scopes it needs; ``oauth2``: the schemes whose credential is a token to
    verify), else 401 or 403 (see the module's docstring)."""
    cache: dict[str, frozenset[str] | None] = {}
    invalid = False
    lacking: list[tuple[list[str], list[str]]] = []  # (scopes needed, missing)
    for requirement in requirements:
        values = {name: getattr(credentials, name) for name in requirement}
        if any(value is None for value in values.values()):
            continue
        granted: set[str] = set()
        needed: list[str] = []
        missing: list[str] = []
        valid = True
        for name in requirement:
            if name not in oauth2:
                continue
            scopes = await _granted(request, values[name], cache)
            if scopes is None:
                valid = False
                break
            wanted = requirement[name]
            needed += wanted
            missing += [s for s in wanted if s not in scopes]
            granted |= set(wanted) if isinstance(scopes, _Every) else scopes
        if not valid:
            invalid = True
        elif missing:
            lacking.append((needed, missing))
        else:
            return dataclasses.replace(credentials, scopes=frozenset(granted))  # type: ignore[type-var]
    if lacking:
        needed, missing = lacking[0]
        scope = " ".join(s for s in dict.fromkeys(needed) if _SCOPE_TOKEN.fullmatch(s))
        raise HTTPException(
            403,
            f"insufficient_scope: the token lacks the scope(s) {' '.join(missing)}",
            headers={
                "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'
            },
        )
    if invalid:
        raise HTTPException(
            401,
            "invalid_token: the access token is not valid",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    raise HTTPException(
        401, "Not authenticated", headers={"WWW-Authenticate": challenge}
    )


# -- the mock token endpoint ------------------------------------------------------------------


MOCK_TOKEN_LIFETIME = 3600
"""Seconds the mock token endpoint's tokens last (``expires_in``)."""


def serve_mock_tokens(app: FastAPI, paths: Sequence[str]) -> None:
    """Answer POSTs to ``paths`` (the spec's token and refresh URLs on this server) as an
    OAuth 2 token endpoint would (RFC 6749 sections 4.4 and 6), with a new random token for
    any client: for a front end developed against the mock server, which takes any token.
    """
    for path in paths:
        app.add_api_route(path, _mock_token, methods=["POST"], include_in_schema=False)


async def _mock_token(request: Request) -> JSONResponse:
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    grant = form.get("grant_type")
    if grant not in ("client_credentials", "refresh_token"):
        return JSONResponse(
            {
                "error": "unsupported_grant_type",
                "error_description": "the mock server gives client_credentials and "
                "refresh_token grants",
            },
            status_code=400,
        )
    body = {
        "access_token": secrets.token_urlsafe(24),
        "token_type": "Bearer",
        "expires_in": MOCK_TOKEN_LIFETIME,
        "refresh_token": secrets.token_urlsafe(24),
    }
    if "scope" in form:
        body["scope"] = form["scope"]
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
