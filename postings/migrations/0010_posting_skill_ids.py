"""Posting.skill_ids: the ids of a posting's skills on its own row, kept by PostgreSQL.

A filter by skill used to look up each candidate posting in the links table while the
listing walked its index: thousands of lookups for a rare combination of filters at a
million postings. With the ids in the posting row, and included in the listing's two
indexes, the walk checks them in the index itself.

The database keeps them, as it keeps the search vector (migration 0003):
- a row trigger computes them from the links when a posting is inserted without them,
  and whenever an UPDATE writes a value other than the stored one (a save from Django
  writes back what it read, which another transaction may have changed since: the links
  decide, never the writer);
- the statement triggers on the links, which already mark the postings whose links
  changed (search_vector = NULL), also set skill_ids to NULL, so the row trigger
  recomputes both.
Bulk loaders that set `jobboard.bulk_search_vector` write the ids themselves
(generate_postings) or mark the postings afterwards (the importer).

Filling the column rewrites every posting: on a large database run
`VACUUM (ANALYZE) postings_posting` after migrating (or let autovacuum catch up), or
the listing's index-only scans read the table until it has.
"""

import django.db.models.functions.comparison
from django.db import migrations, models

import postings.models
from postings.migrations._postgresql import on_postgresql

# The links' statement trigger function of migration 0003, marking the postings whose
# links changed; this migration adds `skill_ids` to what it marks.
MARK_POSTINGS = """
CREATE OR REPLACE FUNCTION posting_skills_search_vector_update()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('jobboard.bulk_search_vector', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE postings_posting SET %s
     WHERE id IN (SELECT posting_id FROM changed_links);
    RETURN NULL;
END
$$;
"""

FORWARD = (
    """
CREATE FUNCTION posting_skill_ids_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.skill_ids IS NULL
       OR (TG_OP = 'UPDATE' AND NEW.skill_ids IS DISTINCT FROM OLD.skill_ids) THEN
        NEW.skill_ids := ARRAY(
            SELECT skill_id FROM postings_posting_skills
             WHERE posting_id = NEW.id ORDER BY skill_id
        );
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER posting_skill_ids_update
    BEFORE INSERT OR UPDATE OF skill_ids ON postings_posting
    FOR EACH ROW EXECUTE FUNCTION posting_skill_ids_update();
"""
    + MARK_POSTINGS % "search_vector = NULL, skill_ids = NULL"
    + """
-- Existing postings: the UPDATE fires the row trigger.
UPDATE postings_posting SET skill_ids = NULL;
"""
)

BACKWARD = (
    MARK_POSTINGS % "search_vector = NULL"
    + """
DROP TRIGGER IF EXISTS posting_skill_ids_update ON postings_posting;
DROP FUNCTION IF EXISTS posting_skill_ids_update();
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_company_logo_variants"),
        ("postings", "0009_covering_listing_indexes"),
        ("skills", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="posting",
            name="posting_live_recent_idx",
        ),
        migrations.RemoveIndex(
            model_name="posting",
            name="posting_salary_sort_idx",
        ),
        migrations.AddField(
            model_name="posting",
            name="skill_ids",
            field=postings.models.TriggerKeptArrayField(
                base_field=models.BigIntegerField(),
                blank=True,
                editable=False,
                help_text="Kept current by the database; see with_any_skill().",
                null=True,
                size=None,
            ),
        ),
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD)),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                include=(
                    "expires_at",
                    "remote_policy",
                    "seniority",
                    "employment_type",
                    "salary_min",
                    "salary_max",
                    "skill_ids",
                ),
                name="posting_live_recent_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce(
                        "salary_max", "salary_min", models.Value(0)
                    ),
                    descending=True,
                ),
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                include=(
                    "expires_at",
                    "remote_policy",
                    "seniority",
                    "employment_type",
                    "salary_min",
                    "salary_max",
                    "skill_ids",
                ),
                name="posting_salary_sort_idx",
            ),
        ),
    ]
