"""oapigen.core.contract against the rendered runtime modules: the facts the views compute from
(the error class for each status, the names the package re-exports, the path-template
parameter, the models module) are written once in the contract, and the runtime modules, which
are templates and cannot import it, must say the same. Read from a generated package (the
committed golden ``generated/petstore``, which tests/test_golden.py keeps equal to the
generator's output) with :mod:`ast`, without importing it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from oapigen.core import contract

PACKAGE = Path(__file__).resolve().parents[1] / "generated" / "petstore"


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))


def _assigned(tree: ast.Module, name: str) -> ast.expr:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
            return node.value
    raise AssertionError(f"{name} is not assigned at the top of the module")


def _classes(tree: ast.Module) -> dict[str, list[str]]:
    """class name -> the names of its bases."""
    return {node.name: [ast.unparse(b) for b in node.bases] for node in tree.body if isinstance(node, ast.ClassDef)}


def _is_subclass(classes: dict[str, list[str]], name: str, base: str) -> bool:
    return name == base or any(_is_subclass(classes, b, base) for b in classes.get(name, ()) if b in classes)


def test_error_classes_by_status_match_the_errors_module() -> None:
    tree = _tree(contract.ERRORS_MODULE)
    table = _assigned(tree, "_BY_STATUS")
    assert isinstance(table, ast.Dict)
    rendered = {ast.literal_eval(k): ast.unparse(v) for k, v in zip(table.keys, table.values, strict=True) if k}
    assert rendered == {int(status): name for status, name in contract.ERROR_BY_STATUS.items()}
    classes = _classes(tree)
    for name in (*contract.ERROR_BY_STATUS.values(), contract.SERVER_ERROR, contract.BASE_ERROR):
        assert _is_subclass(classes, name, contract.BASE_ERROR), name


def test_status_error_falls_back_as_the_contract_says() -> None:
    # status_error: 5xx -> SERVER_ERROR; another status without a class -> BASE_ERROR.
    function = next(n for n in _tree(contract.ERRORS_MODULE).body
                    if isinstance(n, ast.FunctionDef) and n.name == "status_error")
    source = ast.unparse(function)
    assert f">= 500:\n        return {contract.SERVER_ERROR}(" in source
    assert f"_BY_STATUS.get(response.status_code, {contract.BASE_ERROR})" in source
    assert contract.error_class("503") == contract.SERVER_ERROR
    assert contract.error_class("418") == contract.BASE_ERROR
    assert contract.error_class("404") == "NotFoundError"


def test_runtime_exports_are_defined_and_re_exported() -> None:
    init = _tree("__init__")
    imported = {(node.module, alias.name) for node in init.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    exported = set(ast.literal_eval(_assigned(init, "__all__")))
    for module, name in contract.RUNTIME_EXPORTS:
        body = _tree(module).body
        defined = {n.name for n in body if isinstance(n, ast.ClassDef | ast.FunctionDef)} | {
            t.id for n in body for t in (n.targets if isinstance(n, ast.Assign) else
                                         [n.target] if isinstance(n, ast.AnnAssign) else [])
            if isinstance(t, ast.Name)}
        assert name in defined, f"{module}.{name} is not defined in the runtime module"
        assert (module, name) in imported and name in exported, f"{module}.{name} is not re-exported"
    assert (None, contract.MODELS_MODULE) in imported and contract.MODELS_MODULE in exported


@pytest.mark.parametrize(("module", "name"), [("_spec", "_PATH_PARAM"), ("_server_mock", "_PARAMETER")])
def test_runtime_path_template_parameter_matches(module: str, name: str) -> None:
    value = _assigned(_tree(module), name)
    assert isinstance(value, ast.Call) and ast.unparse(value.func) == "re.compile"
    rendered = re.compile(ast.literal_eval(value.args[0]))
    samples = ["/runs/{run_id}", "/a/{b}/{c-d}{e}", "/{{x}}/{}/{a{b}c}", "/plain", "/{ spaced }/{ü}"]
    for sample in samples:
        assert rendered.findall(sample) == contract.PATH_TEMPLATE_PARAM.findall(sample), sample
        assert rendered.split(sample) == contract.PATH_TEMPLATE_PARAM.split(sample), sample


def test_swagger2_methods_are_the_openapi_ones_without_trace() -> None:
    assert tuple(m for m in contract.HTTP_METHODS if m != "trace") == contract.SWAGGER2_METHODS
    assert contract.MODELS_PREFIX == contract.MODELS_MODULE + "."
