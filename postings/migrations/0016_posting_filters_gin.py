"""One GIN index of the listing's filters that name values (PostgreSQL only), in place of
the GIN indexes of skill_ids (0011) and remote_areas (0014).

A rare combination of filters — a skill, a workplace, a seniority, where a hire may
live — matches a few postings among a million, and a walk of the listing's index in its
sort order filters most of the index to find them (0.4–2 s at a million postings). Here
PostgreSQL intersects the postings of each value inside one index (btree_gin lets the
plain columns in beside the arrays) and reads only those: 9–60 ms for the same pages
(jobboard/pagination.py reads a page this way once a bounded count proves the
combination rare). Separate indexes, combined with BitmapAnd, materialise every posting
of each value first: 50–130 ms per filter.
"""

from django.db import migrations

from postings.migrations._postgresql import on_postgresql

FORWARD = """
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX posting_filters_idx ON postings_posting USING gin (
    skill_ids, remote_areas, remote_policy, seniority, employment_type, country
) WHERE status = 'published';
DROP INDEX IF EXISTS posting_skill_ids_idx;
DROP INDEX IF EXISTS posting_remote_areas_idx;
"""
BACKWARD = """
CREATE INDEX posting_skill_ids_idx ON postings_posting USING gin (skill_ids)
 WHERE status = 'published';
CREATE INDEX posting_remote_areas_idx ON postings_posting USING gin (remote_areas)
 WHERE status = 'published';
DROP INDEX IF EXISTS posting_filters_idx;
"""


class Migration(migrations.Migration):
    dependencies = [("postings", "0015_deadlines_confirmed")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
