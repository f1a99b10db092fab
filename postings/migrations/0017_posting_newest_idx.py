"""posting_newest_idx: every posting newest first (the model's ordering), drafts and closed
ones too. The listing's indexes hold published postings only, so the admin's list sorted
every posting for each page (2-9 s at a million postings); it now reads one page of this
index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0003_company_size_band"),
        ("postings", "0016_posting_filters_gin"),
        ("skills", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="posting_newest_idx",
            ),
        ),
    ]
