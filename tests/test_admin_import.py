import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from companies.models import Company
from content import views as import_views
from content.views import (
    IMPORT_MAX_CHECKED_BYTES,
    IMPORT_MAX_LOGOS,
    IMPORT_MAX_POSTINGS,
    IMPORT_SIGNING_SALT,
)
from postings.models import Posting
from skills.models import Skill
from tests import factories
from tests.content_files import sample, write_zip

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:postings_posting_import")
CHANGELIST_URL = reverse("admin:postings_posting_changelist")


@pytest.fixture(autouse=True)
def uploads_folder(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()  # where Django spools large uploads too
    return tmp_path / "uploads" / "jobboard-imports"


def staff(username: str, *permissions: str) -> User:
    user = User.objects.create_user(username, password="a-long-passphrase-1", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def importer(client):
    user = staff("importer", "import_content", "view_posting")
    client.force_login(user)
    return user


def json_upload(data=None, name="content.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(data or _without_logo()).encode())


def _without_logo() -> dict:
    data = sample()
    data["companies"][0]["logo"] = None
    return data


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_permission_get_403_and_no_link(client):
    user = staff("viewer", "view_posting", "change_posting", "add_posting")
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": json_upload()}).status_code == 403
    assert not Posting.objects.exists()
    assert IMPORT_URL not in client.get(CHANGELIST_URL).content.decode()


def test_content_editors_may_import(client):
    user = staff("editor")
    user.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 200
    assert IMPORT_URL in client.get(CHANGELIST_URL).content.decode()


def test_a_content_editor_imports_a_file_through_the_admin(client):
    # The group holds `postings.import_content` (postings migration 0004): the import
    # page lives in the content app, the permission stays on Posting.
    user = staff("editor")
    user.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(user)

    response = client.post(IMPORT_URL, {"file": json_upload()})
    token = response.context["confirm_form"].initial["token"]
    response = client.post(IMPORT_URL, {"token": token}, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST_URL
    assert Posting.objects.count() == 2 and Skill.objects.count() == 2
    assert "Imported content.json" in response.content.decode()


def test_the_upload_page_uses_the_admin_layout(client, importer):
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert "admin/base_site.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    assert f'href="{CHANGELIST_URL}"' in page


def test_upload_shows_the_dry_run_report_and_writes_nothing(client, importer, uploads_folder):
    response = client.post(IMPORT_URL, {"file": json_upload()})

    assert response.status_code == 200
    report = response.context["report"]
    assert report.dry_run
    assert (report.sections["postings"].created, report.sections["skills"].created) == (2, 2)
    page = response.content.decode()
    assert "Dry run of content.json" in page and 'value="Import"' in page
    assert not Posting.objects.exists() and not Skill.objects.exists()
    assert len(list(uploads_folder.iterdir())) == 1  # kept for the confirm step


def test_confirm_writes_the_data_and_removes_the_upload(client, importer, uploads_folder):
    response = client.post(IMPORT_URL, {"file": json_upload()})
    token = response.context["confirm_form"].initial["token"]

    response = client.post(IMPORT_URL, {"token": token}, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST_URL
    assert Posting.objects.count() == 2 and Skill.objects.count() == 2
    assert "Imported content.json: skills 2 created" in response.content.decode()
    assert list(uploads_folder.iterdir()) == []
    # The token was for one use: the upload is gone.
    response = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert "This upload has expired or is unknown" in response.content.decode()


def test_a_zip_with_logos_imports(client, importer, tmp_path):
    path = write_zip(tmp_path / "export.zip")
    upload = SimpleUploadedFile("export.zip", path.read_bytes())
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.context["report"].sections["companies"].created == 2
    client.post(IMPORT_URL, {"token": response.context["confirm_form"].initial["token"]})
    assert Company.objects.get(slug="acme").logo


def test_an_invalid_file_shows_every_error_and_writes_nothing(client, importer, uploads_folder):
    data = _without_logo()
    data["postings"][0]["salary_min"] = 999999
    data["postings"][1]["company"] = "!!!"
    response = client.post(IMPORT_URL, {"file": json_upload(data)})
    assert response.status_code == 200
    assert response.context["errors"] == [
        "postings[0].salary_max: Must be greater than or equal to the minimum salary.",
        "postings[1].company: No slug can be made from the name '!!!': add the company to "
        '"companies" with a slug and name it by that slug.',
    ]
    page = response.content.decode()
    assert "Nothing can be imported from content.json" in page
    assert "postings[0].salary_max" in page
    assert "confirm_form" not in response.context
    assert not Skill.objects.exists()
    assert list(uploads_folder.iterdir()) == []


def test_other_file_types_are_refused(client, importer):
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("x.csv", b"a,b")})
    assert response.context["upload_form"].errors == {
        "file": ["Upload a .json file or a .zip archive."]
    }


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps({"id": "../../etc", "suffix": ".json", "name": "x", "user": 1}, salt="x"),
    ],
)
def test_a_forged_token_is_refused(client, importer, token):
    response = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert "This upload has expired or is unknown" in response.content.decode()
    assert not Posting.objects.exists()


def test_a_signed_token_cannot_point_at_another_path(client, importer, tmp_path):
    """Even correctly signed, only a random upload id inside the uploads folder is used."""
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps(_without_logo()))
    token = signing.dumps(
        {"id": str(outside), "suffix": ".json", "name": "x", "user": importer.pk},
        salt=IMPORT_SIGNING_SALT,
    )
    response = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert "This upload has expired or is unknown" in response.content.decode()
    assert not Posting.objects.exists()


