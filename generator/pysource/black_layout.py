"""Lay out generated statements the way black would, so that black has little left to do.

Black still formats every file last (:mod:`oapigen.render.format`): this only saves it work. Its
expensive part is splitting long lines, and when its first pass changes anything it formats
the result a second time; on text already in its layout it does neither. Templates render a statement on one line and pass it through the ``layout`` filter
(:func:`layout`), which returns black's lines for it: the one line when it fits in 88
columns and has no magic trailing comma; otherwise split at the last bracket pair, the
content on one indented line when it fits (and is not a collection black always explodes),
else one element per line with a trailing comma, each element laid out the same way; a
chain of operators splits before each one (``| b``, ``else c``). Signatures split at their
parameters (black's left-hand split); ``return x(...)``, assignments, annotated assignments
(``name: Annotated[...] = value``: parentheses around both sides), annotations with ``|``
and conditional expressions follow black's rules for its invisible parentheses; decorators
split like calls; when the first line of a split is too long black tries the previous bracket
pair (``OPERATIONS["x"].serve(...)``), and passes over empty ones. Besides the filter,
:func:`statement_lines` serves the models view (:mod:`oapigen.models.relayout`).

These rules mirror ``black.linegen`` (``transform_line``, ``right_hand_split``,
``_maybe_split_omitting_optional_parens``, ``delimiter_split``, ``left_hand_split``) for the
shapes :mod:`oapigen.pysource.black_parse` models. A shape outside them raises ``Unsupported`` and
the statement stays on one line, as before: black splits it, only slower. Tests compare the
result with black on the repository's specs and on generated shapes of every length.
"""

from __future__ import annotations

import re

from ..core.memo import Memo
from .black_parse import (
    ATOMS,
    Group,
    Node,
    Token,
    Unsupported,
    element,
    group,
    matching,
    split_commas,
    tokenize,
    top_level,
)
from .black_parse import render as render_tokens

LINE_LENGTH = 88
INDENT = "    "
# What black may rewrite in a line that fits: a comma before a closing bracket (magic, or
# spaced as ", )"), a single-quoted string, a power operator it hugs, a number it normalizes
# (``1e+5``, ``.5``, ``0xab``).
_REWRITES = re.compile(r",\s*[)\]}]|'|\*\*|(?<![\w.])(?:\d[\d_]*(?:\.(?!\d)|[eEjJ]|\.\d+[eEjJ])|\.\d|0[xXoObB])")


def layout(text: str, depth: int = 0, inside: bool = False) -> str:
    """``text`` (one logical line at ``depth`` indents) in black's layout, every line indented
    and ending with a newline; ``inside``: an element inside brackets that black explodes
    anyway (a dict entry with its trailing comma). On a shape it does not model, the one line.
    """
    line = text.strip()
    laid_out = statement_lines(line, depth, inside)
    return f"{INDENT * depth}{line}\n" if laid_out is None else laid_out


def statement_lines(line: str, depth: int, inside: bool = False) -> str | None:
    """:func:`layout` of the stripped ``line``; None for a shape it does not model."""
    pad = INDENT * depth
    if len(pad) + len(line) <= LINE_LENGTH and line.isascii() and not _REWRITES.search(line):
        return f"{pad}{line}\n"  # black keeps it as it is
    # a regeneration lays out the same statements again: remembered across runs (core/memo.py)
    laid_out: str | None = _MEMO.get(f"{depth}\0{inside:d}\0{line}", lambda: _laid_out(line, depth, inside))
    return laid_out


_MEMO = Memo("layout", lambda value: value is None or isinstance(value, str))


def _laid_out(line: str, depth: int, inside: bool) -> str | None:
    try:
        lines = _element_line(line, depth) if inside else _statement(line, depth)
    except Unsupported:
        return None
    pad = INDENT * depth
    return "".join(f"{pad}{x}\n" if x else "\n" for x in lines)


def _fits(depth: int, text: str, limit: int = LINE_LENGTH) -> bool:
    return len(INDENT) * depth + _width(text) <= limit


def _width(text: str) -> int:
    """Columns, as black counts them (East Asian wide characters take two)."""
    if text.isascii():
        return len(text)
    from black.strings import str_width  # slow to import: only for non-ASCII text

    return int(str_width(text))


