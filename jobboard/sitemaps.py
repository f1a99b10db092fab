"""The sitemap: an index (/sitemap.xml) of sections (/sitemap-<section>.xml), each split
into pages of at most 50,000 URLs, the protocol's limit, so a board of any size fits.

Every section costs a constant number of queries: the index asks each for its size and
its latest change in one aggregate each, never by loading its items.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from companies.models import Company
from postings.models import Posting
from skills.models import Skill, SkillGuide

URLS_PER_PAGE = 50_000


class SectionSitemap(Sitemap):
    limit = URLS_PER_PAGE

    def get_latest_lastmod(self):
        # Django's default loads every item to find the newest; one aggregate instead.
        return self.items().aggregate(latest=Max(self.lastmod_field))["latest"]

    def lastmod(self, item):
        for name in self.lastmod_field.split("__"):
            item = getattr(item, name)
        return item


class PostingSitemap(SectionSitemap):
    """Live postings only: the one visibility rule, Posting.objects.live()."""

    changefreq = "weekly"
    priority = 0.8
    lastmod_field = "updated_at"

    def items(self):
        # A stable order, so that a posting stays on its page between requests.
        return Posting.objects.live().only("slug", "updated_at").order_by("pk")


class SkillSitemap(SectionSitemap):
    """Skills with a published guide: the pages that have something to read."""

    changefreq = "weekly"
    priority = 0.7
    lastmod_field = "guide__updated_at"

    def items(self):
        return (
            Skill.objects.filter(guide__in=SkillGuide.objects.published())
            .select_related("guide")
            .only("slug", "guide__updated_at")
            .order_by("pk")
        )


class CompanySitemap(SectionSitemap):
    changefreq = "weekly"
    priority = 0.5
    lastmod_field = "updated_at"

    def items(self):
        return Company.objects.only("slug", "updated_at").order_by("pk")


class PageSitemap(Sitemap):
    """The home page and the three lists; they change whenever a posting goes live."""

    changefreq = "daily"
    priority = 1.0
    names = ["home", "postings:list", "skills:list", "companies:list"]

    def items(self):
        return self.names

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        if not hasattr(self, "_latest"):
            self._latest = Posting.objects.live().aggregate(latest=Max("published_at"))["latest"]
        return self._latest


SITEMAPS = {
    "pages": PageSitemap,
    "skills": SkillSitemap,
    "companies": CompanySitemap,
    "jobs": PostingSitemap,
}
