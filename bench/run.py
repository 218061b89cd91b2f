"""`make bench`: oapigen's generation time and memory against other generators, in one run.

For each spec (openai.yaml, the seed with its overlay applied, twilio-messaging-v1.yaml):

* oapigen full generation (models + client + server, formatted) -- ``cold`` (a fresh, empty
  ``OAPIGEN_CACHE_DIR`` and output folder per run), ``warm`` (format cache filled, fresh output
  folder), ``unchanged`` (the same output folder again: the manifest says nothing changed) and
  ``check`` (``--check --trust-manifest`` on that unchanged tree; plain ``--check`` regenerates);
* the anchors, each in its own venv under ``bench/.venvs/`` (created on first use, then reused):
  openapi-python-client, datamodel-code-generator (models only: the floor) and
  fastapi-code-generator. An anchor that fails is reported as failed with its first error line.

Every timed run is one subprocess: wall time from ``time.perf_counter`` around it, CPU seconds
(user + system) and peak RSS from ``os.wait4`` on it (counting every child it waited for; the
peak is the largest resident set of one of them). Medians over ``--runs``; the table gives oapigen
cold's ratios to each anchor and issue 17's targets against openapi-python-client (wall <= 1.0x,
CPU <= 1.5x, memory <= 1.5x). On openai.yaml, the edit loop: one schema's description, one
operation's summary, nothing changed (``bench_edit_loop``). Then, unless skipped: the import time and memory of the generated
openai package (client + models; with every model class loaded; the server) beside
openapi-python-client's package for the same spec, ``bench/client_overhead.py``, ``bench/server_rps.py``, and the scaling of
generation over 1x/2x/4x/8x a synthetic spec (the seed's paths and schemas replicated with
suffixed names), plotted to ``bench/results/scaling.png`` with a linear fit.
Results go to ``bench/results/bench-<UTC time>.json`` (and ``latest.json``). Nothing is asserted.

    .venv/bin/python bench/run.py [--runs 3] [--spec openai|seed|twilio ...] [--no-anchors]
        [--anchor NAME ...] [--skip edit,import,client,server,scaling] [--scaling 1,2,4,8]
"""

from __future__ import annotations

import argparse
import compileall
import copy
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENVS = BENCH / ".venvs"
RESULTS = BENCH / "results"
SHARED = ROOT.parent / "shared" / "specs"
PYTHON = Path(sys.executable)
OAPIGEN = [str(PYTHON), "-m", "oapigen"]

ANCHORS = {  # name -> pip requirement
    "openapi-python-client": "openapi-python-client",
    "datamodel-code-generator": "datamodel-code-generator",
    "fastapi-code-generator": "fastapi-code-generator",
}
PLOT_VENV = "matplotlib"


@dataclass
class Sample:
    wall: float
    rss_mb: float
    ok: bool
    error: str = ""
    cpu: float = 0.0  # user + system seconds of the process and every child it waited for


@dataclass
class Measure:
    name: str
    spec: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.samples) and all(s.ok for s in self.samples)

    @property
    def wall(self) -> float | None:
        return statistics.median(s.wall for s in self.samples) if self.ok else None

    @property
    def rss_mb(self) -> float | None:
        return max(s.rss_mb for s in self.samples) if self.ok else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(s.cpu for s in self.samples) if self.ok else None

    @property
    def error(self) -> str:
        return next((s.error for s in self.samples if not s.ok), "")

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "spec": self.spec, "ok": self.ok, "median_wall_s": self.wall,
                "peak_rss_mb": self.rss_mb, "median_cpu_s": self.cpu, "error": self.error, "samples": [asdict(s) for s in self.samples]}


