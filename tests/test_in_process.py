"""Both generated clients against the generated server in process, one line each, as the
README documents: ``Client(http_client=httpx.Client(transport=BlockingASGITransport(app)))``
and ``AsyncClient(http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=app)))``. The
server serves under its spec's server URL path (petstore: ``/v1``), so the client's default
base URL reaches it; the blocking client given an async transport says what to use instead."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest_client import install


@pytest.fixture(scope="module")
def petstore(generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "petstore", generated_packages["petstore"][1].files)


@pytest.fixture(scope="module")
def server(petstore: ModuleType) -> ModuleType:
    return importlib.import_module(f"{petstore.__name__}.server")


def test_the_server_serves_under_the_server_url_path(server: ModuleType) -> None:
    with httpx.Client(transport=server.BlockingASGITransport(server.create_app()), base_url="http://test") as http:
        assert http.get("/v1/pets").status_code == 200
        assert http.get("/pets").status_code == 404
        assert "/v1/pets/{petId}" in http.get("/openapi.json").json()["paths"]


def test_sync_client_in_process(petstore: ModuleType, server: ModuleType) -> None:
    with httpx.Client(transport=server.BlockingASGITransport(server.create_app())) as http:
        client = petstore.Client(http_client=http)
        pets = client.pets.list_pets(limit=2)
        pet = client.pets.show_pet_by_id("7")
        created = client.pets.create_pets(body={"id": 3, "name": "Rex"})
    assert pets is not None
    assert isinstance(pet, petstore.models.Pet)
    assert created is None


@pytest.mark.anyio
async def test_async_client_in_process(petstore: ModuleType, server: ModuleType) -> None:
    transport = httpx.ASGITransport(app=server.create_app())
    async with petstore.AsyncClient(http_client=httpx.AsyncClient(transport=transport)) as client:
        pet = await client.pets.show_pet_by_id("7")
    assert isinstance(pet, petstore.models.Pet)


def test_sync_client_refuses_an_async_transport(petstore: ModuleType, server: ModuleType) -> None:
    http = httpx.Client(transport=httpx.ASGITransport(app=server.create_app()))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"BlockingASGITransport\(app\)"):
        petstore.Client(http_client=http)


def test_an_array_response_is_a_list(petstore: ModuleType, server: ModuleType) -> None:
    """A plain array schema (``Pets``, a RootModel of a list) is returned as a list of its
    items, by the method and by the raw response's ``.parse()``; the handler returns a list;
    the schema's ``maxItems`` still holds on both sides."""
    pet = petstore.models.Pet

    class Shop(server.Handlers):  # type: ignore[name-defined,misc]
        async def list_pets(self, *, limit: int | None) -> Any:
            return [pet(id=n, name=f"p{n}") for n in range(limit + 1 if limit else 2)]  # one too many

    with httpx.Client(transport=server.BlockingASGITransport(server.create_app(Shop()))) as http:
        client = petstore.Client(http_client=http)
        pets = client.pets.list_pets()
        parsed = client.with_raw_response.pets.list_pets().parse()
        with pytest.raises(petstore.InternalServerError):  # more than the spec's maxItems: refused
            client.pets.list_pets(limit=100, max_retries=0)
        with pytest.raises(petstore.UnprocessableEntityError):  # the parameter's maximum: 100
            client.pets.list_pets(limit=101, max_retries=0)
    assert type(pets) is list and pets == [pet(id=0, name="p0"), pet(id=1, name="p1")] == parsed

    body = [{"id": n, "name": "x"} for n in range(101)]
    sent = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=body)))
    with pytest.raises(petstore.ResponseValidationError):
        petstore.Client(http_client=sent).pets.list_pets()
