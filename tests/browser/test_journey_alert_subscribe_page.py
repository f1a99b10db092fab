"""Subscribing to a job alert in a real browser: from the listing's link to the form, by
keyboard alone, with and without JavaScript (the copy button), under the CSP."""

import pytest
from django.core import mail

from alerts.models import Alert
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    python = factories.SkillFactory(name="Python", slug="python")
    factories.LivePostingFactory(skills=[python], remote_policy="remote")


def test_a_reader_subscribes_from_the_listing_by_keyboard(live_server, page, board):
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + "/jobs/?skill=python&remote=remote")
    page.get_by_role("link", name="Get these jobs by e-mail").click()
    assert page.url.endswith("/alerts/new/?remote=remote&skill=python")
    assert page.get_by_text("Remote Python openings").first.is_visible()

    # Keyboard only: the address, the frequency (arrow keys move within the radios), send.
    page.get_by_label("Your e-mail address").focus()
    page.keyboard.type("ada@example.com")
    page.keyboard.press("Tab")  # to the checked radio, "Daily"
    page.keyboard.press("ArrowDown")  # "Weekly"
    page.keyboard.press("Tab")  # past the honeypot (tabindex=-1) to the button
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "E-mail me these jobs"
    page.keyboard.press("Enter")
    page.wait_for_url("**/alerts/new/sent/")
    assert page.get_by_role("heading", name="Check your inbox").is_visible()

    alert = Alert.objects.get()
    assert (alert.email, alert.search, alert.frequency) == (
        "ada@example.com",
        "remote=remote&skill=python",
        "weekly",
    )
    assert alert.confirmed_at is None
    assert csp_errors == []


def test_the_copy_button_copies_the_feed_address(live_server, page, board):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/alerts/new/?skill=python")
    feed = page.get_by_label("Feed address (Atom)")
    assert feed.input_value() == live_server.url + "/jobs/feed/atom/?skill=python"
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied the feed address.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == feed.input_value()


def test_without_javascript_the_feed_address_is_there_to_select(browser, live_server, board):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/alerts/new/?skill=python")
    assert not page.get_by_role("button", name="Copy").is_visible()  # needs the script
    feed = page.get_by_label("Feed address (Atom)")
    assert feed.is_visible() and feed.get_attribute("readonly") is not None
    # The form works without JavaScript too.
    page.get_by_label("Your e-mail address").fill("grace@example.com")
    page.get_by_role("button", name="E-mail me these jobs").click()
    page.wait_for_url("**/alerts/new/sent/")
    context.close()
    assert Alert.objects.filter(email="grace@example.com").exists()
    assert mail.outbox == []  # sent by a worker, not the request
