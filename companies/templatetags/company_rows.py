"""The company row of the directory and the home page: `{% load company_rows %}`.

The directory shows 48 rows per request. Through an included template each cost an
`{% include %}`, a dozen variable lookups and filters and a reverse() for its link; built
here in one pass, with one reverse() for all the links, the directory's page at 40,000
companies went from 7.1-9.8 to 4.7-6.4 ms in process (benchmarks/profile_pages.py), the
same HTML but for the whitespace between tags. As the posting cards
(postings/templatetags/posting_cards.py).
"""

from html import escape  # Django's own adds a lazy-string check to each of hundreds of calls

from django import template
from django.utils.safestring import SafeString, mark_safe

from companies.models import Company
from companies.templatetags.company_logos import company_logo
from jobboard.amounts import thousands
from jobboard.seo import slug_url_maker

register = template.Library()


@register.simple_tag
def company_rows(companies) -> SafeString:
    """`<ul class="company-list">{% company_rows companies %}</ul>`: one <li> per company,
    each annotated `open_roles` (postings.stats). The name's link covers the row."""
    url = slug_url_maker(Company)
    return mark_safe(  # noqa: S308 (every value escaped in _row)
        "".join(f"<li>{_row(company, url)}</li>" for company in companies)
    )


def _row(company, url) -> str:
    roles = company.open_roles
    if roles:
        meta = f"{thousands(roles)} open role{'s' if roles != 1 else ''}"
    else:
        meta = "No open roles right now"
    if company.headquarters:
        meta += f" · {escape(company.headquarters)}"
    return (
        f'<article class="company-row">{company_logo(company, 40)}'
        f'<div class="company-row__body"><h3 class="company-row__name">'
        f'<a class="card__link" href="{url(company.slug)}">{escape(company.name)}</a></h3>'
        f'<p class="company-row__meta">{meta}</p></div></article>'
    )
