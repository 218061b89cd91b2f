"""OAuth 2 flows (issue 15 item 5), end to end over real HTTP: the generated client fetches its
tokens from a clientCredentials flow's token endpoint (tests/data/client/oauth2.yaml), keeps,
refreshes and renews them, and the generated server checks each operation's scopes with a
token verifier and hands the granted scopes to the handler."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import Request
from fastapi.responses import JSONResponse

from .conftest import mypy_strict_targets, serve_over_http
from .conftest_client import DATA, generate_files, install, package_dir, packages_root, spec_package

SPEC = DATA / "oauth2.yaml"
SECRET = "s3cr3t-Never-Shown"
READ, WRITE = "items:read", "items:write"


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "oauth_flows", generate_files(SPEC, "oauth_flows"))


@dataclass
class TokenEndpoint:
    """The token endpoint (``/oauth/token``, ``/oauth/refresh``) and the API's token store."""

    expires_in: int | None = 3600
    refresh_tokens: bool = True
    refuse: dict[str, str] | None = None  # an error answer (RFC 6749 section 5.2)
    refuse_refresh: bool = False
    delay: float = 0.0  # seconds before answering: concurrent callers overlap
    valid: bool = True  # False: the API takes no token
    requests: list[tuple[str, dict[str, str], str | None]] = field(default_factory=list)
    grants: dict[str, list[str]] = field(default_factory=dict)  # token -> scopes

    async def answer(self, request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode()))
        self.requests.append((request.url.path, form, request.headers.get("authorization")))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse is not None:
            return JSONResponse(self.refuse, status_code=401)
        if form["grant_type"] == "refresh_token" and self.refuse_refresh:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        n = len(self.requests)
        token = f"access-{n}-Never-Shown"
        self.grants[token] = form.get("scope", READ).split()
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.refresh_tokens:
            body["refresh_token"] = f"refresh-{n}-Never-Shown"
        return JSONResponse(body)

    def verify(self, token: str) -> list[str] | None:
        return self.grants.get(token) if self.valid else None

    @property
    def grant_types(self) -> list[str]:
        return [form["grant_type"] for _, form, _ in self.requests]


@dataclass
class World:
    url: str  # the client's base URL (the server's, under the spec's /v1)
    tokens: TokenEndpoint
    scopes_seen: list[frozenset[str]]  # credentials.scopes, as the handler got them


@pytest.fixture()
def world(pkg: ModuleType) -> Iterator[World]:
    """The package's server with handlers and the token verifier, plus the token endpoint."""
    server = importlib.import_module(f"{pkg.__name__}.server")
    tokens = TokenEndpoint()
    seen: list[frozenset[str]] = []

    class Items(server.Handlers):  # type: ignore[misc, name-defined]
        async def list_items(self, *, credentials: Any) -> Any:
            seen.append(credentials.scopes)
            return [{"id": 1, "name": "one"}]

        async def create_item(self, *, body: Any, credentials: Any) -> Any:
            seen.append(credentials.scopes)
            return body

    app = server.create_app(Items(), token_verifier=tokens.verify)
    app.add_api_route("/oauth/token", tokens.answer, methods=["POST"])
    app.add_api_route("/oauth/refresh", tokens.answer, methods=["POST"])
    with serve_over_http(app) as url:
        yield World(url + "/v1", tokens, seen)


def credentials(pkg: ModuleType, **options: Any) -> Any:
    options.setdefault("scopes", [READ])
    return pkg.ClientCredentials(client_id="app-1", client_secret=SECRET, **options)


# -- the client: fetch, keep, refresh, renew ----------------------------------------------------


def test_a_token_is_fetched_once_with_basic_client_auth_and_kept_for_every_call(pkg: ModuleType, world: World) -> None:
    with pkg.Client(base_url=world.url, oauth=credentials(pkg), max_retries=0) as client:
        for _ in range(5):
            assert client.items.list_items()[0].name == "one"
        client.health()  # an operation without security: no token needed
    assert len(world.tokens.requests) == 1
    path, form, authorization = world.tokens.requests[0]
    assert path == "/oauth/token"  # the spec's relative tokenUrl, against the server's origin
    assert form == {"grant_type": "client_credentials", "scope": READ}
    assert authorization == "Basic " + base64.b64encode(f"app-1:{SECRET}".encode()).decode()
    assert world.scopes_seen == [frozenset({READ})] * 5


