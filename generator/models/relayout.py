"""datamodel-code-generator's source in black's layout, statement by statement.

The models modules are that library's output, unformatted: single-quoted strings, long
``Annotated[..., Field(...)]`` fields on one line, no blank line after a class docstring.
Black still formats them last (:mod:`oapigen.render.format`); laid out here first, it finds
nothing to change and makes one cheap pass instead of two.

:func:`relayout` walks the module's statements (found by :mod:`ast`, so never inside a string):
imports, class headers, and the simple statements of a class body go through
:func:`oapigen.pysource.black_layout.statement_lines`; a class docstring gets black's docstring
normalization and the blank line black puts after it. Anything else (comments, statements
sharing a line, other compound statements, attribute docstrings, a shape the layout does not
model) stays exactly as it was. Only line breaks, indentation and the quotes black prefers
change, never a token.
"""

from __future__ import annotations

import ast
import re
import sys

from ..pysource.black_layout import INDENT, LINE_LENGTH, statement_lines
from .verify import is_docstring

# a backslash before a line break (black leaves the docstring alone), or a \\x, \\u, \\U or \\N
# escape (black lowercases their hex digits)
_ESCAPE = re.compile(r"\\\s*\n|(?<!\\)(?:\\\\)*\\[xuUN]")
_SIMPLE = (ast.Assign, ast.AnnAssign, ast.Expr, ast.ImportFrom, ast.Import, ast.Pass)


def relayout(source: str) -> str:
    """``source`` with each statement laid out as black would; ``source`` itself when it does
    not parse or has line endings other than ``\\n``."""
    lines = source_lines(source)
    if lines is None:
        return source
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    out: list[str] = []
    end = _body(tree.body, lines, 0, 0, out)
    out.extend(lines[end:])
    return "".join(out)


def source_lines(source: str) -> list[str] | None:
    """``source``'s lines as :mod:`ast` numbers them; None for line endings other than ``\\n``."""
    if "\r" in source or "\f" in source or not source.endswith("\n"):
        return None
    return [line + "\n" for line in source.split("\n")[:-1]]


def first_line(stmt: ast.stmt) -> int:
    """The 0-based line a statement starts on: its first decorator's, if it has any."""
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)]) - 1


def layout_statement(stmt: ast.stmt, lines: list[str]) -> str:
    """One top-level statement of the module whose :func:`source_lines` are ``lines``, from its
    first decorator, laid out (or as it was)."""
    return _statement(stmt, lines, first_line(stmt), stmt.end_lineno or stmt.lineno, 0, False)


def _body(body: list[ast.stmt], lines: list[str], depth: int, cursor: int, out: list[str]) -> int:
    """Lay out the statements of one block into ``out``; ``cursor``: the first line (0-based)
    not copied yet. Returns the new cursor (where it stopped: at a line two statements share)."""
    for index, stmt in enumerate(body):
        start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))]) - 1
        if start < cursor:  # shares a line with the previous statement: leave the rest
            return cursor
        gap = lines[cursor:start]
        if index == 1 and depth and is_docstring(body[0]) and not any(x.strip() for x in gap):
            gap = ["\n"]  # black: one blank line after a class docstring
        out.extend(gap)
        end = stmt.end_lineno or stmt.lineno
        out.append(_statement(stmt, lines, start, end, depth, index == 0))
        cursor = end
    return cursor


def _statement(stmt: ast.stmt, lines: list[str], start: int, end: int, depth: int, first: bool) -> str:
    """Lines ``start:end`` (the statement ``stmt``) as black lays them out, or as they are."""
    own = lines[start:end]
    verbatim = "".join(own)
    pad = INDENT * depth
    if not own[0].startswith(pad) or own[0][len(pad) : len(pad) + 1].isspace():
        return verbatim  # not indented as black indents it
    if isinstance(stmt, ast.ClassDef):
        return _class(stmt, lines, start, end, depth) or verbatim
    if not isinstance(stmt, _SIMPLE):
        return verbatim
    if is_docstring(stmt):  # a class docstring; black leaves any other string statement alone
        return (_docstring(verbatim, depth) if first and depth else None) or verbatim
    if len(own) > 1 and any(("#" in x or '"""' in x or "'''" in x or x.rstrip().endswith("\\")) for x in own):
        return verbatim
    text = " ".join(x.strip() for x in own)
    return statement_lines(text, depth) or verbatim


def _class(stmt: ast.ClassDef, lines: list[str], start: int, end: int, depth: int) -> str | None:
    """A class: its header (one line, no decorators) laid out, then its body."""
    if stmt.decorator_list or stmt.body[0].lineno != stmt.lineno + 1 or stmt.body[0].col_offset != len(INDENT) * (depth + 1):
        return None
    header = lines[start].strip()
    if not header.endswith(":") or "#" in header:
        return None
    laid_out = statement_lines(header, depth)
    if laid_out is None:
        return None
    out = [laid_out]
    if _body(stmt.body, lines, depth + 1, start + 1, out) != end:
        return None
    return "".join(out)


def _docstring(text: str, depth: int) -> str | None:
    """Black's docstring normalization (``LineGenerator.visit_STRING``) of a class docstring
    written as ``\"\"\"...\"\"\"`` on its own lines; None for anything else (a prefix, other quotes,
    an escape black rewrites, a backslash before a line break: black leaves those alone)."""
    indent = INDENT * depth
    body = text.strip()
    if not (text.startswith(indent + '"""') and text.endswith('"""\n') and len(body) >= 6):
        return None
    if _ESCAPE.search(body) or not body.replace("\n", "").isprintable():
        return None
    docstring = body[3:-3]
    if '"""' in docstring or "\t" in docstring:
        return None
    started_empty = not docstring
    docstring = _fix_multiline(docstring, indent) if "\n" in body else docstring.strip()
    if docstring:
        if docstring[0] == '"':
            docstring = " " + docstring
        if docstring[-1] == '"':
            docstring += " "
        if docstring[-1] == "\\" and (len(docstring) - len(docstring.rstrip("\\"))) % 2:
            return None  # black pads it and keeps the quotes on that line
    elif not started_empty:
        docstring = " "
    last = docstring.splitlines()[-1] if docstring and not docstring.endswith("\n") else ""
    if "\n" in docstring and len(last) + 3 > LINE_LENGTH and len(indent) + 3 <= LINE_LENGTH:
        if body[-4] == "\n":
            return f'{indent}"""{docstring}"""\n'
        return f'{indent}"""{docstring}\n{indent}"""\n'
    return f'{indent}"""{docstring}"""\n'


def _fix_multiline(docstring: str, prefix: str) -> str:
    """``black.strings.fix_multiline_docstring`` (PEP 257 indentation), for text without tabs."""
    lines = docstring.split("\n")
    indent = sys.maxsize
    for line in lines[1:]:
        stripped = line.lstrip()
        if stripped:
            indent = min(indent, len(line) - len(stripped))
    trimmed = [lines[0].strip()]
    if indent < sys.maxsize:
        last = len(lines) - 2
        for i, line in enumerate(lines[1:]):
            stripped_line = line[indent:].rstrip()
            if stripped_line or i == last:
                trimmed.append(prefix + stripped_line)
            else:
                trimmed.append("")
    return "\n".join(trimmed)


__all__ = ["layout_statement", "relayout", "source_lines"]
