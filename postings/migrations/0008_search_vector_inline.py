"""Keep `search_vector` in the posting's row rather than in the TOAST table.

A row with its description, rendered HTML and vector is over 2 kB, so PostgreSQL moves
its largest value out of line — the vector. Then every `@@` test of a posting costs two
more index and page reads, and a keyword search that walks the newest postings tests
thousands. With STORAGE MAIN the description and HTML (only read on a posting's own
page) go out of line first. Rows keep their layout until they are next written;
`generate_postings` writes new ones this way.
"""

from django.db import migrations


def set_storage(storage):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE postings_posting ALTER COLUMN search_vector SET STORAGE {storage}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("postings", "0007_salary_sort_index")]

    operations = [migrations.RunPython(set_storage("MAIN"), set_storage("EXTENDED"))]
