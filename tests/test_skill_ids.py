"""Filtering by skill finds exactly the postings tagged with it, however their links are
written: Django saves, M2M changes, deleted skills, the importer and generate_postings.

On PostgreSQL a posting's `skill_ids` (kept by triggers, postings migration 0010) is
what the filter reads, so each test also checks it against the links themselves.
"""

import pytest
from django.core.management import call_command
from django.db import connection

from content.importer import import_content
from postings.models import Posting
from skills.models import Skill
from tests.content_files import sample, write_folder
from tests.factories import LivePostingFactory, SkillFactory

pytestmark = pytest.mark.django_db


def tagged(*skills) -> set[str]:
    """Titles of the live postings the listing's skill filter finds."""
    return set(Posting.objects.live().with_any_skill(skills).values_list("title", flat=True))


def assert_ids_follow_the_links():
    if connection.vendor != "postgresql":
        return
    through = Posting.skills.through.objects
    for posting_id, skill_ids in Posting.objects.values_list("pk", "skill_ids"):
        links = through.filter(posting_id=posting_id).order_by("skill_id")
        assert skill_ids == list(links.values_list("skill_id", flat=True)), posting_id


def test_adding_removing_and_setting_skills_show_at_once():
    go, rust = SkillFactory(name="Go"), SkillFactory(name="Rust")
    job = LivePostingFactory(title="Engineer", skills=[go])
    assert tagged(go) == {"Engineer"} and tagged(rust) == set()

    job.skills.add(rust)
    assert tagged(rust) == {"Engineer"}
    job.skills.remove(go)
    assert tagged(go) == set()
    job.skills.set([go])
    assert tagged(go) == {"Engineer"} and tagged(rust) == set()
    assert tagged(go, rust) == {"Engineer"}  # any of them, once
    assert_ids_follow_the_links()


def test_saving_a_posting_read_before_its_skills_changed_keeps_the_new_skills():
    go, rust = SkillFactory(name="Go"), SkillFactory(name="Rust")
    job = LivePostingFactory(title="Engineer", skills=[go])
    stale = Posting.objects.get(pk=job.pk)  # as an admin form would hold it

    job.skills.set([rust])
    stale.title = "Senior Engineer"
    stale.save()

    assert tagged(rust) == {"Senior Engineer"} and tagged(go) == set()
    assert_ids_follow_the_links()


def test_a_deleted_skill_leaves_its_postings():
    go, rust = SkillFactory(name="Go"), SkillFactory(name="Rust")
    LivePostingFactory(title="Engineer", skills=[go, rust])

    rust_id = rust.pk
    rust.delete()

    assert tagged(go) == {"Engineer"} and tagged(rust_id) == set()
    assert_ids_follow_the_links()


def test_imported_postings_are_found_by_their_skills(tmp_path):
    import_content(path=write_folder(tmp_path / "content", sample()))

    python = Skill.objects.get(slug="python")
    expected = set(Posting.objects.live().filter(skills=python).values_list("title", flat=True))
    assert expected and tagged(python) == expected
    assert_ids_follow_the_links()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY on PostgreSQL only")
def test_generated_postings_carry_their_skill_ids():
    call_command("generate_postings", count=300, seed=3, verbosity=0)

    assert_ids_follow_the_links()
    assert Posting.objects.exclude(skill_ids=[]).count() == 300
