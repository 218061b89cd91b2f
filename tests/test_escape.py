from __future__ import annotations

import ast

import pytest
from oapigen.core import escape

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


# Every character the escape module must never let through raw, one of each kind.
UNSAFE = ["\x00", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\u061c", "\u200e", "\u200f",
          "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\ud800", "\udfff"]


def _escaped(ch: str) -> str:
    """How :func:`escape.visible` writes ``ch``: ``\\x1b`` below U+0100, ``\\u202e`` above."""
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


@pytest.mark.parametrize("ch", UNSAFE)
def test_docstring_value_shows_unsafe_characters_as_escapes(ch: str) -> None:
    """The docstring's VALUE (what help() and the IDE show) holds the visible escape, never the
    raw character (a bidi override there reorders what a reader sees: Trojan Source)."""
    text = f"before{ch}after"
    value = ast.literal_eval(escape.docstring(text))
    assert value == f"before{_escaped(ch)}after"
    assert not escape.UNSAFE_CHARS.search(value)


@pytest.mark.parametrize("ch", UNSAFE)
def test_unsafe_characters_never_reach_any_output(ch: str) -> None:
    text = f"a{ch}b"
    assert escape.visible(text) == f"a{_escaped(ch)}b"
    assert escape.comment(text) == "a b"
    for out in (escape.md_cell(text), escape.md_code(text), escape.html_comment(text)):
        assert not escape.UNSAFE_CHARS.search(out), out
    # a string literal keeps the value, written with escapes only
    literal = escape.str_literal(text)
    assert not escape.UNSAFE_CHARS.search(literal) and ast.literal_eval(literal) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Create a run.", "Create a run."),
        ('say "hi"', 'say "hi"'),
        ('q"""', 'q"""'),
        ('"', '"'),
        ("trail\\", "trail\\"),
        ("\\N{BULLET} \\x41", "\\N{BULLET} \\x41"),  # spec text, not escapes: kept as written
        ("tab\there", "tab\there"),
        ("  padded  ", "padded"),
        ("a  \nb\t\n", "a\nb\n"),  # trailing spaces of each line dropped
        ("a\r\nb\rc", "a\nb\nc\n"),  # Windows and old Mac newlines become \n
        ("a\n\n  b", "a\n\n  b\n"),  # several lines: the closing quotes on their own line
    ],
)
def test_docstring_value(text: str, value: str) -> None:
    assert ast.literal_eval(escape.docstring(text)) == value


def test_docstring_indents_the_lines_after_the_first() -> None:
    assert escape.docstring("a\nb\n\nc", indent=4) == '"""a\n    b\n\n    c\n    """'
    assert escape.docstring("one line", indent=8) == '"""one line"""'
    assert escape.docstring_body('x "y"\\\n z') == 'x \\"y\\"\\\\\n z'


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ("it's", '"it\'s"'),
        ('say "x"', "'say \"x\"'"),
        ("both ' and \"", "'both \\' and \"'"),
        ("nul\x00", '"nul\\x00"'),
        ("é", '"é"'),
    ],
)
def test_str_literal_is_what_black_would_write(text: str, literal: str) -> None:
    assert escape.str_literal(text) == literal
    assert ast.literal_eval(literal) == text


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("  a \t b\u2028c  ", "a b c"),
        ("line\r\nbreak\rhere\nend", "line break here end"),
        ("x\x1by", "x y"),
    ],
)
def test_comment_value(text: str, out: str) -> None:
    assert escape.comment(text) == out


def test_markdown_cell_escapes_every_markup_character() -> None:
    # a code span of the spec stays one (nothing is markup inside it; only | is escaped there)
    assert escape.md_cell("*a*_b_[c](d)`e` <x> | \\") == "\\*a\\*\\_b\\_\\[c\\](d)`e` \\<x\\> \\| \\\\"
    assert escape.md_cell("`<b>|x` and `") == "`<b>\\|x` and \\`"
    assert escape.md_cell("two\nlines") == "two lines"
    assert escape.md_cell("XX plain X") == "XX plain X"


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("name", "`name`"),
        ("a`b", "``a`b``"),
        ("a``b`", "``` a``b` ```"),  # fence longer than the longest run; padded at a backtick edge
        ("`x", "`` `x ``"),
        ("x`", "`` x` ``"),
        ("a|b", "`a\\|b`"),
        ("two\nlines", "`two lines`"),
        ("", "``"),
    ],
)
def test_markdown_code_span(text: str, out: str) -> None:
    assert escape.md_code(text) == out


@pytest.mark.parametrize(
    ("text", "out"),
    [("a-->b", "a- -&gt;b"), ("<!-- x -->", "<!- - x - -&gt;"), ("a\nb", "a b"), ("a--b", "a- -b")],
)
def test_html_comment_cannot_close_the_comment(text: str, out: str) -> None:
    assert escape.html_comment(text) == out
    assert "--" not in out and ">" not in out


@pytest.mark.parametrize(
    ("name", "safe"),
    [("abc", True), ("_x1", True), ("\uff41", False), ("é", False), ("1a", False), ("a-b", False), ("", False),
     ("\ufb01", False)],
)
def test_is_safe_identifier(name: str, safe: bool) -> None:
    assert escape.is_safe_identifier(name) is safe
