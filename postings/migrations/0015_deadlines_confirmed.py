"""Deadlines and freshness (postings/deadlines.py).

- Posting.apply_by and apply_by_timezone: an application deadline, as an instant and the
  IANA time zone the employer gave it in. None today.
- Posting.confirmed_at: when the opening was last confirmed open. Existing postings count
  as confirmed when they were published: confirmed_at = published_at (drafts never
  published stay NULL; publishing sets it). Those published more than RECONFIRM_DAYS ago
  stop being live until staff confirm them ("Confirm still open" in the admin).
- live() now reads apply_by and confirmed_at: the listing's two covering indexes (dropped
  by 0014) are built with them and 0014's columns (after the rows are filled, so the
  UPDATE maintains no index of theirs), and a third, posting_closing_soon_idx, serves the "Closing soon" sort.

On a large database the UPDATE rewrites every published posting: run
`VACUUM (ANALYZE) postings_posting` afterwards (or let autovacuum catch up) so that
index-only scans read no rows.
"""

import django.db.models.functions.comparison
import postings.deadlines
from django.db import migrations, models


def confirmed_at_publication(apps, schema_editor):
    Posting = apps.get_model("postings", "Posting")
    Posting.objects.using(schema_editor.connection.alias).filter(
        published_at__isnull=False, confirmed_at__isnull=True
    ).update(confirmed_at=models.F("published_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0002_company_logo_variants'),
        ('postings', '0014_structured_location'),
        ('skills', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='posting',
            name='apply_by',
            field=models.DateTimeField(blank=True, help_text="The employer's application deadline: hidden from job seekers from this moment, and the page says applications closed. Empty when none is given.", null=True),
        ),
        migrations.AddField(
            model_name='posting',
            name='apply_by_timezone',
            field=models.CharField(blank=True, help_text='The IANA time zone the employer gave the deadline in, e.g. Europe/Berlin: pages show the deadline in it. Empty: UTC.', max_length=64, validators=[postings.deadlines.validate_time_zone]),
        ),
        migrations.AddField(
            model_name='posting',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, help_text="When the opening was last confirmed open (the list's “Confirm still open” action). Hidden from job seekers once RECONFIRM_DAYS (45 by default) have passed since. Empty: set when it is saved with a publication date.", null=True),
        ),
        migrations.RunPython(confirmed_at_publication, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='posting',
            index=models.Index(models.OrderBy(models.F('published_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('status', 'published')), include=('expires_at', 'remote_policy', 'seniority', 'employment_type', 'salary_min', 'salary_max', 'reference_salary_min', 'reference_salary_max', 'skill_ids', 'country', 'remote_areas', 'remote_utc_offset_min', 'remote_utc_offset_max', 'apply_by', 'confirmed_at'), name='posting_live_recent_idx'),
        ),
        migrations.AddIndex(
            model_name='posting',
            index=models.Index(models.OrderBy(django.db.models.functions.comparison.Coalesce('reference_salary_max', 'reference_salary_min', models.Value(0)), descending=True), models.OrderBy(models.F('published_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('status', 'published')), include=('expires_at', 'remote_policy', 'seniority', 'employment_type', 'salary_min', 'salary_max', 'reference_salary_min', 'reference_salary_max', 'skill_ids', 'country', 'remote_areas', 'remote_utc_offset_min', 'remote_utc_offset_max', 'apply_by', 'confirmed_at'), name='posting_salary_sort_idx'),
        ),
        migrations.AddIndex(
            model_name='posting',
            index=models.Index(models.OrderBy(models.F('apply_by')), models.OrderBy(models.F('published_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('status', 'published')), include=('expires_at', 'remote_policy', 'seniority', 'employment_type', 'salary_min', 'salary_max', 'reference_salary_min', 'reference_salary_max', 'skill_ids', 'country', 'remote_areas', 'remote_utc_offset_min', 'remote_utc_offset_max', 'confirmed_at'), name='posting_closing_soon_idx'),
        ),
    ]
