from django.apps import AppConfig
from django.db.models.signals import post_save

from jobboard.cache import bump_on_change


class CompaniesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "companies"

    def ready(self):
        from . import tasks

        company = self.get_model("Company")
        # Company pages are cached for anonymous visitors (jobboard/cache.py).
        bump_on_change(company)
        # A company without current logo sizes gets them rendered by a worker.
        post_save.connect(tasks.render_when_stale, sender=company, dispatch_uid="render-logo")
