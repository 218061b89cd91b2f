"""The memos on disk (oapigen.core.memo): a regeneration reuses the black layout of the
statements it laid out before, and a memo can never make the output different: an edit's
output is the output of a run without any cache, a memo of another oapigen is not read, and a
damaged memo file is ignored."""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

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


def _memo_files(cache: Path) -> list[Path]:
    return sorted((cache / "memo").glob("layout-*"))


def test_a_regeneration_uses_the_memo_and_an_edit_gives_the_uncached_output(tmp_path: Path) -> None:
    spec = tmp_path / "petstore.yaml"
    text = PETSTORE.read_text()
    spec.write_text(text)
    cache = tmp_path / "cache"
    first = _generate(spec, tmp_path / "first", cache)
    (memo_file,) = _memo_files(cache)
    fmt, kind, entries = marshal.loads(memo_file.read_bytes())
    assert kind == "layout" and entries
    # the memo is what a regeneration uses: a marked entry shows up in its output
    marked = {key: (value + "# from the memo\n" if value else value) for key, value in entries.items()}
    memo_file.write_bytes(marshal.dumps((fmt, kind, marked)))
    again = _generate(spec, tmp_path / "again", cache)
    assert any("# from the memo" in source for source in again.values())
    memo_file.write_bytes(marshal.dumps((fmt, kind, entries)))
    assert _generate(spec, tmp_path / "restored", cache) == first
    # an edit that changes laid-out statements: the output is that of a run without a cache
    spec.write_text(text.replace("Returns a single pet", _LONG).replace("petId", "thePetIdentifierOfThisRequest"))
    edited = _generate(spec, tmp_path / "edited", cache)
    assert edited != first and edited == _generate(spec, tmp_path / "uncached", "off")


def test_a_memo_answers_only_its_call_and_only_for_its_oapigen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path))
    calls: list[str] = []

    def compute(value: str) -> str:
        calls.append(value)
        return value.upper()

    kept = memo.Memo("test")
    assert kept.get("a", lambda: compute("a")) == "A" and kept.get("a", lambda: compute("x")) == "A"
    kept.save()
    assert kept.get("a", lambda: compute("x")) == "A"  # read back from the file
    assert kept.get("b", lambda: compute("b")) == "B"
    assert calls == ["a", "b"]
    kept.save()
    monkeypatch.setattr(memo, "generator_fingerprint", lambda: "another oapigen")
    assert kept.get("a", lambda: compute("a, again")) == "A, AGAIN"  # its memo is not this one's


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00garbage", marshal.dumps(("oapigen-memo-1", "test", {hashlib.blake2b(b"a", digest_size=16).digest(): 5})), marshal.dumps([1, 2])],
    ids=["empty", "garbage", "foreign-values", "not-a-memo"],
)
def test_a_damaged_memo_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    monkeypatch.setenv("OAPIGEN_CACHE_DIR", str(tmp_path))
    damaged = memo.Memo("test")
    path = damaged.path()
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert damaged.get("a", lambda: "computed") == "computed"
    damaged.save()  # and written afresh
    assert memo.Memo("test").get("a", lambda: "again") == "computed"


def test_a_damaged_memo_file_does_not_stop_generation(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _generate(PETSTORE, tmp_path / "first", cache)
    (memo_file,) = _memo_files(cache)
    memo_file.write_bytes(memo_file.read_bytes()[:40])  # truncated
    assert _generate(PETSTORE, tmp_path / "again", cache) == first
