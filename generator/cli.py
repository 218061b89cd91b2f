"""The ``oapigen`` command: generate, validate, inspect.

Exit codes: 0 ok; 1 ``--check`` found drift (``diff``: compatible changes); 2 bad input (located
messages on stderr); 3 an internal error (a bug in oapigen); 4 ``--check`` / ``diff``: the change
breaks a caller of the client or an implementer of the server.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .core.background import rare_collections
from .core.diagnostics import Diagnostic, Severity, SpecError
from .run.config import Job, default_package, find_config, load_jobs
from .run.exit_codes import (
    EXIT_BAD_INPUT,
    EXIT_BREAKING,
    EXIT_DRIFT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    worst,
)
from .run.progress import grouped_warnings
from .run.runner import RunOptions, internal_error
from .spec.selection import KINDS, LeftOut, Selection

__all__ = ["EXIT_BAD_INPUT", "EXIT_BREAKING", "EXIT_DRIFT", "EXIT_INTERNAL", "EXIT_OK", "main"]
# generate options that only make sense with SPEC (a pyproject table has its own keys)
_SPEC_ONLY = ("overlay", "package", "templates")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oapigen")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oapigen",
        description="Generate a typed Python package (pydantic models, an httpx client, a FastAPI "
                    "server) from an OpenAPI 3.0/3.1 or Swagger 2.0 description.",
        epilog="Exit codes: 0 ok; 1 --check found a stale package (diff: compatible changes); 2 bad input "
               "(the spec, the config or an option); 3 an internal error (a bug in oapigen); 4 --check or diff: "
               "the API change is breaking.",
    )
    parser.add_argument("--version", action="version", version=f"oapigen {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, spec_required: bool) -> None:
        p.add_argument("spec", nargs=None if spec_required else "?",
                       help="OpenAPI 3.0/3.1 or Swagger 2.0 file (JSON or YAML)")
        p.add_argument("--overlay", type=Path, help="OpenAPI Overlay 1.0 file applied before validation")
        p.add_argument("--lenient", action="store_true", help="report every spec error as a warning and go on")
        p.add_argument("--allow-remote-refs", action="store_true", help="let $ref fetch http(s) URLs")
        p.add_argument("--allow-ref-outside", action="append", type=Path, metavar="DIR", default=[],
                       help="let $ref read files in DIR too (default: only the spec's own folder tree); repeatable")
        if p.prog.split()[-1] != "validate":
            for side in ("include", "exclude"):
                for noun, what in (("tag", "TAG"), ("operation", "ID"), ("path", "PREFIX")):
                    p.add_argument(f"--{side}-{noun}", action="append", default=[], metavar=what,
                                   help=f"{side} the operations with this {noun}"
                                        + (" (or under this path)" if noun == "path" else "") + "; repeatable")
        loud = p.add_mutually_exclusive_group()
        loud.add_argument("-q", "--quiet", action="store_true", help="print errors only")
        loud.add_argument("-v", "--verbose", action="store_true",
                          help="print every warning (not a few of each kind) and each stage's time")

    g = sub.add_parser("generate", help="generate the package (all [[tool.oapigen.specs]] without SPEC)")
    common(g, spec_required=False)
    g.add_argument("-o", "--output", type=Path, help="output folder (default: generated)")
    g.add_argument("--package", help="package name (default: the spec file name in snake_case)")
    g.add_argument("--templates", type=Path, metavar="DIR",
                   help="a folder of templates searched before the built-in ones (replace one without forking)")
    g.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if a package is stale")
    g.add_argument("--trust-manifest", action="store_true",
                   help="with --check: answer from the manifest when it records no change (fast; for pre-commit)")
    g.add_argument("--report", type=Path, metavar="FILE",
                   help="write the change report (the API changes since the last generate) as Markdown to FILE")
    g.add_argument("--config", type=Path, help="config file when SPEC is omitted (default: the nearest "
                   "pyproject.toml with [tool.oapigen], here or in a folder above)")
    g.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="packages generated at once without SPEC (default: one per CPU; 1: one after another)")

    d = sub.add_parser("diff", help="the change report between two specs: exit 0 unchanged, 1 compatible, 4 breaking")
    common(d, spec_required=True)
    d.add_argument("new", metavar="NEW", help="the new spec (SPEC is the old one); --overlay and the filters apply to both")
    d.add_argument("--package", help="package name the report assumes (default: from NEW's file name)")
    d.add_argument("--report", type=Path, metavar="FILE", help="also write the report as Markdown to FILE")

    v = sub.add_parser("validate", help="validate a spec: exit 0, or 2 with located errors")
    common(v, spec_required=True)

    i = sub.add_parser("inspect", help="print the operations table")
    common(i, spec_required=True)
    i.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    return parser


def _job(args: argparse.Namespace) -> Job:
    spec = Path(args.spec)
    return Job(
        spec=spec,
        output=getattr(args, "output", None) or Path("generated"),
        package=default_package(spec) if getattr(args, "package", None) is None else args.package,
        overlay=args.overlay,
        lenient=args.lenient,
        allow_remote_refs=args.allow_remote_refs,
        allow_ref_outside=tuple(args.allow_ref_outside),
        templates=getattr(args, "templates", None),
        selection=_selection(args),
    )


def _selection(args: argparse.Namespace) -> Selection:
    return Selection(**{f"{side}_{kind}": tuple(getattr(args, f"{side}_{noun}", None) or ())
                        for side in ("include", "exclude") for kind, noun in KINDS.items()})


def _print(diagnostics: Sequence[Diagnostic], args: argparse.Namespace | None = None) -> None:
    """Errors always; warnings unless quiet, grouped by kind unless verbose."""
    quiet = bool(args and args.quiet)
    shown = [d for d in diagnostics if not quiet or d.severity is Severity.ERROR]
    for line in grouped_warnings(shown, verbose=bool(args and args.verbose)):
        print(line, file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from .run.pipeline import judged, prepare

    # The judgement `generate` makes: errors (the output would be wrong) exit 2, the rest are
    # warnings; --lenient makes every finding a warning.
    warnings = judged(prepare(_job(args)), args.lenient)
    _print(warnings, args)
    if not args.quiet:
        print(f"{args.spec}: valid" + (f" ({len(warnings)} warning(s))" if warnings else ""))
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    from .run.pipeline import api_and_models, prepare
    from .views.operations_table import rows

    job = _job(args)
    prepared = prepare(job)
    api, _, diagnostics = api_and_models(job, prepared)
    _print(diagnostics, args)
    table = rows(api)
    left_out = _left_out_lines(prepared.left_out)
    if args.json:
        print(json.dumps([r.as_json() for r in table], indent=2))
        for line in left_out:  # the JSON on stdout stays the list of operations
            print(line, file=sys.stderr)
        return EXIT_OK
    headers: tuple[str, ...] = ("METHOD", "PATH", "PYTHON", "HANDLER", "REQUEST", "RESPONSE")
    cells = [headers, *((r.method, r.path, r.python, r.handler, r.request or "-", r.response or "-") for r in table)]
    if any(r.pagination for r in table):  # the paginated list operations' styles
        cells = [(*c, "PAGES" if i == 0 else table[i - 1].pagination or "-") for i, c in enumerate(cells)]
        headers = cells[0]
    widths = [max(len(c[i]) for c in cells) for i in range(len(headers))]
    for c in cells:
        print("  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)).rstrip())
    if left_out:
        print()
        print("\n".join(left_out))
    return EXIT_OK


def _left_out_lines(left_out: LeftOut) -> list[str]:
    """What the include / exclude filters left out, for ``inspect``."""
    lines = []
    if left_out.operations:
        lines.append(f"left out by the filters: {len(left_out.operations)} operation(s)")
        lines.extend(f"  {method} {path} ({op_id})" for op_id, method, path in left_out.operations)
    if left_out.components:
        lines.append(f"left out (no kept operation uses them): {len(left_out.components)} component(s)")
        lines.extend(f"  {name}" for name in left_out.components)
    return lines


def cmd_generate(args: argparse.Namespace) -> int:
    from .run.runner import run_jobs, summary

    if args.spec:
        jobs = [_job(args)]
    else:
        given = [f"--{name}" for name in (*_SPEC_ONLY, "output") if getattr(args, name) is not None]
        given += [flag for flag, on in (("--lenient", args.lenient), ("--allow-remote-refs", args.allow_remote_refs),
                                        ("--allow-ref-outside", args.allow_ref_outside)) if on]
        given += [f"--{side}-{noun}" for side in ("include", "exclude") for noun in KINDS.values()
                  if getattr(args, f"{side}_{noun}")]
        if given:
            raise SpecError(Diagnostic(str(args.config or "pyproject.toml"), "", f"{', '.join(given)} need(s) SPEC; without SPEC, "
                                       "set the same keys in each [[tool.oapigen.specs]] table"))
        config = args.config or find_config(Path.cwd())
        if not args.quiet and config.parent != Path():  # found in a folder above: say which
            print(f"oapigen: using {config}", file=sys.stderr)
        jobs = load_jobs(config)
    if args.jobs is not None and args.jobs < 1:
        raise SpecError(Diagnostic("--jobs", "", f"must be 1 or more, not {args.jobs}"))
    options = RunOptions(check=args.check, quiet=args.quiet, verbose=args.verbose, trust_manifest=args.trust_manifest)
    outcomes = run_jobs(jobs, options, workers=args.jobs)
    if len(outcomes) > 1:
        for line in summary(outcomes, options):
            print(line, file=sys.stderr)
    if args.report is not None:
        _write_report(args.report, "".join(o.report for o in outcomes) or "No change to the generated API.\n")
    return worst(o.status for o in outcomes)


def _write_report(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SpecError(Diagnostic(str(path), "", f"cannot write the report: {exc.strerror or exc}")) from exc


def cmd_diff(args: argparse.Namespace) -> int:
    """The change report between two specs, generated in memory with the same options."""
    from dataclasses import replace

    from .run.changes import api_surface, compare, markdown_report, text_report
    from .run.pipeline import api_and_models

    new_job = _job(argparse.Namespace(**{**vars(args), "spec": args.new}))
    surfaces = []
    for job in (replace(new_job, spec=Path(args.spec)), new_job):
        api, models_source, diagnostics = api_and_models(job)
        _print(diagnostics, args)
        surfaces.append(api_surface(api, models_source))
    changes = compare(*surfaces)
    title = f"{args.spec} -> {args.new}"
    for line in text_report(title, changes):
        print(line)
    if args.report is not None:
        _write_report(args.report, markdown_report(title, changes))
    return EXIT_BREAKING if any(c.breaking for c in changes) else EXIT_DRIFT if changes else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = {"generate": cmd_generate, "validate": cmd_validate, "inspect": cmd_inspect, "diff": cmd_diff}[args.command]
    try:
        with rare_collections():
            return command(args)
    except SpecError as exc:
        _print(exc.diagnostics, args)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("oapigen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("OAPIGEN_DEBUG"):
            raise
        print(internal_error(exc), file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
