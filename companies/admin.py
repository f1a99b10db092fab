from django.contrib import admin
from django.db import models
from django.utils.html import format_html, format_html_join

from jobboard.admin_widgets import AccessibleAdminMixin

from . import logos
from .models import Company

# Staff type "acme.example": read it as https://, the scheme Django 6 assumes too.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.display(description="Logo")
def logo_thumbnail(company):
    # What the pages show: the rendered square (the logo fitted on a transparent square,
    # or the company's monogram), which needs no object-fit, so no style attribute, which
    # the Content-Security-Policy (style-src 'self') would block. Until a worker renders
    # it, the uploaded logo or the monogram's letters.
    sources = company.logo_sources(32)
    if sources:
        return format_html('<img src="{}" width="32" height="32" alt="">', sources["png"])
    if company.logo:
        return format_html('<img src="{}" width="32" height="32" alt="">', company.logo.url)
    return format_html('<span class="admin-monogram">{}</span>', company.monogram)


@admin.register(Company)
class CompanyAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = [logo_thumbnail, "name", "headquarters", "size_band", "website", "updated_at"]
    list_filter = ["size_band"]
    list_display_links = ["name"]
    search_fields = ["name", "slug", "headquarters"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["logo_preview"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "logo", "logo_preview"]}),
        ("About", {"fields": ["website", "headquarters", "size_band", "description"]}),
    ]

    @admin.display(description="Logo as shown")
    def logo_preview(self, company):
        """The stored logo, and each size the pages use (companies/logos.py), as images:
        what a job seeker sees, not a file name. URLs only: nothing is read from storage."""
        if not company.pk:
            return "Shown here once the company is saved."
        sizes = [
            (size, sources)
            for size in logos.LOGO_SIZES
            if (sources := company.logo_sources(size)) is not None
        ]
        stored = (
            format_html(
                '<li><img src="{}" width="192" height="192" alt="{}">'
                '<span class="admin-logo-caption">The uploaded logo (<a href="{}">open</a>)</span>'
                "</li>",
                company.logo.url,
                f"{company.name}'s uploaded logo",
                company.logo.url,
            )
            if company.logo
            else ""
        )
        rendered = format_html_join(
            "",
            '<li><img src="{}" width="{}" height="{}" alt="{}">'
            '<span class="admin-logo-caption">{} px: <a href="{}">WebP</a> · '
            '<a href="{}">PNG</a></span></li>',
            (
                (
                    sources["png"],
                    size,
                    size,
                    f"{'Logo' if company.logo else 'Monogram'} at {size} px",
                    size,
                    sources["webp"],
                    sources["png"],
                )
                for size, sources in sizes
            ),
        )
        if not sizes:
            note = (
                "The sizes the pages use are being rendered by a worker; until then pages "
                "show the monogram."
            )
        elif company.logo:
            note = "The logo as pages show it, at each size."
        else:
            note = "No logo: pages show this monogram, drawn from the name."
        return format_html(
            '<ul class="admin-logo-preview">{}{}</ul><div class="help">{}</div>',
            stored,
            rendered,
            note,
        )
