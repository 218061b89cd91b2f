"""The memos on disk (oapigen.core.memo): a regeneration reuses the black layout of the
statements it laid out before, and a memo can never make the output different: an edit's
output is the output of a run without any cache, a memo of another oapigen is not read, and a
damaged memo file is ignored."""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path
from typing import Any

import pytest
from oapigen.core import memo

from .conftest import ROOT, run_oapigen

PETSTORE = ROOT / "specs" / "petstore.yaml"
# A statement the layout splits (longer than black's 88 columns), so the memo has work to keep.
_LONG = "Returns a single pet, found by the identifier that was given in the path of this request"


def _package(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*.py"))}


def _generate(spec: Path, out: Path, cache: Path | str) -> dict[str, str]:
    result = run_oapigen("generate", str(spec), "--output", str(out), "--package", "pets", "-q",
                         env={"OAPIGEN_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    return _package(out / "pets")


def _read_memo(path: Path, expected: str = "layout") -> dict[bytes, Any]:
    fmt, kind, digest, payload = marshal.loads(path.read_bytes())
    assert (fmt, kind) == ("oapigen-memo-2", expected) and hashlib.sha256(payload).digest() == digest
    return {key: marshal.loads(value) for key, value in marshal.loads(payload).items()}


def _write_memo(path: Path, kind: str, entries: dict[bytes, Any]) -> None:
    payload = marshal.dumps({key: marshal.dumps(value) for key, value in entries.items()})
    path.write_bytes(marshal.dumps(("oapigen-memo-2", kind, hashlib.sha256(payload).digest(), payload)))


def _key(args: str) -> bytes:
    return hashlib.blake2b(args.encode(), digest_size=16).digest()


def test_a_regeneration_uses_the_memo_and_an_edit_gives_the_uncached_output(tmp_path: Path) -> None:
    spec = tmp_path / "petstore.yaml"
    text = PETSTORE.read_text()
    spec.write_text(text)
    cache = tmp_path / "cache"
    first = _generate(spec, tmp_path / "first", cache)
    (memo_file,) = (cache / "memo").glob("layout-*")
    entries = _read_memo(memo_file)
    assert entries
    # the memo is what a regeneration uses: a marked entry shows up in its output
    _write_memo(memo_file, "layout", {key: (value + "# from the memo\n" if value else value) for key, value in entries.items()})
    assert any("# from the memo" in source for source in _generate(spec, tmp_path / "again", cache).values())
    _write_memo(memo_file, "layout", entries)
    assert _generate(spec, tmp_path / "restored", cache) == first
    # an edit that changes laid-out statements: the output is that of a run without a cache
    spec.write_text(text.replace("Returns a single pet", _LONG).replace("petId", "thePetIdentifierOfThisRequest"))
    edited = _generate(spec, tmp_path / "edited", cache)
    assert edited != first and edited == _generate(spec, tmp_path / "uncached", "off")


def _accepts_text(value: object) -> bool:
    return isinstance(value, str)


def test_a_memo_answers_only_its_call_and_only_for_its_oapigen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path))
    calls: list[str] = []

    def compute(value: str) -> str:
        calls.append(value)
        return value.upper()

    kept = memo.Memo("test", _accepts_text)
    assert kept.get("a", lambda: compute("a")) == "A" and kept.get("a", lambda: compute("x")) == "A"
    kept.save()
    assert kept.get("a", lambda: compute("x")) == "A"  # read back from the file
    assert kept.get("b", lambda: compute("b")) == "B"
    assert calls == ["a", "b"]
    kept.save()
    monkeypatch.setattr(memo, "generator_fingerprint", lambda: "another oapigen")
    assert kept.get("a", lambda: compute("a, again")) == "A, AGAIN"  # its memo is not this one's


def test_a_memo_gives_a_fresh_copy_each_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path))
    values = memo.Memo("test-values", lambda value: isinstance(value, dict))
    first = values.get("a", lambda: {"a": [1]})
    first["a"].append(2)  # a caller changes what it got (the spec loader's document is edited later)
    assert values.get("a", lambda: {}) == {"a": [1]}
    values.save()
    assert values.get("a", lambda: {}) == {"a": [1]}


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00garbage",
        marshal.dumps([1, 2]),
        marshal.dumps(("oapigen-memo-2", "test", b"not the digest", marshal.dumps({_key("a"): marshal.dumps("x")}))),
        "foreign values",
    ],
    ids=["empty", "garbage", "not-a-memo", "digest-mismatch", "foreign-values"],
)
def test_a_damaged_memo_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | str) -> None:
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path))
    damaged = memo.Memo("test", _accepts_text)
    path = damaged.path()
    assert path is not None
    path.parent.mkdir(parents=True)
    if isinstance(content, str):
        _write_memo(path, "test", {_key("a"): 5})  # a value the function never returns
    else:
        path.write_bytes(content)
    assert damaged.get("a", lambda: "computed") == "computed"
    damaged.save()  # and written afresh
    assert memo.Memo("test", _accepts_text).get("a", lambda: "again") == "computed"


