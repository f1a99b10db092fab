"""Job alerts' digests, sent through a real SMTP server on loopback (tests/smtp_server.py):
what arrives, to whom, with which postings and headers; once per posting and alert over
days; one query per distinct search; a broken search told once; one bad alert never
stopping the others."""

import io
import logging
import re
import signal
from datetime import timedelta
from email.utils import getaddresses

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts import digests
from alerts.models import Alert
from postings.feeds import feed_query
from postings.models import Posting
from tests import factories
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db

DAILY = Alert.Frequency.DAILY
SITE = "https://jobs.example.com"


@pytest.fixture(autouse=True)
def public_site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Jobboard <jobs@jobs.example.com>"


def search(query: str) -> str:
    """A listing query as the subscribe page stores it (postings.feeds.feed_query)."""
    return feed_query(QueryDict(query))


def alert(email="reader@example.com", query="", *, frequency=DAILY, since=None, **fields):
    since = since or timezone.now() - timedelta(days=1)
    return Alert.objects.create(
        email=email,
        search=search(query),
        frequency=frequency,
        confirmed_at=since,
        sent_through=since,
        **fields,
    )


def published(hours_ago: float, **fields) -> Posting:
    return factories.LivePostingFactory(
        published_at=timezone.now() - timedelta(hours=hours_ago), **fields
    )


@pytest.fixture
def python(db):
    return factories.SkillFactory(name="Python", slug="python")


def titles(text: str, postings) -> list[str]:
    """The titles of `postings` that `text` lists, in its order."""
    listed = [posting.title for posting in postings if posting.title in text]
    return sorted(listed, key=text.index)


def test_alerts_a_digest_arrives_with_the_new_matching_live_postings_and_nothing_else(
    smtp_server, python
):
    acme = factories.CompanyFactory(name="Acme Analytics", slug="acme")
    reader = alert(query="skill=python&remote=remote", since=timezone.now() - timedelta(hours=20))
    new = published(
        2,
        title="Senior Python Engineer",
        company=acme,
        skills=[python],
        remote_policy=Posting.RemotePolicy.REMOTE,
        remote_from="EU",
        summary="Own the data pipeline behind our dashboards.",
        salary_min=80000,
        salary_max=95000,
    )
    seen_before = published(30, skills=[python], remote_policy=Posting.RemotePolicy.REMOTE)
    other_skill = published(2, remote_policy=Posting.RemotePolicy.REMOTE)
    onsite = published(2, skills=[python], remote_policy=Posting.RemotePolicy.ONSITE)
    closed_early = published(3, skills=[python], remote_policy=Posting.RemotePolicy.REMOTE)
    closed_early.close()

    report = digests.send_digests(DAILY)

    assert (report.sent, report.failed) == (1, 0)
    [mail] = smtp_server.received
    assert mail.recipients == ["reader@example.com"]
    message = mail.message
    assert getaddresses([message["To"]]) == [("", "reader@example.com")]
    assert message["From"] == "Jobboard <jobs@jobs.example.com>"
    assert message["Subject"] == "1 new opening: Remote Python openings"
    everything = [new, seen_before, other_skill, onsite, closed_early]
    for body in (mail.text, mail.html):
        assert titles(body, everything) == ["Senior Python Engineer"]
        # A card's facts: company, summary, pay, where; the employer's words only.
        for fact in ("Acme Analytics", "Own the data pipeline", "EUR 80k–95k per year", "Remote"):
            assert fact in body
        assert f"{SITE}{new.get_absolute_url()}" in body
        assert "Remote Python openings" in body
    reader.refresh_from_db()
    assert reader.sent_count == 1
    assert reader.last_sent_at is not None
    assert reader.sent_through > new.published_at


