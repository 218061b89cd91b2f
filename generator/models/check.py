"""What the models stage hands to datamodel-code-generator, and what it accepts back.

datamodel-code-generator escapes spec text well, but ``models.py`` is code made from untrusted
text, so oapigen does not take that on trust:

* **before**: property names Python or pydantic cannot use as they are get a Python name from
  :mod:`oapigen.core.naming`, passed as an alias (the wire name stays the field's alias): names
  that NFKC normalization would merge with another (``ﬁ`` and ``fi`` are one identifier to
  Python) and names in pydantic's protected namespaces (``model_dump...``, ``model_validate...``);
  enum values whose member names would merge the same way get ``x-enum-varnames``;
* **after**: characters that must not appear raw in a file (:data:`oapigen.core.escape.UNSAFE_CHARS`)
  are written as escapes inside string literals, and the source must compile and contain only
  what model code contains: imports from typing, pydantic and a few standard modules, classes
  with fields and docstrings, ``model_rebuild()`` calls; no field names that merge or that
  pydantic reserves. Anything else is refused with a located :class:`SpecError` (exit 2).
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..core import escape, naming
from ..core.diagnostics import Diagnostic, SpecError
from ..core.naming import PROTECTED_PREFIXES, PYDANTIC_ATTRIBUTES
from ..views.imports import import_name_key

SCHEMAS = "/components/schemas"

# Keywords whose values are data, not schemas: never walked for schemas or names.
_VALUE_KEYWORDS = frozenset({"enum", "const", "default", "example", "examples", "x-enum-varnames"})
# Keywords whose values map arbitrary names to schemas.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})

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


def _nfkc(name: str) -> str:
    return unicodedata.normalize("NFKC", name)


def iter_schemas(root: Any) -> Iterator[Mapping[str, Any]]:
    """Every schema object under ``root`` (a mapping of names to schemas, or a schema)."""
    stack: list[Any] = list(root.values()) if isinstance(root, Mapping) else [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, Mapping) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        for key, value in node.items():
            if key in _SCHEMA_MAPS and isinstance(value, Mapping):
                stack.extend(value.values())
            elif key not in _VALUE_KEYWORDS and not str(key).startswith("x-"):
                stack.append(value)


def _python_form(name: str) -> str:
    """Roughly the identifier datamodel-code-generator makes of a wire name."""
    return re.sub(r"\W", "_", _nfkc(name))


def needs_python_name(name: str) -> bool:
    """Whether a property name must get its Python name from oapigen rather than the library."""
    return _nfkc(name) != name or _python_form(name).startswith(PROTECTED_PREFIXES)


def field_aliases(schemas: Any) -> dict[str, str]:
    """Wire name -> Python field name, for every property name that :func:`needs_python_name`.

    The Python names are distinct from every property name of the document (in any spelling
    datamodel-code-generator could give it), so a field can never meet another one.
    """
    names: set[str] = set()
    for schema in iter_schemas(schemas):
        props = schema.get("properties")
        if isinstance(props, Mapping):
            names.update(str(k) for k in props)
    wanted = sorted(n for n in names if needs_python_name(n))
    if not wanted:
        return {}
    taken = names | {_python_form(n) for n in names} | {_python_form(n) + "_" for n in names}
    candidates = []
    for name in wanted:
        candidate = naming.snake(name, prefix="field", reserved={"field"})
        if candidate.startswith(PROTECTED_PREFIXES) or candidate in PYDANTIC_ATTRIBUTES:
            candidate = "field_" + candidate
        candidates.append(candidate)
    return dict(zip(wanted, naming.dedupe(candidates, taken), strict=True))


# Attributes of ``str``: a member of a string enum (a ``StrEnum``) named like one shadows the
# method, which ``mypy --strict`` rejects (``replace``, ``title``, ``count``...).
STR_ATTRIBUTES = frozenset(a for a in dir(str) if not a.startswith("_"))


def name_enum_members(schemas: Any) -> None:
    """Give ``x-enum-varnames`` to string enum values whose member names NFKC would merge, or
    that would shadow a method of ``str`` (``replace`` -> ``replace_``)."""
    for schema in iter_schemas(schemas):
        values = schema.get("enum")
        if not isinstance(values, list) or "x-enum-varnames" in schema or "x-enumNames" in schema:
            continue
        renamed = [isinstance(v, str) and (_nfkc(v) != v or _python_form(v) in STR_ATTRIBUTES) for v in values]
        if not any(renamed):
            continue
        taken = {_nfkc(v) for v, r in zip(values, renamed, strict=True) if isinstance(v, str) and not r}
        names: list[str | None] = []
        used = set(taken)
        for value, rename in zip(values, renamed, strict=True):
            if rename:
                name = naming.snake(value, prefix="value", reserved={"mro"} | STR_ATTRIBUTES)
                name = naming.dedupe([name], used)[0]
                used.add(name)
                names.append(name)
            else:
                names.append(None)
        if isinstance(schema, dict):
            schema["x-enum-varnames"] = names


# String formats datamodel-code-generator types as a plain ``str`` (e-mail addresses: pydantic's
# EmailStr needs the email-validator package), which would lose them: kept as ``x-format``, which
# the library writes back as ``format`` into the field's JSON schema (``json_schema_extra``).
PLAIN_STRING_FORMATS = frozenset(
    {"email", "idn-email", "uri-reference", "iri", "iri-reference", "idn-hostname", "uri-template",
     "json-pointer", "relative-json-pointer", "regex"}
)
KEPT_FORMAT = "x-format"


def keep_plain_string_formats(schemas: Any) -> None:
    """Give ``x-format`` to string schemas of the :data:`PLAIN_STRING_FORMATS`, so that the
    models' JSON schemas (the mock's source, /openapi.json) keep the format; a spec's own
    ``x-format`` is dropped from the library's copy, where it would become a ``format``."""
    for schema in iter_schemas(schemas):
        if not isinstance(schema, dict):
            continue
        schema.pop(KEPT_FORMAT, None)
        kind, fmt = schema.get("type"), schema.get("format")
        strings = kind == "string" or (isinstance(kind, list) and "string" in kind)
        if strings and isinstance(fmt, str) and fmt in PLAIN_STRING_FORMATS:
            schema[KEPT_FORMAT] = fmt


