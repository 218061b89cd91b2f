"""OAuth 2 in the IR: a scheme's ``flows`` (token, authorization and refresh URLs, scopes) and
the scopes a security requirement names, read from the spec into typed records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import OAuthFlow, OAuthFlowKind, OAuthScope, SecurityRequirement


def _url(value: Any) -> str | None:
    """A URL of the spec, None when there is none or it cannot be one (a space, a control
    character: httpx would refuse it when the client is made)."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    return None if any(c.isspace() or not c.isprintable() for c in url) else url


def oauth_flows(raw: Any) -> tuple[OAuthFlow, ...]:
    """The flows of an oauth2 scheme's ``flows`` object, in OAuthFlowKind's order; a flow that
    is not an object is left out, a scope whose description is not text gets an empty one."""
    if not isinstance(raw, Mapping):
        return ()
    out = []
    for kind in OAuthFlowKind:
        flow = raw.get(kind.value)
        if not isinstance(flow, Mapping):
            continue
        scopes = flow.get("scopes")
        out.append(
            OAuthFlow(
                kind,
                None if kind is OAuthFlowKind.IMPLICIT else _url(flow.get("tokenUrl")),
                _url(flow.get("authorizationUrl")),
                _url(flow.get("refreshUrl")),
                tuple(
                    OAuthScope(name, text if isinstance(text, str) else "")
                    for name, text in sorted(scopes.items())
                    if isinstance(name, str)
                )
                if isinstance(scopes, Mapping)
                else (),
            )
        )
    return tuple(out)


def requirement(raw: Mapping[Any, Any]) -> SecurityRequirement:
    """One Security Requirement Object: its schemes (sorted) and the scopes each one names."""
    schemes = tuple(sorted(k for k in raw if isinstance(k, str)))
    scopes = tuple(
        tuple(dict.fromkeys(s for s in raw[k] if isinstance(s, str))) if isinstance(raw[k], list) else ()
        for k in schemes
    )
    return SecurityRequirement(schemes, scopes)
