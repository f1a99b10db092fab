"""Structured locations and remote eligibility (postings.locations).

- city, region (ISO 3166-2), country (ISO 3166-1) for a posting's place; `remote_from`
  (the areas a remote or hybrid hire may live in) with its array twin `remote_areas` and
  a GIN index of it on PostgreSQL; a range of UTC offsets.
- The listing's two covering indexes are dropped here and built once by postings 0015,
  INCLUDing the new filters' columns (country, "I can work from", "my UTC offset") with
  0015's: built here and again there, a million postings paid for them twice, and this
  migration's UPDATEs maintained them.
- Existing rows: each distinct location text is parsed once (postings.locations.
  parse_location) and its postings updated together. What parses gets its parts; a
  remote role's location naming areas ("Remote (Europe)") gets them as `remote_from`,
  and loses the country it had, which was its company's, not a place of the role (a
  "Remote (Europe)" role at an Italian company had IT). What does not parse stays text
  only: `manage.py unparsed_locations` lists it.

On a large database run `VACUUM (ANALYZE) postings_posting` afterwards (or let
autovacuum catch up), as after migration 0010.
"""

import django.db.models.functions.comparison
import postings.models
from django.db import migrations, models

from postings.locations import parse_location
from postings.migrations._postgresql import on_postgresql

REMOTE_AREAS_GIN = """
CREATE INDEX posting_remote_areas_idx ON postings_posting USING gin (remote_areas)
 WHERE status = 'published';
"""
DROP_REMOTE_AREAS_GIN = "DROP INDEX IF EXISTS posting_remote_areas_idx;"


def parse_existing_locations(apps, schema_editor):
    Posting = apps.get_model("postings", "Posting")
    postgresql = schema_editor.connection.vendor == "postgresql"
    texts = Posting.objects.exclude(location="").values_list("location", flat=True).distinct()
    for text in texts.order_by():
        parsed = parse_location(text)
        if parsed is None:
            continue  # text only; listed by `manage.py unparsed_locations`
        rows = Posting.objects.filter(location=text)
        if parsed.city or parsed.country:
            rows.update(city=parsed.city, region=parsed.region, country=parsed.country)
        else:  # "Remote", "Remote (Europe)": no place, maybe areas
            changes = {"country": "", "remote_from": parsed.areas}
            if postgresql:
                changes["remote_areas"] = parsed.areas.split() or None
            rows.filter(remote_policy="remote").update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0002_company_logo_variants'),
        ('postings', '0013_salary_comparison'),
        ('skills', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='posting',
            name='posting_live_recent_idx',
        ),
        migrations.RemoveIndex(
            model_name='posting',
            name='posting_salary_sort_idx',
        ),
        migrations.AddField(
            model_name='posting',
            name='city',
            field=models.CharField(blank=True, help_text='e.g. Amsterdam.', max_length=100),
        ),
        migrations.AddField(
            model_name='posting',
            name='region',
            field=models.CharField(blank=True, help_text='State or province as an ISO 3166-2 code, e.g. US-CA or CA-ON; leave empty where the country has none that matters.', max_length=6),
        ),
        migrations.AddField(
            model_name='posting',
            name='remote_areas',
            field=postings.models.PostgresArrayField(base_field=models.CharField(max_length=16), blank=True, editable=False, help_text='remote_from as an array; derived on save.', null=True, size=None),
        ),
        migrations.AddField(
            model_name='posting',
            name='remote_from',
            field=models.CharField(blank=True, help_text='Remote and hybrid roles: ISO country codes and named regions (EU, EEA, EUROPE, NORTH-AMERICA, LATIN-AMERICA, AMERICAS, APAC, EMEA) or ANYWHERE, separated by spaces, e.g. “EU CH”. Empty when the employer does not say.', max_length=300, verbose_name='open to hires living in'),
        ),
        migrations.AddField(
            model_name='posting',
            name='remote_utc_offset_max',
            field=models.SmallIntegerField(blank=True, help_text='The easternmost, in minutes (180 for UTC+3).', null=True, verbose_name='UTC offset to'),
        ),
        migrations.AddField(
            model_name='posting',
            name='remote_utc_offset_min',
            field=models.SmallIntegerField(blank=True, help_text='Remote and hybrid roles: the westernmost UTC offset a hire may live at, in minutes east of UTC (−120 for UTC−2, 330 for UTC+5:30). Empty when not stated.', null=True, verbose_name='UTC offset from'),
        ),
        migrations.AlterField(
            model_name='posting',
            name='country',
            field=models.CharField(blank=True, help_text='ISO 3166-1 two-letter code, e.g. NL.', max_length=2),
        ),
        migrations.AlterField(
            model_name='posting',
            name='location',
            field=models.CharField(blank=True, help_text='As the employer wrote it, e.g. "Amsterdam, Netherlands" or "Remote (EU)". Cards and search engines use the city, region and country below when they are set.', max_length=120),
        ),
        migrations.AddIndex(
            model_name='posting',
            index=models.Index(fields=['country'], name='posting_country_idx'),
        ),
        migrations.AddConstraint(
            model_name='posting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('remote_utc_offset_min__isnull', True), ('remote_utc_offset_max__isnull', True)), models.Q(('remote_utc_offset_max__lte', 840), ('remote_utc_offset_min__gte', -720), ('remote_utc_offset_min__lte', models.F('remote_utc_offset_max'))), _connector='OR'), name='posting_utc_offset_range'),
        ),
        migrations.RunPython(
            on_postgresql(REMOTE_AREAS_GIN), on_postgresql(DROP_REMOTE_AREAS_GIN)
        ),
        migrations.RunPython(parse_existing_locations, migrations.RunPython.noop),
    ]