def test_alerts_a_digest_carries_one_click_unsubscribe_and_a_manage_link_without_the_address(
    smtp_server, python
):
    alert("someone+jobs@example.org", "skill=python")
    published(1, skills=[python])
    digests.send_digests(DAILY)

    [mail] = smtp_server.received
    # Folded onto its own line when long (valid RFC 5322 folding white space).
    unsubscribe = mail.message["List-Unsubscribe"].strip()
    assert re.fullmatch(r"<https://jobs\.example\.com/alerts/[^<>\s]+>", unsubscribe)
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.message["Message-ID"].strip().endswith("@jobs.example.com>")
    assert unsubscribe[1:-1] in mail.text and unsubscribe[1:-1] in mail.html
    links = re.findall(r'href="([^"]+)"', mail.html)
    assert any("/manage/" in link for link in links)
    # Absolute links to this site only: no tracking redirects, no pixels.
    assert links and all(link.startswith(f"{SITE}/") for link in links)
    assert "<img" not in mail.html  # the company has no logo: no image at all
    for link in [*links, unsubscribe]:
        assert "someone" not in link and "example.org" not in link


def test_alerts_a_logo_is_shown_from_its_own_absolute_url(smtp_server, python, png_upload, client):
    company = factories.CompanyFactory(name="Logo Ltd", slug="logo-ltd", logo=png_upload)
    from companies.tasks import render_logo

    render_logo.call(company.pk)
    alert(query="skill=python")
    published(1, skills=[python], company=company)
    digests.send_digests(DAILY)

    [mail] = smtp_server.received
    images = re.findall(r'<img src="([^"]+)"', mail.html)
    assert len(images) == 1
    assert images[0].startswith(f"{SITE}/media/") and images[0].endswith(".png")
    # A mail client shows it from another origin: the site's same-origin CORP would not.
    response = client.get(images[0].removeprefix(SITE))
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_alerts_a_posting_is_never_in_two_digests_of_the_same_alert_over_days(
    smtp_server, python, time_machine
):
    time_machine.move_to("2026-12-01 07:00Z", tick=False)
    daily = alert("daily@example.com", "skill=python")
    weekly = alert("weekly@example.com", "skill=python", frequency=Alert.Frequency.WEEKLY)
    first = published(3, skills=[python], title="First opening")
    sent = {}

    def run(frequency):
        before = len(smtp_server.received)
        digests.send_digests(frequency)
        for mail in smtp_server.received[before:]:
            sent.setdefault(mail.recipients[0], []).append(mail.text)

    run(DAILY)
    run(DAILY)  # enqueued twice: nothing new, nothing sent twice
    time_machine.move_to("2026-12-02 07:00Z", tick=False)
    second = published(5, skills=[python], title="Second opening")
    run(DAILY)
    time_machine.move_to("2026-12-03 07:00Z", tick=False)
    run(DAILY)  # a quiet day: no e-mail
    time_machine.move_to("2026-12-04 06:59Z", tick=False)
    third = published(0.5, skills=[python], title="Third opening")
    run(DAILY)
    time_machine.move_to("2026-12-07 07:00Z", tick=False)
    run(Alert.Frequency.WEEKLY)
    run(Alert.Frequency.WEEKLY)

    postings = [first, second, third]
    assert [titles(text, postings) for text in sent["daily@example.com"]] == [
        ["First opening"],
        ["Second opening"],
        ["Third opening"],
    ]
    assert [titles(text, postings) for text in sent["weekly@example.com"]] == [
        ["Third opening", "Second opening", "First opening"]
    ]
    daily.refresh_from_db()
    weekly.refresh_from_db()
    assert (daily.sent_count, weekly.sent_count) == (3, 1)


def test_alerts_as_published_runs_every_quarter_hour_and_each_posting_arrives_once(
    smtp_server, python, time_machine
):
    time_machine.move_to("2026-12-01 09:00Z", tick=False)
    alert(query="skill=python", frequency=Alert.Frequency.AS_PUBLISHED)
    expected = []
    for quarter in range(8):
        if quarter % 3 == 0:
            expected.append(published(0.1, skills=[python], title=f"Opening {quarter}").title)
        digests.send_digests(Alert.Frequency.AS_PUBLISHED)
        time_machine.shift(timedelta(minutes=15))

    received = [line for mail in smtp_server.received for line in mail.text.splitlines()]
    assert sorted(line for line in received if line.startswith("Opening ")) == sorted(expected)
    assert len(smtp_server.received) == len(expected)


