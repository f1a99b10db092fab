"""Hostile input to job alerts: malformed addresses, header injection (CR/LF and other
control characters) in every field, oversized searches — each a clear 4xx page, with
nothing stored and nothing sent. Forged, expired and replayed links are in
tests/test_alerts_manage.py and tests/test_alerts_subscribe.py; tests/test_hostile_input.py
walks the alert URLs with everything else."""

from urllib.parse import quote

import pytest
from django.core import mail
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from alerts.models import Alert
from tests import factories
from tests.worker import queued, run_tasks

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/alerts/new/"


@pytest.fixture(autouse=True)
def board(db):
    factories.LivePostingFactory(skills=[factories.SkillFactory(slug="python")])


def nothing_happened():
    assert not Alert.objects.exists()
    assert not queued()
    run_tasks()
    assert mail.outbox == []


MALFORMED = [
    "",
    "plainaddress",
    "@example.com",
    "ada@",
    "ada@@example.com",
    "ada@example",
    "ada example@example.com",
    '"ada"@example.com',
    "ada@example.com, eve@example.com",
    "Ada <ada@example.com>",
    "ada@exa mple.com",
    "ada@-example.com",
    "ada@example.com;eve@example.com",
    "a" * 250 + "@example.com",
    "ada@[127.0.0.1]x",
]


@pytest.mark.parametrize("email", MALFORMED)
def test_a_malformed_address_is_a_form_error(client, email):
    response = client.post(SUBSCRIBE, {"email": email, "frequency": "daily"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    nothing_happened()


INJECTIONS = [
    "ada@example.com\r\nBcc: eve@example.com",
    "ada@example.com\nBcc: eve@example.com",
    "ada@example.com\r\n",
    "\r\nada@example.com",
    "ada@example.com\rX-Injected: 1",
    "ada@example.com%0d%0aBcc:eve@example.com",
    "ada@example.com\x00",
    "ada@example.com\x0b",
]


@pytest.mark.parametrize("email", INJECTIONS)
def test_header_injection_in_the_address_is_refused(client, email):
    response = client.post(SUBSCRIBE, {"email": email, "frequency": "daily"})
    assert response.status_code == 400
    nothing_happened()


@pytest.mark.parametrize(
    "frequency", ["daily\r\nBcc: eve@example.com", "\r\ndaily", "hourly", "", "DAILY"]
)
def test_a_bad_frequency_is_a_form_error(client, frequency):
    response = client.post(SUBSCRIBE, {"email": "ada@example.com", "frequency": frequency})
    assert response.status_code == 400
    nothing_happened()


@pytest.mark.parametrize(
    "query",
    [
        "q=" + quote("python\r\nBcc: eve@example.com"),
        "location=" + quote("Berlin\nX-Injected: 1"),
        "skill=python%0d%0a",
        "q=a%00b",
        "q=%1B%7F",
        "skill=" + quote("python\r\n"),
        "remote=remote%0a",
        "salary_min=80000%0d%0a",
    ],
)
def test_header_injection_in_the_search_is_a_400_page(client, query):
    for response in (
        client.get(f"{SUBSCRIBE}?{query}"),
        client.post(f"{SUBSCRIBE}?{query}", {"email": "ada@example.com", "frequency": "daily"}),
    ):
        assert response.status_code == 400
        assert "This search cannot be followed" in response.content.decode()
    nothing_happened()


def test_a_search_too_long_to_store_is_a_400_page(client):
    query = "&".join(f"location={'x' * 100}{n}" for n in range(30))
    response = client.post(f"{SUBSCRIBE}?{query}", {"email": "a@example.com", "frequency": "daily"})
    assert response.status_code == 400
    nothing_happened()


def test_a_honeypot_with_control_characters_stores_and_sends_nothing(client):
    data = {"email": "ada@example.com", "frequency": "daily", "website": "x\r\ny"}
    assert client.post(SUBSCRIBE, data).status_code == 400
    nothing_happened()


@hypothesis_settings(max_examples=100)
@given(
    email=st.one_of(st.text(max_size=60), st.emails().map(lambda e: e + "\r\nBcc: x@y.z")),
    frequency=st.one_of(st.sampled_from(["daily", "weekly", "published"]), st.text(max_size=20)),
    query=st.text(max_size=40).map(lambda text: "q=" + quote(text, safe="")),
)
def test_no_submission_gives_a_server_error_or_sends_an_injected_header(email, frequency, query):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()  # the limits are not under test here
    response = Client().post(f"{SUBSCRIBE}?{query}", {"email": email, "frequency": frequency})
    assert response.status_code in (303, 400), (email, frequency, query)
    run_tasks()
    for message in mail.outbox:
        for value in [message.subject, *message.to, *message.extra_headers.values()]:
            assert "\r" not in value and "\n" not in value
    mail.outbox.clear()
