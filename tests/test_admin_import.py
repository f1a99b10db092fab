"""The admin's content import: upload, a dry run on a worker, confirm, the import on a
worker, each step's report on a status page. Tasks run through the database backend's
own worker loop (tests/worker.py); tests/test_worker_process.py runs a real `db_worker`."""

import base64
import json
import uuid
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import worker
from companies.models import Company
from content import format as content_format
from content import tasks as import_tasks
from content.models import ContentUpload
from jobboard.tasks import TaskResultStatus
from postings.models import Posting
from skills.models import Skill
from tests import factories
from tests.content_files import SAMPLE_LOGOS, sample, write_zip
from tests.worker import queued, run_tasks

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:postings_posting_import")
CHANGELIST_URL = reverse("admin:postings_posting_changelist")
REFRESH = '<meta http-equiv="refresh" content="2">'


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


def upload(client, file) -> str:
    """Upload `file`; return the URL of its status page."""
    response = client.post(IMPORT_URL, {"file": file})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return response["Location"]


def checked(client, file) -> tuple[str, str]:
    """Upload `file` and let a worker run its dry run: (status URL, page)."""
    url = upload(client, file)
    run_tasks()
    return url, client.get(url).content.decode()


def confirm(client, url: str) -> str:
    response = client.post(url, {"action": "import"})
    assert response.status_code == 302 and response["Location"] == url
    return client.get(url).content.decode()


def imported(client, file) -> str:
    url, _ = checked(client, file)
    confirm(client, url)
    run_tasks()
    return client.get(url).content.decode()


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_permission_get_403_and_no_link(client, importer):
    url = upload(client, json_upload())
    user = staff("viewer", "view_posting", "change_posting", "add_posting")
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": json_upload()}).status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "import"}).status_code == 403
    assert ContentUpload.objects.count() == 1
    assert IMPORT_URL not in client.get(CHANGELIST_URL).content.decode()


def test_content_editors_may_import(client):
    user = staff("editor")
    user.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 200
    assert IMPORT_URL in client.get(CHANGELIST_URL).content.decode()


def test_the_upload_page_uses_the_admin_layout(client, importer):
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert "admin/base_site.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    assert f'href="{CHANGELIST_URL}"' in page


def test_a_content_editor_imports_a_file_through_the_workers(client):
    user = staff("editor")
    user.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(user)

    # The upload is stored in the database and its dry run queued: the request is done.
    url = upload(client, json_upload())
    (stored,) = ContentUpload.objects.all()
    assert (stored.name, stored.uploaded_by, bytes(stored.data)) == (
        "content.json",
        user,
        json_upload().read(),
    )
    assert [task.task_path for task in queued()] == ["content.tasks.check_upload"]
    page = client.get(url).content.decode()
    assert "Waiting for a background worker" in page and REFRESH in page
    assert 'value="Import"' not in page

    # A worker runs the dry run: its report, and nothing written.
    assert run_tasks() == 1
    page = client.get(url).content.decode()
    assert "The file is valid. Nothing has been written yet" in page
    assert REFRESH not in page and 'value="Import"' in page
    assert not Posting.objects.exists() and not Skill.objects.exists()

    # Staff confirm; a worker imports; the same page reports it.
    page = confirm(client, url)
    assert "Waiting for a background worker" in page and REFRESH in page
    assert not Posting.objects.exists()
    run_tasks()  # the import, then the logos it enqueued
    page = client.get(url).content.decode()
    assert "Imported content.json in" in page and "skills 2 created" in page
    assert REFRESH not in page and 'value="Import"' not in page
    assert Posting.objects.count() == 2 and Skill.objects.count() == 2
    assert bytes(ContentUpload.objects.get().data) == b""  # the file is not kept


def test_while_a_worker_runs_a_step_the_page_says_so_and_refreshes(client, importer):
    url = upload(client, json_upload())
    DBTaskResult.objects.get().claim("busy-worker")
    page = client.get(url).content.decode()
    assert "A background worker is running the dry run" in page and REFRESH in page


