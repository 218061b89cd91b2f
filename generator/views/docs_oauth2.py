"""OAuth 2 in the generated docs: API.md's authentication section (each oauth2 scheme's flows,
token URLs and scopes) and each operation's scopes line; the README's setup example (the
client's ``ClientCredentials``, the server's ``token_verifier``). Markdown written out here,
spec text through escape.md_cell / md_code; nothing for an API without an oauth2 scheme."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import escape
from ..ir.model import Api, Operation, SecurityKind, SecurityScheme
from .client_credentials import credential_views


@dataclass(frozen=True, slots=True)
class OAuth2Docs:
    """What the docs say about the API's OAuth 2 schemes (empty tuples: none)."""

    api_lines: tuple[str, ...]  # API.md's "Authentication" section, Markdown lines
    client_example: tuple[str, ...]  # README: Python lines building a Client with ClientCredentials
    scoped: bool  # an operation names OAuth 2 scopes: the server checks them (token_verifier)


def _schemes(api: Api) -> list[SecurityScheme]:
    return [s for s in api.security_schemes if s.kind is SecurityKind.OAUTH2]


def oauth2_docs(api: Api, base_url: str) -> OAuth2Docs:
    """``base_url``: the README's base URL, a Python literal."""
    schemes = _schemes(api)
    lines: list[str] = []
    for s in schemes:
        lines += ["", f"### {escape.md_code(s.key)} (OAuth 2)", ""]
        if s.description:
            lines += [escape.md_cell(s.description.strip()), ""]
        lines += ["| Flow | Token URL | Refresh URL | Scopes |", "| --- | --- | --- | --- |"]
        for f in s.flows:
            urls = [escape.md_code(u) if u else "" for u in (f.token_url or f.authorization_url, f.refresh_url)]
            scopes = ", ".join(
                escape.md_code(c.name) + (f": {escape.md_cell(c.description)}" if c.description else "")
                for c in f.scopes
            )
            lines.append(f"| {f.kind.value} | {urls[0]} | {urls[1]} | {scopes} |")
    example: list[str] = []
    for view in credential_views(api.security_schemes):
        if view.oauth2 is not None:
            example = [
                f"client = Client(base_url={base_url}, {view.argument}=ClientCredentials(",
                '    client_id="...", client_secret="...", scopes=[...],  # the scopes to ask for',
                "))",
            ]
            break
    scoped = any(
        s.key in r.schemes and any(r.scopes_of(s.key)) for op in api.operations for r in op.security for s in schemes
    )
    return OAuth2Docs(tuple(lines), tuple(example), scoped)


def operation_scopes(api: Api, op: Operation) -> str | None:
    """API.md's line on what an operation's OAuth 2 requirements need, None when it has none."""
    tokens = {s.key for s in _schemes(api)}
    if not any(k in tokens for r in op.security for k in r.schemes):
        return None
    alternatives = []
    for r in op.security:
        parts = []
        for key in r.schemes:
            scopes = r.scopes_of(key) if key in tokens else ()
            named = escape.md_code(key)
            parts.append(f"{named} with {', '.join(escape.md_code(c) for c in scopes)}" if scopes else named)
        alternatives.append(" and ".join(parts) or "no credentials")
    return "Authorization: " + " or ".join(alternatives) + "."
