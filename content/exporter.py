"""Export all content in the import format: a folder (content.json + logos/), a .zip of
one, or a single .json file holding the logos inline (as base64 `data:` URIs).

Records are sorted by their key so that two exports of the same content are identical
apart from `exported_at`; every field is written, so importing the export into an empty
database gives the same content back.
"""

import base64
import json
import mimetypes
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.utils import timezone

from companies.models import Company
from postings.models import Posting
from skills.models import Skill, SkillGuide

from .format import (
    COMPANIES,
    CONTENT_FILE,
    FORMAT,
    GUIDES,
    LOGO_FOLDER,
    POSTINGS,
    SKILLS,
    VERSION,
    format_timestamp,
)
from .sources import ContentError


@dataclass
class ExportReport:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    logos: int = 0
    # Problems that did not stop the export, e.g. a logo file missing from storage.
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{count} {name}" for name, count in self.counts.items())
        return f"Exported {counts} and {self.logos} logos to {self.path}."


def export_content(*, path) -> ExportReport:
    """Write everything to `path`: a .zip archive or one JSON file when it ends in .zip or
    .json, otherwise a folder. Raises ContentError when `path` is taken by the other kind."""
    path = Path(path)
    report = ExportReport(path=path)
    suffix = path.suffix.lower()
    if suffix in (".zip", ".json"):
        if path.is_dir():
            raise ContentError(
                [
                    f"{path} is a folder: name a new {suffix} file, or export into a "
                    "folder by a name without .zip or .json."
                ]
            )
        writer = _ZipWriter(path) if suffix == ".zip" else _JsonWriter(path)
    else:
        if path.exists() and not path.is_dir():
            raise ContentError(
                [
                    f"{path} is a file: export to a folder (content.json + logos/), to a "
                    "name ending in .zip, or to one ending in .json."
                ]
            )
        writer = _FolderWriter(path)
    with writer:
        companies = [
            _company(company, writer, report) for company in Company.objects.order_by("slug")
        ]
        data = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": format_timestamp(timezone.now()),
            "skills": [_record(SKILLS, skill) for skill in Skill.objects.order_by("slug")],
            "guides": [
                _record(GUIDES, guide, skill=guide.skill.slug)
                for guide in SkillGuide.objects.select_related("skill").order_by("skill__slug")
            ],
            "companies": companies,
            "postings": _postings(),
        }
        for name in ("skills", "guides", "companies", "postings"):
            report.counts[name] = len(data[name])
        content = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        writer.write_content(content.encode())
    return report


def _record(section, obj, **special) -> dict:
    record = {}
    for name in section.fields:
        if name in special:
            record[name] = special[name]
        else:
            value = getattr(obj, name)
            record[name] = format_timestamp(value) if isinstance(value, datetime) else value
    return record


def _company(company: Company, writer, report: ExportReport) -> dict:
    logo = None
    if company.logo:
        try:
            with company.logo.open("rb") as file:
                data = file.read()
        except OSError:
            report.warnings.append(
                f'Company "{company.slug}": its logo file {company.logo.name} is missing '
                "from storage; exported without a logo."
            )
        else:
            suffix = PurePosixPath(company.logo.name).suffix.lower() or ".png"
            logo = writer.add_file(f"{LOGO_FOLDER}/{company.slug}{suffix}", data)
            report.logos += 1
    return _record(COMPANIES, company, logo=logo)


def _postings() -> list[dict]:
    skills: dict[int, list[str]] = {}
    links = Posting.skills.through.objects.order_by("skill__slug")
    for posting_id, slug in links.values_list("posting_id", "skill__slug"):
        skills.setdefault(posting_id, []).append(slug)
    postings = Posting.objects.select_related("company").order_by("slug")
    return [
        _record(POSTINGS, posting, company=posting.company.slug, skills=skills.get(posting.pk, []))
        for posting in postings.iterator(chunk_size=2000)
    ]


class _FolderWriter:
    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        (self.folder / LOGO_FOLDER).mkdir(parents=True, exist_ok=True)
        return self

    def add_file(self, name: str, data: bytes) -> str:
        """Store a file the content names; return how the content names it."""
        (self.folder / name).write_bytes(data)
        return name

    def write_content(self, data: bytes) -> None:
        self.add_file(CONTENT_FILE, data)

    def __exit__(self, *exc_info):
        return False


class _ZipWriter:
    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = tempfile.NamedTemporaryFile(  # closed in __exit__
            dir=self.path.parent, suffix=".zip.part", delete=False
        )
        self.archive = zipfile.ZipFile(self.file, "w", compression=zipfile.ZIP_DEFLATED)
        return self

    def add_file(self, name: str, data: bytes) -> str:
        self.archive.writestr(name, data)
        return name

    def write_content(self, data: bytes) -> None:
        self.add_file(CONTENT_FILE, data)

    def __exit__(self, exc_type, *exc_info):
        self.archive.close()
        self.file.close()
        if exc_type is None:
            os.replace(self.file.name, self.path)
        else:
            os.unlink(self.file.name)
        return False


class _JsonWriter:
    """One self-contained file: each logo inline, as a base64 data: URI."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self

    def add_file(self, name: str, data: bytes) -> str:
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return f"data:{media_type};base64,{base64.b64encode(data).decode()}"

    def write_content(self, data: bytes) -> None:
        # Written beside, then renamed: an interrupted export leaves no half file.
        with tempfile.NamedTemporaryFile(
            dir=self.path.parent, suffix=".json.part", delete=False
        ) as file:
            file.write(data)
        os.replace(file.name, self.path)

    def __exit__(self, *exc_info):
        return False
