"""Shared by this app's migrations (the leading underscore keeps Django from loading the
module as a migration)."""


def on_postgresql(sql: str):
    """A RunPython function that executes `sql` on PostgreSQL and does nothing elsewhere:
    triggers and GIN indexes are PostgreSQL's alone; SQLite keeps the plain columns."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run
