"""EMAIL_URL: how e-mail leaves the site (jobboard/email_url.py), and a production
environment without it warned about by `check --deploy`."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jobboard.email_url import email_settings
from tests.conftest import PRODUCTION_ENV
from tests.test_deploy_check import run_check

BASE = Path("/srv/jobboard")


def test_alerts_email_url_submission_with_starttls_and_an_encoded_password():
    assert email_settings(
        "smtp://jobs%40example.com:p%40ss%3Aword@mail.example.com:587/?tls=1", base_dir=BASE
    ) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "jobs@example.com",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
        "EMAIL_FILE_PATH": None,
    }


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtps://mail.example.com", 465, False, True),
        ("smtp://mail.example.com/?ssl=yes", 465, False, True),
        ("smtp://mail.example.com/?tls=true", 587, True, False),
        ("smtp://127.0.0.1", 25, False, False),
        ("SMTP://127.0.0.1:2525/?timeout=3", 2525, False, False),
    ],
)
def test_alerts_email_url_ports_and_encryption(url, port, tls, ssl):
    config = email_settings(url, base_dir=BASE)
    assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (
        port,
        tls,
        ssl,
    )


def test_alerts_email_url_console_and_folders():
    console = email_settings("console:", base_dir=BASE)
    assert console["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert email_settings("file:", base_dir=BASE)["EMAIL_FILE_PATH"] == str(BASE / "sent_emails")
    assert (
        email_settings("file:///var/tmp/mail", base_dir=BASE)["EMAIL_FILE_PATH"] == "/var/tmp/mail"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.com",
        "smtp://",
        "smtp://mail.example.com:notaport",
        "smtp://mail.example.com/?tls=maybe",
        "smtp://mail.example.com/?tls=1&ssl=1",
        "smtp://mail.example.com/?starttls=1",
        "smtp://mail.example.com/?timeout=soon",
    ],
)
def test_alerts_email_url_that_is_not_understood_stops_the_start(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url, base_dir=BASE)


def test_alerts_email_url_error_never_shows_the_password():
    with pytest.raises(ImproperlyConfigured) as error:
        email_settings("smpt://user:hunter2@mail.example.com", base_dir=BASE)
    assert "hunter2" not in str(error.value)


def test_alerts_production_without_email_url_is_warned_about_by_the_deploy_check():
    environment = {key: value for key, value in PRODUCTION_ENV.items() if key != "EMAIL_URL"}
    result = run_check(environment)
    assert result.returncode != 0
    assert "alerts.W001" in result.stdout + result.stderr


def test_alerts_a_bad_email_url_stops_the_site_from_starting():
    result = run_check({**PRODUCTION_ENV, "EMAIL_URL": "smtp://mail.example.com/?tls=maybe"})
    assert result.returncode != 0
    assert "EMAIL_URL's tls is 1 or 0" in result.stderr
