"""Job alerts: a reader's address, one saved search and how often to hear about it.

Nothing else about the reader is kept (see README "Job alerts by e-mail").
"""

from django.db import models


class AlertQuerySet(models.QuerySet):
    def confirmed(self):
        """Alerts whose address proved it wants them (double opt-in)."""
        return self.filter(confirmed_at__isnull=False)

    def active(self):
        """Alerts that digests are sent for."""
        return self.confirmed().filter(paused=False)


class Alert(models.Model):
    class Frequency(models.TextChoices):
        AS_PUBLISHED = "published", "As published (within 15 minutes)"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    email = models.EmailField(max_length=254)
    # The normalised search: postings.feeds.feed_query(params) of the listing's GET
    # parameters ("" = every opening); facet words already resolved. Two equal searches
    # are one string, so the unique constraint below means one alert per address and search.
    search = models.CharField(max_length=2000, blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.DAILY)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "Set when the reader follows the confirmation link; "
            "unconfirmed alerts are deleted after 48 hours."
        ),
    )
    paused = models.BooleanField(default=False)
    # Postings published up to this moment have been considered for this alert (set to
    # the confirmation time; moved forward in the transaction that records a digest).
    sent_through = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    # When the stored search stopped validating (e.g. a deleted skill); the reader is told once.
    search_broken_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "search"], name="alert_unique_email_search")
        ]
        indexes = [models.Index(fields=["frequency", "search"], name="alert_frequency_search_idx")]

    def __str__(self):
        return f"Alert {self.pk} ({self.get_frequency_display()})"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    @property
    def cadence(self) -> str:
        """How often, in a sentence: "you get new openings {cadence}"."""
        return {
            self.Frequency.AS_PUBLISHED: "as they are published, within 15 minutes",
            self.Frequency.DAILY: "in one e-mail a day",
            self.Frequency.WEEKLY: "in one e-mail a week",
        }[self.frequency]
