"""The posting card every list of openings shows (postings/templatetags/posting_cards.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postings.models import Posting
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
    factories.LivePostingFactory(title="Fresh", published_at=timezone.now() - timedelta(hours=3))
    assert "badge--new" in only_card(client)
    Posting.objects.update(published_at=timezone.now() - timedelta(days=3))
    card = only_card(client)
    assert "badge--new" not in card and ">3 days ago</time>" in card


def test_a_card_without_location_leaves_it_out_and_says_pay_is_not_stated(client):
    factories.LivePostingFactory(
        salary_min=None, salary_max=None, salary_currency="", location="", country=""
    )
    card = only_card(client)
    assert '<ul class="card__meta dot-list"><li>Hybrid</li><li>Full-time</li>' in card
    # Pay is the one fact whose absence a card states.
    assert '<li class="card__salary card__salary--none">Pay not stated</li>' in card


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
