from django.apps import AppConfig


class PostingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "postings"

    def ready(self):
        # The page cache's invalidation (jobboard/cache.py) is connected in ready() because
        # every process runs it: web workers, management commands, the shell, task workers.
        # Connected in the cache middleware's __init__, which only web workers build, a
        # save from a command or the shell bumped nothing and visitors kept getting the old
        # page until it timed out. In this app because it is the last installed of the
        # three whose models are watched.
        from jobboard.cache import connect_invalidation

        connect_invalidation()
