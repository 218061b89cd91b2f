"""Is a package up to date? A cheap answer from the manifest, without loading the spec.

The manifest records a fingerprint of everything the output depends on: the bytes of every
input file (the spec, the files its ``$ref``s pulled in, the overlay), the options, and the
generator itself (its source, its templates, and the versions of the libraries that shape
the output). When all of that is unchanged and the owned files still have their recorded
hashes, there is nothing to do. Standard library only: this path must start fast.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..core.fingerprint import generator_fingerprint


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(package_dir: Path, inputs: Iterable[Path], options: Mapping[str, Any]) -> dict[str, Any]:
    """What the manifest stores; input paths are relative to the package (machine-independent)."""
    files = {
        Path(os.path.relpath(p.resolve(), package_dir.resolve())).as_posix(): _digest(p)
        for p in sorted(set(inputs))
    }
    return {"generator": generator_fingerprint(), "inputs": files, "options": dict(options)}


def is_up_to_date(package_dir: Path, manifest: Mapping[str, Any] | None, options: Mapping[str, Any]) -> bool:
    """True when the recorded inputs, options and generator are unchanged and no owned file was edited."""
    if not manifest:
        return False
    recorded = manifest.get("inputs")
    if not isinstance(recorded, Mapping) or recorded.get("options") != dict(options):
        return False
    inputs = recorded.get("inputs")
    if not isinstance(inputs, Mapping) or not inputs:
        return False
    try:
        if recorded.get("generator") != generator_fingerprint():
            return False
        for rel, digest in inputs.items():
            if _digest(package_dir / rel) != digest:
                return False
        return all(_digest(package_dir / rel) == digest for rel, digest in manifest["files"].items())
    except OSError:
        return False
