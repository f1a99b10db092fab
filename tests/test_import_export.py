import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from companies.logos import normalise_logo
from companies.models import Company
from content import importer as importer_module
from content import sources as sources_module
from content.exporter import export_content
from content.format import SECTIONS
from content.importer import import_content
from content.sources import ContentError
from postings.models import Posting
from skills.models import Skill, SkillGuide
from tests import factories
from tests.content_files import (
    SAMPLE_LOGOS,
    counts,
    logo_pixels,
    png,
    sample,
    snapshot,
    write_folder,
    write_zip,
)

pytestmark = pytest.mark.django_db


def stored_logo_files(media_root) -> set[str]:
    """Uploaded logos and the files derived from each (monograms, shared, live elsewhere)."""
    folder = media_root / "logos"
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.exists() else set()


@pytest.fixture
def site_content(media_root):
    """A site with a bit of everything, made without the importer."""
    backend = factories.SkillFactory(name="Backend development", slug="backend-development")
    python = factories.SkillFactory(name="Python", slug="python", description="")
    factories.SkillFactory(name="Go", slug="go")
    factories.SkillGuideFactory(skill=backend, meta_description="All about backends.")
    factories.SkillGuideFactory(skill=python, is_published=False)
    acme = factories.CompanyFactory(name="Acme", slug="acme", size_band="25-249")
    upload = normalise_logo(io_file(png(size=(300, 200), color=(10, 200, 90))))
    acme.logo.save("logo.png", upload)
    globex = factories.CompanyFactory(name="Globex", slug="globex", website="")
    factories.LivePostingFactory(
        company=acme,
        skills=[backend, python],
        city="Amsterdam",
        region="NL-NH",
        country="NL",
        remote_from="CH EU",
        remote_utc_offset_min=-60,
        remote_utc_offset_max=180,
        # A deadline in its own zone, and a confirmation after publication.
        apply_by=timezone.now() + timedelta(days=9),
        apply_by_timezone="America/New_York",
        confirmed_at=timezone.now() - timedelta(hours=3),
    )
    factories.PostingFactory(company=acme, skills=[python], salary_min=None, salary_max=None)
    factories.ExpiredPostingFactory(company=globex, skills=[])
    factories.ClosedPostingFactory(
        company=globex,
        skills=[backend],
        apply_url="",
        apply_email="jobs@globex.example",
        salary_min=None,
        salary_max=150,
        salary_currency="USD",
        salary_period=Posting.SalaryPeriod.HOUR,
        remote_policy=Posting.RemotePolicy.REMOTE,
        remote_from="ANYWHERE",
        seniority=Posting.Seniority.STAFF,
        employment_type=Posting.EmploymentType.CONTRACT,
    )


def io_file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("logo.png", data)


def empty_the_site():
    Posting.objects.all().delete()
    Company.objects.all().delete()
    SkillGuide.objects.all().delete()
    Skill.objects.all().delete()


# Round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["export", "export.zip", "export.json"])
def test_export_then_import_into_an_empty_database_gives_the_same_content(
    site_content, tmp_path, target
):
    before = snapshot()
    report = export_content(path=tmp_path / target)
    assert report.counts == {"skills": 3, "guides": 2, "companies": 2, "postings": 4}
    assert report.logos == 1 and not report.warnings

    empty_the_site()
    result = import_content(path=tmp_path / target)

    assert counts(result) == {
        "skills": (3, 0, 0),
        "guides": (2, 0, 0),
        "companies": (2, 0, 0),
        "postings": (4, 0, 0),
    }
    after = snapshot()
    for section in before:
        assert after[section] == before[section], section


def test_a_second_export_is_identical_apart_from_its_date(site_content, tmp_path):
    export_content(path=tmp_path / "one")
    empty_the_site()
    import_content(path=tmp_path / "one")
    export_content(path=tmp_path / "two")
    one, two = (json.loads((tmp_path / n / "content.json").read_text()) for n in ("one", "two"))
    one.pop("exported_at"), two.pop("exported_at")
    assert one == two
    assert (tmp_path / "one/logos/acme.png").read_bytes() == (
        tmp_path / "two/logos/acme.png"
    ).read_bytes()


def test_export_writes_every_field_with_references_by_slug(site_content, tmp_path):
    export_content(path=tmp_path / "export.zip")
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        data = json.loads(archive.read("content.json"))
        assert archive.read("logos/acme.png") == Company.objects.get(slug="acme").logo.read()
    assert data["format"] == "jobboard-content" and data["version"] == 1
    for section in SECTIONS:
        for record in data[section.name]:
            assert list(record) == list(section.fields)
    acme = next(c for c in data["companies"] if c["slug"] == "acme")
    assert acme["logo"] == "logos/acme.png"
    closed = next(p for p in data["postings"] if p["status"] == "closed")
    assert closed["company"] == "globex" and closed["skills"] == ["backend-development"]
    assert closed["salary_min"] is None and closed["salary_max"] == 150
    assert closed["expires_at"].endswith("Z")


