"""The pipeline, in one direction: load -> overlay -> validate (-> convert a Swagger 2.0
document -> validate) -> plan -> models -> IR -> render -> format. Writing is the CLI's last
step (see :mod:`oapigen.run.writer`)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core import memo
from ..core.background import Background, can_fork, start
from ..core.contract import HTTP_METHODS
from ..core.diagnostics import Diagnostic, Severity, SpecError, errors_of
from ..ir.builder import build_api, plan_models
from ..ir.model import Api
from ..models.stage import ModelsResult, check_models, generate_models
from ..render.format import Formatting
from ..render.format import prepare as prepare_formatting
from ..render.jinja import compile_templates, render_package
from ..spec import swagger2
from ..spec.lenient import drop_dangling_refs, drop_misfit_defaults
from ..spec.load import LoadedSpec, load_spec
from ..spec.overlay import apply_overlay_with_warnings
from ..spec.selection import NOTHING_LEFT_OUT, LeftOut, select
from ..spec.validate import validate_spec
from .changes import api_surface
from .config import Job
from .freshness import fingerprint
from .progress import Stages


@dataclass(frozen=True, slots=True)
class Loaded:
    spec: LoadedSpec
    document: dict[str, Any]  # overlaid (and filtered, unless it is Swagger 2.0: then after conversion)
    warnings: tuple[Diagnostic, ...]  # from the overlay
    job: Job
    left_out: LeftOut | None = None  # what the job's selection left out (None: not applied yet)


def _same(ptr: str) -> str:
    return ptr


@dataclass(frozen=True, slots=True)
class Prepared:
    spec: LoadedSpec
    document: dict[str, Any]  # overlaid; OpenAPI 3.0.3 when the spec is Swagger 2.0
    findings: tuple[Diagnostic, ...]  # validator findings (ERROR: fatal for generation)
    warnings: tuple[Diagnostic, ...]  # from the overlay and the Swagger 2.0 conversion
    original: Callable[[str], str] = _same  # a pointer into `document` -> into the spec as written
    left_out: LeftOut = NOTHING_LEFT_OUT  # what the include / exclude filters left out

    def located(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """Findings of the later stages (models, IR), which know the pointer only, located like
        the validator's: the spec's path as given, the pointer as written and the line."""
        return [d if d.line is not None or d.file != self.spec.path.name else
                self.spec.diagnostic(self.original(d.pointer), d.message, severity=d.severity, hint=d.hint)
                for d in diagnostics]


def load(job: Job, stages: Stages | None = None) -> Loaded:
    """Load and overlay."""
    stages = stages or Stages()
    stages.stage("load")
    spec = load_spec(job.spec, allow_remote_refs=job.allow_remote_refs, allow_ref_outside=job.allow_ref_outside)
    document, warnings = spec.document, list[Diagnostic]()
    if job.overlay is not None:
        document, warnings = apply_overlay_with_warnings(document, job.overlay)
    left_out = None
    if not swagger2.is_swagger2(document):
        document, left_out = _selected(document, job, spec)
    stages.size(count_operations(document))
    return Loaded(spec, document, tuple(warnings), job, left_out)


def _selected(document: dict[str, Any], job: Job, spec: LoadedSpec) -> tuple[dict[str, Any], LeftOut]:
    if not job.selection:
        return document, NOTHING_LEFT_OUT
    return select(document, job.selection, job.origin, str(job.spec))


def validated(loaded: Loaded, stages: Stages | None = None) -> Prepared:
    """Validate. A Swagger 2.0 document is validated as 2.0 (the overlay applies to it as
    written), converted to OpenAPI 3.0 and validated again (:mod:`oapigen.spec.swagger2`)."""
    (stages or Stages()).stage("validate")
    document, warnings = loaded.document, list(loaded.warnings)
    findings = validate_spec(loaded.spec, document)
    original: Callable[[str], str] = _same
    left_out = loaded.left_out
    if swagger2.is_swagger2(document):
        document, findings, notes, original = swagger2.upgrade(loaded.spec, document, findings)
        warnings = [*warnings, *notes]
    if left_out is None:  # Swagger 2.0: filtered once converted (its schemas are components then)
        document, left_out = _selected(document, loaded.job, loaded.spec)
    return Prepared(loaded.spec, document, tuple(findings), tuple(warnings), original, left_out)


def prepare(job: Job, stages: Stages | None = None) -> Prepared:
    """Load, overlay, validate."""
    return validated(load(job, stages), stages)


def count_operations(document: dict[str, Any]) -> int:
    paths = document.get("paths")
    items = paths.values() if isinstance(paths, dict) else ()
    return sum(1 for item in items if isinstance(item, dict) for method in HTTP_METHODS if method in item)


def judged(prepared: Prepared, lenient: bool) -> list[Diagnostic]:
    """The findings to print as warnings; raises SpecError when one would make the output
    wrong, unless ``lenient``."""
    findings = list(prepared.findings)
    if lenient:
        return [*prepared.warnings, *(d.as_warning() for d in findings)]
    if errors := errors_of(findings):
        raise SpecError(errors + [d for d in findings if d.severity is Severity.WARNING])
    return [*prepared.warnings, *findings]


def generation_document(document: dict[str, Any], lenient: bool) -> dict[str, Any]:
    """A private copy of the document for generation (which hoists schemas into it);
    ``lenient``: with every unresolvable ``$ref`` replaced by an untyped value. Defaults that do
    not fit their schema's type are left out (the validator warns about each)."""
    return drop_misfit_defaults(drop_dangling_refs(document) if lenient else copy.deepcopy(document))


