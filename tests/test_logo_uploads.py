"""Company logos uploaded through the admin: only real images get in, re-encoded."""

import io
import random
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from companies.models import Company
from tests.conftest import make_png

pytestmark = pytest.mark.django_db


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes that claim to be a `width`×`height` image: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\0" * 1024)  # the start of the first rows, nothing more
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", rows)
        + png_chunk(b"IEND", b"")
    )


def noisy_png(size=(256, 256)) -> bytes:
    """Noise does not compress: the file is big enough to cut in half."""
    buffer = io.BytesIO()
    noise = random.Random(0).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, noise).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (120, 80), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 22.0, 8.0)  # Amsterdam
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 38.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b"<script>alert(document.cookie)</script><rect width='64' height='64'/></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def add_company(client, name: str, content: bytes, content_type="image/png"):
    return client.post(
        reverse("admin:companies_company_add"),
        {
            "name": "Acme Robotics",
            "slug": "acme-robotics",
            "logo": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        pytest.param(
            "big.png",
            make_png() + b"\0" * (2 * 1024 * 1024),
            "image/png",
            "the limit is 2 MB",
            id="over-2-MB",
        ),
        pytest.param(
            "bomb.png",
            png_declaring(100_000, 100_000),
            "image/png",
            "the limit is 16 megapixels",
            id="decompression-bomb",
        ),
        pytest.param(
            "wide.png",
            png_declaring(5_000, 4_000),
            "image/png",
            "5000×4000 pixels; the limit is 16 megapixels",
            id="20-megapixels",
        ),
        pytest.param(
            "logo.svg",
            SVG_WITH_SCRIPT,
            "image/svg+xml",
            "SVG and other formats are not accepted",
            id="svg-with-script",
        ),
        pytest.param(
            "logo.png",
            PDF,
            "image/png",
            "this file is not one of those",
            id="pdf-named-png",
        ),
        pytest.param(
            "logo.png",
            noisy_png()[:100_000],
            "image/png",
            "The image is damaged or incomplete",
            id="truncated",
        ),
        pytest.param(
            "logo.png",
            HTML,
            "image/png",
            "this file is not one of those",
            id="html-named-png",
        ),
    ],
)
def test_refused_upload_shows_an_error_and_stores_nothing(
    admin_client, media_root, name, content, content_type, message
):
    response = add_company(admin_client, name, content, content_type)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["logo"])
    assert message.encode() in response.content.replace(b"&#x27;", b"'")
    assert not Company.objects.exists()
    assert stored_files(media_root) == []


def test_png_with_html_appended_is_stored_re_encoded(admin_client, media_root):
    upload = make_png() + HTML
    response = add_company(admin_client, "logo.png", upload)
    assert response.status_code == 302, response.context["adminform"].form.errors
    company = Company.objects.get()
    stored = company.logo.read()
    assert stored != upload
    assert b"<script" not in stored
    assert b"<html" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.size == (64, 64)
    for path in stored_files(media_root):
        assert b"<script" not in path.read_bytes()
    assert company.logo.name.startswith("logos/")
    assert "logo" not in company.logo.name.removeprefix("logos/")  # a random name


def test_jpeg_with_gps_is_stored_without_exif(admin_client, media_root):
    upload = jpeg_with_gps()
    with Image.open(io.BytesIO(upload)) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload does carry a position
    response = add_company(admin_client, "holiday.jpg", upload, "image/jpeg")
    assert response.status_code == 302, response.context["adminform"].form.errors
    for path in stored_files(media_root):
        data = path.read_bytes()
        assert b"Exif" not in data
        assert b"PhoneMaker" not in data
        with Image.open(path) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info


def test_jpeg_orientation_is_applied_before_exif_is_dropped(admin_client):
    image = Image.new("RGB", (120, 60), (0, 90, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    response = add_company(admin_client, "photo.jpg", buffer.getvalue(), "image/jpeg")
    assert response.status_code == 302
    with Image.open(Company.objects.get().logo) as stored:
        assert stored.size == (60, 120)


def test_uploaded_logo_is_served_with_nosniff(admin_client, client):
    response = add_company(admin_client, "logo.png", make_png())
    assert response.status_code == 302
    logo = Company.objects.get().logo
    served = client.get(logo.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == logo.read()


def test_media_cannot_be_read_outside_media_root(client, settings):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    for path in ["/media/../manage.py", "/media/%2e%2e/manage.py", "/media//etc/passwd"]:
        assert client.get(path).status_code in (400, 404), path
