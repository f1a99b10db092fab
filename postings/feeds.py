"""Atom and RSS 2.0 feeds of live postings: for any search of the listing, per skill and
per company. A feed of a search is a job alert: a feed reader shows each new match.

Every feed lists at most FEED_LENGTH postings, newest first, in a constant number of
queries. Names, searches and titles reach a reader as the text they are, never as markup:
see PostingsFeed.text. Entry ids are tag: URIs that never change (not even with the slug), and each
entry's updated date is the posting's `updated_at`.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, RssFeed
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from companies.models import Company
from jobboard.seo import canonical_query
from skills.models import Skill

from . import facets
from .filters import PostingFilter, Sort
from .models import NEWEST_FIRST, Posting

FEED_LENGTH = 50
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The listing's parameters that choose postings; a feed is always newest first and whole.
FEED_PARAMETERS = sorted(set(PostingFilter.base_filters) - {"sort"})


@dataclass(frozen=True)
class FeedSource:
    """What one feed follows: a page of the site and the live postings it lists."""

    title: str
    description: str
    link: str
    feed_url: str
    postings: QuerySet


def feed_postings():
    """Live postings with what an entry shows: a card's fields, and more."""
    return Posting.objects.live().for_cards(
        "description_html", "created_at", "updated_at", "company__website"
    )


def filter_listing(params, *, request=None) -> PostingFilter:
    """The listing's own filtering, so that a feed and the listing never disagree.

    Values the listing would reject (salary_min=abc, an unknown skill) are a 400: a feed
    silently widened to every posting would be a wrong job alert.
    """
    filterset = PostingFilter(params, queryset=feed_postings(), request=request)
    if filterset.errors:
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()
        )
        raise BadRequest(f"This search has values the listing does not accept ({problems}).")
    return filterset


def feed_query(params) -> str:
    """The query string, in canonical order, of the feed that follows a listing search:
    its keywords' facet words applied as filters (postings/facets.py), so that "python
    remote" and "?q=python&remote=remote" are one search, with one feed and one alert."""
    return canonical_query(facets.resolve(params).params, keys=FEED_PARAMETERS)


class PostingsFeed(Feed):
    """RSS 2.0 of the newest live postings that match the listing's GET parameters."""

    feed_type = Rss201rev2Feed
    url_name = "feeds:postings-rss"
    item_guid_is_permalink = False

    def get_object(self, request, *args, **kwargs) -> FeedSource:
        params = QueryDict(mutable=True)
        for key in FEED_PARAMETERS:
            params.setlist(key, request.GET.getlist(key))
        # A feed is the newest matches. By relevance (the listing's default with
        # keywords) the filter first reads the ids of the newest RANK_WINDOW matches
        # and then ranks them: a second walk of the search for the same entries.
        params["sort"] = Sort.NEWEST
        filterset = filter_listing(params, request=request)
        query = feed_query(filterset.data)  # resolved once, by the filter
        chips = [chip.label for chip in filterset.active_filters()]
        listing = reverse("postings:list")
        subject = f"{', '.join(chips)} jobs" if chips else "Latest jobs"
        return FeedSource(
            title=f"{subject} — {settings.SITE_NAME}",
            description=(
                f"New openings matching: {', '.join(chips)}."
                if chips
                else f"The newest openings on {settings.SITE_NAME}."
            ),
            link=f"{listing}?{query}" if query else listing,
            feed_url=f"{reverse(self.url_name)}?{query}" if query else reverse(self.url_name),
            postings=filterset.qs,
        )

    def text(self, value: str) -> str:
        """`value`, plain text, for a title or a description of this feed.

        RSS never said whether these hold text or HTML, and readers take them as HTML (a
        description always, a title when it looks like markup): in RSS the text is
        escaped for HTML, then once more for the XML, so `<img>` reaches the reader as
        `&lt;img&gt;` and is shown, not run. Atom says which: its titles are text."""
        value = xml_text(value)
        return escape(value) if issubclass(self.feed_type, RssFeed) else value

    def title(self, source):
        return self.text(source.title)

    def description(self, source):
        return self.text(source.description)

    def link(self, source):
        return source.link

    def feed_url(self, source):
        return source.feed_url

    def items(self, source):
        return source.postings.order_by(*NEWEST_FIRST)[:FEED_LENGTH]

    def item_title(self, posting):
        return self.text(f"{posting.title} at {posting.company.name}")

    def item_description(self, posting):
        facts = [
            posting.listed_place,
            posting.workplace_display,
            posting.get_employment_type_display(),
            posting.salary_display,
        ]
        skills = ", ".join(posting.skill_names)
        html = format_html(
            "<p><strong>{}</strong> · {}</p><p>{}</p>{}{}",
            posting.company.name,
            " · ".join(fact for fact in facts if fact),
            posting.summary,
            # Rendered from Markdown and cleaned with an allow-list when the posting is saved.
            mark_safe(posting.description_html),  # noqa: S308
            format_html("<p>Skills: {}</p>", skills) if skills else "",
        )
        return xml_text(html)

    def item_link(self, posting):
        return posting.get_absolute_url()

    def item_guid(self, posting):
        return posting_tag_uri(posting)

    def item_pubdate(self, posting):
        return posting.published_at

    def item_updateddate(self, posting):
        return posting.updated_at

    # An author and categories are text in RSS (dc:creator, category) and in Atom alike.
    def item_author_name(self, posting):
        return xml_text(posting.company.name)

    def item_author_link(self, posting):
        return posting.company.website or None

    def item_categories(self, posting):
        return [xml_text(name) for name in posting.skill_names]


