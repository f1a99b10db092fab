"""`manage.py check --deploy`: a production site whose e-mails go nowhere says so."""

from django.conf import settings
from django.core.checks import Warning, register

NOT_SENT = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register("email", deploy=True)
def email_is_sent(app_configs, **kwargs):
    if settings.EMAIL_BACKEND not in NOT_SENT:
        return []
    return [
        Warning(
            "E-mails are printed or written to files, not sent: job alerts never reach "
            "their readers.",
            hint="Set EMAIL_URL=smtp://user:password@host:587/?tls=1 (README.md, 'E-mail').",
            id="alerts.W001",
        )
    ]
