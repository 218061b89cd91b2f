"""Pagination: list operations found from the spec (tests/data/client/paging.yaml has one
operation per style) or declared, called through the generated client against the generated
server's mock pages over real HTTP; the corpus specs' counts; hints that cannot be used."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest import ROOT, SHARED_SPECS, serve_over_http
from .conftest_client import DATA, generate_files, install

PAGING_SPEC = DATA / "paging.yaml"
SHARED = SHARED_SPECS
MOCK_ITEMS = 25  # _server_pagination.MOCK_ITEMS: the mock's collection

# (group, method, keyword arguments, page size the first page has)
STYLES = [
    ("styles", "list_cursor", {}, 4),  # after=<last_id>, has_more; limit's default 4
    ("styles", "list_token", {"page_size": 6}, 6),  # pageToken=<nextPageToken>
    ("styles", "list_offset", {}, 3),  # offset += len(items); limit's default 3, a bare list
    ("styles", "search_items", {"body": {"name": "x", "limit": 7}}, 7),  # offset in the JSON body
    ("styles", "list_pages", {}, 4),  # page += 1, has_more
    ("styles", "list_next_url", {"page_size": 8}, 8),  # meta.next_page_url
    ("styles", "list_linked", {}, 5),  # Link: <...>; rel="next"
    ("styles", "list_header_cursor", {}, 10),  # X-Next-Cursor header, items are strings
    ("hints", "list_hinted", {}, 10),  # x-oapigen-pagination: cursor in state.continue_at
]


@pytest.fixture(scope="module")
def paging(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "paging", generate_files(PAGING_SPEC, "paging"))


@pytest.fixture(scope="module")
def base_url(paging: ModuleType) -> Iterator[str]:
    """The package's own server in mock mode, over real HTTP (under the spec's ``/v1``)."""
    from importlib import import_module

    server = import_module(f"{paging.__name__}.server")
    with serve_over_http(server.create_app()) as url:
        yield url + "/v1"


class Counting:
    """An httpx client that keeps the requests it sends (their URLs and bodies)."""

    def __init__(self) -> None:
        self.urls: list[httpx.URL] = []
        self.bodies: list[bytes] = []

    def client(self) -> httpx.Client:
        def seen(request: httpx.Request) -> None:
            self.urls.append(request.url)
            self.bodies.append(request.read())

        return httpx.Client(event_hooks={"request": [seen]})


def _key(item: Any) -> Any:
    return getattr(item, "id", item)


@pytest.mark.parametrize(("group", "method", "kwargs", "size"), STYLES, ids=[s[1] for s in STYLES])
def test_iterating_the_first_page_yields_every_item_once_fetching_pages_as_needed(
    paging: ModuleType, base_url: str, group: str, method: str, kwargs: dict[str, Any], size: int
) -> None:
    counting = Counting()
    with counting.client() as http, paging.Client(base_url=base_url, token="t", http_client=http) as client:
        page = getattr(getattr(client, group), method)(**kwargs)
        assert isinstance(page, paging.SyncPage)
        assert len(page.items) == size and page.has_next_page()
        assert len(counting.urls) == 1
        items = iter(page)
        head = [next(items) for _ in range(size)]
        assert len(counting.urls) == 1  # nothing read ahead
        head.append(next(items))
        assert len(counting.urls) == 2  # the second page, when its first item is wanted
        keys = [_key(i) for i in [*head, *items]]
        assert len(keys) == MOCK_ITEMS == len(set(map(str, keys)))
        pages = list(page.iter_pages())
        all_items = [_key(i) for p in pages for i in p.items]
        assert len(all_items) == MOCK_ITEMS and len(set(map(str, all_items))) == MOCK_ITEMS
        assert not pages[-1].has_next_page()
        with pytest.raises(paging.NoNextPageError) as caught:
            pages[-1].next_page()
        assert isinstance(caught.value, paging.ApiClientError)


def test_a_page_keeps_the_body_and_the_http_response(paging: ModuleType, base_url: str) -> None:
    with paging.Client(base_url=base_url, token="t") as client:
        page = client.styles.list_cursor(limit=10)
        assert isinstance(page.body, paging.models.CursorPage)
        assert page.items == page.body.data and page.body.has_more is True
        assert page.http_response.status_code == 200
        assert page.body.last_id == "10" and page.items[-1].id == "10"
        info = page.next_page_info()
        assert info is not None and info.params == {"after": "10"}
        # resuming later from the arguments the page gives
        again = client.styles.list_cursor(limit=10, **info.params)
        assert [i.id for i in again.items] == [str(n) for n in range(11, 21)]
        last = again.next_page()
        assert len(last.items) == 5 and last.body.has_more is False and not last.has_next_page()


def test_a_body_offset_is_sent_in_the_body(paging: ModuleType, base_url: str) -> None:
    counting = Counting()
    with counting.client() as http, paging.Client(base_url=base_url, token="t", http_client=http) as client:
        page = client.styles.search_items(body=paging.models.SearchItemsBody(name="x", limit=10))
        info = page.next_page_info()
        assert info is not None and info.body.offset == 10  # a model body: copied with the new offset
        assert [i.id for i in page] == [str(i.id) for p in page.iter_pages() for i in p.items]
    assert all(u.query == b"" for u in counting.urls)  # nothing in the query
    sent = [json.loads(b) for b in counting.bodies]
    assert [b.get("offset") for b in sent[:3]] == [None, 10, 20]
    assert all(b["name"] == "x" and b["limit"] == 10 for b in sent)


def test_next_url_and_link_pages_get_the_url_the_server_gave(paging: ModuleType, base_url: str) -> None:
    counting = Counting()
    with counting.client() as http, paging.Client(base_url=base_url, token="t", http_client=http) as client:
        list(client.styles.list_next_url(page_size=10))
        list(client.styles.list_linked(limit=10))
    assert [u.params.get("PageToken") for u in counting.urls[:3]] == [None, "10", "20"]
    assert [u.params.get("cursor") for u in counting.urls[3:]] == [None, "10", "20"]


def test_async_for_over_the_pager_and_awaiting_it(paging: ModuleType, base_url: str) -> None:
    async def run() -> None:
        async with paging.AsyncClient(base_url=base_url, token="t") as client:
            pager = client.styles.list_token(page_size=10)
            assert isinstance(pager, paging.AsyncPager)
            keys = [item.id async for item in pager]
            assert len(keys) == MOCK_ITEMS == len(set(keys))
            first = await client.styles.list_offset(limit=10)
            assert isinstance(first, paging.AsyncPage) and first.has_next_page()
            second = await first.next_page()
            assert len(second.items) == 10
            pages = [p async for p in first.iter_pages()]
            assert [len(p.items) for p in pages] == [10, 10, 5]
            everything = [i async for i in first]
            assert len(everything) == MOCK_ITEMS
            raw = await client.with_raw_response.styles.list_cursor()
            assert raw.status_code == 200 and isinstance(raw.parse(), paging.AsyncPage)
            with pytest.raises(paging.NoNextPageError):
                await pages[-1].next_page()

    asyncio.run(run())


def test_with_raw_response_parses_to_the_page(paging: ModuleType, base_url: str) -> None:
    with paging.Client(base_url=base_url, token="t") as client:
        raw = client.with_raw_response.styles.list_pages(per_page=20)
        page = raw.parse()
        assert isinstance(page, paging.SyncPage) and len(page.items) == 20
        assert len(page.next_page().items) == 5


def test_an_operation_hinted_not_paginated_returns_its_list(paging: ModuleType, base_url: str) -> None:
    with paging.Client(base_url=base_url, token="t") as client:
        items = client.hints.list_unpaged(offset=3)
        assert isinstance(items, list)


def _sequence(pages: list[dict[str, Any]], header: str | None = None) -> Any:
    """A MockTransport answering ``pages`` in turn, recording the requests."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[len(seen) - 1])

    return seen, httpx.MockTransport(answer)


