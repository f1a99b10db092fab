import uuid

from django.db import models, transaction
from django.urls import reverse

from jobboard.cache import bump_content_generation

from . import logos
from .logos import LogoField


def logo_upload_to(instance, filename: str) -> str:
    # A random name: the uploader's file name is never trusted or exposed.
    return f"logos/{uuid.uuid4().hex}.png"


class CompanyQuerySet(models.QuerySet):
    def for_rows(self):
        """What a company row shows (name, logo, headquarters, link) and no more."""
        return self.only("name", "slug", "headquarters", "logo", "logo_variants")


class CompanySizeBand(models.TextChoices):
    """Employees, in bands that resolve the pay-transparency rules' thresholds (1, 4, 15,
    25: postings.pay_transparency). Blank is "not stated"."""

    MICRO = "1-3", "1–3 employees"
    SMALL = "4-14", "4–14 employees"
    MEDIUM_SMALL = "15-24", "15–24 employees"
    MEDIUM = "25-249", "25–249 employees"
    LARGE = "250+", "250 or more employees"

    @property
    def most(self) -> int | None:
        """The most employees in the band; None for the open-ended top band."""
        top = self.value.split("-")[-1]
        return None if top.endswith("+") else int(top)


class Company(models.Model):
    SizeBand = CompanySizeBand

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="A short paragraph about the company.")
    headquarters = models.CharField(max_length=120, blank=True, help_text='e.g. "Berlin, Germany"')
    size_band = models.CharField(
        "employees",
        max_length=6,
        choices=SizeBand.choices,
        blank=True,
        default="",
        help_text="Optional. Pay-transparency laws apply from a number of employees; "
        "the postings' warnings say “employer size unknown” without it.",
    )
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
        # The logo's sizes (or the monogram's) are derived files, rendered by a worker
        # (companies/tasks.py), never while a request waits. A company saved without
        # current sizes gets the task from its post_save receiver (connected in
        # CompaniesConfig.ready()), inside this transaction: the task exists exactly when
        # the row commits, and the worker reads the committed row. Until it has run,
        # pages show the monogram.
        if self.logo_variants and self.logo_variants != logos.variants_stem(self):
            self.logo_variants = ""  # a new logo or name: the old sizes no longer fit
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "logo_variants"}
        if self.logo_variants:  # current: an edit of other fields renders nothing
            super().save(*args, **kwargs)
            return
        with transaction.atomic():  # the row and, from post_save, its rendering task
            super().save(*args, **kwargs)

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
        # Unless the logo or the name changed meanwhile: that save enqueued its own task.
        if Company.objects.filter(pk=self.pk, logo=self.logo.name or "", name=self.name).update(
            logo_variants=stem
        ):
            # An UPDATE sends no signal: pages cached with the monogram show the logo now.
            bump_content_generation()
        self.logo_variants = stem
        return True

    def logo_sources(self, size: int) -> dict | None:
        """The rendered logo for a box of `size` px; see companies.logos.logo_sources."""
        storage = self._meta.get_field("logo").storage
        return logos.logo_sources(self.logo_variants, size, storage=storage)

    @property
    def monogram(self) -> str:
        return logos.monogram_letters(self.name)
