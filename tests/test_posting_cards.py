"""The posting card every list of openings shows (postings/templatetags/posting_cards.py)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from postings.models import Posting
from skills.models import Skill
from tests import factories
from tests.site_data import cards

pytestmark = pytest.mark.django_db


def only_card(client, url="/jobs/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    [card] = cards(response.content.decode())
    return card


def test_a_card_shows_company_title_summary_facts_and_links_to_the_posting(client):
    company = factories.CompanyFactory(name="Acme & Sons")
    posting = factories.LivePostingFactory(
        company=company,
        title="Anvil Engineer",
        summary="Design anvils.",
        location="Berlin, Germany",
        remote_policy="remote",
        employment_type="contract",
        salary_min=90000,
        salary_max=None,
        salary_currency="EUR",
    )

    card = only_card(client)

    assert '<p class="card__company">Acme &amp; Sons</p>' in card
    assert f'<a class="card__link" href="{posting.get_absolute_url()}">Anvil Engineer</a>' in card
    assert '<p class="card__summary">Design anvils.</p>' in card
    assert "<li>Berlin, Germany</li><li>Remote</li><li>Contract</li>" in card
    assert '<li class="card__salary">EUR from 90k per year</li>' in card
    assert (
        f'<time datetime="{posting.published_at.isoformat(timespec="seconds")}">yesterday</time>'
        in card
    )
    # No logo uploaded: the company's monogram, decorative next to its name.
    assert 'aria-hidden="true">AS</span>' in card


def test_a_card_marks_openings_of_the_last_two_days_as_new(client):
    published = timezone.now()
    factories.LivePostingFactory(title="Fresh", published_at=published)
    factories.LivePostingFactory.create_batch(2, published_at=published - timedelta(days=5))

    # One card of three is new: marked.
    with time_machine.travel(published + timedelta(hours=47, minutes=59)):
        html = client.get("/jobs/").content.decode()
    [new] = [card for card in cards(html) if "badge--new" in card]
    assert ">Fresh</a>" in new
    # Two days later it is not.
    with time_machine.travel(published + timedelta(hours=48)):
        assert "badge--new" not in client.get("/jobs/").content.decode()


def test_the_new_badge_is_shown_only_when_fewer_than_half_of_a_list_is_new(client):
    now = timezone.now()
    factories.LivePostingFactory.create_batch(2, published_at=now - timedelta(hours=3))
    older = factories.LivePostingFactory.create_batch(3, published_at=now - timedelta(days=4))

    # Two new of five: marked.
    html = client.get("/jobs/").content.decode()
    assert sum("badge--new" in card for card in cards(html)) == 2
    # Three of six, or every card of a quiet board: a badge on half the list marks nothing.
    factories.LivePostingFactory(published_at=now - timedelta(hours=1))
    assert "badge--new" not in client.get("/jobs/").content.decode()
    Posting.objects.filter(pk__in=[posting.pk for posting in older]).delete()
    assert "badge--new" not in client.get("/jobs/").content.decode()
    # Decided per list: the same postings on a longer list are marked again.
    factories.LivePostingFactory.create_batch(4, published_at=now - timedelta(days=6))
    assert sum("badge--new" in card for card in cards(client.get("/jobs/").content.decode())) == 3


def test_a_card_without_location_leaves_it_out_and_says_pay_is_not_stated(client):
    factories.LivePostingFactory(
        salary_min=None, salary_max=None, salary_currency="", location="", country=""
    )
    card = only_card(client)
    assert '<ul class="card__meta dot-list"><li>Hybrid</li><li>Full-time</li>' in card
    # Pay is the one fact whose absence a card states.
    assert '<li class="card__salary card__salary--none">Pay not stated</li>' in card


def test_a_remote_card_whose_location_says_only_remote_says_it_once(client):
    factories.LivePostingFactory(location="Remote", country="", remote_policy="remote")
    card = only_card(client)
    assert '<ul class="card__meta dot-list"><li>Remote</li><li>Full-time</li>' in card


def test_a_card_shows_at_most_four_skills(client):
    skills = [factories.SkillFactory(name=f"Skill {letter}") for letter in "ABCDEF"]
    factories.LivePostingFactory(skills=skills)
    card = only_card(client)
    assert card.count("<li>Skill ") == 4


def test_a_card_escapes_what_employers_write(client):
    factories.LivePostingFactory(
        title="<script>alert(1)</script>", summary='"><img src=x onerror=alert(1)>'
    )
    card = only_card(client)
    assert "<script>" not in card and "<img src=x" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card


def test_cards_on_a_company_page_leave_out_the_company(client):
    posting = factories.LivePostingFactory()
    card = only_card(client, posting.company.get_absolute_url())
    assert "card__company" not in card and "logo" not in card


def test_a_card_names_its_skills_a_to_z_as_they_are_now(client, settings):
    """From the cached names of all skills and the ids on the posting's row (PostgreSQL),
    or from its links: either way the skills it has now, renamed ones by their new name,
    and one added since the names were cached (no save announces a bulk insert)."""
    settings.PAGE_CACHE_SECONDS = 10  # cached names, as in production
    rust, go = factories.SkillFactory(name="Rust"), factories.SkillFactory(name="Go")
    posting = factories.LivePostingFactory(skills=[rust, go])
    assert skill_tags(only_card(client)) == ["Go", "Rust"]

    go.name = "Golang"
    go.save()
    posting.skills.remove(rust)
    assert skill_tags(only_card(client, "/jobs/?page=1")) == ["Golang"]

    # Written by another process, or in bulk: nothing tells this one's cached names.
    [ada] = Skill.objects.bulk_create([Skill(name="Ada", slug="ada")])
    Posting.skills.through.objects.bulk_create([Posting.skills.through(posting=posting, skill=ada)])
    assert skill_tags(only_card(client, "/jobs/?page=1&again")) == ["Ada", "Golang"]


def skill_tags(card: str) -> list[str]:
    skills = re.search(r'<ul class="card__skills" aria-label="Skills">(.*?)</ul>', card)
    return re.findall(r"<li>([^<]+)</li>", skills[1]) if skills else []
