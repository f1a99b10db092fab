"""Media on object storage (MEDIA_STORAGE=s3): logos, their sizes and monograms in a bucket,
served from its public URL. Against a real S3 API server on loopback (moto's, in its own
process, tests/s3_server.py), configured by the very settings code production runs."""

import io
import json
import runpy
import secrets
import select
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import boto3
import botocore.httpsession
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from companies.logos import LOGO_FORMATS, LOGO_SIZES, logo_variant_name, normalise_logo
from companies.models import Company
from content.exporter import export_content
from content.importer import import_content
from content.sources import ContentError
from postings.models import Posting
from tests import factories
from tests.conftest import make_png
from tests.content_files import SAMPLE_LOGOS, counts, sample, write_folder
from tests.seo_html import read_head
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db

SERVER = Path(__file__).with_name("s3_server.py")
REGION = "us-east-1"
IMMUTABLE = "public, max-age=31536000, immutable"
# The environment a deployment would set, and what must not leak in from the developer's.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
UNSET = (
    *("MEDIA_STORAGE", "MEDIA_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"),
    *("AWS_S3_REGION_NAME", "AWS_S3_ADDRESSING_STYLE", "AWS_SESSION_TOKEN", "AWS_PROFILE"),
)


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of a moto S3 server in a process of its own, on a free port of 127.0.0.1,
    stopped when the run ends."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        pytest.fail("moto[server] is not installed: `make test` installs requirements-test.txt")
    process = subprocess.Popen(  # noqa: S603 (our own script, with this interpreter)
        [sys.executable, str(SERVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        port = process.stdout.readline().strip() if ready else ""
        if not port.isdigit():
            pytest.fail(f"The S3 server did not start (exit code {process.poll()}).")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stdin.close()  # the server's signal to stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def computed_settings(monkeypatch, **env) -> dict:
    """What jobboard/settings.py computes from this environment."""
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(__file__).parents[1] / "jobboard" / "settings.py"))


@dataclass
class Bucket:
    name: str
    media_url: str
    client: object

    def objects(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return {entry["Key"] for entry in listed.get("Contents", [])}

    def head(self, key: str) -> dict:
        return self.client.head_object(Bucket=self.name, Key=key)

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_media(settings, monkeypatch, s3_endpoint):
    """Media in a new bucket of the S3 server, set up as README.md tells a deployment:
    MEDIA_STORAGE=s3 and the AWS_* variables, read by jobboard/settings.py."""
    name = f"jobboard-{secrets.token_hex(6)}"
    computed = computed_settings(
        monkeypatch,
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=name,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME=REGION,
        NO_PROXY="127.0.0.1",
        **CREDENTIALS,
    )
    # Changing STORAGES resets default_storage (Django's setting_changed signal), which
    # Company.logo uses: the field follows the setting.
    settings.STORAGES = {**settings.STORAGES, "default": computed["STORAGES"]["default"]}
    for setting in ("MEDIA_URL", "SERVE_MEDIA", "CONTENT_SECURITY_POLICY"):
        setattr(settings, setting, computed[setting])
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name)
    # As README.md asks: anyone may read the files (S3 refuses anonymous reads otherwise).
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read))
    return Bucket(name=name, media_url=computed["MEDIA_URL"], client=client)


def rendered_names(stem: str) -> set[str]:
    return {
        logo_variant_name(stem, size, extension)
        for size in LOGO_SIZES
        for extension in LOGO_FORMATS
    }


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


