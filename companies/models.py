import logging
import uuid

from django.db import models
from django.urls import reverse

from . import logos
from .logos import LogoField

logger = logging.getLogger(__name__)


def logo_upload_to(instance, filename: str) -> str:
    # A random name: the uploader's file name is never trusted or exposed.
    return f"logos/{uuid.uuid4().hex}.png"


class CompanyQuerySet(models.QuerySet):
    def for_rows(self):
        """What a company row shows (name, logo, headquarters, link) and no more."""
        return self.only("name", "slug", "headquarters", "logo", "logo_variants")


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
    logo_variants = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The stored name, without size and extension, of the logo's rendered sizes "
        "(or of the monogram's); empty until they are rendered.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        indexes = [models.Index(fields=["name"], name="company_name_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Derived files, like a posting's rendered description: made here once, when the
        # logo or the name changes, never while a page is served.
        try:
            self.render_logo_variants()
        except OSError:
            # The row is saved; `manage.py render_logos` renders what failed here.
            logger.exception("Could not render the logo sizes of company %s", self.pk)

    def get_absolute_url(self) -> str:
        return reverse("companies:detail", kwargs={"slug": self.slug})

    def get_postings_url(self) -> str:
        return f"{reverse('postings:list')}?company={self.slug}"

    def render_logo_variants(self, *, force: bool = False) -> bool:
        """Store the logo at every size the pages use, or a monogram when there is no logo
        (companies/logos.py). Does nothing when the stored sizes are current, unless
        `force`. Returns whether it rendered."""
        stem = logos.render_company_logo(self, force=force)
        if stem is None:
            return False
        Company.objects.filter(pk=self.pk).update(logo_variants=stem)
        self.logo_variants = stem
        return True

    def logo_sources(self, size: int) -> dict | None:
        """The rendered logo for a box of `size` px; see companies.logos.logo_sources."""
        storage = self._meta.get_field("logo").storage
        return logos.logo_sources(self.logo_variants, size, storage=storage)

    @property
    def monogram(self) -> str:
        return logos.monogram_letters(self.name)
