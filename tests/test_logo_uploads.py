"""Company logos uploaded through the admin: only real images get in, re-encoded."""

import io
import random
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from companies.logos import normalise_logo
from companies.models import Company
from tests.conftest import make_png
from tests.worker import run_tasks

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


# Malformed metadata ---------------------------------------------------------------------
# Logos whose pixels are fine and whose EXIF, XMP, text chunks or colour profile are not,
# built here byte by byte. Each is 40×20; an orientation that can be read turns it 20×40.
SHORT, ASCII, LONG, RATIONAL = 3, 2, 4, 5
TALL, WIDE = (20, 40), (40, 20)


def tiff_ifd(entries, *, next_ifd: int = 0) -> bytes:
    """A little-endian TIFF header and one IFD of (tag, type, count, value bytes), as
    EXIF is stored: values longer than 4 bytes after the table, at an offset."""
    data_offset = 8 + 2 + 12 * len(entries) + 4
    table, values = b"", b""
    for tag, kind, count, value in entries:
        if len(value) <= 4:
            field = value.ljust(4, b"\0")
        else:
            field = struct.pack("<I", data_offset + len(values))
            values += value
        table += struct.pack("<HHI", tag, kind, count) + field
    head = b"II*\x00" + struct.pack("<IH", 8, len(entries))
    return head + table + struct.pack("<I", next_ifd) + values


def orientation(value: int) -> tuple:
    return (0x0112, SHORT, 1, struct.pack("<H", value))


# Tags of the wrong type: Pillow reads them, then cannot write them back (struct.error for
# 0xC635 MakerNoteSafety, TypeError for 0xC65C BestQualityScale), which is what
# ImageOps.exif_transpose does after turning an image.
WRONG_TYPE_TAGS = [(0xC635, ASCII, 3, b"ab\0"), (0xC65C, ASCII, 3, b"ab\0")]


def jpeg_logo(exif: bytes | None = None, **options) -> bytes:
    if exif is not None:
        options["exif"] = b"Exif\x00\x00" + exif
    buffer = io.BytesIO()
    Image.new("RGB", WIDE, (0, 90, 200)).save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def webp_logo(**options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", WIDE, (0, 90, 200)).save(buffer, format="WEBP", **options)
    return buffer.getvalue()


def png_logo(*chunks: tuple[bytes, bytes], text=()) -> bytes:
    """A PNG with raw `chunks` (eXIf, iCCP…, written as given) before its pixels."""
    info = PngImagePlugin.PngInfo()
    for kind, data in text:
        info.add(kind, data)
    buffer = io.BytesIO()
    Image.new("RGB", WIDE, (0, 90, 200)).save(buffer, format="PNG", pnginfo=info)
    png = buffer.getvalue()
    after_header = 8 + 8 + 13 + 4  # signature, IHDR
    extra = b"".join(png_chunk(kind, data) for kind, data in chunks)
    return png[:after_header] + extra + png[after_header:]


def xmp_orientation(value) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="{value}"/>'
        "</rdf:RDF></x:xmpmeta>"
    ).encode()


def raw_profile_exif(exif: bytes) -> bytes:
    """ImageMagick's way of keeping EXIF in a PNG: hex in a text chunk."""
    return b"Raw profile type exif\0\nexif\n%8d\n%s\n" % (len(exif), exif.hex().encode())