def test_an_invalid_file_shows_every_error_and_writes_nothing(client, importer):
    data = _without_logo()
    data["postings"][0]["salary_min"] = 999999
    data["postings"][1]["company"] = "!!!"
    url, page = checked(client, json_upload(data))
    assert "Nothing can be imported from content.json" in page
    # Each record named as staff know it, by its slug: not by its place in the file.
    assert (
        "Posting &quot;senior-backend-engineer-acme&quot;, salary_max: Must be greater than "
        "or equal to the minimum salary." in page
    )
    assert (
        "Posting &quot;python-intern-globex&quot;, company: No slug can be made from the "
        "name &#x27;!!!&#x27;" in page
    )
    assert "postings[" not in page
    assert 'value="Import"' not in page and REFRESH not in page
    client.post(url, {"action": "import"})  # forced: there is nothing to import
    assert len(queued()) == 0 and not Skill.objects.exists()


def test_other_file_types_are_refused(client, importer):
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("x.csv", b"a,b")})
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["Upload a .json file or a .zip archive."]}
    assert not ContentUpload.objects.exists() and not queued()


def test_only_the_upload_limit_remains(client, importer, settings):
    # Larger than the 10 MB a request used to be able to check: a worker checks it now.
    content = json.dumps(_without_logo()).encode()
    big = SimpleUploadedFile("big.json", content + b" " * (11 * 1024 * 1024))
    _, page = checked(client, big)
    assert "The file is valid" in page

    settings.IMPORT_MAX_UPLOAD_BYTES = len(content)
    assert client.post(IMPORT_URL, {"file": json_upload()}).status_code == 302  # the limit
    assert ContentUpload.objects.count() == 2
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("x.json", content + b" ")})
    assert response.status_code == 200
    assert "The file is larger than" in response.context["form"].errors["file"][0]
    assert ContentUpload.objects.count() == 2


def test_another_users_upload_is_not_found(client, importer):
    url, _ = checked(client, json_upload())
    other = Client()
    other.force_login(staff("other", "import_content"))
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "import"}).status_code == 404
    assert not queued() and not Posting.objects.exists()
    unknown = reverse("admin:postings_posting_import_status", args=[uuid.UUID(int=0)])
    assert client.get(unknown).status_code == 404


def test_posts_need_the_csrf_token(importer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(importer)
    assert client.post(IMPORT_URL, {"file": json_upload()}).status_code == 403
    assert not ContentUpload.objects.exists()


def test_import_pressed_twice_imports_once(client, importer):
    url, _ = checked(client, json_upload())
    confirm(client, url)
    confirm(client, url)
    assert [task.task_path for task in queued()] == ["content.tasks.import_upload"]


def test_uploads_nobody_imported_are_deleted_after_a_day(client, importer):
    upload(client, json_upload())
    stale = ContentUpload.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        upload(client, json_upload())
    assert stale.pk not in set(ContentUpload.objects.values_list("pk", flat=True))
    assert ContentUpload.objects.count() == 1


# Hostile files: a report with the reason, never a 500 ---------------------------------


def test_json_nested_a_million_deep_is_refused_with_a_message(client, importer):
    deep = SimpleUploadedFile("deep.json", b"[" * 1_000_000 + b"]" * 1_000_000)
    _, page = checked(client, deep)
    assert "deep.json: Nested more than 16 levels deep" in page


@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("my-export.json", b'{"format": '), "my-export.json: Malformed JSON"),
        (SimpleUploadedFile("my-export.zip", b"PK\x03\x04 not a zip"), "my-export.zip: Not a"),
    ],
    ids=["json", "zip"],
)
def test_errors_name_the_uploaded_file_not_the_workers_path(client, importer, file, message):
    _, page = checked(client, file)
    assert message in page
    assert "jobboard-import-" not in page and "/tmp" not in page


def test_a_zip_without_content_json_names_the_upload(client, importer, tmp_path):
    path = tmp_path / "logos-only.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("logos/acme.png", b"x")
    _, page = checked(client, SimpleUploadedFile("logos-only.zip", path.read_bytes()))
    assert "logos-only.zip: No content.json at the top of the archive" in page


# Failures: a task that fails or whose worker dies shows so, and runs again -----------


