"""The generated server against untrusted traffic and untrusted spec text (issue 19): size
limits (413, 414, 431), bad requests always 4xx, the error path encoding the input once and
quoting it bounded, docs pages that never run spec text (a strict Content-Security-Policy, ReDoc's
untrusted mode, assets from a local folder), and the client's connection pool defaults."""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import platform
import re
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest import serve_over_http
from .hostile_support import fresh_marker, generate_and_import

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SPEC = f"""\
openapi: 3.1.0
info:
  title: '</title><script>alert(3)</script>'
  version: '1'
  description: '{HOSTILE}'
paths:
  /items:
    post:
      operationId: createItem
      description: '{HOSTILE}'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, tags]
              properties:
                name: {{type: string, description: '{HOSTILE}'}}
                tags: {{type: array, items: {{type: string}}}}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {{type: object, properties: {{name: {{type: string}}}}}}
  /ok:
    get:
      operationId: ok
      responses:
        '200': {{description: fine, content: {{application/json: {{schema: {{type: object}}}}}}}}
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    root = tmp_path_factory.mktemp("guard")
    spec = root / "guard.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return generate_and_import(spec, root / "out", "guard_api", fresh_marker(root)).package


@pytest.fixture(scope="module")
def server(package: ModuleType) -> ModuleType:
    return importlib.import_module("guard_api.server")


def run_asgi(app: Any, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return [await http.request(method, url, **options) for method, url, options in requests]

    return asyncio.run(main())


JSON = {"content-type": "application/json"}


def test_a_body_over_the_limit_is_413_declared_or_streamed(server: ModuleType) -> None:
    app = server.create_app(max_body_size=1000)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it is read
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'", "tags": []}'

    small = json.dumps({"name": "x", "tags": []})
    declared, streamed, fine = run_asgi(
        app,
        ("POST", "/items", {"content": json.dumps({"name": "x" * 2000, "tags": []}), "headers": JSON}),
        ("POST", "/items", {"content": chunks(), "headers": JSON}),
        ("POST", "/items", {"content": small, "headers": JSON}),
    )
    assert declared.status_code == 413 and "larger than 1000 bytes" in declared.json()["detail"]
    assert streamed.status_code == 413 and "larger than 1000 bytes" in streamed.json()["detail"]
    assert fine.status_code == 201
    default_limit = server.DEFAULT_MAX_BODY_SIZE
    [big] = run_asgi(server.create_app(), ("POST", "/items", {"content": b" " * (default_limit + 1), "headers": JSON}))
    assert big.status_code == 413
    [unlimited] = run_asgi(server.create_app(max_body_size=None),
                           ("POST", "/items", {"content": small + " " * (default_limit + 1), "headers": JSON}))
    assert unlimited.status_code == 201


def test_url_and_header_limits(server: ModuleType) -> None:
    long_url, long_header, fine = run_asgi(
        server.create_app(max_url_size=2000, max_header_size=3000),
        ("GET", "/ok", {"params": {"q": "x" * 2000}}),
        ("GET", "/ok", {"headers": {"x-pad": "x" * 3000}}),
        ("GET", "/ok", {"params": {"q": "x" * 1000}, "headers": {"x-pad": "x" * 1000}}),
    )
    assert (long_url.status_code, long_header.status_code, fine.status_code) == (414, 431, 200)


def test_bad_traffic_over_http_is_always_4xx(server: ModuleType) -> None:
    huge = json.dumps(["abcdefghij"] * 700_000)  # ~9 MB: a list where an object goes
    with serve_over_http(server.create_app()) as url, httpx.Client(base_url=url, timeout=60) as http:
        answers = {
            "malformed JSON": http.post("/items", content=b'{"name": "a", "tags": [', headers=JSON),
            "wrong content type": http.post("/items", content=b'{"name": "a", "tags": []}',
                                            headers={"content-type": "text/plain"}),
            "not JSON at all": http.post("/items", content=b"\xff\xfe\x00", headers=JSON),
            "9 MB invalid body": http.post("/items", content=huge, headers=JSON),
            "11 MB body": http.post("/items", content=b"[" + b"1," * 5_500_000 + b"1]", headers=JSON),
            "64 KB query string": http.get("/ok", params={"q": "x" * 65_000}),
            "64 KB header": http.get("/ok", headers={"x-pad": "x" * 65_536}),
        }
        assert http.get("/ok").status_code == 200  # the server is still there
    statuses = {kind: r.status_code for kind, r in answers.items()}
    assert statuses and all(400 <= s < 500 for s in statuses.values()), statuses
    assert statuses["11 MB body"] == 413 and statuses["64 KB query string"] == 414
    assert statuses["64 KB header"] == 431
    invalid = answers["9 MB invalid body"]
    assert invalid.status_code == 422 and len(invalid.content) < 5000  # the input is quoted abridged
    [error] = invalid.json()["detail"]
    assert error["input"][:2] == ["abcdefghij", "abcdefghij"] and error["input"][-1] == "..."


def test_big_bodies_leave_no_python_memory_behind(server: ModuleType) -> None:
    """Rounds of 1 MB invalid bodies (parsed: 100,000 strings each) through the generated app:
    the Python memory still allocated after a full collection does not grow from the first
    round to the fifth (a leak of one body or its parse per round would be 1-10 MB; no timing)."""
    app = server.create_app()
    body = json.dumps(["abcdefghij"] * 100_000)  # a list where an object goes: 422
    requests = [("POST", "/items", {"content": body, "headers": JSON})] * 4
    traced: list[int] = []
    tracemalloc.start()
    try:
        for _ in range(5):
            assert {r.status_code for r in run_asgi(app, *requests)} == {422}
            gc.collect()
            traced.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert traced[-1] - traced[0] < 512 * 1024, traced


def test_memory_goes_back_to_the_system_after_a_big_body(server: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a request of RELEASE_AFTER bytes of body or more (not a smaller one), the memory
    glibc keeps free is handed back (malloc_trim: bursts of 10 MB bodies left the process tens
    of MB bigger); where the C library has no malloc_trim there is nothing to call."""
    http_module = importlib.import_module("guard_api._server_http")
    calls: list[int] = []
    monkeypatch.setattr(http_module, "_MALLOC_TRIM", calls.append)
    big = json.dumps({"name": "x" * http_module.RELEASE_AFTER, "tags": []})
    small, large, refused = run_asgi(
        server.create_app(),
        ("POST", "/items", {"content": json.dumps({"name": "x", "tags": []}), "headers": JSON}),
        ("POST", "/items", {"content": big, "headers": JSON}),
        ("POST", "/items", {"content": json.dumps(["x" * http_module.RELEASE_AFTER]), "headers": JSON}),
    )
    assert (small.status_code, large.status_code, refused.status_code) == (201, 201, 422)
    assert calls == [0, 0]
    if platform.libc_ver()[0] == "glibc":
        assert http_module._malloc_trim() is not None


