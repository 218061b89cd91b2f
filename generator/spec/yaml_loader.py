"""YAML as a spec is read: the libyaml parser (``CSafeLoader``) when available, mapping keys
made strings (``200:`` -> ``"200"``), timestamps kept as text, and a count of alias re-uses
(the reader bounds their expansion). The reader (:mod:`.read`) and the line maps
(:mod:`.lines`) both parse with it.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _BaseYamlLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseYamlLoader  # type: ignore[assignment]


def key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


class SpecYamlLoader(_BaseYamlLoader):
    """Safe YAML loader for specs: string keys, string timestamps, counted alias re-uses."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self.alias_uses = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            self.alias_uses += 1  # the same node met again: an alias
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep)
        for key in mapping:
            if type(key) is not str:
                return {key_text(k): v for k, v in mapping.items()}
        return mapping


def _timestamp_as_text(loader: SpecYamlLoader, node: Any) -> str:
    return str(loader.construct_scalar(node))


SpecYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
