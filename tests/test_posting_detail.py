"""A posting's page: everything about it, its company, its skills, how to apply."""

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
    # The company block, its logo sized so that nothing shifts.
    assert "We make anvils." in html
    assert company.get_absolute_url() in html
    # The sizes rendered on upload (tests/test_logo_images.py), not the stored original.
    logo = company.logo_sources(48)
    assert f'src="{logo["png"]}" srcset="{logo["png_srcset"]}" width="48" height="48"' in html
    # Skills link to their guides; the apply button goes to the employer.
    assert f'href="{python.get_absolute_url()}"' in html
    assert f'href="{posting.apply_url}"' in html
    assert "no longer accepting applications" not in html


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
