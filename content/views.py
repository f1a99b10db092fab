"""The admin's "Import content" pages: upload, dry run, confirm, import — on a worker.

Mounted by PostingAdmin.get_urls (postings/admin.py) under /admin/postings/posting/import/,
named "admin:postings_posting_import" (the upload form, next to the postings changelist
whose "Import content" button links to it) and "admin:postings_posting_import_status".

Staff with `postings.import_content` upload a .json or .zip (the format of `manage.py
import_content`). The upload is stored in the database (ContentUpload) and a worker runs
the dry run (content/tasks.py); its status page refreshes itself until the report is
there. Staff read it and confirm; a worker runs the import, and the same page shows its
report. No request waits for either: only the upload's size is limited
(IMPORT_MAX_UPLOAD_BYTES). A task whose worker died shows as failed once it passes
TASK_STUCK_SECONDS (background/worker.py), with a button to run it again.
"""

import re
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from background import worker
from jobboard.tasks import TaskResultStatus
from postings.models import Posting

from .format import FORMAT, SECTIONS, VERSION
from .models import ContentUpload
from .tasks import check_upload, import_upload

# The permission stays on Posting's Meta: a permission needs a model, this app has none
# that staff manage, and moving it would mean re-granting it to the "Content editors"
# group (postings migration 0004) and to every user who holds it directly.
IMPORT_PERMISSION = "postings.import_content"
IMPORT_SUFFIXES = (".json", ".zip")
# Uploads nobody imported are deleted after this long (at the next upload).
UPLOAD_KEPT_FOR = timedelta(days=1)
# How often the status page reloads itself while a worker is at it.
REFRESH_SECONDS = 2
# The sample the upload page offers: every section, imported cleanly by tests; its
# records are drafts and unpublished, under "example-" slugs, so importing it shows
# visitors nothing.
SAMPLE_FILE = Path(__file__).resolve().parent / "samples" / "content.json"


class ContentUploadForm(forms.Form):
    file = forms.FileField(
        label="Content file",
        help_text="A content .json file (with its logos inline: what “manage.py "
        "export_content export.json” writes), or a .zip of a folder holding content.json "
        "and its logos/ (“export_content export.zip”). At most "
        f"{settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024} MB. Nothing is written before "
        "you confirm.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise ValidationError("Upload a .json file or a .zip archive.")
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is larger than {settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024} MB."
            )
        return upload


class ImportPermissionMixin:
    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, template_name, **context):
        return TemplateResponse(
            request,
            template_name,
            {
                **self.model_admin.admin_site.each_context(request),
                "opts": Posting._meta,
                "title": "Import content",
                "changelist_url": reverse("admin:postings_posting_changelist"),
                "upload_url": reverse("admin:postings_posting_import"),
                **context,
            },
        )


class ContentImportView(ImportPermissionMixin, View):
    """The upload form, with the format explained; a valid upload goes to a worker for its
    dry run."""

    def get(self, request):
        return self.render_form(request, ContentUploadForm())

    def post(self, request):
        form = ContentUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, form)
        file = form.cleaned_data["file"]
        ContentUpload.objects.filter(uploaded_at__lt=timezone.now() - UPLOAD_KEPT_FOR).delete()
        with transaction.atomic():  # the upload and its dry run's task, or neither
            upload = ContentUpload.objects.create(
                name=file.name, data=file.read(), uploaded_by=request.user
            )
            upload.dry_run_id = check_upload.enqueue(str(upload.pk)).id
            upload.save(update_fields=["dry_run"])
        return redirect("admin:postings_posting_import_status", upload_id=upload.pk)

    def render_form(self, request, form):
        return self.render(
            request,
            "admin/content/import_content.html",
            form=form,
            sections=SECTIONS,
            content_format=FORMAT,
            version=VERSION,
            sample_url=reverse("admin:postings_posting_import_sample"),
        )


class ContentSampleView(ImportPermissionMixin, View):
    """The sample content file, downloaded: a start for staff who write one by hand."""

    def get(self, request):
        return FileResponse(
            SAMPLE_FILE.open("rb"),
            as_attachment=True,
            filename="content-sample.json",
            content_type="application/json",
        )


class ContentImportStatusView(ImportPermissionMixin, View):
    """Where an upload is: its dry run's report (with "Import"), then its import's."""

    def get_upload(self, request, upload_id) -> ContentUpload:
        upload = (
            ContentUpload.objects.defer("data")
            .select_related("dry_run", "run")
            .filter(pk=upload_id, uploaded_by=request.user)
            .first()
        )
        if upload is None:
            raise Http404("No such upload of yours.")
        return upload

    def get(self, request, upload_id):
        worker.fail_stuck_tasks()  # a step whose worker died shows as failed
        upload = self.get_upload(request, upload_id)
        step = upload.run or upload.dry_run
        state = _state(step)
        outcome = step.return_value if state == "done" else None
        context = {
            "upload": upload,
            "step": "import" if upload.run else "dry run",
            "state": state,
            "refresh_seconds": REFRESH_SECONDS if state in ("waiting", "running") else None,
            "report": (outcome or {}).get("report"),
            "errors": (outcome or {}).get("errors"),
            "error": _error(step) if state == "failed" else "",
            "lost": state == "failed" and step.exception_class_path == worker.WORKER_LOST,
            "can_import": upload.run is None and bool((outcome or {}).get("report")),
            "stuck_minutes": settings.TASK_STUCK_SECONDS // 60,
        }
        return self.render(request, "admin/content/import_status.html", **context)

    def post(self, request, upload_id):
        action = request.POST.get("action")
        with transaction.atomic():
            upload = self.get_upload(request, upload_id)
            # One import per upload, however often "Import" is pressed.
            upload = ContentUpload.objects.select_for_update().defer("data").get(pk=upload.pk)
            dry_run, run = upload.dry_run, upload.run
            if action == "import" and run is None and _state(dry_run) == "done":
                if (dry_run.return_value or {}).get("report"):
                    upload.run_id = import_upload.enqueue(str(upload.pk)).id
                    upload.save(update_fields=["run"])
            elif action == "retry" and (run or dry_run) and _state(run or dry_run) == "failed":
                worker.run_again(type(dry_run).objects.filter(pk=(run or dry_run).pk))
                messages.info(request, "The step that failed is running again.")
        return redirect("admin:postings_posting_import_status", upload_id=upload.pk)


def _state(result) -> str:
    """waiting, running, done or failed; a task row pruned since counts as failed."""
    if result is None:
        return "failed"
    return {
        TaskResultStatus.READY: "waiting",
        TaskResultStatus.RUNNING: "running",
        TaskResultStatus.SUCCESSFUL: "done",
    }.get(result.status, "failed")


# An absolute path in an exception's message ("No such file: '/tmp/jobboard-import-…'").
_SERVER_PATH = re.compile(r"""(?<![\w.:/])/(?:[^\s'"/:]+/)*[^\s'"/:]+""")


def _error(result) -> str:
    """The failed step's exception, without the paths of the machine that ran it."""
    if result is None:
        return "The record of this step is gone (tasks are pruned): upload the file again."
    return _SERVER_PATH.sub("(a file on the server)", worker.error_line(result))
