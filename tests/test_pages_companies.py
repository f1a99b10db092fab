"""The company directory and a company's page with its live openings."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies.models import Company
from companies.views import CompanyDetailView
from tests import factories
from tests.site_data import HIDDEN_TITLES, build_site, cards
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db


def test_company_list_shows_companies_with_their_open_roles(client):
    site = build_site(companies=5, live=20)
    quiet = factories.CompanyFactory(name="Quiet Co", slug="quiet-co")

    response = client.get(reverse("companies:list"))

    assert response.status_code == 200
    html = response.content.decode()
    for company in site.companies:
        assert company.get_absolute_url() in html
    # 20 live postings over 5 companies; hidden postings are not counted.
    assert html.count("4 open roles") == 5
    assert quiet.name in html and "No open roles right now" in html


def test_the_directory_writes_its_count_of_companies_with_thousands_separators(client):
    Company.objects.bulk_create(
        Company(name=f"Company {number:04}", slug=f"company-{number:04}") for number in range(1234)
    )

    html = client.get(reverse("companies:list")).content.decode()

    assert "1,234 companies that hire" in html
    # Each row's open roles are this page's companies' own (none here).
    assert html.count("No open roles right now") == 48


def test_a_company_row_says_its_open_roles_and_headquarters_escaped_and_links_its_page(client):
    plain = factories.CompanyFactory(name="Tools & <Dies>", slug="tools-dies", headquarters="")
    busy = factories.CompanyFactory(name="Busy", slug="busy", headquarters='Zürich "HQ"')
    factories.LivePostingFactory(company=plain)
    factories.LivePostingFactory.create_batch(2, company=busy)

    html = client.get(reverse("companies:list")).content.decode()

    assert (
        '<a class="card__link" href="/companies/tools-dies/">Tools &amp; &lt;Dies&gt;</a>' in html
    )
    assert '<p class="company-row__meta">1 open role</p>' in html
    assert '<p class="company-row__meta">2 open roles · Zürich &quot;HQ&quot;</p>' in html
    assert "<Dies>" not in html


def test_the_directory_counts_its_companies_once_for_every_visitor_until_one_changes(
    client, settings
):
    """The number of companies is the same for every visitor: a request does not count
    them again (tens of thousands at scale), but a company added in the admin shows at
    once, and one that no save announced (a bulk import) within PAGE_CACHE_SECONDS."""
    settings.PAGE_CACHE_SECONDS = 10
    factories.CompanyFactory.create_batch(3)
    assert "3 companies that hire" in client.get("/companies/").content.decode()

    # Another URL of the same directory misses the page cache but not the count.
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/companies/?page=1").content.decode()
    assert "3 companies that hire" in html
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]

    factories.CompanyFactory(name="Newly Added")
    html = client.get("/companies/?page=1").content.decode()
    assert "4 companies that hire" in html and "Newly Added" in html

    Company.objects.bulk_create([Company(name="Imported", slug="imported")])  # no signal
    later = timezone.now() + timedelta(seconds=11)
    with time_machine.travel(later):
        html = client.get("/companies/?page=1&later").content.decode()
    assert "5 companies that hire" in html and "Imported" in html


def test_company_page_shows_logo_about_website_and_live_openings(client, png_upload):
    site = build_site(companies=2, live=10)
    company = site.companies[0]
    company.logo = png_upload
    company.save()
    run_tasks()  # a worker renders the logo's sizes
    company.refresh_from_db()

    response = client.get(company.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{company.name}</h1>" in html
    # The sizes rendered on upload (tests/test_logo_images.py), not the stored original.
    logo = company.logo_sources(96)
    assert f'<source type="image/webp" srcset="{logo["webp_srcset"]}">' in html
    assert f'src="{logo["png"]}" srcset="{logo["png_srcset"]}" width="96" height="96"' in html
    assert company.description in html
    assert f'href="{company.website}"' in html
    expected = [p.title for p in site.live if p.company_id == company.pk]
    assert [p.title for p in response.context["postings"]] == expected
    assert len(cards(html)) == 5
    for title in HIDDEN_TITLES:
        assert title not in html
    assert f'href="{reverse("postings:list")}?company={company.slug}"' in html


def test_company_openings_are_paginated(client):
    company = factories.CompanyFactory(name="Big", slug="big")
    factories.LivePostingFactory.create_batch(25, company=company)

    factories.ExpiredPostingFactory(company=company)
    first = client.get(company.get_absolute_url())
    second = client.get(company.get_absolute_url() + "?page=2")

    assert len(first.context["postings"]) == 20
    assert "<li>25 open roles</li>" in first.content.decode()
    assert "page 2 of 2" in second.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert len(second.context["postings"]) == 5
    assert client.get(company.get_absolute_url() + "?page=3").status_code == 404


def test_company_without_openings(client):
    company = factories.CompanyFactory(name="Quiet", slug="quiet")

    response = client.get(company.get_absolute_url())

    assert response.status_code == 200
    assert "No open roles at Quiet right now" in response.content.decode()


def test_unknown_company_is_a_404(client):
    assert client.get(reverse("companies:detail", kwargs={"slug": "nope"})).status_code == 404


def test_query_counts_are_constant(client, django_assert_max_num_queries):
    site = build_site(skills=4, companies=10, live=40)

    # The companies with their counts, and the total for the paginator.
    with django_assert_max_num_queries(2):
        assert client.get(reverse("companies:list")).status_code == 200
    # The company, its openings counted, the page of postings, their skills.
    with django_assert_max_num_queries(4):
        assert client.get(site.companies[0].get_absolute_url()).status_code == 200


def test_a_company_with_more_openings_than_its_pages_says_about_how_many(client, monkeypatch):
    # As on the listing: past what the pages show, the total is PostgreSQL's estimate
    # ("About 30 open roles"), or only "20+" on a database that gives none.
    monkeypatch.setattr(CompanyDetailView, "max_pages", 1)
    company = factories.CompanyFactory(name="Huge", slug="huge")
    factories.LivePostingFactory.create_batch(25, company=company)

    response = client.get(company.get_absolute_url())

    facts = response.content.decode().partition('class="company-header__facts')[2]
    facts = facts.partition("</ul>")[0].lower()
    assert "about " in facts or "20+ open roles" in facts
    assert "25 open roles" not in facts
    assert client.get(company.get_absolute_url() + "?page=2").status_code == 404
