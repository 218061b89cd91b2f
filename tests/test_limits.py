"""Resource limits through the CLI (issue 5): `$ref` loops, YAML alias bombs, huge and deeply
nested files fail fast with a clear message (exit 2) -- each run is a subprocess with a time and
a memory limit, so a hang or a memory blow-up fails the test instead of the machine. Legitimate
recursion (a tree of nodes) keeps working end to end."""

from __future__ import annotations

import asyncio
import importlib
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import ROOT
from .hostile_support import HOSTILE, fresh_marker, generate_and_import, handlers_for, materialize

TIME_LIMIT = 120  # seconds per run: only catches a hang (the refusals below take well under 5)
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space per run
HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def oapigen_limited(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess with bounded memory, and a timeout that only catches a hang."""
    return subprocess.run(
        [sys.executable, "-m", "oapigen", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def refused(tmp_path: Path, name: str, text: str | None = None) -> str:
    """Run ``oapigen generate`` on ``tmp_path/name`` (written from ``text`` if given): exit 2,
    nothing generated, no traceback; returns stderr."""
    spec = tmp_path / name
    if text is not None:
        spec.write_text(text, encoding="utf-8")
    result = oapigen_limited("generate", spec, "--output", tmp_path / "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-2000:]
    assert not (tmp_path / "out" / "p").exists()
    return result.stderr


@pytest.mark.parametrize(
    "schemas",
    [
        "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
        "    A: {$ref: '#/components/schemas/A'}\n",
        "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/C'}\n    C: {$ref: '#/components/schemas/A'}\n",
        "    A: {allOf: [{$ref: '#/components/schemas/A'}]}\n",
    ],
    ids=["two", "self", "three", "allOf"],
)
def test_ref_alias_loop_is_refused(tmp_path: Path, schemas: str) -> None:
    stderr = refused(tmp_path, "loop.yaml", HEAD + "components:\n  schemas:\n" + schemas)
    assert "/components/schemas/A" in stderr and ("loop" in stderr or "cycle" in stderr), stderr


def test_ref_loop_across_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("A: {$ref: 'b.yaml#/B'}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("B: {$ref: 'a.yaml#/A'}\n", encoding="utf-8")
    stderr = refused(tmp_path, "spec.yaml", HEAD + "components:\n  schemas:\n    S: {$ref: 'a.yaml#/A'}\n")
    assert "loop" in stderr or "circular" in stderr, stderr


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghijk":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 10) + "]")
    stderr = refused(tmp_path, "bomb.yaml", HEAD + "x-bomb:\n" + "".join(f"  {line}\n" for line in lines))
    assert "billion laughs" in stderr and "bomb.yaml" in stderr


def test_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    assert "recursive YAML alias" in refused(tmp_path, "r.yaml", HEAD + "x-loop: &x\n  again: *x\n")


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: 50 MB + 1 byte, nothing written
        handle.truncate(50 * 1024 * 1024 + 1)
    assert "too big" in refused(tmp_path, "big.json")


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_huge_nesting_is_refused(tmp_path: Path, suffix: str) -> None:
    depth = 200_000
    text = '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x": ' + "[" * depth + "]" * depth + "}"
    assert "nest" in refused(tmp_path, f"deep.{suffix}", text)


def test_deep_but_legal_schema_nesting_generates(tmp_path: Path) -> None:
    schema = "{type: string}"
    for _ in range(20):
        schema = "{type: object, properties: {child: " + schema + "}}"
    spec = tmp_path / "nested.yaml"
    spec.write_text(HEAD + f"components:\n  schemas:\n    Deep: {schema}\n", encoding="utf-8")
    result = oapigen_limited("generate", spec, "--output", tmp_path / "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


# -- legitimate recursion -------------------------------------------------------------------


@pytest.fixture(scope="module")
def recursive(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("recursive")
    spec = materialize(HOSTILE / "recursive.yaml", folder / "specs", fresh_marker(folder))
    return generate_and_import(spec, folder / "out", "limits_recursive", fresh_marker(folder))


def test_recursive_schemas_validate_nested_values(recursive: Any) -> None:
    models = recursive.package.models
    tree = {"name": "root", "children": [{"name": "a", "children": [{"name": "b"}]}], "index": {"x": {"name": "x"}}}
    node = models.Node.model_validate(tree)
    assert node.children[0].children[0].name == "b"
    assert node.model_dump(mode="json", exclude_none=True) == tree
    with pytest.raises(ValueError):
        models.Node.model_validate({"name": "root", "children": [{"children": []}]})  # a nested node without name


def test_recursive_values_through_the_client_against_the_server(recursive: Any) -> None:
    package, models = recursive.package, recursive.package.models
    server = importlib.import_module(f"{package.__name__}.server")
    depth = 50
    tree: dict[str, Any] = {"name": "leaf"}
    for i in range(depth):
        tree = {"name": f"n{i}", "children": [tree], "parent": {"name": "p"}}
    parity: dict[str, Any] = {}
    for _ in range(10):
        parity = {"next": {"next": parity}}
    expr = {"op": "add", "args": [1, {"op": "mul", "args": [2, 3]}]}

    async def echo(self: Any, *, body: Any) -> Any:
        return body

    async def main() -> tuple[Any, Any, Any]:
        app = server.create_app(handlers_for(server, echo_tree=echo, echo_parity=echo, evaluate=echo))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        async with package.AsyncClient(base_url="http://test", http_client=http) as client:
            results = (
                await client.tree.echo_tree(body=tree),
                await client.parity.echo_parity(body=parity),
                await client.expr.evaluate(body=expr),
            )
        await http.aclose()
        return results

    node, even, evaluated = asyncio.run(main())
    assert isinstance(node, models.Node) and node.model_dump(mode="json", exclude_none=True) == tree
    assert even.model_dump(mode="json", exclude_none=True) == parity
    assert evaluated.model_dump(mode="json", exclude_none=True) == expr


def test_a_ref_with_a_unicode_digit_index_is_refused(tmp_path: Path) -> None:
    schemas = "    A: {allOf: [{type: string}]}\n    B: {$ref: '#/components/schemas/A/allOf/\u00b2'}\n"
    assert "/components/schemas/B" in refused(tmp_path, "digit.yaml", HEAD + "components:\n  schemas:\n" + schemas)
