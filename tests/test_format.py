"""Chunked formatting: black on each top-level chunk, joined, is byte-identical to black on the file."""

from __future__ import annotations

from pathlib import Path

import oapigen.render.format as fmt
import pytest
from oapigen.core.fingerprint import templates_dir
from oapigen.render.jinja import render_package
from oapigen.run.config import Job
from oapigen.run.pipeline import api_and_models

from .conftest import repo_jobs


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut at every eligible boundary, so every join point is exercised."""
    monkeypatch.setattr(fmt, "_CHUNK_MIN_CHARS", 1)
    monkeypatch.setattr(fmt, "_CHUNK_SPREAD", 1)


def _whole_and_joined(source: str) -> tuple[str, str, int]:
    chunks = fmt.split_chunks(source)
    assert "".join(chunks) == source
    joined = fmt._SEPARATOR.join(fmt._format_one(c) for c in chunks)
    return fmt._format_one(source), joined, len(chunks)


@pytest.mark.parametrize("job", repo_jobs(), ids=lambda j: j.package)
def test_chunked_black_is_byte_identical_on_repo_specs(job: Job, tiny_chunks: None) -> None:
    api, models_source, _ = api_and_models(job)
    rendered = render_package(api, models_source, templates=job.template_dirs)
    total = 0
    for path, text in rendered.items():
        if path.endswith(".py"):
            whole, joined, count = _whole_and_joined(fmt._split_header(text)[1])
            assert joined == whole, path
            total += count
    assert total > 50  # the split really happened


EDGE_CASES = '''\
"""Module docstring."""
import os
x = 1
def f(a,b): return a+b
@decorator
class A(Base): x: int = 1
class Stub: ...
def g(): ...
# a comment glued to h
def h(): pass
if x:
    def inner(): pass
else:
    y = 2
s = """
def not_a_statement(): pass
"""
async def k(): await f(1,2)
@overload
def o(a: int) -> int: ...
@overload
def o(a: str) -> str: ...
def o(a): return a
class B:



    z = [1,2,]
a = 1; b = 2
def last(): return [
  1,
  2]
'''


def test_chunked_black_is_byte_identical_on_edge_cases(tiny_chunks: None) -> None:
    whole, joined, count = _whole_and_joined(EDGE_CASES)
    assert count >= 3
    assert joined == whole


def test_no_split_inside_strings_or_on_bad_input(tiny_chunks: None) -> None:
    assert fmt.split_chunks("def f(:\n") == ["def f(:\n"]
    chunks = fmt.split_chunks(EDGE_CASES)
    assert chunks and not any(c.startswith("def not_a_statement") for c in chunks)


def test_format_python_uses_and_fills_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_chunks: None) -> None:
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path))
    files = {"m.py": fmt.HEADER_PREFIX + " test\n" + EDGE_CASES, "README.md": "x"}
    first = fmt.format_python(files)
    assert first["README.md"] == "x"
    assert first["m.py"] == fmt.HEADER_PREFIX + " test\n" + fmt._format_one(EDGE_CASES)
    assert any((tmp_path / "format").rglob("*"))
    monkeypatch.setattr(fmt, "_format_one", lambda source: pytest.fail("cache miss"))
    assert fmt.format_python(files) == first


def test_files_are_formatted_as_the_renderer_hands_them_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline feeds black each file as it is rendered (render_package's ``on_file``), and
    the workers start before the last file arrives; the result is the same as formatting the
    finished dict."""
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", "off")
    job = repo_jobs()[0]  # the seed: enough text for the worker processes
    api, models_source, _ = api_and_models(job)
    formatting = fmt.Formatting()
    started_before_the_end: list[bool] = []

    def add(path: str, text: str) -> None:
        started_before_the_end.append(formatting._pool is not None)
        formatting.add(path, text)

    rendered = render_package(api, models_source, on_file=add)
    assert len(started_before_the_end) == len(rendered)
    if fmt._workers() >= 2:
        assert any(started_before_the_end)  # the pool was running while files were still coming
    assert formatting.finish() == fmt.format_python(rendered)


RUNTIME_MODULES = sorted((templates_dir() / "runtime").glob("*.py"))


@pytest.mark.parametrize("module", RUNTIME_MODULES, ids=lambda p: p.name)
def test_each_runtime_module_is_stored_in_blacks_layout(module: Path) -> None:
    """What lets the formatter pass the runtime modules over: black leaves each unchanged."""
    text = module.read_text(encoding="utf-8")
    assert fmt.in_blacks_layout(text)
    assert fmt._format_one(text) == text


def test_black_is_not_run_on_a_runtime_module_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose body is a built-in runtime module is written as it is, without black; one
    that differs from it in a single character (an override folder's) goes through black."""
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", "off")
    formatted: list[str] = []
    real = fmt._format_one

    def recording(source: str) -> str:
        formatted.append(source)
        return real(source)

    monkeypatch.setattr(fmt, "_format_one", recording)
    runtime = (templates_dir() / "runtime" / "_types.py").read_text(encoding="utf-8")
    header = fmt.HEADER_PREFIX + " from x.yaml. Do not edit.\n"
    files = {"_types.py": header + runtime, "_other.py": header + runtime.replace("\n\n", "\n\n\n\n", 1)}
    out = fmt.format_python(files)
    assert out["_types.py"] == header + runtime
    assert out["_other.py"] == header + runtime
    assert formatted == [runtime.replace("\n\n", "\n\n\n\n", 1)]
