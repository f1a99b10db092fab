import logging
import uuid
from functools import partial

from django.db import models
from django.urls import reverse
from PIL import Image

from .logos import (
    LOGO_FORMATS,
    LOGO_SIZES,
    LogoField,
    logo_stem,
    logo_variant_name,
    monogram_colours,
    monogram_image,
    monogram_stem,
    render_logo_variants,
    square_logo,
)

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
        """Store the logo at every size the pages use, or a monogram when there is no logo.

        Does nothing when the stored sizes are current, unless `force`. Returns whether it
        rendered.
        """
        if self.logo:
            stem = logo_stem(self.logo.name)
        else:
            colours = monogram_colours(self.pk)
            stem = monogram_stem(self.monogram, colours)
        if stem == self.logo_variants and not force:
            return False
        if self.logo:
            with self.logo.open("rb") as file, Image.open(file) as opened:
                source = opened.convert("RGBA")
            draw = partial(square_logo, source)
        else:
            draw = partial(monogram_image, self.monogram, colours)
        # A logo's name is unique to its upload, so its files are always (re)written; a
        # monogram's name says what it shows, so files already there are kept.
        render_logo_variants(
            draw=draw, stem=stem, storage=self.logo.storage, overwrite=bool(self.logo) or force
        )
        Company.objects.filter(pk=self.pk).update(logo_variants=stem)
        self.logo_variants = stem
        return True

    def logo_sources(self, size: int) -> dict | None:
        """The rendered logo for a box of `size` px: {"webp", "png", "webp_srcset",
        "png_srcset", "width", "height"}; None until rendered.

        URLs are derived from the stored name: no storage access while a page is served.
        """
        if not self.logo_variants:
            return None
        storage = self._meta.get_field("logo").storage

        def url(rendered: int, extension: str) -> str:
            return storage.url(logo_variant_name(self.logo_variants, rendered, extension))

        one_x = next((s for s in LOGO_SIZES if s >= size), LOGO_SIZES[-1])
        two_x = next((s for s in LOGO_SIZES if s >= 2 * size), None)
        sources = {"width": size, "height": size}
        for extension in LOGO_FORMATS:
            sources[extension] = url(one_x, extension)
            srcset = f"{url(one_x, extension)} 1x"
            if two_x and two_x != one_x:
                srcset += f", {url(two_x, extension)} 2x"
            sources[f"{extension}_srcset"] = srcset
        return sources

    @property
    def monogram(self) -> str:
        words = [word for word in self.name.split() if word[:1].isalnum()]
        return "".join(word[0] for word in words[:2]).upper() or "?"
