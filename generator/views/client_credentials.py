"""The security arguments of the generated client's constructors: one per supported security
scheme, named clear of the constructor's own arguments, with the credential class of ``_auth``
(or ``_oauth2``'s token provider for a clientCredentials flow) that each becomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..core import naming
from ..core.escape import str_literal
from ..ir.model import SecurityKind, SecurityScheme

# Keyword arguments of the Client constructors; security scheme arguments must avoid them.
CONSTRUCTOR_ARGUMENTS = (
    "self",
    "base_url",
    "headers",
    "timeout",
    "max_retries",
    "strict_responses",
    "http_client",
)

# Security scheme kind -> (credential class in _auth, argument annotation, what to pass).
_CREDENTIALS = {
    SecurityKind.API_KEY: ("ApiKey", "str | None", "the API key"),
    SecurityKind.HTTP_BEARER: ("Bearer", "str | None", "the bearer token"),
    SecurityKind.OAUTH2: ("Bearer", "str | None", "an OAuth 2 access token, sent as a bearer token"),
    SecurityKind.OPENID_CONNECT: ("Bearer", "str | None", "an OpenID Connect token, sent as a bearer token"),
    SecurityKind.HTTP_BASIC: ("Basic", "tuple[str, str] | None", "``(username, password)``"),
}


@dataclass(frozen=True, slots=True)
class CredentialView:
    key: str  # name under components/securitySchemes
    argument: str
    annotation: str
    credential: str  # class in _auth
    credential_args: tuple[str, ...]  # spec strings passed before the secret
    doc: str
    # An oauth2 scheme with a clientCredentials flow: (tokenUrl, refreshUrl) from the spec; the
    # argument takes a token or ClientCredentials (``_oauth2``).
    oauth2: tuple[str, str | None] | None = None

    @property
    def credential_import(self) -> tuple[str, str]:
        return ("._oauth2", self.credential) if self.oauth2 else ("._auth", self.credential)

    @property
    def entry(self) -> str:
        """The scheme's entry in the constructor's ``credentials={...}``, spec strings through
        str_literal."""
        if self.oauth2 is not None:
            token_url, refresh_url = self.oauth2
            refresh = "None" if refresh_url is None else str_literal(refresh_url)
            args = f"{self.argument}, base_url, token_url={str_literal(token_url)}, refresh_url={refresh}"
            return f"{str_literal(self.key)}: None if {self.argument} is None else {self.credential}({args}),"
        args = "".join(f"{str_literal(a)}, " for a in self.credential_args)
        return f"{str_literal(self.key)}: None if {self.argument} is None else {self.credential}({args}{self.argument}),"


def credential_views(schemes: Iterable[SecurityScheme]) -> tuple[CredentialView, ...]:
    supported = [s for s in schemes if s.kind in _CREDENTIALS]
    names = naming.dedupe((s.python_name for s in supported), CONSTRUCTOR_ARGUMENTS)
    views = []
    for scheme, argument in zip(supported, names, strict=True):
        credential, annotation, what = _CREDENTIALS[scheme.kind]
        args: tuple[str, ...] = ()
        if scheme.kind is SecurityKind.API_KEY and scheme.location and scheme.param_name:
            args = (scheme.location.value, scheme.param_name)
            what = f"{what}, sent as the {scheme.location.value} {scheme.param_name!r}"
        oauth2 = None
        if (flow := scheme.client_credentials) is not None and flow.token_url:
            credential, annotation, oauth2 = "oauth2_credential", "str | ClientCredentials | None", (
                flow.token_url,
                flow.refresh_url,
            )
            what = "an OAuth 2 access token, or ``ClientCredentials`` to fetch tokens from " + repr(flow.token_url)
        doc = f"{what} ({scheme.key!r})."
        if scheme.description:
            doc += " " + scheme.description.strip()
        views.append(CredentialView(scheme.key, argument, annotation, credential, args, doc, oauth2))
    return tuple(views)


__all__ = ["CONSTRUCTOR_ARGUMENTS", "CredentialView", "credential_views"]
