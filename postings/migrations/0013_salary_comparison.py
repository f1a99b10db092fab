"""Salaries compared in one currency and one period (postings/salaries.py).

- ExchangeRate: the rates in force, per unit of the reference currency.
- Posting.reference_salary_min and _max: the salary in the reference currency a year.
  Filled here for the postings in the reference currency (no rate needed); the others
  stay NULL, compared nowhere, until rates are applied (`manage.py load_exchange_rates`
  or an ExchangeRate saved in the admin).
- The listing's two indexes are rebuilt: the salary sort's key is the compared top
  (top_salary()), and both carry the compared columns, which "Salary at least" reads.
- An index on salary_currency: applying a currency's rate finds its postings with it.
- "week" joins the salary periods.

On a large database, filling the columns rewrites the reference currency's postings: run
`VACUUM (ANALYZE) postings_posting` afterwards (or let autovacuum catch up).
"""

from decimal import Decimal

import django.core.validators
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Cast

# postings.salaries.PERIOD_FACTORS as this migration was written (week had no postings).
PERIOD_FACTORS = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}


def compare_reference_currency_postings(apps, schema_editor):
    Posting = apps.get_model("postings", "Posting")

    def yearly(column):
        # bigint: an hourly amount times 2080 may not fit an integer column.
        amount = Cast(models.F(column), models.BigIntegerField())
        return models.Case(
            *(
                models.When(salary_period=period, then=amount * factor)
                for period, factor in PERIOD_FACTORS.items()
            ),
            default=models.Value(None),
            output_field=models.BigIntegerField(),
        )

    reference = settings.SALARY_REFERENCE_CURRENCY.upper()
    Posting.objects.using(schema_editor.connection.alias).filter(salary_currency=reference).update(
        reference_salary_min=yearly("salary_min"), reference_salary_max=yearly("salary_max")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_company_logo_variants"),
        ("postings", "0012_unstated_facts"),
        ("skills", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExchangeRate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        help_text="ISO 4217 code, e.g. USD.", max_length=3, unique=True
                    ),
                ),
                (
                    "rate",
                    models.DecimalField(
                        decimal_places=10,
                        help_text="Units of this currency for one unit of the reference currency: 1.0512 for USD when the reference currency is EUR means €1 = $1.0512.",
                        max_digits=20,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.000001"))],
                    ),
                ),
                ("date", models.DateField(help_text="The day the rate was published.")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        help_text="Where the rate comes from, e.g. a URL.",
                        max_length=200,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["currency"],
                "get_latest_by": "date",
            },
        ),
        migrations.RemoveConstraint(
            model_name="posting",
            name="posting_salary_period_valid",
        ),
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
            name="reference_salary_max",
            field=models.BigIntegerField(
                blank=True,
                editable=False,
                help_text="The top of the salary in the reference currency a year; derived.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="posting",
            name="reference_salary_min",
            field=models.BigIntegerField(
                blank=True,
                editable=False,
                help_text="The bottom of the salary in the reference currency a year; derived.",
                null=True,
            ),
        ),
        migrations.RunPython(compare_reference_currency_postings, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="posting",
            name="salary_period",
            field=models.CharField(
                choices=[
                    ("year", "per year"),
                    ("month", "per month"),
                    ("week", "per week"),
                    ("day", "per day"),
                    ("hour", "per hour"),
                ],
                default="year",
                max_length=5,
            ),
        ),
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
                    "reference_salary_min",
                    "reference_salary_max",
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
                        "reference_salary_max", "reference_salary_min", models.Value(0)
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
                    "reference_salary_min",
                    "reference_salary_max",
                    "skill_ids",
                ),
                name="posting_salary_sort_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["salary_currency"], name="posting_salary_currency_idx"),
        ),
        migrations.AddConstraint(
            model_name="posting",
            constraint=models.CheckConstraint(
                condition=models.Q(("salary_period__in", ["year", "month", "week", "day", "hour"])),
                name="posting_salary_period_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="exchangerate",
            constraint=models.CheckConstraint(
                condition=models.Q(("rate__gt", 0)), name="exchange_rate_positive"
            ),
        ),
    ]
