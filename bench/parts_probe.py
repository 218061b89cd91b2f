"""Probe for issue 17's models-split lever: datamodel-code-generator run on parts of the schema
graph (each part with what it refers to, emitted and dropped) and the parts' classes merged back
in the order the library's one run writes them; the merged source and model metadata are
compared byte for byte with the one run's.

    .venv/bin/python bench/parts_probe.py SPEC [--jobs 2]

The order is the library's dependency sort (``parser/_passes/settle.py: sort_data_models``):
passes over the parsed models in parse order (grouped by component, in document order), each
writing the models whose references are written already; what stays (cycles and what depends
on them) is written last, reordered. A model's pass depends only on what it refers to, so it is
the same in every run that holds it; the probe reads the passes from the library's sort calls
(a wrapper around that private function: this is a measurement, not product code).

Parts: the schemas only operations of one resource group reach (first tag, else path group);
those of several groups (``shared``); those none reaches. A discriminated union changes its
variants' classes (their tag field becomes a ``Literal``), so a part's run also holds the
unions that discriminate its schemas (and what they refer to).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from typing import Any

os.environ.setdefault("OAPIGEN_CACHE_DIR", "off")
P = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def refs_in(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(P):
                out.add(v[len(P):])
            elif k not in ("enum", "const", "default", "example", "examples"):
                refs_in(v, out)
    elif isinstance(node, list):
        for v in node:
            refs_in(v, out)
    return out


def inherited(node: Any) -> set[str]:
    """Components a schema extends (``allOf`` members that are references)."""
    members = node.get("allOf") if isinstance(node, dict) else None
    return {m["$ref"][len(P):] for m in members or [] if isinstance(m, dict) and str(m.get("$ref", "")).startswith(P)}


def discriminated(node: Any, out: set[str]) -> set[str]:
    """Components a discriminated union in ``node`` has as variants."""
    if isinstance(node, dict):
        members = node.get("oneOf") or node.get("anyOf")
        if "discriminator" in node and isinstance(members, list):
            for m in members:
                if isinstance(m, dict) and isinstance(m.get("$ref"), str) and m["$ref"].startswith(P):
                    out.add(m["$ref"][len(P):])
        for k, v in node.items():
            if k not in ("enum", "const", "default", "example", "examples"):
                discriminated(v, out)
    elif isinstance(node, list):
        for v in node:
            discriminated(v, out)
    return out


def closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen, stack = set(start), list(start)
    while stack:
        for r in edges.get(stack.pop(), ()):
            if r not in seen:
                seen.add(r)
                stack.append(r)
    return seen


def partition(planned: dict[str, Any], schemas: dict[str, Any]) -> dict[str, set[str]]:
    from oapigen.ir.path_groups import has_tags, path_groups

    edges = {n: refs_in(s, set()) & schemas.keys() for n, s in schemas.items()}
    paths = planned.get("paths") or {}
    tagged = has_tags(paths)
    by_path = {} if tagged else path_groups(list(paths))
    users: dict[str, set[str]] = defaultdict(set)
    for path, item in paths.items():
        for method in METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if not isinstance(op, dict):
                continue
            group = (op.get("tags") or [""])[0] if tagged else by_path.get(path, "")
            for name in closure(refs_in(op, set()) & schemas.keys(), edges):
                users[name].add(group)
    units: dict[str, set[str]] = defaultdict(set)
    for name in schemas:
        groups = users.get(name, set())
        units["~unreferenced" if not groups else "~shared" if len(groups) > 1 else "g:" + next(iter(groups))].add(name)
    return dict(units)


def run_sets(units: dict[str, set[str]], schemas: dict[str, Any], unions: bool = True) -> dict[str, set[str]]:
    edges = {n: refs_in(s, set()) & schemas.keys() for n, s in schemas.items()}
    unions_of: dict[str, set[str]] = defaultdict(set)  # variant -> discriminated unions naming it
    for n, s in schemas.items():
        for v in discriminated(s, set()):
            unions_of[v].add(n)
        for v in inherited(s) if unions else ():  # the library names a parent's inline schemas after the first child parsed
            unions_of[v].add(n)
    out = {}
    for key, own in units.items():
        run = closure(own, edges)
        while unions:  # the unions discriminating anything in the run, and what they refer to
            more = {u for v in run for u in unions_of.get(v, ())} - run
            if not more:
                break
            run = closure(run | more, edges)
        out[key] = run
    return out


def run_part(args: tuple[dict[str, Any], list[str], dict[str, str]]) -> dict[str, Any]:
    """One library run on the document restricted to ``names``: source, metadata, and the sort's passes."""
    doc, names, aliases = args
    from datamodel_code_generator.parser._passes import settle
    from oapigen.models import stage

    calls: list[list[str]] = []
    left: list[list[str]] = []
    paths: dict[str, str] = {}  # class name -> the library's reference path (in the component parsed)
    original = settle.sort_data_models

    def spy(unsorted: Any, sorted_models: Any = None, *a: Any, **k: Any) -> Any:
        calls.append([m.class_name for m in unsorted])
        if len(calls) == 1:
            paths.update((m.class_name, m.reference.path) for m in unsorted)
        result = original(unsorted, sorted_models, *a, **k)
        left.append([m.class_name for m in result[0]])
        return result

    settle.sort_data_models = spy
    keep = set(names)
    part = {**doc, "components": {**doc["components"], "schemas": {n: s for n, s in doc["components"]["schemas"].items() if n in keep}}}
    t = time.process_time()
    source, metadata, warnings = stage._run_datamodel_codegen(json.dumps(part, default=str), spec_name="probe", aliases=aliases)
    settle.sort_data_models = original
    return {"source": source, "metadata": metadata, "warnings": warnings, "calls": calls, "left": left, "paths": paths, "cpu": time.process_time() - t}


