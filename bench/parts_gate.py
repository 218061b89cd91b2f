"""Gate for issue 17's models parts: the packages this checkout generates are byte-identical to
those a base commit generates, for every spec given.

    .venv/bin/python bench/parts_gate.py --base 481a476 SPEC[::OVERLAY] ...

The base commit is exported (``git archive``) to a temporary folder and run with this venv,
its ``oapigen`` first on ``sys.path``; this checkout runs with a fresh part cache (so its split
is exercised too). Specs that fail to generate must fail alike (same exit code). The manifest is
left out: it records the generator's fingerprint (a hash of its code), which differs by design.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
MANIFEST = ".oapigen-manifest.json"  # records the generator's fingerprint: its code differs, by design


def generate(spec: str, out: Path, env: dict[str, str]) -> int:
    path, _, overlay = spec.partition("::")
    cmd = [str(PYTHON), "-m", "oapigen", "generate", path, "--output", str(out), "--package", "pkg", "-q"]
    if overlay:
        cmd += ["--overlay", overlay]
    return subprocess.run(cmd, env=env, capture_output=True, check=False).returncode


def differences(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b)
    out = [str(a / n) for n in cmp.left_only + cmp.right_only]
    out += [str(a / n) for n in cmp.common_files if n != MANIFEST and (a / n).read_bytes() != (b / n).read_bytes()]
    for sub in cmp.common_dirs:
        out += differences(a / sub, b / sub)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("specs", nargs="+")
    args = parser.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="oapigen-gate-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        for n, spec in enumerate(args.specs):
            old_env = {**os.environ, "PYTHONPATH": str(base / "generator" / "_editable"), "OAPIGEN_CACHE_DIR": "off"}
            new_env = {**os.environ, "OAPIGEN_CACHE_DIR": str(Path(tmp) / f"cache{n}")}
            old, new = Path(tmp) / f"old{n}", Path(tmp) / f"new{n}"
            codes = generate(spec, old, old_env), generate(spec, new, new_env)
            diff = differences(old, new) if old.exists() and new.exists() else []
            ok = codes[0] == codes[1] and not diff and old.exists() == new.exists()
            failed += not ok
            print(f"{'same' if ok else 'DIFFERENT'}: {spec} (exit {codes[0]} / {codes[1]}){' ' + ', '.join(diff[:3]) if diff else ''}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