def timed(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
          timeout: float = 900) -> tuple[Sample, str]:
    """One subprocess: wall time, peak RSS (os.wait4) and its combined output."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                cwd=cwd or ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    ok = proc.returncode == 0
    error = "" if ok else _first_error(text, proc.returncode)
    cpu = round(usage.ru_utime + usage.ru_stime, 3)
    return Sample(round(wall, 3), round(usage.ru_maxrss / 1024, 1), ok, error, cpu), text


def _first_error(text: str, code: int) -> str:
    """The exception line of a traceback (the last one), else the first line that looks like an error."""
    lines = [ln.strip(" \t│╭╰─╮╯") for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    raised = [ln for ln in lines if re.match(r"[\w.]*(Error|Exception|Exit)\b(:|$)", ln)]
    if raised:
        return f"exit {code}: {raised[-1][:300]}"
    for ln in lines:
        if re.search(r"error|exception|failed|invalid", ln, re.IGNORECASE) and "Traceback" not in ln:
            return f"exit {code}: {ln[:300]}"
    return f"exit {code}: {(lines[-1] if lines else '(no output)')[:300]}"


# -- specs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    name: str
    path: Path  # what oapigen reads
    overlay: Path | None  # oapigen applies it itself
    anchor_input: Path  # what the anchors read: the overlay-applied document


def _seed_overlaid(work: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from oapigen.spec.overlay import apply_overlay

    document = json.loads((ROOT / "specs" / "agent-server.json").read_text(encoding="utf-8"))
    document = apply_overlay(document, ROOT / "specs" / "agent-server.overlay.yaml")
    target = work / "agent-server.overlaid.json"
    target.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return target


def specs(work: Path, wanted: list[str]) -> list[Spec]:
    out = []
    if "openai" in wanted:
        p = SHARED / "openai.yaml"
        out.append(Spec("openai", p, None, p))
    if "seed" in wanted:
        out.append(Spec("seed", ROOT / "specs" / "agent-server.json", ROOT / "specs" / "agent-server.overlay.yaml",
                        _seed_overlaid(work)))
    if "twilio" in wanted:
        p = SHARED / "twilio-messaging-v1.yaml"
        out.append(Spec("twilio", p, None, p))
    return out


# -- anchors -------------------------------------------------------------------------------------

def venv(name: str, requirement: str) -> Path:
    """bench/.venvs/NAME with ``requirement`` installed (created once, then reused)."""
    folder = VENVS / name
    marker = folder / ".bench-installed"
    if not marker.exists():
        print(f"  installing {requirement} into {folder} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement], check=True)
        marker.write_text(requirement, encoding="utf-8")
    return folder / "bin"


def anchor_cmd(name: str, spec: Spec, out: Path) -> list[str]:
    bin_dir = venv(name, ANCHORS[name])
    if name == "openapi-python-client":
        config = out.parent / f"{out.name}-opc.yaml"
        config.write_text("project_name_override: anchor_client\npackage_name_override: anchor_client\n",
                          encoding="utf-8")
        return [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec.anchor_input),
                "--output-path", str(out), "--overwrite", "--config", str(config)]
    if name == "datamodel-code-generator":
        out.mkdir(parents=True, exist_ok=True)
        return [str(bin_dir / "datamodel-codegen"), "--input", str(spec.anchor_input), "--input-file-type",
                "openapi", "--output-model-type", "pydantic_v2.BaseModel", "--output", str(out / "models.py")]
    if name == "fastapi-code-generator":
        return [str(bin_dir / "fastapi-codegen"), "--input", str(spec.anchor_input), "--output", str(out)]
    raise ValueError(name)


# -- oapigen -------------------------------------------------------------------------------------

def oapigen_cmd(spec: Spec, out: Path, *extra: str) -> list[str]:
    cmd = [*OAPIGEN, "generate", str(spec.path), "--output", str(out), "--package", f"{spec.name}_pkg", "-q", *extra]
    if spec.overlay:
        cmd += ["--overlay", str(spec.overlay)]
    return cmd


def bench_oapigen(spec: Spec, runs: int, work: Path) -> list[Measure]:
    cold, warm, unchanged, check = (Measure(f"oapigen {k}", spec.name) for k in ("cold", "warm", "unchanged", "check"))
    warm_cache = work / f"cache-warm-{spec.name}"
    for i in range(runs):
        cache = work / f"cache-cold-{spec.name}-{i}"
        sample, _ = timed(oapigen_cmd(spec, work / f"out-cold-{spec.name}-{i}"), env={"OAPIGEN_CACHE_DIR": str(cache)})
        cold.samples.append(sample)
        if i == 0 and sample.ok:
            shutil.copytree(cache, warm_cache, dirs_exist_ok=True)
        shutil.rmtree(cache, ignore_errors=True)
        print(f"  {cold.name:<26} run {i + 1}: {sample.wall:7.2f}s {sample.cpu:7.2f} CPU-s {sample.rss_mb:6.0f} MB "
              f"{sample.error}", flush=True)
    for i in range(runs):
        sample, _ = timed(oapigen_cmd(spec, work / f"out-warm-{spec.name}-{i}"), env={"OAPIGEN_CACHE_DIR": str(warm_cache)})
        warm.samples.append(sample)
        print(f"  {warm.name:<26} run {i + 1}: {sample.wall:7.2f}s {sample.cpu:7.2f} CPU-s {sample.rss_mb:6.0f} MB "
              f"{sample.error}", flush=True)
    target = work / f"out-cold-{spec.name}-0"
    # untimed: if oapigen's own source changed since the cold run, this regenerates once
    timed(oapigen_cmd(spec, target), env={"OAPIGEN_CACHE_DIR": str(warm_cache)})
    for _ in range(runs):
        for m, extra in ((unchanged, ()), (check, ("--check", "--trust-manifest"))):
            sample, _ = timed(oapigen_cmd(spec, target, *extra), env={"OAPIGEN_CACHE_DIR": str(warm_cache)})
            m.samples.append(sample)
    print(f"  unchanged {unchanged.wall}s, --check on the unchanged tree {check.wall}s", flush=True)
    return [cold, warm, unchanged, check]


# The edit loop of issue 17 on a copy of the spec: after a cold run filled the cache and the output
# folder, one edit and a regeneration, ``runs`` times each (every run a new text, so nothing is
# answered from the previous run). Targets: schema < 1.5 s, operation < 1.0 s, nothing < 0.15 s.
EDITS = {  # kind -> (spec, pattern whose first match gets " vN" appended)
    "schema": ("openai", r"description: The ID of the chat completion that was deleted\."),
    "operation": ("openai", r"Delete a stored chat completion\."),
}
EDIT_TARGETS = {"schema": 1.5, "operation": 1.0, "nothing": 0.15}


def bench_edit_loop(spec: Spec, runs: int, work: Path) -> list[Measure]:
    folder = work / f"edit-{spec.name}"
    folder.mkdir(parents=True, exist_ok=True)
    copy_ = folder / spec.path.name
    original = spec.path.read_text(encoding="utf-8")
    copy_.write_text(original, encoding="utf-8")
    edited = Spec(spec.name, copy_, spec.overlay, copy_)
    env = {"OAPIGEN_CACHE_DIR": str(folder / "cache")}
    out = folder / "out"
    first, _ = timed(oapigen_cmd(edited, out), env=env)  # cold: fills the cache and the folder
    measures = [Measure(f"edit: {kind}", spec.name) for kind in (*EDITS, "nothing")]
    if not first.ok:
        for m in measures:
            m.samples.append(first)
        return measures
    for i in range(runs):
        for m, kind in zip(measures, (*EDITS, "nothing"), strict=True):
            if kind in EDITS:
                pattern = EDITS[kind][1]
                text, count = re.subn(f"({pattern})", rf"\g<1> v{i + 1}", original, count=1)
                if not count:
                    m.samples.append(Sample(0, 0, False, f"edit pattern {pattern!r} not found"))
                    continue
                copy_.write_text(text, encoding="utf-8")
                original = text
            sample, _ = timed(oapigen_cmd(edited, out), env=env)
            m.samples.append(sample)
            print(f"  {m.name:<26} run {i + 1}: {sample.wall:7.2f}s {sample.cpu:7.2f} CPU-s {sample.error}", flush=True)
    return measures


def bench_anchor(name: str, spec: Spec, runs: int, work: Path) -> Measure:
    m = Measure(name, spec.name)
    for i in range(runs):
        out = work / f"anchor-{name}-{spec.name}-{i}"
        shutil.rmtree(out, ignore_errors=True)
        try:
            cmd = anchor_cmd(name, spec, out)
        except subprocess.CalledProcessError as exc:
            m.samples.append(Sample(0, 0, False, f"install failed: {exc}"))
            break
        sample, _ = timed(cmd)
        if name == "datamodel-code-generator" and "require an output directory" in sample.error:
            cmd[-1] = str(out / "models")  # a spec with modular references: a package, not a file
            sample, _ = timed(cmd)
        m.samples.append(sample)
        print(f"  {name:<26} run {i + 1}: {sample.wall:7.2f}s {sample.cpu:7.2f} CPU-s {sample.rss_mb:6.0f} MB "
              f"{sample.error}", flush=True)
        shutil.rmtree(out, ignore_errors=True)
        if not sample.ok:
            break  # failing again tells nothing new
    return m


# -- extras --------------------------------------------------------------------------------------

_PEAK = "\nprint('peak-rss-kb', next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"


def _import_figures(code: str, env: dict[str, str], runs: int, python: str = str(PYTHON)) -> dict[str, Any]:
    """Median wall time and peak RSS of ``python -c code`` (after one untimed run writing .pyc).

    The peak is the interpreter's own high-water mark (``VmHWM``, reset by ``exec``): ``wait4``'s
    figure also counts the pages the child shared with this (bigger) process before its exec."""
    timed([python, "-c", code], env=env)
    walls, peaks, errors = [], [], []
    for _ in range(runs):
        sample, text = timed([python, "-c", code + _PEAK], env=env)
        walls.append(sample.wall)
        found = re.search(r"^peak-rss-kb (\d+)", text, re.MULTILINE)
        peaks.append(int(found.group(1)) / 1024 if found else sample.rss_mb)
        if not sample.ok:
            errors.append(sample.error)
    return {"s": statistics.median(walls), "rss_mb": round(max(peaks), 1), "ok": not errors,
            "error": errors[0] if errors else ""}


def bench_import(work: Path, runs: int) -> dict[str, Any]:
    """``import openai_pkg`` (client + models) over bare Python: time and memory; also with
    every model class loaded, the server, and openapi-python-client's package for the same spec."""
    folder = work / "out-cold-openai-0"
    if not (folder / "openai_pkg").is_dir():
        return {"error": "openai was not generated (run with --spec openai)"}
    env = {"PYTHONPATH": str(folder), "PYTHONDONTWRITEBYTECODE": ""}
    code = "import openai_pkg, openai_pkg.client, openai_pkg.models"
    bare = _import_figures("pass", env, runs)
    full = _import_figures(code, env, runs)
    every_model = _import_figures(code + "\nfor n in openai_pkg.models.__all__: getattr(openai_pkg.models, n)", env, runs)
    server = _import_figures("import openai_pkg.server", env, runs)
    _, importtime = timed([str(PYTHON), "-X", "importtime", "-c", code], env=env)
    top = []
    for line in importtime.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and len(m.group(3)) <= 3:
            top.append((int(m.group(2)), m.group(4)))
    result = {
        "bare_python_s": bare["s"],
        "import_s": full["s"],
        "bare_rss_mb": bare["rss_mb"],
        "import_rss_mb": full["rss_mb"],
        "every_model_s": every_model["s"],
        "every_model_rss_mb": every_model["rss_mb"],
        "server_import_s": server["s"],
        "server_rss_mb": server["rss_mb"],
        "ok": full["ok"] and every_model["ok"],
        "error": full["error"] or every_model["error"],
        "top_cumulative_us": sorted(top, reverse=True)[:12],
    }
    result["over_bare_s"] = round(result["import_s"] - result["bare_python_s"], 3)
    result["over_bare_mb"] = round(result["import_rss_mb"] - result["bare_rss_mb"], 1)
    result["openapi-python-client"] = _import_opc(work, runs)
    return result


