"""Build the IR from a loaded (and, if asked, overlaid) document.

The same walk over operations runs twice (see :mod:`oapigen.ir.schemas`): once to plan which
inline schemas need classes, once, after the models stage, to build the frozen :class:`Api`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core import naming
from ..core.diagnostics import Diagnostic
from .model import (
    Api,
    Operation,
    ResourceGroup,
)
from .operations import OperationWalk
from .schemas import HoistPlan, SchemaTyper, component_classes
from .webhooks import callbacks as callbacks_of
from .webhooks import signing as webhook_signing
from .webhooks import webhooks as webhooks_of
from .wire import IDEMPOTENCY_HEADERS, security_schemes, text_or_none


def _path_head(path: str, segment: str) -> str:
    """``/v1/chat/completions``, ``chat`` -> ``/v1/chat``."""
    at = path.find("/" + segment)
    return path[: at + len(segment) + 1] if at >= 0 else "/" + segment


def plan_models(document: dict[str, Any], renames: Mapping[str, str]) -> HoistPlan:
    """Copy every inline operation schema that needs a class under components/schemas.

    Mutates ``document`` (the caller's private copy) and returns the plan the build pass uses.
    """
    plan = HoistPlan()
    typer = SchemaTyper(document, plan.namer(document), component_classes(document))
    walk = OperationWalk(document, typer, renames)
    operations = walk.operations()
    webhooks_of(walk)  # their inline payload schemas are hoisted too, and the callbacks'
    callbacks_of(walk, operations)
    return plan


def build_api(
    document: Mapping[str, Any],
    *,
    plan: HoistPlan,
    class_by_ref: Mapping[str, str],
    renames: Mapping[str, str],
    package: str,
    idempotency_headers: Iterable[str] = (),
    pagination: Mapping[str, Any] | None = None,
    pagination_origin: tuple[str, str] = ("", ""),
    spec_name: str,
    spec_sha256: str,
    model_names: tuple[str, ...],
) -> tuple[Api, list[Diagnostic]]:
    typer = SchemaTyper(document, plan.lookup(class_by_ref), class_by_ref, unwrap_collections=True)
    walk = OperationWalk(
        document,
        typer,
        renames,
        file=spec_name,
        idempotency_headers=IDEMPOTENCY_HEADERS | {name.lower() for name in idempotency_headers},
        pagination_hints=pagination or {},
        hints_origin=pagination_origin,
    )
    operations = tuple(walk.operations())
    groups: dict[str, list[Operation]] = {}
    for op in operations:
        if op.group is not None:
            groups.setdefault(op.group, []).append(op)
    tag_docs = {
        t.get("name"): text_or_none(t.get("description"))
        for t in document.get("tags") or []
        if isinstance(t, Mapping)
    }
    info: Mapping[str, Any] = document["info"] if isinstance(document.get("info"), Mapping) else {}
    servers = tuple(
        s["url"] for s in document.get("servers") or [] if isinstance(s, Mapping) and isinstance(s.get("url"), str)
    )
    api = Api(
        title=str(info.get("title") or package),
        version=str(info.get("version") or ""),
        description=text_or_none(info.get("description")),
        package=package,
        spec_name=spec_name,
        spec_sha256=spec_sha256,
        servers=servers,
        operations=operations,
        groups=tuple(
            ResourceGroup(
                name=name,
                class_name=naming.pascal(walk.group_labels.get(ops[0].tag or walk.path_groups.get(ops[0].path) or name, name), prefix="Group"),
                tag=ops[0].tag or name,
                description=(
                    tag_docs.get(ops[0].tag)
                    if ops[0].tag
                    else f"Operations on the paths under `{_path_head(ops[0].path, walk.path_groups.get(ops[0].path, name))}` (the spec has no tags)."
                ),
                operations=tuple(ops),
            )
            for name, ops in sorted(groups.items())
        ),
        security_schemes=security_schemes(document),
        model_names=model_names,
        webhooks=webhooks_of(walk),
        webhook_signing=webhook_signing(document),
        callbacks=callbacks_of(walk, operations),
    )
    return api, walk.diagnostics


__all__ = ["build_api", "plan_models"]
