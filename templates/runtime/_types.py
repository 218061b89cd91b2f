"""Types shared by the client modules: the ``NOT_GIVEN`` sentinel, files and timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import IO, Final, Literal, TypeAlias, final

import httpx


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
