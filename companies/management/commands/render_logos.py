from django.core.management.base import BaseCommand, CommandError

from companies.models import Company
from jobboard.cache import bump_content_generation


class Command(BaseCommand):
    help = (
        "Render every company's logo at the sizes the pages use (48, 96 and 192 px, WebP and "
        "PNG), or a monogram for companies without a logo. Companies whose sizes are current "
        "are skipped unless --force. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Render again even when the sizes are current."
        )
        parser.add_argument("slugs", nargs="*", help="Only these companies (default: all).")

    def handle(self, *args, force, slugs, **options):
        companies = Company.objects.order_by("pk")
        if slugs:
            companies = companies.filter(slug__in=slugs)
            unknown = set(slugs) - set(companies.values_list("slug", flat=True))
            if unknown:
                raise CommandError(f"No company with the slug: {', '.join(sorted(unknown))}.")
        rendered = current = 0
        failed = []
        for company in companies.iterator(chunk_size=500):
            try:
                if company.render_logo_variants(force=force):
                    rendered += 1
                else:
                    current += 1
            except OSError as error:
                failed.append(company.slug)
                self.stderr.write(f"{company.slug}: {error}")
        if rendered:
            # The new sizes are written with an UPDATE (no post_save): pages that linked
            # the old ones are announced here, not left until they time out.
            bump_content_generation()
        self.stdout.write(
            f"Rendered the logo sizes of {rendered} compan{'y' if rendered == 1 else 'ies'}; "
            f"{current} already current."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} failed (their logo file is missing or unreadable): "
                f"{', '.join(failed)}."
            )
