"""The admin's import, run by workers: the dry run, then the import (content/views.py).

Each reads the upload from the database (ContentUpload), so any worker on any machine can
run it, and returns what the status page shows: {"report": …} or {"errors": […]} when
the file cannot be imported. An import is one transaction (content/importer.py): a
worker killed in the middle leaves the site untouched, and running it again is safe — a
file imported twice creates nothing the second time.
"""

import tempfile
from pathlib import Path

from jobboard.tasks import task

from .importer import ImportReport, import_content
from .models import ContentUpload
from .sources import ContentError


@task
def check_upload(upload_id: str) -> dict:
    """The dry run: what importing the upload would do, or why it cannot be imported."""
    return _import(upload_id, dry_run=True)


@task
def import_upload(upload_id: str) -> dict:
    """The import itself; the upload's bytes go once it is written."""
    outcome = _import(upload_id, dry_run=False)
    if "report" in outcome:
        ContentUpload.objects.filter(pk=upload_id).update(data=b"")
    return outcome


def _import(upload_id: str, *, dry_run: bool) -> dict:
    upload = ContentUpload.objects.get(pk=upload_id)
    # The importer reads a path (a .zip is read in place, never unpacked): a private
    # temporary copy on this worker's machine, gone when the task ends.
    with tempfile.TemporaryDirectory(prefix="jobboard-import-") as folder:
        path = Path(folder) / f"upload{upload.suffix}"
        path.write_bytes(upload.data)
        del upload.data  # the copy on disk is enough
        try:
            report = import_content(path=path, dry_run=dry_run, name=upload.name)
        except ContentError as error:
            # The temporary copy's path means nothing to staff (and tells the world where
            # the workers keep files): the upload's name stands for it, in any message
            # that quotes it (an error of the system's own, say).
            return {
                "errors": [
                    line.replace(str(path), upload.name).replace(folder, "…")
                    for line in error.errors
                ]
            }
    return {"report": report_data(report)}


def report_data(report: ImportReport) -> dict:
    """The report as JSON, for the task's result and the status page."""
    return {
        "dry_run": report.dry_run,
        "sections": {
            name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in report.sections.items()
        },
        "logos": report.logos,
        "seconds": round(report.seconds, 1),
        "summary": report.summary(),
        "notes": report.notes,
    }