def test_the_error_path_encodes_the_input_once_and_bounded(server: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = importlib.import_module("guard_api._server_runtime")
    calls: list[int] = []
    encode = runtime.jsonable_encoder

    def counting(value: Any, **options: Any) -> Any:
        calls.append(len(json.dumps(value, default=str)))
        return encode(value, **options)

    monkeypatch.setattr(runtime, "jsonable_encoder", counting)
    body = {"name": "n" * 100_000, "tags": list(range(50_000))}
    [response] = run_asgi(server.create_app(), ("POST", "/items", {"json": body}))
    assert response.status_code == 422
    assert len(calls) == 1 and calls[0] < 5000  # once, on the abridged errors
    detail = response.json()["detail"]  # 50,000 errors (one per tag): the first 20 and a count
    assert len(detail) == 21 and detail[-1]["msg"] == "and 49980 more error(s)"
    assert all(e["loc"][:2] == ["body", "tags"] for e in detail[:-1]) and all(len(json.dumps(e)) < 2000 for e in detail)


def policy_of(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in (p.strip() for p in policy.split(";"))}


def test_docs_pages_never_run_spec_text(server: ModuleType) -> None:
    docs, docs_again, redoc, redirect, schema = run_asgi(
        server.create_app(), *(("GET", url, {}) for url in ("/docs", "/docs", "/redoc", "/docs/oauth2-redirect", "/openapi.json")))
    for page in (docs, redoc, redirect):
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        policy = policy_of(page)
        nonce = re.fullmatch(r"'nonce-([\w-]+)'", policy["script-src"])
        assert nonce, policy  # scripts run only with the page's nonce: no 'unsafe-inline', no hosts
        scripts = re.findall(r"<script[^>]*>", page.text)
        assert scripts and all(f'nonce="{nonce[1]}"' in tag for tag in scripts)
        assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "<script>alert" not in page.text and "alert(1)" not in page.text and "onerror" not in page.text
    assert policy_of(docs)["script-src"] != policy_of(docs_again)["script-src"]  # a nonce per response
    assert "&lt;/title&gt;&lt;script&gt;alert(3)" in docs.text
    assert '<redoc spec-url="/openapi.json" untrusted-spec="true">' in redoc.text  # ReDoc sanitizes
    assert "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js" in docs.text
    assert schema.headers["content-type"] == "application/json"
    assert schema.json()["info"]["description"] == HOSTILE  # the document itself keeps the text


def test_docs_assets_from_a_local_folder(server: ModuleType, tmp_path: Path) -> None:
    for name in server.__dict__.get("DOCS_ASSETS", ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")):
        (tmp_path / name).write_text(f"/* {name} */", encoding="utf-8")
    docs, redoc, asset = run_asgi(server.create_app(docs_assets=tmp_path),
                                  *(("GET", url, {}) for url in ("/docs", "/redoc", "/docs/assets/redoc.standalone.js")))
    assert 'src="/docs/assets/swagger-ui-bundle.js"' in docs.text and 'href="/docs/assets/swagger-ui.css"' in docs.text
    assert 'src="/docs/assets/redoc.standalone.js"' in redoc.text and asset.text == "/* redoc.standalone.js */"
    for page in (docs, redoc):
        assert "cdn.jsdelivr" not in page.text and "cdn.jsdelivr" not in page.headers["content-security-policy"]
    (tmp_path / "swagger-ui.css").unlink()
    with pytest.raises(ValueError, match=r"lacks swagger-ui\.css"):
        server.create_app(docs_assets=tmp_path)


def test_client_connection_pool_defaults(package: ModuleType) -> None:
    base = importlib.import_module("guard_api._base_client")
    assert (base.DEFAULT_CONNECTION_LIMITS.max_connections, base.DEFAULT_CONNECTION_LIMITS.max_keepalive_connections) == (1000, 1000)

    async def pool_of_async() -> Any:
        async with package.AsyncClient(base_url="http://test") as client:
            return client._http._transport._pool  # httpcore's pool: where the limits end up

    for pool in (asyncio.run(pool_of_async()), package.Client(base_url="http://test")._http._transport._pool):
        assert (pool._max_connections, pool._max_keepalive_connections) == (1000, 1000)
    assert "1,000" in package.AsyncClient.__doc__ and "DEFAULT_CONNECTION_LIMITS" in package.Client.__doc__