def checked_document(prepared: Prepared, lenient: bool) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The document generation may use, with the findings to print as warnings."""
    diagnostics = judged(prepared, lenient)
    return generation_document(prepared.document, lenient), diagnostics


def _models(document: dict[str, Any], job: Job, spec_name: str) -> tuple[ModelsResult, list[Diagnostic]]:
    """The models stage on a private copy of ``document`` (planned first: the hoisted schemas
    are models too). Run in a background process while the spec is validated."""
    planned = generation_document(document, job.lenient)
    plan_models(planned, job.rename_map)
    return generate_models(planned, spec_name, check=False)  # checked by the parent, which parses it anyway


@dataclass(frozen=True, slots=True)
class Generated:
    api: Api
    files: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]
    inputs: dict[str, Any]
    surface: dict[str, Any]  # the package's Python API (oapigen.run.changes), recorded in the manifest


def api_and_models(
    job: Job,
    prepared: Prepared | None = None,
    stages: Stages | None = None,
    models: Background[tuple[ModelsResult, list[Diagnostic]]] | None = None,
) -> tuple[Api, str, list[Diagnostic]]:
    """IR and unformatted models source for a job; ``models``: the models stage, started
    already (:func:`generate` starts it before validating)."""
    stages = stages or Stages()
    prepared = prepared or prepare(job, stages)
    diagnostics = judged(prepared, job.lenient)
    api, source, later = _api_and_models(job, prepared, stages, models)
    return api, source, [*diagnostics, *prepared.located(later)]


def _api_and_models(
    job: Job,
    prepared: Prepared,
    stages: Stages,
    models: Background[tuple[ModelsResult, list[Diagnostic]]] | None,
    validation: _Validation | None = None,
) -> tuple[Api, str, list[Diagnostic]]:
    """:func:`api_and_models` without judging the validator's findings: the IR, the models
    source and the models and IR stages' own findings, not located yet. ``validation``: still
    running in the background; its errors, once known, stop the work here."""
    document = generation_document(prepared.document, job.lenient)
    stages.stage("models")
    spec_name = prepared.spec.path.name
    plan = plan_models(document, job.rename_map)
    if models is not None:
        compile_templates(job.template_dirs)  # the models child still runs: the later stages' set-up, meanwhile
        prepare_formatting()
        result, model_diags = models.result()
        if validation is not None:
            validation.stop_if_invalid()
        check_models(result, spec_name)  # here: the tree it parses is the one the models view reads next
    else:
        result, model_diags = generate_models(document, spec_name)
    api, build_diags = build_api(
        document,
        plan=plan,
        class_by_ref=result.class_by_ref,
        renames=job.rename_map,
        package=job.package,
        idempotency_headers=job.idempotency_headers,
        pagination=job.pagination_hints,
        pagination_origin=job.origin,
        spec_name=spec_name,
        spec_sha256=prepared.spec.sha256,
        model_names=result.class_names,
    )
    job.check_renames([*(op.operation_id for op in api.operations), *(op[0] for op in prepared.left_out.operations)])
    return api, result.source, [*model_diags, *build_diags]  # not located yet (Prepared.located)


def _validate(spec: LoadedSpec, document: dict[str, Any]) -> tuple[list[Diagnostic], dict[str, Any]]:
    """The validator's findings, and the line maps it built to locate them."""
    findings = validate_spec(spec, document)
    return findings, spec.line_maps()