def test_the_format_covers_every_field_staff_can_edit():
    """A field added to a model must be added to the format too (and to the README)."""
    for section in SECTIONS:
        editable = {
            field.name
            for field in section.model._meta.get_fields()
            if (field.concrete or field.many_to_many)
            and not field.auto_created
            and getattr(field, "editable", False)
        }
        assert editable == set(section.fields), section.name


# Upsert ----------------------------------------------------------------------------------


def test_import_creates_then_reports_everything_unchanged(tmp_path, media_root):
    folder = write_folder(tmp_path / "content")
    first = import_content(path=folder)
    assert counts(first) == {
        "skills": (2, 0, 0),
        "guides": (1, 0, 0),
        "companies": (2, 0, 0),
        "postings": (2, 0, 0),
    }
    acme = Company.objects.get(slug="acme")
    logo_name, files = acme.logo.name, stored_logo_files(media_root)
    updated_at = Posting.objects.get(slug="senior-backend-engineer-acme").updated_at

    second = import_content(path=folder)

    assert counts(second) == {
        "skills": (0, 0, 2),
        "guides": (0, 0, 1),
        "companies": (0, 0, 2),
        "postings": (0, 0, 2),
    }
    assert Company.objects.get(slug="acme").logo.name == logo_name
    assert stored_logo_files(media_root) == files
    assert Posting.objects.get(slug="senior-backend-engineer-acme").updated_at == updated_at


def test_imported_records_hold_what_the_file_says(tmp_path):
    import_content(path=write_folder(tmp_path / "content"))
    posting = Posting.objects.get(slug="senior-backend-engineer-acme")
    assert posting.company.slug == "acme"
    assert sorted(posting.skills.values_list("slug", flat=True)) == [
        "backend-development",
        "python",
    ]
    assert posting.salary_min == 70000 and posting.salary_currency == "EUR"
    assert posting.published_at.isoformat() == "2026-01-05T09:00:00+00:00"
    assert "<strong>APIs</strong>" in posting.description_html
    assert posting.is_live
    guide = SkillGuide.objects.get(skill__slug="backend-development")
    assert guide.toc == [{"id": "what-it-is", "text": "What it is", "level": 2}]
    acme = Company.objects.get(slug="acme")
    assert acme.logo.name.startswith("logos/")
    assert logo_pixels(acme)[0] == (64, 64)


def test_a_second_import_updates_what_changed(
    tmp_path, media_root, django_capture_on_commit_callbacks
):
    import_content(path=write_folder(tmp_path / "v1"))
    old_logo = Company.objects.get(slug="acme").logo.name
    data = sample()
    data["postings"][0]["title"] = "Principal Backend Engineer"
    data["postings"][0]["description"] = "## The role\n\nYou will lead.\n"
    data["postings"][1]["skills"] = ["python", "backend-development"]
    data["guides"][0]["body"] = "## Why it matters\n\nEverything runs on it.\n"
    data["skills"].append({"slug": "go", "name": "Go", "description": ""})
    data["companies"][1]["logo"] = "logos/globex.png"
    logos = {"logos/acme.png": png(color=(0, 0, 0)), "logos/globex.png": png(color=(9, 9, 9))}

    with django_capture_on_commit_callbacks(execute=True):
        report = import_content(path=write_folder(tmp_path / "v2", data, logos))

    assert counts(report) == {
        "skills": (1, 0, 2),
        "guides": (0, 1, 0),
        "companies": (0, 2, 0),
        "postings": (0, 2, 0),
    }
    senior = Posting.objects.get(slug="senior-backend-engineer-acme")
    assert senior.title == "Principal Backend Engineer"
    assert "You will lead." in senior.description_html
    intern = Posting.objects.get(slug="python-intern-globex")
    assert sorted(intern.skills.values_list("slug", flat=True)) == ["backend-development", "python"]
    guide = SkillGuide.objects.get(skill__slug="backend-development")
    assert guide.toc[0]["id"] == "why-it-matters"
    acme = Company.objects.get(slug="acme")
    assert acme.logo.name != old_logo
    assert logo_pixels(acme)[1][:4] == bytes([0, 0, 0, 255])
    # The replaced file is deleted once the import is committed; nothing piles up.
    assert not acme.logo.storage.exists(old_logo)
    assert Company.objects.get(slug="globex").logo


