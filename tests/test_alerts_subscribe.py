"""Job alerts by e-mail, the reader's side: from "Get these jobs by e-mail" to a confirmed
alert (double opt-in), with the abuse limits, and the pages the links lead to.

E-mails go to Django's locmem outbox (tests/test_alerts_sending covers real SMTP); the
confirmation is sent by a worker, run here with tests.worker.run_tasks."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from alerts.models import Alert
from alerts.search import describe
from tests import factories
from tests.worker import queued, run_tasks

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/alerts/new/"
CONFIRMATION = "alerts.tasks.send_confirmation"
LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def python(db):
    return factories.SkillFactory(name="Python", slug="python")


@pytest.fixture
def acme(db):
    return factories.CompanyFactory(name="Acme Robotics", slug="acme")


@pytest.fixture
def board(python, acme):
    factories.LivePostingFactory(
        company=acme, skills=[python], remote_policy="remote", seniority="senior"
    )


def ask(client, search="", email="ada@example.com", frequency="daily", **fields):
    url = f"{SUBSCRIBE}?{search}" if search else SUBSCRIBE
    return client.post(url, {"email": email, "frequency": frequency, "website": "", **fields})


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


def confirm_link(message) -> str:
    (link,) = [url for url in links_in(message) if "/alerts/confirm/" in url]
    return link


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# ---------- The link on the listing, a skill's page and a company's page ----------


def test_the_listing_links_to_the_subscribe_page_of_its_search(client, board):
    page = client.get("/jobs/?skill=python&remote=remote&sort=salary&page=1").content.decode()
    assert 'href="/alerts/new/?remote=remote&amp;skill=python"' in page
    assert "Get these jobs by e-mail" in page
    assert "/jobs/feed/atom/?remote" not in page.split("<body", 1)[1]  # no raw XML link


def test_an_empty_listing_result_offers_no_alert(client, board):
    page = client.get("/jobs/?q=zzzqqqxxx").content.decode()
    assert "Get these jobs by e-mail" not in page
    assert "/alerts/new/" not in page


def test_skill_and_company_pages_link_to_their_openings_alert(client, board):
    assert 'href="/alerts/new/?skill=python"' in client.get("/skills/python/").content.decode()
    assert 'href="/alerts/new/?company=acme"' in client.get("/companies/acme/").content.decode()


def test_a_guides_narrowed_openings_link_to_the_alert_of_what_they_show(client, board):
    page = client.get("/skills/python/?remote=remote#openings").content.decode()
    assert 'href="/alerts/new/?remote=remote&amp;skill=python"' in page


def test_the_listing_stays_free_of_cookies_and_is_stored_by_the_page_cache(client, board, settings):
    settings.PAGE_CACHE_SECONDS = 10
    first = client.get("/jobs/?skill=python")
    assert first.status_code == 200
    assert not first.cookies
    assert "csrfmiddlewaretoken" not in first.content.decode()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/jobs/?skill=python")
    assert len(queries) == 0  # served from the page cache
    assert again.content == first.content


# ---------- The subscribe page ----------


def test_the_subscribe_page_describes_the_search_and_offers_email_and_feed(client, board):
    response = client.get(f"{SUBSCRIBE}?remote=remote&skill=python&seniority=senior")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Remote Python openings, senior" in page
    assert '<label for="id_email">Your e-mail address</label>' in page
    assert page.count('type="radio" name="frequency"') == 3
    assert 'value="daily" id="id_frequency_1" required checked' in page  # the default
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'action="/alerts/new/?remote=remote&amp;seniority=senior&amp;skill=python"' in page
    # The feed of the same search, as text to select, with a button JavaScript reveals.
    feed = "http://testserver/jobs/feed/atom/?remote=remote&amp;seniority=senior&amp;skill=python"
    assert f'value="{feed}" readonly' in page
    assert "data-copy-from" in page and "js/copy.js" in page
    assert "feed reader is an app" in page
    # Not stored for others: it carries this visitor's CSRF token.
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client, board):
    page = client.get(SUBSCRIBE).content.decode()
    trap = page.split('<div class="honeypot" aria-hidden="true">', 1)[1].split("</div>", 1)[0]
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap


@pytest.mark.parametrize(
    "search",
    ["skill=cobol", "salary_min=lots", "remote=moon", "company=nobody", "posted=999"],
)
def test_a_search_the_listing_refuses_is_a_400_page(client, board, search):
    for response in (client.get(f"{SUBSCRIBE}?{search}"), ask(client, search)):
        assert response.status_code == 400
        assert "This search cannot be followed" in response.content.decode()
    assert not Alert.objects.exists()
    assert not queued()


def test_all_openings_is_a_search_too(client, board):
    assert "All openings" in client.get(SUBSCRIBE).content.decode()
    assert ask(client).status_code == 303
    assert Alert.objects.get().search == ""


# ---------- Double opt-in ----------


def test_subscribing_sends_only_a_confirmation_and_the_link_confirms(client, board):
    response = ask(client, "skill=python&remote=remote&sort=salary", frequency="weekly")
    assert response.status_code == 303
    assert response["Location"] == "/alerts/new/sent/"
    alert = Alert.objects.get()
    assert (alert.email, alert.search, alert.frequency) == (
        "ada@example.com",
        "remote=remote&skill=python",  # normalised: the feed's order, no sort
        "weekly",
    )
    assert alert.confirmed_at is None and alert.sent_through is None
    assert "Check your inbox" in client.get(response["Location"]).content.decode()

    assert mail.outbox == []  # sent by a worker, after the commit
    assert run_tasks() == 1
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject.startswith("Confirm your job alert")
    assert "Remote Python openings" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = confirm_link(message)
    assert link.startswith("http://127.0.0.1:8000/alerts/confirm/")  # SITE_URL: absolute
    assert link in html
    for url in links_in(message):
        assert "ada" not in url and "example.com" not in url

    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        page = client.get(path_of(link))
        now = timezone.now()
    assert page.status_code == 200
    assert "Your job alert is confirmed" in page.content.decode()
    alert.refresh_from_db()
    assert alert.confirmed_at == now and alert.sent_through == now
    assert run_tasks() == 0 and len(mail.outbox) == 1  # nothing more sent


def test_a_replayed_confirm_link_is_a_clear_410_and_changes_nothing(client, board):
    ask(client, "skill=python")
    run_tasks()
    link = path_of(confirm_link(mail.outbox[0]))
    assert client.get(link).status_code == 200
    confirmed = Alert.objects.get().confirmed_at

    replay = client.get(link)
    assert replay.status_code == 410
    assert "This link was used already" in replay.content.decode()
    assert Alert.objects.get().confirmed_at == confirmed
    assert run_tasks() == 0 and len(mail.outbox) == 1


def test_the_confirm_link_expires_after_48_hours(client, board):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask(client, "skill=python")
        run_tasks()
    link = path_of(confirm_link(mail.outbox[0]))
    with time_machine.travel(start + timedelta(hours=48, seconds=1), tick=False):
        expired = client.get(link)
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert Alert.objects.get().confirmed_at is None
    with time_machine.travel(start + timedelta(hours=47, minutes=59), tick=False):
        assert client.get(link).status_code == 200
    assert Alert.objects.get().confirmed_at is not None


def test_a_head_request_does_not_confirm(client, board):
    ask(client, "skill=python")
    run_tasks()
    assert client.head(path_of(confirm_link(mail.outbox[0]))).status_code == 200
    assert Alert.objects.get().confirmed_at is None


def test_asking_again_creates_nothing_and_answers_the_same(client, board):
    first = ask(client, "skill=python&remote=remote")
    again = ask(client, "remote=remote&skill=python", email="ADA@Example.com")
    assert Alert.objects.count() == 1
    assert (first.status_code, first["Location"], first.content) == (
        again.status_code,
        again["Location"],
        again.content,
    )
    # Once confirmed, asking again still answers the same, and mails the manage link.
    run_tasks()
    client.get(path_of(confirm_link(mail.outbox[-1])))
    third = ask(client, "remote=remote&skill=python", frequency="weekly")
    assert (third.status_code, third["Location"], third.content) == (
        first.status_code,
        first["Location"],
        first.content,
    )
    assert Alert.objects.count() == 1
    assert Alert.objects.get().frequency == "daily"  # changed through the manage link only
    run_tasks()
    last = mail.outbox[-1]
    assert last.subject.startswith("Your job alert")
    assert any("/alerts/manage/" in url for url in links_in(last))
    assert not any("/alerts/confirm/" in url for url in links_in(last))


def test_a_filled_honeypot_gets_the_same_page_and_nothing_is_stored_or_sent(client, board):
    person = ask(client, "skill=python", email="ada@example.com")
    bot = ask(client, "skill=python", email="bot@example.com", website="http://spam.example")
    assert (bot.status_code, bot["Location"]) == (person.status_code, person["Location"])
    assert list(Alert.objects.values_list("email", flat=True)) == ["ada@example.com"]
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_unconfirmed_alerts_are_deleted_after_48_hours(board):
    from alerts.tasks import delete_unconfirmed_alerts

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = Alert.objects.create(email="old@example.com", search="skill=python")
        kept = Alert.objects.create(
            email="kept@example.com", search="skill=python", confirmed_at=start
        )
    with time_machine.travel(start + timedelta(hours=47), tick=False):
        young = Alert.objects.create(email="young@example.com", search="")
    with time_machine.travel(start + timedelta(hours=48, seconds=1), tick=False):
        delete_unconfirmed_alerts.enqueue()
        assert run_tasks() == 1
    remaining = set(Alert.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, young.pk}
    assert old.pk not in remaining


def test_the_scheduler_runs_the_clean_up():
    from background import periodic

    job = periodic.jobs()["delete_unconfirmed_alerts"]
    assert job.task_path == "alerts.tasks.delete_unconfirmed_alerts"
    assert job.every_seconds <= 3600


# ---------- Abuse limits ----------


def test_a_burst_for_one_address_sends_three_confirmations(client, board, settings):
    statuses = [ask(client, f"skill=python&posted={p}").status_code for p in ["24h", "7d"]]
    statuses += [ask(client, "skill=python").status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429, 429, 429]
    limited = ask(client, "remote=remote")
    assert limited.status_code == 429
    assert "Too many requests" in limited.content.decode()
    run_tasks()
    assert len(mail.outbox) == settings.ALERT_CONFIRMATIONS_PER_ADDRESS_PER_DAY == 3
    assert Alert.objects.count() == 3
    # A day later the address may be asked for again.
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1), tick=False):
        assert ask(client, "remote=remote").status_code == 303


def test_a_burst_from_one_client_is_stopped_at_the_hourly_limit(client, board, settings):
    settings.ALERT_SUBSCRIPTIONS_PER_CLIENT_PER_HOUR = 20
    statuses = [ask(client, email=f"reader{n}@example.com").status_code for n in range(25)]
    assert statuses == [303] * 20 + [429] * 5
    run_tasks()
    assert len(mail.outbox) == 20
    # Another client is not held back by this one.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert ask(other, email="someone@example.com").status_code == 303


def test_the_limits_hold_across_servers_with_redis(client, board, redis_cache, settings):
    settings.ALERT_SUBSCRIPTIONS_PER_CLIENT_PER_HOUR = 2
    other_server = Client()  # another process shares only the cache; same client address
    assert ask(client, email="a@example.com").status_code == 303
    assert ask(other_server, email="b@example.com").status_code == 303
    assert ask(client, email="c@example.com").status_code == 429
    stored = [key.decode() for key in redis_cache._cache.get_client().keys("*alerts-limit*")]
    assert stored and not any("example.com" in key or "127.0.0.1" in key for key in stored)


# ---------- The search in words ----------


def test_the_search_in_words(board):
    assert describe("") == "All openings"
    assert describe("remote=remote&salary_min=80000&seniority=senior&skill=python") == (
        "Remote Python openings, senior, at least €80,000 a year"
    )
    assert describe("company=acme&type=contract&type=part-time") == (
        "Part-time or contract openings at Acme Robotics"
    )
    assert describe("country=DE&q=api&seniority=junior&seniority=senior") == (
        "Openings matching “api” in Germany, junior or senior"
    )
    assert describe("pay=stated&posted=7d&work_from=DE") == (
        "Openings, open to Germany, with pay stated, posted in the last 7 days"
    )
    assert describe("python=1&page=3") == "All openings"  # only the listing's filters
    assert describe("skill=deleted-skill") == "A search whose filters no longer exist"
    assert describe("remote=remote&skill=deleted-skill") == (
        "Remote openings — some of its filters no longer exist"
    )
