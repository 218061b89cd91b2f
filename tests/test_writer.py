"""Writing output: atomic, manifest-owned, never over a user's file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import writer
from generator.errors import SpecError


def write(package: Path, files: dict[str, str]) -> writer.WriteReport:
    return writer.write_package(package, files, {"sha256": "x"})


def test_first_write_then_unchanged_then_removed(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    report = write(package, {"a.py": "A\n", "b.py": "B\n"})
    assert report.written == ("a.py", "b.py")
    assert writer.owned_files(package) == {"a.py", "b.py"}
    report = write(package, {"a.py": "A\n"})
    assert report.unchanged == ("a.py",) and report.removed == ("b.py",)
    assert not (package / "b.py").exists()


def test_user_files_survive_and_are_not_owned(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    write(package, {"a.py": "A\n"})
    (package / "handlers").mkdir()
    (package / "handlers" / "mine.py").write_text("mine\n")
    (package / ".env").write_text("SECRET=1\n")
    write(package, {"a.py": "A2\n"})
    assert (package / "handlers" / "mine.py").read_text() == "mine\n"
    assert (package / ".env").read_text() == "SECRET=1\n"
    assert writer.diff_package(package, {"a.py": "A2\n"}) == []


def test_a_failed_swap_leaves_the_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    write(package, {"a.py": "old\n"})
    real_replace = os.replace

    def failing(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if "oapigen-new" in Path(src).name:  # the swap of the new folder into place
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", failing)
    with pytest.raises(OSError):
        write(package, {"a.py": "new\n"})
    assert (package / "a.py").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # no staging folders left


def test_conflict_with_unowned_file_is_refused(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("user's\n")
    with pytest.raises(SpecError, match="did not generate"):
        write(package, {"a.py": "generated\n"})
    assert (package / "a.py").read_text() == "user's\n"


def test_symlinked_package_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "pkg").symlink_to(elsewhere)
    with pytest.raises(SpecError, match="symbolic link"):
        writer.safe_package_dir(out, "pkg")


def test_diff_names_stale_and_extra_owned_files(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    write(package, {"a.py": "A\n", "b.py": "B\n"})
    diffs = writer.diff_package(package, {"a.py": "changed\n"})
    text = "".join(diffs)
    assert "-A" in text and "+changed" in text and "b.py" in text


def test_a_file_no_longer_generated_is_removed_unless_edited(tmp_path: Path) -> None:
    """The deletion rule: an owned file that is no longer generated is removed when it still has
    its recorded hash; edited since, it is the user's: kept, reported as neither, and no longer
    owned (so a later run never removes it either)."""
    package = tmp_path / "pkg"
    write(package, {"a.py": "A\n", "edited.py": "old\n", "gone.py": "gone\n", "sub/deep.py": "D\n"})
    (package / "edited.py").write_text("old, with my edits\n")
    report = write(package, {"a.py": "A\n"})
    assert report == writer.WriteReport(written=(), unchanged=("a.py",), removed=("gone.py", "sub/deep.py"))
    assert not (package / "gone.py").exists() and not (package / "sub" / "deep.py").exists()
    assert (package / "edited.py").read_text() == "old, with my edits\n"
    assert writer.owned_files(package) == {"a.py"}
    report = write(package, {"a.py": "A\n"})
    assert report.removed == () and (package / "edited.py").read_text() == "old, with my edits\n"
    assert writer.diff_package(package, {"a.py": "A\n"}) == []

