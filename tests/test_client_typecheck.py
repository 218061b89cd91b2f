"""The generated packages pass ``mypy --strict`` (one run over all of them, with typed usage
examples of the seed client and of streamed bodies) and the client modules pass ruff with the project's rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from oapigen.views import client as client_view

from .conftest import MypyRun, mypy_strict_targets
from .conftest_client import (
    DATA,
    FEATURES_SPEC,
    ROOT,
    UPLOAD_SPEC,
    generate_files,
    install,
    package_dir,
    packages_root,
)


def _packages(
    generated_packages: dict[str, Any], split: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> list[ModuleType]:
    return [
        install(tmp_path_factory, "agent_server", generated_packages["agent_server"][1].files),
        install(tmp_path_factory, "petstore", generated_packages["petstore"][1].files),
        install(tmp_path_factory, "features", generate_files(FEATURES_SPEC, "features")),
        install(tmp_path_factory, "upload", generate_files(UPLOAD_SPEC, "upload")),
        install(tmp_path_factory, "options", generate_files(DATA / "options.yaml", "options")),
        install(tmp_path_factory, "streaming_api", generate_files(DATA / "streaming.yaml", "streaming_api")),
        split,  # a models package loaded lazily (tests/test_models_split.py)
    ]


@pytest.fixture(scope="session")
def packages(
    generated_packages: dict[str, Any], split: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> list[ModuleType]:
    return _packages(generated_packages, split, tmp_path_factory)


@mypy_strict_targets
def client_packages(request: pytest.FixtureRequest) -> list[Path]:
    """The generated packages, with a typed usage example of the seed client."""
    tmp_path_factory = request.getfixturevalue("tmp_path_factory")
    packages = _packages(request.getfixturevalue("generated_packages"), request.getfixturevalue("split"), tmp_path_factory)
    usages = [packages_root(tmp_path_factory) / name for name in ("usage_seed.py", "usage_streaming.py")]
    for usage in usages:
        shutil.copy(DATA / usage.name, usage)
    return [*(package_dir(pkg) for pkg in packages), *usages]


def run(*args: str, cwd: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300)


def test_mypy_strict(mypy_strict: MypyRun) -> None:
    assert not mypy_strict.errors(client_packages)


def test_ruff_on_the_client_modules(packages: list[ModuleType]) -> None:
    paths = [str(package_dir(pkg) / name) for pkg in packages for name in client_view.CLIENT_FILES]
    resources = [package_dir(pkg) / client_view.RESOURCES for pkg in packages]
    assert any(r.is_dir() for r in resources)  # the seed's group modules
    paths += [str(r) for r in resources if r.is_dir()]
    paths.append(str(package_dir(packages[-1]) / "models"))  # the split models package
    result = run("ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), *paths, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
