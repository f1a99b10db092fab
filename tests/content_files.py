"""Content files for the import/export tests: a small valid sample and ways to write it."""

import copy
import io
import json
import zipfile
from pathlib import Path

from PIL import Image

from companies.models import Company
from postings.models import Posting
from skills.models import Skill, SkillGuide


def png(size=(64, 64), color=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


SAMPLE = {
    "format": "jobboard-content",
    "version": 1,
    "exported_at": "2026-01-10T12:00:00Z",
    "skills": [
        {
            "slug": "backend-development",
            "name": "Backend development",
            "description": "Servers, APIs and data.",
        },
        {"slug": "python", "name": "Python", "description": "The language."},
    ],
    "guides": [
        {
            "skill": "backend-development",
            "title": "Mastering backend development",
            "lede": "What backend developers do, and how to become one.",
            "body": "## What it is\n\nThe part of software users never see.\n",
            "meta_description": "A guide to backend development.",
            "is_published": True,
            "published_at": "2026-01-01T09:00:00Z",
        }
    ],
    "companies": [
        {
            "slug": "acme",
            "name": "Acme Robotics",
            "website": "https://acme.example",
            "description": "Robots.",
            "headquarters": "Lyon, France",
            "logo": "logos/acme.png",
        },
        {
            "slug": "globex",
            "name": "Globex",
            "website": "",
            "description": "",
            "headquarters": "",
            "logo": None,
        },
    ],
    "postings": [
        {
            "slug": "senior-backend-engineer-acme",
            "company": "acme",
            "title": "Senior Backend Engineer",
            "summary": "Build the APIs of our robot fleet.",
            "description": "## The role\n\nYou will build **APIs**.\n",
            "skills": ["backend-development", "python"],
            "location": "Lyon, France",
            "country": "FR",
            "remote_policy": "hybrid",
            "employment_type": "full-time",
            "seniority": "senior",
            "salary_min": 70000,
            "salary_max": 90000,
            "salary_currency": "EUR",
            "salary_period": "year",
            "apply_url": "https://acme.example/jobs/1",
            "apply_email": "",
            "status": "published",
            "published_at": "2026-01-05T09:00:00Z",
            "expires_at": "2099-01-01T00:00:00Z",
        },
        {
            "slug": "python-intern-globex",
            "company": "globex",
            "title": "Python Intern",
            "summary": "Learn Python with us.",
            "description": "Six months.",
            "skills": ["python"],
            "location": "",
            "country": "",
            "remote_policy": "remote",
            "employment_type": "internship",
            "seniority": "junior",
            "salary_min": None,
            "salary_max": None,
            "salary_currency": "",
            "salary_period": "month",
            "apply_url": "",
            "apply_email": "jobs@globex.example",
            "status": "draft",
            "published_at": None,
            "expires_at": "2099-01-01T00:00:00Z",
        },
    ],
}
SAMPLE_LOGOS = {"logos/acme.png": png(color=(200, 40, 40))}


def sample() -> dict:
    return copy.deepcopy(SAMPLE)


def write_folder(folder: Path, data=None, logos=None) -> Path:
    """A folder holding content.json and the logo files; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    content = data if data is not None else sample()
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    (folder / "content.json").write_text(text)
    for name, data_bytes in (SAMPLE_LOGOS if logos is None else logos).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data_bytes)
    return folder


def write_zip(path: Path, data=None, logos=None, *, prefix: str = "") -> Path:
    content = data if data is not None else sample()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(prefix + "content.json", json.dumps(content))
        for name, data_bytes in (SAMPLE_LOGOS if logos is None else logos).items():
            archive.writestr(prefix + name, data_bytes)
    return path


def logo_pixels(company: Company) -> tuple:
    with company.logo.open("rb") as file, Image.open(file) as image:
        return image.size, image.convert("RGBA").tobytes()


SKIPPED = {"id", "created_at", "updated_at", "logo_variants"}


def _fields(obj, *skip) -> dict:
    return {
        field.name: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in SKIPPED and field.name not in skip
    }


def snapshot() -> dict:
    """Every field of every record, with references by slug and logos as pixels."""
    return {
        "skills": {skill.slug: _fields(skill) for skill in Skill.objects.all()},
        "guides": {
            guide.skill.slug: _fields(guide, "skill")
            for guide in SkillGuide.objects.select_related("skill")
        },
        "companies": {
            company.slug: {
                **_fields(company, "logo"),
                "logo": logo_pixels(company) if company.logo else None,
            }
            for company in Company.objects.all()
        },
        "postings": {
            posting.slug: {
                # Skill ids differ between databases: "skills" compares them by slug.
                **_fields(posting, "company", "skill_ids"),
                "company": posting.company.slug,
                "skills": sorted(posting.skills.values_list("slug", flat=True)),
            }
            for posting in Posting.objects.select_related("company")
        },
    }


def counts(report) -> dict:
    return {
        name: (section.created, section.updated, section.unchanged)
        for name, section in report.sections.items()
    }
