"""Types shared by the client modules: the ``NOT_GIVEN`` sentinel, files, timeouts, and the
constraints of schemas written where they are used."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Iterable, Iterator
from typing import IO, Any, Final, Literal, TypeAlias, final

import httpx
from pydantic import AfterValidator, Field


@final
class NotGiven:
    """The type of :data:`NOT_GIVEN`, the default of every optional argument.

    An argument left at ``NOT_GIVEN`` is not sent at all, while ``None`` is sent: as an empty
    query, header or cookie value (``?before=``). Inside a JSON body the same rule holds for
    model fields: fields never set are left out, fields set to ``None`` are sent as ``null``.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

FileContent: TypeAlias = bytes | IO[bytes]
"""The content of an uploaded file: bytes or a binary file object (read in chunks as sent)."""

BinaryContent: TypeAlias = bytes | IO[bytes] | Iterable[bytes] | AsyncIterable[bytes]
"""A binary request body: bytes, a binary file object or an iterable of bytes, sent in chunks
as they are read; an async iterable of bytes with ``AsyncClient`` only."""

FileTypes: TypeAlias = (
    FileContent
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
)
"""A file in a multipart body: its content, or ``(file name, content[, content type])``."""

RequestContent: TypeAlias = bytes | Iterable[bytes] | AsyncIterable[bytes]
"""What the client hands httpx as a request's ``content``."""

TimeoutTypes: TypeAlias = float | httpx.Timeout | None
"""Seconds (float), an :class:`httpx.Timeout`, or ``None`` for no timeout at all."""


class Constraints:
    """The constraints of a schema written inline in an operation (a parameter, a body, a
    response), as ``Annotated`` metadata: ``Annotated[list[str], Constraints(min_length=2)]``.

    Pydantic's own (``Field``) for the bounds; a ``pattern`` with Python's ``re`` (as the models
    have it: the default engine knows no lookarounds); ``format_name`` kept in the JSON schema;
    ``unique``: no item twice (``uniqueItems``), checked and kept in the JSON schema.
    """

    __is_annotated_types_grouped_metadata__ = (
        True  # pydantic unpacks what __iter__ yields
    )

    def __init__(
        self,
        *,
        min_length: int | None = None,
        max_length: int | None = None,
        ge: float | None = None,
        gt: float | None = None,
        le: float | None = None,
        lt: float | None = None,
        multiple_of: float | None = None,
        pattern: str | None = None,
        format_name: str | None = None,
        unique: bool = False,
    ) -> None:
        self.lengths = (min_length, max_length)
        self.bounds = (ge, gt, le, lt, multiple_of)
        self.pattern = pattern
        self.format_name = format_name
        self.unique = unique

    def __iter__(self) -> Iterator[Any]:
        extra: dict[str, Any] = {}
        if self.format_name is not None:
            extra["format"] = self.format_name
        if self.unique:
            extra["uniqueItems"] = True
        ge, gt, le, lt, multiple_of = self.bounds
        yield Field(
            min_length=self.lengths[0],
            max_length=self.lengths[1],
            ge=ge,
            gt=gt,
            le=le,
            lt=lt,
            multiple_of=multiple_of,
            pattern=re.compile(self.pattern) if self.pattern is not None else None,
            json_schema_extra=extra or None,
        )
        if self.unique:
            yield AfterValidator(_unique)


def _unique(items: Any) -> Any:
    """``items`` when no item is there twice (compared as JSON: ``1`` and ``1.0`` are one)."""
    seen: list[Any] = []
    for item in items:
        if item in seen:
            raise ValueError("the items must be unique")
        seen.append(item)
    return items
