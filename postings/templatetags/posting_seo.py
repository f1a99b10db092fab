"""What search engines and feed readers read from a page, built from postings and their
feeds (the site-wide `canonical_url` and `absolute_url` are in `{% load site %}`).

{% load posting_seo %}
{% listing_canonical_url %}       the listing's URL with its filters in canonical order
{% listing_feed_url "atom" %}     the feed of exactly the listing's current filters
{% posting_jsonld posting %}      JobPosting JSON-LD, for a live posting only
{% skill_breadcrumbs_jsonld skill %}, {% company_breadcrumbs_jsonld company %}
{% website_jsonld %}              WebSite with its SearchAction, for the home page
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from jobboard.seo import base_url, canonical_query
from jobboard.templatetags.site import with_query
from postings import structured_data
from postings.feeds import FEED_PARAMETERS, feed_query

register = template.Library()

# The listing's own parameters: its filters, sort and page. Anything else (utm_source=…)
# is not part of what the page shows.
LISTING_PARAMETERS = [*FEED_PARAMETERS, "sort", "page"]


def jsonld(data):
    """A <script type="application/ld+json"> element. The script is data, never run, so the
    Content-Security-Policy needs no nonce for it; the JSON cannot close the element."""
    # Not HTML-escaped: a script element's text is not HTML, and script_json already
    # spells <, > and & as \u escapes.
    safe_json = mark_safe(structured_data.script_json(data))  # noqa: S308
    return format_html('<script type="application/ld+json">{}</script>', safe_json)


@register.simple_tag(takes_context=True)
def listing_canonical_url(context):
    """The listing's URL with its filters in one order, without empty values, page=1 or
    the default sort: "?type=&skill=go&remote=remote&sort=newest" gives
    "?remote=remote&skill=go"."""
    request = context["request"]
    params = listing_params(context).copy()
    filterset = context.get("filter")
    # The default sort is no part of the URL, nor a sort the search cannot have
    # ("Best match" once the keywords were all read as filters).
    if params.get("sort") == context.get("default_sort") or (
        filterset is not None and params.get("sort") not in (None, filterset.sort_order)
    ):
        params.pop("sort")
    return with_query(request, canonical_query(params, keys=LISTING_PARAMETERS))


def listing_params(context):
    """The listing's search with its keywords' facet words resolved (postings/facets.py):
    the filter's own, read once, on the listing; the request's elsewhere."""
    filterset = context.get("filter")
    return filterset.data if filterset is not None else context["request"].GET


@register.simple_tag(takes_context=True)
def listing_feed_url(context, kind="atom"):
    """The feed of the listing's current filters (not its sort or page), as a site path."""
    query = feed_query(listing_params(context))
    url = reverse(f"feeds:postings-{kind}")
    return f"{url}?{query}" if query else url


@register.simple_tag(takes_context=True)
def posting_jsonld(context, posting):
    # A closed or expired posting carries no JobPosting: Google must drop it from job search.
    if not posting.is_live:
        return ""
    return jsonld(
        structured_data.job_posting_jsonld(posting, base=base_url(context.get("request")))
    )


@register.simple_tag(takes_context=True)
def skill_breadcrumbs_jsonld(context, skill):
    crumbs = structured_data.skill_breadcrumbs(skill)
    return jsonld(
        structured_data.breadcrumb_list_jsonld(crumbs, base=base_url(context.get("request")))
    )


@register.simple_tag(takes_context=True)
def company_breadcrumbs_jsonld(context, company):
    crumbs = structured_data.company_breadcrumbs(company)
    return jsonld(
        structured_data.breadcrumb_list_jsonld(crumbs, base=base_url(context.get("request")))
    )


@register.simple_tag(takes_context=True)
def website_jsonld(context):
    return jsonld(structured_data.website_jsonld(base=base_url(context.get("request"))))
