"""The admin's "Import content" page: upload, dry run, confirm.

Mounted by PostingAdmin.get_urls (postings/admin.py) at /admin/postings/posting/import/,
named "admin:postings_posting_import", next to the postings changelist whose "Import
content" button links to it.
"""

import contextlib
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from postings.models import Posting

from .importer import import_content
from .sources import ContentError

# Staff with `postings.import_content` upload a .json or .zip (the format of
# `manage.py import_content`), read the dry run's report, then confirm. Between the two
# steps the upload waits in a private temporary folder named by a random id, which only
# a signed token carries back: the confirm step cannot be pointed at any other file.

# The permission stays on Posting's Meta: a permission needs a model, this app has none,
# and moving it would mean re-granting it to the "Content editors" group (postings
# migration 0004) and to every user who holds it directly, for no change in behaviour.
IMPORT_PERMISSION = "postings.import_content"
# Named after the view's first home; changing it would void the tokens of dry runs
# waiting for their confirm across a deploy.
IMPORT_SIGNING_SALT = "postings.admin.content-import"
IMPORT_TOKEN_MAX_AGE = 60 * 60
IMPORT_SUFFIXES = (".json", ".zip")
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")

# Until imports run on a worker, each step must end well inside gunicorn's request timeout
# (gunicorn.conf.py, 30 s), past which the worker is killed and staff get an empty error
# page: the admin refuses what would take more than half of it, and names the command.
# Measured with benchmarks/import_content.py on PostgreSQL, on this shared two-core
# machine, 2026-11-28; the rate is what a request can do in 15 s. The machine was busy
# (other test suites: load average 2 to 10) and the times vary threefold with the load, so
# the limits take the slower rates: production's workers share two cores with traffic.
# - The dry run, bounded by the upload's size: `--short` postings (575 bytes each, the
#   most per megabyte, the slowest per byte) 20,000 (11.5 MB) in 11.3 and 12.5 s (load
#   2-4), 16.5 and 24.1 s (load 5-7), 37.8 s (load 10): 1.0 to 0.3 MB/s; 0.67 MB/s gives
#   10 MB. Realistic postings (1.8 KB) run at 4.3 MB/s (9.1 MB in 2.1 s; the issue's
#   50 MB file took 11.6 s).
# - The import, bounded by the dry run's counts: 5,000 new postings in 19.2 s (260/s,
#   load 2-4; 5.3 s of it rendering Markdown), 20,000 short ones in 110.9 s (180/s, load
#   10): 180/s gives 2,700 postings. 200 new companies with logos, each rendered at every
#   size, in 16.9 s (12/s, load 7): 180 logos. Both in one file share the 15 s.
IMPORT_REQUEST_SECONDS = 15
# Below the request body limit (settings.IMPORT_MAX_UPLOAD_BYTES, which stays when imports
# move to a worker): what a request can check in time.
IMPORT_MAX_CHECKED_BYTES = IMPORT_REQUEST_SECONDS * 1024 * 1024 * 2 // 3  # 10 MB
IMPORT_MAX_POSTINGS = IMPORT_REQUEST_SECONDS * 180  # 2,700
IMPORT_MAX_LOGOS = IMPORT_REQUEST_SECONDS * 12  # 180
USE_THE_COMMAND = (
    "Import it on the server with “manage.py import_content”, which has no time limit "
    "(README.md, “Importing and exporting content”)."
)


def too_long_for_a_request(report) -> str | None:
    """Why the import that `report` (a dry run) describes would outlast a request."""
    share = report.postings_to_write / IMPORT_MAX_POSTINGS + report.logos / IMPORT_MAX_LOGOS
    if share <= 1:
        return None
    return (
        f"Importing this file writes {report.postings_to_write} postings and renders "
        f"{report.logos} logos: more than a web request can do (at most "
        f"{IMPORT_MAX_POSTINGS} postings, or {IMPORT_MAX_LOGOS} logos, or a share of each). "
        f"{USE_THE_COMMAND}"
    )


class ContentUploadForm(forms.Form):
    file = forms.FileField(
        label="Content file",
        help_text="A content .json file (with its logos inline: what “manage.py "
        "export_content export.json” writes), or a .zip of a folder holding content.json "
        "and its logos/ (“export_content export.zip”). At most "
        f"{IMPORT_MAX_CHECKED_BYTES // 1024 // 1024} MB. Nothing is written before you confirm.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise ValidationError("Upload a .json file or a .zip archive.")
        if upload.size > IMPORT_MAX_CHECKED_BYTES:
            raise ValidationError(
                f"The file is larger than {IMPORT_MAX_CHECKED_BYTES // 1024 // 1024} MB, more "
                f"than a web request can check. {USE_THE_COMMAND}"
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
    try:
        with (root / upload_id / f"upload{suffix}").open("wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
    except BaseException:
        shutil.rmtree(root / upload_id, ignore_errors=True)  # a full disk, say
        raise
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
    template_name = "admin/content/import_content.html"

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
        keep = False
        try:
            report = import_content(path=stashed, dry_run=True, name=name)
            refusal = too_long_for_a_request(report)
            keep = refusal is None
        except ContentError as error:
            return self.render(
                request, upload_form=ContentUploadForm(), errors=error.errors, filename=name
            )
        finally:
            # Kept only for a confirm that can follow: not after an error of any kind.
            if not keep:
                discard_upload(stashed)
        if refusal:
            return self.render(
                request,
                upload_form=ContentUploadForm(),
                errors=[refusal],
                filename=name,
                too_long=True,
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
            report = import_content(path=stashed, name=name)
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
