"""Writing output: atomic, manifest-owned, never over a user's file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from oapigen.core.diagnostics import SpecError
from oapigen.run import writer


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



# -- each rule by value (make mutate runs against this file) -------------------------------------


def only_diagnostic(exc: pytest.ExceptionInfo[SpecError]) -> tuple[str, str, str]:
    (d,) = exc.value.diagnostics
    return d.file, d.pointer, d.message


def test_manifest_text_is_sorted_indented_json() -> None:
    text = writer.manifest_text({"b.py": "B\n", "a.py": "A\n"}, {"spec": "x", "options": {}})
    a, b = writer.sha256_text("A\n"), writer.sha256_text("B\n")
    assert text == (
        "{\n"
        f'  "files": {{\n    "a.py": "{a}",\n    "b.py": "{b}"\n  }},\n'
        '  "generator": "oapigen",\n'
        '  "inputs": {\n    "options": {},\n    "spec": "x"\n  }\n'
        "}\n"
    )
    assert writer.sha256_text("é") == "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"  # of the UTF-8 bytes


@pytest.mark.parametrize(
    ("text", "read"),
    [("[1]", False), ('{"files": []}', False), ("{not json", False), ('{"files": {}}', True), ('{"files": {"a.py": "h"}}', True)],
)
def test_read_manifest_needs_an_object_with_files(tmp_path: Path, text: str, read: bool) -> None:
    (tmp_path / writer.MANIFEST).write_text(text)
    assert (writer.read_manifest(tmp_path) is not None) is read
    assert writer.owned_files(tmp_path) == ({"a.py"} if "a.py" in text else set())


def test_no_manifest_owns_nothing(tmp_path: Path) -> None:
    assert writer.read_manifest(tmp_path) is None and writer.owned_files(tmp_path) == set()


@pytest.mark.parametrize(
    ("rel", "safe"),
    [
        ("a.py", True), ("sub/a.py", True), ("a..b/c.d", True),
        ("", False), ("/abs", False), ("a\\b", False), ("a\x00b", False), ("../x", False),
        ("a/../b", False), ("./a", False), ("a/.", False), ("a//b", False), ("a/", False), (3, False),
    ],
)
def test_is_safe_relative(rel: str, safe: bool) -> None:
    assert writer.is_safe_relative(rel) is safe


def test_read_regular_reads_files_only_and_never_fails_on_bad_bytes(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"ok \xff\n")
    assert writer.read_regular(tmp_path / "bad.txt") == "ok \ufffd\n"
    (tmp_path / "link.txt").symlink_to(tmp_path / "bad.txt")
    assert writer.read_regular(tmp_path / "link.txt") is None  # a link, even to a regular file
    assert writer.read_regular(tmp_path) is None and writer.read_regular(tmp_path / "missing") is None


def test_paths_outside_the_package_are_refused_by_name(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    for call in (lambda: write(package, {"ok.py": "", "../up.py": "x", "/abs.py": "y"}),
                 lambda: writer.diff_package(package, {"../up.py": "x", "/abs.py": "y"})):
        with pytest.raises(SpecError) as exc:
            call()
        assert only_diagnostic(exc) == (str(package), "", "refusing to write outside the package folder: '../up.py', '/abs.py'")
    assert not package.exists() and not (tmp_path / "up.py").exists()


@pytest.mark.parametrize("name", ["not-valid", "é", "", "a.b"])
def test_safe_package_dir_refuses_names_that_are_not_identifiers(tmp_path: Path, name: str) -> None:
    with pytest.raises(SpecError) as exc:
        writer.safe_package_dir(tmp_path, name)
    assert only_diagnostic(exc) == (str(tmp_path / name), "", f"package name {name!r} is not a valid Python identifier")


def test_safe_package_dir_accepts_new_and_existing_folders_only(tmp_path: Path) -> None:
    assert writer.safe_package_dir(tmp_path, "new") == tmp_path / "new"
    (tmp_path / "there").mkdir()
    assert writer.safe_package_dir(tmp_path, "there") == tmp_path / "there"
    (tmp_path / "file").write_text("")
    with pytest.raises(SpecError) as exc:
        writer.safe_package_dir(tmp_path, "file")
    assert only_diagnostic(exc) == (str(tmp_path / "file"), "", "exists and is not a folder")
    (tmp_path / "link").symlink_to(tmp_path / "there")
    with pytest.raises(SpecError) as exc:
        writer.safe_package_dir(tmp_path, "link")
    assert only_diagnostic(exc) == (str(tmp_path / "link"), "", "the package folder is a symbolic link; refusing to write through it")


def test_diff_package_is_an_exact_unified_diff(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    write(package, {"a.py": "same\n", "b.py": "one\ntwo\n", "c.py": "gone\n"})
    diffs = writer.diff_package(package, {"a.py": "same\n", "b.py": "one\n2\n", "d.py": "new\n"})
    assert diffs == [
        f"--- {package / 'b.py'} (on disk)\n+++ {package / 'b.py'} (generated)\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n",
        f"--- {package / 'c.py'} (on disk)\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n",
        f"--- /dev/null\n+++ {package / 'd.py'} (generated)\n@@ -0,0 +1 @@\n+new\n",
    ]


def test_conflicts_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    write(package, {"owned.py": "o\n"})
    (package / "a.py").write_text("mine\n")
    (package / "b.py").write_text("mine too\n")
    (package / "same.py").write_text("S\n")  # identical to what would be generated: no conflict
    with pytest.raises(SpecError) as exc:
        write(package, {"owned.py": "o2\n", "a.py": "A\n", "b.py": "B\n", "same.py": "S\n", "new.py": "N\n"})
    assert only_diagnostic(exc) == (
        str(package), "",
        "refusing to overwrite files oapigen did not generate: a.py, b.py (move them away, or delete them if they are old output)",
    )
    assert (package / "owned.py").read_text() == "o\n" and not (package / "new.py").exists()


def test_new_files_deep_folders_and_a_missing_output_folder(tmp_path: Path) -> None:
    package = tmp_path / "out" / "deeper" / "pkg"
    write(package, {"a.py": "A\n"})
    report = write(package, {"a.py": "A\n", "x/y/z.py": "Z\n", "n.py": "N\n"})
    assert report == writer.WriteReport(written=("n.py", "x/y/z.py"), unchanged=("a.py",), removed=())
    assert (package / "x" / "y" / "z.py").read_text() == "Z\n"
    assert writer.owned_files(package) == {"a.py", "n.py", "x/y/z.py"}


def test_the_swap_goes_through_hidden_folders_beside_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new folder is built beside the package (same file system: renames are atomic) and
    the old one is moved aside there, then removed: nothing is left behind."""
    package = tmp_path / "pkg"
    write(package, {"a.py": "old\n"})
    moves: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def recording(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        moves.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", recording)
    write(package, {"a.py": "new\n"})
    (old, backup), (staging, target) = moves
    assert (old, target) == (package, package)
    assert backup.parent == staging.parent == tmp_path
    assert backup.name.startswith(".pkg.oapigen-old-") and staging.name.startswith(".pkg.oapigen-new-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]
    assert (package / "a.py").read_text() == "new\n"


def test_user_files_are_copied_with_their_folders_and_links_but_not_bytecode(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    write(package, {"a.py": "A\n"})
    (package / "handlers" / "deep").mkdir(parents=True)
    (package / "handlers" / "deep" / "mine.py").write_text("mine\n")
    (package / "notes.txt").write_text("n\n")
    (package / "link.txt").symlink_to("notes.txt")
    (package / "linked_dir").symlink_to(package / "handlers")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"stale")
    write(package, {"a.py": "A2\n"})
    assert (package / "handlers" / "deep" / "mine.py").read_text() == "mine\n"
    assert (package / "link.txt").is_symlink() and os.readlink(package / "link.txt") == "notes.txt"
    assert (package / "linked_dir").is_symlink() and os.readlink(package / "linked_dir") == str(package / "handlers")
    assert not (package / "__pycache__").exists()
