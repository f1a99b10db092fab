"""The whole job-alert loop, as a reader and a mail client live it: subscribe from a
filtered listing in Chromium, confirm from the e-mail that reached a real SMTP server on
loopback, receive the new matching opening once, unsubscribe with the one-click POST a mail
client sends to `List-Unsubscribe`, and hear nothing more."""

import re
import urllib.request
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from alerts.models import Alert
from postings.models import Posting
from tests import factories
from tests.worker import run_tasks

READER = "ada@example.com"


def one_link(text: str, kind: str) -> str:
    [link] = set(re.findall(rf"https?://\S+/alerts/{kind}/\S+/", text))
    return link


def run_digests() -> None:
    call_command("run_periodic", "send_published_digests", verbosity=0)
    run_tasks()


def test_subscribe_confirm_receive_once_and_unsubscribe_in_one_click(
    live_server, page, smtp_server, settings
):
    settings.SITE_URL = live_server.url  # the links in the e-mails lead to this server
    python = factories.SkillFactory(name="Python", slug="python")
    factories.LivePostingFactory(skills=[python], remote_policy=Posting.RemotePolicy.REMOTE)

    # Subscribe from a filtered listing: a plain link to the form, then the form.
    page.goto(f"{live_server.url}/jobs/?skill=python&remote=remote")
    page.get_by_role("link", name="Get these jobs by e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get these jobs by e-mail")
    expect(page.locator(".alert-page__search")).to_have_text("Remote Python openings")
    page.get_by_label("Your e-mail address").fill(READER)
    page.get_by_label("As published (within 15 minutes)").check()
    page.get_by_role("button", name="E-mail me these jobs").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your inbox")

    # Only the confirmation is sent; it reaches the SMTP server through the worker.
    assert smtp_server.received == []
    run_tasks()
    [confirmation] = smtp_server.wait_for(1)
    assert confirmation.recipients == [READER]
    page.goto(one_link(confirmation.text, "confirm"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmed")
    alert = Alert.objects.get(email=READER)
    assert alert.is_confirmed and alert.frequency == Alert.Frequency.AS_PUBLISHED

    # A matching opening is published (and one that does not match); the digest task runs.
    matching = factories.LivePostingFactory(
        title="Remote Python Engineer",
        skills=[python],
        remote_policy=Posting.RemotePolicy.REMOTE,
        published_at=timezone.now(),
    )
    factories.LivePostingFactory(
        title="On-site Python Engineer",
        skills=[python],
        remote_policy=Posting.RemotePolicy.ONSITE,
        published_at=timezone.now(),
    )
    run_digests()
    [_, digest] = smtp_server.wait_for(2)
    assert digest.recipients == [READER]
    assert digest.text.count(matching.title) == 1
    assert "On-site Python Engineer" not in digest.text
    assert f"{live_server.url}{matching.get_absolute_url()}" in digest.html
    run_digests()  # the next quarter hour: nothing new, nothing again
    assert len(smtp_server.received) == 2

    # One-click unsubscribe as a mail client does it (RFC 8058): a POST, no cookie, no page.
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = digest.message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    request = urllib.request.Request(  # noqa: S310 (the live server's http URL)
        unsubscribe,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200
    assert not Alert.objects.filter(email=READER).exists()

    factories.LivePostingFactory(
        title="Another Remote Python Engineer",
        skills=[python],
        remote_policy=Posting.RemotePolicy.REMOTE,
        published_at=timezone.now() - timedelta(seconds=1),
    )
    run_digests()
    assert len(smtp_server.received) == 2  # no further e-mail
