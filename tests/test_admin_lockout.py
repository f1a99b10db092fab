"""The admin: staff only, locked after repeated failed logins, at a configurable path."""

import importlib
import runpy

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
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


# Password spraying and the cost of refusing ---------------------------------------------
ADDRESS = "203.0.113.7"


def test_spraying_many_usernames_from_one_address_locks_the_address(client, staff, settings):
    # A few guesses at each of many usernames: never 5 for one of them, so no pair locks.
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    usernames = [f"user{n}" for n in range(12)] + ["editor"]
    answers = [
        log_in(client, f"guess-{n}", username=usernames[n % len(usernames)]).status_code
        for n in range(limit)
    ]
    assert answers == [200] * (limit - 1) + [429]  # the failure that reaches it says so
    # The address is locked for every username, even with the right password…
    assert log_in(client, PASSWORD).status_code == 429
    assert not is_logged_in(client)
    # …its login page says so before anyone types…
    assert client.get(reverse("admin:login"), REMOTE_ADDR=ADDRESS).status_code == 429
    # …and only that address is locked.
    assert log_in(client, PASSWORD, ip="198.51.100.20").status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_its_normal_use(client, settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    colleagues = [
        User.objects.create_user(f"colleague{n}", password=PASSWORD, is_staff=True)
        for n in range(limit)
    ]
    # Everyone mistypes twice before getting in: more failures in the hour than the limit,
    # but each user's success clears that user's failures.
    for colleague in colleagues:
        for _ in range(2):
            assert log_in(client, "typo", username=colleague.username).status_code == 200
        assert log_in(client, PASSWORD, username=colleague.username).status_code == 302
        client.logout()
    # Some give up, one short of their own lockout: fewer failures left than the limit.
    for colleague in colleagues[: (limit - 1) // 4]:
        for _ in range(4):
            assert log_in(client, "forgotten", username=colleague.username).status_code == 200
    assert log_in(client, PASSWORD, username=colleagues[-1].username).status_code == 302


def test_the_lockout_page_says_when_to_try_again(client, staff):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        log_in(client, "wrong-guess")
    # The last failure was 20 minutes ago: the hour's lock has 40 minutes left.
    last_failure = timezone.now() - timezone.timedelta(minutes=20)
    AccessAttempt.objects.update(attempt_time=last_failure)
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert 39 * 60 <= int(response["Retry-After"]) <= 40 * 60
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "<h1>Too many sign-in attempts</h1>" in page
    assert 'class="site-header"' in page  # the site's own page, not axes's line of text
    assert f"{last_failure + timezone.timedelta(hours=1):%H:%M} UTC" in page
    assert "in about 40 minutes" in page


@pytest.fixture
def hashes(monkeypatch):
    """Count the password hashes computed: checking one, or hashing one for a user who
    does not exist (Django does that too, so that timing tells nothing)."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    for name in ("encode", "verify"):
        original = getattr(MD5PasswordHasher, name)

        def counted(self, *args, _original=original, **kwargs):
            calls.append(1)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(MD5PasswordHasher, name, counted)
    return calls


def test_a_locked_out_address_is_refused_without_hashing_a_password(
    client, staff, settings, hashes
):
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        log_in(client, "guess", username=f"user{n}")
    assert len(hashes) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT  # each guess was checked
    hashes.clear()
    # Refused before the CSRF check too: a script's requests are refused just as cheaply.
    script = Client(enforce_csrf_checks=True)
    for username, password in [("editor", PASSWORD), ("editor", "guess"), ("nobody", "guess")]:
        assert log_in(client, password, username=username).status_code == 429
        assert log_in(script, password, username=username).status_code == 429
    assert hashes == []


def test_a_locked_out_user_is_refused_without_hashing_a_password(client, staff, hashes):
    for _ in range(5):
        log_in(client, "wrong-guess")
    hashes.clear()
    assert log_in(client, PASSWORD).status_code == 429
    assert hashes == []


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)", ""]
)
def test_after_logging_in_an_unsafe_next_lands_on_the_admin(client, staff, next_url):
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "next": next_url},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


def test_an_address_is_told_when_enough_of_its_failures_have_aged_out(client, staff, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        log_in(client, "guess", username=f"user{n % 10}")  # 10 usernames, 3 guesses each
    now = timezone.now()
    AccessAttempt.objects.update(attempt_time=now - timezone.timedelta(minutes=10))
    AccessAttempt.objects.filter(username="user0").update(
        attempt_time=now - timezone.timedelta(minutes=50)
    )
    # In 10 minutes user0's 3 failures are an hour old: 27 left, under the limit.
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert 9 * 60 <= int(response["Retry-After"]) <= 10 * 60
    AccessAttempt.objects.filter(username="user0").update(
        attempt_time=now - timezone.timedelta(minutes=61)
    )
    assert log_in(client, PASSWORD).status_code == 302
