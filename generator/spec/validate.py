"""Validate a bundled OpenAPI document: oapigen's own checks, then openapi-spec-validator's.

A Swagger 2.0 document gets the same checks (with its parameter locations) and
openapi-spec-validator's 2.0 validator; :mod:`oapigen.spec.swagger2` then converts it and the
3.0 result is validated again.

Own checks come first and are :attr:`Severity.ERROR` (generated code would be wrong): an
unsupported version, dangling internal ``$ref``\\ s, ``$ref`` alias loops (:mod:`.refs`), wrong
types at keys the generator reads, undeclared path template parameters and optional path
parameters (:class:`_OwnChecks`). The schema checks the library does not make
(:mod:`.schema_checks`) and openapi-spec-validator's findings (:mod:`.library_validator`) are
:attr:`Severity.WARNING`, each located by JSON pointer; the library is run on a copy without the
broken refs, and its findings under one of ours are left out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..core.contract import HTTP_METHODS, PATH_TEMPLATE_PARAM
from ..core.diagnostics import Diagnostic, Severity
from ..core.pointers import MISSING, follow_pointer, pointer, ref_tokens, unescape_pointer
from .library_validator import LIST_DEFAULT, library_findings, merged
from .messages import describe
from .refs import RefReport, Tokens, collect_refs, with_empty_nodes
from .schema_checks import indistinct_one_ofs, misfit_defaults

if TYPE_CHECKING:
    from .load import LoadedSpec


_LOCATIONS = ("query", "header", "path", "cookie")
_LOCATIONS_2 = ("query", "header", "path", "formData", "body")  # Swagger 2.0
_VAGUE = re.compile(r"is not valid under any of the (given )?schemas")


class _OwnChecks:
    """oapigen's own checks; findings located through the LoadedSpec."""

    def __init__(self, spec: LoadedSpec, document: dict[str, Any], locations: tuple[str, ...] = _LOCATIONS) -> None:
        self.spec, self.document, self.locations = spec, document, locations
        self.findings: list[Diagnostic] = []
        self.covered: list[str] = []  # pointers under which library findings repeat ours
        self.repeated: set[str] = set()  # library messages that repeat ours
        self.bad_refs: list[Tokens] = []

    def error(self, tokens: Tokens, message: str, hint: str | None = None) -> None:
        ptr = pointer(*tokens)
        self.findings.append(self.spec.diagnostic(ptr, message, hint=hint))
        self.covered.append(ptr)

    def run(self) -> None:
        refs = collect_refs(self.document, self.error)
        report = RefReport(self.document, refs)
        for path, ref in report.foreign:
            self.error(path, f"$ref '{ref}' is not an internal reference ('#/...'): it was not bundled")
        for ref, paths in report.dangling.items():
            more = f"; also used at {pointer(*paths[1])}" if len(paths) > 1 else ""
            more += f" and {len(paths) - 2} more place(s)" if len(paths) > 2 else ""
            self.error(paths[0], f"dangling $ref '{ref}': nothing at that pointer{more}", self._hint(ref))
        for path in report.whole:
            self.error(path, "$ref '#' refers to the whole document, which is not a schema or a component",
                       "refer to one, e.g. '#/components/schemas/Name'; with --lenient it becomes any JSON value")
        for loop in report.loops:
            chain = " -> ".join(pointer(*p) for p in [*loop, loop[0]])
            self.error(loop[0], f"$ref loop with no schema in between: {chain}")
        self.bad_refs = report.bad_paths()
        self._structure()

    def _hint(self, ref: str) -> str | None:
        """Where a same-named thing exists, for a dangling ref."""
        tokens = ref_tokens(ref) or ()
        if not tokens:
            return None
        name = tokens[-1]
        places: list[tuple[str, ...]] = [("definitions",), ("parameters",), ("responses",)]
        components = self.document.get("components")
        if isinstance(components, dict):
            places = [("components", s) for s in components] + places
        for place in places:
            section = follow_pointer(self.document, place)
            if place != tokens[:-1] and isinstance(section, dict):
                found = name if name in section else next(
                    (k for k in section if isinstance(k, str) and k.lower() == name.lower()), None)
                if found is not None:
                    where = "/".join(place)
                    return f"'{found}' is defined under {where} ('#/{where}/{found}'), not under {'/'.join(tokens[:-1])}"
        return None

    def _deref(self, tokens: Tokens, node: Any) -> tuple[Tokens, Any]:
        """Follow internal refs (a broken one gives MISSING: it is reported elsewhere)."""
        for _ in range(32):
            ref = node.get("$ref") if isinstance(node, dict) else None
            target = ref_tokens(ref) if isinstance(ref, str) else None
            if target is None:
                return tokens, node
            tokens, node = target, follow_pointer(self.document, target)
        return tokens, MISSING

    def _structure(self) -> None:
        doc = self.document
        sections = ("definitions", "parameters", "responses", "securityDefinitions") if self.locations == _LOCATIONS_2 else ()
        for key in ("paths", "webhooks", "components", *sections):
            if key in doc and not isinstance(doc[key], dict):
                self.error((key,), f"'{key}' must be an object, found {describe(doc[key])}")
        components = doc.get("components")
        for name, section in components.items() if isinstance(components, dict) else ():
            if not str(name).startswith("x-") and not isinstance(section, dict):
                self.error(("components", name), f"components/{name} must be an object, found {describe(section)}")
        for key in ("paths", "webhooks"):
            items = doc.get(key)
            for url, item in items.items() if isinstance(items, dict) else ():
                if not str(url).startswith("x-"):
                    self._path_item((key, url), item, str(url) if key == "paths" else None)

    def _path_item(self, tokens: Tokens, item: Any, template: str | None) -> None:
        tokens, item = self._deref(tokens, item)
        if item is MISSING:
            return
        if not isinstance(item, dict):
            self.error(tokens, f"a path item must be an object, found {describe(item)}")
            return
        shared = self._parameters(tokens, item)
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op_tokens, operation = (*tokens, method), item[method]
            if not isinstance(operation, dict):
                self.error(op_tokens, f"an operation must be an object, found {describe(operation)}")
                continue
            declared = {**shared, **self._parameters(op_tokens, operation)}
            self._responses(op_tokens, operation)
            if "requestBody" in operation:
                body_tokens, body = self._deref((*op_tokens, "requestBody"), operation["requestBody"])
                if body is not MISSING and not isinstance(body, dict):
                    self.error(body_tokens, f"a request body must be an object, found {describe(body)}")
                elif isinstance(body, dict) and "content" in body and not isinstance(body["content"], dict):
                    self.error((*body_tokens, "content"), "'content' must be an object")
            for name in PATH_TEMPLATE_PARAM.findall(template or ""):
                if (name, "path") not in declared:
                    self.repeated.add(f"Path parameter '{name}' for '{method}' operation in '{template}' was not resolved")
                    self.error(op_tokens, f"path parameter '{{{name}}}' of '{template}' is not declared for {method.upper()}",
                               f"add a parameter with name: {name}, in: path, required: true")

    def _responses(self, op_tokens: Tokens, operation: dict[str, Any]) -> None:
        if "responses" not in operation:
            return
        responses = operation["responses"]
        if not isinstance(responses, dict):
            self.error((*op_tokens, "responses"), f"'responses' must be an object, found {describe(responses)}")
            return
        for code, response in responses.items():
            if not str(code).startswith("x-"):
                where, response = self._deref((*op_tokens, "responses", code), response)
                if response is not MISSING and not isinstance(response, dict):
                    self.error(where, f"a response must be an object, found {describe(response)}")

    def _parameters(self, tokens: Tokens, owner: dict[str, Any]) -> dict[tuple[str, str], Any]:
        """(name, in) -> parameter, for the parameters of a path item or operation."""
        if "parameters" not in owner:
            return {}
        entries = owner["parameters"]
        if not isinstance(entries, list):
            self.error((*tokens, "parameters"), f"'parameters' must be a list, found {describe(entries)}")
            return {}
        out: dict[tuple[str, str], Any] = {}
        for index, entry in enumerate(entries):
            where, param = self._deref((*tokens, "parameters", index), entry)
            if param is MISSING:
                continue
            if not isinstance(param, dict):
                self.error(where, f"a parameter must be an object, found {describe(param)}")
                continue
            name, location = param.get("name"), param.get("in")
            if not isinstance(name, str) or not isinstance(location, str):
                self.error(where, "a parameter needs a string 'name' and a string 'in'")
            elif location not in self.locations:
                self.error((*where, "in"), f"unknown parameter location 'in: {location}'", "one of: " + ", ".join(self.locations))
            else:
                if location == "path" and param.get("required") is not True:
                    self.error(where, f"path parameter '{name}' must have required: true")
                out[(name, location)] = param
        return out