def test_omitted_fields_get_defaults_when_created_and_are_kept_when_updating(tmp_path):
    minimal = {
        "format": "jobboard-content",
        "version": 1,
        "companies": [{"slug": "initech", "name": "Initech"}],
        "postings": [
            {
                "slug": "tps-report-engineer",
                "company": "initech",
                "title": "TPS Report Engineer",
                "summary": "Reports.",
                "description": "Cover sheets.",
                "apply_email": "jobs@initech.example",
            }
        ],
    }
    import_content(path=write_folder(tmp_path / "one", minimal, {}))
    posting = Posting.objects.get(slug="tps-report-engineer")
    assert posting.status == Posting.Status.DRAFT
    # An omitted fact is not stated, not a default.
    assert (posting.remote_policy, posting.employment_type, posting.seniority) == ("", "", "")
    assert posting.published_at is None and posting.expires_at > timezone.now()
    assert not posting.skills.exists()
    posting.skills.add(factories.SkillFactory(slug="reports"))
    Company.objects.filter(slug="initech").update(headquarters="Austin, Texas")

    update = {"format": "jobboard-content", "version": 1, "postings": [
        {"slug": "tps-report-engineer", "title": "Senior TPS Report Engineer"}
    ]}  # fmt: skip
    report = import_content(path=write_folder(tmp_path / "two", update, {}))

    assert counts(report)["postings"] == (0, 1, 0)
    posting.refresh_from_db()
    assert posting.title == "Senior TPS Report Engineer"
    assert posting.apply_email == "jobs@initech.example"
    assert list(posting.skills.values_list("slug", flat=True)) == ["reports"]
    assert Company.objects.get(slug="initech").headquarters == "Austin, Texas"


def test_codes_are_stored_upper_case_and_that_is_no_change(tmp_path):
    data = sample()
    data["postings"][0]["salary_currency"] = "eur"
    data["postings"][0]["country"] = "fr"
    import_content(path=write_folder(tmp_path / "one", data))
    posting = Posting.objects.get(slug="senior-backend-engineer-acme")
    assert (posting.salary_currency, posting.country) == ("EUR", "FR")
    assert counts(import_content(path=write_folder(tmp_path / "two", data)))["postings"] == (
        0,
        0,
        2,
    )


def test_a_null_logo_removes_the_logo(tmp_path):
    import_content(path=write_folder(tmp_path / "one"))
    data = sample()
    data["companies"][0]["logo"] = None
    report = import_content(path=write_folder(tmp_path / "two", data, {}))
    assert counts(report)["companies"] == (0, 1, 1)
    assert not Company.objects.get(slug="acme").logo


def test_a_zip_holding_one_folder_imports(tmp_path):
    path = write_zip(tmp_path / "content.zip", prefix="export/")
    assert counts(import_content(path=path))["companies"] == (2, 0, 0)
    assert Company.objects.get(slug="acme").logo


def test_a_lone_json_file_imports(tmp_path):
    data = sample()
    data["companies"][0]["logo"] = None
    write_folder(tmp_path / "folder", data, {})
    report = import_content(path=tmp_path / "folder" / "content.json")
    assert counts(report)["postings"] == (2, 0, 0)


# Dry run ---------------------------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(tmp_path, media_root):
    report = import_content(path=write_folder(tmp_path / "content"), dry_run=True)
    assert report.dry_run
    assert counts(report)["postings"] == (2, 0, 0)
    assert not Skill.objects.exists() and not Posting.objects.exists()
    assert not Company.objects.exists() and not SkillGuide.objects.exists()
    assert stored_logo_files(media_root) == set()


def test_dry_run_of_changes_leaves_the_records_as_they_were(tmp_path):
    import_content(path=write_folder(tmp_path / "one"))
    before = snapshot()
    data = sample()
    data["postings"][0]["title"] = "Changed"
    data["postings"][0]["skills"] = []
    report = import_content(path=write_folder(tmp_path / "two", data), dry_run=True)
    assert counts(report)["postings"] == (0, 1, 1)
    assert snapshot() == before


def test_the_command_prints_the_report(tmp_path, capsys):
    call_command("import_content", str(write_folder(tmp_path / "content")), "--dry-run")
    out = capsys.readouterr().out
    assert "postings" in out and "Dry run" in out
    assert not Posting.objects.exists()
    call_command("import_content", str(tmp_path / "content"))
    assert Posting.objects.count() == 2


# Bad input: a clear error naming record and field, and an unchanged database ---------


def _bad_json(folder):
    write_folder(folder, '{"format": "jobboard-content", "version": 1,\n  "skills": [,]}')


def _duplicate_key(folder):
    write_folder(folder, '{"format": "jobboard-content", "version": 1, "version": 1}')


def _change(mutate, logos=None):
    def write(folder):
        data = sample()
        # A valid change to an existing record, which must be rolled back with the rest.
        data["postings"][0]["title"] = "This must not be written"
        data["skills"].append({"slug": "rust", "name": "Rust", "description": ""})
        mutate(data)
        write_folder(folder, data, logos)

    return write


def _set(section, index, **values):
    return _change(lambda data: data[section][index].update(values))


