"""The pipeline, in one direction: load -> overlay -> validate -> plan -> models -> IR -> render
-> format. Writing is the CLI's last step (see :mod:`generator.writer`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import build_api, plan_models
from .config import Job
from .errors import Diagnostic, Severity, SpecError, errors_of
from .format import format_python
from .freshness import fingerprint
from .ir import Api
from .loader import LoadedSpec, load_spec
from .models import generate_models
from .overlay import apply_overlay_with_warnings
from .render import render_package
from .validate import drop_dangling_refs, validate_spec


@dataclass(frozen=True, slots=True)
class Prepared:
    spec: LoadedSpec
    document: dict[str, Any]
    findings: tuple[Diagnostic, ...]  # validator findings (ERROR: fatal for generation)
    warnings: tuple[Diagnostic, ...]  # from the overlay


def prepare(job: Job) -> Prepared:
    spec = load_spec(job.spec, allow_remote_refs=job.allow_remote_refs)
    document, warnings = spec.document, []
    if job.overlay is not None:
        document, warnings = apply_overlay_with_warnings(document, job.overlay)
    return Prepared(spec, document, tuple(validate_spec(spec, document)), tuple(warnings))


def checked_document(prepared: Prepared, lenient: bool) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The document generation may use, with the findings to print as warnings.

    Raises SpecError when a finding would make the output wrong, unless ``lenient``.
    """
    findings = list(prepared.findings)
    if lenient:
        return drop_dangling_refs(prepared.document), [*prepared.warnings, *(d.as_warning() for d in findings)]
    if errors := errors_of(findings):
        raise SpecError(errors + [d for d in findings if d.severity is Severity.WARNING])
    return copy.deepcopy(prepared.document), [*prepared.warnings, *findings]




@dataclass(frozen=True, slots=True)
class Generated:
    api: Api
    files: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]
    inputs: dict[str, Any]


def build(job: Job, prepared: Prepared | None = None) -> tuple[Api, str, list[Diagnostic]]:
    """IR and unformatted models source for a job."""
    prepared = prepared or prepare(job)
    document, diagnostics = checked_document(prepared, job.lenient)
    spec_name = prepared.spec.path.name
    plan = plan_models(document, job.rename_map)
    models, model_diags = generate_models(document, spec_name)
    api, build_diags = build_api(
        document,
        plan=plan,
        class_by_ref=models.class_by_ref,
        renames=job.rename_map,
        package=job.package,
        spec_name=spec_name,
        spec_sha256=prepared.spec.sha256,
        model_names=models.class_names,
    )
    return api, models.source, [*diagnostics, *model_diags, *build_diags]


def generate(job: Job) -> Generated:
    prepared = prepare(job)
    api, models_source, diagnostics = build(job, prepared)
    files = format_python(render_package(api, models_source))
    inputs = (*prepared.spec.files, *([job.overlay] if job.overlay else []))
    package_dir = job.output / job.package
    return Generated(api, files, tuple(diagnostics), fingerprint(package_dir, inputs, job.options()))


__all__ = ["Generated", "Job", "Path", "Prepared", "build", "generate", "prepare"]
