from django.apps import AppConfig

from jobboard.cache import bump_on_change


class CompaniesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "companies"

    def ready(self):
        # Company pages are cached for anonymous visitors (jobboard/cache.py).
        bump_on_change(self.get_model("Company"))