def _import_opc(work: Path, runs: int) -> dict[str, Any]:
    """The same import for openapi-python-client's package of openai.yaml (client + models)."""
    out = work / "import-opc-openai"
    try:
        sample, _ = timed(anchor_cmd("openapi-python-client", Spec("openai", SHARED / "openai.yaml", None,
                                                                   SHARED / "openai.yaml"), out))
    except subprocess.CalledProcessError as exc:
        return {"ok": False, "error": f"install failed: {exc}"}
    if not sample.ok:
        return {"ok": False, "error": sample.error}
    env = {"PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": ""}
    bin_python = str(venv("openapi-python-client", ANCHORS["openapi-python-client"]) / "python")
    code = "import anchor_client, anchor_client.models"  # its package needs attrs: that venv has it
    figures = _import_figures(code, env, runs, bin_python)
    bare = _import_figures("pass", env, runs, bin_python)
    return {"ok": figures["ok"], "import_s": figures["s"], "import_rss_mb": figures["rss_mb"],
            "over_bare_s": round(figures["s"] - bare["s"], 3), "over_bare_mb": round(figures["rss_mb"] - bare["rss_mb"], 1),
            "error": figures["error"]}


def bench_script(script: str, *args: str) -> dict[str, Any]:
    sample, text = timed([str(PYTHON), str(BENCH / script), *args], timeout=1800)
    figures = {}
    for line in text.splitlines():
        m = re.match(r"\s*(.+?)\s*:\s*([\d.]+)\s*(us/call|requests/s)?", line)
        if m and not line.lstrip().startswith(("Traceback", "File")):
            figures[m.group(1)] = float(m.group(2))
    return {"ok": sample.ok, "error": sample.error, "wall_s": sample.wall, "figures": figures, "output": text.strip()}


