"""Swagger 2.0 in: the document is converted to OpenAPI 3.0.3 in memory, then goes down the
normal pipeline. Runs after loading (external ``$ref``\\ s already bundled) and after the
overlay (an overlay for a 2.0 document is written against the 2.0 document, as the user sees it).

What is carried over, and how:

* ``definitions`` -> ``components/schemas``; ``#/definitions/X`` refs become
  ``#/components/schemas/X`` (and ``#/parameters/X`` / ``#/responses/X`` likewise);
* schemas: ``x-nullable: true`` -> ``nullable: true`` (a ``$ref`` is wrapped in a one-member
  ``allOf`` so the flag is not ignored), ``type: file`` -> ``type: string, format: binary``,
  ``discriminator: name`` -> ``discriminator: {propertyName: name}``;
* parameters: ``type``/``format``/``items``/``enum``/limits move into ``schema``;
  ``collectionFormat`` becomes ``style``/``explode`` (2.0's default ``csv`` is
  ``explode: false``); ``in: body`` becomes the ``requestBody`` (one media type per
  ``consumes``), the ``in: formData`` parameters one object schema sent as
  ``multipart/form-data`` (when a field is a file or ``consumes`` says so) or
  ``application/x-www-form-urlencoded``; shared body and form parameters are inlined;
* responses: ``schema`` becomes ``content`` (one media type per ``produces``; a file response
  with only JSON in ``produces`` is ``application/octet-stream``), ``examples`` become each
  media type's ``example``, headers get a ``schema``; ``#/responses/X`` refs stay refs unless
  the operation's ``produces`` differs from the document's;
* ``securityDefinitions`` -> ``components/securitySchemes`` (``basic`` -> ``http``/``basic``,
  OAuth 2 flows renamed: ``application`` -> ``clientCredentials``, ``accessCode`` ->
  ``authorizationCode``);
* ``host``/``basePath``/``schemes`` -> ``servers`` (``https`` when a host has no schemes; a
  relative server when there is no host).

The conversion never fails: what it cannot carry over exactly is a note (a warning), and what
is malformed is copied as is for the 3.0 validation to report. :class:`Conversion` maps a
pointer into the 3.0 document back to the 2.0 one, so every finding names the user's file,
line and 2.0 pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.diagnostics import Diagnostic, Severity, SpecError
from ..core.pointers import pointer, unescape_pointer
from .swagger2_convert import OPENAPI_VERSION, Converter, Tokens

if TYPE_CHECKING:
    from .load import LoadedSpec


def is_swagger2(document: Mapping[str, Any]) -> bool:
    return document.get("swagger") == "2.0" and "openapi" not in document


@dataclass(frozen=True, slots=True)
class Conversion:
    """The 3.0 document, notes about the conversion, and the way back to 2.0 pointers."""

    document: dict[str, Any]
    notes: tuple[tuple[str, str], ...]  # (2.0 pointer, message)
    moves: Mapping[Tokens, Tokens] = field(repr=False)  # 3.0 prefix -> 2.0 prefix

    def original_pointer(self, ptr: str) -> str:
        """The 2.0 pointer a 3.0 pointer came from (the longest moved prefix wins)."""
        tokens = tuple(unescape_pointer(ptr))
        for cut in range(len(tokens), 0, -1):
            old = self.moves.get(tokens[:cut])
            if old is not None:
                return pointer(*old, *tokens[cut:])
        return ptr


def convert(document: Mapping[str, Any]) -> Conversion:
    """OpenAPI 3.0.3 from a (bundled) Swagger 2.0 document; ``document`` is left untouched."""
    converter = Converter(document)
    try:
        out = converter.run()
    except RecursionError:
        raise SpecError(Diagnostic("", "", "nesting is too deep to convert from Swagger 2.0")) from None
    return Conversion(out, tuple(converter.notes), converter.moves)


def upgrade(spec: LoadedSpec, document: dict[str, Any], findings: list[Diagnostic]) -> tuple[
        dict[str, Any], list[Diagnostic], list[Diagnostic], Callable[[str], str]]:
    """Convert a validated 2.0 document and validate the result as usual.

    ``findings`` are the 2.0 document's own. Returns the 3.0 document, every finding (2.0 ones
    first; the 3.0 ones located in the 2.0 document, without those the 2.0 ones already cover),
    the conversion notes as warnings, and the map from a 3.0 pointer to the 2.0 one it came from.
    """
    from .validate import validate_spec

    conversion = convert(document)
    covered = {d.pointer for d in findings}
    seen = {(d.pointer, d.message) for d in findings}
    out = list(findings)
    for d in validate_spec(spec, conversion.document):
        original = conversion.original_pointer(d.pointer)
        if (original, d.message) in seen or any(original == c or original.startswith(c + "/") for c in covered):
            continue
        seen.add((original, d.message))
        out.append(spec.diagnostic(original, d.message, severity=d.severity, hint=d.hint))
    notes = [spec.diagnostic(ptr, message, severity=Severity.WARNING) for ptr, message in conversion.notes]
    return conversion.document, out, notes, conversion.original_pointer


__all__ = ["OPENAPI_VERSION", "Conversion", "convert", "is_swagger2", "upgrade"]
