"""Credentials for the spec's security schemes; their repr never shows the secret.

httpx logs every request's URL at INFO level: :func:`hide_in_logs` makes that log line hide
the user info of URLs and the values of query parameters that carry an API key.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
from httpx._client import UseClientDefault

from ._spec import Location


@dataclass(frozen=True)
class RequestParts:
    """The parts of a request that credentials add to."""

    headers: httpx.Headers
    query: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)


class Credential:
    """A secret for one security scheme."""

    def apply(self, parts: RequestParts) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<hidden>)"


class ApiKey(Credential):
    """An API key sent in a header, a query parameter or a cookie."""

    def __init__(self, location: Location, name: str, key: str) -> None:
        self._location, self._name, self._key = location, name, key
        if location == "query":
            hide_in_logs(name)

    def apply(self, parts: RequestParts) -> None:
        if self._location == "query":
            parts.query.append((self._name, self._key))
        elif self._location == "cookie":
            parts.cookies.append(f"{self._name}={self._key}")
        else:
            parts.headers[self._name] = self._key


class Bearer(Credential):
    """A token sent as ``Authorization: Bearer <token>`` (HTTP bearer, OAuth 2, OpenID Connect)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def apply(self, parts: RequestParts) -> None:
        parts.headers["Authorization"] = f"Bearer {self._token}"


class Basic(Credential):
    """A user name and password sent as ``Authorization: Basic ...``."""

    def __init__(self, credentials: tuple[str, str]) -> None:
        username, password = credentials
        self._token = base64.b64encode(f"{username}:{password}".encode()).decode(
            "ascii"
        )

    def apply(self, parts: RequestParts) -> None:
        parts.headers["Authorization"] = f"Basic {self._token}"


def choose(
    credentials: dict[str, Credential], security: tuple[tuple[str, ...], ...]
) -> list[Credential]:
    """The credentials for one operation: the first alternative all of whose schemes are set.

    An operation without security requirements gets none; an alternative that needs no scheme
    counts only when no other alternative can be met.
    """
    for schemes in sorted(security, key=lambda s: not s):
        if all(name in credentials for name in schemes):
            return [credentials[name] for name in schemes]
    return []


def request_auth(
    credentials: dict[str, Credential], security: tuple[tuple[str, ...], ...]
) -> httpx.Auth | UseClientDefault:
    """The httpx authentication flow of the credential chosen for an operation (an OAuth 2
    token provider adds its token as the request is sent), else the ``http_client``'s own.
    """
    if credentials and security:
        for credential in choose(credentials, security):
            if isinstance(credential, httpx.Auth):
                return credential
    return httpx.USE_CLIENT_DEFAULT


class _Redactor(logging.Filter):
    """Rewrites the arguments of httpx's log records: URL user info and secret query values."""

    _USERINFO = re.compile(r"(//)[^/@\s]+@")

    def __init__(self) -> None:
        super().__init__()
        self._names: set[str] = set()
        self._query: re.Pattern[str] | None = None

    def add(self, name: str) -> None:
        self._names.add(quote(name, safe=""))
        names = "|".join(re.escape(n) for n in sorted(self._names))
        self._query = re.compile(rf"([?&](?:{names})=)[^&#\s]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._hide(a) for a in record.args)
        return True

    def _hide(self, arg: object) -> object:
        if not isinstance(arg, (str, httpx.URL)):
            return arg
        text = self._USERINFO.sub(r"\1<hidden>@", str(arg))
        return self._query.sub(r"\1<hidden>", text) if self._query else text


_REDACTOR = _Redactor()
logging.getLogger("httpx").addFilter(_REDACTOR)


def hide_in_logs(query_name: str) -> None:
    """Hide the value of query parameter ``query_name`` in httpx's request log."""
    _REDACTOR.add(query_name)
