"""Time moves after the code is loaded, as it does on a server that runs for weeks.

Other tests create their data before the views run, always in the past, so a "now"
frozen when a module was imported looks right there. Here the views have already served
requests when the clock (time-machine) passes a scheduled posting's `published_at` and
then its `expires_at`: every page, feed and sitemap follows it on the next request.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    CompanyFactory,
    FuturePostingFactory,
    LivePostingFactory,
    PostingFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

TITLE = "Scheduled Lighthouse Keeper"
CLOSED_BANNER = "This posting is no longer accepting applications."


@pytest.fixture
def scheduled():
    """A posting published for tomorrow, expiring the day after, with its company and
    skill; nothing else on the board."""
    company = CompanyFactory(name="Harbour Lights", slug="harbour-lights")
    skill = SkillFactory(name="Seamanship", slug="seamanship")
    now = timezone.now()
    return FuturePostingFactory(
        title=TITLE,
        company=company,
        skills=[skill],
        published_at=now + timedelta(days=1),
        expires_at=now + timedelta(days=2),
    )


def listing_pages(posting) -> list[str]:
    """Every page, feed and sitemap that lists live postings and would list this one."""
    company, skill = posting.company, posting.skills.get()
    return [
        "/",
        "/jobs/",
        f"/jobs/?skill={skill.slug}",
        company.get_absolute_url(),
        skill.get_absolute_url(),
        "/jobs/feed/atom/",
        "/jobs/feed/rss/",
        f"/skills/{skill.slug}/feed/atom/",
        f"/companies/{company.slug}/feed/rss/",
        "/sitemap-jobs.xml",
    ]


def assert_seen(client, posting, *, live: bool, reachable: bool) -> None:
    for url in listing_pages(posting):
        response = client.get(url)
        assert response.status_code == 200, url
        shown = TITLE in response.content.decode() or posting.get_absolute_url() in (
            response.content.decode()
        )
        assert shown == live, f"{url}: {'missing' if live else 'still listed'}"

    companies = client.get("/companies/").content.decode()
    assert ("1 open role" in companies) == live
    assert ("No open roles right now" in companies) == (not live)

    page = client.get(posting.get_absolute_url())
    assert page.status_code == (200 if reachable else 404)
    if reachable:
        assert TITLE in page.content.decode()
        assert (CLOSED_BANNER in page.content.decode()) == (not live)


@pytest.fixture(params=[0, 10], ids=["page cache off", "page cache on"])
def page_cache_seconds(request, settings):
    """Without the page cache the boundaries are exact to the second; with it on, a change
    that no save announces (time passing) shows within PAGE_CACHE_SECONDS."""
    settings.PAGE_CACHE_SECONDS = request.param
    return request.param


def test_a_scheduled_posting_appears_on_time_and_leaves_on_expiry(
    client, scheduled, time_machine, page_cache_seconds
):
    # The views have served these pages (and imported what they need) before time moves.
    assert_seen(client, scheduled, live=False, reachable=False)
    bound = timedelta(seconds=page_cache_seconds)

    if not page_cache_seconds:
        time_machine.move_to(scheduled.published_at - timedelta(seconds=1), tick=False)
        assert_seen(client, scheduled, live=False, reachable=False)

    time_machine.move_to(scheduled.published_at + bound, tick=False)
    assert_seen(client, scheduled, live=True, reachable=True)

    if not page_cache_seconds:
        time_machine.move_to(scheduled.expires_at - timedelta(seconds=1), tick=False)
        assert_seen(client, scheduled, live=True, reachable=True)

    time_machine.move_to(scheduled.expires_at + bound, tick=False)
    assert_seen(client, scheduled, live=False, reachable=True)
    assert "It expired on" in client.get(scheduled.get_absolute_url()).content.decode()


def test_a_posting_published_and_closed_after_the_views_served_requests(client, time_machine):
    """Staff publish a draft while the site runs, then close it: "View on site" shows it,
    then its closed banner, never a 404; /companies/ counts it while it is open."""
    company = CompanyFactory(name="Harbour Lights", slug="harbour-lights")
    assert client.get("/companies/").status_code == 200
    assert client.get("/jobs/no-such-posting/").status_code == 404

    time_machine.move_to(timezone.now() + timedelta(hours=1))
    posting = PostingFactory(title=TITLE, company=company)
    posting.publish()

    page = client.get(posting.get_absolute_url())
    assert page.status_code == 200
    assert CLOSED_BANNER not in page.content.decode()
    assert "1 open role" in client.get("/companies/").content.decode()

    time_machine.move_to(timezone.now() + timedelta(hours=1))
    posting.close()

    page = client.get(posting.get_absolute_url())
    assert page.status_code == 200
    assert "The employer has closed it." in page.content.decode()
    assert "No open roles right now" in client.get("/companies/").content.decode()


def test_skills_and_companies_added_after_the_listing_served_requests_filter_it(client):
    """The filters' choices are read per request, not when the filter module loads."""
    assert client.get("/jobs/").status_code == 200
    assert client.get("/jobs/?skill=seamanship").status_code == 400  # not a skill yet

    skill = SkillFactory(name="Seamanship", slug="seamanship")
    company = CompanyFactory(name="Harbour Lights", slug="harbour-lights")
    LivePostingFactory(title=TITLE, company=company, skills=[skill])

    for query in ["skill=seamanship", "company=harbour-lights"]:
        response = client.get(f"/jobs/?{query}")
        assert response.status_code == 200, query
        assert TITLE in response.content.decode()
