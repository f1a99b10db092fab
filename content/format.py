"""The "jobboard-content" format, version 1: its sections, their fields, and timestamps.

README.md ("Importing and exporting content") documents it for people; this module is
the definition the importer and the exporter share.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import models

from companies.models import Company
from postings.models import Posting
from skills.models import Skill, SkillGuide

FORMAT = "jobboard-content"
VERSION = 1
CONTENT_FILE = "content.json"
LOGO_FOLDER = "logos"


@dataclass(frozen=True)
class Section:
    name: str
    model: type[models.Model]
    # The upsert key: a record updates the row with the same key, or creates one.
    key: str
    # Every field a record may have, in the order the exporter writes them.
    fields: tuple[str, ...]
    # Fields that are not the model field of the same name: references by slug, files.
    special: tuple[str, ...] = ()

    @property
    def plain_fields(self) -> tuple[str, ...]:
        return tuple(name for name in self.fields if name not in self.special)


SKILLS = Section("skills", Skill, "slug", ("slug", "name", "description"))
GUIDES = Section(
    "guides",
    SkillGuide,
    "skill",
    ("skill", "title", "lede", "body", "meta_description", "is_published", "published_at"),
    special=("skill",),
)
COMPANIES = Section(
    "companies",
    Company,
    "slug",
    ("slug", "name", "website", "description", "headquarters", "size_band", "logo"),
    special=("logo",),
)
POSTINGS = Section(
    "postings",
    Posting,
    "slug",
    (
        "slug", "company", "title", "summary", "description", "skills", "location", "city",
        "region", "country", "remote_from", "remote_utc_offset_min", "remote_utc_offset_max",
        "remote_policy", "employment_type", "seniority", "salary_min", "salary_max",
        "salary_currency", "salary_period", "apply_url", "apply_email", "status",
        "published_at", "expires_at",
        "apply_by", "apply_by_timezone", "confirmed_at",
    ),
    special=("company", "skills"),
)  # fmt: skip
# In dependency order: guides name skills, postings name companies and skills.
SECTIONS = (SKILLS, GUIDES, COMPANIES, POSTINGS)
TOP_LEVEL_KEYS = ("format", "version", "exported_at", *(section.name for section in SECTIONS))

TIMESTAMP_HELP = "Use ISO 8601 with a time zone, e.g. 2026-01-31T09:00:00Z."


def parse_timestamp(value) -> datetime:
    """An aware datetime from an ISO 8601 string; ValueError when it is not one."""
    if not isinstance(value, str):
        raise ValueError(f"Expected a date and time as a string. {TIMESTAMP_HELP}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f'"{value}" is not a valid date and time. {TIMESTAMP_HELP}') from None
    if parsed.tzinfo is None:
        raise ValueError(f'"{value}" has no time zone. {TIMESTAMP_HELP}')
    return parsed


def format_timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
