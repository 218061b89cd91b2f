"""openapi-spec-validator, made fast and its findings located: each keyword validator tags its
errors with the path it checked (through ``$ref``\\ s, mapped back to the document), the
per-schema meta-check is done once per dialect (by jsonschema-rs when available, about 400x
faster than the pure-Python check on openai.yaml), visited-schema lists become sets, and the
messages come out one per pointer, on one line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..core.pointers import MISSING, follow_pointer, pointer, ref_tokens
from .messages import one_line
from .refs import Tokens


def _located(name: str, cls: type[Any]) -> type[Any]:
    """A keyword validator that tags each error it yields with the (logical) path it checked."""
    from jsonschema_path import SchemaPath

    call = cls.__call__
    extra: tuple[str, ...] = ("default",) if name == "default" else ()

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        parts = next((tuple(a.parts) for a in args if isinstance(a, SchemaPath)), None)
        for error in call(self, *args, **kwargs):
            if parts is not None and not hasattr(error, "oapigen_parts"):
                error.oapigen_parts = (*parts, *extra)
            yield error

    return type(f"Located{cls.__name__}", (cls,), {"__call__": __call__})


def _fast_schema_checker(self: Any, schema: Any, schema_value: Any) -> Callable[[Any], None]:
    """Replaces SchemaValidator._get_schema_checker: same check, one cached meta-validator."""
    from openapi_schema_validator.validators import OAS30Validator
    from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator

    if isinstance(self, OpenAPIV31SchemaValidator):
        dialect = self._get_schema_dialect_id(schema, schema_value)
        validator_cls: Any = self._get_validator_class_for_dialect(dialect)
        if validator_cls is None:
            raise ValueError(f"Unknown JSON Schema dialect: {dialect!r}")
        return _meta_checker(validator_cls, self.schema_validator_format_checker)
    oas30: Any = OAS30Validator
    return _meta_checker(oas30, oas30.FORMAT_CHECKER)


@functools.cache
def _meta_checker(validator_cls: Any, format_checker: Any) -> Callable[[Any], None]:
    """Check a schema against its dialect's meta-schema; raise the first error (as the library)."""
    from jsonschema.exceptions import SchemaError, ValidationError  # type: ignore[import-untyped]
    from jsonschema.validators import validator_for  # type: ignore[import-untyped]
    from openapi_schema_validator._specifications import REGISTRY

    meta = validator_cls.META_SCHEMA
    try:
        import jsonschema_rs

        registry = jsonschema_rs.Registry([(uri, REGISTRY.contents(uri)) for uri in REGISTRY if "openapis.org" in uri])
        fast = jsonschema_rs.validator_for(meta, registry=registry, validate_formats=True)

        def check_fast(value: Any) -> None:
            for error in fast.iter_errors(value):
                raise ValidationError(error.message, path=list(error.instance_path))

        return check_fast
    except Exception:  # no (usable) jsonschema-rs: the library's own check, built once
        slow = validator_for(meta, default=validator_cls)(meta, format_checker=format_checker, registry=REGISTRY)

        def check(value: Any) -> None:
            for error in slow.iter_errors(value):
                raise SchemaError.create_from(error)

        return check


class _IdSet(set[int]):
    """The library keeps the ids of visited schemas in lists (``in`` is O(n)): a set instead."""

    append = set.add


def _fast_schema_validator(cls: type[Any]) -> type[Any]:
    """The library's schema keyword validator with a cached meta-check and O(1) visited sets."""
    init = cls.__init__

    def __init__(self: Any, registry: Any) -> None:
        init(self, registry)
        self.visited_schema_ids, self.meta_checked_schema_ids = _IdSet(), _IdSet()

    return type(f"Fast{cls.__name__}", (cls,), {"__init__": __init__, "_get_schema_checker": _fast_schema_checker})


@functools.cache
def _validator_class(minor: str) -> type[Any]:
    from openapi_spec_validator import (
        OpenAPIV2SpecValidator,
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    base: type[Any] = {"2.0": OpenAPIV2SpecValidator, "3.1": OpenAPIV31SpecValidator}.get(minor, OpenAPIV30SpecValidator)
    keywords: dict[str, type[Any]] = {}
    for name, cls in base.keyword_validators.items():
        if name == "schema":
            cls = _fast_schema_validator(cls)
        keywords[name] = _located(name, cls)
    return type(f"Located{base.__name__}", (base,), {"keyword_validators": keywords})


def _physical(document: Any, tokens: Tokens) -> list[str | int]:
    """A path as the validator walked it (through $refs) -> where it is in the document."""
    node, out = document, list[str | int]()
    for token in tokens:
        for _ in range(32):  # a child missing here but present in the $ref target: follow
            ref = node.get("$ref") if isinstance(node, dict) and str(token) not in node else None
            target = ref_tokens(ref) if isinstance(ref, str) else None
            if target is None or follow_pointer(document, target) is MISSING:
                break
            node, out = follow_pointer(document, target), list(target)
        child = follow_pointer(node, (token,)) if node is not MISSING else MISSING
        out.append(str(token) if isinstance(node, dict) else token)
        node = child
    return out


def library_findings(document: dict[str, Any], minor: str) -> Iterator[tuple[str, str]]:
    """(pointer, message) for everything openapi-spec-validator reports; never raises."""
    try:
        validator = _validator_class(minor)(document)
        phases = [validator.schema_validator.iter_errors(document), validator.root_validator(validator.schema_path)]
    except Exception as exc:
        yield "", one_line(f"openapi-spec-validator could not start: {type(exc).__name__}: {exc}")
        return
    for logical, errors in enumerate(phases):
        try:
            for error in errors:
                parts = getattr(error, "oapigen_parts", ())
                tokens = (*parts, *error.absolute_path)
                path = _physical(document, tokens) if logical else tokens
                yield pointer(*path), one_line(error.message)
        except Exception as exc:  # e.g. a $ref it cannot resolve
            yield "", one_line(f"openapi-spec-validator stopped early: {type(exc).__name__}: {exc}")


LIST_DEFAULT = "a default list belongs to the array schema, next to `items`, not inside it"


def merged(findings: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str | None]]:
    """The library's findings, one per pointer: several about one value (``['a'] is not of type
    'string'`` and ``['a'] is not one of ['a']``) become one message naming the value once, and a
    list ``default`` inside ``items`` gets a hint (it belongs to the array, next to ``items``)."""
    by_pointer: dict[str, list[str]] = {}
    for ptr, message in findings:
        if message not in by_pointer.setdefault(ptr, []):
            by_pointer[ptr].append(message)
    for ptr, messages in by_pointer.items():
        subject = messages[0].split(" is ", 1)[0] + " " if " is " in messages[0] else None
        rest = [m.removeprefix(subject) if subject and m.startswith(subject + "is ") else m for m in messages[1:]]
        hint = None
        if ptr.endswith("/items/default") and messages[0].startswith("["):
            hint = LIST_DEFAULT
        yield ptr, one_line("; ".join([messages[0], *rest])), hint
