import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.timezone import now

from companies.models import Company
from postings.management.commands.generate_postings import Command
from postings.models import Posting
from skills.models import Skill
from tests.factories import LivePostingFactory

pytestmark = pytest.mark.django_db


def generate(count, **options):
    options = {"batch": 40, "seed": 7, "verbosity": 0, **options}
    call_command("generate_postings", count=count, **options)


def test_it_creates_realistic_postings_with_companies_and_skills_in_proportion():
    generate(100)

    postings = Posting.objects.all()
    assert postings.count() == 100
    assert Company.objects.count() == 4  # one company per 25 postings
    assert Skill.objects.count() > 100
    links = Posting.skills.through.objects
    assert 100 <= links.count() <= 500
    assert not postings.filter(skills=None).exists()
    assert 60 <= Posting.objects.live().count() <= 100
    assert {p.status for p in postings} <= set(Posting.Status.values)
    assert all(p.description_html.startswith("<h2") for p in postings)
    assert all(p.apply_url or p.apply_email for p in postings)
    assert postings.filter(salary_min__isnull=False).exclude(salary_currency="").exists()


def test_running_it_again_adds_postings_with_unique_slugs():
    generate(50)
    generate(50)

    slugs = list(Posting.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 100
    assert all(slug.endswith(f"-{pk}") for pk, slug in Posting.objects.values_list("pk", "slug"))


def test_postings_written_later_were_published_later_as_on_a_board_that_fills_up():
    # Newest-first pages read the end of the table, as they would in production; the
    # benchmark's plans and figures depend on it (benchmarks/RESULTS.md).
    generate(200, batch=30)

    for postings in (Posting.objects.live(), Posting.objects.filter(expires_at__lt=now())):
        published = list(postings.order_by("pk").values_list("published_at", flat=True))
        assert len(published) > 5
        assert published == sorted(published)
    live = Posting.objects.live().order_by("pk").values_list("published_at", flat=True)
    assert live.last() - live.first() > timedelta(days=50)  # still spread over two months


def test_existing_skills_are_reused_by_name():
    python = Skill.objects.create(name="Python", slug="python-language")

    generate(40)

    assert Skill.objects.filter(name="Python").get() == python
    assert python.postings.exists()


def test_generated_postings_are_found_by_search():
    generate(40)
    posting = Posting.objects.live().first()

    assert posting in Posting.objects.live().search(posting.title)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_bulk_written_search_vectors_equal_what_the_triggers_compute():
    generate(80)

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM postings_posting p
             WHERE p.search_vector IS DISTINCT FROM posting_search_document(
                   p.title, p.summary, p.description,
                   (SELECT name FROM companies_company c WHERE c.id = p.company_id),
                   (SELECT string_agg(s.name, ' ' ORDER BY s.name)
                      FROM postings_posting_skills ps JOIN skills_skill s ON s.id = ps.skill_id
                     WHERE ps.posting_id = p.id))
            """
        )
        assert cursor.fetchone() == (0,)
    # …and the triggers are back in charge for later writes in the same transaction.
    posting = Posting.objects.first()
    posting.title = "Cartographer"
    posting.save()
    assert list(Posting.objects.search("cartographer")) == [posting]


SCHEMA = """
    SELECT 'index', indexname, indexdef FROM pg_indexes
     WHERE tablename IN ('postings_posting', 'postings_posting_skills')
    UNION ALL
    SELECT 'constraint', conname, pg_get_constraintdef(oid) || ' ' || convalidated::text
      FROM pg_constraint
     WHERE conrelid IN ('postings_posting'::regclass, 'postings_posting_skills'::regclass)
"""


def schema():
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA)
        return sorted(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_load_into_a_fresh_database_rebuilds_the_indexes_and_keys_migrate_made():
    migrated = schema()
    assert sum(kind == "index" for kind, _, _ in migrated) > 15
    output = io.StringIO()

    generate(100, verbosity=2, stdout=output)

    # Every index but those backing a constraint (primary keys, unique) is set aside.
    constraints = {name for kind, name, _ in migrated if kind == "constraint"}
    secondary = sum(kind == "index" and name not in constraints for kind, name, _ in migrated)
    assert f"{secondary} indexes and 3 foreign keys set aside" in output.getvalue()
    assert schema() == migrated
    assert Posting.objects.count() == 100
    # Ids were reserved in blocks: the next ones drawn are still new.
    with connection.cursor() as cursor:
        for table in ("postings_posting", "postings_posting_skills"):
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) > max(id) FROM {table}"  # noqa: S608
            )
            assert cursor.fetchone() == (True,)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_load_that_fails_midway_leaves_the_schema_and_data_as_they_were(monkeypatch):
    migrated = schema()
    copy_batch = Command.copy_batch
    seen = []

    def fail_on_the_second_batch(self, *batch):
        seen.append(len(schema()))
        if len(seen) == 2:
            raise RuntimeError("the disk is full")
        copy_batch(self, *batch)

    monkeypatch.setattr(Command, "copy_batch", fail_on_the_second_batch)

    with pytest.raises(RuntimeError, match="the disk is full"):
        generate(100)  # three batches of 40

    assert seen[0] < len(migrated)  # the indexes were set aside…
    assert schema() == migrated  # …and are back, exactly
    assert not Posting.objects.exists()
    assert not Posting.skills.through.objects.exists()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_load_smaller_than_the_table_keeps_its_indexes():
    generate(100)
    migrated = schema()
    output = io.StringIO()

    generate(50, verbosity=2, stdout=output)

    assert "set aside" not in output.getvalue()
    assert schema() == migrated
    assert Posting.objects.count() == 150


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_inside_a_transaction_with_pending_checks_it_loads_with_the_indexes_in_place():
    """The caller's own writes leave deferred foreign-key checks pending, and PostgreSQL
    then refuses to alter the tables: the load goes ahead without setting them aside."""
    LivePostingFactory()
    migrated = schema()
    output = io.StringIO()

    generate(3, verbosity=2, stdout=output)

    assert "set aside" not in output.getvalue()
    assert schema() == migrated
    assert Posting.objects.count() == 4
