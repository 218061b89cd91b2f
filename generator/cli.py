"""The ``oapigen`` command: generate, validate, inspect.

Exit codes: 0 ok; 1 ``--check`` found drift; 2 bad input (located messages on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .config import Job, default_package, load_jobs
from .errors import Diagnostic, SpecError

EXIT_OK, EXIT_DRIFT, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oapigen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, spec_required: bool) -> None:
        p.add_argument("spec", nargs=None if spec_required else "?", help="OpenAPI file (JSON or YAML)")
        p.add_argument("--overlay", type=Path, help="OpenAPI Overlay 1.0 file applied before validation")
        p.add_argument("--lenient", action="store_true", help="report every spec error as a warning and go on")
        p.add_argument("--allow-remote-refs", action="store_true", help="let $ref fetch http(s) URLs")

    g = sub.add_parser("generate", help="generate the package (all [[tool.oapigen.specs]] without SPEC)")
    common(g, spec_required=False)
    g.add_argument("--output", type=Path, default=Path("generated"), help="output folder (default: generated)")
    g.add_argument("--package", help="package name (default: the spec file name in snake_case)")
    g.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if the package is stale")
    g.add_argument("--config", type=Path, default=Path("pyproject.toml"), help="config file when SPEC is omitted")
    g.add_argument("-q", "--quiet", action="store_true", help="print errors only")

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
        output=getattr(args, "output", Path("generated")),
        package=default_package(spec) if getattr(args, "package", None) is None else args.package,
        overlay=args.overlay,
        lenient=args.lenient,
        allow_remote_refs=args.allow_remote_refs,
    )


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.format(), file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from .pipeline import prepare

    prepared = prepare(_job(args))
    findings = [*prepared.warnings, *prepared.findings]
    if args.lenient:
        _print([d.as_warning() for d in findings])
        return EXIT_OK
    if findings:
        raise SpecError([Diagnostic(d.file, d.pointer, d.message, line=d.line, column=d.column, hint=d.hint) for d in findings])
    print(f"{args.spec}: valid")
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    from .pipeline import build
    from .table import rows

    api, _, diagnostics = build(_job(args))
    _print(diagnostics)
    table = rows(api)
    if args.json:
        print(json.dumps([r.as_json() for r in table], indent=2))
        return EXIT_OK
    headers = ("METHOD", "PATH", "PYTHON", "HANDLER", "REQUEST", "RESPONSE")
    cells = [headers, *((r.method, r.path, r.python, r.handler, r.request or "-", r.response or "-") for r in table)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(headers))]
    for c in cells:
        print("  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)).rstrip())
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from .freshness import is_up_to_date
    from .writer import read_manifest, safe_package_dir

    jobs = [_job(args)] if args.spec else load_jobs(args.config)
    status = EXIT_OK
    for job in jobs:
        started = time.perf_counter()
        package_dir = safe_package_dir(job.output, job.package)
        if is_up_to_date(package_dir, read_manifest(package_dir), job.options()):
            if not args.quiet:
                print(f"{package_dir}: up to date (nothing changed)", file=sys.stderr)
            continue
        status = max(status, _generate_one(job, package_dir, args, started))
    return status


def _generate_one(job: Job, package_dir: Path, args: argparse.Namespace, started: float) -> int:
    from .pipeline import generate
    from .writer import diff_package, write_package

    status = EXIT_OK
    result = generate(job)
    _print(result.diagnostics)
    if args.check:
        diffs = diff_package(package_dir, result.files)
        if diffs:
            sys.stdout.write("".join(diffs))
            print(f"{package_dir}: stale ({len(diffs)} file(s) differ); run oapigen generate", file=sys.stderr)
            status = EXIT_DRIFT
        elif not args.quiet:
            print(f"{package_dir}: up to date", file=sys.stderr)
        return status
    report = write_package(package_dir, result.files, result.inputs)
    if not args.quiet:
        warnings = len(result.diagnostics)
        print(
            f"{package_dir}: {len(result.api.operations)} operations, {len(result.api.model_names)} models; "
            f"{len(report.written)} file(s) written, {len(report.unchanged)} unchanged, {len(report.removed)} removed; "
            f"{warnings} warning(s); {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )
    return status


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = {"generate": cmd_generate, "validate": cmd_validate, "inspect": cmd_inspect}[args.command]
    try:
        return command(args)
    except SpecError as exc:
        _print(exc.diagnostics)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("oapigen: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("OAPIGEN_DEBUG"):
            raise
        print(
            f"oapigen: internal error: {type(exc).__name__}: {exc} (this is a bug in oapigen; "
            "set OAPIGEN_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
