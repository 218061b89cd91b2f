"""The disk cache: text kept under a hex digest, so a later run does less work.

Caches only ever make a run faster, never different: the models stage and black key their
entries by everything that shapes the output."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir(kind: str) -> Path | None:
    """``$OAPIGEN_CACHE_DIR/<kind>`` or ``~/.cache/oapigen/<kind>``; None when
    ``OAPIGEN_CACHE_DIR=off``. Caches only ever make a run faster, never different."""
    configured = os.environ.get("OAPIGEN_CACHE_DIR")
    if configured == "off":
        return None
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "oapigen"
    return base / kind


def read_cached(cache_dir: Path | None, key: str) -> str | None:
    """The text cached under ``key`` (a hex digest), or None."""
    if cache_dir is None:
        return None
    try:
        return (cache_dir / key[:2] / key).read_text(encoding="utf-8")
    except OSError:
        return None


def write_cached(cache_dir: Path | None, key: str, text: str) -> None:
    """Cache ``text`` under ``key``, atomically (a temporary file and a rename)."""
    if cache_dir is None:
        return
    try:
        folder = cache_dir / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, folder / key)
    except OSError:
        pass  # a cache that cannot be written is only slower
