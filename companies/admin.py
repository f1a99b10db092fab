from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from jobboard.admin_widgets import AccessibleAdminMixin

from .models import Company

# Staff type "acme.example": read it as https://, the scheme Django 6 assumes too.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.display(description="Logo")
def logo_thumbnail(company):
    if not company.logo:
        return format_html('<span class="admin-monogram">{}</span>', company.monogram)
    # The rendered square (the logo fitted on a transparent square) needs no object-fit:
    # no style attribute, which the Content-Security-Policy (style-src 'self') would block.
    sources = company.logo_sources(32)
    return format_html(
        '<img src="{}" width="32" height="32" alt="">',
        sources["png"] if sources else company.logo.url,
    )


@admin.register(Company)
class CompanyAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = [logo_thumbnail, "name", "headquarters", "size_band", "website", "updated_at"]
    list_filter = ["size_band"]
    list_display_links = ["name"]
    search_fields = ["name", "slug", "headquarters"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "logo"]}),
        ("About", {"fields": ["website", "headquarters", "size_band", "description"]}),
    ]
