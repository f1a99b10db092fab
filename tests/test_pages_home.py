"""The home page: search, the skill guides with their open roles, latest openings, who hires."""

import pytest
from django.urls import reverse

from tests import factories
from tests.site_data import HIDDEN_TITLES, build_site, cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return build_site()


def test_home_shows_search_guides_latest_openings_and_hiring_companies(client, site):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{reverse("postings:list")}"' in html and 'name="q"' in html
    for skill in site.skills:
        assert skill.guide.title in html
        assert skill.get_absolute_url() in html
    # Each skill is on 10 of the 30 live postings (two skills per posting, six skills).
    assert html.count("<strong>10</strong> open roles") == len(site.skills)
    assert site.live[0].title in html  # the newest
    assert len(cards(html)) == 8
    for company in site.companies:
        assert company.name in html
    assert "30 open roles at 6 companies" in html


def test_home_hides_postings_that_are_not_live_and_guides_that_are_not_published(client, site):
    unpublished = factories.SkillGuideFactory(title="An unpublished guide", is_published=False)
    factories.LivePostingFactory(skills=[unpublished.skill])

    html = client.get(reverse("home")).content.decode()

    assert "An unpublished guide" not in html
    for title in HIDDEN_TITLES:
        assert title not in html


def test_home_without_content_still_works(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "No open roles right now" in response.content.decode()


def test_home_query_count_is_constant(client, site, django_assert_max_num_queries):
    # The live totals, the skills with counts, the latest cards and their skills, the
    # hiring companies: five queries whether there are 30 postings or 30,000.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("home"))
    assert response.status_code == 200
