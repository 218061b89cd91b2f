"""What the models stage accepts back from datamodel-code-generator: ``models.py`` is code made
from untrusted text, so it is not taken on trust. Characters that must not appear raw in a file
(:data:`oapigen.core.escape.UNSAFE_CHARS`) are written as escapes inside string literals, and the
source must compile and contain only what model code contains: imports from typing, pydantic and
a few standard modules, classes with fields and docstrings, ``model_rebuild()`` calls; no field
names that merge or that pydantic reserves. Anything else is refused with a located
:class:`SpecError` (exit 2). Also: the parse shared by the models' readers, and shortened class
names.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from collections.abc import Iterable, Mapping

from ..core import escape, naming
from ..core.diagnostics import Diagnostic, SpecError
from ..core.memo import Memo
from ..core.naming import PROTECTED_PREFIXES, PYDANTIC_ATTRIBUTES
from .prepare import SCHEMAS, nfkc

# Modules models.py may import from (the first dotted component).
_ALLOWED_MODULES = frozenset(
    {"__future__", "typing", "typing_extensions", "enum", "pydantic", "pydantic_core", "annotated_types",
     "datetime", "uuid", "decimal", "ipaddress", "pathlib", "re", "collections"}
)
# What models.py may import from ``builtins`` (datamodel-code-generator aliases the types a field
# name shadows: ``from builtins import int as int_aliased``).
_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "frozenset", "type", "object"})
# Builtins model code never needs and injected code would.
_FORBIDDEN_NAMES = frozenset(
    {"eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr", "globals",
     "locals", "vars", "input", "breakpoint", "exit", "quit", "help", "__builtins__", "print"}
)
# Method calls model code makes on its own classes and values.
_ALLOWED_METHODS = frozenset({"model_rebuild", "model_validate", "model_dump", "model_construct"})
# Statements that bind a module-level name (``type X = ...`` only exists from Python 3.12).
_ASSIGNMENTS: tuple[type[ast.stmt], ...] = (ast.Assign, ast.AnnAssign, *((ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ()))


def _escape_strings(source: str) -> str:
    """``source`` with :data:`escape.UNSAFE_CHARS` written as escapes in string literals and
    comments; the values of the literals are unchanged."""
    if not escape.UNSAFE_CHARS.search(source):
        return source
    lines = io.StringIO(source).readlines()  # split as tokenize reads: on "\n" only
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits: list[tuple[int, int, str]] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.STRING, tokenize.COMMENT) or not escape.UNSAFE_CHARS.search(tok.string):
            continue
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        edits.append((start, end, _escaped_token(tok.type, tok.string)))
    for start, end, text in reversed(edits):
        source = source[:start] + text + source[end:]
    return source


def _escaped_token(kind: int, text: str) -> str:
    if kind == tokenize.COMMENT:
        return escape.comment(text)
    prefix = text[: len(text) - len(text.lstrip("rRbBuUfF"))].lower()
    value = ast.literal_eval(text) if "f" not in prefix else None
    if not isinstance(value, str):
        raise ValueError("a bytes or f-string literal with control characters")
    if "r" not in prefix:
        candidate = escape.visible(text)
        if ast.literal_eval(candidate) == value:
            return candidate
    return escape.str_literal(value)


def _fail(spec_name: str, pointer: str, message: str) -> SpecError:
    return SpecError(Diagnostic(spec_name, pointer, f"models: {message}; refusing to write models.py"))


class _ModelsChecker(ast.NodeVisitor):
    """Raises :class:`_Refused` (with the class it is in) on anything model code does not contain."""

    def __init__(self) -> None:
        self.where: str | None = None

    def fail(self, message: str) -> None:
        raise _Refused(message, self.where)

    def check_module(self, tree: ast.Module) -> None:
        self._unique(tree.body, "module")
        for stmt in tree.body:
            self.where = stmt.name if isinstance(stmt, ast.ClassDef) else None
            if isinstance(stmt, ast.ImportFrom):
                module = (stmt.module or "").split(".")[0]
                if module == "builtins" and not stmt.level and all(a.name in _BUILTIN_TYPES for a in stmt.names):
                    continue
                if stmt.level or module not in _ALLOWED_MODULES:
                    self.fail(f"imports from {stmt.module!r}")
            elif isinstance(stmt, ast.ClassDef):
                self.check_class(stmt)
            elif isinstance(stmt, ast.Expr) and _is_rebuild(stmt.value):
                continue
            elif isinstance(stmt, _ASSIGNMENTS) or is_docstring(stmt):
                self.visit(stmt)
            else:
                self.fail(f"a {type(stmt).__name__} statement at module level (line {stmt.lineno})")

    def check_class(self, cls: ast.ClassDef) -> None:
        for node in (*cls.bases, *cls.keywords, *cls.decorator_list):
            self.visit(node)
        self._unique(cls.body, f"class {cls.name}")
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                name = stmt.target.id
                if name.startswith(PROTECTED_PREFIXES) or name in PYDANTIC_ATTRIBUTES:
                    self.fail(f"field {name!r} is reserved by pydantic")
                self.visit(stmt)
            elif isinstance(stmt, ast.Assign | ast.Pass) or is_docstring(stmt):
                self.visit(stmt)
            elif isinstance(stmt, ast.FunctionDef) and stmt.decorator_list:
                self.visit(stmt)  # validators
            else:
                self.fail(f"a {type(stmt).__name__} statement in a class body (line {stmt.lineno})")

    def _unique(self, body: list[ast.stmt], scope: str) -> None:
        seen: dict[str, str] = {}
        for stmt in body:
            for name in _bound_names(stmt):
                key = nfkc(name)
                if key in seen:
                    if scope == "module":
                        self.where = name
                    self.fail(
                        f"{scope}: {name!r} is defined twice once Python normalizes identifiers (NFKC: "
                        "'\uff58' and 'x' are one name); rename one of the schemas or properties"
                    )
                seen[key] = name

    def visit_Import(self, node: ast.Import) -> None:
        self.fail(f"an import inside a definition (line {node.lineno})")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.fail(f"an import inside a definition (line {node.lineno})")

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id in _FORBIDDEN_NAMES:
            self.fail(f"uses {node.id!r} (line {node.lineno})")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("__"):
            self.fail(f"reads the attribute {node.attr!r} (line {node.lineno})")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr not in _ALLOWED_METHODS:
            self.fail(f"calls .{func.attr}() (line {node.lineno})")
        if not isinstance(func, ast.Name | ast.Attribute):
            self.fail(f"a computed call (line {node.lineno})")
        self.generic_visit(node)


class _Refused(Exception):
    def __init__(self, message: str, where: str | None) -> None:
        super().__init__(message)
        self.message, self.where = message, where


@functools.lru_cache(maxsize=1)
def parse_models(source: str) -> ast.Module:
    """The models source, parsed once per generation for its readers in this process (the
    models view and the API record of the manifest); they read the tree, never change it."""
    return ast.parse(source)


def is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_rebuild(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "model_rebuild"
        and isinstance(expr.func.value, ast.Name)
    )


def _bound_names(stmt: ast.stmt) -> list[str]:
    """Names ``stmt`` binds, as Python sees them (``ast`` gives them NFKC-normalized)."""
    if isinstance(stmt, ast.ClassDef | ast.FunctionDef):
        return [stmt.name]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.ImportFrom):
        return [a.asname or a.name for a in stmt.names]
    return []


# A string literal that is a forward reference (an annotation in quotes), and a name in it.
_FORWARD_REF = re.compile(r"""(['"])[A-Za-z_][\w\[\]., |]*\1""")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def shortened_class_names(source: str, names: Iterable[str]) -> tuple[str, dict[str, str]]:
    """``source`` with every class name longer than :data:`naming.MAX_LENGTH` shortened
    (:func:`naming.shorten_class_name`, deduplicated in name order), and the renames made.

    Only names are renamed: a NAME token equal to the class name that is not an attribute
    (``X.name``), and the names in a string that is a forward reference (``"list[Name]"``);
    other strings, comments and docstrings keep the spec's text.
    """
    names = sorted(set(names))
    long = [n for n in names if len(n) > naming.MAX_LENGTH]
    if not long:
        return source, {}
    taken = {n for n in names if len(n) <= naming.MAX_LENGTH}
    renames: dict[str, str] = {}
    owner: dict[str, str] = {}  # short name -> the long one it was made of
    for name in long:
        base = candidate = naming.shorten_class_name(name)
        if candidate in owner:  # shortened alike: keep the words the other name lacks
            words = naming.class_name_words(name)
            other = set(naming.class_name_words(owner[candidate]))
            candidate = naming.shorten_class_name(name, keep=frozenset(k for k, w in enumerate(words) if w not in other))
        n = 2
        while candidate in taken:  # numbered as the library numbers its classes
            candidate, n = f"{base}{n}", n + 1
        taken.add(candidate)
        owner.setdefault(candidate, name)
        owner.setdefault(base, name)
        renames[name] = candidate
    out: list[str] = []
    previous = ""
    lines = io.StringIO(source).readlines()
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    cursor = 0
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        new = None
        if tok.type == tokenize.NAME and tok.string in renames and previous != ".":
            new = renames[tok.string]
        elif tok.type == tokenize.STRING and _FORWARD_REF.fullmatch(tok.string):  # "list['Name']"
            new = _IDENTIFIER.sub(lambda m: renames.get(m[0], m[0]), tok.string)
        if new is not None and new != tok.string:
            start = offsets[tok.start[0] - 1] + tok.start[1]
            out.append(source[cursor:start] + new)
            cursor = start + len(tok.string)
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            previous = tok.string
    out.append(source[cursor:])
    return "".join(out), renames


def checked_source(source: str, spec_name: str, ref_by_class: Mapping[str, str]) -> str:
    """``source`` made safe to write, or a located SpecError saying why it cannot be."""
    source = escaped_source(source, spec_name)
    check_source(source, spec_name, ref_by_class)
    return source


def escaped_source(source: str, spec_name: str) -> str:
    """``source`` with unsafe characters written as escapes (the first half of
    :func:`checked_source`; :func:`check_source` is the second)."""
    try:
        return _escape_strings(source)
    except (SyntaxError, ValueError, tokenize.TokenError) as exc:
        raise _invalid(spec_name, exc) from None


def check_source(source: str, spec_name: str, ref_by_class: Mapping[str, str]) -> None:
    """A located SpecError unless ``source`` is valid Python made of plain models only. Parsed
    with :func:`parse_models`: the models view and the manifest's API record read that tree
    next, so the source is parsed once in the process that checks it. A source that passed
    is remembered (by its full text, :mod:`oapigen.core.memo`): a regeneration whose models did
    not change does not check them again; a refused one is checked every time."""
    _PASSED.get(source, lambda: _check_source(source, spec_name, ref_by_class))


def _passed(value: object) -> bool:
    return value == "passed"


_PASSED = Memo("models-checked", _passed)


def _check_source(source: str, spec_name: str, ref_by_class: Mapping[str, str]) -> str:
    try:
        tree = parse_models(source)
        compile(tree, "models.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise _invalid(spec_name, exc) from None
    try:
        _ModelsChecker().check_module(tree)
    except _Refused as refused:
        ref = ref_by_class.get(refused.where or "", "")
        pointer = ref.removeprefix("#") if ref.startswith("#/") else SCHEMAS
        raise _fail(spec_name, pointer, refused.message) from None
    return "passed"


def _invalid(spec_name: str, exc: Exception) -> SpecError:
    line = getattr(exc, "lineno", None)
    where = f" (line {line})" if line else ""
    return _fail(spec_name, SCHEMAS, f"datamodel-code-generator wrote invalid Python{where}: {exc}")


__all__ = ["check_source", "checked_source", "escaped_source", "is_docstring", "parse_models", "shortened_class_names"]
