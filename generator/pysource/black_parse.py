"""One logical line of generated Python, parsed into the bracket structure black splits on.

The subset is what the client templates emit: calls, subscripts, tuple/list/dict displays,
keyword arguments, dict pairs, parameters, ``a | b`` chains, conditional expressions as dict
values or keyword arguments, and ``def``/``class``/``return``/assignment/``from ... import``
statements (:mod:`oapigen.pysource.black_layout`). What falls outside (another operator black would split
at, a parenthesized expression, a bare conditional expression) becomes an *opaque* node: laid
out only where it fits on its line; anything else raises :class:`Unsupported`, and the caller
keeps the one-line form for black. String and number tokens are normalized the way black
normalizes them, so that widths match.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

ATOMS = frozenset({"tuple", "list", "dict", "import"})  # bracket kinds black always explodes
KEYWORD_DELIMITERS = frozenset({"if", "else", "and", "or", "not", "in", "is", "for", "async", "yield"})
OPENING = {"(": ")", "[": "]", "{": "}"}
CLOSING = frozenset(OPENING.values())

_TOKEN = re.compile(
    r"""(?P<ws>[ ]*)(?:
      (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
     |(?P<num>(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?|0[xXoObB][\da-fA-F_]+)
     |(?P<name>[^\W\d]\w*)
     |(?P<op>->|\*\*|[=!<>]=|//|<<|>>|:=|[-+*/%@&|^~<>()\[\]{},:.=])
    )""",
    re.VERBOSE,
)


class Unsupported(Exception):
    """The line has a shape the layout does not model: leave it to black."""


@dataclass(slots=True)
class Token:
    ws: str  # the spaces before it in the source
    text: str
    kind: str  # "str", "num", "name" or "op"


@dataclass(slots=True)
class Group:
    """A bracket pair: its items, whether a trailing comma ends them, and what kind it is
    (``call``, ``subscript``, ``class``, ``def``, ``import``, ``tuple``, ``list``, ``dict`` or
    ``invisible``: the parentheses black adds around a conditional expression or an annotation
    with ``|``)."""

    kind: str
    items: list[Node]
    trailing: bool
    text: str = ""
    magic: bool = False  # a magic trailing comma here or inside

    def __post_init__(self) -> None:
        inner = ", ".join(item.text for item in self.items) + ("," if self.trailing else "")
        self.text = inner if self.kind == "invisible" else self.open + inner + self.close
        self.magic = self.own_magic or any(item.magic for item in self.items)

    @property
    def open(self) -> str:
        return "[" if self.kind in ("list", "subscript") else "{" if self.kind == "dict" else "("

    @property
    def close(self) -> str:
        return OPENING[self.open]

    @property
    def own_magic(self) -> bool:
        """Black keeps the brackets exploded: a trailing comma that is not a one-tuple's
        (or a one-item subscript's)."""
        return self.trailing and (self.kind not in ("tuple", "subscript") or len(self.items) > 1)


@dataclass(slots=True)
class Node:
    """``prefix``, ``group``, ``suffix`` (``Reply(...)``, ``x: Literal[...] = NOT_GIVEN``), just
    ``prefix`` (an atom), or ``pieces`` joined by spaces (``a | b``, each piece but the first
    starting with its operator)."""

    prefix: str
    group: Group | None = None
    suffix: str = ""  # after the group: no brackets, no delimiters
    pieces: list[Node] | None = None
    opaque: bool = False  # black could split inside ``prefix``, in ways not modelled here
    bracketed: bool = False  # ``prefix`` has brackets of its own (``super().__init__``)
    magic_hint: bool = False  # an opaque prefix with a comma before a closing bracket
    alt: Node | None = None  # ``bracketed``: the same split at the previous bracket pair instead
    text: str = field(default="", init=False)
    magic: bool = field(default=False, init=False)  # a magic trailing comma inside

    def __post_init__(self) -> None:
        if self.pieces:
            self.text = " ".join(p.text for p in self.pieces)
            self.magic = any(p.magic for p in self.pieces)
            return
        self.text = self.prefix + (self.group.text if self.group else "") + self.suffix
        self.magic = self.group.magic if self.group else self.magic_hint


# -- tokens ------------------------------------------------------------------------------------


def tokenize(text: str) -> list[Token]:
    text = text.rstrip(" ")
    tokens: list[Token] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
        kind = m.lastgroup or ""
        token = m[kind]
        if kind == "str" and (token[0] == "'" or "\\" in token):
            token = normalize_string(token)
        elif kind == "num":
            token = normalize_number(token)
        tokens.append(Token(m["ws"], token, kind))
    if pos != len(text):
        raise Unsupported(f"cannot tokenize at {pos}")
    return tokens


def render(tokens: list[Token]) -> str:
    return "".join(t.ws + t.text for t in tokens).lstrip(" ")


_ESCAPED = {q: re.compile(rf"([^\\]|^)\\((?:\\\\)*){q}") for q in "'\""}
_UNESCAPED = {q: re.compile(rf"(([^\\]|^)(\\\\)*){q}") for q in "'\""}


def _sub_twice(regex: re.Pattern[str], replacement: str, text: str) -> str:
    return regex.sub(replacement, regex.sub(replacement, text))


def normalize_string(literal: str) -> str:
    """The quotes black prefers (``black.strings.normalize_string_quotes``, no prefixes)."""
    orig = literal[0]
    new = "'" if orig == '"' else '"'
    body = literal[1:-1]
    new_body = _sub_twice(_ESCAPED[new], rf"\1\2{new}", body)
    body = new_body  # unnecessary escapes removed either way
    new_body = _sub_twice(_ESCAPED[orig], rf"\1\2{orig}", new_body)
    new_body = _sub_twice(_UNESCAPED[new], rf"\1\\{new}", new_body)
    orig_escapes, new_escapes = body.count("\\"), new_body.count("\\")
    if new_escapes > orig_escapes or (new_escapes == orig_escapes and orig == '"'):
        return orig + body + orig
    return new + new_body + new


def _float(text: str) -> str:
    if "." not in text:
        return text
    before, after = text.split(".")
    return f"{before or 0}.{after or 0}"


def normalize_number(text: str) -> str:
    """``black.numerics.normalize_numeric_literal``."""
    text = text.lower()
    if text.startswith(("0o", "0b")):
        return text
    if text.startswith("0x"):
        return text[:2] + text[2:].upper()
    if "e" in text:
        before, after = text.split("e")
        sign = "-" if after.startswith("-") else ""
        return f"{_float(before)}e{sign}{after.lstrip('+-')}"
    if text.endswith("j"):
        return _float(text[:-1]) + "j"
    return _float(text)


# -- structure ---------------------------------------------------------------------------------


def matching(tokens: list[Token], start: int) -> int:
    """Index of the bracket paired with the one at ``start`` (after it for an opening bracket,
    before it for a closing one)."""
    step = 1 if tokens[start].text in OPENING else -1
    depth = 0
    i = start
    while 0 <= i < len(tokens):
        t = tokens[i].text if tokens[i].kind == "op" else ""
        if t in OPENING:
            depth += step
        elif t in CLOSING:
            depth -= step
        if depth == 0:
            return i
        i += step
    raise Unsupported("unbalanced brackets")


def top_level(tokens: list[Token]) -> list[tuple[int, Token]]:
    """The tokens outside any bracket pair, with their indices."""
    out: list[tuple[int, Token]] = []
    depth = 0
    for i, t in enumerate(tokens):
        op = t.text if t.kind == "op" else ""
        if op in CLOSING:
            depth -= 1
        if depth == 0:
            out.append((i, t))
        if op in OPENING:
            depth += 1
    if depth:
        raise Unsupported("unbalanced brackets")
    return out


def split_commas(tokens: list[Token]) -> tuple[list[list[Token]], bool]:
    """Top-level comma-separated parts, and whether a trailing comma ends them."""
    parts: list[list[Token]] = []
    start = 0
    for i, t in top_level(tokens):
        if t.kind == "op" and t.text == ",":
            parts.append(tokens[start:i])
            start = i + 1
    trailing = bool(parts) and start == len(tokens)
    if not trailing:
        parts.append(tokens[start:])
    if any(not part for part in parts) or (parts == [[]]):
        raise Unsupported("empty element")
    return parts, trailing


def _is_delimiter(tokens: list[Token], i: int) -> bool:
    """Could black split before or after ``tokens[i]`` (outside brackets)? A unary sign, a
    keyword argument's ``=``, a dict's ``:`` and attribute dots never are."""
    t = tokens[i]
    if t.kind == "name":
        return t.text in KEYWORD_DELIMITERS
    if t.kind != "op" or t.text in {".", "=", ":", *OPENING, *CLOSING}:
        return False
    if t.text in "-+~" and (i == 0 or tokens[i - 1].text in {"(", "[", "{", ",", "=", ":", "|", "**"}):
        return False  # unary
    return not (t.text == "*" and len(tokens) == 1)  # the keyword-only marker of a signature


def _delimiters(tokens: list[Token], tops: list[tuple[int, Token]] | None = None) -> list[int]:
    return [i for i, _ in (top_level(tokens) if tops is None else tops) if _is_delimiter(tokens, i)]


def _raw(tokens: list[Token]) -> str:
    return "".join(t.ws + t.text for t in tokens)


def group(tokens: list[Token], kind: str) -> Group:
    """``tokens``: from the opening bracket to its closing one."""
    inner = tokens[1:-1]
    if not inner:
        return Group(kind, [], False)
    parts, trailing = split_commas(inner)
    if kind == "tuple" and len(parts) == 1 and not trailing:
        raise Unsupported("parenthesized expression")
    return Group(kind, [element(part) for part in parts], trailing)


def _opaque(tokens: list[Token]) -> Node:
    return Node(render(tokens), opaque=True, magic_hint=_has_trailing_comma(tokens))


# black's delimiter priorities (``black.brackets``) for the operators modelled here
PRIORITIES = {"if": 16, "else": 16, "is": 10, "|": 9}


def _chain(tokens: list[Token], cuts: list[int] | None = None, parenthesized: bool = False) -> Node:
    """``a | b | c``, ``a if b else c``: black splits before each delimiter of the highest
    priority (``delimiter_split``), then lays out each piece on its own. A conditional
    expression only inside its invisible parentheses (``parenthesized``): elsewhere black
    may add them or not, depending on what surrounds it."""
    cuts = _delimiters(tokens) if cuts is None else cuts
    if any(tokens[i].text not in PRIORITIES for i in cuts) or (tokens[0].text in PRIORITIES and 0 in cuts):
        return _opaque(tokens)
    top = max(PRIORITIES[tokens[i].text] for i in cuts)
    if top == PRIORITIES["if"] and not parenthesized:
        return _opaque(tokens)
    cuts = [i for i in cuts if PRIORITIES[tokens[i].text] == top]
    pieces: list[Node] = []
    for start, end in itertools.pairwise([-1, *cuts, len(tokens)]):
        part = tokens[start + 1 : end]
        if not part:
            raise Unsupported("empty operand")
        node = element(part)
        pieces.append(_prefixed(tokens[start].text + part[0].ws, node) if start >= 0 else node)
    return Node("", pieces=pieces)


def _prefixed(op: str, node: Node) -> Node:
    """``node`` after its operator (``| x``, ``else f(y)``): a line black does not split at
    that operator, since nothing comes before it on the line."""
    if node.pieces:
        return Node("", pieces=[_prefixed(op, node.pieces[0]), *node.pieces[1:]])
    alt = _prefixed(op, node.alt) if node.alt is not None else None
    return Node(op + node.prefix, node.group, node.suffix, None, node.opaque, node.bracketed, node.magic_hint, alt)


def _ternary(tokens: list[Token], delimiters: list[int]) -> Node | None:
    """``key: a if b else c`` (or ``name=...``): black wraps the conditional expression in
    invisible parentheses, its own split point."""
    if not any(tokens[i].text == "if" for i in delimiters):
        return None
    if not (len(tokens) > 2 and tokens[1].kind == "op" and tokens[1].text in (":", "=") and tokens[0].kind in ("str", "name")):
        return None  # a bare one: black parenthesizes it unless it is alone in "(...)"
    start = 2
    value = tokens[start:]
    prefix = render(tokens[:start]) + value[0].ws
    return Node(prefix, Group("invisible", [_chain(value, parenthesized=True)], False))


def _parameter(tokens: list[Token], tops: list[tuple[int, Token]]) -> Node | None:
    """``name: A | B = default``: black wraps an annotation with ``|`` in invisible parentheses."""
    if not (len(tokens) > 2 and tokens[0].kind == "name" and tokens[1].text == ":" and tokens[1].kind == "op"):
        return None
    if tokens[0].text in KEYWORD_DELIMITERS or tokens[0].text == "lambda":
        return None
    end = next((i for i, t in tops if t.kind == "op" and t.text == "="), len(tokens))
    annotation, default = tokens[2:end], tokens[end:]
    if not annotation or not any(t.text == "|" and t.kind == "op" for i, t in tops if 2 <= i < end):
        return None
    if _delimiters(default) or any(t.text in OPENING for t in default):
        raise Unsupported("default value")
    return Node(f"{tokens[0].text}: ", Group("invisible", [_chain(annotation)], False), _raw(default))


def element(tokens: list[Token]) -> Node:
    """One element (an argument, a tuple item, a dict pair, a parameter) or an expression."""
    tops = top_level(tokens)
    parameter = _parameter(tokens, tops)
    if parameter is not None:
        return parameter
    delimiters = _delimiters(tokens, tops)
    ternary = _ternary(tokens, delimiters)
    if ternary is not None:
        return ternary
    if delimiters:
        return _chain(tokens, delimiters)
    closers = [i for i, t in tops if t.kind == "op" and t.text in CLOSING]
    if not closers:
        return _opaque(tokens) if any(t.kind == "op" and t.text in OPENING for t in tokens) else Node(render(tokens))
    node = _split_node(tokens, closers[-1], False)
    if node is None:
        return _opaque(tokens)
    if node.bracketed and len(closers) > 1:
        node.alt = _split_node(tokens, closers[-2], True)
    return node


def _split_node(tokens: list[Token], end: int, alt: bool) -> Node | None:
    """``tokens`` as prefix, the bracket pair closing at ``end`` and a suffix (with no
    brackets, unless ``alt``: the split black tries when it omits the last pair); None when
    that pair is not one black splits at."""
    suffix = tokens[end + 1 :]
    start = matching(tokens, end)
    prefix = tokens[:start]
    callee = bool(prefix) and (prefix[-1].kind == "name" or prefix[-1].text in CLOSING)
    if callee and prefix[-1].kind == "name" and prefix[-1].text in KEYWORD_DELIMITERS | {"lambda", "await"}:
        callee = False
    opener = tokens[start].text
    kind = {"(": "call" if callee else "tuple", "[": "subscript" if callee else "list", "{": "dict"}[opener]
    if (not alt and any(t.text in OPENING for t in suffix)) or (not callee and prefix and prefix[-1].text not in ("=", ":")):
        return None
    if alt and _delimiters(suffix):
        return None
    try:
        g = group(tokens[start : end + 1], kind)
    except Unsupported:
        return None
    bracketed = any(t.kind == "op" and t.text in OPENING for t in prefix)
    return Node(render(prefix) + (tokens[start].ws if prefix else ""), g, _raw(suffix), bracketed=bracketed)


def _has_trailing_comma(tokens: list[Token]) -> bool:
    """A comma right before a closing bracket: black may keep that pair exploded."""
    return any(a.text == "," and b.text in CLOSING for a, b in itertools.pairwise(tokens) if b.kind == "op")
