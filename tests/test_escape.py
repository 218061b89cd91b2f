from __future__ import annotations

import ast

import pytest

from generator import escape

HOSTILE = [
    '"""',
    "'''",
    'end with quote"',
    "end with backslash\\",
    "new\nline",
    "carriage\rreturn",
    "nul\x00byte",
    "non-ASCII: é 日本 💥",
    "{{ jinja }} {% if x %}",
    '"""; import os; os.system("echo pwned") #',
    "\\N{BULLET} \\x41 \\u0041",
    "line sep\u2028here",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_str_literal_round_trips(text: str) -> None:
    assert ast.literal_eval(escape.str_literal(text)) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_is_one_string_statement(text: str) -> None:
    source = f"def f():\n    {escape.docstring(text, indent=4)}\n    return 1\n"
    tree = ast.parse(source)
    body = tree.body[0].body  # type: ignore[attr-defined]
    assert len(body) == 2 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)  # the text never runs: only a docstring


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_is_one_line(text: str) -> None:
    out = escape.comment(text)
    assert "\n" not in out and "\r" not in out and "\x00" not in out
    assert ast.parse(f"# {out}\nx = 1\n")


def test_docstring_keeps_readable_text() -> None:
    assert escape.docstring("Create a run.") == '"""Create a run."""'
    assert ast.literal_eval(escape.docstring('say "hi"')) == 'say "hi"'


def test_markdown_cell_cannot_break_the_table() -> None:
    cell = escape.md_cell("a | b\n<script>")
    assert "\n" not in cell and "|" not in cell.replace("\\|", "") and "<" not in cell.replace("\\<", "")
