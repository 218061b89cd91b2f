"""Editable installs only (``pip install -e .``, ``make install``): ``import oapigen`` from the
source folder ``generator/``.

The wheel installs the folder under the name ``oapigen`` (hatchling's ``sources`` mapping). An
editable install cannot rename a folder, so it puts this directory on ``sys.path`` instead, and
this package takes the source folder as its own: its submodules (``oapigen.cli``, ...) load
from ``generator/`` and the folder's ``__init__.py`` runs as this package's. The folder itself
is not importable as ``generator``, so nothing is imported twice under two names. The wheel
leaves this directory out."""

from pathlib import Path

__path__ = [str(Path(__file__).resolve().parents[2])]
__file__ = str(Path(__path__[0]) / "__init__.py")
exec(compile(Path(__file__).read_text(encoding="utf-8"), __file__, "exec"))
