"""The Python in the READMEs type-checks and runs: every ```python block of the repo's README.md
(against the seed's package) and of each generated package's README.md goes through the
session's ``mypy --strict`` run. A README's blocks are read as one session, in order (a later
block may use what an earlier one defined), so each README is one module beside the packages.
The generated README's handler example (an async generator for a stream) is also served."""

from __future__ import annotations

import importlib
import re
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import ROOT, MypyRun, mypy_strict_targets, repo_generated
from .conftest_client import install, module_name, packages_root

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})python[ \t]*\n(?P<code>.*?)^(?P=indent)(?P=fence)[ \t]*$", re.M | re.S)
README_PACKAGES = ("agent_server", "petstore")


def python_blocks(markdown: str) -> list[str]:
    """The ```python blocks of a Markdown text, dedented (a block inside a list is indented)."""
    return [textwrap.dedent(m["code"]) for m in _FENCE.finditer(markdown)]


def as_installed(code: str, package: str) -> str:
    """The snippet importing the package under the name the tests install it as."""
    return re.sub(rf"^(\s*(?:from|import) ){package}\b", rf"\g<1>{module_name(package)}", code, flags=re.M)


def _module(blocks: list[str]) -> str:
    return "\n\n".join(blocks)


def _write(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The snippet modules, by name, written beside the installed packages."""
    root = packages_root(tmp_path_factory)
    modules: dict[str, Path] = {}
    generated = repo_generated()
    for package in README_PACKAGES:
        files = generated[package][1].files
        install(tmp_path_factory, package, files)
        modules[f"readme_of_{package}"] = root / f"readme_of_{package}.py"
        modules[f"readme_of_{package}"].write_text(as_installed(_module(python_blocks(files["README.md"])), package), encoding="utf-8")
    repo = _module(python_blocks((ROOT / "README.md").read_text(encoding="utf-8")))
    for package in README_PACKAGES:
        repo = as_installed(repo, package)
    modules["readme_of_oapigen"] = root / "readme_of_oapigen.py"
    modules["readme_of_oapigen"].write_text(repo, encoding="utf-8")
    return modules


@mypy_strict_targets
def readme_snippets(request: pytest.FixtureRequest) -> list[Path]:
    return sorted(_write(request.getfixturevalue("tmp_path_factory")).values())


def test_readme_snippets_type_check(mypy_strict: MypyRun) -> None:
    assert not mypy_strict.errors(readme_snippets)


def test_the_blocks_are_found() -> None:
    """The extraction sees every block: the repo's README has a client, a stream (indented in
    a list) and a server block, and the seed's README a streaming handler."""
    repo = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(repo) >= 3
    assert any(b.startswith("with client.thread_runs.stream_run(") for b in repo)
    seed = python_blocks(repo_generated()["agent_server"][1].files["README.md"])
    assert any("-> AsyncIterator[ServerSentEvent]:" in b and "yield ServerSentEvent(" in b for b in seed)


@pytest.fixture(scope="module")
def seed_readme(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The namespace of the seed README's server block, run (the client blocks need a server)."""
    install(tmp_path_factory, "agent_server", repo_generated()["agent_server"][1].files)
    block = next(b for b in python_blocks(repo_generated()["agent_server"][1].files["README.md"]) if "class MyHandlers(" in b)
    namespace: dict[str, Any] = {}
    exec(compile(as_installed(block, "agent_server"), "README.md", "exec"), namespace)
    return namespace


@pytest.mark.anyio
async def test_the_readme_streaming_handler_is_served(seed_readme: dict[str, Any]) -> None:
    """The generated README's handlers (an async generator method for the stream) served by
    ``create_app``: the stream sends the handler's event, the other operation falls back to
    the mock."""
    package: Any = importlib.import_module(module_name("agent_server"))
    transport = httpx.ASGITransport(app=seed_readme["app"])
    async with package.AsyncClient(base_url="http://test", http_client=httpx.AsyncClient(transport=transport, base_url="http://test")) as client:
        info = await client.system.server_info()
        assert info is not None
        async with client.threads.join_thread_stream(
            "00000000-0000-4000-8000-000000000000", stream_modes="lifecycle"
        ) as stream:
            events = [event async for event in stream]
    assert [(e.event, e.data, e.id) for e in events] == [("message", {"text": "hello"}, "1")]

