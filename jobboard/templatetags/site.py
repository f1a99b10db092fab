"""Tags every page may use: `{% load site %}` (registered in settings.TEMPLATES, as
`jobboard` is not an app).

{{ count|thousands }}             12345 → "12,345"
{{ salary|short_amount }}         90000 → "90k"
{{ url|domain }}                  "https://www.example.com/careers" → "example.com"
{{ moment|html_datetime }}        the `datetime` of a <time>
{{ text|excerpt:180 }}            cut at the last sentence end within 180 characters
{% canonical_url %}               this page's URL; of its query string only ?page=N > 1
{% absolute_url path %}           a path (or media URL) made absolute
"""

from urllib.parse import urlsplit

from django import template

from jobboard import amounts, text
from jobboard.seo import absolute_url as make_absolute
from jobboard.seo import base_url, canonical_query

register = template.Library()


@register.filter
def thousands(number) -> str:
    return "" if number is None else amounts.thousands(int(number))


@register.filter
def short_amount(amount) -> str:
    return "" if amount is None else amounts.short_amount(int(amount))


@register.filter
def domain(url: str) -> str:
    """ "https://www.example.com/careers" → "example.com", for showing a website link."""
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")


@register.filter
def excerpt(value: str, length: int) -> str:
    return text.excerpt(value, int(length))


@register.filter
def html_datetime(moment) -> str:
    """A moment as the `datetime` of a <time>: `<time datetime="{{ x|html_datetime }}">`.

    HTML allows at most three digits of a fraction of a second, and `isoformat()` gives
    six whenever there are microseconds (as there are in every `timezone.now()`): the
    W3C checker rejects those. Seconds are finer than any page needs."""
    return "" if moment is None else moment.isoformat(timespec="seconds")


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return make_absolute(str(path), base=base_url(context.get("request")))


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """A paginated page is its own page (page 2 is not page 1), every other parameter
    (utm_source=…, a stray ?) is not part of the page."""
    request = context["request"]
    return with_query(request, canonical_query(request.GET, keys=["page"]))


def with_query(request, query: str) -> str:
    """The request's page as an absolute URL with `query` (may be empty)."""
    url = make_absolute(request.path, base=base_url(request))
    return f"{url}?{query}" if query else url
