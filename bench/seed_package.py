"""Shared by the benches: the seed spec generated into a folder and imported."""

import importlib
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oapigen.run.config import Job  # noqa: E402
from oapigen.run.pipeline import generate  # noqa: E402


def install_seed(folder: Path, package: str) -> ModuleType:
    """Generate the seed (with its overlay) as ``folder/package`` and import the package."""
    job = Job(
        spec=ROOT / "specs" / "agent-server.json",
        overlay=ROOT / "specs" / "agent-server.overlay.yaml",
        output=folder,
        package=package,
    )
    for name, text in generate(job).files.items():
        target = folder / package / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    return importlib.import_module(package)