def _indent(lines: list[str]) -> list[str]:
    return [INDENT + x for x in lines]


# -- elements and bodies (black: delimiter_split, then right_hand_split) ----------------------


def node_lines(node: Node, depth: int, suffix: str) -> list[str]:
    """An element line (``node`` then ``suffix``, e.g. its comma) at ``depth``, inside
    brackets; the lines, indented relative to it."""
    text = node.text + suffix
    if not node.magic and _fits(depth, text):
        return [text]
    if node.pieces:  # delimiter_split, before each operator
        last = len(node.pieces) - 1
        return [x for k, p in enumerate(node.pieces) for x in node_lines(p, depth, suffix if k == last else "")]
    g = node.group
    if node.opaque or (g is None and node.magic):
        raise Unsupported("black would split inside an opaque part")
    if g is None:
        return [text]  # nothing to split at
    tail = ("" if g.kind == "invisible" else g.close) + node.suffix + suffix
    if not g.items:
        if node.alt is not None and not node.magic:  # black passes over empty brackets
            return _alt_lines(node.alt, depth, suffix)
        if len(tail.strip()) < 3:
            return [text]  # black: "not worth it"
        raise Unsupported("empty brackets")
    head = node.prefix + ("(" if g.kind == "invisible" else g.open)
    if node.bracketed and not (g.own_magic or (not node.magic and _fits(depth, head))):
        return _omitting_last(node, depth, suffix)
    if g.kind == "invisible":  # black keeps these parentheses: the content has 2+ delimiters
        return [head, *_indent(node_lines(g.items[0], depth + 1, "")), ")" + tail]
    return [head, *_indent(body_lines(g, depth + 1)), tail]


def _omitting_last(node: Node, depth: int, suffix: str) -> list[str]:
    """The line split at the previous bracket pair (``generate_trailers_to_omit``): black
    tries it when the first line of the split at the last pair is too long, if the text from
    that pair's closing bracket to the end fits, and keeps it if its first line fits."""
    if node.magic or node.alt is None:
        raise Unsupported("other trailers to omit")
    return _alt_lines(node.alt, depth, suffix)


def _alt_lines(alt: Node, depth: int, suffix: str, head: str = "") -> list[str]:
    """``alt`` (``head`` before it) split at its brackets, when its first and last lines fit."""
    g = alt.group
    if g is None or alt.bracketed or alt.magic or not g.items:
        raise Unsupported("other trailers to omit")
    tail = g.close + alt.suffix + suffix
    if not _fits(depth, tail) or not _fits(depth, head + alt.prefix + g.open):
        raise Unsupported("other trailers to omit")
    return [head + alt.prefix + g.open, *_indent(body_lines(g, depth + 1)), tail]


def body_lines(g: Group, depth: int, is_def: bool = False) -> list[str]:
    """The content of ``g`` after a split at its brackets, at ``depth``."""
    items = g.items
    trailing = g.trailing or g.kind == "import" or (is_def and len(items) == 1)
    text = ", ".join(i.text for i in items) + ("," if trailing else "")
    explode = len(items) > 1 and (trailing or g.kind in ATOMS)
    if not explode and not any(i.magic for i in items) and _fits(depth, text):
        return [text]
    if len(items) > 1:
        return [x for i in items for x in node_lines(i, depth, ",")]
    return node_lines(items[0], depth, "," if trailing else "")


# -- statements --------------------------------------------------------------------------------


def _element_line(line: str, depth: int) -> list[str]:
    tokens = tokenize(line)
    if not tokens or tokens[-1].text != ",":
        raise Unsupported("an element ends with its comma")
    return node_lines(element(tokens[:-1]), depth, ",")


