"""Where the templates are: inside the wheel (``generator/templates``) or, in a source
checkout, the top-level ``templates/`` folder."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    shipped = Path(__file__).parent / "templates"
    return shipped if shipped.is_dir() else Path(__file__).parent.parent / "templates"
