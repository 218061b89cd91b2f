"""Untrusted specs, round 2 (issue 19): ``$ref: '#'`` and defaults that do not fit their schema,
through the CLI; the generated models type-check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import assert_no_traceback, run_oapigen

HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
OPERATION = """\
paths:
  /x:
    post:
      operationId: postX
      parameters:
        - {name: n, in: query, schema: {type: string, default: 1}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/M'}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/M'}}}}
"""


def test_a_ref_to_the_whole_document_is_a_located_error(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(HEAD + OPERATION + "components:\n  schemas:\n    M:\n      type: object\n"
                    "      properties:\n        me: {$ref: '#'}\n")
    result = run_oapigen("generate", str(spec), "--output", str(tmp_path / "out"))
    assert_no_traceback(result)
    assert result.returncode == 2
    assert f"{spec}:20: /components/schemas/M/properties/me: $ref '#' refers to the whole document" in result.stderr
    lenient = run_oapigen("generate", str(spec), "--output", str(tmp_path / "out"), "--lenient")
    assert lenient.returncode == 0, lenient.stderr
    models = (tmp_path / "out" / "s" / "models.py").read_text()
    assert "me: Any | None = None" in models  # documented: with --lenient, any JSON value


def test_defaults_of_the_wrong_type_are_dropped_with_a_located_warning(tmp_path: Path) -> None:
    spec = tmp_path / "d.yaml"
    spec.write_text(HEAD + OPERATION + """\
components:
  schemas:
    M:
      type: object
      required: [r]
      properties:
        a: {type: integer, default: "x"}
        b: {type: array, items: {type: string, default: [1, 2]}, default: "no"}
        r: {type: string, default: null}
        e: {type: string, enum: [one, two], default: three}
        ok: {type: number, default: 3}
        fine: {type: [string, 'null'], default: null}
""")
    out = tmp_path / "out"
    result = run_oapigen("generate", str(spec), "--output", str(out))
    assert result.returncode == 0, result.stderr
    for line, where, why in (
        (8, "/paths/~1x/post/parameters/0/schema/default", "default 1 is not of the schema's type (string)"),
        (21, "/components/schemas/M/properties/a/default", "default \"x\" is not of the schema's type (integer)"),
        (22, "/components/schemas/M/properties/b/default", "default \"no\" is not of the schema's type (array)"),
        (24, "/components/schemas/M/properties/e/default", "default \"three\" is not one of the schema's enum values"),
    ):
        assert f"{spec}:{line}: {where}: {why}: it is left out of the generated code" in result.stderr
    assert "'x' is not of type" not in result.stderr  # the validator's own word is not repeated
    models = (out / "d" / "models.py").read_text()
    assert "ok: int | float | None = 3" in models and "fine: str | None = None" in models
    assert '"x"' not in models and '"three"' not in models and '"no"' not in models
    assert 'n: Annotated[str | None, Query()] = None,' in (out / "d" / "server.py").read_text()
    check = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".mypy"), "d"],
                           cwd=out, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout
