"""Escaping: the one place where text from a spec becomes part of generated source.

Spec text is untrusted. Templates never quote anything by hand; they call these helpers
(registered as Jinja filters) for each context: Python string literals, docstrings, comments,
and Markdown table cells.
"""

from __future__ import annotations

import re
import unicodedata

# Characters spec text may not carry raw into a generated file: C0 and C1 controls (but tab and
# newline), the line separators Python and black disagree about, bidirectional formatting
# ("Trojan Source", CVE-2021-42574), the BOM, and lone surrogates (not encodable as UTF-8).
UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_CONTROL = UNSAFE_CHARS


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def str_literal(value: str) -> str:
    """A Python string literal that evaluates to exactly ``value``."""
    literal = repr(str(value))
    if literal.startswith("'") and '"' not in value:
        # Same value; double quotes are what black would write anyway.
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _visible(ch: str) -> str:
    if ch == "\t":
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def visible(text: str) -> str:
    """``text`` with every :data:`UNSAFE_CHARS` character written as its escape (``\\x1b``).

    Inside a non-raw Python string literal the result evaluates to the same value; elsewhere
    (comments, Markdown) it shows the character instead of letting it act on a terminal.
    """
    return UNSAFE_CHARS.sub(lambda m: _visible(m[0]), text)


def docstring_body(text: str) -> str:
    """Text that can sit between triple double quotes and reads the same.

    Backslashes are doubled, every ``"`` that could close the literal is escaped, control
    characters become visible escapes, and a trailing quote or backslash is defused.
    """
    text = _normalize_newlines(str(text)).strip()
    text = text.replace("\\", "\\\\")
    text = _CONTROL.sub(lambda m: "\\" + _visible(m[0]), text)
    text = text.replace('"', '\\"')
    return "\n".join(line.rstrip() for line in text.split("\n"))


def docstring(text: str, indent: int = 0) -> str:
    """A complete docstring literal (``\"\"\"...\"\"\"``), indented by ``indent`` spaces after line 1."""
    body = docstring_body(text)
    pad = " " * indent
    lines = body.split("\n")
    if len(lines) == 1:
        return f'"""{body}"""'
    rest = "\n".join(pad + line if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{rest}\n{pad}"""'


def comment(text: str) -> str:
    """One line of text safe after ``#``: newlines and control characters become spaces."""
    text = _CONTROL.sub(" ", _normalize_newlines(str(text)).replace("\n", " "))
    return " ".join(text.split())


# a complete code span: a backtick run, text, the same run (CommonMark)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _md_text(text: str) -> str:
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def md_cell(text: str) -> str:
    """Text safe inside one Markdown table cell (and free of raw HTML). The spec's code spans
    (```name```) stay code spans: inside one, nothing is markup (and a backslash would show),
    so only ``|`` is escaped there, as a GFM table requires; everything else is escaped."""
    text = comment(text)
    out, end = [], 0
    for span in _CODE_SPAN.finditer(text):
        out += [_md_text(text[end:span.start()]), span[0].replace("|", "\\|")]
        end = span.end()
    return "".join([*out, _md_text(text[end:])])


def md_code(text: str) -> str:
    """Inline code span in a table cell: longest backtick run + 1 as the fence."""
    text = comment(text).replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", text)] or [0]
    fence = "`" * (max(runs) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def is_safe_identifier(name: str) -> bool:
    """True when ``name`` is ASCII and a valid identifier (used as a last line of defence)."""
    return name.isascii() and name.isidentifier() and unicodedata.normalize("NFKC", name) == name


def html_comment(text: str) -> str:
    """Text safe inside ``<!-- ... -->``."""
    return comment(text).replace("--", "- -").replace(">", "&gt;")
