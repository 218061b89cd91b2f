"""Where the templates are: inside the wheel (``generator/templates``) or, in a source
checkout, the top-level ``templates/`` folder."""

from __future__ import annotations

import os
from pathlib import Path


def templates_dir() -> Path:
    shipped = Path(__file__).parent / "templates"
    return shipped if shipped.is_dir() else Path(__file__).parent.parent / "templates"


def cache_dir(kind: str) -> Path | None:
    """``$OAPIGEN_CACHE_DIR/<kind>`` or ``~/.cache/oapigen/<kind>``; None when
    ``OAPIGEN_CACHE_DIR=off``. Caches only ever make a run faster, never different."""
    configured = os.environ.get("OAPIGEN_CACHE_DIR")
    if configured == "off":
        return None
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "oapigen"
    return base / kind
