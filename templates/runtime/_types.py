"""Types shared by the client modules: the ``NOT_GIVEN`` sentinel, files and timeouts."""

from __future__ import annotations

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
"""The content of an uploaded file: bytes or a binary file object."""

FileTypes: TypeAlias = (
    FileContent
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
)
"""A file in a multipart body: its content, or ``(file name, content[, content type])``."""

TimeoutTypes: TypeAlias = float | httpx.Timeout | None
"""Seconds (float), an :class:`httpx.Timeout`, or ``None`` for no timeout at all."""