def synthetic_spec(base: Path, factor: int, work: Path) -> Path:
    """The seed (overlay applied) with its paths and schemas replicated ``factor`` times."""
    document = json.loads(base.read_text(encoding="utf-8"))
    schemas = document.get("components", {}).get("schemas", {})
    out = copy.deepcopy(document)
    out["paths"] = {}
    out.setdefault("components", {})["schemas"] = {}
    for k in range(1, factor + 1):
        suffix = "" if k == 1 else f"V{k}"
        text = json.dumps({"paths": document["paths"], "schemas": schemas})
        if suffix:
            for name in sorted(schemas, key=len, reverse=True):
                text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/{name}{suffix}"')
            text = re.sub(r'("operationId": ")([^"]+)"', rf'\g<1>\g<2>_v{k}"', text)
        part = json.loads(text)
        for p, item in part["paths"].items():
            out["paths"][p if k == 1 else f"/v{k}{p}"] = item
        for name, schema in part["schemas"].items():
            out["components"]["schemas"][name + suffix] = schema
    target = work / f"synthetic-x{factor}.json"
    target.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return target


def bench_scaling(factors: list[int], runs: int, work: Path) -> dict[str, Any]:
    base = _seed_overlaid(work)
    rows = []
    for f in factors:
        path = synthetic_spec(base, f, work)
        document = json.loads(path.read_text(encoding="utf-8"))
        operations = sum(1 for item in document["paths"].values() for k in item
                         if k in ("get", "put", "post", "delete", "patch", "head", "options", "trace"))
        spec = Spec(f"x{f}", path, None, path)
        m = Measure(f"oapigen cold x{f}", spec.name)
        for i in range(runs):
            cache = work / f"cache-scaling-{f}-{i}"
            sample, _ = timed(oapigen_cmd(spec, work / f"out-scaling-{f}-{i}", "--lenient"),
                              env={"OAPIGEN_CACHE_DIR": str(cache)})
            shutil.rmtree(cache, ignore_errors=True)
            m.samples.append(sample)
        print(f"  x{f}: {operations} operations, {len(document['components']['schemas'])} schemas: "
              f"{m.wall}s, {m.rss_mb} MB {m.error}", flush=True)
        rows.append({"factor": f, "operations": operations, "schemas": len(document["components"]["schemas"]),
                     **m.as_json()})
    return {"rows": rows}


