"""Helpers for the generated-client tests (``test_client_*.py``).

Each spec is generated once per test run and imported under a private name
(``oapigen_client_<package>``): the generated package only uses relative imports, so its
folder name is free, and other tests importing their own ``petstore`` do not collide.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from oapigen.run.config import Job

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "client"
# A copy of fastapi-code-generator's tests/data/openapi/default_template/upload.yaml (MIT), so the
# multipart tests run without ../shared.
UPLOAD_SPEC = DATA / "upload.yaml"
FEATURES_SPEC = DATA / "features.yaml"

_installed: dict[str, ModuleType] = {}


def module_name(package: str) -> str:
    return f"oapigen_client_{package}"


def install(tmp_path_factory: pytest.TempPathFactory, package: str, files: Mapping[str, str]) -> ModuleType:
    """Write a generated package to a temporary folder and import it (once per run)."""
    name = module_name(package)
    if name not in _installed:
        root = packages_root(tmp_path_factory)
        for rel, text in files.items():
            target = root / name / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        _installed[name] = importlib.import_module(name)
    return _installed[name]


def packages_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one folder holding every package these tests generate (for a single mypy run)."""
    root = tmp_path_factory.getbasetemp() / "client_packages"
    root.mkdir(exist_ok=True)
    return root


_generated: dict[tuple[Path, str, bool], dict[str, str]] = {}


def generate_files(spec: Path, package: str, *, lenient: bool = False) -> dict[str, str]:
    """The files of ``spec`` generated as ``package``: once per session, shared by every test
    file that asks (do not modify the mapping)."""
    from oapigen.run.pipeline import generate

    key = (spec, package, lenient)
    if key not in _generated:
        _generated[key] = generate(Job(spec=spec, output=Path("unused"), package=package, lenient=lenient)).files
    return _generated[key]


def package_dir(pkg: ModuleType) -> Path:
    return Path(pkg.__file__ or "").parent


Handler = Callable[[httpx.Request], httpx.Response]


def mock_client(pkg: ModuleType, handler: Handler, **options: Any) -> Any:
    """The package's blocking Client, talking to ``handler`` in process."""
    http = httpx.Client(transport=httpx.MockTransport(handler))
    options.setdefault("base_url", "http://testserver")
    return pkg.Client(http_client=http, **options)


def mock_async_client(pkg: ModuleType, handler: Handler, **options: Any) -> Any:
    """The package's AsyncClient, talking to ``handler`` in process."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    options.setdefault("base_url", "http://testserver")
    return pkg.AsyncClient(http_client=http, **options)


class Recorder:
    """A MockTransport handler that records requests and answers from a queue (or a default)."""

    def __init__(self, *responses: httpx.Response | Exception, default: httpx.Response | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._queue = list(responses)
        self._default = default or httpx.Response(200, json={})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if not self._queue:
            d = self._default  # a fresh copy each time: a response is read only once
            return httpx.Response(d.status_code, headers=d.headers, content=d.content)
        answer = self._queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


class FakeSleep:
    """Stands in for ``time.sleep`` / ``asyncio.sleep`` in ``_base_client``: records, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


def patch_sleep(monkeypatch: pytest.MonkeyPatch, pkg: ModuleType) -> FakeSleep:
    """Make the package's retries and reconnections record their waits instead of sleeping."""
    fake = FakeSleep()
    base = importlib.import_module(f"{pkg.__name__}._base_client")
    monkeypatch.setattr(base.time, "sleep", fake.sleep)
    monkeypatch.setattr(base.asyncio, "sleep", fake.async_sleep)
    return fake


# -- a package of a spec's text, and handlers recording their calls --------------------------------------------


def spec_package(tmp_path_factory: pytest.TempPathFactory, name: str, text: str) -> ModuleType:
    """The package generated from the spec ``text``, installed as ``name``."""
    spec = tmp_path_factory.mktemp(name) / f"{name}.yaml"
    spec.write_text(text, encoding="utf-8")
    return install(tmp_path_factory, name, generate_files(spec, name))


def recording(pkg: ModuleType, method: str) -> tuple[Any, list[dict[str, Any]]]:
    """Handlers of ``pkg`` whose ``method`` records the arguments it is called with (and answers
    ``{}``), and the record."""
    server = importlib.import_module(f"{pkg.__name__}.server")
    seen: list[dict[str, Any]] = []

    async def handle(self: Any, **params: Any) -> Any:
        seen.append(params)
        return {}

    return type("Recording", (server.Handlers,), {method: handle})(), seen


def dumped(value: Any) -> Any:
    """A model as the JSON it holds (the fields set), anything else as it is."""
    return value.model_dump(mode="json", exclude_unset=True) if hasattr(value, "model_dump") else value