def _statement(line: str, depth: int) -> list[str]:
    tokens = tokenize(line)
    if not tokens:
        return [line]
    first = tokens[0].text
    if first == "def" or (first == "async" and len(tokens) > 1 and tokens[1].text == "def"):
        return _def(tokens, depth)
    if first == "from":
        return _import(tokens, depth)
    if first == "class":
        return _class(tokens, depth)
    if first == "@" and len(tokens) > 1:  # a decorator: an expression after its "@"
        node = element(tokens[1:])
        if node.pieces or node.group is None or node.opaque or node.group.kind != "call":
            raise Unsupported("decorator")
        if not node.magic and _fits(depth, "@" + node.text):
            return ["@" + node.text]
        return _split_at("@" + node.prefix, node.group, node.suffix, depth, node.bracketed, node.magic)
    if len(tokens) > 2 and tokens[0].kind == "name" and tokens[1].text == ":" and first not in _NOT_TARGETS:
        return _annassign(tokens, depth)
    if first == "return" and len(tokens) > 1:
        return _invisible(tokens[:1], element(tokens[1:]), depth, assignment=False)
    equals = [i for i, t in top_level(tokens) if t.kind == "op" and t.text == "="]
    if len(equals) == 1:
        target, value = tokens[: equals[0] + 1], tokens[equals[0] + 1 :]
        if not value:
            raise Unsupported("nothing assigned")
        node = element(value)
        if node.group is not None and node.group.kind == "tuple":
            raise Unsupported("a tuple display keeps its own parentheses")
        return _invisible(target, node, depth, assignment=True)
    if equals or any(t.kind == "name" and t.text in ("if", "for", "while", "with", "import") for t in tokens[:1]):
        raise Unsupported("statement")
    node = element(tokens)
    if not node.magic and _fits(depth, node.text):
        return [node.text]
    if node.group is None or node.opaque or node.group.kind == "invisible":
        raise Unsupported("expression statement")
    return _split_at(node.prefix, node.group, "", depth, node.bracketed, node.magic)


_NOT_TARGETS = frozenset({"else", "try", "finally", "lambda", "match", "case", "elif", "if", "while", "for", "with"})


def _annassign(tokens: list[Token], depth: int) -> list[str]:
    """``name: annotation`` or ``name: annotation = value``: black wraps both the annotation
    and the value in invisible parentheses. It keeps the value's when the line up to ``=``
    fits (``_prefer_split_rhs_oop_over_rhs``); otherwise it splits in the annotation: at its
    parentheses when it has a ``|`` (or no brackets), else at its last bracket pair."""
    equals = [i for i, t in top_level(tokens) if t.kind == "op" and t.text == "="]
    end = equals[0] if equals else len(tokens)
    if len(equals) > 1 or end == 2 or end == len(tokens) - 1:
        raise Unsupported("annotated assignment")
    target, ann = tokens[0].text, element(tokens[2:end])
    value = element(tokens[end + 1 :]) if equals else None
    rest = f" = {value.text}" if value is not None else ""
    text = f"{target}: {ann.text}{rest}"
    if not (ann.magic or (value is not None and value.magic)) and _fits(depth, text):
        return [text]
    if value is not None and value.magic and not ann.magic and value.group is not None:
        return _invisible(tokens[: end + 1], value, depth, assignment=True)
    if ann.magic or ann.opaque or (value is not None and (value.magic or value.opaque or value.pieces)):
        raise Unsupported("annotated assignment")
    if value is not None:
        head0 = f"{target}: {ann.text} ="
        g = value.group
        if g is not None and not g.items and not (value.prefix or value.suffix):
            g = None  # ``[]``: black passes over empty brackets
        if g is not None:  # the value's own brackets: as for any assignment
            if value.bracketed or not g.items or g.kind == "invisible":
                raise Unsupported("value")
            oop_head = f"{head0} {value.prefix}{g.open}"
            if _fits(depth, oop_head):
                return [oop_head, *_indent(body_lines(g, depth + 1)), g.close + value.suffix]
            if not value.prefix and (g.kind == "tuple" or len(g.items) > 1 or g.trailing):
                raise Unsupported("a display black does not parenthesize")
        if _fits(depth, head0 + " ", LINE_LENGTH - 1):
            return [f"{head0} (", *_indent(node_lines(value, depth + 1, "")), ")"]
        # the first line of the split at the value's brackets is too long: black omits them
        # and splits in the annotation, if that first line fits
    if ann.pieces or ann.group is None:  # black keeps the parentheses
        if ann.group is None and not ann.pieces and " " not in ann.text and "." not in ann.text and not _fits(depth + 1, ann.text):
            raise Unsupported("an annotation black cannot split")
        lines = [f"{target}: (", *_indent(node_lines(ann, depth + 1, "")), ")" + rest]
    else:
        g = ann.group
        if ann.bracketed or ann.suffix or not g.items or g.kind == "invisible":
            raise Unsupported("annotation")
        lines = [f"{target}: {ann.prefix}{g.open}", *_indent(body_lines(g, depth + 1)), g.close + rest]
    paren_head = lines[0].endswith("(") and (value is None or not value.group or not value.group.items)
    if not ((paren_head or _fits(depth, lines[0])) and _fits(depth, lines[-1])):
        raise Unsupported("black would split these again")  # or take its "second opinion"
    return lines


