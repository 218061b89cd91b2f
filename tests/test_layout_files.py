"""Black finds nothing to change in the rendered server.py and models modules.

``server.py`` is laid out by the ``layout`` filter (``templates/server.py.jinja``), the models
modules by the models view (``generator/models/relayout.py``): black still formats both last,
chunk by chunk (``generator/render/format.py``), and a chunk it changes costs it a second pass. So
on the repo's specs, the hostile specs, a spec of long names and descriptions and the
split-models spec, every chunk of those files must come out of black as it went in; and the
relayout never changes a token (the AST is the same).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from oapigen.models import relayout as models_layout
from oapigen.render.format import _format_one
from oapigen.render.jinja import render_package
from oapigen.run.config import Job
from oapigen.run.pipeline import api_and_models

from .data.layout.long_spec import long_spec
from .data.models.split_spec import split_spec
from .test_layout import assert_black_keeps, laid_out_files


def _dump(source: str) -> str:
    """The AST, with class docstrings' whitespace normalized (black changes that too, and so
    compares them the same way)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        doc = node.body[0] if isinstance(node, ast.ClassDef) and node.body else None
        if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
            doc.value.value = "\n".join(line.strip() for line in doc.value.value.strip().splitlines())
    return ast.dump(tree)


def _rendered(job: Job) -> dict[str, str]:
    api, models_source, _ = api_and_models(job)
    return render_package(api, models_source, templates=job.template_dirs)


def test_black_keeps_the_split_models(tmp_path: Path) -> None:
    spec = tmp_path / "split.json"
    spec.write_text(json.dumps(split_spec()), encoding="utf-8")
    files = _rendered(Job(spec=spec, output=tmp_path, package="split"))
    assert "models/__init__.py" in files and len(laid_out_files(files)) > 6
    assert_black_keeps(files)


def test_relayout_changes_no_token(tmp_path: Path) -> None:
    spec = tmp_path / "long.json"
    spec.write_text(json.dumps(long_spec()), encoding="utf-8")
    _, source, _ = api_and_models(Job(spec=spec, output=tmp_path, package="long"))
    laid_out = models_layout.relayout(source)
    assert laid_out != source
    assert _dump(laid_out) == _dump(source)


DOCSTRINGS = [
    '    """\n    The config.\n    """\n',
    '    """\n    Trailing spaces.   \n      Indented more.\n    """\n',
    '    """\n        All indented more.\n        Still.\n    """\n',
    '    """Ends with a quote: "x\\""""\n',
    '    """One line, padded.   """\n',
    '    """\n    ' + "long " * 17 + '\n    ' + "x" * 84 + '"""\n',
    '    """\n\n    Blank lines\n\n\n    inside.\n    """\n',
    '    """\n    back\\\\slash and \\\\x41 (an escaped backslash)\n    """\n',
]


@pytest.mark.parametrize("docstring", DOCSTRINGS)
def test_class_docstrings_as_black_writes_them(docstring: str) -> None:
    source = f"class A:\n{docstring}    x: int\n"
    laid_out = models_layout.relayout(source)
    assert _format_one(laid_out) == laid_out
    assert _dump(laid_out) == _dump(source)


@pytest.mark.parametrize(
    "source",
    [
        "class A:\n    x: int = 1; y: int = 2\n",  # statements sharing a line
        "class A:\n    x: Annotated[int, Field(title='a')]  # a comment\n",
        "class A:\n    '''\n    Other quotes.\n    '''\n    x: int\n",
        "class A:\n    \"\"\"\\x4A escape\"\"\"\n    x: int\n",
        "def f(x='a'):\n    return x\n",
    ],
)
def test_what_it_does_not_model_stays(source: str) -> None:
    laid_out = models_layout.relayout(source)
    assert _dump(laid_out) == _dump(source)
    changed = [line for line in laid_out.splitlines() if line not in source.splitlines()]
    assert set(changed) <= {""}, changed  # at most the blank line after a docstring


def test_black_keeps_the_files_of_an_api_without_operations(tmp_path: Path) -> None:
    spec = tmp_path / "empty.json"
    schemas = {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}))
    files = _rendered(Job(spec=spec, output=tmp_path, package="empty"))
    assert "OPERATIONS: dict[str, ServerOperation] = {}" in files["server.py"]
    assert_black_keeps(files)
