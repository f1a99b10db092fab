"""The admin: staff only, locked after repeated failed logins, at a configurable path."""

import importlib
import runpy

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import clear_url_caches, reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-1"


@pytest.fixture
def staff(db):
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def log_in(client, password, *, username="editor", ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_staff_logs_in(client, staff):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_user_who_is_not_staff_cannot_use_the_admin(client):
    User.objects.create_user("visitor", password=PASSWORD)
    response = log_in(client, PASSWORD, username="visitor")
    assert response.status_code == 200  # the form again, with an error
    assert not is_logged_in(client)
    client.force_login(User.objects.get(username="visitor"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_sixth_attempt_is_refused_even_with_the_right_password(client, staff):
    for _ in range(4):
        assert log_in(client, "wrong-guess").status_code == 200
    # The fifth failure locks the pair out: its answer already says so.
    assert log_in(client, "wrong-guess").status_code == 429
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)
    assert b"too many" in response.content.lower()


def test_lockout_is_per_username_and_address(client, staff):
    for _ in range(5):
        log_in(client, "wrong-guess")
    # The same person from elsewhere, and someone else from the same address, get in.
    assert log_in(client, PASSWORD, ip="198.51.100.20").status_code == 302
    client.logout()
    User.objects.create_user("other", password=PASSWORD, is_staff=True)
    assert log_in(client, PASSWORD, username="other").status_code == 302


def test_lockout_ends_after_an_hour(client, staff, settings):
    for _ in range(5):
        log_in(client, "wrong-guess")
    assert log_in(client, PASSWORD).status_code == 429
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=61))
    assert log_in(client, PASSWORD).status_code == 302


def test_fewer_failures_than_the_limit_then_success_resets_the_count(client, staff):
    for _ in range(4):
        log_in(client, "wrong-guess")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "wrong-guess")
    assert log_in(client, PASSWORD).status_code == 302


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong-guess"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.7",  # the client lied about 10.0.0.1
        )
    locked = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.7",
    )
    assert locked.status_code == 429
    other_visitor = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other_visitor.status_code == 302


def test_admin_url_comes_from_the_environment(monkeypatch, settings):
    monkeypatch.setenv("ADMIN_URL", "/backstage-7f3a/")
    assert runpy.run_path(str(settings.BASE_DIR / "jobboard" / "settings.py"))["ADMIN_URL"] == (
        "backstage-7f3a/"
    )


def test_the_admin_is_served_at_admin_url_only(client):
    import jobboard.urls

    try:
        with override_settings(ADMIN_URL="backstage-7f3a/"):
            importlib.reload(jobboard.urls)
            clear_url_caches()
            assert reverse("admin:index") == "/backstage-7f3a/"
            assert client.get("/backstage-7f3a/login/").status_code == 200
            assert client.get("/admin/login/").status_code == 404
    finally:
        # Back to the URLs of the real settings, for the tests that follow.
        importlib.reload(jobboard.urls)
        clear_url_caches()
