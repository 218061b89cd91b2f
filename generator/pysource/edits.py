"""Replacing the source text of :mod:`ast` nodes, by position.

:mod:`ast` gives each node's line and column (columns count UTF-8 bytes); :func:`replace_nodes`
turns them into offsets in the text and applies the replacements from the end, so the earlier
ones keep their positions. The nodes must not overlap.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable


def replace_nodes(source: str, edits: Iterable[tuple[ast.expr, str]]) -> str:
    """``source`` with each node's text replaced by its string; duplicates are applied once."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, byte_col: int) -> int:
        return starts[line - 1] + len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))

    spans = sorted({(offset(n.lineno, n.col_offset), offset(n.end_lineno or n.lineno, n.end_col_offset or 0), text)
                    for n, text in edits}, reverse=True)
    for start, end, text in spans:
        source = source[:start] + text + source[end:]
    return source


def node_text(source: str, node: ast.expr) -> str:
    """The source text of ``node`` (as :func:`ast.get_source_segment`, never None)."""
    return ast.get_source_segment(source, node) or ast.unparse(node)


__all__ = ["node_text", "replace_nodes"]
