from django.apps import AppConfig


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = "Job alerts"

    def ready(self):
        from . import checks  # noqa: F401 (registers the deploy check)