def _version(document: dict[str, Any]) -> tuple[str | None, str, str]:
    """(version '2.0'/'3.0'/'3.1' or None, pointer, message when unsupported)."""
    version = document.get("openapi")
    if "swaggerVersion" in document and version is None and "swagger" not in document:
        found = document["swaggerVersion"]
        return None, "/swaggerVersion", (f"unsupported Swagger version {found!r} (found swaggerVersion: {found}); "
                                         "oapigen reads Swagger 2.0, OpenAPI 3.0.x and 3.1.x")
    if "swagger" in document and version is None:
        found = document["swagger"]
        if found == "2.0":
            return "2.0", "", ""
        what = f"{found!r} ({describe(found)}; quote it: swagger: \"2.0\")" if not isinstance(found, str) else repr(found)
        return None, "/swagger", f"unsupported Swagger version {what} (found swagger: {found}); oapigen reads Swagger 2.0, OpenAPI 3.0.x and 3.1.x"
    if version is None:
        return None, "", "no 'openapi' field: not an OpenAPI 3.x document (expected openapi: 3.0.x or 3.1.x)"
    match = re.fullmatch(r"(3\.[01])\.\d+(-.+)?", version) if isinstance(version, str) else None
    if match is None:
        what = f"{version!r}" if isinstance(version, str) else f"{version!r} ({describe(version)}; quote it)"
        return None, "/openapi", f"unsupported OpenAPI version {what} (found openapi: {version}); oapigen reads 3.0.x and 3.1.x"
    return match.group(1), "", ""


