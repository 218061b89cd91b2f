"""The operations table: one row per operation, shared by ``oapigen inspect`` and ``API.md``."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..core import escape
from ..ir.model import Api, Operation, TypeKind, TypeRef


@dataclass(frozen=True, slots=True)
class OperationRow:
    operation_id: str
    method: str
    path: str
    python: str  # dotted call from the client: thread_runs.create_run
    handler: str  # server handler method, unique across the API
    request: str | None  # annotation of the request body (model class name when it is one)
    response: str | None  # annotation of the first 2xx response body as returned; Stream for an event stream,
    # JsonLines[Item] for a JSON-lines stream
    pagination: str | None = None  # a paginated list operation's style: cursor, offset, page, next_url, link

    def as_json(self) -> dict[str, str | None]:
        return asdict(self)

    @property
    def table_row(self) -> str:
        """Its row of API.md's operations table, spec text through md_code."""
        request = escape.md_code(self.request) if self.request else "-"
        response = escape.md_code(self.response) if self.response else "-"
        return f"| {self.method} | {escape.md_code(self.path)} | `{self.python}` | {request} | {response} |"


def _annotation(t: TypeRef | None) -> str | None:
    if t is None or t.kind is TypeKind.NONE:
        return None
    return t.annotation()


def row(op: Operation) -> OperationRow:
    body = op.request_body.preferred.type if op.request_body else None
    ok = op.success
    # what the method returns: a plain array or map as its list/dict, not its RootModel class
    response = (ok.preferred.unwrapped or ok.preferred.type) if ok is not None and ok.preferred is not None else None
    return OperationRow(
        operation_id=op.operation_id,
        method=op.method.value,
        path=op.path,
        python=op.python_path,
        handler=op.handler_name,
        request=_annotation(body),
        # an event stream: what the client method returns (the body's own type is its text)
        response="Stream" if op.streams else f"JsonLines[{_annotation(response)}]" if op.json_lines else _annotation(response),
        pagination=op.pagination.style.value if op.pagination is not None else None,
    )


def rows(api: Api) -> list[OperationRow]:
    return [row(op) for op in api.operations]
