"""Import skills, guides, companies and postings from a content file, folder or .zip.

    python manage.py import_content content.json
    python manage.py import_content export/ --dry-run
    python manage.py import_content export.zip

All or nothing: on any invalid record nothing is written and every error is printed on
stderr, naming the record by slug (or title) and its field (`Posting "senior-backend-acme",
salary_max: …`); the exit status is 1.
"""

from django.core.management.base import BaseCommand, CommandError

from content.importer import import_content
from content.sources import ContentError


class Command(BaseCommand):
    help = (
        "Import content (JSON file, folder with content.json and logos/, or a .zip of one): "
        "an upsert by slug, all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="content.json, a folder holding it, or a .zip")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; write nothing."
        )

    def handle(self, *args, path, dry_run, **options):
        try:
            report = import_content(path=path, dry_run=dry_run)
        except ContentError as error:
            count = len(error.errors)
            raise CommandError(
                f"Nothing was imported ({count} error{'s' if count != 1 else ''}):\n{error}"
            ) from None
        self.stdout.write(report.table())
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS("Dry run: the file is valid; nothing was written.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported in {report.seconds:.1f} s."))
