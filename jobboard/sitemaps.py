"""The sitemap: an index (/sitemap.xml) of sections (/sitemap-<section>.xml), each split
into pages of at most 50,000 URLs, the protocol's limit, so a board of any size fits.

Every section costs a constant number of queries: the index asks each for its size and
its latest change in one aggregate each, never by loading its items.
"""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property

from companies.models import Company
from postings import stats
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
    """Live postings only: the one visibility rule, Posting.objects.live().

    At scale the pages are ranges of ids precomputed with the other market figures
    (postings.stats.sitemap_sections): counting the live postings for the index, and
    OFFSET 800,000 for page 17, would read most of the table on every request."""

    changefreq = "weekly"
    priority = 0.8
    lastmod_field = "updated_at"

    def items(self):
        # A stable order, so that a posting stays on its page between requests.
        return Posting.objects.live().only("slug", "updated_at").order_by("pk")

    @property
    def paginator(self):
        sections = stats.sitemap_sections()
        if sections is None:
            return super().paginator
        return IdRangePaginator(self.items(), sections, per_page=self.limit)

    def get_latest_lastmod(self):
        sections = stats.sitemap_sections()
        if sections is None:
            return super().get_latest_lastmod()
        return max((lastmod for _, lastmod in sections if lastmod), default=None)


class IdRangePaginator(Paginator):
    """What Django's sitemap views ask of a paginator, over precomputed id ranges.

    A Paginator, so that `?p=` is read exactly as on the other sections: not a whole
    number ("abc", "1.0", "1e3", "") or out of range, and the view answers 404."""

    def __init__(self, items, sections, *, per_page):
        super().__init__(items, per_page)
        self.sections = sections

    @cached_property
    def num_pages(self):
        return len(self.sections)

    def page(self, number):
        number = self.validate_number(number)
        items = self.object_list.filter(pk__gte=self.sections[number - 1][0])
        if number < self.num_pages:
            items = items.filter(pk__lt=self.sections[number][0])
        return IdRangePage(items[: self.per_page])


class IdRangePage:
    def __init__(self, object_list):
        self.object_list = object_list


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

    # At scale their number and latest change come with the market figures: the index
    # would otherwise count and scan tens of thousands of companies on every request.
    @property
    def paginator(self):
        paginator = super().paginator
        figures = stats.sitemap_companies()
        if figures is not None:
            paginator.count = figures[0]
        return paginator

    def get_latest_lastmod(self):
        figures = stats.sitemap_companies()
        return super().get_latest_lastmod() if figures is None else figures[1]


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