def huge_exif(size: int) -> bytes:
    """An orientation and about `size` bytes of text in 50 tags."""
    text = b"y" * (size // 50)
    return tiff_ifd([orientation(6), *((0x9000 + n, ASCII, len(text), text) for n in range(50))])


BAD_ORIENT = orientation(6)
# (file, the size stored): accepted, turned when the orientation can be read.
MALFORMED_METADATA = [
    *(
        pytest.param(jpeg_logo(tiff_ifd([BAD_ORIENT, tag])), TALL, id=f"jpeg-exif-{tag[0]:X}")
        for tag in WRONG_TYPE_TAGS
    ),
    pytest.param(
        jpeg_logo(tiff_ifd([BAD_ORIENT, (0xC635, ASCII, 0xFFFFFFFF, b"ab\0")])),
        TALL,
        id="jpeg-exif-bad-count",
    ),
    *(
        pytest.param(
            jpeg_logo(tiff_ifd([orientation(value)])), WIDE, id=f"jpeg-orientation-{value}"
        )
        for value in (0, 9, 65535)
    ),
    pytest.param(
        jpeg_logo(tiff_ifd([(0x0112, ASCII, 2, b"6\0")])), WIDE, id="jpeg-orientation-as-text"
    ),
    pytest.param(
        jpeg_logo(tiff_ifd([(0x0112, RATIONAL, 1, struct.pack("<II", 6, 0))])),
        WIDE,
        id="jpeg-orientation-as-fraction",
    ),
    pytest.param(jpeg_logo(b"not a TIFF header at all"), WIDE, id="jpeg-exif-not-tiff"),
    pytest.param(
        jpeg_logo(tiff_ifd([BAD_ORIENT, (0x010F, ASCII, 200, b"x" * 200)])[:40]),
        TALL,
        id="jpeg-exif-truncated",
    ),
    pytest.param(
        jpeg_logo(b"II*\x00\x08\x00\x00\x00\xff\xff" + b"\0" * 20), WIDE, id="jpeg-exif-65535-tags"
    ),
    pytest.param(jpeg_logo(b"II*\x00\xff\xff\xff\x7f"), WIDE, id="jpeg-exif-ifd-past-the-end"),
    pytest.param(
        jpeg_logo(tiff_ifd([BAD_ORIENT, (0x8769, LONG, 1, struct.pack("<I", 8))], next_ifd=8)),
        TALL,
        id="jpeg-exif-ifd-loop",
    ),
    pytest.param(
        jpeg_logo(tiff_ifd([BAD_ORIENT, (0x8825, LONG, 1, struct.pack("<I", 0xFFFFFF))])),
        TALL,
        id="jpeg-exif-gps-past-the-end",
    ),
    pytest.param(jpeg_logo(huge_exif(60_000)), TALL, id="jpeg-exif-64-KB"),
    pytest.param(jpeg_logo(icc_profile=b"not an ICC profile" * 50), WIDE, id="jpeg-icc-garbage"),
    pytest.param(jpeg_logo(xmp=xmp_orientation(6)), TALL, id="jpeg-xmp-orientation"),
    pytest.param(jpeg_logo(xmp=xmp_orientation(9)), WIDE, id="jpeg-xmp-orientation-9"),
    pytest.param(
        jpeg_logo(xmp=b'<x:xmpmeta tiff:Orientation="\xff\xfe' + b"\0" * 100),
        WIDE,
        id="jpeg-xmp-garbage",
    ),
    pytest.param(
        png_logo(text=[(b"tEXt", b"Raw profile type exif\0\nexif\n 10\nnot-hex\n")]),
        WIDE,
        id="png-raw-profile-not-hex",
    ),
    pytest.param(
        png_logo(
            text=[
                (b"tEXt", raw_profile_exif(b"Exif\0\0" + tiff_ifd([BAD_ORIENT, *WRONG_TYPE_TAGS])))
            ]
        ),
        TALL,
        id="png-raw-profile-wrong-type",
    ),
    pytest.param(png_logo((b"eXIf", b"garbage")), WIDE, id="png-exif-garbage"),
    pytest.param(
        png_logo((b"eXIf", tiff_ifd([BAD_ORIENT, *WRONG_TYPE_TAGS]))),
        TALL,
        id="png-exif-wrong-type",
    ),
    pytest.param(png_logo((b"eXIf", huge_exif(1_500_000))), TALL, id="png-exif-1.5-MB"),
    pytest.param(
        png_logo(text=[(b"tEXt", b"Comment\0\xff\xfe\x00\x01")]), WIDE, id="png-text-bytes"
    ),
    pytest.param(png_logo(text=[(b"zTXt", b"Comment\0\0not zlib")]), WIDE, id="png-ztxt-not-zlib"),
    pytest.param(
        png_logo(text=[(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + xmp_orientation(6))]),
        TALL,
        id="png-xmp-orientation",
    ),
    pytest.param(png_logo((b"iCCP", b"icc\0\0junk")), WIDE, id="png-icc-not-zlib"),
    pytest.param(
        png_logo((b"iCCP", b"icc\0\0" + zlib.compress(b"not an ICC profile"))),
        WIDE,
        id="png-icc-garbage",
    ),
    pytest.param(
        webp_logo(exif=b"Exif\0\0" + tiff_ifd([BAD_ORIENT, *WRONG_TYPE_TAGS])),
        TALL,
        id="webp-exif-wrong-type",
    ),
    pytest.param(webp_logo(exif=b"garbage"), WIDE, id="webp-exif-garbage"),
    pytest.param(webp_logo(xmp=xmp_orientation(8)), TALL, id="webp-xmp-orientation"),
    pytest.param(webp_logo(icc_profile=b"not an ICC profile"), WIDE, id="webp-icc-garbage"),
]
# Metadata Pillow will not read at all: refused with a message, never a server error.
TEXT_BOMB = png_logo(text=[(b"zTXt", b"Comment\0\0" + zlib.compress(b"a" * 20_000_000, 9))])
METADATA_KEYS = {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "Raw profile type exif"}


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b"<script>alert(document.cookie)</script><rect width='64' height='64'/></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def add_company(client, name: str, content: bytes, content_type="image/png"):
    """Add a company with a logo in the admin; then a worker renders its sizes."""
    response = client.post(
        reverse("admin:companies_company_add"),
        {
            "name": "Acme Robotics",
            "slug": "acme-robotics",
            "logo": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )
    run_tasks()
    return response


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
        pytest.param(
            "logo.png",
            TEXT_BOMB,
            "image/png",
            "its metadata is too large",
            id="png-text-chunk-inflating-to-20-MB",
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


def assert_no_metadata(path) -> None:
    data = path.read_bytes()
    for marker in (b"ab\0", b"not an ICC profile", b"xmpmeta", b"Raw profile", b"Exif"):
        assert marker not in data, (path, marker)
    with Image.open(path) as image:
        assert not METADATA_KEYS & set(image.info), (path, image.info.keys())
        assert not image.getexif(), path


@pytest.mark.parametrize(("content", "size"), MALFORMED_METADATA)
def test_a_logo_with_malformed_metadata_is_stored_upright_without_it(
    admin_client, media_root, content, size
):
    response = add_company(admin_client, "logo.jpg", content, "image/jpeg")
    assert response.status_code == 302, response.context["adminform"].form.errors
    with Image.open(Company.objects.get().logo) as stored:
        assert (stored.format, stored.size) == ("PNG", size)
    files = stored_files(media_root)
    assert len(files) == 7  # the logo and its six rendered sizes
    for path in files:
        assert_no_metadata(path)


@pytest.mark.parametrize(("content", "size"), MALFORMED_METADATA)
def test_normalise_logo_accepts_malformed_metadata_for_every_way_in(content, size):
    """What the importer (and any other way in) gets: the same logo as the admin's."""
    stored = normalise_logo(SimpleUploadedFile("logo", content)).read()
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", size)
        assert not METADATA_KEYS & set(image.info)