# --- openapi-spec-validator ---------------------------------------------------------------------


def validate_spec(spec: LoadedSpec, document: dict[str, Any] | None = None) -> list[Diagnostic]:
    """Every finding about the spec: oapigen's own (ERROR) first, then the library's (WARNING).

    ``document`` defaults to ``spec.document`` (it differs when an overlay was applied).
    """
    doc = spec.document if document is None else document
    minor, where, problem = _version(doc)
    if minor is None:
        return [spec.diagnostic(where, problem)]
    checker = _OwnChecks(spec, doc, _LOCATIONS_2 if minor == "2.0" else _LOCATIONS)
    checker.run()
    findings = list(checker.findings)
    for path, why in misfit_defaults(doc):  # the library's own word on them is covered
        where_ = pointer(*path)
        checker.covered.append(where_)
        listed = where_.endswith("/items/default") and isinstance(follow_pointer(doc, path), list)
        findings.append(spec.diagnostic(where_, f"{why}: it is left out of the generated code",
                                        severity=Severity.WARNING, hint=LIST_DEFAULT if listed else None))
    for path, why in indistinct_one_ofs(doc, minor):
        findings.append(spec.diagnostic(pointer(*path), why, severity=Severity.WARNING))
    library_doc = with_empty_nodes(doc, checker.bad_refs, share=True) if checker.bad_refs else doc
    for ptr, message, hint in merged(library_findings(library_doc, minor)):
        if message in checker.repeated or any(ptr == c or ptr.startswith(c + "/") for c in checker.covered):
            continue
        if _VAGUE.search(message) and any(c.startswith(ptr + "/") for c in checker.covered):
            continue  # "not valid under any of the schemas" above one of ours: ours says why
        if ptr == "" and "openapi-spec-validator" in message and checker.findings:
            continue  # it tripped over something already reported
        if minor == "2.0" and ptr.endswith("/type") and follow_pointer(doc, tuple(unescape_pointer(ptr))) == "file":
            continue  # 2.0's `type: file`: the library checks 2.0 schemas as 3.0 ones
        findings.append(spec.diagnostic(ptr, message, severity=Severity.WARNING, hint=hint))
    unique: dict[tuple[str, str, Severity], Diagnostic] = {}
    for finding in findings:
        unique.setdefault((finding.pointer, finding.message, finding.severity), finding)
    return list(unique.values())