def _raise_unexpectedly(**kwargs):
    raise RuntimeError("a bug, or the database went away")


def test_a_dry_run_that_fails_shows_its_error_and_runs_again(client, importer, monkeypatch):
    url = upload(client, json_upload())
    monkeypatch.setattr(import_tasks, "import_content", _raise_unexpectedly)
    run_tasks()
    page = client.get(url).content.decode()
    assert "The dry run failed." in page
    assert "RuntimeError: a bug, or the database went away" in page
    assert 'value="Run the dry run again"' in page and REFRESH not in page

    monkeypatch.undo()
    response = client.post(url, {"action": "retry"})
    assert response.status_code == 302
    assert "Waiting for a background worker" in client.get(url).content.decode()
    run_tasks()
    assert "The file is valid" in client.get(url).content.decode()


def test_an_import_whose_worker_died_shows_as_failed_and_runs_again(client, importer):
    url, _ = checked(client, json_upload())
    confirm(client, url)
    (task,) = queued()
    # The worker takes the import and is killed: its transaction rolls back, the row
    # stays RUNNING.
    DBTaskResult.objects.get(pk=task.pk).claim("killed-worker")
    assert "A background worker is running the import" in client.get(url).content.decode()

    later = timezone.now() + timedelta(seconds=settings.TASK_STUCK_SECONDS + 1)
    with time_machine.travel(later, tick=True):
        page = client.get(url).content.decode()
    assert "The worker running the import stopped before it finished" in page
    assert "Nothing was written: the import is all or nothing." in page
    assert DBTaskResult.objects.get(pk=task.pk).exception_class_path == worker.WORKER_LOST
    assert not Posting.objects.exists()

    client.post(url, {"action": "retry"})
    run_tasks()
    page = client.get(url).content.decode()
    assert "Imported content.json" in page
    assert Posting.objects.count() == 2
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL


def test_an_import_refused_by_a_site_changed_since_the_dry_run_writes_nothing(client, importer):
    # A skill the file's postings name is on the site at the dry run, gone at the import.
    factories.SkillFactory(slug="python", name="Python")
    data = _without_logo()
    data["skills"] = [s for s in data["skills"] if s["slug"] != "python"]
    url, page = checked(client, json_upload(data))
    assert "The file is valid" in page
    Skill.objects.filter(slug="python").delete()
    confirm(client, url)
    run_tasks()
    page = client.get(url).content.decode()
    assert "Nothing can be imported from content.json" in page
    assert "Unknown skill &quot;python&quot;" in page
    assert not Posting.objects.exists()


# Logos ---------------------------------------------------------------------------------


def test_a_zip_with_logos_imports_and_a_worker_renders_them(client, importer, tmp_path):
    path = write_zip(tmp_path / "export.zip")
    page = imported(client, SimpleUploadedFile("export.zip", path.read_bytes()))
    assert "companies 2 created" in page
    acme = Company.objects.get(slug="acme")
    assert acme.logo and acme.logo_variants == acme.logo.name.removesuffix(".png")


def test_a_json_file_with_its_logos_inline_imports(client, importer):
    """What `export_content export.json` writes: one file, each logo a base64 data: URI."""
    data = sample()
    logo = base64.b64encode(SAMPLE_LOGOS["logos/acme.png"]).decode()
    data["companies"][0]["logo"] = f"data:image/png;base64,{logo}"
    imported(client, json_upload(data, name="backup.json"))
    assert Company.objects.get(slug="acme").logo


def test_the_dry_run_report_lists_what_records_leave_unsaid_and_what_is_invisible(client, importer):
    data = {
        "format": "jobboard-content",
        "version": 1,
        "postings": [{"company": "C&A", "title": "Data Engineer (f/m/d)", "summary": "Pipelines."}],
    }
    _, page = checked(client, json_upload(data))
    assert "<h3>Before you import</h3>" in page
    assert (
        "Posting &quot;Data Engineer (f/m/d)&quot;: a draft; job seekers will not see it." in page
    )
    assert "Company &quot;C&amp;A&quot; (slug &quot;ca&quot;) will be created" in page
    assert not Posting.objects.exists() and not Company.objects.exists()


