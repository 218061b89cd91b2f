"""Plot bench/run.py's scaling rows (time and peak RSS against the spec factor) with linear fits.

Run with the matplotlib bench venv: ``bench/.venvs/matplotlib/bin/python bench/plot_scaling.py DATA.json OUT.png``.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        data = json.load(fh)
    rows = [r for r in data["rows"] if r["ok"]]
    x = np.array([r["operations"] for r in rows], dtype=float)
    t = np.array([r["median_wall_s"] for r in rows], dtype=float)
    m = np.array([r["peak_rss_mb"] for r in rows], dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    lines = []
    for ax, y, label, unit in ((axes[0], t, "generation time (cold)", "s"), (axes[1], m, "peak RSS", "MB")):
        slope, intercept = np.polyfit(x, y, 1)
        fit = slope * x + intercept
        r2 = 1 - ((y - fit) ** 2).sum() / max(((y - y.mean()) ** 2).sum(), 1e-12)
        ax.plot(x, y, "o-", label="measured")
        ax.plot(x, fit, "--", label=f"fit: {intercept:.2f} + {slope:.4f}/op (R²={r2:.3f})")
        for r, yy in zip(rows, y, strict=True):
            ax.annotate(f"x{r['factor']}", (r["operations"], yy), textcoords="offset points", xytext=(4, -12))
        ax.set_xlabel("operations (schemas grow in proportion)")
        ax.set_ylabel(f"{label} ({unit})")
        ax.set_title(label)
        ax.legend()
        ax.grid(alpha=0.3)
        lines.append(f"{label}: {intercept:.2f} {unit} + {slope:.4f} {unit}/operation, R^2 {r2:.3f}")
    fig.suptitle("oapigen generation over 1x..8x the seed")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)
    print(f"wrote {sys.argv[2]}; " + "; ".join(lines))


if __name__ == "__main__":
    main()
