from datetime import timedelta

from django.contrib import admin, messages
from django.urls import path
from django.utils import timezone

from companies.admin import URL_FIELDS_ASSUME_HTTPS, logo_thumbnail
from content.views import ContentImportStatusView, ContentImportView
from jobboard.admin_widgets import AccessibleAdminMixin

from .models import Posting


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [
            ("expired", "Expired"),
            ("7d", "Expires within 7 days"),
            ("later", "Expires later"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=now)
        if self.value() == "7d":
            return queryset.filter(expires_at__gt=now, expires_at__lte=now + timedelta(days=7))
        if self.value() == "later":
            return queryset.filter(expires_at__gt=now + timedelta(days=7))
        return queryset


@admin.register(Posting)
class PostingAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = [
        "title",
        "company_logo",
        "company",
        "status",
        "is_live",
        "published_at",
        "expires_in",
    ]
    list_filter = [
        "status",
        ExpiryFilter,
        "remote_policy",
        "employment_type",
        "seniority",
        ("skills", admin.RelatedOnlyFieldListFilter),
        ("company", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "slug", "company__name", "summary"]
    autocomplete_fields = ["company", "skills"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    list_select_related = ["company"]
    # Counting every posting on each changelist page is slow on a large table.
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish", "close", "extend_30_days"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "company", "summary", "skills"]}),
        ("Description", {"fields": ["description"]}),
        (
            "Where and how",
            {"fields": ["location", "country", "remote_policy", "employment_type", "seniority"]},
        ),
        (
            "Salary",
            {
                "fields": [("salary_min", "salary_max"), ("salary_currency", "salary_period")],
                "description": "Optional. Leave both amounts empty when the salary is not known.",
            },
        ),
        ("How to apply", {"fields": ["apply_url", "apply_email"]}),
        ("Publishing", {"fields": ["status", "published_at", "expires_at"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Logo")
    def company_logo(self, posting):
        return logo_thumbnail(posting.company)

    @admin.display(boolean=True, description="Live")
    def is_live(self, posting):
        return posting.is_live

    @admin.display(description="Expires", ordering="expires_at")
    def expires_in(self, posting):
        days = (posting.expires_at - timezone.now()).days
        if posting.is_expired:
            return "expired"
        return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"

    @admin.action(description="Publish selected postings", permissions=["change"])
    def publish(self, request, queryset):
        for posting in queryset.exclude(status=Posting.Status.PUBLISHED):
            posting.publish()
        self.message_user(request, "Published the selected postings.", messages.SUCCESS)

    @admin.action(description="Close selected postings", permissions=["change"])
    def close(self, request, queryset):
        count = queryset.exclude(status=Posting.Status.CLOSED).count()
        for posting in queryset.exclude(status=Posting.Status.CLOSED):
            posting.close()
        self.message_user(request, f"Closed {count} posting(s).", messages.SUCCESS)

    @admin.action(description="Extend expiry by 30 days", permissions=["change"])
    def extend_30_days(self, request, queryset):
        for posting in queryset:
            posting.extend(days=30)
        self.message_user(request, "Extended the selected postings by 30 days.", messages.SUCCESS)
        # close_expired_postings closes what expired: extending alone does not reopen it.
        hidden = queryset.exclude(status=Posting.Status.PUBLISHED).count()
        if hidden:
            self.message_user(
                request,
                f"{hidden} of them {'is' if hidden == 1 else 'are'} not published; "
                "use “Publish selected postings” to show them to job seekers again.",
                messages.WARNING,
            )

    def get_urls(self):
        # The content app's import page, mounted here so that its URL and name
        # ("admin:postings_posting_import") sit beside the changelist that links to it.
        upload = self.admin_site.admin_view(ContentImportView.as_view(model_admin=self))
        status = self.admin_site.admin_view(ContentImportStatusView.as_view(model_admin=self))
        # Before the default URLs: "<path:object_id>/" would take "import/".
        return [
            path("import/", upload, name="postings_posting_import"),
            path("import/<uuid:upload_id>/", status, name="postings_posting_import_status"),
            *super().get_urls(),
        ]
