"""Small, cheap filters for cards and snapshots.

`naturaltime` and `intcomma` go through translation machinery on every call; a listing
renders them dozens of times, so these do the few cases the site needs directly.
"""

from urllib.parse import urlsplit

from django import template
from django.utils import timezone

from postings.models import _short_amount

register = template.Library()


@register.filter
def posted_ago(moment) -> str:
    """ "today", "yesterday", "3 days ago", "2 weeks ago", "4 months ago"."""
    if moment is None:
        return ""
    days = (timezone.now() - moment).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


@register.filter
def short_amount(amount) -> str:
    """90000 → "90k"; 1250 → "1,250"."""
    return "" if amount is None else _short_amount(int(amount))


@register.filter
def thousands(number) -> str:
    """12345 → "12,345"."""
    return "" if number is None else f"{int(number):,}"


@register.filter
def is_new(moment) -> bool:
    """Published within the last two days: the card shows a "New" badge."""
    return moment is not None and (timezone.now() - moment).days < 2


MONOGRAM_HUES = 8  # .logo--hue-0 … .logo--hue-7 in site.css


@register.filter
def monogram_hue(company_id) -> int:
    """A stable colour per company, so neighbouring monograms are told apart at a glance."""
    return int(company_id or 0) % MONOGRAM_HUES


@register.filter
def domain(url: str) -> str:
    """ "https://www.example.com/careers" → "example.com", for showing a website link."""
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")
