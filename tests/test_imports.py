"""oapigen.pysource.imports: the name orders ruff checks in generated code (I001 for imports, RUF022
for ``__all__``), checked against ruff itself on names where the two orders differ."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from oapigen.pysource.imports import (
    all_name_key,
    from_import_lines,
    import_name_key,
    sorted_import_lines,
)

NAMES = ["XYz", "Xa", "Run10", "Run2", "aB", "ab2", "Ab", "URL", "A", "_x", "A_b", "Aa", "X2Y", "X10Y"]


def test_ruff_accepts_both_orders(tmp_path: Path) -> None:
    imported = ", ".join(sorted(NAMES, key=import_name_key))
    exported = ", ".join(f'"{n}"' for n in sorted(NAMES, key=all_name_key))
    module = tmp_path / "m.py"
    module.write_text(
        sorted_import_lines(["import re", f"from .x import {imported}", "from __future__ import annotations",
                             "from typing import Any"])
        + f"\n\n__all__ = [{exported}]\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "I,RUF022",
         "--line-length", "1000", str(module)],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_orders_differ_where_ruff_does() -> None:
    assert sorted(["XYz", "Xa"], key=import_name_key) == ["Xa", "XYz"]  # case ignored
    assert sorted(["XYz", "Xa"], key=all_name_key) == ["XYz", "Xa"]  # case minded
    assert sorted(["Run10", "Run2"], key=import_name_key) == ["Run2", "Run10"]  # natural


def test_from_import_lines_are_in_ruffs_order(tmp_path: Path) -> None:
    # The docs' handler snippets: (module, name) pairs from the standard library, a third-party
    # module and the generated package (first-party), names in mixed case and with numbers.
    pairs = {("typing", "Any"), ("collections.abc", "AsyncIterator"), ("pkg.server", "create_app"),
             ("pkg.server", "Handlers"), ("pkg", "models"), ("pydantic", "BaseModel"),
             ("datetime", "date"), ("typing", "Literal"), *(("pkg.server", n) for n in NAMES)}
    lines = from_import_lines(pairs, first_party=("pkg",))
    assert lines.count("") == 2 and lines[0] == "from collections.abc import AsyncIterator"
    assert lines[-1].startswith("from pkg.server import ")
    module = tmp_path / "m.py"
    module.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "I",
         "--line-length", "1000", "--config", "lint.isort.known-first-party = ['pkg']", str(module)],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
