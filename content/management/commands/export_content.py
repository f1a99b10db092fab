"""Export all skills, guides, companies (with logos) and postings in the import format.

python manage.py export_content export/       # a folder: content.json + logos/
python manage.py export_content export.zip    # the same, as one archive
python manage.py export_content export.json   # one file, the logos inline (base64)
"""

from django.core.management.base import BaseCommand, CommandError

from content.exporter import export_content
from content.sources import ContentError


class Command(BaseCommand):
    help = (
        "Export all content to a folder (content.json + logos/), a .zip when PATH ends in "
        ".zip, or one JSON file with the logos inline when it ends in .json."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder, or a file name ending in .zip or .json")

    def handle(self, *args, path, **options):
        try:
            report = export_content(path=path)
        except ContentError as error:
            raise CommandError(f"Nothing was exported: {error}") from None
        except OSError as error:
            raise CommandError(f"Nothing was exported: {error}") from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(report.summary()))