def _split_at(prefix: str, g: Group, suffix: str, depth: int, bracketed: bool, magic: bool) -> list[str]:
    """black's right-hand split of ``prefix`` ``g`` ``suffix`` (no invisible parentheses)."""
    if not g.items:
        raise Unsupported("empty brackets")
    head = prefix + g.open
    if bracketed and not g.own_magic and not (not magic and _fits(depth, head)):
        raise Unsupported("other trailers to omit")
    tail = g.close + suffix
    if not _fits(depth, tail):
        raise Unsupported("the tail would be split again")
    return [head, *_indent(body_lines(g, depth + 1)), tail]


def _class(tokens: list[Token], depth: int) -> list[str]:
    text = render_tokens(tokens)
    if len(tokens) < 3 or tokens[2].text != "(":
        return [text]
    end = matching(tokens, 2)
    g = group(tokens[2 : end + 1], "class")
    suffix = "".join(t.ws + t.text for t in tokens[end + 1 :])
    if not g.magic and _fits(depth, text):
        return [text]
    return _split_at(render_tokens(tokens[:2]), g, suffix, depth, False, g.magic)


def _def(tokens: list[Token], depth: int) -> list[str]:
    """black's left-hand split: head ``def name(``, the parameters, tail ``) -> Ret:``."""
    start = next(i for i, t in enumerate(tokens) if t.text == "(")
    end = matching(tokens, start)
    params = group(tokens[start : end + 1], "def")
    head = render_tokens(tokens[:start]) + "("
    tail = ")" + "".join(t.ws + t.text for t in tokens[end + 1 :])
    text = head[:-1] + params.text + tail[1:]
    if not params.magic and _fits(depth, text):
        return [text]
    if not params.items or any(t.text == "[" for t in tokens[:start]):
        raise Unsupported("signature")
    lines = [head, *_indent(body_lines(params, depth + 1, is_def=True))]
    if _fits(depth, tail):
        return [*lines, tail]
    # black splits the tail at the invisible parentheses around the return annotation; it
    # keeps them when the annotation has a "|" (its only delimiters here)
    arrow = next((i for i in range(end + 1, len(tokens)) if tokens[i].text == "->"), None)
    if arrow is None or tokens[-1].text != ":" or arrow != end + 1:
        raise Unsupported("tail")
    returns = element(tokens[arrow + 1 : -1])
    g = returns.group
    annotation_tokens = tokens[arrow + 1 : -1]
    if len(annotation_tokens) == 1 and annotation_tokens[0].kind == "name" and not _fits(depth + 1, returns.text):
        # one name (not dotted) that does not fit inside the parentheses either: black leaves them out
        return [*lines, tail]
    if returns.pieces or g is None:  # the parentheses stay
        if returns.opaque:
            raise Unsupported("return annotation")
        annotation = [") -> (", *_indent(node_lines(returns, depth + 1, "")), "):"]
    elif g.kind == "subscript" and g.items and not (returns.bracketed or returns.suffix or returns.opaque):
        # no delimiters: black drops the parentheses and splits at the subscript
        annotation = [f") -> {returns.prefix}[", *_indent(body_lines(g, depth + 1)), "]:"]
    else:
        raise Unsupported("return annotation")
    if any(x.endswith(",") for x in annotation):
        # black adds trailing commas there, and on its second pass (it formats twice when the
        # first changes anything) they make it split the signature at the annotation instead
        raise Unsupported("an exploded return annotation")
    return [*lines, *annotation]


