"""Gate for the models stage's parts (oapigen.models.parts): its output with the part cache is
byte-identical to a run without any cache, cold and after an edit of one schema in each part.

    .venv/bin/python bench/parts_check.py SPEC [--overlay FILE] [--edits N]

For each spec: one cold run with an empty cache (which stores the parts), then for up to N parts
(the smallest and the largest) an edit of the description of one of its own schemas, generated with the cache (re-running the
parts the edit changes) and without; every ModelsResult and diagnostic must be the same. Prints
what each edited run did (library runs and the schemas they held) and its CPU seconds.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", nargs="+")
    parser.add_argument("--overlay")
    parser.add_argument("--edits", type=int, default=4)
    args = parser.parse_args()
    from oapigen.ir.builder import plan_models
    from oapigen.models import parts, stage
    from oapigen.run.pipeline import generation_document
    from oapigen.spec.load import load_spec
    from oapigen.spec.overlay import apply_overlay_with_warnings

    runs: list[int] = []
    library = stage._run_datamodel_codegen

    def counting(doc_json: str, **kwargs: Any) -> Any:
        runs.append(len(doc_json) // 1000)  # its input's size in kB: a part's run, or the whole document
        return library(doc_json, **kwargs)

    stage._run_datamodel_codegen = counting  # type: ignore[assignment]
    failures = 0
    for spec_path in args.spec:
        spec = load_spec(spec_path)
        document = spec.document
        if args.overlay:
            document, _ = apply_overlay_with_warnings(document, Path(args.overlay))
        planned = generation_document(document, False)
        plan_models(planned, {})

        def generate(doc: dict[str, Any], cache: str, spec_path: str = spec_path) -> tuple[Any, float]:
            os.environ["OAPIGEN_CACHE_DIR"] = cache
            start = time.process_time()
            result = stage.generate_models(copy.deepcopy(doc), Path(spec_path).name)
            return result, time.process_time() - start

        with tempfile.TemporaryDirectory(prefix="oapigen-parts-") as tmp:
            cold, cpu = generate(planned, tmp)
            fresh, _ = generate(planned, "off")
            stored = sum(1 for _ in Path(tmp, "models-parts").rglob("*")) if Path(tmp, "models-parts").exists() else 0
            same = cold == fresh
            failures += not same
            print(f"{spec_path}: cold {cpu:.1f} CPU-s (input {runs[0] if runs else 0} kB), identical {same}, part files {stored}", flush=True)
            doc, _ = stage.models_document(copy.deepcopy(planned), "x")
            owner, part_runs, _ = parts.plan(doc, planned.get("paths") or {}, "")
            schemas = planned.get("components", {}).get("schemas", {})
            by_size = sorted(set(owner.values()), key=lambda p: (len(part_runs[p]), p))
            edited_parts = by_size[: args.edits - args.edits // 2] + by_size[::-1][: args.edits // 2]  # small and large
            for n, part in enumerate(edited_parts):
                name = next((s for s, p in owner.items() if p == part and s in schemas and isinstance(schemas[s], dict)), None)
                if name is None:
                    continue
                edited = copy.deepcopy(planned)
                target = edited["components"]["schemas"][name]
                target["description"] = f"{target.get('description', '')} (edit {n})"
                runs.clear()
                warm, cpu = generate(edited, tmp)
                library_runs = list(runs)
                reference, _ = generate(edited, "off")
                same = warm == reference
                failures += not same
                print(f"  edit {name} ({part}, run of {len(part_runs[part])} of {len(doc['components']['schemas'])} schemas): "
                      f"{cpu:.1f} CPU-s, library runs (kB of input) {library_runs}, identical {same}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
