"""The posting card every list of openings shows: `{% load posting_cards %}`.

Every list of openings (listing, guide, company, home, similar postings) renders twenty
cards per request. Through an included template a card costs ~230 µs (an include, its
`{% with %}`, a nested logo include, a dozen variable lookups and filters); built here
in one pass it costs ~25 µs. `naturaltime` goes through translation machinery on every
call, so `_ago` does the few cases a card needs directly.
"""

from html import escape  # Django's own adds a lazy-string check to each of hundreds of calls

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from companies.templatetags.company_logos import company_logo
from jobboard.templatetags.site import html_datetime
from postings.deadlines import closes_in
from postings.models import Posting

register = template.Library()

CARD_SKILLS = 4  # skill tags shown on a card; the posting page lists them all


@register.simple_tag
def posting_cards(
    postings, hide_company=False, skill=None, compact=False, among=None
) -> SafeString:
    """`<ol class="card-list">{% posting_cards postings %}</ol>`: one <li> per posting.

    Each card is an <article> whose title link covers the whole card (one <a>, no
    nested links). `postings` come from Posting.objects.for_cards(), which fetches
    what a card shows. `hide_company` on a company's own page; `skill` on a skill's
    own page, whose tag every card would repeat; `compact` for a preview (logo, company,
    title, summary). `among`: the list these cards are a part of, which decides the
    "New" badges (below) when they are its first few."""
    now = timezone.now()
    postings = list(postings)
    new = _new_shown(postings if among is None else among, now)
    hidden_skill = getattr(skill, "name", None)
    url = Posting.detail_url_maker()
    return mark_safe(  # noqa: S308 (every value escaped in _card)
        "".join(
            f"<li>{_card(posting, url, hide_company, hidden_skill, compact, new, now)}</li>"
            for posting in postings
        )
    )


def _is_new(posting, now) -> bool:
    """Published within the last two days."""
    return (now - posting.published_at).days < 2


def _new_shown(postings, now) -> bool:
    """Whether "New" badges are shown in a list: only when fewer than half of its cards
    are new. A badge on most cards marks nothing (a quiet board's front page, a list
    sorted newest first on a busy day)."""
    postings = list(postings)
    return 2 * sum(_is_new(posting, now) for posting in postings) < len(postings)


def _card(posting, url, hide_company, hidden_skill, compact, new_shown, now) -> str:
    company = posting.company
    published = posting.published_at
    age = (now - published).days
    new = (
        ' <span class="badge badge--new">New</span>' if new_shown and _is_new(posting, now) else ""
    )
    logo = "" if hide_company else company_logo(company, 48)
    company_name = "" if hide_company else f'<p class="card__company">{escape(company.name)}</p>'
    head = (
        f'{logo}<div class="card__body">{company_name}'
        f'<h3 class="card__title"><a class="card__link" href="{url(posting.slug)}">'
        f"{escape(posting.title)}</a>{new}</h3>"
        f'<p class="card__summary">{escape(posting.summary)}</p>'
    )
    if compact:
        return f'<article class="card card--compact">{head}</div></article>'
    meta = [f"<li>{escape(item)}</li>" for item in stated_facts(posting)]
    salary = "card__salary" if posting.has_salary else "card__salary card__salary--none"
    meta.append(f'<li class="{salary}">{escape(pay_text(posting))}</li>')
    meta.append(f'<li><time datetime="{html_datetime(published)}">{_ago(age)}</time></li>')
    meta += _closing(posting, now)
    skills = [name for name in posting.skill_names if name != hidden_skill][:CARD_SKILLS]
    skill_list = (
        '<ul class="card__skills" aria-label="Skills">'
        + "".join(f"<li>{escape(name)}</li>" for name in skills)
        + "</ul>"
        if skills
        else ""
    )
    return (
        f'<article class="card">{head}'
        f'<ul class="card__meta dot-list">{"".join(meta)}</ul>{skill_list}</div></article>'
    )


def stated_facts(posting) -> list[str]:
    """Place, workplace and employment type, as a card states them: only what the employer
    stated (the alert e-mails list the same facts)."""
    facts = [posting.listed_place, posting.workplace_display]
    facts.append(posting.label_of("employment_type"))
    return [fact for fact in facts if fact]


def pay_text(posting) -> str:
    """The employer's own figure, with the compared one when currency or period differ;
    "Pay not stated" otherwise: pay is the one fact whose absence is news."""
    if not posting.has_salary:
        return "Pay not stated"
    compared = posting.reference_salary_display
    return posting.salary_display + (f" ({compared})" if compared else "")


def _closing(posting, now) -> list[str]:
    """ "Closes in 3 days" in the last week before the application deadline."""
    words = closes_in(posting.apply_by, now)
    if not words:
        return []
    when = html_datetime(posting.apply_by)
    return [f'<li class="card__closing"><time datetime="{when}">{words}</time></li>']


def _ago(days: int) -> str:
    """ "today", "yesterday", "3 days ago", "2 weeks ago", "4 months ago"."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"