class ImageURLs(HTMLParser):
    """Every URL a browser may fetch for an <img> or a <picture>'s <source>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.urls: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and attrs.get("src"):
            self.urls.add(attrs["src"])
        if tag in ("img", "source") and attrs.get("srcset"):
            self.urls |= {item.split()[0] for item in attrs["srcset"].split(",")}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (d.split() for d in policy.split(";") if d.strip())}


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our server)
        return response.status, response.headers, response.read()


def logo_upload() -> SimpleUploadedFile:
    return normalise_logo(SimpleUploadedFile("logo.png", make_png((120, 60), (200, 20, 20))))


# Configuration ---------------------------------------------------------------------------


def test_without_media_storage_media_stay_on_the_local_file_system(monkeypatch):
    computed = computed_settings(monkeypatch)
    assert computed["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert computed["MEDIA_URL"] == "/media/"
    assert computed["SERVE_MEDIA"] is True
    assert computed["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


@pytest.mark.parametrize(
    ("env", "url"),
    [
        pytest.param(
            {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "jobs-media"},
            "https://jobs-media.s3.amazonaws.com/logos/a%20b.png",
            id="aws",
        ),
        pytest.param(
            {"MEDIA_STORAGE": "s3://jobs-media", "AWS_S3_REGION_NAME": "eu-west-3"},
            "https://jobs-media.s3.eu-west-3.amazonaws.com/logos/a%20b.png",
            id="aws-region-bucket-in-url",
        ),
        pytest.param(
            {
                "MEDIA_STORAGE": "s3://jobs-media/board",
                "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000/",
            },
            "http://127.0.0.1:9000/jobs-media/board/logos/a%20b.png",
            id="minio-prefix",
        ),
        pytest.param(
            {"MEDIA_STORAGE": "s3://jobs-media", "MEDIA_URL": "https://media.example.com"},
            "https://media.example.com/logos/a%20b.png",
            id="cdn",
        ),
    ],
)
def test_s3_urls_are_the_public_base_url_and_the_name_unsigned(monkeypatch, env, url):
    computed = computed_settings(monkeypatch, **env)
    default = computed["STORAGES"]["default"]
    storage = storages.create_storage(default)
    assert storage.url("logos/a b.png") == url
    assert url.startswith(computed["MEDIA_URL"])
    assert computed["SERVE_MEDIA"] is False
    origin = "/".join(url.split("/")[:3])
    assert origin in computed["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert default["OPTIONS"]["object_parameters"] == {"CacheControl": IMMUTABLE}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE is local, s3 or s3://bucket/prefix"),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "s3://b", "MEDIA_URL": "/media/"}, "MEDIA_URL must be"),
    ],
)
def test_an_incomplete_s3_setup_is_refused_at_startup(monkeypatch, env, message):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    with pytest.raises(ImproperlyConfigured, match=message):
        computed_settings(monkeypatch, **env)


# Through the site ------------------------------------------------------------------------


def test_an_admin_upload_puts_the_logo_and_its_sizes_in_the_bucket(
    admin_client, s3_media, media_root
):
    response = admin_client.post(
        reverse("admin:companies_company_add"),
        {
            "name": "Contoso",
            "slug": "contoso",
            "logo": SimpleUploadedFile("logo.png", make_png((80, 40)), "image/png"),
        },
    )
    assert response.status_code == 302
    # The sizes are rendered by a worker, after the save (companies/tasks.py).
    assert run_tasks() == 1
    company = Company.objects.get(slug="contoso")
    assert company.logo_variants == company.logo.name.removesuffix(".png")
    assert s3_media.objects() == {company.logo.name} | rendered_names(company.logo_variants)
    for key in s3_media.objects():
        head = s3_media.head(key)
        assert head["CacheControl"] == IMMUTABLE, key
        assert head["ContentType"] == f"image/{key.rsplit('.', 1)[1]}", key
    assert decoded(s3_media.read(company.logo.name)).size == (80, 40)
    assert decoded(s3_media.read(f"{company.logo_variants}-96.webp")).size == (96, 96)
    assert not media_root.exists()  # nothing on the local disk


def test_pages_show_logos_from_the_bucket_s_public_url_and_it_serves_them(client, s3_media):
    company = factories.CompanyFactory(name="Contoso", slug="contoso", logo=logo_upload())
    posting = factories.LivePostingFactory(company=company)
    largest = f"{s3_media.media_url}{company.logo_variants}-192.png"
    origin = "/".join(s3_media.media_url.split("/")[:3])  # http://127.0.0.1:port
    urls = set()
    for page in [company.get_absolute_url(), posting.get_absolute_url(), "/jobs/"]:
        response = client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        found = ImageURLs(html).urls
        assert any(company.logo_variants in url for url in found), page
        urls |= found
        # The Content-Security-Policy lets the browser load them.
        assert origin in csp_directives(response)["img-src"], page
        # Link previews and structured data: the same absolute URL, not prefixed again.
        if page != "/jobs/":
            assert read_head(html).one("og:image") == largest, page
    [job] = read_head(client.get(posting.get_absolute_url()).content.decode()).of_type("JobPosting")
    assert job["hiringOrganization"]["logo"] == largest

    assert len(urls) >= 4  # WebP and PNG, 1x and 2x
    for url in urls:
        assert url.startswith(s3_media.media_url) and "?" not in url, url
        status, headers, body = fetch(url)
        assert status == 200, url
        assert headers["Cache-Control"] == IMMUTABLE, url
        assert decoded(body).format in ("PNG", "WEBP"), url


def test_serving_a_page_sends_no_request_to_the_storage(client, s3_media, monkeypatch):
    requests = []
    send = botocore.httpsession.URLLib3Session.send

    def counted(self, request):
        requests.append(request.url)
        return send(self, request)

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", counted)
    company = factories.CompanyFactory(name="Contoso", slug="contoso", logo=logo_upload())
    posting = factories.LivePostingFactory(company=company)
    assert len(requests) >= 1 + 6  # the logo and its sizes went up: requests are counted
    requests.clear()
    for page in [company.get_absolute_url(), posting.get_absolute_url(), "/jobs/", "/"]:
        assert client.get(page).status_code == 200
    assert requests == []


def test_a_company_without_a_logo_gets_its_monogram_in_the_bucket(s3_media):
    company = factories.CompanyFactory(name="Northwind Bank")
    assert company.logo_variants.startswith("logos/monograms/")
    assert s3_media.objects() == rendered_names(company.logo_variants)
    for size in LOGO_SIZES:
        image = decoded(s3_media.read(f"{company.logo_variants}-{size}.png"))
        assert image.size == (size, size)
        assert s3_media.head(f"{company.logo_variants}-{size}.webp")["CacheControl"] == IMMUTABLE
    # Rendered again over existing files: the same names (file_overwrite is off, so a
    # taken name would otherwise be saved under another and the URLs would break).
    assert company.render_logo_variants(force=True)
    assert s3_media.objects() == rendered_names(company.logo_variants)


# Importing and exporting -----------------------------------------------------------------


def test_an_import_stores_logos_in_the_bucket_and_an_export_reads_them_back(
    s3_media, tmp_path, media_root
):
    import_content(path=write_folder(tmp_path / "in"))
    assert run_tasks() == 2  # each company's sizes, or its monogram, by a worker
    acme, globex = Company.objects.get(slug="acme"), Company.objects.get(slug="globex")
    assert s3_media.objects() == (
        {acme.logo.name}
        | rendered_names(acme.logo_variants)
        | rendered_names(globex.logo_variants)  # its monogram
    )
    stored = s3_media.read(acme.logo.name)
    expected = decoded(SAMPLE_LOGOS["logos/acme.png"]).convert("RGB").tobytes()
    assert decoded(stored).convert("RGB").tobytes() == expected

    report = export_content(path=tmp_path / "out")
    assert report.logos == 1 and not report.warnings
    assert (tmp_path / "out/logos/acme.png").read_bytes() == stored
    assert not media_root.exists()

    # Imported again, the logo read back from the bucket is the same: nothing is written.
    again = import_content(path=tmp_path / "out")
    assert counts(again)["companies"] == (0, 0, 2)
    assert Company.objects.get(slug="acme").logo.name == acme.logo.name


def test_an_import_the_database_refuses_leaves_no_logo_in_the_bucket(
    s3_media, tmp_path, monkeypatch
):
    monkeypatch.setattr(Posting, "clean", lambda self: None)
    data = sample()
    data["postings"][0].update(salary_min=95000, salary_max=60000)
    with pytest.raises(ContentError, match="The database refused the import"):
        import_content(path=write_folder(tmp_path / "bad", data))
    assert not Company.objects.exists()
    # Monograms are shared by name and stay; the uploaded logo and its sizes are gone.
    assert {key for key in s3_media.objects() if not key.startswith("logos/monograms/")} == set()


def test_the_logo_field_follows_the_storages_setting(settings, monkeypatch, media_root):
    """Company.logo keeps no storage of its own: it uses default_storage, which a change of
    STORAGES resets (as tests change it here, and back)."""
    local = settings.STORAGES
    computed = computed_settings(monkeypatch, MEDIA_STORAGE="s3://jobs-media")
    field = Company._meta.get_field("logo")
    settings.STORAGES = {**local, "default": computed["STORAGES"]["default"]}
    assert field.storage.url("logos/a.png") == "https://jobs-media.s3.amazonaws.com/logos/a.png"
    settings.STORAGES = local
    assert field.storage.url("logos/a.png") == "/media/logos/a.png"
    company = factories.CompanyFactory(logo=logo_upload())
    assert (media_root / company.logo.name).is_file()