def test_client_secret_post_sends_the_credentials_in_the_form(pkg: ModuleType, world: World) -> None:
    oauth = credentials(pkg, auth_method="client_secret_post", extra={"audience": "items"})
    with pkg.Client(base_url=world.url, oauth=oauth, max_retries=0) as client:
        client.items.list_items()
    _, form, authorization = world.tokens.requests[0]
    assert authorization is None
    assert form == {"grant_type": "client_credentials", "scope": READ, "client_id": "app-1",
                    "client_secret": SECRET, "audience": "items"}


def test_an_expired_token_is_refreshed_at_the_refresh_url_then_fetched_again_if_refused(
    pkg: ModuleType, world: World
) -> None:
    world.tokens.expires_in = 0  # expired as soon as received: each call renews it
    with pkg.Client(base_url=world.url, oauth=credentials(pkg), max_retries=0) as client:
        client.items.list_items()
        client.items.list_items()
        assert world.tokens.requests[1][0] == "/oauth/refresh"  # the flow's refreshUrl
        assert world.tokens.requests[1][1] == {"grant_type": "refresh_token", "refresh_token": "refresh-1-Never-Shown"}
        world.tokens.refuse_refresh = True
        client.items.list_items()
    assert world.tokens.grant_types == ["client_credentials", "refresh_token", "refresh_token", "client_credentials"]
    assert len(world.scopes_seen) == 3


def test_a_token_without_expiry_or_refresh_token_is_kept_until_a_401_then_fetched_anew(
    pkg: ModuleType, world: World
) -> None:
    world.tokens.expires_in, world.tokens.refresh_tokens = None, False
    with pkg.Client(base_url=world.url, oauth=credentials(pkg), max_retries=0) as client:
        client.items.list_items()
        world.tokens.grants.clear()  # the API revokes every token: the next call gets 401
        client.items.list_items()  # retried once with a new token
        client.items.list_items()
    assert world.tokens.grant_types == ["client_credentials", "client_credentials"]
    assert len(world.scopes_seen) == 3  # the 401 never reached the handler


def test_a_401_is_retried_once_only(pkg: ModuleType, world: World) -> None:
    world.tokens.valid = False
    world.tokens.refresh_tokens = False
    sent: list[str] = []

    def count(request: Any) -> None:
        if request.url.path.startswith("/v1/"):  # the API's requests, not the token's
            sent.append(request.headers["authorization"])

    with (
        httpx.Client(event_hooks={"request": [count]}) as http,
        pkg.Client(base_url=world.url, oauth=credentials(pkg), max_retries=0, http_client=http) as client,
        pytest.raises(pkg.AuthenticationError) as caught,
    ):
        client.items.list_items()
    assert caught.value.status_code == 401
    assert caught.value.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert sent == ["Bearer access-1-Never-Shown", "Bearer access-2-Never-Shown"]


def test_concurrent_tasks_wait_for_one_fetch(pkg: ModuleType, world: World) -> None:
    world.tokens.delay = 0.2

    async def main() -> None:
        async with pkg.AsyncClient(base_url=world.url, oauth=credentials(pkg), max_retries=0) as client:
            answers = await asyncio.gather(*(client.items.list_items() for _ in range(20)))
            assert all(a[0].name == "one" for a in answers)
            world.tokens.grants.clear()  # revoked: the async flow's 401 retry too
            assert (await client.items.list_items())[0].id == 1

    asyncio.run(main())
    assert world.tokens.grant_types == ["client_credentials", "refresh_token"]
    assert len(world.scopes_seen) == 21


def test_concurrent_threads_wait_for_one_fetch(pkg: ModuleType, world: World) -> None:
    world.tokens.delay = 0.2
    with (
        pkg.Client(base_url=world.url, oauth=credentials(pkg), max_retries=0) as client,
        ThreadPoolExecutor(8) as pool,
    ):
        answers = list(pool.map(lambda _: client.items.list_items(), range(16)))
    assert len(answers) == 16
    assert len(world.tokens.requests) == 1


