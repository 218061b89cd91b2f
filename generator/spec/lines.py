"""Where a JSON pointer is in a file: one file's text and, built only when first asked for,
its pointer -> line map (a trie of tokens). YAML through the parser's node marks; JSON through
a small scanner (strings, brackets, commas and newlines are all a line map needs), far faster
than a parse that keeps positions.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .yaml_loader import SpecYamlLoader, key_text

_STR_TAG = "tag:yaml.org,2002:str"
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],\n]')


class SourceText:
    """One file's text and, built on first use, its pointer -> line map (a trie of tokens)."""

    __slots__ = ("_trie", "display", "is_json", "text")

    def __init__(self, display: str, text: str, is_json: bool) -> None:
        self.display, self.text, self.is_json = display, text, is_json
        self._trie: dict[str, Any] | None = None

    @property
    def trie(self) -> dict[str, Any] | None:
        """The pointer -> line map, if built yet."""
        return self._trie

    @trie.setter
    def trie(self, value: dict[str, Any]) -> None:
        self._trie = value

    def line(self, tokens: tuple[str, ...]) -> int | None:
        """1-based line of the deepest existing ancestor of ``tokens`` (None for the root)."""
        if self._trie is None:
            try:
                self._trie = _json_lines(self.text) if self.is_json else _yaml_lines(self.text)
            except (yaml.YAMLError, ValueError, RecursionError):
                self._trie = {}
        line, level = None, self._trie
        for token in tokens:
            entry = level.get(token)
            if entry is None:
                break
            line, level = entry
        return line


def _yaml_lines(text: str) -> dict[str, Any]:
    loader = SpecYamlLoader(text)
    trie: dict[str, Any] = {}
    try:
        stack: list[tuple[yaml.Node | None, dict[str, Any]]] = [(loader.get_single_node(), trie)]
        while stack:
            node, level = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.tag == _STR_TAG:
                        key = key_node.value
                    elif key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    else:
                        key = key_text(loader.construct_object(key_node, deep=True))
                    entry: tuple[int, dict[str, Any]] = (key_node.start_mark.line + 1, {})
                    level[key] = entry
                    stack.append((value_node, entry[1]))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    level[str(index)] = entry = (item.start_mark.line + 1, {})
                    stack.append((item, entry[1]))
    finally:
        loader.dispose()
    return trie


def _json_lines(text: str) -> dict[str, Any]:
    """A small scanner: strings, brackets, commas and newlines are all a line map needs."""
    trie: dict[str, Any] = {}
    line = 1
    stack: list[list[Any]] = []  # [is_array, children, index, expecting_key, children_of_last_key]
    entry: tuple[int, dict[str, Any]]
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        char = token[0]
        if char == "\n":
            line += 1
            continue
        top = stack[-1] if stack else None
        if char == '"':
            if top is not None and top[0]:
                top[1][str(top[2])] = (line, {})
            elif top is not None and top[3]:
                key = json.loads(token) if "\\" in token else token[1:-1]
                top[1][key] = entry = (line, {})
                top[3], top[4] = False, entry[1]
        elif char in "{[":
            if top is None:
                children = trie
            elif top[0]:
                top[1][str(top[2])] = entry = (line, {})
                children = entry[1]
            else:
                children = top[4]
            stack.append([char == "[", children, 0, char == "{", None])
        elif char in "}]":
            if stack:
                stack.pop()
        elif top is not None:  # a comma
            if top[0]:
                top[2] += 1
            else:
                top[3] = True
    return trie
