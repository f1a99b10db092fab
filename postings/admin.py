import contextlib
import re
import shutil
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from companies.admin import URL_FIELDS_ASSUME_HTTPS, logo_thumbnail
from jobboard.admin_widgets import AccessibleAdminMixin
from jobboard.content_io import ContentError, import_content

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
        view = self.admin_site.admin_view(ContentImportView.as_view(model_admin=self))
        # Before the default URLs: "<path:object_id>/" would take "import/".
        return [path("import/", view, name="postings_posting_import"), *super().get_urls()]


# Content import ------------------------------------------------------------------------
# Staff with `postings.import_content` upload a .json or .zip (the format of
# `manage.py import_content`), read the dry run's report, then confirm. Between the two
# steps the upload waits in a private temporary folder named by a random id, which only
# a signed token carries back: the confirm step cannot be pointed at any other file.

IMPORT_PERMISSION = "postings.import_content"
IMPORT_SIGNING_SALT = "postings.admin.content-import"
IMPORT_TOKEN_MAX_AGE = 60 * 60
IMPORT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
IMPORT_SUFFIXES = (".json", ".zip")
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


class ContentUploadForm(forms.Form):
    file = forms.FileField(
        label="Content file",
        help_text="A content.json file, or a .zip of a folder holding content.json and its "
        "logos/ (what “manage.py export_content export.zip” writes). Nothing is written "
        "before you confirm.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise ValidationError("Upload a .json file or a .zip archive.")
        if upload.size > IMPORT_MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is larger than {IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024} MB; "
                "import it with “manage.py import_content” instead."
            )
        return upload


class ContentConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def _uploads_folder() -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()) / "jobboard-imports"


def stash_upload(upload, *, user) -> str:
    """Keep `upload` until the confirm step; return the signed token that names it."""
    root = _uploads_folder()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in root.iterdir():  # uploads nobody confirmed
        # Another worker may be sweeping too: a folder can vanish under us.
        with contextlib.suppress(FileNotFoundError):
            if folder.stat().st_mtime < time.time() - IMPORT_TOKEN_MAX_AGE:
                shutil.rmtree(folder, ignore_errors=True)
    upload_id, suffix = uuid.uuid4().hex, Path(upload.name).suffix.lower()
    (root / upload_id).mkdir(mode=0o700)
    with (root / upload_id / f"upload{suffix}").open("wb") as file:
        for chunk in upload.chunks():
            file.write(chunk)
    return signing.dumps(
        {"id": upload_id, "suffix": suffix, "name": upload.name, "user": user.pk},
        salt=IMPORT_SIGNING_SALT,
    )


def stashed_upload(token: str, *, user) -> tuple[Path, str] | None:
    """The stashed file and its original name, when `token` is valid for `user`."""
    try:
        data = signing.loads(token, salt=IMPORT_SIGNING_SALT, max_age=IMPORT_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if (
        data.get("user") != user.pk
        or not _UPLOAD_ID.fullmatch(str(data.get("id")))
        or data.get("suffix") not in IMPORT_SUFFIXES
    ):
        return None
    stashed = _uploads_folder() / data["id"] / f"upload{data['suffix']}"
    return (stashed, data["name"]) if stashed.is_file() else None


def discard_upload(stashed: Path) -> None:
    shutil.rmtree(stashed.parent, ignore_errors=True)


class ContentImportView(View):
    """Upload, dry run, confirm: the admin's page for `import_content`."""

    model_admin = None
    template_name = "admin/postings/posting/import_content.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(request, upload_form=ContentUploadForm())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = ContentUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, upload_form=form)
        token = stash_upload(form.cleaned_data["file"], user=request.user)
        stashed, name = stashed_upload(token, user=request.user)
        try:
            report = import_content(path=stashed, dry_run=True)
        except ContentError as error:
            discard_upload(stashed)
            return self.render(
                request, upload_form=ContentUploadForm(), errors=error.errors, filename=name
            )
        return self.render(
            request,
            report=report,
            filename=name,
            confirm_form=ContentConfirmForm(initial={"token": token}),
        )

    def confirm(self, request):
        form = ContentConfirmForm(request.POST)
        found = form.is_valid() and stashed_upload(form.cleaned_data["token"], user=request.user)
        if not found:
            messages.error(request, "This upload has expired or is unknown: upload the file again.")
            return redirect("admin:postings_posting_import")
        stashed, name = found
        try:
            report = import_content(path=stashed)
        except ContentError as error:
            # The site changed since the dry run (say, a skill was deleted).
            return self.render(
                request, upload_form=ContentUploadForm(), errors=error.errors, filename=name
            )
        finally:
            discard_upload(stashed)
        messages.success(request, f"Imported {name}: {report.summary()}.")
        return redirect("admin:postings_posting_changelist")

    def render(self, request, **context):
        return TemplateResponse(
            request,
            self.template_name,
            {
                **self.model_admin.admin_site.each_context(request),
                "opts": Posting._meta,
                "title": "Import content",
                "changelist_url": reverse("admin:postings_posting_changelist"),
                **context,
            },
        )
