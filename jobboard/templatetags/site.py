"""Tags every page may use: `{% load site %}` (registered in settings.TEMPLATES, as
`jobboard` is not an app).

{{ count|thousands }}             12345 → "12,345"
{{ salary|short_amount }}         90000 → "90k"
{{ url|domain }}                  "https://www.example.com/careers" → "example.com"
{{ moment|html_datetime }}        the `datetime` of a <time>
{{ text|excerpt:180 }}            cut at the last sentence end within 180 characters
{% canonical_url %}               this page's URL; of its query string only ?page=N > 1
{% absolute_url path %}           a path (or media URL) made absolute
{% social_meta title=… %}         link previews (OpenGraph, Twitter cards)
{% shared_part "name" %}…{% endshared_part %}   rendered once per content generation
"""

from urllib.parse import urlsplit

from django import template
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from jobboard import amounts, text
from jobboard.cache import cached
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


DEFAULT_DESCRIPTION = "Job openings by skill, with guides to the fields they belong to."


@register.simple_tag(takes_context=True)
def social_meta(
    context,
    title="",
    description="",
    url="",
    og_type="",
    image="",
    image_size="",
    image_alt="",
) -> SafeString:
    """Link previews (OpenGraph, Twitter cards) in <head>. The title defaults to the site's
    name, the description to the site's, the URL to the canonical one; pass `image` (a
    site path or URL, square) with `image_alt`, and `image_size` where known.

    Written here rather than as an included template: on every page, an include with a
    dozen `default` filters cost about a sixth of the base template."""
    site_name = context.get("SITE_NAME", "")
    title = conditional_escape(title or site_name)
    description = conditional_escape(description or DEFAULT_DESCRIPTION)
    url = conditional_escape(url or canonical_url(context))
    lines = [
        "",
        f'<meta property="og:site_name" content="{conditional_escape(site_name)}">',
        f'<meta property="og:type" content="{conditional_escape(og_type or "website")}">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{description}">',
        f'<meta property="og:url" content="{url}">',
        '<meta name="twitter:card" content="summary">',
        f'<meta name="twitter:title" content="{title}">',
        f'<meta name="twitter:description" content="{description}">',
    ]
    if image:
        image_url = conditional_escape(absolute_url(context, image))
        alt = conditional_escape(image_alt)
        size = conditional_escape(image_size)
        lines += [
            f'<meta property="og:image" content="{image_url}">',
            *(
                [
                    f'<meta property="og:image:width" content="{size}">',
                    f'<meta property="og:image:height" content="{size}">',
                ]
                if image_size
                else []
            ),
            f'<meta property="og:image:alt" content="{alt}">',
            f'<meta name="twitter:image" content="{image_url}">',
            f'<meta name="twitter:image:alt" content="{alt}">',
        ]
    return mark_safe("\n  ".join(lines) + "\n  \n")  # noqa: S308 (every value escaped)


@register.tag
def shared_part(parser, token):
    """`{% shared_part "home-guides" %}…{% endshared_part %}`: a part of a page that is the
    same for every visitor until the content changes (figures, lists of skills or
    companies), rendered once per content generation and PAGE_CACHE_SECONDS
    (jobboard.cache.cached) rather than on each request that misses the page cache.

    Only for what depends on nothing but the content and the name: not on the visitor,
    the query string or the clock. What it alone reads is best passed lazily
    (SimpleLazyObject), so that a stored part also spares the queries. A name that is
    empty renders the part afresh: for a part shared only in some states (a guide's
    chips while none is chosen)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the part's name.")
    nodelist = parser.parse(("endshared_part",))
    parser.delete_first_token()
    return SharedPartNode(parser.compile_filter(bits[1]), nodelist)


class SharedPartNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        # Its links start with the script prefix.
        name = self.name.resolve(context)
        if not name:
            return self.nodelist.render(context)
        key = f"template-part:{get_script_prefix()}:{name}"
        return cached(key, lambda: self.nodelist.render(context))
