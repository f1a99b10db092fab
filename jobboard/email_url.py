"""EMAIL_URL, one variable for how e-mail leaves the site, read into Django's settings.

    smtp://user:password@mail.example.com:587/?tls=1   SMTP, STARTTLS (the submission port)
    smtps://user:password@mail.example.com             SMTP over TLS (port 465)
    smtp://127.0.0.1:25                                 a relay on this machine, no login
    console:                                            printed by the process that sends
    file:                                               files under sent_emails/ (git-ignored)
    file:///var/tmp/jobboard-mail                       files in that folder

A user name or password with reserved characters is percent-encoded (`p%40ss` for p@ss).
Query options: `tls` (STARTTLS), `ssl` (TLS from the first byte), `timeout` (seconds,
default 10: a mail server that hangs fails one digest, not the worker). Parsed with the
standard library: dj-email-url, the usual parser, has had no release since 2022.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
DEFAULT_TIMEOUT = 10
# Every setting has a value whatever the backend (Django's defaults where unused), so that
# settings.py assigns each by name.
UNUSED = {
    "EMAIL_HOST": "localhost",
    "EMAIL_PORT": 25,
    "EMAIL_HOST_USER": "",
    "EMAIL_HOST_PASSWORD": "",
    "EMAIL_USE_TLS": False,
    "EMAIL_USE_SSL": False,
    "EMAIL_TIMEOUT": DEFAULT_TIMEOUT,
    "EMAIL_FILE_PATH": None,
}


def email_settings(url: str, *, base_dir: Path) -> dict:
    """The EMAIL_* settings for `url` (all of them, settings.py's names); a URL that is not
    understood is an error at start-up rather than mail silently going nowhere."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {**UNUSED, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        folder = unquote(parts.path) if parts.path else str(base_dir / "sent_emails")
        return {
            **UNUSED,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": folder,
        }
    if scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            "EMAIL_URL is smtp://user:password@host:port/?tls=1, smtps://…, console: or "
            f"file:, not {_without_password(url)!r} (README.md, 'E-mail')."
        )
    options = {key: values[-1].strip().lower() for key, values in parse_qs(parts.query).items()}
    unknown = set(options) - {"tls", "ssl", "timeout"}
    if unknown:
        raise ImproperlyConfigured(f"EMAIL_URL has unknown options: {', '.join(sorted(unknown))}.")
    use_ssl = scheme == "smtps" or _flag(options, "ssl")
    use_tls = _flag(options, "tls")
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL asks for both ssl and tls: choose one.")
    try:
        port = parts.port
        timeout = int(options.get("timeout") or DEFAULT_TIMEOUT)
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port or timeout: {error}.") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host: smtp://host:port/.")
    return {
        **UNUSED,
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": timeout,
    }


def _flag(options: dict, name: str) -> bool:
    value = options.get(name, "")
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"EMAIL_URL's {name} is 1 or 0, not {value!r}.")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":…@", 1)
