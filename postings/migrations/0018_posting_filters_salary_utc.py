"""posting_filters_idx also holds "salary at least" and "open to a UTC offset".

Both are ranges, which a GIN index cannot intersect with the other filters' values. A
rare combination with them (Java, 130,000 a year, open to UTC+1) was read by finding the
57,000 Java postings in the index and comparing each row: 0.27-0.69 s at a million
postings. Keyed here as the steps of 10,000 a salary reaches and the whole hours a range
of offsets touches (postings.models.SalarySteps, UtcHours), the same page is 9 ms: the
index gives the 399 candidates, the rows' exact comparison the 353 matches.
"""

from django.db import migrations

from postings.migrations._postgresql import on_postgresql

# The steps and bounds of postings.models.SALARY_STEP and SALARY_STEPS_UP_TO.
FORWARD = """
CREATE FUNCTION postings_salary_steps(top_salary bigint) RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(SELECT generate_series(10000, least(top_salary, 500000)::integer, 10000));

CREATE FUNCTION postings_utc_hours(lowest integer, highest integer) RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(SELECT generate_series(
    floor(lowest / 60.0)::integer * 60, floor(highest / 60.0)::integer * 60, 60
));

DROP INDEX IF EXISTS posting_filters_idx;
CREATE INDEX posting_filters_idx ON postings_posting USING gin (
    skill_ids, remote_areas, remote_policy, seniority, employment_type, country,
    postings_salary_steps(COALESCE(reference_salary_max, reference_salary_min, 0)),
    postings_utc_hours(remote_utc_offset_min, remote_utc_offset_max)
) WHERE status = 'published';
"""
BACKWARD = """
DROP INDEX IF EXISTS posting_filters_idx;
CREATE INDEX posting_filters_idx ON postings_posting USING gin (
    skill_ids, remote_areas, remote_policy, seniority, employment_type, country
) WHERE status = 'published';
DROP FUNCTION IF EXISTS postings_salary_steps(bigint);
DROP FUNCTION IF EXISTS postings_utc_hours(integer, integer);
"""


class Migration(migrations.Migration):
    dependencies = [("postings", "0017_posting_newest_idx")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
