"""Job alerts after confirming: the signed manage and unsubscribe links (RFC 8058 one-click
included), what the links carry, and staff's view in the admin."""

import base64
import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts import links
from alerts.models import Alert
from tests import factories

pytestmark = pytest.mark.django_db

ADDRESS = "grace.hopper@example.org"


@pytest.fixture
def alert(db):
    factories.SkillFactory(name="Python", slug="python")
    now = timezone.now()
    return Alert.objects.create(
        email=ADDRESS,
        search="remote=remote&skill=python",
        frequency=Alert.Frequency.DAILY,
        confirmed_at=now,
        sent_through=now,
    )


def path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_no_link_carries_the_address(alert):
    for url in (links.confirm_url(alert), links.manage_url(alert), links.unsubscribe_url(alert)):
        assert url.startswith("http://127.0.0.1:8000/alerts/")  # absolute, from SITE_URL
        payload = url.rstrip("/").rsplit("/", 1)[1].split(":", 1)[0]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        assert ADDRESS not in url and "grace" not in decoded and "example.org" not in decoded
        assert json.loads(decoded)[0] == alert.pk


def test_the_manage_page_shows_the_alert_in_words(client, alert):
    response = client.get(path(links.manage_url(alert)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Remote Python openings" in page
    assert "Active" in page
    assert 'value="daily" id="id_frequency_1" required checked' in page
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_the_reader_changes_the_frequency_pauses_and_resumes(client, alert):
    url = path(links.manage_url(alert))
    changed = client.post(url, {"action": "frequency", "frequency": "weekly"})
    assert changed.status_code == 303
    assert "Saved" in client.get(changed["Location"]).content.decode()
    alert.refresh_from_db()
    assert alert.frequency == "weekly"

    client.post(url, {"action": "pause"})
    alert.refresh_from_db()
    assert alert.paused and not Alert.objects.active().exists()
    assert "Resume this alert" in client.get(url).content.decode()
    client.post(url, {"action": "resume"})
    alert.refresh_from_db()
    assert not alert.paused and Alert.objects.active().exists()


def test_the_reader_deletes_the_alert_from_the_manage_page(client, alert):
    url = path(links.manage_url(alert))
    response = client.post(url, {"action": "delete"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Alert.objects.exists()
    assert client.get(url).status_code == 410  # the link outlives nothing


def test_manage_posts_need_the_csrf_token(alert):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(path(links.manage_url(alert)), {"action": "delete"})
    assert response.status_code == 403
    assert Alert.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "explode"},
        {"action": "frequency", "frequency": "hourly"},
        {"action": "frequency", "frequency": "daily\r\nBcc: x@example.com"},
        {},
    ],
)
def test_a_bad_manage_post_is_a_400_and_changes_nothing(client, alert, data):
    assert client.post(path(links.manage_url(alert)), data).status_code == 400
    alert.refresh_from_db()
    assert alert.frequency == "daily" and not alert.paused


def test_unsubscribe_shows_a_button_and_deletes_only_on_post(client, alert):
    url = path(links.unsubscribe_url(alert))
    page = client.get(url)
    assert page.status_code == 200
    assert '<button class="button button--danger" type="submit">Unsubscribe</button>' in (
        page.content.decode()
    )
    assert Alert.objects.exists()
    assert client.post(url).status_code == 200
    assert not Alert.objects.exists()


def test_one_click_unsubscribe_as_a_mail_client_sends_it(alert):
    """RFC 8058: a POST of `List-Unsubscribe=One-Click`, no cookie, no CSRF token."""
    mail_client = Client(enforce_csrf_checks=True)
    url = path(links.unsubscribe_url(alert))
    response = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Alert.objects.exists()
    # A retry after it worked is still a success: the alert is gone either way.
    again = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200
    assert client_get_status(url) == 410


def client_get_status(url):
    return Client().get(url).status_code


def forged_tokens(alert):
    real = links.token(alert, "manage")
    return {
        "garbage": "not-a-token",
        "truncated": real[:-3],
        "tampered id": real.replace(real.split(":")[0], "W1sxMjM0LCJ4Il0"),
        "other key": signing.dumps(
            [alert.pk, links.fingerprint(alert)], key="x" * 50, salt=links.SALTS["manage"]
        ),
        "no fingerprint": signing.dumps(alert.pk, salt=links.SALTS["manage"]),
        "another purpose": links.token(alert, "confirm"),
    }


@pytest.mark.parametrize("view", ["confirm", "manage", "unsubscribe"])
def test_forged_links_are_a_clear_400_and_change_nothing(client, alert, view):
    for name, token in forged_tokens(alert).items():
        if view == "confirm" and name == "another purpose":
            token = links.token(alert, "manage")
        url = reverse(f"alerts:{view}", kwargs={"token": token})
        answers = [client.get(url)]
        if view != "confirm":  # confirm answers GET only
            answers.append(client.post(url, {"action": "delete"}))
        for response in answers:
            assert response.status_code == 400, (view, name, response.status_code)
            assert "This link does not work" in response.content.decode()
    assert Alert.objects.filter(pk=alert.pk, confirmed_at__isnull=False).exists()


def test_a_link_of_a_deleted_alert_does_not_open_a_new_one_with_its_id(client, alert):
    url = path(links.manage_url(alert))
    pk = alert.pk
    alert.delete()
    Alert.objects.create(pk=pk, email="someone.else@example.com", search="")
    assert client.get(url).status_code == 410


# ---------- The admin ----------


def test_staff_see_alerts_and_find_them_by_address(admin_client, alert):
    Alert.objects.create(email="other@example.net", search="")
    page = admin_client.get(reverse("admin:alerts_alert_changelist"), {"q": "grace"})
    html = page.content.decode()
    assert page.status_code == 200
    assert ADDRESS in html and "other@example.net" not in html
    assert "Remote Python openings" in html
    change = admin_client.get(reverse("admin:alerts_alert_change", args=[alert.pk]))
    assert change.status_code == 200


def test_staff_delete_every_alert_of_an_address(admin_client, alert):
    second = Alert.objects.create(email=ADDRESS, search="")
    other = Alert.objects.create(email="other@example.net", search="")
    response = admin_client.post(
        reverse("admin:alerts_alert_changelist"),
        {"action": "delete_all_of_these_addresses", ACTION_CHECKBOX_NAME: [alert.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Deleted 2 alerts of 1 address." in response.content.decode()
    assert list(Alert.objects.values_list("pk", flat=True)) == [other.pk]
    assert not Alert.objects.filter(pk=second.pk).exists()


def test_the_admin_list_reads_each_distinct_search_once(admin_client, alert):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:alerts_alert_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    few = queries()
    Alert.objects.bulk_create(
        Alert(email=f"reader{n}@example.com", search=alert.search) for n in range(30)
    )
    assert queries() == few
