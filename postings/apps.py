from django.apps import AppConfig

from jobboard.cache import bump_on_change


class PostingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "postings"

    def ready(self):
        # Pages showing postings are cached for anonymous visitors (jobboard/cache.py);
        # a posting's skills are part of what they show.
        Posting = self.get_model("Posting")
        # The listing's form names the date of the exchange rates in force.
        bump_on_change(Posting, self.get_model("ExchangeRate"), m2m=[Posting.skills.through])
