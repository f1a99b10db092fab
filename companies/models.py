import uuid

from django.db import models
from django.urls import reverse

from .logos import LogoField


def logo_upload_to(instance, filename: str) -> str:
    # A random name: the uploader's file name is never trusted or exposed.
    return f"logos/{uuid.uuid4().hex}.png"


class Company(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="A short paragraph about the company.")
    headquarters = models.CharField(max_length=120, blank=True, help_text='e.g. "Berlin, Germany"')
    logo = LogoField(
        upload_to=logo_upload_to,
        blank=True,
        help_text="PNG, JPEG, WebP or GIF; at most 2 MB and 16 megapixels. Square looks best.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        indexes = [models.Index(fields=["name"], name="company_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("companies:detail", kwargs={"slug": self.slug})

    @property
    def monogram(self) -> str:
        words = [word for word in self.name.split() if word[:1].isalnum()]
        return "".join(word[0] for word in words[:2]).upper() or "?"
