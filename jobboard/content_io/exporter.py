"""Export all content in the import format: a folder (content.json + logos/) or a .zip of one.

Records are sorted by their key so that two exports of the same content are identical
apart from `exported_at`; every field is written, so importing the export into an empty
database gives the same content back.
"""

import json
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
    """Write everything to `path`: a folder, or a .zip archive when it ends in .zip."""
    path = Path(path)
    report = ExportReport(path=path)
    writer = _ZipWriter(path) if path.suffix.lower() == ".zip" else _FolderWriter(path)
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
        writer.write(CONTENT_FILE, content.encode())
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
            logo = f"{LOGO_FOLDER}/{company.slug}{suffix}"
            writer.write(logo, data)
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

    def write(self, name: str, data: bytes) -> None:
        (self.folder / name).write_bytes(data)

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

    def write(self, name: str, data: bytes) -> None:
        self.archive.writestr(name, data)

    def __exit__(self, exc_type, *exc_info):
        self.archive.close()
        self.file.close()
        if exc_type is None:
            os.replace(self.file.name, self.path)
        else:
            os.unlink(self.file.name)
        return False
