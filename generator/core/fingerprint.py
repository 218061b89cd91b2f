"""What this oapigen is: where its templates are, and a fingerprint of its code, templates and
output-shaping libraries, which keys the disk caches (:mod:`oapigen.core.cache`) and the
manifest's freshness check (:mod:`oapigen.run.freshness`). Standard library only: the
"up to date" path must start fast.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_LIBRARIES = ("datamodel-code-generator", "black", "pydantic")


def templates_dir() -> Path:
    """Inside the wheel, ``oapigen/templates``; in a source checkout, the top-level ``templates/``."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


@cache
def generator_fingerprint() -> str:
    """Changes whenever oapigen's code, its templates or an output-shaping library changes."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parents[1]  # the package
    for folder in (here, templates_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".jinja"):
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(lib.encode())
    return h.hexdigest()
