"""The skill pages: the list of guides and the guide page with its live openings."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from postings import stats
from postings.models import Posting
from tests import factories
from tests.site_data import HIDDEN_TITLES, build_site, cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return build_site()


def test_skill_list_shows_guides_with_open_roles(client, site):
    without_guide = factories.SkillFactory(name="Tag without guide", slug="tag-without-guide")
    factories.LivePostingFactory(skills=[without_guide])
    unpublished = factories.SkillGuideFactory(title="A draft guide", is_published=False)

    response = client.get(reverse("skills:list"))

    assert response.status_code == 200
    html = response.content.decode()
    for skill in site.skills:
        assert skill.guide.title in html
    assert html.count("<strong>10</strong> open roles") == len(site.skills)
    assert "A draft guide" not in html
    # Skills without a published guide but with openings are listed under the guides.
    assert "Tag without guide" in html and without_guide.get_absolute_url() in html
    assert unpublished.skill.name not in html  # no guide shown and no open roles


def test_skill_page_shows_the_guide(client, site):
    skill = site.skills[0]

    response = client.get(skill.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f"<h1>{skill.guide.title}</h1>" in html
    assert skill.guide.lede in html
    assert skill.guide.body_html in html
    # The table of contents links to the article's headings.
    for entry in skill.guide.toc:
        assert f'href="#{entry["id"]}"' in html
        assert f'id="{entry["id"]}"' in html
    assert f"{skill.guide.reading_minutes} min read" in html
    assert "10 open roles" in html
    assert f'datetime="{skill.guide.updated_at.isoformat(timespec="seconds")}"' in html
    assert f"Job openings for {skill.name}" in html


def test_skill_page_lists_only_live_postings_tagged_with_the_skill_newest_first(client, site):
    skill = site.skills[0]
    factories.LivePostingFactory(title="Untagged live role")
    expected = [posting.title for posting in site.live if skill in posting.skills.all()]

    html = client.get(skill.get_absolute_url()).content.decode()

    shown = [title for card in cards(html) for title in [_title(card)]]
    assert shown == expected
    assert "Untagged live role" not in html
    for title in HIDDEN_TITLES:
        assert title not in html
    assert f'href="{reverse("postings:list")}?skill={skill.slug}"' in html


def test_skill_page_shows_at_most_20_openings_and_links_to_all_of_them(client):
    skill = factories.SkillGuideFactory().skill
    factories.LivePostingFactory.create_batch(23, skills=[skill])

    html = client.get(skill.get_absolute_url()).content.decode()

    assert len(cards(html)) == 20
    assert f"See all 23 {skill.name} openings" in html


def test_market_snapshot(client):
    skill = factories.SkillGuideFactory(skill__name="Rust", skill__slug="rust").skill
    other = factories.SkillFactory(name="WebAssembly", slug="webassembly")
    rare = factories.SkillFactory(name="Embedded", slug="embedded")
    big = factories.CompanyFactory(name="Big Co", slug="big-co")
    small = factories.CompanyFactory(name="Small Co", slug="small-co")
    live = factories.LivePostingFactory
    live(
        company=big,
        skills=[skill, other],
        remote_policy=Posting.RemotePolicy.REMOTE,
        salary_min=50000,
        salary_max=70000,
        salary_currency="EUR",
    )
    live(
        company=big,
        skills=[skill, other],
        remote_policy=Posting.RemotePolicy.REMOTE,
        salary_min=90000,
        salary_max=None,
        salary_currency="EUR",
    )
    live(
        company=big,
        skills=[skill, rare],
        remote_policy=Posting.RemotePolicy.ONSITE,
        salary_min=None,
        salary_max=None,
        salary_currency="",
    )
    live(
        company=small,
        skills=[skill],
        remote_policy=Posting.RemotePolicy.HYBRID,
        salary_min=40000,
        salary_max=60000,
        salary_currency="GBP",
    )
    # Not live, or not this skill: not counted.
    factories.ExpiredPostingFactory(company=small, skills=[skill, rare])
    factories.LivePostingFactory(company=small, skills=[other])

    snapshot = stats.skill_snapshot(skill)

    assert snapshot.open_roles == 4
    assert snapshot.remote_percent == 50
    ranges = {(r.currency, r.period): (r.low, r.high, r.roles) for r in snapshot.salary_ranges}
    assert ranges == {
        ("EUR", Posting.SalaryPeriod.YEAR): (50000, 90000, 2),
        ("GBP", Posting.SalaryPeriod.YEAR): (40000, 60000, 1),
    }
    assert [(c.name, c.open_roles) for c in snapshot.top_companies] == [
        ("Big Co", 3),
        ("Small Co", 1),
    ]
    assert [(s.name, s.shared_roles) for s in snapshot.related_skills] == [
        ("WebAssembly", 2),
        ("Embedded", 1),
    ]
    html = client.get(skill.get_absolute_url()).content.decode()
    assert "Market snapshot" in html
    assert "50%" in html
    assert "EUR 50k–90k" in html and "GBP 40k–60k" in html
    assert big.get_absolute_url() in html and other.get_absolute_url() in html


def test_a_skill_without_a_published_guide_still_shows_its_openings(client):
    draft_guide = factories.SkillGuideFactory(
        title="Not yet", is_published=False, skill__name="Elixir", skill__slug="elixir"
    )
    scheduled = factories.SkillGuideFactory(
        title="Coming soon", published_at=timezone.now() + timedelta(days=1)
    )
    no_guide = factories.SkillFactory(name="Haskell", slug="haskell")
    for skill in (draft_guide.skill, scheduled.skill, no_guide):
        factories.LivePostingFactory(title=f"{skill.name} role", skills=[skill])

        response = client.get(skill.get_absolute_url())

        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{skill.name} jobs</h1>" in html
        assert f"{skill.name} role" in html
        assert "Not yet" not in html and "Coming soon" not in html
        assert "What it is" not in html  # no article


def test_unknown_skill_is_a_404(client):
    assert client.get(reverse("skills:detail", kwargs={"slug": "no-such-skill"})).status_code == 404


def test_skill_page_query_count_is_constant(client, site, django_assert_max_num_queries):
    # The skill and its guide, the snapshot (totals, salaries, companies, related skills),
    # the openings and their skills.
    with django_assert_max_num_queries(7):
        response = client.get(site.skills[0].get_absolute_url())
    assert response.status_code == 200


def test_skill_list_query_count_is_constant(client, site, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("skills:list"))
    assert response.status_code == 200


def _title(card_html: str) -> str:
    return card_html.split('class="card__link"', 1)[1].split(">", 1)[1].split("</a>", 1)[0]