def test_a_next_url_on_another_origin_gets_no_credentials(paging: ModuleType) -> None:
    seen, transport = _sequence([
        {"things": [{"id": "1", "name": "a"}], "meta": {"next_page_url": "http://elsewhere.test/next?PageToken=1"}},
        {"things": [{"id": "2", "name": "b"}], "meta": {"next_page_url": None}},
    ])
    with paging.Client(base_url="http://paging.test/v1", token="secret",
                       http_client=httpx.Client(transport=transport)) as client, client._http:
        assert [i.id for i in client.styles.list_next_url()] == ["1", "2"]
    assert seen[0].headers["authorization"] == "Bearer secret"
    assert str(seen[1].url) == "http://elsewhere.test/next?PageToken=1"
    assert "authorization" not in seen[1].headers


def test_a_cursor_that_does_not_move_ends_the_pages(paging: ModuleType) -> None:
    page = {"items": [{"id": "1", "name": "a"}], "nextPageToken": "same"}
    seen, transport = _sequence([page, page, page])
    with paging.Client(base_url="http://paging.test/v1", http_client=httpx.Client(transport=transport)) as client, client._http:
        assert len(list(client.styles.list_token())) == 2  # the second page repeats its cursor
    assert [r.url.params.get("pageToken") for r in seen] == [None, "same"]