def test_a_damaged_memo_file_does_not_stop_generation(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _generate(PETSTORE, tmp_path / "first", cache)
    (memo_file,) = (cache / "memo").glob("layout-*")
    memo_file.write_bytes(memo_file.read_bytes()[:40])  # truncated
    assert _generate(PETSTORE, tmp_path / "again", cache) == first
    data = bytearray(memo_file.read_bytes())
    data[-10] ^= 0xFF  # one byte changed
    memo_file.write_bytes(bytes(data))
    assert _generate(PETSTORE, tmp_path / "flipped", cache) == first


def test_a_models_source_that_passed_is_remembered_and_a_refused_one_never(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """oapigen.models.verify.check_source remembers the sources that passed, by their full text:
    a regeneration with the same models skips the check, and a source that differs (a refused
    one) is checked, every time."""
    from oapigen.core.diagnostics import SpecError
    from oapigen.models import verify

    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path))
    good = "from pydantic import BaseModel\n\n\nclass Pet(BaseModel):\n    name: str\n"
    bad = good + "    x: int = __import__('os')\n"
    refs = {"Pet": "#/components/schemas/Pet"}
    verify.check_source(good, "spec.yaml", refs)
    verify._PASSED.save()
    checks: list[str] = []
    real = verify._ModelsChecker.check_module
    monkeypatch.setattr(verify._ModelsChecker, "check_module", lambda self, tree: checks.append("checked") or real(self, tree))
    verify.check_source(good, "spec.yaml", refs)
    assert checks == []  # remembered: not checked again
    for _ in range(2):
        with pytest.raises(SpecError, match="__import__"):
            verify.check_source(bad, "spec.yaml", refs)
    assert checks == ["checked", "checked"]


def _many_models_spec(schemas: int, extra_field: str = "") -> str:
    """A spec with more classes than oapigen.models.package.SPLIT_MIN: a models package."""
    import json

    components = {
        f"Thing{i}": {"type": "object", "properties": {"id": {"type": "string"}, "next": {"$ref": f"#/components/schemas/Thing{(i + 1) % schemas}"},
                                                       **({extra_field: {"type": "integer"}} if extra_field and i == 7 else {})}}
        for i in range(schemas)
    }
    paths = {f"/things{i}": {"get": {"operationId": f"getThing{i}", "tags": [f"group{i % 3}"], "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/Thing{i}"}}}}}}}
        for i in range(0, schemas, 20)}
    return json.dumps({"openapi": "3.0.3", "info": {"title": "many", "version": "1"}, "paths": paths,
                       "components": {"schemas": components}})


def test_the_models_layout_and_api_record_memos_never_outlive_an_edit(tmp_path: Path) -> None:
    """The models package's layout (oapigen.models.package) and the manifest's record of the
    models (oapigen.run.changes) are remembered by the full models source: a marked entry shows
    up in a regeneration, and after an edit of a schema the output is that of a run without a cache."""
    spec = tmp_path / "many.json"
    spec.write_text(_many_models_spec(210))
    cache = tmp_path / "cache"
    first = _generate(spec, tmp_path / "first", cache)
    assert "models/__init__.py" in first
    (parsed_file,) = (cache / "memo").glob("models-parsed-*")
    assert _read_memo(next((cache / "memo").glob("models-surface-*")), "models-surface")  # kept too
    ((key, (imports, units)),) = _read_memo(parsed_file, "models-parsed").items()
    marked = [(names, text + "  # from the memo" if names == ["Thing7"] else text, *rest) for names, text, *rest in units]
    _write_memo(parsed_file, "models-parsed", {key: (imports, marked)})
    again = _generate(spec, tmp_path / "again", cache)
    assert any("# from the memo" in source for source in again.values())
    _write_memo(parsed_file, "models-parsed", {key: (imports, units)})
    spec.write_text(_many_models_spec(210, extra_field="added"))
    edited = _generate(spec, tmp_path / "edited", cache)
    assert edited != first and edited == _generate(spec, tmp_path / "uncached", "off")
    manifests = [(tmp_path / run / "pets" / ".oapigen-manifest.json").read_text() for run in ("edited", "uncached")]
    assert '"added"' in manifests[0] and manifests[0].split('"models"')[1] == manifests[1].split('"models"')[1]