class _Validation:
    """The validator in a background process, beside the models stage, the IR, the render and
    black: ``loaded``'s findings, judged when they are needed (:func:`judged`)."""

    def __init__(self, loaded: Loaded) -> None:
        self.prepared = Prepared(loaded.spec, loaded.document, (), loaded.warnings, _same,
                                 loaded.left_out or NOTHING_LEFT_OUT)
        self._lenient = loaded.job.lenient
        self._process: Background[tuple[list[Diagnostic], dict[str, Any]]] | None = start(
            _validate, loaded.spec, loaded.document)

    def _judged(self) -> list[Diagnostic]:
        if self._process is not None:
            findings, line_maps = self._process.result()
            self.prepared.spec.adopt_line_maps(line_maps)  # the later findings are located with them
            self.prepared = replace(self.prepared, findings=tuple(findings))
            self._process = None
        return judged(self.prepared, self._lenient)

    def stop_if_invalid(self) -> None:
        """Raise the validator's SpecError now if it is done and found errors."""
        if self._process is None or not self._process.running():
            self._judged()

    def diagnostics(self) -> list[Diagnostic]:
        """Wait for the validator: the findings to print as warnings; SpecError on errors."""
        return self._judged()

    def cancel(self) -> None:
        if self._process is not None:
            self._process.cancel()


def generate(job: Job, stages: Stages | None = None) -> Generated:
    """Everything but the write: ``stages`` hears when each stage starts.

    The models stage (datamodel-code-generator: seconds on a big spec) and the validator each
    start in a background process as soon as the spec is loaded; this process goes on with the
    IR, the render and black meanwhile. The validator's findings are judged as soon as they are
    in (at the latest before returning): errors stop the work and drop the background processes,
    and they are what a failure of a later stage reports (an invalid spec explains it). So the
    ``validate`` stage's time is the start of a background process; where forking is not
    possible, and for a Swagger 2.0 spec (converted after validation), the stages run one after
    another.
    """
    stages = stages or Stages()
    loaded = load(job, stages)
    models: Background[tuple[ModelsResult, list[Diagnostic]]] | None = None
    validation: _Validation | None = None
    try:
        if can_fork() and not swagger2.is_swagger2(loaded.document):
            models = start(_models, loaded.document, job, loaded.spec.path.name)
            validation = _Validation(loaded)
            stages.stage("validate")  # in the background from here on
            prepared = validation.prepared
            try:
                api, models_source, later = _api_and_models(job, prepared, stages, models, validation)
                validation.stop_if_invalid()
                files, surface = _rendered(job, api, models_source, stages)
            except Exception:
                validation.diagnostics()  # the validator's errors explain a failure best
                raise
            diagnostics = [*validation.diagnostics(), *prepared.located(later)]
        else:
            prepared = validated(loaded, stages)
            api, models_source, diagnostics = api_and_models(job, prepared, stages, models)
            files, surface = _rendered(job, api, models_source, stages)
    finally:
        if models is not None:
            models.cancel()
        if validation is not None:
            validation.cancel()
    inputs = (*prepared.spec.files, *([job.overlay] if job.overlay else []), *job.template_files())
    package_dir = job.output / job.package
    return Generated(api, files, tuple(diagnostics), fingerprint(package_dir, inputs, job.options()), surface)


def _rendered(job: Job, api: Api, models_source: str, stages: Stages) -> tuple[dict[str, str], dict[str, Any]]:
    """The package's files, formatted, and its API record."""
    stages.stage("render")
    with Formatting() as formatting:  # black starts on each file while the next ones are rendered
        render_package(api, models_source, templates=job.template_dirs, on_file=formatting.add)
        stages.stage("format")
        surface = api_surface(api, models_source)  # while the black workers finish
        memo.save_all()  # what this run parsed and laid out, for the next regeneration
        files = dict(sorted(formatting.finish().items()))
    return files, surface


__all__ = [
    "Generated",
    "Job",
    "Loaded",
    "Path",
    "Prepared",
    "Stages",
    "api_and_models",
    "count_operations",
    "generate",
    "load",
    "prepare",
    "validated",
]
