"""What search engines and feed readers need beyond the pages: absolute URLs, one
canonical query string per listing, and /robots.txt."""

from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


def base_url(request=None) -> str:
    """ "https://jobs.example.com": the request's scheme and host, else settings.SITE_URL."""
    if request is None:
        return settings.SITE_URL
    return f"{request.scheme}://{request.get_host()}"


def slug_url_maker(model):
    """A function giving what `model(slug=slug).get_absolute_url()` gives, from one
    reverse() for a whole list of objects rather than one per object (~20 µs each). Make
    one per request, not per process: the script prefix belongs to the request."""
    before, after = model(slug="slug").get_absolute_url().rsplit("slug", 1)
    # The quoting reverse() applies; a slug's characters (ASCII letters, digits, - and _)
    # are all kept as they are.
    return lambda slug: f"{before}{quote(slug, safe='')}{after}"


def absolute_url(url: str, *, base: str) -> str:
    """A site path made absolute; URLs that already are (media on a CDN) pass through."""
    return url if "://" in url else f"{base}{url}"


def canonical_query(params: QueryDict, *, keys: Iterable[str]) -> str:
    """One query string per meaning: only `keys`, no empty or repeated values, no page=1,
    keys and values sorted. "?type=&skill=go&skill=python" and "?skill=python&skill=go"
    both give "skill=go&skill=python"."""
    pairs = sorted(
        {(key, value.strip()) for key in set(keys) for value in params.getlist(key)}
        - {(key, "") for key in keys}
        - {("page", "1")}
    )
    return urlencode(pairs)


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    """Crawlers read the guides, companies, postings and the plain listing with its pages,
    and leave alone the endless filter combinations and their feeds."""
    listing = reverse("postings:list")
    lines = [
        "User-agent: *",
        # Any query string on the listing is a filter combination...
        f"Disallow: {listing}?",
        # ...except the plain listing's own pages ("?page=2"). Google applies the longest
        # matching rule, so the next line wins for "?page=2" and the one after it for
        # "?page=2&skill=go".
        f"Allow: {listing}?page=",
        f"Disallow: {listing}?page=*&",
        f"Disallow: {reverse('feeds:postings-atom')}?",
        f"Disallow: {reverse('feeds:postings-rss')}?",
    ]
    if settings.ADMIN_URL == "admin/":
        # A custom ADMIN_URL is kept out of the file that every scanner reads first; the
        # admin's pages carry <meta name="robots" content="NONE,NOARCHIVE"> anyway.
        lines.append(f"Disallow: /{settings.ADMIN_URL}")
    lines += ["", f"Sitemap: {absolute_url(reverse('sitemap'), base=base_url(request))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
