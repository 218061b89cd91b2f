"""Write: the rendered package goes to disk atomically, and only over oapigen's own files.

The package folder holds a manifest (``.oapigen-manifest.json``) listing the files oapigen
wrote and their hashes. A write builds the new folder beside the old one (copying over every
file the manifest does not list: the user's), then swaps the two with renames, so an error or
an interruption leaves the previous output whole. ``--check`` compares without writing.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import keyword
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import naming
from ..core.diagnostics import Diagnostic, Severity, SpecError

MANIFEST = ".oapigen-manifest.json"
_SKIP_DIRS = {"__pycache__"}


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(package_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((package_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else None


def is_safe_relative(rel: str) -> bool:
    """A plain relative path inside the package: no absolute path, ``..``, ``.``, empty part,
    backslash or NUL (the manifest is a file in the user's tree: its paths are untrusted)."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel or rel.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def owned_files(package_dir: Path) -> set[str]:
    """The files the manifest says oapigen wrote (entries that are not plain relative paths are
    ignored: they can name nothing oapigen writes)."""
    manifest = read_manifest(package_dir)
    return {rel for rel in manifest["files"] if is_safe_relative(rel)} if manifest else set()


def _owned_hashes(package_dir: Path) -> dict[str, str]:
    manifest = read_manifest(package_dir)
    files = manifest["files"] if manifest else {}
    return {rel: str(h) for rel, h in files.items() if is_safe_relative(rel)}


def read_regular(path: Path) -> str | None:
    """The text of ``path`` if it is a regular file (not a symbolic link, device or folder)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _check_generated_paths(package_dir: Path, files: Mapping[str, str]) -> None:
    bad = sorted(rel for rel in files if not is_safe_relative(rel))
    if bad:
        raise _fail(package_dir, "refusing to write outside the package folder: " + ", ".join(map(repr, bad)))


def manifest_text(files: Mapping[str, str], inputs: Mapping[str, Any], api: Mapping[str, Any] | None = None) -> str:
    """The manifest: the files written and their hashes, the inputs (see :mod:`oapigen.run.freshness`)
    and the package's Python API (see :mod:`oapigen.run.changes`), for the next run's change report."""
    data: dict[str, Any] = {
        "generator": "oapigen",
        "inputs": dict(inputs),
        "files": {path: sha256_text(text) for path, text in sorted(files.items())},
    }
    if api is not None:
        data["api"] = dict(api)
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _fail(package_dir: Path, message: str) -> SpecError:
    return SpecError(Diagnostic(str(package_dir), "", message))


def _fix(package: str) -> str:
    return f"--package {naming.snake(package, prefix='api')}"


def _check_output(output: Path) -> None:
    """The output folder, or the nearest of its parents that exists, must be a folder."""
    for folder in (output, *output.parents):
        if folder.is_dir():
            return
        if folder.exists() or folder.is_symlink():
            what = "is" if folder == output else f"is inside {folder}, which is"
            raise SpecError(Diagnostic(str(output), "", f"the output folder {what} not a directory",
                                       hint="--output / output = names the folder the package goes in"))


def is_subpackage_folder(output: Path) -> bool:
    """``output`` is itself a Python package: the generated one is imported as ``parent.name``
    and shadows no top-level module."""
    return (output / "__init__.py").is_file()


def safe_package_dir(output: Path, package: str) -> Path:
    """``output/package``, refusing names that cannot be imported or would shadow the standard
    library, an output that is not a folder, and links that would leave ``output``."""
    if not package.isidentifier() or not package.isascii():
        raise SpecError(Diagnostic(str(output / package), "", f"package name {package!r} is not a valid Python identifier",
                                   hint=_fix(package)))
    if keyword.iskeyword(package):
        raise SpecError(Diagnostic(str(output / package), "", f"package name {package!r} is a Python keyword "
                                   f"(`import {package}` is a syntax error)", hint=_fix(package)))
    if package in sys.stdlib_module_names and not is_subpackage_folder(output):
        raise SpecError(Diagnostic(str(output / package), "", f"package name {package!r} is a standard library module: with the output folder "
                                   f"on sys.path, `import {package}` anywhere would import the generated package",
                                   hint=f"--package {package}_api, or an --output folder with an __init__.py"))
    _check_output(output)
    package_dir = output / package
    if package_dir.is_symlink():
        raise _fail(package_dir, "the package folder is a symbolic link; refusing to write through it")
    if package_dir.exists() and not package_dir.is_dir():
        raise _fail(package_dir, "exists and is not a folder")
    return package_dir


def diff_package(package_dir: Path, files: Mapping[str, str]) -> list[str]:
    """Unified diffs between what is on disk and ``files``, over the files oapigen owns."""
    _check_generated_paths(package_dir, files)
    diffs: list[str] = []
    for rel in sorted(set(files) | owned_files(package_dir)):
        target = package_dir / rel
        old = read_regular(target)  # never through a symbolic link: it could point anywhere
        new = files.get(rel)
        if old == new:
            continue
        diffs.append(
            "".join(
                difflib.unified_diff(
                    (old or "").splitlines(keepends=True),
                    (new or "").splitlines(keepends=True),
                    fromfile=f"{target} (on disk)" if old is not None else "/dev/null",
                    tofile=f"{target} (generated)" if new is not None else "/dev/null",
                )
            )
        )
    return diffs


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    overwritten_edits: tuple[str, ...] = ()  # written over a file edited by hand since the last run


def hand_edited(path: Path) -> Diagnostic:
    """The warning for a generated file whose hand edit a run overwrote."""
    return Diagnostic(str(path), "", "had been edited by hand; the edit is overwritten (a generated file is rewritten "
                      "on every run: change the spec, an overlay or a template override instead)", Severity.WARNING)


def write_package(package_dir: Path, files: Mapping[str, str], inputs: Mapping[str, Any],
                  api: Mapping[str, Any] | None = None) -> WriteReport:
    """Replace the package folder's generated files by ``files`` (see the module docstring).

    Files oapigen did not write are kept, and never overwritten (a conflict is an error); a
    generated file that is no longer generated is removed, unless it was edited since (its
    hash differs from the manifest's): then it is kept, as the user's.
    """
    _check_generated_paths(package_dir, files)
    output = package_dir.parent
    output.mkdir(parents=True, exist_ok=True)
    hashes = _owned_hashes(package_dir)
    old_owned = set(hashes)
    if package_dir.is_dir():
        conflicts = sorted(
            rel
            for rel in files
            if rel not in old_owned
            and ((package_dir / rel).exists() or (package_dir / rel).is_symlink())
            and read_regular(package_dir / rel) != files[rel]
        )
        if conflicts:
            raise _fail(
                package_dir,
                "refusing to overwrite files oapigen did not generate: "
                + ", ".join(conflicts)
                + " (move them away, or delete them if they are old output)",
            )
    unchanged = tuple(rel for rel in sorted(files) if read_regular(package_dir / rel) == files[rel])
    overwritten_edits = tuple(
        rel for rel in sorted(set(files) & old_owned)
        if rel not in unchanged and (text := read_regular(package_dir / rel)) is not None and sha256_text(text) != hashes[rel]
    )
    edited = {
        rel
        for rel in old_owned - set(files) - {MANIFEST}
        if (text := read_regular(package_dir / rel)) is not None and sha256_text(text) != hashes[rel]
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{package_dir.name}.oapigen-new-", dir=output))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp's folder is 0700; the package is a plain folder
        if package_dir.is_dir():
            _copy_user_files(package_dir, staging, (old_owned - edited) | set(files) | {MANIFEST})
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        (staging / MANIFEST).write_text(manifest_text(files, inputs, api), encoding="utf-8")
        _swap(package_dir, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(
        written=tuple(rel for rel in sorted(files) if rel not in unchanged),
        unchanged=unchanged,
        removed=tuple(sorted(old_owned - set(files) - {MANIFEST} - edited)),
        overwritten_edits=overwritten_edits,
    )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _copy_user_files(src: Path, dst: Path, owned: set[str]) -> None:
    for root, dirs, names in os.walk(src):
        # os.walk lists symbolic links to folders among the folders, and does not enter them:
        # they are the user's, copied as links like the others.
        links = [d for d in dirs if (Path(root) / d).is_symlink()]
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and d not in links)
        for name in [*names, *links]:
            path = Path(root) / name
            rel = path.relative_to(src).as_posix()
            if rel in owned:
                continue
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                os.symlink(os.readlink(path), target)
            else:
                shutil.copy2(path, target)


def _swap(package_dir: Path, staging: Path) -> None:
    if not package_dir.exists():
        os.replace(staging, package_dir)
        return
    backup = Path(tempfile.mkdtemp(prefix=f".{package_dir.name}.oapigen-old-", dir=package_dir.parent))
    backup.rmdir()
    os.replace(package_dir, backup)
    try:
        os.replace(staging, package_dir)
    except BaseException:
        os.replace(backup, package_dir)
        raise
    shutil.rmtree(backup, ignore_errors=True)


# Import names of API SDKs on PyPI that a spec's file name often gives (openai.yaml -> openai),
# for when the SDK is installed in the project but not where oapigen runs: name -> distribution.
WELL_KNOWN_SDKS = {"openai": "openai", "anthropic": "anthropic", "stripe": "stripe", "twilio": "twilio",
                   "github": "PyGithub", "slack_sdk": "slack-sdk", "kubernetes": "kubernetes", "docker": "docker",
                   "boto3": "boto3", "mistralai": "mistralai", "cohere": "cohere", "replicate": "replicate"}


def _installed_owners(package: str) -> list[str]:
    """The installed distributions whose top-level module is ``package``. Reading every
    distribution's metadata costs ~0.1 s (a few % of a small spec's run, more in a big
    environment), so only when something by that name is importable at all."""
    import importlib.util

    try:
        if importlib.util.find_spec(package) is None:
            return []
    except (ImportError, ValueError):
        pass
    from importlib.metadata import packages_distributions

    return sorted(set(packages_distributions().get(package, ())))


def package_name_warnings(output: Path, package: str) -> list[Diagnostic]:
    """A top-level package named like a module installed in this environment, or like a
    well-known SDK on PyPI, shadows it (or is shadowed by it, depending on ``sys.path``): a
    warning naming the distribution."""
    if is_subpackage_folder(output):
        return []
    owners = _installed_owners(package)
    if owners:
        what = f"the top-level module of the installed distribution {', '.join(owners)}"
    elif package in WELL_KNOWN_SDKS:
        what = f"the import name of the PyPI package {WELL_KNOWN_SDKS[package]}"
    else:
        return []
    return [Diagnostic(str(output / package), "", f"package name {package!r} is also {what}: whichever comes first "
                       "on sys.path hides the other", Severity.WARNING,
                       hint=f"--package {package}_api (or package = in the config table)")]