def test_another_users_token_is_refused(client, importer):
    response = client.post(IMPORT_URL, {"file": json_upload()})
    token = response.context["confirm_form"].initial["token"]
    other = Client()
    other.force_login(staff("other", "import_content"))
    response = other.post(IMPORT_URL, {"token": token}, follow=True)
    assert "This upload has expired or is unknown" in response.content.decode()
    assert not Posting.objects.exists()


def test_posts_need_the_csrf_token(importer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(importer)
    assert client.post(IMPORT_URL, {"file": json_upload()}).status_code == 403
    assert not Posting.objects.exists()


def test_uploads_nobody_confirmed_are_swept_after_an_hour(client, importer, uploads_folder):
    import os
    import time

    client.post(IMPORT_URL, {"file": json_upload()})
    (stale,) = uploads_folder.iterdir()
    an_hour_ago = time.time() - 3601
    os.utime(stale, (an_hour_ago, an_hour_ago))
    client.post(IMPORT_URL, {"file": json_upload()})
    remaining = list(uploads_folder.iterdir())
    assert len(remaining) == 1 and stale not in remaining


# Hostile and oversized files: a page with the reason, never a 500, nothing left behind --


def test_json_nested_a_million_deep_is_refused_with_a_message(client, importer, uploads_folder):
    upload = SimpleUploadedFile("deep.json", b"[" * 1_000_000 + b"]" * 1_000_000)
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == 200
    (error,) = response.context["errors"]
    assert error.startswith("deep.json: Nested more than 16 levels deep")
    assert list(uploads_folder.iterdir()) == []


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("my-export.json", b'{"format": '), "my-export.json: Malformed JSON"),
        (SimpleUploadedFile("my-export.zip", b"PK\x03\x04 not a zip"), "my-export.zip: Not a"),
    ],
    ids=["json", "zip"],
)
def test_errors_name_the_uploaded_file_not_the_servers_path(
    client, importer, uploads_folder, upload, message
):
    response = client.post(IMPORT_URL, {"file": upload})
    (error,) = response.context["errors"]
    assert error.startswith(message)
    page = response.content.decode()
    assert "jobboard-imports" not in page and str(uploads_folder.parent) not in page


def test_a_zip_without_content_json_names_the_upload(client, importer, tmp_path):
    import zipfile

    path = tmp_path / "logos-only.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("logos/acme.png", b"x")
    upload = SimpleUploadedFile("logos-only.zip", path.read_bytes())
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.context["errors"] == [
        "logos-only.zip: No content.json at the top of the archive (or in its single folder)."
    ]


def _raise_unexpectedly(**kwargs):
    raise RuntimeError("a bug, or the database went away")


def test_an_unexpected_error_in_the_dry_run_leaves_no_upload_behind(
    client, importer, uploads_folder, monkeypatch
):
    monkeypatch.setattr(import_views, "import_content", _raise_unexpectedly)
    client.raise_request_exception = False
    response = client.post(IMPORT_URL, {"file": json_upload()})
    assert response.status_code == 500
    assert list(uploads_folder.iterdir()) == []


def test_an_unexpected_error_in_the_confirm_leaves_no_upload_behind(
    client, importer, uploads_folder, monkeypatch
):
    response = client.post(IMPORT_URL, {"file": json_upload()})
    token = response.context["confirm_form"].initial["token"]
    monkeypatch.setattr(import_views, "import_content", _raise_unexpectedly)
    client.raise_request_exception = False
    response = client.post(IMPORT_URL, {"token": token})
    assert response.status_code == 500
    assert list(uploads_folder.iterdir()) == []
    assert not Posting.objects.exists()


