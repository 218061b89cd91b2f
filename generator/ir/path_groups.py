"""Resource groups for a spec without tags: each path's group from its literal segments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.contract import HTTP_METHODS


def has_tags(paths: Mapping[str, Any]) -> bool:
    return any(
        isinstance(item, Mapping) and isinstance(op := item.get(method), Mapping) and op.get("tags")
        for item in paths.values()
        for method in HTTP_METHODS
    )


def path_groups(paths: list[str]) -> dict[str, str]:
    """For a spec without tags: each path's resource group, its first literal segment after the
    segments every path starts with (``/v1/chat/completions`` -> ``chat`` when every path starts
    with ``/v1``). Those shared segments stop before the last literal segment of any path, so
    every path keeps one: ``/holders`` and ``/holders/{n}`` are both in ``holders``, whether
    the spec has one of them or both. A path whose first segment after them is a parameter
    (``/{id}``), or that has none (``/``), has no group: the client's own."""
    literal = [[seg for seg in p.split("/") if seg] for p in paths]
    last = [max((i for i, seg in enumerate(segs) if "{" not in seg), default=-1) for segs in literal]
    prefix = 0
    while (
        literal
        and all(prefix < end for end in last)
        and len({segs[prefix] for segs in literal}) == 1
        and "{" not in literal[0][prefix]
    ):
        prefix += 1
    out: dict[str, str] = {}
    for path, segs in zip(paths, literal, strict=True):
        first = segs[prefix] if len(segs) > prefix else ""
        if first and "{" not in first:
            out[path] = first
    return out
