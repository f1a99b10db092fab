from django.apps import AppConfig

from jobboard.cache import bump_on_change


class SkillsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "skills"

    def ready(self):
        # Skill pages and guides are cached for anonymous visitors (jobboard/cache.py).
        bump_on_change(self.get_model("Skill"), self.get_model("SkillGuide"))
