"""A big API's models: a package of private modules, loaded the first time a class is read.

The spec (``tests/data/models/split_spec.py``) has more classes than ``SPLIT_MIN`` and is shaped
to hit every rule of the cut; the package (the ``split`` fixture, in conftest) is generated once
through the pipeline, written to disk and imported; fresh interpreters check what an import loads.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from types import ModuleType
from typing import Any

import httpx
import pytest
from oapigen.models.package import SPLIT_MIN

from .conftest_client import mock_client, package_dir


def fresh(pkg: ModuleType, code: str) -> str:
    """Run ``code`` in a new interpreter that can import ``pkg`` (as ``pkg``); its stdout."""
    prelude = f"import importlib, sys\npkg = importlib.import_module({pkg.__name__!r})\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=package_dir(pkg).parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def loaded_model_modules(pkg: ModuleType) -> str:
    return f"sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith({pkg.__name__ + '.models.'!r}))"


def test_a_big_api_gets_a_models_package_of_private_modules(split: ModuleType, split_files: dict[str, str]) -> None:
    assert len(split.models.__all__) > SPLIT_MIN
    assert "models.py" not in split_files
    assert sorted(p for p in split_files if p.startswith("models/")) == [
        "models/__init__.py",
        "models/_common.py",
        "models/_pets.py",
        "models/_store.py",
        "models/_ungrouped.py",
        "models/_unreferenced.py",
        "models/_users.py",
    ]


def test_each_class_lives_where_its_users_are(split: ModuleType) -> None:
    home = {name: getattr(split.models, name).__module__.rsplit(".", 1)[1] for name in split.models.__all__}
    assert home["Pet5"] == "_pets" and home["Store5"] == "_store" and home["User5"] == "_users"
    assert home["Shared0"] == home["Shared39"] == "_common"  # pets and store both use them
    assert home["Ping"] == home["Pong"] == "_common"  # mutual recursion used by two groups
    assert home["Node"] == "_users"  # recursion used by one group
    assert home["Color"] == "_pets"
    assert home["User59"] == "_common"  # users' and the untagged operation's (Alias)
    assert home["Alias"] == "_ungrouped"
    assert home["Event0"] == "_unreferenced"


def test_importing_the_package_loads_no_model_module(split: ModuleType) -> None:
    out = fresh(split, f"import {split.__name__}.client\nprint({loaded_model_modules(split)})")
    assert out.strip() == "[]"


def test_reading_a_class_loads_its_module_and_what_it_refers_to_only(split: ModuleType) -> None:
    out = fresh(split, f"pkg.models.Pet0\nprint({loaded_model_modules(split)})")
    assert out.strip() == "['_common', '_pets']"


def test_every_module_imports_first_without_a_cycle(split: ModuleType, split_files: dict[str, str]) -> None:
    graph: dict[str, set[str]] = {}
    for path, text in split_files.items():
        if path.startswith("models/_"):
            module = path.removeprefix("models/").removesuffix(".py")
            graph[module] = {n.module or "" for n in ast.parse(text).body if isinstance(n, ast.ImportFrom) and n.level}
    order: list[str] = []  # a topological order exists only without cycles
    while graph:
        ready = sorted(m for m, deps in graph.items() if deps <= set(order))
        assert ready, f"import cycle among {sorted(graph)}"
        order += ready
        for m in ready:
            del graph[m]
    for module in order:
        fresh(split, f"importlib.import_module(pkg.__name__ + '.models.{module}')")


def test_classes_work_across_modules(split: ModuleType) -> None:
    models = split.models
    pet = models.Pet0.model_validate({"label": "a", "shared": {"label": "s"}, "ping": {"pong": {"ping": {}}}})
    assert pet.color is models.Color.red  # an enum default from its own module
    assert isinstance(pet.shared, models.Shared0) and isinstance(pet.ping.pong.ping, models.Ping)
    tree = models.User0.model_validate({"label": "u", "tree": {"children": [{"children": [{}]}]}})
    assert isinstance(tree.tree.children[0].children[0], models.Node)
    assert models.Event0.model_validate({"label": "e", "pet": {"label": "p"}}).pet.label == "p"
    assert set(models.Alias.model_json_schema()["properties"]) >= {"label"}


def test_star_import_and_dir_list_every_class(split: ModuleType) -> None:
    out = fresh(split, "ns = {}\nexec(f'from {pkg.__name__}.models import *', ns)\n"
                       "print(len([k for k in ns if not k.startswith('__')]), len(dir(pkg.models)) >= len(pkg.models.__all__))")
    assert out.split() == [str(len(split.models.__all__)), "True"]


def test_an_unknown_name_is_an_attribute_error(split: ModuleType) -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        split.models.NoSuchModel  # noqa: B018
    with pytest.raises(ImportError):
        exec(f"from {split.__name__}.models import NoSuchModel", {})


def test_client_and_server_use_the_lazy_models(split: ModuleType) -> None:
    answer = {"label": "p", "p1": {"label": "q"}}
    with mock_client(split, lambda request: httpx.Response(200, json=answer)) as client:
        pet = client.pets.get_pet()
    assert isinstance(pet, split.models.Pet0) and isinstance(pet.p1, split.models.Pet1)
    server = __import__(f"{split.__name__}.server", fromlist=["create_app"])

    async def call() -> Any:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app()), base_url="http://t") as http:
            return await http.get("/users")

    import anyio

    response = anyio.run(call)
    assert response.status_code == 200
    split.models.User0.model_validate(response.json())
