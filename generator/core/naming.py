"""Names: the one sanitizer for every Python identifier oapigen writes.

Rules (documented in the README, relied on by client, server and ``inspect``):

* words are split on non-alphanumerics and on camelCase / acronym boundaries, then joined as
  ``snake_case`` (functions, parameters, modules, groups) or ``PascalCase`` (classes);
* non-ASCII letters are transliterated (NFKD, accents dropped); what cannot be becomes ``_``;
* a name that starts with a digit gets a prefix naming its kind (``op_``, ``param_``, ...);
* Python keywords, soft keywords and names reserved by the context get a trailing ``_``;
* a name that is empty after all this becomes ``<prefix>_<8 hex chars of sha256(original)>``;
* collisions inside one namespace are resolved in a stable order by appending ``_2``, ``_3``...
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import unicodedata
from collections.abc import Iterable, Sequence

from .contract import HTTP_METHODS

_WORD_BOUNDARY = re.compile(r"([a-z])(?=[A-Z])|([0-9])(?=[A-Z][a-z])|([A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")

RESERVED_WORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
# The builtins (``Exception``, ``Ellipsis``...): a class of the models module named like one
# shadows it there, and for anyone importing the models.
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """Split any spec name into lower-case ASCII words."""
    text = _ascii(text)
    text = _WORD_BOUNDARY.sub(lambda m: m[0] + "_", text)
    return [w.lower() for w in _NON_WORD.split(text) if w]


def _finish(name: str, original: str, prefix: str, reserved: Iterable[str]) -> str:
    if not name:
        digest = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        return f"{prefix}_{digest}"
    if name[0].isdigit():
        name = f"{prefix}_{name}"
    if name in RESERVED_WORDS or name in reserved:
        name += "_"
    return name


MAX_LENGTH = 64
"""Identifiers longer than this are shortened (:func:`shorten`): specs have names of 112 characters."""

_CAPITALS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def shorten(parts: list[str], joiner: str = "", limit: int = MAX_LENGTH, keep: frozenset[int] = frozenset()) -> str:
    """``parts`` joined, with words left out of the middle when that is longer than ``limit``:
    the first word, then as many words from the end and the start (alternately) as fit, so the
    name keeps what it is about and its most specific words; the words at the indexes ``keep``
    are never left out (what tells a name apart from another one shortened alike). Depends
    only on its arguments: a name does not change when others are added (collisions are
    :func:`dedupe`'s)."""
    whole = joiner.join(parts)
    if len(whole) <= limit or len(parts) < 2:
        return whole[:limit]
    kept = {k for k in keep if 0 < k < len(parts)}
    front: list[str] = [parts[0]]
    back: list[str] = []
    size = len(parts[0]) + sum(len(joiner) + len(parts[k]) for k in kept)
    i, j = 1, len(parts) - 1
    take_back = True
    while i <= j:
        at = j if take_back else i
        if at not in kept:
            if size + len(joiner) + len(parts[at]) > limit:
                break
            size += len(joiner) + len(parts[at])
        if take_back:
            back.insert(0, parts[at])
            j -= 1
        else:
            front.append(parts[at])
            i += 1
        take_back = not take_back
    middle = [parts[k] for k in sorted(kept) if i <= k <= j]
    return joiner.join(front + middle + back)


def class_name_words(name: str) -> list[str]:
    """A PascalCase name's words, split at its capitals (``GAAudio`` is one word)."""
    return _CAPITALS.split(name)


def shorten_class_name(name: str, limit: int = MAX_LENGTH, keep: frozenset[int] = frozenset()) -> str:
    """A PascalCase class name of at most ``limit`` characters (words split at capitals, the
    words at ``keep`` kept: :func:`shorten`)."""
    return name if len(name) <= limit else shorten(class_name_words(name), "", limit, keep)


def snake(text: str, *, prefix: str = "n", reserved: Iterable[str] = ()) -> str:
    """A valid, non-reserved snake_case identifier for ``text`` (at most about :data:`MAX_LENGTH`)."""
    return _finish(shorten(words(text), "_"), text, prefix, frozenset(reserved))


def pascal(text: str, *, prefix: str = "N", reserved: Iterable[str] = ()) -> str:
    """A valid, non-reserved PascalCase identifier for ``text`` (at most about :data:`MAX_LENGTH`)."""
    name = shorten([w[:1].upper() + w[1:] for w in words(text)])
    return _finish(name, text, prefix, frozenset(reserved))


def clear_class_name(name: str) -> str:
    """A class name that is no Python keyword or builtin: ``Model`` after it (``None`` ->
    ``NoneModel``, ``Exception`` -> ``ExceptionModel``), the rule the models library follows for
    the names it imports (``BaseModelModel``, ``UUIDModel``); else ``name``. (A trailing ``_``,
    as for other identifiers, is dropped by the library, which then numbers the name.)"""
    return name + "Model" if name in RESERVED_WORDS or name in BUILTIN_NAMES else name


def dedupe(names: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Make names distinct, in the order given: the first keeps its name, later ones get ``_2``..."""
    used = set(taken)
    out: list[str] = []
    for name in names:
        candidate, n = name, 2
        while candidate in used:
            candidate = f"{name}_{n}"
            n += 1
        used.add(candidate)
        out.append(candidate)
    return out


_QUALIFIER = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def group_labels(keys: Sequence[str]) -> dict[str, str]:
    """The words each resource group (a tag, or a path segment) is named by, its attribute in
    snake_case and its class in PascalCase.

    A parenthesised or bracketed qualifier is left out (``"Crons (Plus tier)"`` -> ``Crons``),
    unless that leaves nothing or gives the name of another key: then each of those keys is
    named in full (``"Crons"`` beside ``"Crons (Plus tier)"`` -> ``crons`` and
    ``crons_plus_tier``)."""
    short = {key: _QUALIFIER.sub(" ", key) for key in keys}
    short = {key: text if words(text) else key for key, text in short.items()}
    counts: dict[tuple[str, ...], int] = {}
    for text in short.values():
        counts[tuple(words(text))] = counts.get(tuple(words(text)), 0) + 1
    return {key: text if counts[tuple(words(text))] == 1 else key for key, text in short.items()}


def distinct_by_path(
    names: Sequence[str], paths: Sequence[str], methods: Sequence[str], taken: Iterable[str] = ()
) -> list[str]:
    """Make operation names distinct by what tells their operations apart, not by a counter.

    Among operations sharing a name, the one with the shortest path (the first, on a tie)
    keeps it; each other one gets the segments of its path that the keeper's lacks, a
    parameter as ``by_<name>`` (``GET /a/{id}/subgraphs/{namespace}`` beside ``GET
    /a/{id}/subgraphs`` -> ``get_subgraphs_by_namespace``), or its method when the paths are
    the same (``get_user_put``). What still collides gets ``_2``, ``_3`` (:func:`dedupe`).
    The result depends only on the operations sharing the name, never on the others."""
    out = list(names)
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        by_name.setdefault(name, []).append(i)
    for name, members in by_name.items():
        if len(members) < 2:
            continue
        keeper = min(members, key=lambda i: (len(_path_segments(paths[i])), i))
        kept = set(_path_segments(paths[keeper]))
        for i in members:
            if i == keeper:
                continue
            extra = [seg for seg in _path_segments(paths[i]) if seg not in kept]
            parts = [f"by {seg[1:-1]}" if seg.startswith("{") and seg.endswith("}") else seg for seg in extra]
            out[i] = snake(" ".join([name, *(parts or [methods[i]])]))
    return dedupe(out, taken)


def _path_segments(path: str) -> list[str]:
    return [seg for seg in path.split("/") if seg]


def fastapi_path_fragment(path: str) -> str:
    """The fragment FastAPI puts in a generated operationId for ``path``."""
    return re.sub(r"\W", "_", path)


def _strip_method(operation_id: str) -> str | None:
    for method in HTTP_METHODS:
        if operation_id.endswith("_" + method):
            return operation_id[: -len(method) - 1]
    return None


def is_fastapi_style(operation_id: str, path: str) -> bool:
    """True for ids FastAPI derives: ``<function>_<path with non-word chars as _>_<method>``."""
    rest = _strip_method(operation_id)
    fragment = fastapi_path_fragment(path)
    return rest is not None and rest.endswith(fragment) and bool(rest[: -len(fragment)].strip("_"))


def operation_base_name(
    operation_id: str, path: str, all_paths: Iterable[str] = (), *, fastapi_spec: bool = False
) -> str:
    """The operationId without a FastAPI-style ``_<path>_<method>`` suffix.

    FastAPI derives ``create_run_threads__thread_id__runs_post`` from the function name
    ``create_run``, the path and the method. The suffix is removed when it matches the
    operation's own path (any method). In a spec where most ids are FastAPI-style
    (``fastapi_spec``), ids copied between routes are common, so the suffix may match any
    path of the spec; the longest match wins.
    """
    rest = _strip_method(operation_id)
    if rest is None:
        return operation_id
    candidates = [path, *(all_paths if fastapi_spec else ())]
    for fragment in sorted({fastapi_path_fragment(p) for p in candidates}, key=len, reverse=True):
        if len(fragment) > 1 and rest.endswith(fragment) and rest[: -len(fragment)].strip("_"):
            return rest[: -len(fragment)]
    return operation_id


def synthesized_operation_id(method: str, path: str) -> str:
    """A name for an operation without operationId: ``GET /pets/{petId}`` -> ``get_pets_pet_id``."""
    return "_".join([method.lower(), *words(path)])


# Attributes of the generated Client / AsyncClient: no resource group or untagged operation may
# take these names.
CLIENT_ATTRIBUTES = frozenset(
    {
        "close", "aclose", "base_url", "headers", "timeout", "max_retries", "http_client",
        "request", "with_raw_response", "with_streaming_response", "with_options", "copy", "models",
        "follow_redirects",
    }
)
# Names the generated modules use in annotations (builtins, imported types, the models module):
# a method or class attribute with one of these names would shadow it in its class body (or,
# as a route function, in the whole server module) -- at run time where annotations are
# evaluated (FastAPI's), for mypy everywhere. Operations, handlers and security schemes avoid them.
ANNOTATION_NAMES = frozenset(
    {
        "str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "frozenset", "type",
        "object", "complex", "bytearray", "memoryview", "range", "slice", "datetime", "date", "time",
        "timedelta", "models", "httpx",
    }
)
# Model fields (named by datamodel-code-generator, or here where it would get them wrong):
# pydantic v2's protected namespaces (a field starting with these makes pydantic warn at import)
PROTECTED_PREFIXES = ("model_dump", "model_validate")
# The public attributes of pydantic's BaseModel (``dir(BaseModel)``): a field must not shadow them.
PYDANTIC_ATTRIBUTES = frozenset(
    {
        "construct", "copy", "dict", "from_orm", "json", "model_computed_fields", "model_config",
        "model_construct", "model_copy", "model_dump", "model_dump_json", "model_extra",
        "model_fields", "model_fields_set", "model_json_schema", "model_parametrized_name",
        "model_post_init", "model_rebuild", "model_validate", "model_validate_json",
        "model_validate_strings", "parse_file", "parse_obj", "parse_raw", "schema", "schema_json",
        "update_forward_refs", "validate",
    }
)

# Keyword arguments every generated method takes besides the spec's parameters.
METHOD_KEYWORDS = frozenset({"self", "body", "timeout", "max_retries", "extra_headers", "extra_query", "files"})
