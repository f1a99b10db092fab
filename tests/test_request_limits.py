"""Request bodies are bounded before they are read: 413 over the URL's limit, 411 without
a length. The admin's content import alone takes larger ones (IMPORT_MAX_UPLOAD_BYTES)."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.models import ContentUpload
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
    content = upload.read()
    upload.seek(0)
    response = client.post(url, {"file": upload})
    assert response.status_code == 302  # to the status page of its dry run
    assert bytes(ContentUpload.objects.get().data) == content
    # Elsewhere the same body is too large; and the import's own limit holds.
    assert (
        send(client, reverse("admin:postings_posting_changelist"), length=512 * 1024)[0].status_code
        == 413
    )
    response, body = send(client, url, length=settings.IMPORT_MAX_UPLOAD_BYTES + 128 * 1024)
    assert response.status_code == 413
    assert body.read_bytes == 0


# The same through the server production runs: gunicorn, with this gunicorn.conf.py. -------


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """A gunicorn serving the site with production settings, on its own SQLite database."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    folder = tmp_path_factory.mktemp("gunicorn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobboard.settings",
        "DEBUG": "0",
        "SECRET_KEY": "gunicorn-test-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CACHE_BACKEND": "locmem",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    root = Path(__file__).resolve().parent.parent
    migrate = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, cwd=root, env=env, check=True)  # noqa: S603 (our own command)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "jobboard.wsgi"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def first_line_while_sending(port: int, head: str, chunk: bytes) -> str:
    """Send `head`, then `chunk` (a small part of the announced body), and return the
    status line of the answer. The rest of the body is never sent: a server that read
    the body would wait for it, and the socket's timeout fails the test."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(head.encode() + chunk)
        answer = connection.recv(4096)
    return answer.split(b"\r\n", 1)[0].decode()


def test_gunicorn_answers_413_to_a_200_mb_post_without_waiting_for_it(gunicorn):
    head = (
        "POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {200 * MB}\r\n\r\n"
    )
    # A file part, as the 200 MB were sent: Django's parser would stream it to disk.
    status = first_line_while_sending(gunicorn, head, Body().read(256 * 1024))
    assert status == "HTTP/1.1 413 Request Entity Too Large"


def test_gunicorn_answers_411_to_a_chunked_post_without_waiting_for_it(gunicorn):
    head = (
        "POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"40000\r\n" + Body().read(256 * 1024) + b"\r\n"  # 256 KB, more to come
    status = first_line_while_sending(gunicorn, head, chunk)
    assert status == "HTTP/1.1 411 Length Required"