def test_a_static_token_still_works(pkg: ModuleType, world: World) -> None:
    world.tokens.grants["static-token"] = [READ]
    with pkg.Client(base_url=world.url, oauth="static-token", max_retries=0) as client:
        assert client.items.list_items()[0].id == 1
    assert world.tokens.requests == []


def test_a_refusing_token_endpoint_raises_a_typed_error_without_the_secret(
    pkg: ModuleType, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.tokens.refuse = {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}
    caplog.set_level(logging.DEBUG)
    oauth = credentials(pkg)
    with pkg.Client(base_url=world.url, oauth=oauth, max_retries=0) as client:
        with pytest.raises(pkg.OAuth2TokenError) as caught:
            client.items.list_items()
        shown = [repr(oauth), str(oauth), repr(client), repr(client._credentials), str(caught.value),
                 repr(caught.value), caplog.text]
    error = caught.value
    assert isinstance(error, pkg.AuthenticationError) and isinstance(error, pkg.ApiError)
    assert error.error == "invalid_client"
    assert error.error_description == "bad secret <hidden>"
    assert "invalid_client" in str(error) and "/oauth/token" in str(error)
    assert "app-1" in repr(oauth) and "<hidden>" in repr(oauth)
    for text in shown:
        assert SECRET not in text


def test_secrets_and_tokens_never_show_in_reprs_or_logs(
    pkg: ModuleType, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world.tokens.expires_in = 0  # a refresh too
    with pkg.Client(base_url=world.url, oauth=credentials(pkg), max_retries=0) as client:
        client.items.list_items()
        client.items.list_items()
        provider = client._credentials["oauth"]
        shown = [repr(client), repr(client._credentials), repr(provider), repr(provider._token), str(provider)]
    assert "OAuth 2: new access token" in caplog.text  # the module does log
    for text in [*shown, caplog.text]:
        assert SECRET not in text
        assert "Never-Shown" not in text  # the access and refresh tokens


def test_the_token_goes_to_no_other_origin(pkg: ModuleType, world: World) -> None:
    provider = pkg.Client(base_url=world.url, oauth=credentials(pkg))._credentials["oauth"]
    flow = provider.sync_auth_flow(httpx.Request("GET", "http://elsewhere.test/v1/items"))
    request = next(flow)
    assert "authorization" not in request.headers  # a redirect off the origin: no token fetched
    assert world.tokens.requests == []


# -- the server: scopes --------------------------------------------------------------------------


def test_a_missing_scope_is_403_naming_it_and_another_alternative_still_serves(
    pkg: ModuleType, world: World
) -> None:
    with (
        pkg.Client(base_url=world.url, oauth=credentials(pkg), max_retries=0) as client,
        pytest.raises(pkg.PermissionDeniedError) as caught,
    ):
        client.items.create_item(body={"id": 2, "name": "two"})
    assert caught.value.status_code == 403
    assert caught.value.headers["www-authenticate"] == f'Bearer error="insufficient_scope", scope="{READ} {WRITE}"'
    assert WRITE in caught.value.response.text and "insufficient_scope" in caught.value.response.text
    with pkg.Client(base_url=world.url, api_key="key", max_retries=0) as client:  # {apiKey: []} OR
        assert client.items.create_item(body={"id": 2, "name": "two"}).id == 2
    with pkg.Client(base_url=world.url, oauth=credentials(pkg, scopes=[READ, WRITE]), max_retries=0) as client:
        assert client.items.create_item(body={"id": 3, "name": "three"}).id == 3
    assert world.scopes_seen == [frozenset(), frozenset({READ, WRITE})]  # api key: no token scopes


def test_missing_or_invalid_tokens_are_401(pkg: ModuleType, world: World) -> None:
    with pkg.Client(base_url=world.url, max_retries=0) as client, pytest.raises(pkg.AuthenticationError) as missing:
        client.items.list_items()
    assert missing.value.headers["www-authenticate"] == "Bearer"  # RFC 6750 3.1: no error code
    with (
        pkg.Client(base_url=world.url, oauth="forged", max_retries=0) as client,
        pytest.raises(pkg.AuthenticationError) as invalid,
    ):
        client.items.list_items()
    assert invalid.value.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert world.scopes_seen == []


def test_an_async_verifier_and_the_mock_default(pkg: ModuleType) -> None:
    server = importlib.import_module(f"{pkg.__name__}.server")

    async def verify(token: str) -> list[str] | None:
        return [READ] if token == "good" else None

    with (
        serve_over_http(server.create_app(token_verifier=verify)) as url,
        pkg.Client(base_url=url + "/v1", oauth="good", max_retries=0) as client,
    ):
        assert isinstance(client.items.list_items(), list)
        with pytest.raises(pkg.PermissionDeniedError):
            client.items.create_item(body={"id": 1, "name": "x"})
    with serve_over_http(server.app) as url:  # mock mode: any token grants the operation's scopes
        with pkg.Client(base_url=url + "/v1", oauth="anything", max_retries=0) as client:
            assert client.items.create_item(body={"id": 1, "name": "x"}).id == 1
        with pkg.Client(base_url=url + "/v1", max_retries=0) as client, pytest.raises(pkg.AuthenticationError):
            client.items.list_items()


def test_the_mock_server_hands_out_tokens_at_the_spec_token_url(pkg: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    server = importlib.import_module(f"{pkg.__name__}.server")
    caplog.set_level(logging.DEBUG, logger=pkg.__name__)
    with serve_over_http(server.app) as url:
        answer = httpx.post(url + "/oauth/token", data={"grant_type": "client_credentials", "scope": READ})
        assert answer.status_code == 200 and answer.json()["expires_in"] == 3600
        assert answer.json()["scope"] == READ and answer.json()["token_type"] == "Bearer"
        refused = httpx.post(url + "/oauth/token", data={"grant_type": "password"})
        assert refused.status_code == 400 and refused.json()["error"] == "unsupported_grant_type"
        with pkg.Client(base_url=url + "/v1", oauth=credentials(pkg), max_retries=0) as client:
            assert isinstance(client.items.list_items(), list)
    assert "OAuth 2: new access token from" in caplog.text and "/oauth/token" in caplog.text
    with serve_over_http(server.create_app(token_verifier=lambda token: [READ])) as url:  # not a mock
        assert httpx.post(url + "/oauth/token", data={"grant_type": "client_credentials"}).status_code == 404
    assert "/oauth/token" not in json.dumps(server.app.openapi())


# -- generation -----------------------------------------------------------------------------------

WITHOUT_CLIENT_CREDENTIALS = """
openapi: 3.0.3
info: {title: Code flow, version: "1"}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://example.com/authorize
          tokenUrl: https://example.com/token
          scopes: {read: Read}
security: [{oauth: [read]}]
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200": {description: OK}
"""


def test_the_runtime_modules_are_only_in_packages_that_use_them(
    pkg: ModuleType, tmp_path_factory: pytest.TempPathFactory, generated_packages: dict[str, Any]
) -> None:
    assert (package_dir(pkg) / "_oauth2.py").is_file() and (package_dir(pkg) / "_server_oauth2.py").is_file()
    for _, result in generated_packages.values():
        assert "_oauth2.py" not in result.files and "_server_oauth2.py" not in result.files
    code = spec_package(tmp_path_factory, "oauth_code_flow", WITHOUT_CLIENT_CREDENTIALS)
    folder = package_dir(code)
    assert not (folder / "_oauth2.py").exists()  # no clientCredentials flow: a token only
    assert (folder / "_server_oauth2.py").exists()  # but its scopes are checked
    assert "oauth: str | None = None" in (folder / "client.py").read_text()
    assert not hasattr(code, "ClientCredentials")


def test_the_docs_show_the_oauth2_setup(pkg: ModuleType) -> None:
    readme = (package_dir(pkg) / "README.md").read_text()
    api = (package_dir(pkg) / "API.md").read_text()
    assert "ClientCredentials(" in readme and "token_verifier" in readme
    assert "`items:write`" in api and "/oauth/token" in api


USAGE = '''\
"""Typed use of the OAuth 2 API of oauth_flows (mypy --strict)."""

from collections.abc import Iterable

from PKG import AsyncClient, Client, ClientCredentials, OAuth2TokenError, models
from PKG.server import Credentials, Handlers, create_app


def verify(token: str) -> Iterable[str] | None:
    return ["items:read"] if token else None


class Items(Handlers):
    async def list_items(self, *, credentials: Credentials) -> list[models.Item]:
        scopes: frozenset[str] = credentials.scopes
        return [models.Item(id=len(scopes), name="one")]


app = create_app(Items(), token_verifier=verify)
oauth = ClientCredentials(client_id="id", client_secret="secret", scopes=["items:read"])
client = Client(base_url="http://127.0.0.1", oauth=oauth)
other = AsyncClient(base_url="http://127.0.0.1", oauth="a token")
try:
    items: list[models.Item] = client.items.list_items()
except OAuth2TokenError as error:
    code: str | None = error.error
'''


@mypy_strict_targets
def oauth2_package(request: pytest.FixtureRequest) -> list[Path]:
    """The OAuth 2 package and a typed usage example of it."""
    tmp_path_factory = request.getfixturevalue("tmp_path_factory")
    pkg = install(tmp_path_factory, "oauth_flows", generate_files(SPEC, "oauth_flows"))
    usage = packages_root(tmp_path_factory) / "usage_oauth2.py"
    usage.write_text(USAGE.replace("PKG", pkg.__name__), encoding="utf-8")
    return [package_dir(pkg), usage]


def test_the_package_and_its_use_pass_mypy_strict_and_ruff(
    mypy_strict: Any, pkg: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert mypy_strict.errors(oauth2_package) == ""
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    done = subprocess.run([ruff, "check", "--no-cache", str(package_dir(pkg))], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


SWAGGER2_APPLICATION_FLOW = """
swagger: "2.0"
info: {title: Swagger app flow, version: "1"}
host: api.test
basePath: /v2
securityDefinitions:
  app:
    type: oauth2
    flow: application
    tokenUrl: https://auth.test/token
    scopes: {read: Read}
security: [{app: [read]}]
paths:
  /things:
    get:
      operationId: listThings
      produces: [application/json]
      responses:
        "200": {description: OK, schema: {type: array, items: {type: string}}}
"""


def test_a_swagger2_application_flow_fetches_tokens_too(tmp_path_factory: pytest.TempPathFactory) -> None:
    converted = spec_package(tmp_path_factory, "oauth_swagger2", SWAGGER2_APPLICATION_FLOW)
    made = converted.Client(app=converted.ClientCredentials("id", SECRET))
    assert str(made._credentials["app"]._token_url) == "https://auth.test/token"
    assert "`read`" in (package_dir(converted) / "API.md").read_text()


def test_a_split_server_checks_scopes_and_serves_tokens(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A big API's server is split per group (routers/): its security module and create_app keep
    the OAuth 2 scope checks and the mock's token endpoint (Discord's spec failed to import)."""
    import yaml

    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    for i in range(12):  # past the client's split threshold, in another group
        document["paths"][f"/extra/{i}"] = {"get": {
            "operationId": f"extra{i}", "tags": ["extra"], "security": [{"oauth": [READ]}],
            "responses": {"204": {"description": "done"}}}}
    pkg = spec_package(tmp_path_factory, "oauth_split", yaml.safe_dump(document, sort_keys=False))
    assert (package_dir(pkg) / "routers" / "_security.py").is_file()
    server = importlib.import_module(f"{pkg.__name__}.server")
    with serve_over_http(server.app) as url, pkg.Client(base_url=url + "/v1", oauth=credentials(pkg), max_retries=0) as client:
        assert isinstance(client.items.list_items(), list)  # a token from the mock's token URL
        client.extra.extra0()
    with (
        serve_over_http(server.create_app(token_verifier=lambda token: [READ])) as url,
        pkg.Client(base_url=url + "/v1", oauth="tok", max_retries=0) as client,
        pytest.raises(pkg.PermissionDeniedError) as caught,
    ):
        client.items.create_item(body={"id": 2, "name": "two"})
    assert caught.value.headers["www-authenticate"] == f'Bearer error="insufficient_scope", scope="{READ} {WRITE}"'