# Generic types the library writes for a JSON array (its items are the subscript) and object
# map (its values are the second subscript).
_SEQUENCE_TYPES = frozenset({"list", "set", "frozenset", "Sequence", "List", "Set", "FrozenSet"})
_MAP_TYPES = frozenset({"dict", "Dict", "Mapping"})


def keep_item_formats(source: str, metadata: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    """``source`` with the formats of plain-string array items and map values kept.

    The library writes ``x-format`` (:func:`keep_plain_string_formats`) only into a *field's*
    ``json_schema_extra``: ``emails: {type: array, items: {type: string, format: email}}``
    became ``list[str]``, whose JSON schema (the mock's source, /openapi.json) has no format.
    Each such ``str``, found by walking the field's annotation beside its property schema (the
    model metadata names the schema of every class and the wire name of every field), becomes
    ``Annotated[str, Field(json_schema_extra={"format": ...})]``, which pydantic writes into the
    items' schema. Anything the walk does not recognise is left as the library wrote it.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source  # checked_source reports it
    fields: dict[tuple[str, str], Mapping[str, Any]] = {}
    for model in metadata.get("models", []):
        schema = _at_path(document, model.get("source_path"))
        for field in model.get("fields", []) if isinstance(schema, Mapping) else ():
            wire = field.get("original_name")
            prop = schema if wire is None and field.get("name") == "root" else _property(schema, wire)
            if isinstance(prop, Mapping):
                fields[(str(model.get("class_name")), str(field.get("name")))] = prop
    strings = {"str"} | {a.asname for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "builtins"
                         for a in n.names if a.name == "str" and a.asname}
    edits: list[tuple[ast.expr, str]] = []
    for cls in [c for c in tree.body if isinstance(c, ast.ClassDef)]:
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                prop = fields.get((cls.name, stmt.target.id))
                if prop is not None:
                    edits += _item_strings(stmt.annotation, prop, strings, top=True)
    names = _imported_names(tree)
    class_attributes = {t.id for c in tree.body if isinstance(c, ast.ClassDef) for s in c.body
                        for t in ([s.target] if isinstance(s, ast.AnnAssign) else getattr(s, "targets", []))
                        if isinstance(t, ast.Name)}
    annotated, field_name = names.get(("typing", "Annotated")), names.get(("pydantic", "Field"))
    if not edits or (annotated is None and "Annotated" in class_attributes) or (
            field_name is None and "Field" in class_attributes):
        return source
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, byte_col: int) -> int:  # ast columns count UTF-8 bytes
        return starts[line - 1] + len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))

    spans = sorted({(offset(n.lineno, n.col_offset), offset(n.end_lineno or n.lineno, n.end_col_offset or 0), fmt)
                    for n, fmt in edits}, reverse=True)
    for start, end, fmt in spans:
        extra = "{" + escape.str_literal("format") + ": " + escape.str_literal(fmt) + "}"
        text = f"{annotated or 'Annotated'}[{source[start:end]}, {field_name or 'Field'}(json_schema_extra={extra})]"
        source = source[:start] + text + source[end:]
    return _with_imports(source, tree, [("typing", "Annotated")] * (annotated is None) + [("pydantic", "Field")] * (field_name is None))


def _at_path(document: Mapping[str, Any], path: Any) -> Any:
    node: Any = document
    for part in path if isinstance(path, list) else [None]:
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, str) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _property(schema: Mapping[str, Any], wire: Any) -> Any:
    """The schema of property ``wire`` in ``schema`` or in an inline member of its ``allOf``."""
    for part in [schema, *(m for m in schema.get("allOf") or [] if isinstance(m, Mapping) and "$ref" not in m)]:
        props = part.get("properties")
        if isinstance(props, Mapping) and wire in props:
            return props[wire]
    return None


def _item_strings(node: ast.expr, schema: Mapping[str, Any], strings: set[str], *, top: bool) -> list[tuple[ast.expr, str]]:
    """The ``str`` names in annotation ``node`` that stand for a string with a kept format in
    ``schema`` below its top (the library keeps the top's own format)."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Annotated":
        node = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice
    members: list[ast.expr] = []
    stack = [node]
    while stack:  # the members of X | Y | None
        member = stack.pop()
        if isinstance(member, ast.BinOp) and isinstance(member.op, ast.BitOr):
            stack += [member.right, member.left]
        else:
            members.append(member)
    found: list[tuple[ast.expr, str]] = []
    fmt = schema.get(KEPT_FORMAT)
    if not top and isinstance(fmt, str):
        found += [(m, fmt) for m in members if isinstance(m, ast.Name) and m.id in strings]
    items, values = schema.get("items"), schema.get("additionalProperties")
    for m in members:
        if not (isinstance(m, ast.Subscript) and isinstance(m.value, ast.Name)):
            continue
        if m.value.id in _SEQUENCE_TYPES and isinstance(items, Mapping):
            found += _item_strings(m.slice, items, strings, top=False)
        elif m.value.id in _MAP_TYPES and isinstance(values, Mapping) and isinstance(m.slice, ast.Tuple) and len(m.slice.elts) == 2:
            found += _item_strings(m.slice.elts[1], values, strings, top=False)
    return found


def _imported_names(tree: ast.Module) -> dict[tuple[str, str], str]:
    """(module, name) -> the name it is bound to, for the module's ``from m import name``."""
    return {(n.module or "", a.name): a.asname or a.name
            for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}


def _with_imports(source: str, tree: ast.Module, wanted: list[tuple[str, str]]) -> str:
    """``source`` with ``from module import name`` for each of ``wanted``, merged into the
    module's one-line import of that module when it has one."""
    lines = source.splitlines(keepends=True)
    for module, name in wanted:
        node = next((n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == module and n.level == 0
                     and n.lineno == n.end_lineno and all(a.asname is None for a in n.names)), None)
        if node is None:  # after the first import (the models' header comments stay first)
            first = next((n.end_lineno or 0 for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)), 0)
            lines.insert(first, f"from {module} import {name}\n")
            tree = ast.parse("".join(lines))
            continue
        names = sorted({a.name for a in node.names} | {name}, key=import_name_key)
        lines[node.lineno - 1] = f"from {module} import {', '.join(names)}\n"
    return "".join(lines)


def name_union_variants(schemas: dict[str, Any]) -> None:
    """Give the inline object variants of a component's ``anyOf``/``oneOf`` a name of their own.

    The models library numbers them after their parent (``ResponsesServerEvent1`` ... ``37``).
    A variant with a ``title``, or a discriminator value (its ``propertyName``'s, else its
    ``type`` property's ``const`` or one-value ``enum``), is moved to a component named by it:
    the title as it is when free (``BetaResponseAudioWsDelta``), else the parent and the title
    or value (``ResponsesServerEventResponseAudioDelta``); the union refers to it.
    """
    taken = {name.lower() for name in schemas}
    for parent in list(schemas):
        schema = schemas[parent]
        if not isinstance(schema, dict):
            continue
        disc = schema.get("discriminator")
        prop = disc.get("propertyName") if isinstance(disc, Mapping) else None
        for key in ("anyOf", "oneOf"):
            members = schema.get(key)
            if not isinstance(members, list):
                continue
            for i, member in enumerate(members):
                if not isinstance(member, dict) or "$ref" in member or not ("properties" in member or "allOf" in member):
                    continue
                title = member.get("title") if isinstance(member.get("title"), str) else None
                label = title or _variant_value(member, prop if isinstance(prop, str) else "type")
                if not label:
                    continue
                candidates = [naming.pascal(title)] if title else []
                candidates.append(naming.pascal(f"{parent} {label}"))
                name = next((c for c in candidates if c.lower() not in taken), None)
                if name is None or name.startswith("N_"):
                    continue
                taken.add(name.lower())
                schemas[name] = member
                members[i] = {"$ref": "#/components/schemas/" + name}


def _variant_value(member: Mapping[str, Any], prop: str) -> str | None:
    """The one value ``member`` admits for the property ``prop`` (looking into its ``allOf``)."""
    for part in [member, *(p for p in member.get("allOf") or [] if isinstance(p, Mapping))]:
        props = part.get("properties")
        spec = props.get(prop) if isinstance(props, Mapping) else None
        if isinstance(spec, Mapping):
            if isinstance(spec.get("const"), str):
                return str(spec["const"])
            enum = spec.get("enum")
            if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
                return enum[0]
    return None


# Keywords of a schema that constrain only a scalar (what an enum's siblings may carry and still
# be folded into it).
_SCALAR_KEYWORDS = frozenset(
    {"type", "format", "enum", "const", "nullable", "description", "title", "default", "example",
     "examples", "deprecated", "readOnly", "writeOnly", "pattern", "minLength", "maxLength",
     "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "$ref", "allOf"}
)


def narrow_enums(schemas: Any, resolve: Callable[[str], Any]) -> None:
    """Fold ``allOf: [$ref]`` (or a 3.1 sibling ``$ref``) into an ``enum`` or ``const`` beside it.

    ``{enum: [circle], allOf: [{$ref: ShapeKind}]}`` admits only ``circle``: both must hold. The
    models library keeps the referenced enum and drops the sibling, so ``Circle.kind`` would take
    any ``ShapeKind`` and a ``Circle | Square`` union would read a square as a circle. When
    every member is a scalar schema (a referenced enum, a string with a format...), the schema
    becomes one enum: its own values that every member admits (in its order), with the members'
    ``type`` and ``format`` where it has none.
    """
    for schema in list(iter_schemas(schemas)):
        own = schema.get("enum") if isinstance(schema.get("enum"), list) else (
            [schema["const"]] if "const" in schema else None)
        members = list(schema.get("allOf") or []) if isinstance(schema.get("allOf"), list) else []
        if isinstance(schema.get("$ref"), str):
            members.append({"$ref": schema["$ref"]})
        if own is None or not members or not isinstance(schema, dict):
            continue
        resolved = [_scalar_member(m, resolve) for m in members]
        if any(r is None for r in resolved):
            continue  # an object, a union...: not a narrowing this can fold
        values = [v for v in own if all(_admits(r, v) for r in resolved if r is not None)]
        if not values:
            continue  # nothing fits both: leave it to the library (and the validator)
        for r in resolved:
            for key in ("type", "format", "nullable"):
                if r is not None and key in r and key not in schema:
                    schema[key] = r[key]
        schema.pop("allOf", None)
        schema.pop("$ref", None)
        schema.pop("const", None)
        schema["enum"] = values


def _scalar_member(member: Any, resolve: Callable[[str], Any], depth: int = 0) -> Mapping[str, Any] | None:
    """The schema a ``$ref`` chain leads to, if it constrains only a scalar (no allOf of its own)."""
    while isinstance(member, Mapping) and isinstance(member.get("$ref"), str) and depth < 16:
        member, depth = resolve(member["$ref"]), depth + 1
    if not isinstance(member, Mapping) or "allOf" in member or "$ref" in member:
        return None
    if any(key not in _SCALAR_KEYWORDS and not str(key).startswith("x-") for key in member):
        return None
    return member


def _admits(schema: Mapping[str, Any], value: Any) -> bool:
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        return False
    return "const" not in schema or schema["const"] == value


# -- the output ---------------------------------------------------------------------------------


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


class _Checker(ast.NodeVisitor):
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
                key = _nfkc(name)
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
    for name in long:
        base = candidate = naming.shorten_class_name(name)
        n = 2
        while candidate in taken:  # numbered as the library numbers its classes
            candidate, n = f"{base}{n}", n + 1
        taken.add(candidate)
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
    try:
        source = _escape_strings(source)
        tree = ast.parse(source)
        compile(tree, "models.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, tokenize.TokenError) as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise _fail(spec_name, SCHEMAS, f"datamodel-code-generator wrote invalid Python{where}: {exc}") from None
    try:
        _Checker().check_module(tree)
    except _Refused as refused:
        ref = ref_by_class.get(refused.where or "", "")
        pointer = ref.removeprefix("#") if ref.startswith("#/") else SCHEMAS
        raise _fail(spec_name, pointer, refused.message) from None
    return source


__all__ = [
    "PROTECTED_PREFIXES",
    "PYDANTIC_ATTRIBUTES",
    "checked_source",
    "field_aliases",
    "is_docstring",
    "iter_schemas",
    "name_enum_members",
    "name_union_variants",
    "narrow_enums",
    "needs_python_name",
    "shortened_class_names",
]
