"""The home page: search, the skill guides with their open roles, latest openings, who hires."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from jobboard.text import excerpt
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


def test_the_search_asks_what_and_where(client):
    html = client.get(reverse("home")).content.decode()

    form = html.split('<form class="hero-search"', 1)[1].split("</form>", 1)[0]
    # Both labelled, sent to the listing's own filters.
    assert (
        '<label for="home-q">What</label>' in form and 'id="home-q" type="search" name="q"' in form
    )
    assert '<label for="home-location">Where</label>' in form
    assert 'id="home-location" type="text" name="location"' in form


def test_a_search_from_home_finds_openings_by_place(client):
    factories.LivePostingFactory(title="Go in Berlin", location="Berlin, Germany", country="DE")
    factories.LivePostingFactory(title="Go in Lisbon", location="Lisbon, Portugal", country="PT")

    html = client.get(reverse("postings:list"), {"q": "", "location": "berlin"}).content.decode()

    assert "Go in Berlin" in html and "Go in Lisbon" not in html


def test_skill_cards_do_not_repeat_their_title_and_end_at_a_sentence(client):
    guide = factories.SkillGuideFactory(
        title="Mastering backend development",
        skill__name="Backend development",
        lede=DEMO_LEDES["backend-development"],
    )
    factories.LivePostingFactory(skills=[guide.skill])

    html = client.get(reverse("home")).content.decode()

    card = html.split('<article class="skill-card">', 1)[1].split("</article>", 1)[0]
    assert card.count("ackend development") == 1  # the title, not a subtitle too
    assert "Mastering" not in card
    lede = card.split('<p class="skill-card__lede">', 1)[1].split("</p>", 1)[0]
    assert lede == (
        "Backend developers build the servers, APIs, databases and background jobs that "
        "make software work behind the scenes."
    )


DEMO_LEDES = {
    guide["skill"]: guide["lede"]
    for guide in json.loads((Path(settings.BASE_DIR) / "demo" / "content.json").read_text())[
        "guides"
    ]
}


@pytest.mark.parametrize("slug", sorted(DEMO_LEDES))
def test_excerpts_of_the_demo_guides_end_at_a_sentence(slug):
    lede = DEMO_LEDES[slug]
    assert len(lede) > 180  # each is cut

    short = excerpt(lede, 180)

    assert 40 < len(short) <= 180
    assert lede.startswith(short) and short.endswith(".")
    # The next sentence would not have fitted.
    following = re.match(r"\s*[^.!?]*[.!?]", lede[len(short) :])
    assert len(short) + len(following.group()) > 180


def test_an_excerpt_is_the_whole_text_when_it_fits_and_skips_abbreviations():
    assert excerpt("Short and whole. Two sentences.", 180) == "Short and whole. Two sentences."
    text = "Pick a language, e.g. Python or Go. Learn it well before the next one."
    assert excerpt(text, 50) == "Pick a language, e.g. Python or Go."
    # No sentence ends within the length: the last whole word, marked as cut.
    assert excerpt("One sentence that runs on and on for longer than the room", 30) == (
        "One sentence that runs on and …"
    )