class PostingsAtomFeed(PostingsFeed):
    feed_type = Atom1Feed
    url_name = "feeds:postings-atom"

    def subtitle(self, source):
        return self.text(source.description)


class SkillPostingsFeed(PostingsFeed):
    """The live postings tagged with one skill: what its guide page lists."""

    url_name = "feeds:skill-rss"

    def get_object(self, request, slug):
        skill = Skill.objects.only("name", "slug").get(slug=slug)  # a 404 when unknown
        return FeedSource(
            title=f"{skill.name} jobs — {settings.SITE_NAME}",
            description=f"New {skill.name} openings on {settings.SITE_NAME}.",
            link=skill.get_absolute_url(),
            feed_url=reverse(self.url_name, kwargs={"slug": slug}),
            postings=feed_postings().for_skill(skill),
        )


class SkillPostingsAtomFeed(SkillPostingsFeed):
    feed_type = Atom1Feed
    url_name = "feeds:skill-atom"
    subtitle = PostingsAtomFeed.subtitle


class CompanyPostingsFeed(PostingsFeed):
    """One company's live postings: what its page lists."""

    url_name = "feeds:company-rss"

    def get_object(self, request, slug):
        company = Company.objects.only("name", "slug").get(slug=slug)  # a 404 when unknown
        return FeedSource(
            title=f"Jobs at {company.name} — {settings.SITE_NAME}",
            description=f"New openings at {company.name} on {settings.SITE_NAME}.",
            link=company.get_absolute_url(),
            feed_url=reverse(self.url_name, kwargs={"slug": slug}),
            postings=feed_postings().for_company(company),
        )


class CompanyPostingsAtomFeed(CompanyPostingsFeed):
    feed_type = Atom1Feed
    url_name = "feeds:company-atom"
    subtitle = PostingsAtomFeed.subtitle


def xml_text(text: str) -> str:
    """`text` without the control characters XML 1.0 cannot carry: a search for "\x01"
    or a title pasted with one must not turn the feed into a 500."""
    return _XML_FORBIDDEN.sub("", text)


def posting_tag_uri(posting) -> str:
    """tag:jobs.example.com,2026-11-25:posting/42 (RFC 4151): the same for the posting's
    whole life, whatever its slug, title or the host a reader fetched the feed from."""
    authority = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"tag:{authority},{posting.created_at:%Y-%m-%d}:posting/{posting.pk}"
