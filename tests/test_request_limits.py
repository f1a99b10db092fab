"""Request bodies are bounded before they are read: 413 over the URL's limit, 411 without
a length. The admin's content import alone takes larger ones (IMPORT_MAX_UPLOAD_BYTES)."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.content_files import sample

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "limit-test-boundary"


class Body:
    """A request body that counts what is read of it, and fails the test past 1 MB
    (the old code streamed 200 MB of it to a temporary file)."""

    def __init__(self):
        self.read_bytes = 0
        self.start = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()

    def read(self, size=-1):
        size = 64 * 1024 if size is None or size < 0 else size
        chunk = (self.start + b"x" * size)[:size] if self.read_bytes == 0 else b"x" * size
        self.read_bytes += len(chunk)
        assert self.read_bytes <= MB, "the body is being read"
        return chunk

    def readline(self, size=-1):
        return self.read(size)


def send(client, url, *, length, method="POST", **extra):
    body = Body()
    response = client.generic(
        method,
        url,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(length),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            **extra,
        },
    )
    return response, body


@pytest.fixture
def importer(client, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    user = User.objects.create_user("importer", password="a-long-passphrase-1", is_staff=True)
    for codename in ("import_content", "view_posting"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return user


def test_a_large_body_to_the_admin_login_is_refused_unread(client):
    response, body = send(client, reverse("admin:login"), length=200 * MB)
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "larger than 5 MB" in response.content.decode()


@pytest.mark.parametrize("method", ["POST", "PUT", "GET"])
def test_no_url_takes_a_body_over_the_limit(client, settings, method):
    for url in ["/", reverse("postings:list"), reverse("admin:index"), "/no-such-page/"]:
        response, body = send(
            client, url, method=method, length=settings.REQUEST_BODY_MAX_BYTES + 1
        )
        assert body.read_bytes == 0, url
        if url != "/no-such-page/":  # no view: nothing reads it, a plain 404
            assert response.status_code == 413, url


def test_a_body_without_a_length_is_refused_unread(client):
    # What gunicorn hands on for `Transfer-Encoding: chunked`: no CONTENT_LENGTH at all.
    # Django would read nothing of it; it is refused rather than silently taken as empty.
    response, body = send(
        client, reverse("admin:login"), length="", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 411
    assert body.read_bytes == 0


def test_a_length_that_is_not_a_number_is_a_bad_request(client):
    response, body = send(client, reverse("admin:login"), length="lots")
    assert response.status_code == 400
    assert body.read_bytes == 0


def test_a_body_within_the_limit_is_served(client):
    # The login form itself, and a logo-sized upload to it, are read as usual.
    response = client.post(
        reverse("admin:login"),
        {"username": "nobody", "password": "x", "file": SimpleUploadedFile("a.bin", b"x" * 2 * MB)},
    )
    assert response.status_code == 200


def test_the_content_import_takes_larger_bodies_up_to_its_own_limit(client, settings, importer):
    settings.REQUEST_BODY_MAX_BYTES = 64 * 1024
    settings.IMPORT_MAX_UPLOAD_BYTES = MB
    data = sample()
    data["companies"][0]["logo"] = None
    data["padding"] = "x" * (512 * 1024)  # over the general limit, under the import's
    upload = SimpleUploadedFile("content.json", json.dumps(data).encode())
    url = reverse("admin:postings_posting_import")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert b"Import content" in response.content
    # Elsewhere the same body is too large; and the import's own limit holds.
    assert (
        send(client, reverse("admin:postings_posting_changelist"), length=512 * 1024)[0].status_code
        == 413
    )
    response, body = send(client, url, length=settings.IMPORT_MAX_UPLOAD_BYTES + 128 * 1024)
    assert response.status_code == 413
    assert body.read_bytes == 0