def plot_scaling(scaling: dict[str, Any], target: Path) -> str:
    try:
        bin_dir = venv(PLOT_VENV, "matplotlib")
    except subprocess.CalledProcessError as exc:
        return f"matplotlib install failed: {exc}"
    data = target.with_suffix(".json")
    data.write_text(json.dumps(scaling), encoding="utf-8")
    sample, text = timed([str(bin_dir / "python"), str(BENCH / "plot_scaling.py"), str(data), str(target)])
    return text.strip() if sample.ok else f"plot failed: {sample.error}"


# -- report --------------------------------------------------------------------------------------

def _fmt(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.2f}{unit}" if unit == "s" else f"{value:.0f}{unit}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}x" if ours and theirs else "-"


TARGET_ANCHOR = "openapi-python-client"
TARGETS = {"wall": 1.0, "CPU": 1.5, "memory": 1.5}  # issue 17: oapigen cold / openapi-python-client


def table(measures: list[Measure]) -> list[str]:
    """Every measure (median wall, median CPU seconds, peak RSS) and oapigen cold's ratio to
    each anchor (wall / CPU / memory); then issue 17's targets against openapi-python-client."""
    head = f"{'spec':<8} {'generator':<28} {'wall':>8} {'CPU':>8} {'peak RSS':>9} {'oapigen cold / it: wall, CPU, memory':>38}  note"
    lines = [head]
    by_spec: dict[str, list[Measure]] = {}
    for m in measures:
        by_spec.setdefault(m.spec, []).append(m)
    for spec, ms in by_spec.items():
        ours = next((m for m in ms if m.name == "oapigen cold"), None)
        for m in ms:
            ratio = ""
            if ours and not m.name.startswith(("oapigen", "edit")):
                ratio = ", ".join((_ratio(ours.wall, m.wall), _ratio(ours.cpu, m.cpu), _ratio(ours.rss_mb, m.rss_mb)))
            note = "" if m.ok else f"FAILED: {m.error}"
            kind = m.name.removeprefix("edit: ")
            if m.ok and m.name.startswith("edit: ") and m.wall is not None:
                note = f"target < {EDIT_TARGETS[kind]:.2f}s: {'met' if m.wall < EDIT_TARGETS[kind] else 'NOT met'}"
            lines.append(f"{spec:<8} {m.name:<28} {_fmt(m.wall, 's'):>8} {_fmt(m.cpu, 's'):>8} "
                         f"{_fmt(m.rss_mb, ' MB'):>9} {ratio:>38}  {note}")
        anchor = next((m for m in ms if m.name == TARGET_ANCHOR and m.ok), None)
        if ours and ours.ok and anchor:
            figures = {"wall": (ours.wall, anchor.wall), "CPU": (ours.cpu, anchor.cpu), "memory": (ours.rss_mb, anchor.rss_mb)}
            verdicts = []
            for what, (a, b) in figures.items():
                value = a / b if a and b else None
                met = value is not None and value <= TARGETS[what]
                verdicts.append(f"{what} {_ratio(a, b)} (<= {TARGETS[what]}x: {'met' if met else 'NOT met'})")
            lines.append(f"{'':<8} -> oapigen cold / {TARGET_ANCHOR}: " + "; ".join(verdicts))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--spec", action="append", choices=["openai", "seed", "twilio"],
                        help="limit to this spec (repeatable; default: all three)")
    parser.add_argument("--no-anchors", action="store_true", help="time oapigen only")
    parser.add_argument("--anchor", action="append", choices=sorted(ANCHORS), help="limit to this anchor (repeatable)")
    parser.add_argument("--skip", default="", help="comma-separated: edit,import,client,server,scaling")
    parser.add_argument("--scaling", default="1,2,4,8", help="factors of the synthetic spec")
    parser.add_argument("--scaling-runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (printed)")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    wanted = args.spec or ["openai", "seed", "twilio"]
    anchors = [] if args.no_anchors else (args.anchor or list(ANCHORS))
    RESULTS.mkdir(parents=True, exist_ok=True)
    # oapigen's bytecode, written as pip writes an installed wheel's (the anchors have theirs):
    # an editable install under PYTHONDONTWRITEBYTECODE=1 would compile its source on every run.
    compileall.compile_dir(str(ROOT / "generator"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="oapigen-bench-"))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    report: dict[str, Any] = {"when": stamp, "cpus": os.cpu_count(), "runs": args.runs, "python": sys.version,
                              "loadavg_start": os.getloadavg()}
    measures: list[Measure] = []
    try:
        for spec in specs(work, wanted):
            print(f"== {spec.name}: {spec.path}", flush=True)
            measures += bench_oapigen(spec, args.runs, work)
            for name in anchors:
                measures.append(bench_anchor(name, spec, args.runs, work))
            if "edit" not in skip and any(s == spec.name for s, _ in EDITS.values()):
                print(f"== edit loop on {spec.name}", flush=True)
                measures += bench_edit_loop(spec, args.runs, work)
        report["generation"] = [m.as_json() for m in measures]
        if "import" not in skip and "openai" in wanted:
            print("== import of the generated openai package", flush=True)
            report["import"] = bench_import(work, args.runs)
            print("  " + json.dumps({k: v for k, v in report["import"].items() if k != "top_cumulative_us"}), flush=True)
            imp, opc = report["import"], report["import"].get("openapi-python-client", {})
            if imp.get("ok") and opc.get("ok"):
                print(f"  import (client + models): oapigen {imp['import_s']:.2f} s, {imp['import_rss_mb']:.0f} MB; "
                      f"openapi-python-client {opc['import_s']:.2f} s, {opc['import_rss_mb']:.0f} MB; "
                      f"every oapigen model loaded {imp['every_model_s']:.2f} s", flush=True)
        if "client" not in skip:
            print("== bench/client_overhead.py", flush=True)
            report["client_overhead"] = bench_script("client_overhead.py")
            print(report["client_overhead"]["output"] or report["client_overhead"]["error"], flush=True)
        if "server" not in skip:
            print("== bench/server_rps.py", flush=True)
            report["server_rps"] = bench_script("server_rps.py")
            print(report["server_rps"]["output"] or report["server_rps"]["error"], flush=True)
        if "scaling" not in skip:
            factors = [int(f) for f in args.scaling.split(",") if f.strip()]
            print(f"== scaling over {factors}x the seed", flush=True)
            report["scaling"] = bench_scaling(factors, args.scaling_runs, work)
            png = RESULTS / "scaling.png"
            report["scaling"]["plot"] = plot_scaling(report["scaling"], png)
            print("  " + report["scaling"]["plot"], flush=True)
    finally:
        report["generation"] = [m.as_json() for m in measures]
        report["loadavg_end"] = os.getloadavg()
        text = json.dumps(report, indent=1)
        (RESULTS / f"bench-{stamp}.json").write_text(text, encoding="utf-8")
        (RESULTS / "latest.json").write_text(text, encoding="utf-8")
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("\n".join(table(measures)))
    print(f"\nresults: {RESULTS / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
