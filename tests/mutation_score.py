"""``make mutate``'s summary: reads ``mutmut results --all true`` on stdin, prints the score of
each mutated module (killed or timed out / all mutants) and exits 1 when one is below ``--min``.

Not a test module (pytest collects ``test_*.py`` only)."""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict

_LINE = re.compile(r"\s*(?P<module>[\w.]+?)\.x\S*__mutmut_\d+: (?P<status>.+)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min", type=float, default=90.0, help="lowest acceptable score per module, in %%")
    args = parser.parse_args()
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for line in sys.stdin:
        if match := _LINE.match(line):
            counts[match["module"]][match["status"].strip()] += 1
    if not counts:
        print("no mutants found: run `mutmut run` first", file=sys.stderr)
        return 1
    low = []
    print(f"{'module':24} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'score':>6}")
    for module, c in sorted(counts.items()):
        total = sum(c.values())
        killed = c["killed"] + c["timeout"]
        score = 100 * killed / total
        print(f"{module:24} {total:7} {killed:6} {c['survived']:8} {c['no tests']:8} {score:5.1f}%")
        if score < args.min:
            low.append(module)
    if low:
        print(f"below {args.min:g}%: {', '.join(low)} (`mutmut browse` shows the survivors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