def _import(tokens: list[Token], depth: int) -> list[str]:
    """``from m import a, b``: black puts invisible parentheses around the names."""
    at = next((i for i, t in enumerate(tokens) if t.kind == "name" and t.text == "import"), None)
    if at is None or at + 1 >= len(tokens) or tokens[at + 1].text in ("(", "*"):
        raise Unsupported("import")
    parts, trailing = split_commas(tokens[at + 1 :])
    g = Group("import", [Node(render_tokens(p)) for p in parts], trailing)
    text = render_tokens(tokens[: at + 1]) + " " + g.text[1:-1]
    if not g.magic and _fits(depth, text):
        return [text]
    return [render_tokens(tokens[: at + 1]) + " (", *_indent(body_lines(g, depth + 1)), ")"]


def _invisible(target: list[Token], value: Node, depth: int, assignment: bool) -> list[str]:
    """``return value`` or ``target = value``: black wraps ``value`` in invisible parentheses,
    then prefers splitting at the value's own last bracket (``_prefer_split_rhs_oop``) and, if
    that leaves the first line too long, tries the parentheses (the "second opinion")."""
    head0 = render_tokens(target)
    text = f"{head0} {value.text}"
    if not value.magic and _fits(depth, text):
        return [text]
    g = value.group
    if g is None and assignment and not (value.pieces or value.opaque or value.magic) and not any(c in head0 for c in "([{"):
        # nothing to split but the parentheses: black adds them unless the value is one token
        # too long for its own line
        if len(tokenize(value.text)) == 1 and not _fits(depth + 1, value.text):
            return [text]
        return [f"{head0} (", *_indent([value.text]), ")"]
    if g is None or value.opaque or not g.items or g.kind == "invisible":
        raise Unsupported("value")
    if value.bracketed:
        # ``return OPERATIONS["x"].serve(...)``: black omits the invisible parentheses (one
        # attribute delimiter at most) and keeps the split at the last brackets if its first
        # line fits; otherwise it would try the other trailers
        head = f"{head0} {value.prefix}{g.open}"
        if assignment or value.prefix.count("].") > 1:
            raise Unsupported("other trailers to omit")
        body = [head, *_indent(body_lines(g, depth + 1)), g.close + value.suffix]
        if _fits(depth, head):
            return body
        # the first line is too long: black tries the previous bracket pair, then (if the text
        # after it does not fit) splits that first line there
        alt = value.alt
        if alt is None or alt.group is None:
            raise Unsupported("other trailers to omit")
        try:
            return _alt_lines(alt, depth, "", head0 + " ")
        except Unsupported:
            pass
        lines = _alt_lines(Node(alt.prefix, alt.group), depth, "", head0 + " ")
        between = value.prefix[len(alt.prefix) + len(alt.group.text) :]
        if value.prefix != alt.prefix + alt.group.text + between or not _fits(depth, lines[-1] + between + g.open):
            raise Unsupported("other trailers to omit")
        return [*lines[:-1], lines[-1] + between + g.open, *body[1:]]
    head_brackets = any(t.kind == "op" and t.text in "([{" for t in target)
    if head_brackets and not g.own_magic:
        raise Unsupported("other trailers to omit")
    oop_head = f"{head0} {value.prefix}{g.open}"
    paren_head = f"{head0} ("
    prefer_oop = (
        not assignment
        or not head_brackets
        or not _fits(depth, head0 + " ", LINE_LENGTH - 1)  # black measures "x = (" with the "(" invisible
        or _fits(depth, oop_head)
    )
    if not prefer_oop:
        return [paren_head, *_indent(node_lines(value, depth + 1, "")), ")"]
    if _fits(depth, oop_head):
        return [oop_head, *_indent(body_lines(g, depth + 1)), g.close]
    if head_brackets:  # black splits that first line again, at the target's last bracket pair
        t = element(target[:-1])
        tg = t.group
        if tg is None or t.pieces or t.opaque or t.bracketed or t.suffix or tg.kind != "subscript" or not tg.items:
            raise Unsupported("target")
        return [
            t.prefix + tg.open,
            *_indent(body_lines(tg, depth + 1)),
            f"{tg.close} = {value.prefix}{g.open}",
            *_indent(body_lines(g, depth + 1)),
            g.close,
        ]
    first = [oop_head, *_indent(body_lines(g, depth + 1)), g.close]
    second = [paren_head, *_indent(node_lines(value, depth + 1, "")), ")"]
    if all(_fits(depth, x) for x in second):
        return second
    return first


__all__ = ["INDENT", "LINE_LENGTH", "Unsupported", "layout", "statement_lines"]
