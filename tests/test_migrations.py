import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_migrations_apply_from_empty_and_match_models(capsys):
    """Unapply everything of the project's apps, then migrate forwards on this database
    (SQLite by default, PostgreSQL with DATABASE_URL)."""
    call_command("migrate", "content", "zero", verbosity=0)
    call_command("migrate", "postings", "zero", verbosity=0)
    call_command("migrate", "skills", "zero", verbosity=0)
    call_command("migrate", "companies", "zero", verbosity=0)
    call_command("migrate", "alerts", "zero", verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_existing_postings_count_as_confirmed_at_their_publication():
    """postings 0015: rows older than `confirmed_at` were confirmed when published;
    drafts never published have no confirmation yet."""
    from datetime import UTC, datetime

    call_command("migrate", "postings", "0013", verbosity=0)
    call_command("migrate", "companies", "0002", verbosity=0)  # before the size band
    executor = MigrationExecutor(connection)
    before = [("postings", "0013_salary_comparison"), ("companies", "0002_company_logo_variants")]
    apps = executor.loader.project_state(before).apps
    Company = apps.get_model("companies", "Company")
    Posting = apps.get_model("postings", "Posting")
    company = Company.objects.create(name="Acme", slug="acme")
    published = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    expires = datetime(2027, 1, 1, tzinfo=UTC)
    Posting.objects.create(
        company=company, title="Old", slug="old", summary="x", status="published",
        published_at=published, expires_at=expires,
    )  # fmt: skip
    Posting.objects.create(
        company=company, title="Draft", slug="draft", summary="x", expires_at=expires
    )

    call_command("migrate", verbosity=0)

    from postings.models import Posting as Current

    assert dict(Current.objects.values_list("slug", "confirmed_at")) == {
        "old": published,
        "draft": None,
    }
