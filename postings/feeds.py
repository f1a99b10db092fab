"""Atom and RSS 2.0 feeds of live postings: for any search of the listing, per skill and
per company. A feed of a search is a job alert: a feed reader shows each new match.

Every feed lists at most FEED_LENGTH postings, newest first, in a constant number of
queries. Names, searches and titles reach a reader as the text they are, never as markup:
see PostingsFeed.text. Entry ids are tag: URIs that never change (not even with the slug), and each
entry's updated date is the posting's `updated_at`.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from html import escape  # Django's adds a lazy-string check to each of a feed's 200 calls
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import add_domain
from django.core.exceptions import BadRequest, ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.feedgenerator import rfc2822_date, rfc3339_date
from django.utils.http import http_date
from django.utils.translation import get_language

from companies.models import Company
from jobboard.seo import canonical_query
from skills.models import Skill

from . import facets
from .filters import PostingFilter, Sort
from .models import NEWEST_FIRST, Posting

FEED_LENGTH = 50
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
ATOM_NS = "http://www.w3.org/2005/Atom"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
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


class PostingsFeed:
    """RSS 2.0 of the newest live postings that match the listing's GET parameters.

    The XML is written in one pass over the postings, to the bytes Django's syndication
    framework (django.contrib.syndication, django.utils.feedgenerator) writes for the
    same feed: that framework looks up each of seventeen attributes of every entry by
    introspection, copies the entries into dicts and writes through a SAX generator:
    a third of a feed request's function calls (79,700 of them, 54,600 without it).
    """

    content_type = "application/rss+xml; charset=utf-8"
    url_name = "feeds:postings-rss"

    def __call__(self, request, *args, **kwargs):
        try:
            source = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("Feed object does not exist.") from None
        postings = list(source.postings.order_by(*NEWEST_FIRST)[:FEED_LENGTH])
        # The feed's date and Last-Modified: its newest entry's (feedgenerator's
        # latest_post_date), so that a conditional GET of an unchanged feed gets a 304.
        dates = [date for p in postings for date in (p.updated_at, p.published_at) if date]
        updated = max(dates, default=None) or datetime.now(tz=UTC)
        domain, secure = get_current_site(request).domain, request.is_secure()
        # What add_domain() gives for each entry's path, its scheme and host made once: a
        # path from reverse() is a URI already, which add_domain's iri_to_uri() keeps.
        site = add_domain(domain, "/", secure).removesuffix("/")
        url = Posting.detail_url_maker()
        tag_uri = posting_tag_uri_maker()
        entries = [
            self.entry(
                posting,
                link=f"{site}{url(posting.slug)}",
                author_link=iri_to_uri(posting.company.website or None),
                tag_uri=tag_uri(posting),
            )
            for posting in postings
        ]
        document = self.document(
            source,
            link=add_domain(domain, source.link, secure),
            feed_url=add_domain(domain, source.feed_url, secure),
            updated=updated,
            entries=entries,
        )
        response = HttpResponse(
            "".join(document).encode("utf-8", "xmlcharrefreplace"),
            content_type=self.content_type,
        )
        response.headers["Last-Modified"] = http_date(updated.timestamp())
        return response

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
        return escape(xml_text(value))

    def entry(self, posting, *, link: str, author_link: str | None, tag_uri: str) -> list[str]:
        # An author and categories are text in RSS (dc:creator, category) and in Atom alike.
        author = xml_text(posting.company.name)
        parts = [
            "<item>",
            element("title", self.text(f"{posting.title} at {posting.company.name}")),
            element("link", link),
            element("description", entry_description(posting)),
        ]
        if author:
            parts.append(element("dc:creator", author, {"xmlns:dc": DUBLIN_CORE}))
        parts.append(element("pubDate", rfc2822_date(posting.published_at)))
        parts.append(element("guid", tag_uri, {"isPermaLink": "false"}))
        parts.extend(element("category", xml_text(name)) for name in posting.skill_names)
        parts.append("</item>")
        return parts

    def document(self, source, *, link, feed_url, updated, entries) -> list[str]:
        parts = [
            XML_DECLARATION,
            start_tag("rss", {"version": "2.0", "xmlns:atom": ATOM_NS}),
            "<channel>",
            element("title", self.text(source.title)),
            element("link", link),
            element("description", self.text(source.description)),
            element("atom:link", "", {"href": feed_url, "rel": "self"}),
            element("language", get_language()),
            element("lastBuildDate", rfc2822_date(updated)),
        ]
        for entry in entries:
            parts.extend(entry)
        parts.append("</channel></rss>")
        return parts


class AtomFeed:
    """The Atom 1.0 form of a feed (RFC 4287), first among the bases of a feed class."""

    content_type = "application/atom+xml; charset=utf-8"

    def text(self, value: str) -> str:
        return xml_text(value)

    def entry(self, posting, *, link: str, author_link: str | None, tag_uri: str) -> list[str]:
        # The elements whose attributes are constant are written as `element` writes them
        # (attributes in name order), without sorting and quoting them for each entry.
        parts = [
            "<entry>",
            element("title", self.text(f"{posting.title} at {posting.company.name}")),
            f'<link href={quoteattr(link)} rel="alternate"/>',
            element("published", rfc3339_date(posting.published_at)),
            element("updated", rfc3339_date(posting.updated_at)),
            "<author>",
            element("name", xml_text(posting.company.name)),
        ]
        if author_link is not None:
            parts.append(element("uri", author_link))
        parts.append("</author>")
        parts.append(element("id", tag_uri))
        # Never empty: it starts with the company's name in <strong>.
        parts.append(f'<summary type="html">{xml_escape(entry_description(posting))}</summary>')
        parts.extend(atom_category(name) for name in posting.skill_names)
        parts.append("</entry>")
        return parts

    def document(self, source, *, link, feed_url, updated, entries) -> list[str]:
        parts = [
            XML_DECLARATION,
            start_tag("feed", {"xml:lang": get_language(), "xmlns": ATOM_NS}),
            element("title", self.text(source.title)),
            element("link", "", {"href": link, "rel": "alternate"}),
            element("link", "", {"href": feed_url, "rel": "self"}),
            element("id", link),
            element("updated", rfc3339_date(updated)),
            element("subtitle", self.text(source.description)),
        ]
        for entry in entries:
            parts.extend(entry)
        parts.append("</feed>")
        return parts


class PostingsAtomFeed(AtomFeed, PostingsFeed):
    url_name = "feeds:postings-atom"


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


class SkillPostingsAtomFeed(AtomFeed, SkillPostingsFeed):
    url_name = "feeds:skill-atom"


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


class CompanyPostingsAtomFeed(AtomFeed, CompanyPostingsFeed):
    url_name = "feeds:company-atom"


@lru_cache(maxsize=1024)
def atom_category(name: str) -> str:
    """<category term="…"/>: the skills are a few hundred names, in every feed."""
    return element("category", "", {"term": xml_text(name)})


def entry_description(posting) -> str:
    """An entry's HTML: the card's facts, the summary, the description and the skills."""
    facts = [
        posting.listed_place,
        posting.workplace_display,
        posting.label_of("employment_type"),
        posting.salary_display,
    ]
    skills = ", ".join(posting.skill_names)
    # What format_html("<p><strong>{}</strong> · {}</p><p>{}</p>{}{}", …) wrote, without
    # its per-call overhead (fifty entries); the description is rendered from Markdown
    # and cleaned with an allow-list when the posting is saved.
    html = (
        f"<p><strong>{escape(posting.company.name)}</strong> · "
        f"{escape(' · '.join(fact for fact in facts if fact))}</p>"
        f"<p>{escape(posting.summary)}</p>{posting.description_html}"
    )
    if skills:
        html += f"<p>Skills: {escape(skills)}</p>"
    return xml_text(html)


def start_tag(name: str, attributes: dict) -> str:
    """An element's start tag, its attributes in name order (SimplerXMLGenerator's)."""
    pairs = "".join(f" {key}={quoteattr(attributes[key])}" for key in sorted(attributes))
    return f"<{name}{pairs}>"


def element(name: str, text: str, attributes: dict | None = None) -> str:
    """An element holding `text` (escaped), empty as <name/>, as SimplerXMLGenerator
    writes it with short_empty_elements."""
    start = start_tag(name, attributes) if attributes else f"<{name}>"
    return f"{start}{xml_escape(text)}</{name}>" if text else f"{start[:-1]}/>"


def xml_text(text: str) -> str:
    """`text` without the control characters XML 1.0 cannot carry: a search for "\x01"
    or a title pasted with one must not turn the feed into a 500."""
    return _XML_FORBIDDEN.sub("", text)


def posting_tag_uri_maker():
    """A function giving a posting's entry id, tag:jobs.example.com,2026-11-25:posting/42
    (RFC 4151): the same for the posting's whole life, whatever its slug, title or the
    host a reader fetched the feed from. One per feed: the site's authority is read once."""
    authority = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return lambda posting: f"tag:{authority},{posting.created_at.date()}:posting/{posting.pk}"