def padded_upload(size: int) -> SimpleUploadedFile:
    """The small valid file, padded with white space to `size` bytes."""
    content = json.dumps(_without_logo()).encode()
    return SimpleUploadedFile("big.json", content + b" " * (size - len(content)))


def test_an_upload_over_what_a_request_can_check_is_refused_before_the_dry_run(
    client, importer, uploads_folder
):
    response = client.post(IMPORT_URL, {"file": padded_upload(IMPORT_MAX_CHECKED_BYTES + 1)})
    assert response.status_code == 200
    (error,) = response.context["upload_form"].errors["file"]
    assert "manage.py import_content" in error
    assert "report" not in response.context
    assert not uploads_folder.exists() or list(uploads_folder.iterdir()) == []

    response = client.post(IMPORT_URL, {"file": padded_upload(IMPORT_MAX_CHECKED_BYTES)})
    assert response.context["report"].sections["postings"].created == 2


def many_postings(count: int) -> dict:
    """`count` new postings of a company already on the site: no logo to render."""
    factories.CompanyFactory(slug="globex")
    data = _without_logo()
    data["companies"] = []
    template = data["postings"][1]
    data["postings"] = [{**template, "slug": f"intern-{i}"} for i in range(count)]
    return data


def test_a_file_that_writes_too_many_postings_for_a_request_gets_no_confirm(
    client, importer, uploads_folder
):
    response = client.post(IMPORT_URL, {"file": json_upload(many_postings(IMPORT_MAX_POSTINGS))})
    assert "confirm_form" in response.context, response.context.get("errors")
    discard = list(uploads_folder.iterdir())

    response = client.post(
        IMPORT_URL, {"file": json_upload(many_postings(IMPORT_MAX_POSTINGS + 1))}
    )
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    (error,) = response.context["errors"]
    assert f"writes {IMPORT_MAX_POSTINGS + 1} postings" in error
    assert "manage.py import_content" in error
    assert "content.json is valid, but too large to import from this page" in (
        response.content.decode()
    )
    assert list(uploads_folder.iterdir()) == discard  # only the first, confirmable one
    assert not Posting.objects.exists()


def test_a_file_that_renders_too_many_logos_for_a_request_gets_no_confirm(
    client, importer, uploads_folder
):
    data = _without_logo()
    data["postings"] = []
    data["companies"] = [
        {"slug": f"company-{i}", "name": f"Company {i}"} for i in range(IMPORT_MAX_LOGOS + 1)
    ]
    response = client.post(IMPORT_URL, {"file": json_upload(data)})
    assert "confirm_form" not in response.context
    (error,) = response.context["errors"]
    assert f"renders {IMPORT_MAX_LOGOS + 1} logos" in error
    assert list(uploads_folder.iterdir()) == []


def test_postings_and_logos_share_what_a_request_can_do(client, importer, uploads_folder):
    data = many_postings(IMPORT_MAX_POSTINGS // 2 + 1)
    data["companies"] = [
        {"slug": f"company-{i}", "name": f"Company {i}"} for i in range(IMPORT_MAX_LOGOS // 2)
    ]
    response = client.post(IMPORT_URL, {"file": json_upload(data)})
    assert "confirm_form" not in response.context
    assert "manage.py import_content" in response.context["errors"][0]


def test_a_json_file_with_its_logos_inline_imports(client, importer):
    """What `export_content export.json` writes: one file, each logo a base64 data: URI."""
    import base64

    from tests.content_files import SAMPLE_LOGOS

    data = sample()
    logo = base64.b64encode(SAMPLE_LOGOS["logos/acme.png"]).decode()
    data["companies"][0]["logo"] = f"data:image/png;base64,{logo}"
    response = client.post(IMPORT_URL, {"file": json_upload(data, name="backup.json")})
    client.post(IMPORT_URL, {"token": response.context["confirm_form"].initial["token"]})
    assert Company.objects.get(slug="acme").logo


def test_the_dry_run_page_lists_what_records_leave_unsaid_and_what_is_invisible(client, importer):
    data = {
        "format": "jobboard-content",
        "version": 1,
        "postings": [{"company": "C&A", "title": "Data Engineer (f/m/d)", "summary": "Pipelines."}],
    }
    response = client.post(IMPORT_URL, {"file": json_upload(data)})
    page = response.content.decode()
    assert "<h3>Before you import</h3>" in page
    assert "postings[0] (ca-data-engineer-fmd): a draft; job seekers will not see it." in page
    assert "Company &quot;C&amp;A&quot; (slug &quot;ca&quot;) will be created" in page
    assert not Posting.objects.exists()