def test_alerts_each_alert_of_a_search_gets_only_what_is_newer_than_its_own_last_digest(
    smtp_server, python
):
    now = timezone.now()
    alert("old@example.com", "skill=python", since=now - timedelta(days=2))
    alert("new@example.com", "skill=python", since=now - timedelta(hours=13))
    older = published(30, skills=[python], title="Thirty hours old")
    newer = published(2, skills=[python], title="Two hours old")
    digests.send_digests(DAILY)

    [old] = smtp_server.to("old@example.com")
    [new] = smtp_server.to("new@example.com")
    assert titles(old.text, [older, newer]) == ["Two hours old", "Thirty hours old"]
    assert titles(new.text, [older, newer]) == ["Two hours old"]
    assert old.message["Subject"].startswith("2 new openings")


def posting_queries(captured) -> int:
    """Queries of postings or their skill links."""
    return sum('"postings_posting' in query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize("readers", [1, 6])
def test_alerts_with_the_same_search_share_one_query_per_run(smtp_server, python, readers):
    go = factories.SkillFactory(name="Go", slug="go")
    for n in range(readers):
        alert(f"python{n}@example.com", "skill=python")
        alert(f"go{n}@example.com", "remote=remote&skill=go")
    published(1, skills=[python])
    published(1, skills=[go], remote_policy=Posting.RemotePolicy.REMOTE)

    with CaptureQueriesContext(connection) as captured:
        report = digests.send_digests(DAILY)

    assert (report.searches, report.sent) == (2, 2 * readers)
    # Per search, whatever its number of alerts: the cards, then their skills' names (on
    # PostgreSQL named from the cards' own rows: postings.models.CardIterable).
    per_search = 1 if connection.vendor == "postgresql" else 2
    assert posting_queries(captured) == 2 * per_search
    assert len(smtp_server.received) == 2 * readers


def test_alerts_a_digest_lists_the_newest_twenty_and_counts_the_others(smtp_server, python):
    alert("many@example.com", "skill=python", since=timezone.now() - timedelta(days=2))
    alert("few@example.com", "skill=python", since=timezone.now() - timedelta(hours=13, minutes=30))
    postings = [
        published(hours, skills=[python], title=f"Opening {hours:02d}h") for hours in range(1, 26)
    ]
    digests.send_digests(DAILY)

    [many] = smtp_server.to("many@example.com")
    assert many.message["Subject"].startswith("25 new openings")
    assert titles(many.text, postings) == [f"Opening {hours:02d}h" for hours in range(1, 21)]
    assert "And 5 more" in many.text and "And 5 more" in many.html
    [few] = smtp_server.to("few@example.com")
    assert titles(few.text, postings) == [f"Opening {hours:02d}h" for hours in range(1, 14)]
    assert "more" not in few.text.split("All openings")[0]


def test_alerts_paused_unconfirmed_and_other_frequencies_get_nothing(smtp_server, python):
    alert("paused@example.com", "skill=python", paused=True)
    Alert.objects.create(email="unconfirmed@example.com", search=search("skill=python"))
    alert("weekly@example.com", "skill=python", frequency=Alert.Frequency.WEEKLY)
    alert("reader@example.com", "skill=python")
    published(1, skills=[python])
    digests.send_digests(DAILY)
    assert [mail.recipients for mail in smtp_server.received] == [["reader@example.com"]]


def test_alerts_a_search_that_no_longer_validates_is_reported_and_the_reader_told_once(
    smtp_server, python, caplog
):
    rust = factories.SkillFactory(name="Rust", slug="rust")
    broken = alert("rust@example.com", "skill=rust")
    alert("python@example.com", "skill=python")
    published(1, skills=[python])
    rust.delete()

    with caplog.at_level(logging.WARNING, logger="alerts.digests"):
        report = digests.send_digests(DAILY)
    assert (report.sent, report.broken) == (1, 1)
    [notice] = smtp_server.to("rust@example.com")
    assert "stopped working" in notice.message["Subject"]
    assert notice.message["List-Unsubscribe"].strip().startswith(f"<{SITE}/alerts/")
    assert "no longer exists" in notice.text
    assert any(
        "skill=rust" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )
    broken.refresh_from_db()
    assert broken.search_broken_at is not None

    # Not processed again until staff fix it: no second notice, days later.
    published(0.5, skills=[python])
    later = timezone.now() + timedelta(days=2)
    digests.send_digests(DAILY, now=later)
    assert len(smtp_server.to("rust@example.com")) == 1


def test_alerts_a_broken_search_resumes_once_it_validates_again_without_the_backlog(
    smtp_server, time_machine
):
    time_machine.move_to("2026-12-01 07:00Z", tick=False)
    go = factories.SkillFactory(name="Go", slug="go")
    reader = alert("go@example.com", "skill=go")
    go.delete()
    digests.send_digests(DAILY)
    assert len(smtp_server.to("go@example.com")) == 1  # the notice

    time_machine.move_to("2026-12-02 07:00Z", tick=False)
    go = factories.SkillFactory(name="Go", slug="go")  # staff restore the skill
    published(2, skills=[go], title="Published while it was broken")
    report = digests.send_digests(DAILY)
    assert (report.resumed, report.sent) == (1, 0)
    time_machine.move_to("2026-12-03 07:00Z", tick=False)
    published(2, skills=[go], title="Published after")
    digests.send_digests(DAILY)

    [notice, digest] = smtp_server.to("go@example.com")
    assert "stopped working" in notice.message["Subject"]
    assert "Published after" in digest.text
    assert "Published while it was broken" not in digest.text
    reader.refresh_from_db()
    assert reader.search_broken_at is None


@pytest.mark.parametrize(
    "hostile",
    [
        "q=python%0d%0aBcc:%20victim@example.net",
        "q=%0aSubject:%20free%20money",
        "location=Berlin%0d%0a%0d%0a<script>",
        "q=" + "x" * 200,
    ],
)
def test_alerts_a_hostile_search_never_reaches_a_header_nor_stops_the_run(smtp_server, hostile):
    weird = Alert.objects.create(
        email="weird@example.com",
        search=hostile,  # stored as given: even a row written around the form is safe
        frequency=DAILY,
        confirmed_at=timezone.now() - timedelta(days=1),
        sent_through=timezone.now() - timedelta(days=1),
    )
    alert("plain@example.com", "")
    factories.LivePostingFactory(
        title="python Berlin " + "x" * 140,
        summary="python free money",
        location="Berlin",
        published_at=timezone.now() - timedelta(hours=1),
    )
    report = digests.send_digests(DAILY)

    assert report.failed == 0
    assert {address for mail in smtp_server.received for address in mail.recipients} <= {
        "weird@example.com",
        "plain@example.com",
    }
    assert smtp_server.to("plain@example.com")
    for mail in smtp_server.received:
        assert mail.message["Bcc"] is None
        assert "\n" not in mail.message["Subject"] and "\r" not in mail.message["Subject"]
        assert len(mail.message["Subject"].strip()) <= digests.SUBJECT_LENGTH
        assert "<script>" not in mail.html
    weird.refresh_from_db()
    assert weird.sent_count == len(smtp_server.to("weird@example.com"))


def test_alerts_an_address_the_server_refuses_does_not_stop_the_others(smtp_server, python):
    smtp_server.mailbox.refuse.add("gone@example.com")
    refused = alert("gone@example.com", "skill=python")
    alert("a@example.com", "skill=python")
    alert("b@example.com", "skill=python")
    published(1, skills=[python])
    report = digests.send_digests(DAILY)

    assert (report.sent, report.failed) == (2, 1)
    assert sorted(mail.recipients[0] for mail in smtp_server.received) == [
        "a@example.com",
        "b@example.com",
    ]
    refused.refresh_from_db()
    assert refused.sent_count == 0  # not recorded as sent: the next run tries again


def test_alerts_a_mail_server_that_is_down_fails_the_run_and_records_nothing(settings, python):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard: nothing listens
    settings.EMAIL_TIMEOUT = 2
    reader = alert(query="skill=python")
    published(1, skills=[python])
    with pytest.raises(OSError):
        digests.send_digests(DAILY)
    reader.refresh_from_db()
    assert (reader.sent_count, reader.last_sent_at) == (0, None)


def test_alerts_the_scheduler_enqueues_the_digests_and_a_worker_sends_them(smtp_server, python):
    alert(query="skill=python", frequency=Alert.Frequency.AS_PUBLISHED)
    published(0.1, skills=[python])
    call_command("run_periodic", "send_published_digests", stdout=io.StringIO())
    assert run_tasks() == 1
    assert len(smtp_server.received) == 1


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the worker process must see the test's committed rows",
)
@pytest.mark.django_db(transaction=True)
def test_alerts_a_sender_killed_after_the_server_accepted_resends_that_one_message_only(
    smtp_server, python, tmp_path, monkeypatch
):
    """The documented crash window: the SMTP server has the message, the transaction that
    records it never commits. A real worker process sends the daily digests; the server
    kills it (SIGKILL) on receiving the second message, before answering. The next run
    sends that message again and the third for the first time; the first never again."""
    from tests.test_worker_process import start_worker

    readers = [alert(f"reader{n}@example.com", "skill=python") for n in range(3)]
    published(1, skills=[python], title="The one opening")
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{smtp_server.port}")
    monkeypatch.setenv("SITE_URL", SITE)

    def kill_on_second_message(mail):
        if len(smtp_server.received) == 2:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)

    smtp_server.mailbox.on_data = kill_on_second_message
    call_command("run_periodic", "send_daily_digests", stdout=io.StringIO())
    worker = start_worker(tmp_path, "--batch")
    assert worker.wait(timeout=120) == -signal.SIGKILL
    first_run = [mail.recipients[0] for mail in smtp_server.received]
    assert first_run == ["reader0@example.com", "reader1@example.com"]
    assert [Alert.objects.get(pk=r.pk).sent_count for r in readers] == [1, 0, 0]

    smtp_server.mailbox.on_data = None
    call_command("run_periodic", "send_daily_digests", stdout=io.StringIO())
    worker = start_worker(tmp_path, "--batch")
    assert worker.wait(timeout=120) == 0, (tmp_path / "worker.log").read_text()

    assert [mail.recipients[0] for mail in smtp_server.received] == [
        "reader0@example.com",
        "reader1@example.com",  # killed before its commit…
        "reader1@example.com",  # …so sent again: at least once
        "reader2@example.com",
    ]
    # The same digest (its signed links carry the instant they were signed).
    first, again = (mail.text.split("You receive")[0] for mail in smtp_server.received[1:3])
    assert first == again and "The one opening" in first
    assert [Alert.objects.get(pk=r.pk).sent_count for r in readers] == [1, 1, 1]


