"""A synthetic API whose names and texts run to every length, for the layout tests: operation
ids, parameters, tags, models and security schemes from a few characters to past the line
length, long enums (``Literal[...]``), unions in parameters, bodies and results, several
media types per response, a long server URL and descriptions with quotes and backslashes."""

from __future__ import annotations

from typing import Any

LENGTHS = range(3, 100, 8)


def _name(stem: str, length: int) -> str:
    """``stem`` padded with a pattern of letters and underscores to ``length`` characters."""
    filler = "abcdefghij_klmnopqrst_"
    return (stem + filler * 8)[: max(length, len(stem))]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def long_spec() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for n in LENGTHS:
        schemas[_name("Model", n).title().replace("_", "")] = {
            "type": "object",
            "description": f'Model of {n} characters: "quoted", \\back\\slashed, and long. ' * 3,
            "properties": {"label": {"type": "string"}},
        }
    models = list(schemas)
    schemas["Error"] = {"type": "object", "properties": {"message": {"type": "string"}}}
    paths: dict[str, Any] = {}
    for i, n in enumerate(LENGTHS):
        a, b, c = (models[(i * k + k) % len(models)] for k in (1, 5, 7))
        path_param = _name("item_id", n)
        params: list[dict[str, Any]] = [
            {"name": path_param, "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": _name("filter", n),
                "in": "query",
                "description": "An enum of long values, " * (n // 10 + 1),
                "schema": {"type": "string", "enum": [_name(f"value{k}_", 6 + (k * n) % 30) for k in range(n // 8 + 1)]},
            },
            {"name": _name("either", n // 2), "in": "query", "schema": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
            {"name": "X-Trace-" + _name("id", n // 3), "in": "header", "schema": {"type": "string"}},
            {
                "name": _name("select", n // 3),
                "in": "query",
                "schema": {"type": "array", "items": {"type": "string", "enum": [_name(f"f{k}", 9 + k) for k in range(n // 6 + 1)]}},
            },
        ]
        operation = {
            "operationId": _name("op", n) + str(i),
            "tags": [_name("tag", (n * 3) % 90 + 3)],
            "summary": f'Operation {i}: "{n}" characters \\ long',
            "description": "A description that goes on. " * (n // 8),
            "parameters": params,
            "requestBody": {
                "required": i % 2 == 0,
                "content": {"application/json": {"schema": {"oneOf": [_ref(a), _ref(b)]}}},
            },
            "responses": {
                "200": {
                    "description": "The result, " * (n // 10 + 1),
                    "content": {
                        "application/json": {"schema": {"oneOf": [_ref(a), _ref(b), _ref(c)][: 2 + i % 2]}},
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                "201": {
                    "description": "Several",
                    "content": {"application/json": {"schema": {"type": "array", "items": {"oneOf": [_ref(a), _ref(c)]}}}},
                },
                "404": {"description": "Not found", "content": {"application/json": {"schema": _ref("Error")}}},
                "default": {"description": "Anything else"},
            },
            "security": [{_name("ApiKeyAuth", n): []}, {_name("BasicAuth", n // 2): []}],
        }
        paths[f"/{_name('items', n)}/{{{path_param}}}"] = {"post": operation}
    security: dict[str, Any] = {}
    for n in LENGTHS:
        security[_name("ApiKeyAuth", n)] = {"type": "apiKey", "in": "header", "name": "X-" + _name("Key", n)}
        security[_name("BasicAuth", n // 2)] = {"type": "http", "scheme": "basic"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Long " * 20, "version": "1", "description": 'Quotes: """ and \\ everywhere.'},
        "servers": [{"url": "https://" + "a" * 70 + ".example.com/v1"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": security},
    }
