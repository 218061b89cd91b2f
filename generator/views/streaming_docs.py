"""What API.md and the generated README say about streamed bodies: an operation answering JSON
lines returns an iterator of its items; one answering a binary or text body can be read as it
arrives through ``client.with_streaming_response`` (Markdown written out here, spec text
through escape.md_code)."""

from __future__ import annotations

from ..core import escape
from ..core.contract import MODELS_PREFIX
from ..ir.model import Api, BodyKind, Operation

# The kinds of answer body worth reading in chunks (a JSON body is parsed whole anyway).
CHUNKED = frozenset({BodyKind.BINARY, BodyKind.TEXT})


def chunked(op: Operation) -> bool:
    """The first 2xx response is a binary or text body."""
    ok = op.success
    return ok is not None and ok.preferred is not None and ok.preferred.kind in CHUNKED


def streaming_doc(op: Operation) -> str | None:
    """API.md's sentence on how the operation's answer streams (None: it does not)."""
    ok = op.success
    if op.json_lines and ok is not None and ok.preferred is not None:
        item = escape.md_code(f"JsonLines[{ok.preferred.type.annotation(MODELS_PREFIX)}]")
        return (
            f"Returns a {item} (`AsyncJsonLines` on `AsyncClient`): the items of the "
            f"{escape.md_code(ok.preferred.media_type)} stream, validated one by one as they arrive; "
            "use it in a `with` block. A line that does not fit raises `ResponseValidationError`."
        )
    if chunked(op):
        call = escape.md_code(f"client.with_streaming_response.{op.python_path}(...)")
        return (
            f"To read the body as it arrives rather than whole: `with` {call} `as response:` then "
            "`response.iter_bytes()`, `iter_lines()` or `write_to(path)`."
        )
    return None


def streamed_calls(api: Api) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The calls of the operations answering JSON lines, and of those answering a binary body."""
    lines = tuple(f"client.{op.python_path}" for op in api.operations if op.json_lines)
    binary = tuple(
        f"client.{op.python_path}"
        for op in api.operations
        if chunked(op) and op.success is not None and op.success.contents[0].kind is BodyKind.BINARY
    )
    return lines, binary
