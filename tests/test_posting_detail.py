"""A posting's page: everything about it, its company, its skills, how to apply."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories
from tests.site_data import build_site, cards

pytestmark = pytest.mark.django_db


def test_a_live_posting_shows_everything(client, png_upload):
    company = factories.CompanyFactory(
        name="Acme", slug="acme", description="We make anvils.", logo=png_upload
    )
    python = factories.SkillFactory(name="Python", slug="python")
    posting = factories.LivePostingFactory(
        company=company,
        title="Anvil Engineer",
        summary="Design anvils.",
        description="## The work\n\nDrop **anvils**.",
        location="Berlin, Germany",
        salary_min=60000,
        salary_max=80000,
        salary_currency="EUR",
        skills=[python],
    )

    response = client.get(posting.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "<h1>Anvil Engineer</h1>" in html
    assert "Design anvils." in html
    assert "<strong>anvils</strong>" in html
    assert "Berlin, Germany" in html and "Hybrid" in html and "Full-time" in html
    assert "EUR 60k–80k per year" in html
    assert f'datetime="{posting.published_at.isoformat(timespec="seconds")}"' in html
    # The company block, its logo sized so that nothing shifts, each once.
    assert html.count("We make anvils.") == 1
    assert company.get_absolute_url() in html
    # The sizes rendered on upload (tests/test_logo_images.py), not the stored original.
    logo = company.logo_sources(56)
    assert f'src="{logo["png"]}" srcset="{logo["png_srcset"]}" width="56" height="56"' in html
    assert html.count('class="logo ') == 1
    # Skills link to their guides; the apply button goes to the employer.
    assert f'href="{python.get_absolute_url()}"' in html
    assert f'href="{posting.apply_url}"' in html
    assert "no longer accepting applications" not in html
    assert "badge--closed" not in html


def test_a_company_blurb_the_description_already_holds_is_said_once(client):
    company = factories.CompanyFactory(name="Acme", description="We make anvils\nand hammers.")
    repeats = factories.LivePostingFactory(
        company=company, description="## About Acme\n\nWe make anvils and\nhammers.\n\n## The role"
    )
    own_words = factories.LivePostingFactory(company=company, description="## The role\n\nDrop.")

    def visible(posting):  # the JSON-LD repeats the description for search engines
        html = client.get(posting.get_absolute_url()).content.decode()
        return re.sub(r"<script.*?</script>", "", html, flags=re.S)

    repeated, described = visible(repeats), visible(own_words)

    assert repeated.count("We make anvils") == 1  # in the description, not the sidebar too
    assert described.count("We make anvils") == 1  # in the sidebar
    assert 'id="company-heading"' in repeated and 'id="company-heading"' in described


def test_apply_by_email_when_there_is_no_url(client):
    posting = factories.LivePostingFactory(apply_url="", apply_email="jobs@example.com")

    html = client.get(posting.get_absolute_url()).content.decode()

    assert 'href="mailto:jobs@example.com"' in html


def test_a_company_without_a_logo_gets_a_monogram(client):
    posting = factories.LivePostingFactory(company__name="Northwind Bank")

    html = client.get(posting.get_absolute_url()).content.decode()

    assert "logo--monogram" in html and ">NB</span>" in html


def test_similar_openings_share_skills_and_are_live(client):
    python = factories.SkillFactory(name="Python", slug="python")
    go = factories.SkillFactory(name="Go", slug="go")
    posting = factories.LivePostingFactory(title="Subject", skills=[python, go])
    factories.LivePostingFactory(title="Shares both", skills=[python, go])
    factories.LivePostingFactory(title="Shares one", skills=[go])
    factories.LivePostingFactory(title="Shares none")
    factories.ClosedPostingFactory(title="Closed sharing", skills=[python, go])

    response = client.get(posting.get_absolute_url())

    similar = [p.title for p in response.context["similar_postings"]]
    assert similar == ["Shares both", "Shares one"]
    html = response.content.decode()
    assert len(cards(html)) == 2
    assert "Closed sharing" not in html and "Shares none" not in html


@pytest.mark.parametrize(
    ("factory", "reason"),
    [
        (factories.ClosedPostingFactory, "The employer has closed it."),
        (factories.ExpiredPostingFactory, "It expired on"),
    ],
)
def test_closed_and_expired_postings_stay_reachable_without_an_apply_button(
    client, factory, reason
):
    posting = factory(title="Gone role")

    response = client.get(posting.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "This posting is no longer accepting applications." in html
    assert reason in html
    # News, not an error: a neutral notice, and a badge by the title.
    assert '<div class="notice notice--info" role="status">' in html
    assert "notice--error" not in html
    assert re.search(r"<h1>Gone role <span class=\"badge badge--closed\">Closed</span></h1>", html)
    assert posting.apply_url not in html
    assert "Apply on" not in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("factory", [factories.PostingFactory, factories.FuturePostingFactory])
def test_drafts_and_scheduled_postings_are_a_404(client, factory):
    posting = factory()

    assert client.get(posting.get_absolute_url()).status_code == 404


def test_unknown_posting_is_a_404(client):
    assert client.get(reverse("postings:detail", kwargs={"slug": "nope"})).status_code == 404


def test_query_count_is_constant(client, django_assert_max_num_queries):
    site = build_site(skills=3, companies=4, live=20)
    posting = site.live[0]
    posting.skills.add(*site.skills)

    # The posting and its company, its skills, the similar postings' links, their cards
    # and the cards' skills.
    with django_assert_max_num_queries(5):
        response = client.get(posting.get_absolute_url())
    assert len(response.context["similar_postings"]) == 4


# Words for the people who built the site, not for a job seeker.
DEVELOPER_COPY = re.compile(r"Each skill links|links to its guide|\bTODO\b|lorem ipsum", re.I)


def test_no_public_template_speaks_to_developers():
    templates = Path(__file__).resolve().parent.parent / "templates"
    found = []
    for path in templates.rglob("*.html"):
        if "admin" in path.parts:
            continue
        # Template comments ({# … #}) are for developers and never reach a page.
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
        found += [f"{path.name}: {m[0]}" for m in DEVELOPER_COPY.finditer(text)]
    assert not found