def test_alerts_email_html_has_no_errors_for_the_w3c_checker(smtp_server, python, tmp_path):
    """Errors fail; the checker's warnings about table attributes stay: mail clients
    that ignore CSS lay out by them."""
    import json
    import os
    import subprocess

    from tests.test_html_validity import JAVA, VNU_JAR

    if not (JAVA and VNU_JAR.is_file()):
        message = "W3C HTML checker unavailable (see tests/test_html_validity.py)"
        if os.environ.get("REQUIRE_VNU"):
            pytest.fail(message)
        pytest.skip(message)
    alert("digest@example.com", "skill=python")
    broken = factories.SkillFactory(name="Cobol", slug="cobol")
    alert("broken@example.com", "skill=cobol")
    broken.delete()
    published(1, skills=[python], title="Engineer <b>& Co</b>", summary="“Quotes” & <tags>")
    digests.send_digests(DAILY)
    assert len(smtp_server.received) == 2
    for number, mail in enumerate(smtp_server.received):
        (tmp_path / f"mail-{number}.html").write_text(mail.html, encoding="utf-8")
    checked = subprocess.run(  # noqa: S603 (fixed command, our own temporary files)
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always",
         "--skip-info-messages", *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    messages = json.loads(checked.stdout)["messages"]
    errors = [m for m in messages if m["type"] != "info"]
    assert not errors, errors
    [digest] = smtp_server.to("digest@example.com")
    assert "Engineer &lt;b&gt;&amp; Co&lt;/b&gt;" in digest.html  # text, never markup


def test_alerts_staff_find_the_alerts_whose_search_broke_in_the_admin(smtp_server, client):
    from django.contrib.auth.models import User

    cobol = factories.SkillFactory(name="Cobol", slug="cobol")
    alert("broken@example.com", "skill=cobol")
    alert("fine@example.com", "")
    cobol.delete()
    digests.send_digests(DAILY)

    client.force_login(User.objects.create_superuser("root", password="a-long-passphrase-1"))
    changelist = reverse("admin:alerts_alert_changelist")
    response = client.get(changelist, {"search_broken_at__isempty": "0"})
    assert response.status_code == 200
    assert b"broken@example.com" in response.content
    assert b"fine@example.com" not in response.content
