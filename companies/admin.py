from django.contrib import admin
from django.utils.html import format_html

from .models import Company


@admin.display(description="Logo")
def logo_thumbnail(company):
    if not company.logo:
        return format_html('<span class="admin-monogram">{}</span>', company.monogram)
    return format_html(
        '<img src="{}" width="32" height="32" alt="" style="border-radius:4px;object-fit:contain">',
        company.logo.url,
    )


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [logo_thumbnail, "name", "headquarters", "website", "updated_at"]
    list_display_links = ["name"]
    search_fields = ["name", "slug", "headquarters"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "logo"]}),
        ("About", {"fields": ["website", "headquarters", "description"]}),
    ]
