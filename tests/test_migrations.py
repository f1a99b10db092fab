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
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
