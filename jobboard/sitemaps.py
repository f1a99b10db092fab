"""The sitemap: an index (/sitemap.xml) of sections (/sitemap-<section>.xml), each split
into pages of at most 50,000 URLs, the protocol's limit, so a board of any size fits.

Every section costs a constant number of queries: the index asks each for its size and
its latest change in one aggregate each, never by loading its items. A page of 50,000 URLs
costs no model instance, reverse() or template node per URL either (SectionSitemap,
UrlsetXml): built that way it took 8-11 s at a million postings, and now takes a fraction
of a second.
"""

import functools
import html
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from companies.models import Company
from jobboard.seo import slug_url_maker
from postings import stats
from postings.models import Posting
from skills.models import Skill, SkillGuide

URLS_PER_PAGE = 50_000


def lastmod_from_text(text: str | None) -> datetime | None:
    """The aware datetime that Django would have read from the column, from its text
    (PostgreSQL's ISO output with its offset, SQLite's UTC without one). psycopg reads a
    timestamptz only in the ISO DateStyle too."""
    if text is None:
        return None
    lastmod = datetime.fromisoformat(text)
    return lastmod if lastmod.tzinfo else lastmod.replace(tzinfo=UTC)


class SectionSitemap(Sitemap):
    """A section of model pages; its items are (slug, lastmod) rows of `model`, read as
    values: a model instance per URL cost more than the query."""

    limit = URLS_PER_PAGE

    def rows(self, queryset):
        # The lastmod as text, parsed in get_urls(): Django reads a PostgreSQL timestamptz
        # with a loader written in Python (~10 µs a row, half a second a page).
        lastmod = Cast(self.lastmod_field, output_field=TextField())
        # A stable order, so that an item stays on its page between requests.
        return queryset.values_list("slug", lastmod).order_by("pk")

    def get_urls(self, page=1, site=None, protocol=None):
        """What Django's Sitemap.get_urls() gives for each row (the `url` of its
        sitemap.xml template), in one pass: its per-item calls took seconds a page."""
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        location = slug_url_maker(self.model)
        changefreq = self.changefreq
        priority = "" if self.priority is None else str(self.priority)
        rows = self.paginator.page(page).object_list
        urls = [
            {
                "item": row,
                "location": f"{base}{location(row[0])}",
                "lastmod": lastmod_from_text(row[1]),
                "changefreq": changefreq,
                "priority": priority,
                "alternates": [],
            }
            for row in rows
        ]
        # The newest lastmod, for the view's Last-Modified, when every URL has one.
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls

    def get_latest_lastmod(self):
        # Django's default loads every item to find the newest; one aggregate instead.
        return self.items().aggregate(latest=Max(self.lastmod_field))["latest"]


class PostingSitemap(SectionSitemap):
    """Live postings only: the one visibility rule, Posting.objects.live().

    At scale the pages are ranges of ids precomputed with the other market figures
    (postings.stats.sitemap_sections): counting the live postings for the index, and
    OFFSET 800,000 for page 17, would read most of the table on every request."""

    model = Posting
    changefreq = "weekly"
    priority = 0.8
    lastmod_field = "updated_at"

    def items(self):
        return self.rows(Posting.objects.live())

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

    model = Skill
    changefreq = "weekly"
    priority = 0.7
    lastmod_field = "guide__updated_at"

    def items(self):
        return self.rows(Skill.objects.filter(guide__in=SkillGuide.objects.published()))


class CompanySitemap(SectionSitemap):
    model = Company
    changefreq = "weekly"
    priority = 0.5
    lastmod_field = "updated_at"

    def items(self):
        return self.rows(Company.objects.all())

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


class UrlsetXml:
    """Django's sitemap.xml template (the one django.contrib.sitemaps.views.sitemap
    renders), as a template object that joins strings: the template's nodes, several per
    URL, took seconds for a page of 50,000 URLs. Byte for byte the same XML: the same
    escaping, lastmod as the template's `date:"Y-m-d"` gives it in the current time zone,
    and its {% spaceless %} (tests/test_sitemap.py compares the two)."""

    HEAD = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    TAIL = "\n</urlset>\n"

    def render(self, context=None, request=None):
        text = self.text
        # changefreq and priority: a few values a page, escaped once each.
        constant = functools.cache(text)
        # The date filter's time zone (its `expects_localtime`), looked up once.
        time_zone = timezone.get_current_timezone() if settings.USE_TZ else None
        parts = [self.HEAD]
        for url in context["urlset"]:
            parts += ["<url><loc>", text(url["location"]), "</loc>"]
            if lastmod := url["lastmod"]:
                if isinstance(lastmod, datetime):
                    if time_zone and lastmod.utcoffset() is not None:
                        lastmod = lastmod.astimezone(time_zone)
                    lastmod = lastmod.date()
                # The filter's "Y-m-d": a four-digit year, as isoformat() gives it.
                parts += ["<lastmod>", lastmod.isoformat(), "</lastmod>"]
            if url["changefreq"]:
                parts += ["<changefreq>", constant(url["changefreq"]), "</changefreq>"]
            if url["priority"]:
                parts += ["<priority>", constant(url["priority"]), "</priority>"]
            for alternate in url["alternates"]:
                parts += [
                    f'<xhtml:link rel="alternate" hreflang="{text(alternate["lang_code"])}" ',
                    f'href="{text(alternate["location"])}"/>',
                ]
            parts.append("</url>")
        parts.append(self.TAIL)
        return "".join(parts)

    @staticmethod
    def text(value) -> str:
        # What the template's autoescaping does (conditional_escape), without its lazy
        # wrapper's cost per call.
        return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


SITEMAPS = {
    "pages": PageSitemap,
    "skills": SkillSitemap,
    "companies": CompanySitemap,
    "jobs": PostingSitemap,
}