def statements(source: str) -> tuple[list[str], dict[str, str], list[tuple[str, str]]]:
    """Header lines, class (or alias) name -> its text, and the ``X.model_rebuild()`` lines."""
    import ast

    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    first = next(i for i, s in enumerate(tree.body) if isinstance(s, ast.ClassDef | ast.Assign | ast.AnnAssign))
    header_end = tree.body[first].lineno - 1
    while header_end > 0 and not lines[header_end - 1].strip():
        header_end -= 1
    defs: dict[str, str] = {}
    rebuilds: list[tuple[str, str]] = []
    for s in tree.body[first:]:
        text = "".join(lines[s.lineno - 1 : s.end_lineno])
        if isinstance(s, ast.ClassDef):
            defs[s.name] = text
        elif isinstance(s, ast.Assign | ast.AnnAssign):
            t = s.targets[0] if isinstance(s, ast.Assign) else s.target
            defs[t.id] = text  # type: ignore[union-attr]
        elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Attribute):
            rebuilds.append((s.value.func.value.id, text))  # type: ignore[attr-defined]
        else:
            raise ValueError(f"unexpected statement at line {s.lineno}")
    return lines[:header_end], defs, rebuilds


def merge(order: list[str], parts: dict[str, dict[str, Any]], owns: dict[str, set[str]]) -> tuple[str, dict[str, Any]] | str:
    """The one run's source and metadata from the parts', or why not."""
    index = {n: i for i, n in enumerate(order)}
    entries: dict[str, tuple[tuple[Any, ...], dict[str, Any], str]] = {}
    remainder: list[str] = []
    remainder_parts = set()
    headers: list[list[str]] = []
    rebuild_lines: list[tuple[str, str]] = []
    name_of: dict[str, str] = {}  # the library's reference path -> class name, over every run
    renamed: list[str] = []
    for key, part in parts.items():
        header, defs, rebuilds = statements(part["source"])
        headers.append(header)
        calls, left = part["calls"], part["left"]
        pass_of: dict[str, int] = {}
        for k, call in enumerate(calls):
            for n in call:
                pass_of[n] = k
        stuck = set(left[-1]) if left and left[-1] else set()
        lpos = {n: i for i, n in enumerate(calls[0])}
        own_stuck = []
        for m in part["metadata"]["models"]:
            cls = m["class_name"]
            ref = part["paths"][cls]
            if name_of.setdefault(ref, cls) != cls:
                renamed.append(f"{ref}: {cls} in {key}, {name_of[ref]} in an earlier part")
            comp = ref[len(P):].split("/")[0].split("#")[0]
            if comp not in owns[key]:
                continue
            if cls in entries:
                return f"class {cls} in two parts"
            if cls in stuck:
                own_stuck.append(cls)
                entries[cls] = ((1 << 30, 0, 0), m, defs[cls])
            else:
                entries[cls] = ((pass_of[cls], index[comp], lpos[cls]), m, defs[cls])
        if own_stuck:
            remainder_parts.add(key)
            if stuck - set(own_stuck):
                return f"{key}: cycles of other parts in its run"
            out_order = [m["class_name"] for m in part["metadata"]["models"] if m["class_name"] in stuck]
            remainder = out_order
        own_names = {c for c, r in part["paths"].items() if r[len(P):].split("/")[0].split("#")[0] in owns[key]}
        rebuild_lines += [(n, t) for n, t in rebuilds if n in own_names]
    if renamed:
        return f"{len(renamed)} schemas named differently in two runs, e.g. " + "; ".join(renamed[:3])
    if len(remainder_parts) > 1:
        return f"cycles in several parts: {sorted(remainder_parts)}"
    if len(set(name_of.values())) != len(name_of):
        return "one class name for two schemas"
    ordered = sorted((e for n, e in entries.items() if n not in remainder), key=lambda e: e[0])
    ordered += [entries[n] for n in remainder]
    # the header: the parts' import lines, merged per module
    imports: dict[str, set[str]] = defaultdict(set)
    top: list[str] = []
    for header in headers:
        for line in header:
            if line.startswith("from ") and " import " in line:
                mod, _, names = line.rstrip("\n").partition(" import ")
                imports[mod].update(x.strip() for x in names.split(","))
            elif line.strip() and line not in top:
                top.append(line)
    return (top, imports, ordered, rebuild_lines)  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--overlay")
    parser.add_argument("--sizes", action="store_true", help="only the parts' sizes, no library run")
    parser.add_argument("--edit", help="a schema: which parts an edit of it re-runs")
    args = parser.parse_args()
    from oapigen.ir.builder import plan_models
    from oapigen.models import prepare, stage
    from oapigen.run.pipeline import generation_document
    from oapigen.spec.load import load_spec

    spec = load_spec(args.spec)
    document = spec.document
    if args.overlay:
        from pathlib import Path

        from oapigen.spec.overlay import apply_overlay_with_warnings

        document, _ = apply_overlay_with_warnings(document, Path(args.overlay))
    planned = generation_document(document, False)
    plan_models(planned, {})
    doc, _ = stage.models_document(planned, "probe")
    schemas = doc["components"]["schemas"]
    aliases = prepare.field_aliases(schemas)
    order = list(schemas)
    units = partition(planned, schemas)
    runs = run_sets(units, schemas)
    print(f"{len(schemas)} schemas, {len(units)} parts; own/run sizes (largest 8):",
          sorted(((len(units[k]), len(runs[k]), k) for k in units), reverse=True)[:8])
    print("run sizes sum", sum(len(r) for r in runs.values()), "without the discriminating unions",
          sum(len(r) for r in run_sets(units, schemas, unions=False).values()))
    if args.edit:
        again = [k for k in units if args.edit in runs[k]]
        print(f"an edit of {args.edit} re-runs {again}: {sum(len(runs[k]) for k in again)} schemas")
    if args.sizes:
        return 0

    t0 = time.time()
    one = run_part((doc, order, aliases))
    t1 = time.time()
    print(f"one run: {t1 - t0:.1f} s wall, {one['cpu']:.1f} CPU-s (in process)")

    keys = sorted(units, key=lambda k: -len(runs[k]))
    tasks = [(doc, [n for n in order if n in runs[k]], aliases) for k in keys]
    t2 = time.time()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.jobs) as pool:
        results = pool.map(run_part, tasks, chunksize=1)
    t3 = time.time()
    cpu = sum(r["cpu"] for r in results)
    print(f"parts: {t3 - t2:.1f} s wall with {args.jobs} processes, {cpu:.1f} CPU-s in the library; largest part {max(r['cpu'] for r in results):.1f} CPU-s")
    parts = dict(zip(keys, results, strict=True))
    merged = merge(order, parts, units)
    if isinstance(merged, str):
        print("NOT MERGEABLE:", merged)
        return 1
    _, imports, ordered, rebuild_lines = merged
    want_header, want_defs, want_rebuilds = statements(one["source"])
    got_names = [e[1]["class_name"] for e in ordered]
    want_names = [m["class_name"] for m in one["metadata"]["models"]]
    print("classes", len(got_names), "vs", len(want_names), "same order:", got_names == want_names)
    if got_names != want_names:
        i = next((i for i, (a, b) in enumerate(zip(got_names, want_names, strict=False)) if a != b), min(len(got_names), len(want_names)))
        print("  first difference at", i, got_names[i - 2 : i + 3], want_names[i - 2 : i + 3])
    texts_same = all(want_defs.get(e[1]["class_name"]) == e[2] for e in ordered)
    bad = [e[1]["class_name"] for e in ordered if want_defs.get(e[1]["class_name"]) != e[2]]
    print("class texts identical:", texts_same, bad[:5])
    meta_same = [e[1] for e in ordered] == one["metadata"]["models"]
    print("metadata identical:", meta_same)
    print("rebuilds identical:", [t for _, t in rebuild_lines] == [t for _, t in want_rebuilds], len(want_rebuilds))
    want_imports: dict[str, set[str]] = defaultdict(set)
    for line in want_header:
        if line.startswith("from ") and " import " in line:
            mod, _, names = line.rstrip("\n").partition(" import ")
            want_imports[mod].update(x.strip() for x in names.split(","))
    print("imports identical:", dict(imports) == dict(want_imports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
