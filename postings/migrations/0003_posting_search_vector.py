"""Full-text search: `Posting.search_vector`, kept current by PostgreSQL, and its GIN index.

Why triggers and not a generated column: the document includes the company's name and
the names of the posting's skills, which live in other tables, and a generated column
may only read its own row. Why not `save()`: skills are attached after the row is saved
(`posting.skills.add()`), and a company rename must reach all of its postings; the
database sees every one of those writes, including admin bulk actions and raw SQL.

- BEFORE INSERT/UPDATE OF title, summary, description, company_id, search_vector on
  postings computes the vector. Status-only updates (publish, close, extend) skip it.
- Statement-level triggers on the skills link table, on company renames and on skill
  renames mark the affected postings (`SET search_vector = NULL`), which fires the
  first trigger. A statement-level trigger recomputes each posting once however many
  skills `skills.add()` attaches.
- `generate_postings` sets `jobboard.bulk_search_vector = on` for its transaction and
  writes the vectors itself: `posting_search_head()` per posting, concatenated with
  `posting_search_body()` computed once per distinct description, which is exactly
  `posting_search_document()`. Per-row triggers would cost more than the load.

The weights follow the ranking: title A, skills and company B, summary C, description D.
SQLite gets the column (always NULL) and none of this: search() falls back to icontains.
"""

import django.contrib.postgres.search
from django.db import migrations

from postings.migrations._postgresql import on_postgresql

FORWARD = """
CREATE FUNCTION posting_search_head(
    title text, summary text, company_name text, skill_names text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english',
                                 coalesce(skill_names, '') || ' ' || coalesce(company_name, '')), 'B')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'C')
$$;

CREATE FUNCTION posting_search_body(description text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english', coalesce(description, '')), 'D')
$$;

CREATE FUNCTION posting_search_document(
    title text, summary text, description text, company_name text, skill_names text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT posting_search_head(title, summary, company_name, skill_names)
        || posting_search_body(description)
$$;

CREATE FUNCTION posting_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('jobboard.bulk_search_vector', true) = 'on' THEN
        RETURN NEW;
    END IF;
    NEW.search_vector := posting_search_document(
        NEW.title, NEW.summary, NEW.description,
        (SELECT c.name FROM companies_company c WHERE c.id = NEW.company_id),
        (SELECT string_agg(s.name, ' ' ORDER BY s.name)
           FROM postings_posting_skills ps JOIN skills_skill s ON s.id = ps.skill_id
          WHERE ps.posting_id = NEW.id)
    );
    RETURN NEW;
END
$$;

CREATE TRIGGER posting_search_vector_update
    BEFORE INSERT OR UPDATE OF title, summary, description, company_id, search_vector
    ON postings_posting
    FOR EACH ROW EXECUTE FUNCTION posting_search_vector_update();

-- Link rows are only ever inserted and deleted by Django, never updated.
CREATE FUNCTION posting_skills_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('jobboard.bulk_search_vector', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE postings_posting SET search_vector = NULL
     WHERE id IN (SELECT posting_id FROM changed_links);
    RETURN NULL;
END
$$;

CREATE TRIGGER posting_skills_added_search_vector
    AFTER INSERT ON postings_posting_skills REFERENCING NEW TABLE AS changed_links
    FOR EACH STATEMENT EXECUTE FUNCTION posting_skills_search_vector_update();

CREATE TRIGGER posting_skills_removed_search_vector
    AFTER DELETE ON postings_posting_skills REFERENCING OLD TABLE AS changed_links
    FOR EACH STATEMENT EXECUTE FUNCTION posting_skills_search_vector_update();

CREATE FUNCTION company_name_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE postings_posting SET search_vector = NULL WHERE company_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER company_name_search_vector
    AFTER UPDATE OF name ON companies_company
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION company_name_search_vector_update();

-- Renaming a popular skill rewrites the vectors of all its postings: rare, and correct.
CREATE FUNCTION skill_name_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE postings_posting SET search_vector = NULL
     WHERE id IN (SELECT posting_id FROM postings_posting_skills WHERE skill_id = NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER skill_name_search_vector
    AFTER UPDATE OF name ON skills_skill
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION skill_name_search_vector_update();

CREATE INDEX posting_search_idx ON postings_posting USING gin (search_vector);

-- Existing postings: the UPDATE fires the row trigger.
UPDATE postings_posting SET search_vector = NULL;
"""

BACKWARD = """
DROP INDEX IF EXISTS posting_search_idx;
DROP TRIGGER IF EXISTS skill_name_search_vector ON skills_skill;
DROP FUNCTION IF EXISTS skill_name_search_vector_update();
DROP TRIGGER IF EXISTS company_name_search_vector ON companies_company;
DROP FUNCTION IF EXISTS company_name_search_vector_update();
DROP TRIGGER IF EXISTS posting_skills_removed_search_vector ON postings_posting_skills;
DROP TRIGGER IF EXISTS posting_skills_added_search_vector ON postings_posting_skills;
DROP FUNCTION IF EXISTS posting_skills_search_vector_update();
DROP TRIGGER IF EXISTS posting_search_vector_update ON postings_posting;
DROP FUNCTION IF EXISTS posting_search_vector_update();
DROP FUNCTION IF EXISTS posting_search_document(text, text, text, text, text);
DROP FUNCTION IF EXISTS posting_search_body(text);
DROP FUNCTION IF EXISTS posting_search_head(text, text, text, text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("postings", "0002_content_editors_group"),
        ("companies", "0001_initial"),
        ("skills", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="posting",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, help_text="Kept current by the database; see search().", null=True
            ),
        ),
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
    ]