# The page explains the format, with a sample that imports ----------------------------

SAMPLE_URL = reverse("admin:postings_posting_import_sample")


def test_the_admin_index_links_to_the_import_for_those_who_may_import(client, importer):
    assert f'href="{IMPORT_URL}"' in client.get(reverse("admin:index")).content.decode()
    client.force_login(staff("viewer", "view_posting", "change_posting"))
    assert IMPORT_URL not in client.get(reverse("admin:index")).content.decode()


def test_the_upload_page_explains_the_format_and_offers_the_sample(client, importer):
    page = client.get(IMPORT_URL).content.decode()
    assert '<h2 id="content-format-title">The format</h2>' in page
    assert f'href="{SAMPLE_URL}" download' in page
    # Every section and every field of the format, from its definition (content/format.py).
    for section in content_format.SECTIONS:
        assert f"<code>{section.name}</code>" in page
        for name in section.fields:
            assert f"<code>{name}</code>" in page
    assert "2026-01-31T09:00:00Z" in page


def test_the_sample_downloads_and_imports_cleanly_through_the_page(client, importer):
    response = client.get(SAMPLE_URL)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="content-sample.json"'
    sample_bytes = b"".join(response.streaming_content)
    assert json.loads(sample_bytes)["format"] == content_format.FORMAT

    url, page = checked(client, SimpleUploadedFile("content-sample.json", sample_bytes))
    assert "The file is valid" in page and "errornote" not in page
    page = confirm(client, url)
    run_tasks()
    page = client.get(url).content.decode()
    assert "Imported content-sample.json" in page
    sections = {s.name: s for s in content_format.SECTIONS}
    for name, records in json.loads(sample_bytes).items():
        if name in sections:
            assert sections[name].model.objects.count() == len(records), name
    # Drafts and an unpublished guide: importing the sample shows visitors nothing.
    assert not Posting.objects.live().exists()
    assert Company.objects.get(slug="example-company").logo


def test_the_sample_needs_the_import_permission(client, importer):
    client.force_login(staff("viewer", "view_posting"))
    assert client.get(SAMPLE_URL).status_code == 403


def test_a_json_upload_naming_a_logo_file_says_to_inline_it_or_zip_it(client, importer):
    data = sample()  # its first company's logo is "logos/acme.png", a file beside it
    _, page = checked(client, json_upload(data, name="export.json"))
    assert (
        "Company &quot;acme&quot;, logo: &quot;logos/acme.png&quot; names a file, and a .json "
        "upload has none beside it" in page
    )
    assert "jobboard-import-" not in page and "/tmp" not in page


def test_a_failed_steps_error_shows_no_path_of_the_server(client, importer, monkeypatch):
    def fails_on_a_file(**kwargs):
        raise FileNotFoundError(2, "No such file or directory", f"{kwargs['path']}")

    url = upload(client, json_upload())
    monkeypatch.setattr(import_tasks, "import_content", fails_on_a_file)
    run_tasks()
    page = client.get(url).content.decode()
    assert "The dry run failed." in page
    assert "No such file or directory: &#x27;(a file on the server)&#x27;" in page
    assert "jobboard-import-" not in page and "/tmp" not in page


def test_a_problem_many_records_share_is_reported_once(client, importer):
    data = _without_logo()
    for posting in data["postings"]:
        posting["skills"] = ["cobol"]
    data["postings"].append({**data["postings"][0]})  # the same slug twice
    _, page = checked(client, json_upload(data))
    errors = page.split('<ul class="errorlist content-import-errors">')[1].split("</ul>")[0]
    assert errors.count("<li>") == 2, errors
    assert (
        "Postings &quot;senior-backend-engineer-acme&quot;, &quot;python-intern-globex&quot;, "
        "skills: Unknown skill &quot;cobol&quot;: neither in this file nor on the site." in errors
    )
    assert (
        "Posting &quot;senior-backend-engineer-acme&quot;, slug: 2 records have this slug "
        f"(numbers 1 and {len(data['postings'])} in postings)." in errors
    )
