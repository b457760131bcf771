"""Fixtures of the document upload tests: a storage root and an upload directory of the
test's own, the real clamd, and helpers that post a multipart body byte for byte (the
test client would reduce ``../../x.pdf`` to ``x.pdf`` before the portal sees it)."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from django.conf import settings as django_settings

from documents import clamav
from documents.tests.factories import DocumentCategoryFactory

CASE = "8000000683"


@pytest.fixture(autouse=True)
def storage_root(settings, tmp_path):
    """Each test stores into its own directory; uploads stream into another one."""
    root = tmp_path / "storage"
    uploads = tmp_path / "uploads"
    root.mkdir()
    uploads.mkdir()
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    settings.MEDIA_ROOT = str(root)
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    return root


def files_under(path) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(directory, name), path)
        for directory, _, names in os.walk(path)
        for name in names
    )


@pytest.fixture
def clamd(settings):
    """The real clamd (scripts/clamd.sh start, or the one CI starts)."""
    try:
        up = clamav.ping(timeout=2.0)
    except clamav.ClamdUnavailable:
        up = False
    if not up:
        if os.environ.get("CI") or os.environ.get("CLAMD_REQUIRED"):  # make test started it
            pytest.fail(f"clamd does not answer at {settings.CLAMAV_URL}")
        pytest.skip('no clamd: eval "$(bash scripts/clamd.sh start)"')
    return settings.CLAMAV_URL


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def category(db):
    return DocumentCategoryFactory(
        name_en="Product literature, drawings, photographs or diagrams",
        name_fr="Documentation sur les produits, dessins, photographies ou schémas",
    )


def multipart(files: list[tuple[str, bytes]], fields: dict | None = None) -> tuple[bytes, str]:
    boundary = f"----carm{uuid.uuid4().hex}"
    parts = []
    for name, value in (fields or {}).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, content in files:
        quoted = filename.replace('"', "%22")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{quoted}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def choose(client, category, case: str = CASE, language: str = "en"):
    """Step 1 of 2."""
    return client.post(
        f"/{language}/documents/upload/", {"category": category.pk, "case_number": case}
    )


def send(client, files, language: str = "en", **extra):
    """Step 2 of 2: post ``files`` [(name, bytes)] as a browser would."""
    body, content_type = multipart(files)
    return client.generic(
        "POST",
        f"/{language}/documents/upload/files/",
        body,
        content_type=content_type,
        **extra,
    )
