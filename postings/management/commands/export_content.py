"""Export all skills, guides, companies (with logos) and postings in the import format.

python manage.py export_content export/       # a folder: content.json + logos/
python manage.py export_content export.zip    # the same, as one archive
"""

from django.core.management.base import BaseCommand

from jobboard.content_io import export_content


class Command(BaseCommand):
    help = (
        "Export all content to a folder (content.json + logos/), or a .zip when PATH ends in .zip."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder, or a file name ending in .zip")

    def handle(self, *args, path, **options):
        report = export_content(path=path)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(report.summary()))
