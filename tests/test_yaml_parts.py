"""A big YAML spec parsed in parts, each remembered across runs (oapigen.spec.yaml_parts): the
document put together from the parts is the whole parse's, or the parts are not used (None:
the caller parses the whole text); an edited part is parsed again, and a damaged memo is ignored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from oapigen.spec import yaml_parts
from oapigen.spec.yaml_loader import SpecYamlLoader

from .conftest import ROOT, SHARED_SPECS


@pytest.fixture(autouse=True)
def small_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is cut, down to entries of one line: the small cases below exercise the cut."""
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(yaml_parts, "_MIN_CHARS", 0)
    monkeypatch.setattr(yaml_parts, "_SPLIT_MIN_LINES", 1)


def _whole(text: str) -> Any:
    loader = SpecYamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


PLAIN = {
    "nested": "a: 1\nb:\n  c:\n    d: [1, 2]\n    e: x\n  f: 2\n",
    "comments": "# top\na:\n# at column 0, inside a\n  b: 1\n    # deeper\n  c: |\n    # text, not a comment\n    line\n\n  d: 2\n",
    "block-scalars": "a:\n  b: |\n    one\n\n      two\n  c: >-\n    folded\n    text\n  d: |+\n    kept\n\n\ne: 1\n",
    "sequence-at-key-column": "a:\n- 1\n- 2\nb:\n  c:\n  - x\n  - y\n",
    "duplicate-keys": "a:\n  b: 1\na:\n  c: 2\n",
    "keys-not-strings": "responses:\n  200:\n    d: ok\n  true: 1\n  null: 2\n  1.5: 3\n",
    "quoted-keys": "paths:\n  '/a/{id}':\n    get: 1\n  \"/b: c\":\n    get: 2\n",
    "multi-line-flow": "a:\n  b: {x: 1,\n    y: 2}\n  c: \"long\n    text\"\n",
    "timestamps-and-empties": "a:\n  when: 2001-12-14\n  empty:\n  list: []\n",
    "local-anchor": "a:\n  b: &x 1\nc: 2\n",
}
NOT_PLAIN = {
    "alias-across-entries": "a:\n  b: &x {k: 1}\nc:\n  d: *x\n",
    "merge-key": "a:\n  <<: {k: 1}\n  b: 2\n",
    "document-marker": "---\na: 1\nb: 2\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "complex-key": "? a\n: 1\nb: 2\n",
    "carriage-returns": "a: 1\r\nb: 2\r\n",
    "top-level-sequence": "- a\n- b\n",
    "tab-indentation": "a:\n\tb: 1\n",
    "syntax-error": "a:\n  b: [1,\nc: 2\n",
}


@pytest.mark.parametrize("name", PLAIN)
def test_plain_yaml_in_parts_is_the_whole_parse(name: str) -> None:
    text = PLAIN[name]
    assert yaml_parts.parse_parts(text) == _whole(text)
    assert yaml_parts.parse_parts(text) == _whole(text)  # again, from the memo


@pytest.mark.parametrize("name", NOT_PLAIN)
def test_anything_else_is_left_to_the_whole_parse(name: str) -> None:
    assert yaml_parts.parse_parts(NOT_PLAIN[name]) is None


def _yaml_files() -> list[Path]:
    folders = [ROOT / "specs", ROOT / "tests", *([SHARED_SPECS] if SHARED_SPECS.is_dir() else [])]
    return sorted(p for folder in folders for pattern in ("*.yaml", "*.yml") for p in folder.rglob(pattern)
                  if ".venv" not in p.parts)


def test_every_yaml_file_of_the_repo_and_the_corpus_in_parts_is_its_whole_parse() -> None:
    used = 0
    for path in _yaml_files():
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        try:
            whole = _whole(text)
        except Exception:
            whole = None  # not YAML: parts must not claim a value
            assert yaml_parts.parse_parts(text) is None, path
            continue
        parts = yaml_parts.parse_parts(text)
        assert parts is None or parts == whole, path
        used += parts is not None
    assert used >= 3


def test_an_edited_part_is_parsed_again_and_what_the_caller_changes_stays_its_own() -> None:
    text = "paths:\n  /a:\n    summary: one\n  /b:\n    summary: two\ncomponents:\n  X: {type: string}\n"
    first = yaml_parts.parse_parts(text)
    assert first is not None
    first["paths"]["/a"]["summary"] = "changed by the caller"
    yaml_parts._PARTS.save()
    edited = text.replace("summary: two", "summary: three")
    assert yaml_parts.parse_parts(edited) == _whole(edited)
    assert yaml_parts.parse_parts(text) == _whole(text)


def test_a_damaged_memo_is_ignored() -> None:
    text = PLAIN["nested"]
    assert yaml_parts.parse_parts(text) == _whole(text)
    yaml_parts._PARTS.save()
    path = yaml_parts._PARTS.path()
    assert path is not None and path.is_file()
    path.write_bytes(path.read_bytes()[:-7] + b"garbage")
    assert yaml_parts.parse_parts(text) == _whole(text)
