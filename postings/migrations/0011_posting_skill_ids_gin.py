"""A GIN index of Posting.skill_ids, for published postings (PostgreSQL only).

A rare skill among a million postings: walking the listing's index until a page of its
postings turns up reads hundreds of thousands of entries. With this index PostgreSQL can
start from the postings that have the skill instead, when its statistics say that is
cheaper; the listing's own indexes still serve common skills. (Not in Posting.Meta: a
GIN index is PostgreSQL's alone, like the triggers that fill the column.)
"""

from django.db import migrations

from postings.migrations._postgresql import on_postgresql

FORWARD = """
CREATE INDEX posting_skill_ids_idx ON postings_posting USING gin (skill_ids)
 WHERE status = 'published';
"""
BACKWARD = "DROP INDEX IF EXISTS posting_skill_ids_idx;"


class Migration(migrations.Migration):
    dependencies = [("postings", "0010_posting_skill_ids")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
