"""What the client knows about an operation: the rows of the table in ``_endpoints``.

Generated methods pass an :class:`Endpoint` and their arguments to the shared request
builder; everything the spec says about wire names, styles, bodies and responses is here.
What a call needs that depends only on the row (the Accept header, the path split at its
parameters, the response for each status) is worked out on the row's first use and kept on it.

The runtime reads the Python type of a payload only as ``Content.type``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, Literal, TypeAlias, TypeVar

T = TypeVar("T")

_PATH_PARAM = re.compile(r"\{([^{}]+)\}")

Location: TypeAlias = Literal["path", "query", "header", "cookie"]
FieldStyle: TypeAlias = tuple[str | None, bool, str | None]
"""How a property of a form or multipart body is sent: (style, explode, content type), from the
spec's ``encoding``. A style means RFC 6570 serialization as for a query parameter; no style,
the value as its content type (None: JSON for objects, text for scalars, one per item for arrays)."""
MediaKind: TypeAlias = Literal[
    "json", "form", "multipart", "binary", "text", "event_stream", "json_lines"
]


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter: its Python argument name, wire name, location and serialization style."""

    python_name: str
    name: str
    location: Location
    style: str
    explode: bool


@dataclass(frozen=True, slots=True)
class Content:
    """One media type of a body, with the Python type its payload has.

    The type is given as a function returning it, called the first time it is needed: a big
    API's models load lazily, and a row must not import them all.
    """

    media_type: str
    kind: MediaKind
    load_type: Callable[[], Any]
    encoding: dict[str, FieldStyle] = field(default_factory=dict, compare=False)
    part: str | None = None
    """A multipart body that is no object of parts (a file, a list of files): its part's name."""
    unwrap: bool = (
        False  # a RootModel of a list or dict: the method returns its ``.root``
    )
    _type: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def type(self) -> Any:
        """The Python type of the payload (``models.Run``, ``list[models.Run]``, ``str``...)."""
        if self._type is None:
            object.__setattr__(self, "_type", self.load_type())
        return self._type


@dataclass(frozen=True, slots=True)
class Header:
    """A declared response header: wire name, Python name, type (as for ``Content``)."""

    name: str
    python_name: str
    load_type: Callable[[], Any]
    required: bool = False
    _type: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def type(self) -> Any:
        if self._type is None:
            object.__setattr__(self, "_type", self.load_type())
        return self._type


@dataclass(frozen=True, slots=True)
class Declared:
    """A declared response: ``status`` is ``"200"``, ``"4XX"`` or ``"default"``."""

    status: str
    contents: tuple[Content, ...] = ()
    headers: tuple[Header, ...] = ()

    def content_for(self, content_type: str) -> Content | None:
        """The declared content matching a Content-Type header, else the first one."""
        if len(self.contents) == 1:  # matching or not, the answer is the first one
            return self.contents[0]
        mime = content_type.split(";")[0].strip().lower()
        for content in self.contents:
            declared = content.media_type.lower()
            if declared == mime or declared == "*/*":
                return content
            if declared.endswith("/*") and mime.startswith(declared[:-1]):
                return content
        return self.contents[0] if self.contents else None


@dataclass(frozen=True)  # no slots: the per-row facts below are cached_property values
class Endpoint(Generic[T]):
    """One operation; ``T`` is what its method returns on success."""

    method: str
    path: str
    params: tuple[Param, ...] = ()
    body: Content | None = None
    replies: tuple[Declared, ...] = ()
    security: tuple[
        tuple[str, ...], ...
    ] = ()  # alternatives, each a set of scheme names
    idempotent: bool = True
    resumable: bool = False  # an event stream that can be resumed with Last-Event-ID
    idempotency_header: str | None = None  # sent with a key per call, kept on retries
    name: str = ""  # the client method, as errors name it: ``store.put_item``
    paging: Any = (
        None  # a paginated list operation: its ``_pagination.Paging`` (None: not one)
    )

    @cached_property
    def accept(self) -> str | None:
        """The Accept header for the success responses, or None when they have no content."""
        types = dict.fromkeys(
            c.media_type
            for r in self.replies
            if r.status.startswith("2")
            for c in r.contents
        )
        return ", ".join(types) or None

    @cached_property
    def path_pieces(self) -> tuple[str, ...]:
        """``path`` split at its parameters: literal, parameter name, literal, ..., literal."""
        return tuple(_PATH_PARAM.split(self.path))

    def reply_for(self, status_code: int) -> Declared | None:
        """The declared response for a status: exact, then ``NXX``, then (errors) ``default``."""
        status = str(status_code)
        by_status = self._replies_by_status
        reply = by_status.get(status) or by_status.get(f"{status[0]}XX")
        if reply is not None:
            return reply
        return self._first_success if status.startswith("2") else self._default_reply

    @cached_property
    def _replies_by_status(self) -> dict[str, Declared]:
        by_status: dict[str, Declared] = {}
        for reply in self.replies:
            by_status.setdefault(reply.status.upper(), reply)
        return by_status

    @cached_property
    def _first_success(self) -> Declared | None:
        return next((r for r in self.replies if r.status.startswith("2")), None)

    @cached_property
    def _default_reply(self) -> Declared | None:
        return next((r for r in self.replies if r.status == "default"), None)
