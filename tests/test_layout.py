"""The layout filter (generator/pysource/black_layout.py) lays statements out the way black does.

Black still formats every file last, so a layout error costs time, never correctness; these
tests hold the layout to black itself: on the rendered client files, server.py and the models
modules (chunk by chunk, as format.py cuts them) of the repo's specs, the
hostile specs and a synthetic spec of long names, black must find nothing to change (it is
several times slower on text it has to split, and formats twice when its first pass changes
anything). Random statements compare the filter with black line for line, and with black's
result on the one-line form (what the output would be without the filter).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import black
import pytest
from oapigen.core import escape
from oapigen.pysource import black_layout as lay
from oapigen.render.format import _format_one, split_chunks
from oapigen.render.jinja import render_package
from oapigen.run.config import Job
from oapigen.run.pipeline import api_and_models

from .conftest import ROOT, repo_jobs
from .data.layout.long_spec import long_spec
from .layout_shapes import SWEEPS, embedding, statement, swept

LAID_OUT = ("client.py", "_endpoints.py", "server.py")
MODE = black.Mode(target_versions={black.TargetVersion.PY311})


def _rendered(job: Job) -> dict[str, str]:
    api, models_source, _ = api_and_models(job)
    return render_package(api, models_source, templates=job.template_dirs)


def laid_out_files(files: dict[str, str]) -> list[str]:
    """The files laid out as black would: the client's (with a big API's group modules) and
    server.py by the filter, the models modules by the models view (generator/models/relayout.py)."""
    return [p for p in files if p in LAID_OUT or (p.startswith(("models", "resources/")) and p.endswith(".py"))]


def assert_black_keeps(files: dict[str, str]) -> None:
    """Black changes no chunk of those files as format.py cuts them: a chunk it changes costs
    it a second pass."""
    names = laid_out_files(files)
    assert set(LAID_OUT) <= set(names) and any(n.startswith("models") for n in names)
    for name in names:
        for chunk in split_chunks(files[name]):
            chunk = chunk.rstrip("\n") + "\n"  # what format.py hands black
            formatted = _format_one(chunk)
            diff = list(difflib.unified_diff(chunk.splitlines(), formatted.splitlines(), "rendered", "black", lineterm="", n=1))
            assert formatted == chunk, f"{name}: black changes {sum(1 for d in diff if d[:1] == '+')} lines\n" + "\n".join(diff[:60])


@pytest.mark.parametrize("job", repo_jobs(), ids=lambda j: j.package)
def test_black_keeps_the_repo_laid_out_files(job: Job) -> None:
    assert_black_keeps(_rendered(job))


@pytest.mark.parametrize("spec", sorted((ROOT / "tests" / "hostile").glob("*.*")), ids=lambda p: p.name)
def test_black_keeps_the_hostile_laid_out_files(spec: Path, tmp_path: Path) -> None:
    assert_black_keeps(_rendered(Job(spec=spec, output=tmp_path, package="hostile", lenient=True)))


def test_black_keeps_the_laid_out_files_of_long_names(tmp_path: Path) -> None:
    spec = tmp_path / "long.json"
    spec.write_text(json.dumps(long_spec()), encoding="utf-8")
    files = _rendered(Job(spec=spec, output=tmp_path, package="long"))
    for name in ("client.py", "server.py", "models.py"):  # with lines black cannot split
        assert max(len(line) for line in files[name].splitlines()) > 120, name
    assert_black_keeps(files)


def _black(text: str, depth: int, kind: str = "stmt") -> str:
    """What black makes of the one-line ``text`` at ``depth`` (its lines, embedded as in a module)."""
    before, after = embedding(depth, kind)
    formatted = black.format_str(before + "    " * depth + text + "\n" + after, mode=MODE)
    assert formatted.startswith(before) and formatted.endswith(after)
    return formatted[len(before) : len(formatted) - len(after)]


def test_random_statements_match_black() -> None:
    """Each statement: the filter's lines are black's, or (a shape it does not model) the one
    line; either way black on them gives what black gives on the one line."""
    laid_out = one_line = 0
    for seed in range(400):
        depth, text, kind = statement(seed)
        before, after = embedding(depth, kind)
        try:
            want = _black(text, depth, kind)
        except black.InvalidInput:
            continue  # the generator made something that is not Python (``f(a=1, b)``)
        ours = lay.layout(text, depth, inside=kind == "inside")
        assert black.format_str(before + ours + after, mode=MODE) == before + want + after, (seed, text)
        if ours == "    " * depth + text + "\n" and ours != want:
            one_line += 1
        else:
            assert ours == want, (seed, text)
            laid_out += 1
    # left on one line: long return annotations without "|" that black explodes, targets
    # that are not plain names
    assert laid_out > 4 * one_line > 0, (laid_out, one_line)


@pytest.mark.parametrize(("depth", "template", "kind"), SWEEPS, ids=[t[:40] for _, t, _ in SWEEPS])
def test_every_length_matches_black(depth: int, template: str, kind: str) -> None:
    """Each statement shape with a name of every length from 1 to 99 characters: the filter
    gives black's lines, or (where black would split a first line that cannot fit, in ways
    not modelled) leaves the one line to black; it does that for a few lengths at most."""
    one_line = 0
    for length in range(1, 100):
        text = swept(template, length)
        ours, want = lay.layout(text, depth, inside=kind in ("inside", "param")), _black(text, depth, kind)
        if ours != want and ours == "    " * depth + text + "\n":
            one_line += 1
        else:
            assert ours == want, (length, text)
    assert one_line <= 30, one_line


@pytest.mark.parametrize(
    ("text", "depth", "expected"),
    [
        ("return f(a, b)", 2, "        return f(a, b)\n"),
        ("f(a, )", 0, "f(\n    a,\n)\n"),
        ("x = f('a', (b, ))", 1, '    x = f("a", (b,))\n'),
        ("n = 1E+5", 0, "n = 1e5\n"),
        (
            "from m import " + ", ".join(f"name{i}" for i in range(12)),
            0,
            "from m import (\n" + "".join(f"    name{i},\n" for i in range(12)) + ")\n",
        ),
        (
            "self." + "m" * 40 + " = async_to_raw_response(group." + "m" * 40 + ")",
            2,
            f"        self.{'m' * 40} = async_to_raw_response(\n            group.{'m' * 40}\n        )\n",
        ),
    ],
)
def test_examples(text: str, depth: int, expected: str) -> None:
    assert lay.layout(text, depth) == expected == _black(text, depth)


def test_unmodelled_shape_stays_on_one_line() -> None:
    text = "return (" + " + ".join(f"value_{i}" for i in range(20)) + ")"  # black splits at "+"
    assert lay.layout(text, 2) == "        " + text + "\n" != _black(text, 2)


@pytest.mark.parametrize("value", ['quote " backslash \\ brace } paren ) comma, ', "it's, (", "\x1b\n\t"])
def test_string_literals_pass_through_unchanged(value: str) -> None:
    literal = escape.str_literal(value + "x" * 60)
    text = f"return self._client._request(_endpoints.OP, {{{literal}: a, }}, timeout=timeout)"
    laid_out = lay.layout(text, 2)
    assert f"                {literal}: a,\n" in laid_out
    assert laid_out == _black(text, 2)