def test_offsets_end_on_a_short_page_without_an_extra_request(paging: ModuleType) -> None:
    items = [{"id": str(n), "name": "x"} for n in range(5)]
    seen, transport = _sequence([items[:3], items[3:]])  # limit's default is 3
    with paging.Client(base_url="http://paging.test/v1", http_client=httpx.Client(transport=transport)) as client, client._http:
        assert [i.id for i in client.styles.list_offset()] == ["0", "1", "2", "3", "4"]
    assert [r.url.params.get("offset") for r in seen] == [None, "3"]


def test_inspect_shows_the_style(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "oapigen", "inspect", "--json", str(PAGING_SPEC)],
                         capture_output=True, text=True, check=True).stdout
    styles = {row["operation_id"]: row["pagination"] for row in json.loads(out)}
    assert styles == {
        "listCursor": "cursor", "listToken": "cursor", "listOffset": "offset", "searchItems": "offset",
        "listPages": "page", "listNextUrl": "next_url", "listLinked": "link", "listHeaderCursor": "cursor",
        "listHinted": "cursor", "listUnpaged": None,
    }
    table = subprocess.run([sys.executable, "-m", "oapigen", "inspect", str(PAGING_SPEC)],
                           capture_output=True, text=True, check=True).stdout
    assert table.splitlines()[0].split()[-1] == "PAGES"


@pytest.mark.parametrize(("spec", "count", "styles"), [
    ("openai.yaml", 62, {"cursor"}),
    ("twilio-messaging-v1.yaml", 10, {"next_url"}),
    ("seed", 7, {"offset"}),
])
def test_corpus_specs_paginated_operations(spec: str, count: int, styles: set[str]) -> None:
    if spec == "seed":  # the repository's own seed, with its overlay
        args = [sys.executable, "-m", "oapigen", "inspect", "--json", str(ROOT / "specs" / "agent-server.json"),
                "--overlay", str(ROOT / "specs" / "agent-server.overlay.yaml")]
    elif not (SHARED / spec).exists():
        pytest.skip(f"{SHARED / spec} is absent")
    else:
        args = [sys.executable, "-m", "oapigen", "inspect", "--json", str(SHARED / spec)]
    rows = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    paged = [r for r in rows if r["pagination"]]
    assert len(paged) == count and {r["pagination"] for r in paged} == styles


def _spec_with(tmp_path: Path, hint: Any) -> Path:
    text = PAGING_SPEC.read_text(encoding="utf-8").replace(
        "x-oapigen-pagination: false", f"x-oapigen-pagination: {json.dumps(hint)}"
    )
    path = tmp_path / "paging.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("hint", "message"), [
    ({"style": "sideways"}, "style: 'sideways' is none of cursor, offset, page, next_url, link"),
    ({"style": "cursor", "param": "offset"}, "a cursor style needs where the next cursor is"),
    ({"style": "offset", "param": "nope"}, "param: 'nope' is neither a query parameter"),
    ({"items": "missing"}, "items: missing is not an array in the response"),
    ({"stile": "offset"}, "unknown key 'stile'"),
    ("yes", "must be false or a mapping"),
])
def test_a_hint_that_cannot_be_used_is_a_located_error(tmp_path: Path, hint: Any, message: str) -> None:
    spec = _spec_with(tmp_path, hint)
    done = subprocess.run([sys.executable, "-m", "oapigen", "inspect", str(spec)], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "/paths/~1unpaged~1items/get/x-oapigen-pagination: x-oapigen-pagination: " in done.stderr
    assert message in done.stderr


def test_the_config_declares_and_corrects_pagination(tmp_path: Path) -> None:
    (tmp_path / "paging.yaml").write_text(PAGING_SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.oapigen]\n[[tool.oapigen.specs]]\nspec = "paging.yaml"\npackage = "paging_cfg"\n'
        'pagination = { listCursor = false, listUnpaged = { style = "offset", param = "offset" } }\n',
        encoding="utf-8",
    )
    subprocess.run([sys.executable, "-m", "oapigen", "generate"], cwd=tmp_path, check=True, capture_output=True)
    endpoints = (tmp_path / "generated" / "paging_cfg" / "_endpoints.py").read_text(encoding="utf-8")
    client = (tmp_path / "generated" / "paging_cfg" / "client.py").read_text(encoding="utf-8")
    assert "def list_cursor(" in client and ") -> models.CursorPage:" in client
    assert 'paging=Paging("offset", param="offset")' in endpoints.replace("\n", "").replace("  ", "")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.oapigen]\n[[tool.oapigen.specs]]\nspec = "paging.yaml"\npackage = "paging_cfg"\n'
        'pagination = { listCursr = false, listUnpaged = { style = "offset" } }\n',
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, "-m", "oapigen", "generate"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert "/tool/oapigen/specs/0/pagination/listCursr: pagination: no operation has the operationId" in done.stderr
    assert "did you mean 'listCursor'" in done.stderr


