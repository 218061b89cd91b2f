"""How findings show values and the validator library's messages: a value named by its JSON
type, a big literal abridged, a message on one line of bounded length."""

from __future__ import annotations

from typing import Any


def describe(value: Any) -> str:
    names = {list: "a list", str: "a string", dict: "an object", type(None): "null", bool: "a boolean",
             int: "an integer", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def abridged(literal: str) -> str:
    """A short stand-in for a big JSON/Python literal quoted in a message."""
    import ast
    import json

    value: Any = None
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(literal)
            break
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        return "{" + ", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "") + "}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    return literal[0] + "..." + literal[-1]


def one_line(message: str, limit: int = 200) -> str:
    """A validator message on one line, a big leading literal abridged, at most ``limit`` chars."""
    text = " ".join(message.split("\n\nFailed validating", 1)[0].split())
    if text[:1] in ("{", "["):
        depth, quote, end = 0, "", len(text) - 1
        for index, char in enumerate(text):
            if quote:
                quote = "" if char == quote and text[index - 1] != "\\" else quote
            elif char in "'\"":
                quote = char
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    end = index
                    break
        if end > 60:
            text = abridged(text[: end + 1]) + text[end + 1:]
    return text if len(text) <= limit else text[: limit - 3] + "..."
