import uuid
from pathlib import Path

from django.conf import settings
from django.db import models


class ContentUpload(models.Model):
    """A content file uploaded in the admin, kept in the database between its dry run and
    its import: the workers that run both, on any machine, read it from here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    data = models.BinaryField(help_text="The file; emptied once it is imported.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The tasks (django_tasks_db's rows) of its two steps.
    dry_run = models.ForeignKey(
        "django_tasks_database.DBTaskResult",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    run = models.ForeignKey(
        "django_tasks_database.DBTaskResult",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-uploaded_at"]
        get_latest_by = "uploaded_at"

    def __str__(self) -> str:
        return self.name

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()
