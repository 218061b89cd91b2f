"""The wheel: templates ship inside it, and oapigen runs from it alone."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT, run_oapigen


def test_wheel_ships_templates_and_generates_from_them(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("oapigen-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for template in (ROOT / "templates").glob("*.jinja"):
        assert f"oapigen/templates/{template.name}" in names
    assert not any(n.startswith(("generator/", "oapigen/_editable")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "oapigen = oapigen.cli:main" in (tmp_path / "site" / entry_points).read_text()
    # Run the unpacked wheel (not the checkout): it must find its own templates.
    run = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); from oapigen.core.fingerprint import templates_dir; "
         "from oapigen.cli import main; print(templates_dir()); "
         "sys.exit(main(['generate', sys.argv[2], '--output', sys.argv[3], '-q']))",
         str(tmp_path / "site"), str(ROOT / "specs" / "petstore.yaml"), str(tmp_path / "out")],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(tmp_path / "site" / "oapigen" / "templates")
    assert (tmp_path / "out" / "petstore" / "models.py").is_file()


def test_installing_from_a_path_gives_an_oapigen_command(tmp_path: Path) -> None:
    """The README's `pip install /path/to/oapigen`: the environment gets a working `oapigen`."""
    prefix = tmp_path / "env"
    install = subprocess.run(
        # --ignore-installed: into the prefix only (without it, pip first uninstalls the copy the
        # running environment has)
        [sys.executable, "-m", "pip", "install", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
         "--ignore-installed", "--prefix", str(prefix)],
        capture_output=True, text=True, check=False,
    )
    assert install.returncode == 0, install.stderr
    command = prefix / "bin" / "oapigen"
    (site,) = prefix.glob("lib/python3*/site-packages")
    env = {**os.environ, "PYTHONPATH": str(site)}
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True, check=False, env=env, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("oapigen "), version.stderr
    run = subprocess.run([str(command), "generate", str(ROOT / "specs" / "petstore.yaml"), "--output", "out", "-q"],
                         capture_output=True, text=True, check=False, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "petstore" / "client.py").is_file()


def test_a_users_own_generator_module_does_not_shadow_oapigen(tmp_path: Path) -> None:
    """Issue 14: the import package is ``oapigen`` (the source folder ``generator/`` is mapped
    to it), so a project with its own ``generator.py`` or ``generator/`` runs oapigen, not its
    own file, with ``python -m oapigen`` and in ``import oapigen``."""
    (tmp_path / "generator.py").write_text("raise SystemExit('the user\\'s generator.py ran')\n")
    done = run_oapigen("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("oapigen "), done.stderr
    run = run_oapigen("generate", str(ROOT / "specs" / "petstore.yaml"), "--output", "out", "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "petstore" / "client.py").is_file()
    # the user's module keeps its own name; oapigen's code lives under oapigen only
    probe = subprocess.run(
        [sys.executable, "-c", "import oapigen.cli, sys; print(oapigen.cli.__name__, 'generator' in sys.modules)"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert probe.stdout.split() == ["oapigen.cli", "False"], probe.stderr