def test_a_handler_answers_pages_of_its_own_collection(paging: ModuleType) -> None:
    from importlib import import_module

    server = import_module(f"{paging.__name__}.server")
    pages = import_module(f"{paging.__name__}._server_pagination")
    items = [{"id": f"i{n}", "name": f"item {n}"} for n in range(8)]
    arguments: list[dict[str, Any]] = []

    class Real(server.Handlers):  # type: ignore[name-defined,misc]
        async def list_offset(self, *, limit: int, offset: int) -> Any:
            arguments.append({"limit": limit, "offset": offset})
            body, headers = pages.page_body(server.OPERATIONS["list_offset"].paging, items, arguments[-1])
            return server.Reply(200, body, headers=headers)

        async def list_token(self, *, page_token: Any, page_size: Any) -> Any:
            asked = {"pageToken": page_token, "pageSize": page_size}
            body, _ = pages.page_body(server.OPERATIONS["list_token"].paging, items, asked)
            return body

    with serve_over_http(server.create_app(Real())) as url, paging.Client(base_url=url + "/v1") as client:
        assert [i.id for i in client.styles.list_offset()] == [i["id"] for i in items]
        assert arguments == [{"limit": 3, "offset": 0}, {"limit": 3, "offset": 3}, {"limit": 3, "offset": 6}]
        page = client.styles.list_token(page_size=5)
        assert [i.id for i in page.items] == ["i0", "i1", "i2", "i3", "i4"] and page.body.nextPageToken == "5"
        assert [i.id for i in page.next_page().items] == ["i5", "i6", "i7"]
        assert page.next_page().body.nextPageToken is None and not page.next_page().has_next_page()


def test_the_change_report_says_when_an_operation_starts_to_page(tmp_path: Path) -> None:
    old = _spec_with(tmp_path, False)
    new = tmp_path / "new.yaml"
    new.write_text(re.sub(r"^ *x-oapigen-pagination: false\n", "", old.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "oapigen", "diff", str(old), str(new)], capture_output=True, text=True)
    assert done.returncode == 4, done.stdout + done.stderr  # breaking for a client caller
    line = next(x for x in done.stdout.splitlines() if "paginated" in x)
    assert "operation paginated: `hints.list_unpaged` one answer -> offset" in line
    assert "[client: breaking, server: compatible]" in line
    back = subprocess.run([sys.executable, "-m", "oapigen", "diff", str(new), str(old)], capture_output=True, text=True)
    assert "operation no longer paginated: `hints.list_unpaged` offset -> one answer" in back.stdout


def test_only_a_package_with_a_paginated_operation_has_the_pagination_runtime(
    generated_packages: dict[str, tuple[Any, Any]],
) -> None:
    """Issue 13 item 4: only the runtime an API uses is written. The seed pages (7 list
    operations); petstore does not, and its server must still import without the module."""
    _, seed = generated_packages["agent_server"]
    _, pets = generated_packages["petstore"]
    assert {"_pagination.py", "_server_pagination.py"} <= set(seed.files)
    assert not {"_pagination.py", "_server_pagination.py"} & set(pets.files)
    assert "_pagination" not in pets.files["__init__.py"] and "_server_pagination" not in pets.files["server.py"]
