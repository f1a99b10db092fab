from django import template
from django.http import QueryDict
from django.urls import reverse

from postings.feeds import feed_query

register = template.Library()


@register.simple_tag(takes_context=True)
def alert_subscribe_url(context, skill=None, company=None, search=None):
    """The subscribe page of a search (a guide's narrowed openings), a skill's openings, a
    company's, or the listing's search."""
    # Each is "" when the include is not given it (an unknown template variable).
    params = context["request"].GET
    if search:
        params = search
    elif skill or company:
        params = QueryDict(mutable=True)
        if skill:
            params["skill"] = skill.slug
        if company:
            params["company"] = company.slug
    query = feed_query(params)
    url = reverse("alerts:subscribe")
    return f"{url}?{query}" if query else url