def _zip_slip(folder):
    with zipfile.ZipFile(folder.with_suffix(".zip"), "w") as archive:
        archive.writestr("content.json", json.dumps(sample()))
        archive.writestr("logos/acme.png", SAMPLE_LOGOS["logos/acme.png"])
        archive.writestr("../evil.png", b"x")


def _nested(depth):
    def write(folder):
        # Valid up to the nesting: only the depth is wrong.
        write_folder(
            folder,
            '{"format": "jobboard-content", "version": 1, "skills": '
            + "[" * depth
            + "]" * depth
            + "}",
        )

    return write


def _unpaired_surrogate(folder):
    text = json.dumps(sample()).replace('"Senior Backend Engineer"', '"Senior \\ud800 Engineer"')
    write_folder(folder, text)


def _duplicate_slug(data):
    data["postings"].append(dict(data["postings"][0]))


BAD_INPUTS = {
    "unknown field": (
        _set("postings", 1, colour="blue"),
        'Posting "python-intern-globex", colour: Unknown field.',
    ),
    "unknown top-level field": (
        _change(lambda data: data.update(jobs=[])),
        "jobs: Unknown field.",
    ),
    # A company the site does not have is created from its name, when a slug can be made.
    "company without a slug": (
        _set("postings", 1, company="!!!"),
        'Posting "python-intern-globex", '
        "company: No slug can be made from the name '!!!': add the company to "
        '"companies" with a slug and name it by that slug.',
    ),
    "missing skill": (
        _set("postings", 1, skills=["python", "cobol"]),
        'Posting "python-intern-globex", '
        'skills: Unknown skill "cobol": neither in this file nor on the site.',
    ),
    "guide for a missing skill": (
        _set("guides", 0, skill="cobol"),
        'Guide "cobol", skill: Unknown skill "cobol"',
    ),
    "broken logo": (
        _change(lambda data: None, {"logos/acme.png": png()[:120]}),
        'Company "acme", logo: logos/acme.png: The image is damaged or incomplete',
    ),
    "non-image logo": (
        _change(lambda data: None, {"logos/acme.png": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"}),
        'Company "acme", logo: logos/acme.png: Upload a PNG, JPEG, WebP or GIF image',
    ),
    "missing logo file": (
        _change(lambda data: None, {}),
        'Company "acme", logo: No file "logos/acme.png" next to content.json.',
    ),
    "logo outside the folder": (
        _set("companies", 0, logo="../secret.png"),
        'Company "acme", logo: "../secret.png" must be a path inside the content folder',
    ),
    "duplicate slug in the file": (
        _change(_duplicate_slug),
        'Posting "senior-backend-engineer-acme", '
        "slug: 2 records have this slug (numbers 1 and 3 in postings).",
    ),
    "duplicate skill name": (
        _change(lambda data: data["skills"].append({"slug": "py", "name": "Python"})),
        'Skill "py", name: Duplicate name "Python": also Skill "python".',
    ),
    "malformed JSON": (
        _bad_json,
        "content.json: Malformed JSON at line 2, column 14: Expecting value.",
    ),
    "a key twice in one object": (_duplicate_key, 'the key "version" appears twice'),
    "salary min above max": (
        _set("postings", 0, salary_min=95000, salary_max=60000),
        'Posting "senior-backend-engineer-acme", '
        "salary_max: Must be greater than or equal to the minimum salary.",
    ),
    "bad choice": (
        _set("postings", 1, remote_policy="moon"),
        "Posting \"python-intern-globex\", remote_policy: Value 'moon' is not a valid choice.",
    ),
    "bad date": (
        _set("postings", 0, expires_at="31/12/2099"),
        'Posting "senior-backend-engineer-acme", '
        'expires_at: "31/12/2099" is not a valid date and time. '
        "Use ISO 8601 with a time zone, e.g. 2026-01-31T09:00:00Z.",
    ),
    "date without a time zone": (
        _set("guides", 0, published_at="2026-01-01T09:00:00"),
        'Guide "backend-development", published_at: "2026-01-01T09:00:00" has no time zone.',
    ),
    "wrong type": (
        _set("postings", 0, salary_min="70000"),
        'Posting "senior-backend-engineer-acme", salary_min: Expected a whole number.',
    ),
    "missing required field": (
        _set("postings", 1, summary=""),
        'Posting "python-intern-globex", summary: This field cannot be blank.',
    ),
    "missing slug": (
        _change(lambda data: data["skills"].append({"name": "Slugless"})),
        'Skill "Slugless", slug: This field is required.',
    ),
    "bad slug": (
        _set("companies", 1, slug="not a slug"),
        'Company "not a slug", slug: Enter a valid “slug”',
    ),
    "too long": (
        _set("postings", 0, summary="x" * 201),
        'Posting "senior-backend-engineer-acme", '
        "summary: Ensure this value has at most 200 characters (it has 201).",
    ),
    "text longer than the admin accepts": (
        _set("guides", 0, lede="x" * 601),
        'Guide "backend-development", '
        "lede: Ensure this value has at most 600 characters (it has 601).",
    ),
    "negative salary": (
        _set("postings", 0, salary_min=-5),
        'Posting "senior-backend-engineer-acme", '
        "salary_min: Ensure this value is greater than or equal to 0.",
    ),
    "null character": (
        _set("postings", 0, title="Engineer\x00"),
        'Posting "senior-backend-engineer-acme", title: Null characters are not allowed.',
    ),
    "published after it expires": (
        _set("postings", 0, published_at="2999-01-01T00:00:00Z"),
        'Posting "senior-backend-engineer-acme", expires_at: Must be after the publication date.',
    ),
    "another format": (
        _change(lambda data: data.update(format="wordpress")),
        "format: Expected \"jobboard-content\", found 'wordpress'.",
    ),
    "another version": (
        _change(lambda data: data.update(version=2)),
        "version: Unsupported version 2; this site reads version 1.",
    ),
    "nested a million deep": (
        _nested(1_000_000),
        "content.json: Nested more than 16 levels deep; content is a JSON object of lists of "
        "records",
    ),
    "nested deeper than the format, not enough to stop the parser": (
        _nested(300),
        "Nested more than 16 levels deep",
    ),
    "an unpaired surrogate": (
        _unpaired_surrogate,
        "content.json: Text that is not valid Unicode: an unpaired surrogate (\\ud800) in "
        "'Senior \\ud800 Engineer'.",
    ),
    "a megabyte where the format's name is due": (
        _change(lambda data: data.update(format="x" * 1_000_000)),
        # Quoted cut short, to 60 characters.
        'format: Expected "jobboard-content", found \'' + "x" * 59 + "….",
    ),
    "inline logo that is not base64": (
        _set("companies", 0, logo="data:image/png;base64,not*base64"),
        'Company "acme", logo: data:image/png;base64,…: Not valid base64 data.',
    ),
    "inline logo that is not a data URI": (
        _set("companies", 0, logo="data:image/png,rawbytes"),
        'Company "acme", logo: An inline file must be a base64 data: URI',
    ),
    "inline logo that is not an image": (
        _set("companies", 0, logo="data:image/png;base64,JVBERi0xLjcK"),
        'Company "acme", logo: data:image/png;base64,…: Upload a PNG, JPEG, WebP or GIF image',
    ),
    "a zip with ../ paths": (
        _zip_slip,
        'Unsafe entry "../evil.png": every path in the archive must stay inside it.',
    ),
}


@pytest.mark.parametrize("make, message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_refused_with_a_clear_error_and_changes_nothing(
    make, message, tmp_path, media_root
):
    import_content(path=write_folder(tmp_path / "site"))
    before, files = snapshot(), stored_logo_files(media_root)
    folder = tmp_path / "bad"
    make(folder)
    path = folder.with_suffix(".zip") if folder.with_suffix(".zip").exists() else folder

    with pytest.raises(ContentError) as raised:
        import_content(path=path)

    assert any(message in error for error in raised.value.errors), raised.value.errors
    assert snapshot() == before
    assert not Skill.objects.filter(slug="rust").exists()
    assert stored_logo_files(media_root) == files


def test_a_file_that_does_not_exist(tmp_path):
    with pytest.raises(ContentError) as raised:
        import_content(path=tmp_path / "nowhere.json")
    assert raised.value.errors == [
        f"{tmp_path / 'nowhere.json'}: No such file or folder. Expected a content .json "
        "file, a folder holding content.json, or a .zip of such a folder."
    ]


def test_a_folder_without_content_json_names_what_was_looked_for(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ContentError) as raised:
        import_content(path=tmp_path / "empty")
    assert raised.value.errors == [
        f"{tmp_path / 'empty'}: This folder holds no content.json "
        f"(looked for {tmp_path / 'empty' / 'content.json'})."
    ]


def test_every_error_is_reported_not_just_the_first(tmp_path):
    data = sample()
    data["postings"][0].update(salary_min=95000, salary_max=60000, status="live")
    data["postings"][1].update(company="!!!", colour="blue")
    data["companies"][1]["website"] = "not a url"
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad", data))
    assert raised.value.errors == [
        'Company "globex", website: Enter a valid URL.',
        "Posting \"senior-backend-engineer-acme\", status: Value 'live' is not a valid choice.",
        'Posting "senior-backend-engineer-acme", '
        "salary_max: Must be greater than or equal to the minimum salary.",
        'Posting "python-intern-globex", colour: Unknown field.',
        'Posting "python-intern-globex", '
        "company: No slug can be made from the name '!!!': add the company to "
        '"companies" with a slug and name it by that slug.',
    ]


def test_errors_name_records_by_slug_or_title_not_by_position(tmp_path):
    data = sample()
    data["postings"][0]["salary_max"] = 1
    # Without a slug, a posting is named by its title; a skill by its name; a record with
    # neither by its place in its section, counted from 1.
    data["postings"].append({"company": "acme", "title": "Night Shift Engineer"})
    data["skills"].append({"name": "Cobol", "description": 7})
    data["postings"].append({"summary": "Nothing else."})
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad", data))
    assert raised.value.errors == [
        'Skill "Cobol", slug: This field is required.',
        'Posting "senior-backend-engineer-acme", '
        "salary_max: Must be greater than or equal to the minimum salary.",
        'Posting "Night Shift Engineer", summary: This field cannot be blank.',
        "Posting number 4, slug: Give a slug, or a company and a title to make one from.",
    ]
    assert not any("[" in error for error in raised.value.errors)


def test_a_field_with_two_complaints_is_reported_once_in_the_rules_words(tmp_path):
    data = sample()
    data["postings"][0]["salary_currency"] = "euro"  # too long, and not a code
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad", data))
    assert raised.value.errors == [
        'Posting "senior-backend-engineer-acme", '
        "salary_currency: Use a three-letter ISO 4217 code, e.g. EUR."
    ]


def test_a_slug_used_three_times_is_one_error_saying_where(tmp_path):
    data = sample()
    data["skills"] += [dict(data["skills"][0]), dict(data["skills"][0])]
    slug = data["skills"][0]["slug"]
    count = len(data["skills"])
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad", data))
    assert raised.value.errors == [
        f'Skill "{slug}", slug: 3 records have this slug (numbers 1, {count - 1} and {count} '
        "in skills)."
    ]


def test_an_uploads_errors_show_no_path_of_the_machine(tmp_path):
    """Named (an upload), a folder or file is called by that name, never by its path."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(ContentError) as raised:
        import_content(path=tmp_path / "empty", name="my-export.zip")
    assert raised.value.errors == ["my-export.zip: This folder holds no content.json."]
    with pytest.raises(ContentError) as raised:
        import_content(path=tmp_path / "nowhere.json", name="my-export.json")
    assert str(tmp_path) not in raised.value.errors[0]


def test_a_bad_apply_url_is_reported_once(tmp_path):
    data = sample()
    data["postings"][0]["apply_url"] = "javascript:alert(1)"
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad", data))
    assert raised.value.errors == [
        'Posting "senior-backend-engineer-acme", apply_url: Enter a valid URL.'
    ]


def test_an_inline_logo_over_the_cap_is_refused_without_decoding_it_all(tmp_path):
    import base64

    data = sample()
    data["companies"][0]["logo"] = (
        "data:image/png;base64," + base64.b64encode(png() + b"\0" * (3 * 1024 * 1024)).decode()
    )
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad", data, logos={}))
    assert raised.value.errors == [
        'Company "acme", logo: data:image/png;base64,…: The logo is 3.0 MB; the limit is 2 MB.'
    ]


def test_errors_stop_at_a_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(importer_module, "MAX_ERRORS", 5)
    data = sample()
    data["skills"] = [{"slug": f"s{i}", "name": ""} for i in range(20)]
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad", data))
    # Five records with one problem: one line naming them, then where the check stopped.
    assert raised.value.errors == [
        'Skills "s0", "s1", "s2" and 2 more, name: This field cannot be blank.',
        "Stopped after 5 errors; fix these and run the import again.",
    ]


def test_a_skill_name_taken_on_the_site_is_refused(tmp_path):
    factories.SkillFactory(name="Python", slug="python-language")
    with pytest.raises(ContentError) as raised:
        import_content(path=write_folder(tmp_path / "bad"))
    assert raised.value.errors == [
        'Skill "python", name: Skill with this name already exists (slug "python-language").'
    ]


@pytest.mark.parametrize(
    "limit, value, message",
    [
        ("MAX_ARCHIVE_ENTRIES", 1, "entries; the limit is 1"),
        ("MAX_ARCHIVE_BYTES", 100, "Unpacks to more than"),
    ],
)
def test_archives_over_the_caps_are_refused(tmp_path, monkeypatch, limit, value, message):
    monkeypatch.setattr(sources_module, limit, value)
    with pytest.raises(ContentError, match=message):
        import_content(path=write_zip(tmp_path / "content.zip"))
    assert not Skill.objects.exists()


def test_a_logo_member_is_read_only_up_to_the_cap(tmp_path):
    """A zip bomb posing as a logo: only the cap is decompressed, then refused."""
    bomb = b"\0" * (3 * 1024 * 1024)
    path = write_zip(tmp_path / "content.zip", logos={"logos/acme.png": bomb})
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("logos/acme.png").compress_size < 10_000
    with pytest.raises(ContentError) as raised:
        import_content(path=path)
    assert raised.value.errors == [
        'Company "acme", logo: logos/acme.png: The logo is 3.0 MB; the limit is 2 MB.'
    ]


def test_a_write_the_database_refuses_rolls_back_everything_and_its_files(
    tmp_path, media_root, monkeypatch
):
    """The database's constraints stay a backstop: what slips past validation is refused
    there, and the logo files stored for the import are removed again."""
    monkeypatch.setattr(Posting, "clean", lambda self: None)
    data = sample()
    data["postings"][0].update(salary_min=95000, salary_max=60000)
    with pytest.raises(ContentError, match="The database refused the import"):
        import_content(path=write_folder(tmp_path / "bad", data))
    assert not Company.objects.exists() and not Skill.objects.exists()
    assert stored_logo_files(media_root) == set()


def test_an_import_the_database_refuses_at_its_last_write_changes_nothing(tmp_path, media_root):
    """All or nothing, with no monkeypatch: two skills swap names, which validation accepts
    (the end state has each name once) but the database refuses while writing, as it
    checks a unique column row by row. The records written before it are undone."""
    import_content(path=write_folder(tmp_path / "site"))
    rows = {
        model: list(model.objects.order_by("pk").values())
        for model in (Skill, SkillGuide, Company, Posting, Posting.skills.through)
    }
    before, files = snapshot(), stored_logo_files(media_root)
    data = sample()
    data["postings"][0]["title"] = "Written, then undone"
    data["companies"].append({**data["companies"][1], "slug": "initech", "name": "Initech"})
    # Last, both in the file and in what is written: the swap.
    data["skills"] = [
        {"slug": "rust", "name": "Rust", "description": ""},
        {"slug": "backend-development", "name": "Python"},
        {"slug": "python", "name": "Backend development"},
    ]
    path = write_folder(tmp_path / "swap", data)
    assert counts(import_content(path=path, dry_run=True))["skills"] == (1, 2, 0)

    with pytest.raises(ContentError) as raised:
        import_content(path=path)

    (error,) = raised.value.errors
    assert error.startswith("The database refused the import, so nothing was written: ")
    assert "name" in error
    assert {model: list(model.objects.order_by("pk").values()) for model in rows} == rows
    assert snapshot() == before
    assert stored_logo_files(media_root) == files


def test_the_command_exits_non_zero_with_the_errors_on_stderr(tmp_path, capsys, monkeypatch):
    from django.core.management import ManagementUtility, base

    # run_from_argv closes the connections when done, which would end the test's transaction.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    data = sample()
    data["postings"][0]["salary_max"] = 1
    path = write_folder(tmp_path / "bad", data)
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "import_content", str(path)]).execute()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Nothing was imported (1 error)" in err
    assert (
        'Posting "senior-backend-engineer-acme", '
        "salary_max: Must be greater than or equal to the minimum salary." in err
    )
    with pytest.raises(CommandError):
        call_command("import_content", str(path))
    assert not Posting.objects.exists()


@pytest.mark.parametrize(
    "make, message",
    [
        (_nested(1_000_000), "content.json: Nested more than 16 levels deep"),
        (_unpaired_surrogate, "content.json: Text that is not valid Unicode"),
    ],
    ids=["nested a million deep", "unpaired surrogate"],
)
def test_the_command_refuses_hostile_json_with_exit_1_and_no_traceback(
    tmp_path, capsys, monkeypatch, make, message
):
    from django.core.management import ManagementUtility, base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    make(tmp_path / "bad")
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "import_content", str(tmp_path / "bad")]).execute()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Nothing was imported (1 error)" in err and message in err
    assert "Traceback" not in err
    assert not Posting.objects.exists()


def test_the_export_command_writes_a_folder_a_zip_or_one_json_file(site_content, tmp_path, capsys):
    call_command("export_content", str(tmp_path / "out"))
    call_command("export_content", str(tmp_path / "out.zip"))
    call_command("export_content", str(tmp_path / "backup.json"))
    assert "Exported 3 skills, 2 guides, 2 companies, 4 postings and 1 logos" in (
        capsys.readouterr().out
    )
    assert (tmp_path / "out/content.json").exists() and (tmp_path / "out/logos/acme.png").exists()
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert set(archive.namelist()) == {"content.json", "logos/acme.png"}
    # One file, not a folder named backup.json; its logo travels inside it.
    assert (tmp_path / "backup.json").is_file()
    assert not list(tmp_path.glob("*.part"))
    data = json.loads((tmp_path / "backup.json").read_text())
    acme = next(company for company in data["companies"] if company["slug"] == "acme")
    assert acme["logo"].startswith("data:image/png;base64,")


def test_an_exported_json_file_imports_back_through_the_command(site_content, tmp_path):
    before = snapshot()
    call_command("export_content", str(tmp_path / "backup.json"))
    empty_the_site()
    call_command("import_content", str(tmp_path / "backup.json"))
    assert snapshot() == before


@pytest.mark.parametrize(
    "target, taken_by, message",
    [
        ("backup.json", "folder", "backup.json is a folder: name a new .json file"),
        ("backup.zip", "folder", "backup.zip is a folder: name a new .zip file"),
        ("export", "file", "export is a file: export to a folder"),
    ],
)
def test_export_to_a_path_taken_by_the_other_kind_is_refused(
    site_content, tmp_path, target, taken_by, message
):
    path = tmp_path / target
    path.mkdir() if taken_by == "folder" else path.write_text("keep me")
    with pytest.raises(CommandError, match=f"Nothing was exported: .*{message}"):
        call_command("export_content", str(path))
    assert path.is_dir() if taken_by == "folder" else path.read_text() == "keep me"


def test_export_of_a_logo_missing_from_storage_warns(site_content, tmp_path):
    acme = Company.objects.get(slug="acme")
    acme.logo.storage.delete(acme.logo.name)
    report = export_content(path=tmp_path / "out")
    assert report.logos == 0
    assert report.warnings == [
        f'Company "acme": its logo file {acme.logo.name} is missing from storage; '
        "exported without a logo."
    ]


def test_bulk_import_keeps_the_models_derived_fields(tmp_path):
    """Postings are bulk-written: what save() derives must be there all the same."""
    data = sample()
    data["postings"][0]["description"] = "<script>alert(1)</script>\n\n**Bold**"
    import_content(path=write_folder(tmp_path / "content", data))
    posting = Posting.objects.get(slug="senior-backend-engineer-acme")
    assert "<script>" not in posting.description_html
    assert "<strong>Bold</strong>" in posting.description_html
    assert posting.created_at and posting.updated_at


def test_updated_at_moves_on_bulk_update(tmp_path):
    import_content(path=write_folder(tmp_path / "one"))
    Posting.objects.update(updated_at=timezone.now() - timedelta(days=3))
    data = sample()
    data["postings"][0]["title"] = "Changed"
    import_content(path=write_folder(tmp_path / "two", data))
    changed, same = (
        Posting.objects.get(slug=s).updated_at
        for s in ("senior-backend-engineer-acme", "python-intern-globex")
    )
    assert changed > timezone.now() - timedelta(minutes=1)
    assert same < timezone.now() - timedelta(days=2)


def test_import_queries_do_not_grow_with_the_number_of_postings(
    tmp_path, django_assert_max_num_queries
):
    def content(n):
        data = sample()
        data["companies"][0]["logo"] = None
        data["postings"] = [
            {**data["postings"][0], "slug": f"posting-{i}", "title": f"Engineer {i}"}
            for i in range(n)
        ]
        return data

    import_content(path=write_folder(tmp_path / "warm", content(2), {}))
    with django_assert_max_num_queries(40):
        import_content(path=write_folder(tmp_path / "many", content(300), {}))
    assert Posting.objects.count() == 300


def test_the_readme_example_imports(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### The format", 1)[1]
    example = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    report = import_content(path=write_folder(tmp_path / "example", example))
    assert counts(report) == {
        "skills": (1, 0, 0),
        "guides": (1, 0, 0),
        "companies": (1, 0, 0),
        "postings": (1, 0, 0),
    }


def test_imported_postings_are_found_by_search_after_every_change(tmp_path):
    """On PostgreSQL the search vectors are written by the import, once per posting."""

    def found(query):
        return set(Posting.objects.search(query).values_list("slug", flat=True))

    import_content(path=write_folder(tmp_path / "one"))
    assert found("robot fleet") == {"senior-backend-engineer-acme"}
    assert found("backend development") == {"senior-backend-engineer-acme"}

    data = sample()
    data["postings"][0]["title"] = "Quantum Plumber"
    data["postings"][1]["skills"] = ["backend-development"]
    import_content(path=write_folder(tmp_path / "two", data))

    assert found("quantum") == {"senior-backend-engineer-acme"}
    assert found("backend development") == {
        "senior-backend-engineer-acme",
        "python-intern-globex",
    }
    Posting.objects.create(
        company=Company.objects.get(slug="acme"),
        title="Quantum Welder",
        slug="quantum-welder",
        summary="s",
        description="d",
        apply_email="a@example.com",
    )
    # Writes after the import, in the same transaction, get their vectors from the triggers.
    assert found("quantum") == {"senior-backend-engineer-acme", "quantum-welder"}


def test_an_import_that_writes_refreshes_the_page_cache(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from jobboard.cache import content_generation

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    folder = write_folder(tmp_path / "content")
    import_content(path=folder)
    data = sample()
    data["postings"][1]["status"] = "closed"  # a bulk update: no post_save is sent
    changed = write_folder(tmp_path / "changed", data)

    before = content_generation()
    with django_capture_on_commit_callbacks(execute=True):
        import_content(path=folder)  # nothing changes
    assert content_generation() == before
    with django_capture_on_commit_callbacks(execute=True):
        import_content(path=changed)
    assert content_generation() > before
