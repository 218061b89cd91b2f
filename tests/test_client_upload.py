"""Uploads: multipart/form-data (files as bytes, file objects or tuples) and raw bytes.

Uses the corpus spec fastapi-codegen-tests/default_template/upload.yaml and the multipart
operation of tests/data/client/features.yaml (files mixed with other fields).
"""

from __future__ import annotations

import email
import email.policy
import io
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest_client import (
    FEATURES_SPEC,
    UPLOAD_SPEC,
    Recorder,
    generate_files,
    install,
    mock_client,
)


@pytest.fixture(scope="session")
def upload(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "upload", generate_files(UPLOAD_SPEC, "upload"))


@pytest.fixture(scope="session")
def features(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "features", generate_files(FEATURES_SPEC, "features"))


def parts(request: httpx.Request) -> list[tuple[str, str | None, str, bytes]]:
    """(name, file name, content type, content) of each part of a multipart request."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.content, policy=email.policy.HTTP)
    assert message.is_multipart()
    return [
        (
            str(part.get_param("name", header="content-disposition")),
            part.get_filename(),
            part.get_content_type(),
            bytes(part.get_payload(decode=True)),
        )
        for part in message.iter_parts()
    ]


def test_octet_stream_body(upload: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(201))
    with mock_client(upload, rec) as client:
        assert client.pets.upload_pet_image_with_octet_stream("7", body=b"\x89PNG") is None
        client.pets.upload_pet_image_with_octet_stream("7", body=io.BytesIO(b"from a file"))
    first, second = rec.requests
    assert first.headers["Content-Type"] == "application/octet-stream"
    assert (first.content, second.content) == (b"\x89PNG", b"from a file")


def test_multipart_single_file_body(upload: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(201))
    with mock_client(upload, rec) as client:
        client.pets.upload_pet_image_with_form_data("7", body=("cat.png", b"img", "image/png"))
    assert rec.last.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert parts(rec.last) == [("file", "cat.png", "image/png", b"img")]


def test_multipart_list_of_files(upload: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(201))
    with mock_client(upload, rec) as client:
        client.pets.upload_pet_images_with_form_data("7", body={"images": [b"a", ("b.txt", io.BytesIO(b"b"))]})
        client.pets.upload_pet_images_with_form_data("7", body=upload.models.UploadPetImagesWithFormDataBody(images=[b"c"]))
    assert [(n, f, c) for n, f, _, c in parts(rec.requests[0])] == [("images", "upload", b"a"), ("images", "b.txt", b"b")]
    assert [(n, c) for n, _, _, c in parts(rec.requests[1])] == [("images", b"c")]


def test_multipart_files_and_fields(features: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(204))
    body: dict[str, Any] = {
        "file": ("a.txt", b"A", "text/plain"),
        "extra": [b"x", io.BytesIO(b"y")],
        "tags": ["t1", "t2"],
        "meta": {"k": 1},
        "count": 3,
    }
    with mock_client(features, rec) as client:
        client.items.attach("i1", body=body)
        with pytest.raises(features.RequestValidationError):  # validated (files stubbed) before sending
            client.items.attach("i1", body={"count": "three", "file": b"A"})
    assert len(rec.requests) == 1
    assert parts(rec.last) == [
        ("file", "a.txt", "text/plain", b"A"),
        ("extra", "upload", "application/octet-stream", b"x"),
        ("extra", "upload", "application/octet-stream", b"y"),
        ("tags", None, "text/plain", b"t1"),
        ("tags", None, "text/plain", b"t2"),
        ("meta", None, "application/json", b'{"k":1}'),
        ("count", None, "text/plain", b"3"),
    ]


def test_multipart_upload_is_resent_on_retry(features: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest_client import patch_sleep

    patch_sleep(monkeypatch, features)
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "0"}), httpx.Response(204))
    with mock_client(features, rec) as client:
        client.items.attach("i1", body={"file": io.BytesIO(b"data")})
    assert [parts(r)[0][3] for r in rec.requests] == [b"data", b"data"]
