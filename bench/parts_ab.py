"""A/B timings for issue 17's models parts: a base commit (A) and this checkout (B), alternating,
medians of N; CPU seconds (user + sys of the whole process tree, ``/usr/bin/time -v``) and wall.

    .venv/bin/python bench/parts_ab.py --base 481a476 [--runs 3] [--github FILE]

Cases: openai.yaml cold (empty cache), openai.yaml after one schema's description changed (cache
filled by a cold run first; bench/run.py's edit), the seed cold, GitHub's REST spec cold (if given).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
OPENAI = Path("/work/shared/specs/openai.yaml")
EDIT = r"description: The ID of the chat completion that was deleted\."


def timed(spec: Path, out: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    cmd = ["/usr/bin/time", "-v", str(PYTHON), "-m", "oapigen", "generate", str(spec), "--output", str(out), "--package", "pkg", "-q", *extra]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{spec}: exit {done.returncode}: {done.stderr[-800:]}")
    field = {k.strip(): v.strip() for k, _, v in (line.partition(": ") for line in done.stderr.splitlines())}
    wall = field["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
    seconds = float(wall[-1]) + 60 * float(wall[-2]) + (3600 * float(wall[-3]) if len(wall) > 2 else 0)
    return float(field["User time (seconds)"]) + float(field["System time (seconds)"]), seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--github")
    parser.add_argument("--cases", default="openai,edit,seed,github")
    args = parser.parse_args()
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="oapigen-ab-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        envs = {"A": {**os.environ, "PYTHONPATH": str(base / "generator" / "_editable")}, "B": dict(os.environ)}
        seed = ROOT / "specs" / "agent-server.json"
        cases = [c for c in args.cases.split(",") if c != "github" or args.github]
        for n in range(args.runs):
            for side in ("A", "B") if n % 2 == 0 else ("B", "A"):
                work = Path(tmp) / f"{side}{n}"
                env = {**envs[side], "OAPIGEN_CACHE_DIR": str(work / "cache")}
                for case in cases:
                    out = work / f"out-{case}"
                    if case == "openai":
                        sample = timed(OPENAI, out, env)
                    elif case == "seed":
                        sample = timed(seed, out, env, "--overlay", str(ROOT / "specs" / "agent-server.overlay.yaml"))
                    elif case == "github":
                        sample = timed(Path(args.github), out, env)
                    else:  # edit: a cold run fills the cache, then one schema's description changes
                        spec = work / "openai.yaml"
                        shutil.copy(OPENAI, spec)
                        timed(spec, out, env)
                        text = spec.read_text(encoding="utf-8")
                        spec.write_text(re.sub(EDIT, rf"\g<0> v{n}", text, count=1), encoding="utf-8")
                        sample = timed(spec, out, env)
                    results.setdefault((case, side), []).append(sample)
                    load = os.getloadavg()[0]
                    print(f"run {n} {side} {case}: {sample[0]:.1f} CPU-s, {sample[1]:.1f} s wall (load {load:.1f})", flush=True)
    print("\n| case | A CPU-s | B CPU-s | A wall | B wall |\n| --- | --- | --- | --- | --- |")
    for case in cases:
        a, b = results[(case, "A")], results[(case, "B")]
        med = [statistics.median(x[i] for x in s) for s in (a, b) for i in (0, 1)]
        print(f"| {case} | {med[0]:.1f} | {med[2]:.1f} | {med[1]:.1f} | {med[3]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
