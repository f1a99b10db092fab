"""Deadlines and freshness: an application deadline in the employer's time zone, and
postings confirmed open within RECONFIRM_DAYS. Both through `live()`, on every page,
with the clock moving after the views have served (time-machine)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from postings.models import Posting
from postings.tasks import close_expired_postings
from tests.factories import CompanyFactory, LivePostingFactory, PostingFactory
from tests.seo_html import read_head

pytestmark = pytest.mark.django_db

CLOSED_BANNER = "This posting is no longer accepting applications."
UNCONFIRMED_BANNER = "This opening may have been filled."


def live_titles() -> set[str]:
    return set(Posting.objects.live().values_list("title", flat=True))


def page(client, posting) -> str:
    response = client.get(posting.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def exact(settings):
    """Boundaries to the second: no page cache between the clock and the pages."""
    settings.PAGE_CACHE_SECONDS = 0


# The deadline ----------------------------------------------------------------------------


def test_the_same_wall_clock_deadline_ends_at_each_employers_own_time(client, exact, time_machine):
    """17:00 on 12 Dec 2026 in Berlin is 16:00 UTC; in New York it is 22:00 UTC. Between
    the two, one posting has closed and the other is open."""
    berlin = datetime(2026, 12, 12, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    new_york = datetime(2026, 12, 12, 17, 0, tzinfo=ZoneInfo("America/New_York"))
    assert berlin.astimezone(UTC).hour == 16 and new_york.astimezone(UTC).hour == 22
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False)
    in_berlin = LivePostingFactory(
        title="Berlin Role", apply_by=berlin, apply_by_timezone="Europe/Berlin"
    )
    in_new_york = LivePostingFactory(
        title="New York Role", apply_by=new_york, apply_by_timezone="America/New_York"
    )
    assert "Applications close on" in page(client, in_berlin)
    assert "12 Dec 2026, 17:00 Berlin time" in page(client, in_berlin)
    assert "12 Dec 2026, 17:00 New York time" in page(client, in_new_york)

    time_machine.move_to(berlin - timedelta(seconds=1), tick=False)
    assert live_titles() == {"Berlin Role", "New York Role"}
    assert in_berlin.is_live

    time_machine.move_to(berlin, tick=False)  # hidden from this moment, as expires_at
    assert live_titles() == {"New York Role"}
    listing = client.get("/jobs/").content.decode()
    assert "New York Role" in listing and "Berlin Role" not in listing
    closed = page(client, in_berlin)
    assert CLOSED_BANNER in closed
    assert "Applications closed on" in closed and "12 Dec 2026, 17:00 Berlin time" in closed
    assert 'name="robots" content="noindex"' in closed
    assert not read_head(closed).of_type("JobPosting")

    time_machine.move_to(new_york - timedelta(seconds=1), tick=False)
    assert live_titles() == {"New York Role"}
    time_machine.move_to(new_york, tick=False)
    assert live_titles() == set()
    assert "12 Dec 2026, 17:00 New York time" in page(client, in_new_york)


def test_a_deadline_in_a_zone_that_is_no_place_is_named_by_its_offset(client):
    deadline = timezone.now() + timedelta(days=20)
    posting = LivePostingFactory(apply_by=deadline, apply_by_timezone="Etc/GMT-3")
    assert "+03 time" in page(client, posting)
    utc = LivePostingFactory(apply_by=deadline)  # no zone given: UTC
    assert "UTC time" in page(client, utc)


def test_the_close_expired_task_closes_postings_past_their_deadline_not_unconfirmed_ones(
    settings,
):
    now = timezone.now()
    past = LivePostingFactory(title="Past", apply_by=now - timedelta(seconds=1))
    ahead = LivePostingFactory(title="Ahead", apply_by=now + timedelta(days=1))
    stale = LivePostingFactory(title="Stale", confirmed_at=now - timedelta(days=60))

    assert close_expired_postings.call() == 1

    statuses = dict(Posting.objects.values_list("title", "status"))
    assert statuses == {"Past": "closed", "Ahead": "published", "Stale": "published"}
    past.refresh_from_db()
    assert not past.is_live and not stale.is_live and ahead.is_live


def test_a_closed_posting_past_its_deadline_still_says_when_applications_closed(client):
    posting = LivePostingFactory(
        apply_by=timezone.now() - timedelta(hours=2), apply_by_timezone="Asia/Tokyo"
    )
    close_expired_postings.call()
    html = page(client, posting)
    assert "Applications closed on" in html and "Tokyo time" in html
    assert "The employer has closed it." not in html


# Confirmed open --------------------------------------------------------------------------


def test_a_posting_not_reconfirmed_within_reconfirm_days_leaves_then_returns_when_confirmed(
    client, admin_client, admin_user, exact, settings, time_machine
):
    settings.RECONFIRM_DAYS = 45
    # The views have served before the posting and the clock change.
    assert client.get("/jobs/").status_code == 200
    posting = LivePostingFactory(
        title="Lighthouse Keeper", expires_at=timezone.now() + timedelta(days=90)
    )
    confirmed = posting.confirmed_at
    assert confirmed is not None  # set on its first save with a publication date
    assert "Confirmed open on" in page(client, posting)

    time_machine.move_to(confirmed + timedelta(days=45) - timedelta(seconds=1), tick=False)
    assert live_titles() == {"Lighthouse Keeper"}
    assert "Lighthouse Keeper" in client.get("/jobs/").content.decode()

    time_machine.move_to(confirmed + timedelta(days=45), tick=False)
    assert live_titles() == set()
    assert "Lighthouse Keeper" not in client.get("/jobs/").content.decode()
    html = page(client, posting)
    assert UNCONFIRMED_BANNER in html and "It was last confirmed open on" in html
    assert not read_head(html).of_type("JobPosting")

    # The setting is read per query, not when the code loads.
    settings.RECONFIRM_DAYS = 46
    assert live_titles() == {"Lighthouse Keeper"}
    settings.RECONFIRM_DAYS = 45

    changelist = reverse("admin:postings_posting_changelist")
    admin_client.force_login(admin_user)  # the session of 45 days ago has expired
    due = admin_client.get(changelist, {"confirmed": "stale"}).content.decode()
    assert "Lighthouse Keeper" in due
    admin_client.post(
        changelist, {"action": "confirm_still_open", "_selected_action": [posting.pk]}
    )
    posting.refresh_from_db()
    assert posting.confirmed_at == timezone.now()
    assert "Lighthouse Keeper" in client.get("/jobs/").content.decode()
    shown = re.search(
        r"Confirmed open on <time datetime=\"[^\"]+\">([^<]+)<", page(client, posting)
    )
    assert shown[1] == format_date(timezone.now(), "j M Y")
    due = admin_client.get(changelist, {"confirmed": "stale"}).content.decode()
    assert "Lighthouse Keeper" not in due


def test_the_not_confirmed_filter_finds_postings_confirmed_30_days_ago_or_more(admin_client):
    now = timezone.now()
    LivePostingFactory(title="Confirmed Yesterday", confirmed_at=now - timedelta(days=1))
    LivePostingFactory(title="Confirmed Long Ago", confirmed_at=now - timedelta(days=30))
    PostingFactory(title="Never Published")  # a draft: nothing to confirm yet
    html = admin_client.get(
        reverse("admin:postings_posting_changelist"), {"confirmed": "stale"}
    ).content.decode()
    assert "Confirmed Long Ago" in html
    assert "Confirmed Yesterday" not in html
    assert "Never Published" not in html


def test_publishing_a_draft_confirms_it():
    draft = PostingFactory()
    assert draft.confirmed_at is None  # nothing confirmed before it has a publication date
    draft.publish()
    assert draft.is_live and draft.confirmed_at >= timezone.now() - timedelta(seconds=5)


def test_a_posting_with_only_company_title_and_summary_has_no_deadline_anywhere(client):
    bare = Posting.objects.create(
        company=CompanyFactory(),
        title="Engineer",
        slug="engineer",
        summary="Build things.",
        status=Posting.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=5),
    )
    assert bare.is_live and bare.apply_by is None and bare.apply_by_timezone == ""
    html = page(client, bare)
    assert "Open until" in html and "Applications close" not in html
    assert "Closes in" not in client.get("/jobs/").content.decode()
    (data,) = read_head(html).of_type("JobPosting")
    assert data["validThrough"] == bare.expires_at.isoformat()


# Cards, sort and JSON-LD -----------------------------------------------------------------


def card_closing(html: str) -> list[str]:
    return re.findall(r'class="card__closing"><time datetime="[^"]+">([^<]+)</time>', html)


def test_cards_say_closes_in_during_the_last_week_only(client):
    now = timezone.now()
    LivePostingFactory(title="In Three Days", apply_by=now + timedelta(days=3, hours=2))
    LivePostingFactory(title="In Five Hours", apply_by=now + timedelta(hours=5, minutes=1))
    LivePostingFactory(title="In Eight Days", apply_by=now + timedelta(days=8))
    LivePostingFactory(title="No Deadline")
    html = client.get("/jobs/?sort=closing").content.decode()
    assert card_closing(html) == ["Closes in 5 hours", "Closes in 3 days"]


def test_a_cached_card_saying_closes_in_3_days_does_not_outlive_its_truth(
    client, settings, time_machine
):
    settings.PAGE_CACHE_SECONDS = 10
    start = timezone.now()
    LivePostingFactory(apply_by=start + timedelta(days=3, minutes=1))
    assert card_closing(client.get("/jobs/").content.decode()) == ["Closes in 3 days"]
    # Cached: the same words a few seconds later.
    time_machine.move_to(start + timedelta(seconds=5), tick=False)
    assert card_closing(client.get("/jobs/").content.decode()) == ["Closes in 3 days"]
    # Past the three-day mark by more than the cache's lifetime: the new truth.
    time_machine.move_to(start + timedelta(minutes=1, seconds=11), tick=False)
    assert card_closing(client.get("/jobs/").content.decode()) == ["Closes in 2 days"]


def test_closing_soon_sorts_the_nearest_deadline_first_and_postings_without_one_after(client):
    now = timezone.now()
    LivePostingFactory(title="Closes Later", apply_by=now + timedelta(days=10))
    LivePostingFactory(title="Closes First", apply_by=now + timedelta(days=2))
    LivePostingFactory(title="Open Newer", published_at=now - timedelta(hours=1))
    LivePostingFactory(title="Open Older", published_at=now - timedelta(days=2))
    LivePostingFactory(title="Deadline Passed", apply_by=now - timedelta(minutes=1))
    response = client.get("/jobs/?sort=closing")
    html = response.content.decode()
    order = ["Closes First", "Closes Later", "Open Newer", "Open Older"]
    assert [html.index(title) for title in order] == sorted(html.index(t) for t in order)
    assert "Deadline Passed" not in html
    assert '<option value="closing" selected>Closing soon</option>' in html


def test_json_ld_valid_through_is_the_deadline_in_the_employers_zone(client):
    deadline = datetime(2030, 3, 1, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    posting = LivePostingFactory(
        apply_by=deadline,
        apply_by_timezone="Europe/Berlin",
        expires_at=deadline + timedelta(days=30),
    )
    (data,) = read_head(page(client, posting)).of_type("JobPosting")
    assert data["validThrough"] == "2030-03-01T17:00:00+01:00"


# Staff -----------------------------------------------------------------------------------


def admin_form(company, **fields) -> dict:
    return {
        "title": "Engineer",
        "slug": "engineer",
        "company": company.id,
        "summary": "Build things.",
        "salary_period": "year",
        "status": "published",
        "published_at_0": "2026-01-01",
        "published_at_1": "09:00:00",
        "expires_at_0": "2099-01-01",
        "expires_at_1": "09:00:00",
        **fields,
    }


def test_staff_enter_a_deadline_as_the_employers_wall_clock_time(admin_client):
    company = CompanyFactory()
    response = admin_client.post(
        reverse("admin:postings_posting_add"),
        admin_form(
            company,
            apply_by_0="2098-12-12",
            apply_by_1="17:00:00",
            apply_by_timezone="America/New_York",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    posting = Posting.objects.get()
    assert posting.apply_by == datetime(2098, 12, 12, 22, 0, tzinfo=UTC)
    assert posting.is_live  # confirmed when staff saved it, though published in January
    # The form shows it back as entered.
    form = admin_client.get(reverse("admin:postings_posting_change", args=[posting.pk]))
    html = form.content.decode()
    assert 'name="apply_by_0" value="12/12/2098"' in html
    assert 'name="apply_by_1" value="17:00:00"' in html


@pytest.mark.parametrize(
    "fields, error",
    [
        (
            {
                "apply_by_0": "2098-12-12",
                "apply_by_1": "17:00",
                "apply_by_timezone": "Mars/Olympus",
            },
            "is not an IANA time zone name",
        ),
        (
            {
                "apply_by_0": "2098-12-12",
                "apply_by_1": "17:00",
                "apply_by_timezone": "../etc/passwd",
            },
            "is not an IANA time zone name",
        ),
        ({"apply_by_timezone": "Europe/Berlin"}, "A time zone is for an application deadline"),
        ({"apply_by_timezone": "x" * 200}, "at most 64 characters"),
    ],
)
def test_a_bad_time_zone_is_a_form_error(admin_client, fields, error):
    response = admin_client.post(
        reverse("admin:postings_posting_add"), admin_form(CompanyFactory(), **fields)
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Posting.objects.exists()


# Data made elsewhere ---------------------------------------------------------------------


def test_the_demo_shows_each_state(client):
    call_command("load_demo", verbosity=0)
    now = timezone.now()
    live = Posting.objects.live()
    soon = live.filter(apply_by__lte=now + timedelta(days=7))
    assert soon.exists()
    assert "Closes in" in client.get("/jobs/?sort=closing").content.decode()
    past = Posting.objects.reachable().filter(apply_by__lte=now).first()
    assert "Applications closed on" in page(client, past)
    unconfirmed = (
        Posting.objects.published().unexpired().accepting_applications().exclude(pk__in=live)
    )
    assert UNCONFIRMED_BANNER in page(client, unconfirmed.get())
    # Every demo deadline stays at its wall-clock time after the dates move.
    for posting in Posting.objects.exclude(apply_by=None):
        local = posting.apply_by.astimezone(ZoneInfo(posting.apply_by_timezone))
        assert (local.minute, local.second) == (0, 0), posting.slug


def test_generated_postings_are_confirmed_and_some_have_deadlines():
    call_command("generate_postings", count=300, seed=2, verbosity=0)
    published = Posting.objects.filter(status=Posting.Status.PUBLISHED)
    assert not published.filter(confirmed_at=None).exists()
    assert Posting.objects.live().count() > 200
    with_deadline = Posting.objects.live().exclude(apply_by=None)
    assert with_deadline.exists()
    assert not with_deadline.filter(apply_by_timezone="").exists()
