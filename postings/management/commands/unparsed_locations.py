from django.core.management.base import BaseCommand
from django.db.models import Count

from postings.locations import parse_location
from postings.models import Posting


class Command(BaseCommand):
    help = (
        "List the location texts that have no structured place: postings with a location "
        "but no city, country or areas, grouped by text, most postings first, with whether "
        "the text would parse (postings.locations.parse_location). Staff set the city, "
        "region and country (or, for remote roles, where a hire may live) in the admin."
    )

    def handle(self, *args, verbosity, **options):
        unplaced = (
            Posting.objects.exclude(location="")
            .filter(city="", country="", remote_from="")
            .values("location")
            .annotate(postings=Count("pk"))
            .order_by("-postings", "location")
        )
        total = 0
        for row in unplaced:
            total += row["postings"]
            note = "parses" if parse_location(row["location"]) else "does not parse"
            self.stdout.write(f"{row['postings']:>7}  {row['location']}  ({note})")
        if verbosity:
            self.stdout.write(
                f"{total} posting{'s' if total != 1 else ''} without a structured place."
            )
