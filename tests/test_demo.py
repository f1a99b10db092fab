import json
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from companies.models import Company
from content.management.commands.load_demo import DEMO_PATH
from postings.models import Posting
from skills.models import Skill, SkillGuide
from tests import factories
from tests.content_files import sample, write_folder

pytestmark = pytest.mark.django_db


def load_demo(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict:
    return {
        "skills": Skill.objects.count(),
        "guides": SkillGuide.objects.count(),
        "companies": Company.objects.count(),
        "postings": Posting.objects.count(),
        "links": Posting.skills.through.objects.count(),
    }


def test_the_shipped_demo_loads_and_loading_it_twice_duplicates_nothing():
    demo = json.loads(DEMO_PATH.read_text())

    first = load_demo()
    counts = table_counts()
    second = load_demo()

    assert table_counts() == counts
    assert counts["skills"] == len(demo["skills"]) >= 8
    assert counts["guides"] == len(demo["guides"]) >= 8
    # Postings found on the web name companies the demo does not describe: made from names.
    named = {p["company"] for p in demo["postings"]} - {c["slug"] for c in demo["companies"]}
    assert counts["companies"] == len(demo["companies"]) + len(named) >= 25
    assert counts["postings"] == len(demo["postings"]) >= 150
    for output in (first, second):
        assert output.count("\n") == 1 and output.startswith("Demo content: ")
    assert "0 created" not in first and "(0 created" in second


def test_the_demo_dates_are_moved_so_it_looks_fresh():
    demo = json.loads(DEMO_PATH.read_text())
    exported_at = datetime.fromisoformat(demo["exported_at"])

    load_demo()

    now = timezone.now()
    # Published without a date: published when loaded.
    undated = {p["title"] for p in demo["postings"] if "published_at" not in p}
    assert undated and all(p["status"] == "published" for p in demo["postings"] if "slug" not in p)
    live_at_export = {
        p["slug"]
        for p in demo["postings"]
        if p["status"] == "published"
        and "published_at" in p
        and datetime.fromisoformat(p["published_at"])
        <= exported_at
        < datetime.fromisoformat(p["expires_at"])
        # Its deadline ahead, and confirmed open within RECONFIRM_DAYS.
        and exported_at < datetime.fromisoformat(p.get("apply_by") or p["expires_at"])
        and exported_at - timedelta(days=settings.RECONFIRM_DAYS)
        < datetime.fromisoformat(p["confirmed_at"])
    }
    assert live_at_export
    live = Posting.objects.live()
    assert set(live.exclude(title__in=undated).values_list("slug", flat=True)) == live_at_export
    assert set(live.filter(title__in=undated).values_list("title", flat=True)) == undated
    for record in demo["postings"][:20]:
        posting = Posting.objects.get(slug=record["slug"])
        age = datetime.fromisoformat(record["expires_at"]) - exported_at
        assert abs((posting.expires_at - now) - age) < timedelta(minutes=1)
    # Drafts, closed and expired postings are there too, as the demo intends.
    assert Posting.objects.filter(status=Posting.Status.DRAFT).exists()
    assert Posting.objects.filter(status=Posting.Status.CLOSED).exists()
    assert Posting.objects.expired().exists()
    described = Company.objects.filter(slug__in=[c["slug"] for c in demo["companies"]])
    assert all(company.logo for company in described)


def test_dates_of_any_content_are_shifted_by_the_time_since_export(tmp_path):
    data = sample()
    data["exported_at"] = "2020-01-10T12:00:00Z"
    data["guides"][0]["published_at"] = "2020-01-01T12:00:00Z"
    data["postings"][0].update(
        published_at="2020-01-09T12:00:00Z", expires_at="2020-02-09T12:00:00Z"
    )
    folder = write_folder(tmp_path / "demo", data)

    load_demo(str(folder / "content.json"))

    posting = Posting.objects.get(slug="senior-backend-engineer-acme")
    assert posting.is_live
    assert abs(timezone.now() - posting.published_at - timedelta(days=1)) < timedelta(minutes=1)
    guide = SkillGuide.objects.get()
    assert abs(timezone.now() - guide.published_at - timedelta(days=9)) < timedelta(minutes=1)
    # The file itself is left as it was.
    assert json.loads((folder / "content.json").read_text()) == data


def test_if_empty_does_nothing_when_any_posting_exists():
    factories.PostingFactory(title="Ours", slug="ours")
    output = load_demo("--if-empty")
    assert output == "Demo content: skipped, the database already has postings.\n"
    assert list(Posting.objects.values_list("slug", flat=True)) == ["ours"]
    assert not Skill.objects.exclude(postings__slug="ours").exists()


def test_if_empty_loads_into_an_empty_database(tmp_path):
    folder = write_folder(tmp_path / "demo")
    assert load_demo(str(folder), "--if-empty").startswith("Demo content: 2 skills, 1 guides")
    assert Posting.objects.count() == 2


def test_a_demo_without_an_export_date_is_refused(tmp_path):
    data = sample()
    del data["exported_at"]
    with pytest.raises(CommandError, match="exported_at"):
        load_demo(str(write_folder(tmp_path / "demo", data)))
    assert not Posting.objects.exists()


def test_an_invalid_demo_fails_naming_the_record(tmp_path):
    data = sample()
    data["postings"][1]["seniority"] = "godlike"
    with pytest.raises(CommandError, match=r'Posting "python-intern-globex", seniority: '):
        load_demo(str(write_folder(tmp_path / "demo", data)))
    assert not Skill.objects.exists()
