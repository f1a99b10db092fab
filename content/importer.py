"""Import content: an upsert by slug, validated like the admin, written all or nothing.

Every record is validated before anything is written, and every error is collected (up
to MAX_ERRORS), each naming its record as staff know it — by slug, or by title or name
when it has none — and its field: `Posting "senior-backend-acme", salary_max: …`. An
error is reported once: the same problem in many records (an unknown skill) is one line
naming them, and a slug used twice is one line giving where. Only a file without errors
is written, in one transaction: a process killed in the middle leaves the site untouched.

Validation is the admin's: each record goes through its model's `full_clean()` and each
logo through `normalise_logo()`. The checks `full_clean()` would make with one query per
row are made here set-based instead, so that 10,000 postings validate in seconds:
references (a company or skill slug must be in the file or on the site, where the admin
checks a foreign key exists), uniqueness (slugs within the file, skill names within the
file and against the site) and check constraints (each of Posting's is mirrored by
`Posting.clean()`; the database still enforces them inside the transaction).

Skills and postings, the sections that grow large, are written in bulk: one query per
chunk of rows (postings get `derive_fields()` first, as `save()` would), and the
postings' skills are replaced set-wise. Guides (at most one per skill) and companies
(one per many postings) go through `save()`, which derives their files: rendered
Markdown, logo sizes. Unchanged records are not written at all.
"""

import contextlib
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst, slugify

from companies.logos import (
    LOGO_FORMATS,
    LOGO_SIZES,
    MAX_LOGO_BYTES,
    logo_stem,
    logo_variant_name,
    normalise_logo,
)
from companies.models import Company
from jobboard.cache import bump_content_generation
from postings import exchange_rates
from postings.deadlines import confirmation_cutoff
from postings.models import Posting, search_triggers_off
from skills.models import Skill, SkillGuide

from .format import (
    COMPANIES,
    FORMAT,
    GUIDES,
    POSTINGS,
    SECTIONS,
    SKILLS,
    TOP_LEVEL_KEYS,
    VERSION,
    Section,
    format_timestamp,
    parse_timestamp,
)
from .sources import ContentError, ContentSource, FileNotReadable, describe, open_content

MAX_ERRORS = 100
# Notes in a report (what records leave unsaid, what job seekers will not see).
MAX_NOTES = 200
CHUNK = 1000

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class SectionReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    dry_run: bool
    sections: dict[str, SectionReport] = field(
        default_factory=lambda: {section.name: SectionReport() for section in SECTIONS}
    )
    # Logos to render: each company written renders its logo (or monogram) at every size,
    # a cost of its own.
    logos: int = 0
    seconds: float = 0.0
    # Not errors: what staff should know before confirming (see _Import._notes).
    notes: list[str] = field(default_factory=list)

    @property
    def postings_to_write(self) -> int:
        postings = self.sections["postings"]
        return postings.created + postings.updated

    def summary(self) -> str:
        """One line: "skills 8 created, 0 updated, 0 unchanged; guides …"."""
        return "; ".join(
            f"{name} {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged"
            for name, counts in self.sections.items()
        )

    def table(self) -> str:
        lines = [f"{'':<10} {'created':>8} {'updated':>8} {'unchanged':>10}"]
        lines += [
            f"{name:<10} {c.created:>8} {c.updated:>8} {c.unchanged:>10}"
            for name, c in self.sections.items()
        ]
        return "\n".join(lines)


def import_content(*, path, dry_run: bool = False, name: str | None = None) -> ImportReport:
    """Import a content.json file, a folder holding one, or a .zip of such a folder.

    Raises ContentError, listing every problem, when anything is invalid; then nothing
    is written. With `dry_run`, validates and reports without writing. Messages call the
    file `name` when given (say, the name it was uploaded under), not its path.
    """
    with open_content(path, name=name) as source:
        return import_source(source=source, dry_run=dry_run)


def import_source(*, source: ContentSource, dry_run: bool = False) -> ImportReport:
    """Import already opened content (`open_content`), e.g. after adjusting its data."""
    started = time.perf_counter()
    run = _Import(source)
    try:
        # Validation only reads, and so does rendering the postings' Markdown: both stay
        # out of the write transaction, which on SQLite holds the one write lock (the
        # admin's saves wait for it). Whatever changes in between — a skill deleted, a
        # slug taken — the database refuses, and the transaction writes nothing.
        run.validate()
        if not dry_run:
            run.prepare()
            with transaction.atomic():
                run.write()
    except DatabaseError as error:
        run.discard_stored_files()
        raise ContentError(
            [f"The database refused the import, so nothing was written: {error}"]
        ) from error
    except BaseException:
        run.discard_stored_files()
        raise
    report = run.report(dry_run=dry_run)
    report.seconds = time.perf_counter() - started
    return report


class _TooManyErrors(Exception):
    pass


@dataclass(frozen=True)
class _Error:
    # Where in the file (for the order of the report): the section's position, the record's.
    order: tuple[int, int]
    # The record's section, and its name there ('"senior-backend-acme"', "number 4"); or,
    # for an error of the file itself, no section and the top-level key ("version").
    section: Section | None
    name: str
    field: str | None
    message: str


class _Errors(list):
    def add(self, where: str, message: str) -> None:
        """An error of the file itself, or of a section: "version: Unsupported …"."""
        self._append(_Error((_SECTION_ORDER.get(where, -1), -1), None, where, None, message))

    def add_record(
        self, section: Section, index: int, name: str, field: str | None, message: str
    ) -> None:
        order = (_SECTION_ORDER[section.name], index)
        self._append(_Error(order, section, name, field, message))

    def _append(self, error: _Error) -> None:
        if error not in self:  # one problem once, however often it is met
            self.append(error)
        if len(self) >= MAX_ERRORS:
            raise _TooManyErrors

    def lines(self) -> list[str]:
        """In the file's order; one line for a problem that many records share (the same
        field and message: an unknown skill, a company name that makes no slug)."""
        shared: dict[tuple, list[_Error]] = {}
        for error in sorted(self, key=lambda error: error.order):
            same = (error.section, error.field, error.message) if error.section else error
            shared.setdefault(same, []).append(error)
        return [_line(errors) for errors in shared.values()]


def _line(errors: list[_Error]) -> str:
    """'Posting "a", salary_max: …', or for many records 'Postings "a", "b" and 3 more, …'."""
    first = errors[0]
    if first.section is None:
        where = first.name
    elif len(errors) == 1:
        where = f"{_SINGULAR[first.section.name]} {first.name}"
    else:
        names = ", ".join(error.name for error in errors[:3])
        more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
        where = f"{capfirst(first.section.name)} {names}{more}"
    if first.field is not None:
        where += f", {first.field}"
    return f"{where}: {first.message}"


@dataclass(eq=False)
class _Row:
    section: Section
    index: int
    key: str
    record: dict
    instance: models.Model
    action: str
    # Model field names whose value the record changes.
    changed: set[str] = field(default_factory=set)
    # Fields whose value in the record could not be read; full_clean() skips them.
    failed: set[str] = field(default_factory=set)
    # The plain fields' values before the record was applied.
    before: dict[str, Any] = field(default_factory=dict)
    valid: bool = True
    # Postings: the company's slug and the skills' slugs, when the record gives them;
    # the links to remove (their ids) and the skills to link, when they change.
    company: str | None = None
    skills: list[str] | None = None
    unlinked: list[int] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    # Companies: a new logo (normalised PNG bytes) to store, or the logo to remove.
    logo: bytes | None = None
    clear_logo: bool = False

    @property
    def name(self) -> str:
        """The record's name in its section: '"senior-backend-acme"'."""
        return _record_name(self.section, self.index, self.record, slug=self.key)

    @property
    def where(self) -> str:
        """The record as staff know it: 'Posting "senior-backend-acme"'."""
        return f"{_SINGULAR[self.section.name]} {self.name}"


class _Import:
    def __init__(self, source: ContentSource):
        self.source = source
        self.errors = _Errors()
        self.rows: dict[str, list[_Row]] = {section.name: [] for section in SECTIONS}
        self.stored_files: list[str] = []
        # Companies that postings name but neither the file nor the site has: created.
        self.new_companies: dict[str, Company] = {}
        self.started = timezone.now()

    @cached_property
    def salary_rates(self) -> dict:
        """The exchange rates in force, read once: each posting's compared salary."""
        return exchange_rates.rates_in_force()

    # Validation ------------------------------------------------------------------------

    def validate(self) -> None:
        try:
            records = self._read_top_level(self.source.data)
            if records is None:  # not this format: its records mean nothing
                raise ContentError(self.errors.lines())
            file_skills = {key for _, key, _ in records["skills"]}
            site_skills = _existing_keys(
                Skill,
                "slug",
                {key for _, key, _ in records["guides"]}
                | {
                    slug
                    for _, _, record in records["postings"]
                    if isinstance(record.get("skills"), list)
                    for slug in record["skills"]
                    if isinstance(slug, str)
                },
            )
            self._validate_skills(records["skills"])
            self._validate_guides(records["guides"], known_skills=file_skills | site_skills)
            self._validate_companies(records["companies"])
            self._validate_postings(
                records["postings"],
                known_skills=file_skills | site_skills,
            )
        except _TooManyErrors:
            raise ContentError(
                [
                    *self.errors.lines(),
                    f"Stopped after {MAX_ERRORS} errors; fix these and run the import again.",
                ]
            ) from None
        if self.errors:
            raise ContentError(self.errors.lines())

    def _read_top_level(self, data: Any) -> dict[str, list[tuple[int, str, dict]]] | None:
        records = {section.name: [] for section in SECTIONS}
        if not isinstance(data, dict):
            self.errors.add("content", 'Expected a JSON object with "format" and "version".')
            return None
        for key in sorted(data.keys() - set(TOP_LEVEL_KEYS)):
            self.errors.add(key, "Unknown field.")
        format_error = version_error = None
        if "format" not in data:
            format_error = f'This field is required: "{FORMAT}".'
        elif data["format"] != FORMAT:
            format_error = f'Expected "{FORMAT}", found {_short(data["format"])}.'
        if "version" not in data:
            version_error = f"This field is required: {VERSION}."
        elif data["version"] != VERSION or isinstance(data["version"], bool):
            version_error = (
                f"Unsupported version {_short(data['version'])}; this site reads version {VERSION}."
            )
        for name, error in (("format", format_error), ("version", version_error)):
            if error:
                self.errors.add(name, error)
        if format_error or version_error:
            return None
        if data.get("exported_at") is not None:
            try:
                parse_timestamp(data["exported_at"])
            except ValueError as error:
                self.errors.add("exported_at", str(error))
        for section in SECTIONS:
            items = data.get(section.name, [])
            if not isinstance(items, list):
                self.errors.add(section.name, "Expected a list of records.")
                continue
            records[section.name] = self._read_records(section, items)
        return records

    def _read_records(self, section: Section, items: list) -> list[tuple[int, str, dict]]:
        """(index, key, record) of each record with a usable, unique key."""
        known = set(section.fields)
        seen: dict[str, list[int]] = {}
        records = []
        for index, record in enumerate(items):
            if not isinstance(record, dict):
                name = _record_name(section, index, {})
                self.errors.add_record(section, index, name, None, "Expected an object.")
                continue
            key = record.get(section.key)
            derived = section is POSTINGS and section.key not in record
            if derived:
                key = _derived_posting_slug(record)
            usable = isinstance(key, str) and bool(key)
            label = _record_name(section, index, record, slug=key if usable else None)
            for name in sorted(record.keys() - known):
                self.errors.add_record(section, index, label, name, "Unknown field.")
            if section.key not in record and not key:
                required = "This field is required."
                if section is POSTINGS:
                    required = "Give a slug, or a company and a title to make one from."
                self.errors.add_record(section, index, label, section.key, required)
            elif not usable:
                self.errors.add_record(section, index, label, section.key, "Expected a slug.")
            elif key in seen:
                seen[key].append(index)
            else:
                seen[key] = [index]
                records.append((index, key, record))
        # A key used twice is one problem, reported once with where it is used.
        for key, indexes in seen.items():
            if len(indexes) == 1:
                continue
            record = items[indexes[0]]
            label = _record_name(section, indexes[0], record, slug=key)
            places = _positions(indexes, section)
            if section is POSTINGS and section.key not in record:
                message = (
                    f'{len(indexes)} records make the slug "{key}" from their company and '
                    f"title ({places}): give them slugs of their own."
                )
            else:
                message = f"{len(indexes)} records have this {section.key} ({places})."
            self.errors.add_record(section, indexes[0], label, section.key, message)
        return records

    def _validate_skills(self, records) -> None:
        existing = _existing(Skill.objects.all(), "slug", [key for _, key, _ in records])
        rows = [self._prepare(SKILLS, *record, existing.get(record[1])) for record in records]
        for row in rows:
            self._clean(row)
        self._check_unique(SKILLS, rows)
        self.rows[SKILLS.name] = rows

    def _validate_guides(self, records, *, known_skills: set[str]) -> None:
        existing = _existing(
            SkillGuide.objects.select_related("skill"),
            "skill__slug",
            [key for _, key, _ in records],
            key=lambda guide: guide.skill.slug,
        )
        rows = []
        for record in records:
            row = self._prepare(GUIDES, *record, existing.get(record[1]))
            if row.key not in known_skills:
                self._error(row, "skill", f'Unknown skill "{row.key}": {_NOT_FOUND}')
            self._clean(row, exclude=["skill"])
            rows.append(row)
        self.rows[GUIDES.name] = rows

    def _validate_companies(self, records) -> None:
        existing = _existing(Company.objects.all(), "slug", [key for _, key, _ in records])
        rows = []
        for record in records:
            row = self._prepare(COMPANIES, *record, existing.get(record[1]))
            if "logo" in row.record:
                self._read_logo(row, row.record["logo"])
            self._clean(row)
            rows.append(row)
        self.rows[COMPANIES.name] = rows

    def _read_logo(self, row: _Row, value) -> None:
        current = row.instance.logo
        if value is None:
            if current:
                row.clear_logo = True
                row.changed.add("logo")
            return
        try:
            data, size = self.source.read(value, limit=MAX_LOGO_BYTES)
        except FileNotReadable as error:
            self._error(row, "logo", str(error))
            return
        stored = _stored_digest(current) if current else None
        digest = hashlib.sha256(data).hexdigest()
        if size <= MAX_LOGO_BYTES and digest == stored:
            return  # byte for byte the logo already stored, which was checked then
        upload = SimpleUploadedFile("logo", data)
        upload.size = size  # the whole file's size, though only the cap was read
        try:
            clean = normalise_logo(upload).read()
        except ValidationError as error:
            for message in error.messages:
                self._error(row, "logo", f"{describe(value)}: {message}")
            return
        if hashlib.sha256(clean).hexdigest() != stored:
            row.logo = clean
            row.changed.add("logo")

    def _validate_postings(self, records, *, known_skills) -> None:
        existing = _existing(Posting.objects.all(), "slug", [key for _, key, _ in records])
        given = {
            record["company"] for _, _, record in records if isinstance(record.get("company"), str)
        }
        # A company is named by its slug, or by its name (which names its slug).
        site_companies = _existing(
            Company.objects.only("slug", "name"),
            "slug",
            sorted(given | {_company_slug(name) for name in given} - {""}),
        )
        company_slugs = _values_by_pk(Company, "slug", {p.company_id for p in existing.values()})
        current_skills = _posting_skill_links([p.pk for p in existing.values()])
        names = {slug: company.name for slug, company in site_companies.items()}
        names.update((row.key, row.instance.name) for row in self.rows[COMPANIES.name])
        companies = _Companies(names)
        rows = []
        for record in records:
            row = self._prepare(POSTINGS, *record, existing.get(record[1]))
            self._read_company(row, companies, company_slugs)
            self._read_skills(row, known_skills, current_skills)
            self._publish_now_when_undated(row)
            self._clean(row, exclude=["company"])
            rows.append(row)
        self.rows[POSTINGS.name] = rows
        self.new_companies = companies.created

    def _read_company(self, row: _Row, companies: "_Companies", current: dict[int, str]) -> None:
        if "company" not in row.record:
            if row.action == CREATED:
                self._error(row, "company", "This field is required.")
            return
        try:
            slug = companies.slug_for(row.record["company"])
        except ValueError as error:
            self._error(row, "company", str(error))
            return
        row.company = slug
        if row.action != CREATED and current.get(row.instance.company_id) != slug:
            row.changed.add("company")

    def _publish_now_when_undated(self, row: _Row) -> None:
        """A record published without a date is published by this import."""
        posting = row.instance
        undated = posting.published_at is None and "published_at" not in row.failed
        if posting.status == Posting.Status.PUBLISHED and undated:
            posting.published_at = self.started

    def _read_skills(self, row: _Row, known: set[str], current: dict[int, dict[str, int]]) -> None:
        if "skills" not in row.record:
            return
        slugs = row.record["skills"]
        if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
            self._error(row, "skills", "Expected a list of skill slugs.")
            return
        for slug in dict.fromkeys(slugs):
            if slug not in known:
                self._error(row, "skills", f'Unknown skill "{slug}": {_NOT_FOUND}')
        row.skills = list(dict.fromkeys(slugs))
        links = current.get(row.instance.pk, {}) if row.action != CREATED else {}
        row.unlinked = [link for slug, link in links.items() if slug not in row.skills]
        row.linked = [slug for slug in row.skills if slug not in links]
        if row.action != CREATED and (row.unlinked or row.linked):
            row.changed.add("skills")

    def _prepare(self, section: Section, index: int, key: str, record: dict, instance) -> _Row:
        """A row whose instance carries the record's plain fields, converted from JSON."""
        row = _Row(
            section,
            index,
            key,
            record,
            instance if instance is not None else section.model(),
            CREATED if instance is None else UNCHANGED,
        )
        row.before = {name: _value(row.instance, name) for name in section.plain_fields}
        if section is POSTINGS and "slug" not in record:
            row.instance.slug = key  # derived from the company and the title
        for name in section.plain_fields:
            if name in record:
                model_field = section.model._meta.get_field(name)
                try:
                    setattr(row.instance, model_field.attname, _convert(model_field, record[name]))
                except ValueError as error:
                    self._error(row, name, str(error))
                    row.failed.add(name)
        return row

    def _clean(self, row: _Row, *, exclude=()) -> None:
        if row.action != CREATED and not (row.failed or row.changed or self._changed(row)):
            return  # the record is what is stored already: it brings nothing to check
        # Uniqueness and check constraints cost a query per row: see the module docstring.
        try:
            row.instance.full_clean(
                exclude=[*exclude, *row.failed], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name == NON_FIELD_ERRORS:
                    for message in dict.fromkeys(messages):
                        self._error(row, None, message)
                    continue
                # One problem per field: its validators and the model's rule may each say
                # it ("at most 3 characters", then "a three-letter ISO 4217 code"); the
                # rule, last, says it in the words of the field's help.
                self._error(row, name, messages[-1])
        if row.action == CREATED or not row.valid:
            return
        changed = self._changed(row)
        if changed and isinstance(row.instance, Posting):
            # Compare what would be stored: "eur" is stored as "EUR".
            row.instance.derive_fields(render="description" in changed, rates=self.salary_rates)
            changed = self._changed(row)
            if "description" in changed:
                changed.add("description_html")
            if changed & _SALARY:
                changed |= _COMPARED_SALARY
            if "remote_from" in changed:
                changed.add("remote_areas")
        row.changed |= changed
        if row.changed:
            row.action = UPDATED

    @staticmethod
    def _changed(row: _Row) -> set[str]:
        return {n for n in row.section.plain_fields if _value(row.instance, n) != row.before[n]}

    def _check_unique(self, section: Section, rows: list[_Row]) -> None:
        """Unique fields other than the key, within the file and against the site."""
        model = section.model
        for model_field in model._meta.concrete_fields:
            if not model_field.unique or model_field.primary_key or model_field.is_relation:
                continue
            if model_field.name == section.key:
                continue
            name, given = model_field.name, {}
            for row in rows:
                if name not in row.record or name in row.failed:
                    continue
                value = getattr(row.instance, model_field.attname)
                if value in given:
                    self._error(
                        row, name, f'Duplicate {name} "{value}": also {given[value].where}.'
                    )
                else:
                    given[value] = row
            final = {row.key: getattr(row.instance, model_field.attname) for row in rows}
            for chunk in _chunks(list(given)):
                taken = model.objects.filter(**{f"{name}__in": chunk})
                for owner, value in taken.values_list(section.key, name):
                    row = given[value]
                    if owner != row.key and final.get(owner, value) == value:
                        self._error(
                            row,
                            name,
                            f"{capfirst(model._meta.verbose_name)} with this "
                            f'{model_field.verbose_name} already exists ({section.key} "{owner}").',
                        )

    def _error(self, row: _Row, name: str | None, message: str) -> None:
        row.valid = False
        self.errors.add_record(row.section, row.index, row.name, name, message)

    # Writing ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Derive the new postings' fields (their Markdown, the costly part) before writing."""
        for row in self.rows[POSTINGS.name]:
            if row.action == CREATED:
                row.instance.derive_fields(rates=self.salary_rates)

    def write(self) -> None:
        now = timezone.now()
        skills, guides = self.rows[SKILLS.name], self.rows[GUIDES.name]
        companies, postings = self.rows[COMPANIES.name], self.rows[POSTINGS.name]

        _bulk_write(Skill, skills, now)
        skill_ids = _ids(
            Skill,
            {row.key for row in guides} | {slug for row in postings for slug in row.skills or ()},
        )
        for row in guides:
            if row.action != UNCHANGED:
                row.instance.skill_id = skill_ids[row.key]
                row.instance.save()

        self._store_logos(companies)
        for row in companies:
            if row.action != UNCHANGED:
                row.instance.save()
        for company in self.new_companies.values():
            company.save()  # renders its monogram, as the admin's save does
        company_ids = _ids(Company, {row.company for row in postings if row.company})

        for row in postings:
            if row.company:
                row.instance.company_id = company_ids[row.company]
        with _search_vectors_written_once(postings):
            _bulk_write(Posting, postings, now)
            self._write_posting_skills(postings, skill_ids)
        if any(row.action != UNCHANGED for rows in self.rows.values() for row in rows):
            # Bulk writes send no post_save: tell the page cache once, when committed.
            transaction.on_commit(bump_content_generation)

    def _store_logos(self, rows: list[_Row]) -> None:
        logo_field = Company._meta.get_field("logo")
        replaced = []
        for row in rows:
            if row.logo is None and not row.clear_logo:
                continue
            if row.instance.logo:
                replaced.append(row.instance.logo.name)
            if row.clear_logo:
                row.instance.logo = ""
                continue
            name = logo_field.generate_filename(row.instance, "logo.png")
            stored = logo_field.storage.save(
                name, ContentFile(row.logo), max_length=logo_field.max_length
            )
            self.stored_files.append(stored)
            row.instance.logo = stored
        if replaced:
            # Replaced files go once the import is committed, so a rollback loses nothing.
            transaction.on_commit(lambda: [logo_field.storage.delete(n) for n in replaced])

    def discard_stored_files(self) -> None:
        """Remove the logos this import stored, and the files derived from them (their
        sizes, named after them), when the import is rolled back.

        By name, never by listing the folder: on object storage a listing reads every
        logo of the site, page by page. Deleting a file that is not there is no error."""
        storage = Company._meta.get_field("logo").storage
        for name in self.stored_files:
            stem = logo_stem(name)
            storage.delete(name)
            for size in LOGO_SIZES:
                for extension in LOGO_FORMATS:
                    storage.delete(logo_variant_name(stem, size, extension))
        self.stored_files = []

    def _write_posting_skills(self, rows: list[_Row], skill_ids: dict[str, int]) -> None:
        """Only the links that change: removed ones by id, added ones in bulk."""
        through = Posting.skills.through
        for chunk in _chunks([link for row in rows for link in row.unlinked]):
            through.objects.filter(pk__in=chunk).delete()
        through.objects.bulk_create(
            [
                through(posting_id=row.instance.pk, skill_id=skill_ids[slug])
                for row in rows
                for slug in row.linked
            ],
            batch_size=CHUNK,
        )

    def report(self, *, dry_run: bool) -> ImportReport:
        report = ImportReport(dry_run=dry_run)
        for name, rows in self.rows.items():
            for row in rows:
                counts = report.sections[name]
                setattr(counts, row.action, getattr(counts, row.action) + 1)
        companies = report.sections[COMPANIES.name]
        companies.created += len(self.new_companies)
        # Each company written renders its logo (or its monogram) at every size.
        report.logos = companies.created + companies.updated
        report.notes = self._notes()
        return report

    def _notes(self) -> list[str]:
        """What staff should know before confirming: companies made from names, records
        job seekers will not see, and what each posting leaves unsaid."""
        notes = [
            f'Company "{company.name}" (slug "{slug}") will be created: postings name it '
            "and neither the file nor the site has it."
            for slug, company in self.new_companies.items()
        ]
        written = [row for row in self.rows[POSTINGS.name] if row.action != UNCHANGED]
        for row in self.rows[GUIDES.name]:
            if row.action != UNCHANGED and not row.instance.is_published:
                notes.append(f"{row.where}: not published; readers will not see it.")
        for row in written:
            hidden = _why_hidden(row.instance, self.started)
            if hidden:
                notes.append(f"{row.where}: {hidden}; job seekers will not see it.")
        unstated = [(row, _unstated(row.instance)) for row in written]
        tally = Counter(fact for _, facts in unstated for fact in facts)
        if tally:
            counts = ", ".join(f"{fact} {count}" for fact, count in tally.most_common())
            notes.append(f"Of {len(written)} postings written, how many leave unsaid: {counts}.")
        notes += [
            f"{row.where} does not state: {', '.join(facts)}." for row, facts in unstated if facts
        ]
        if len(notes) > MAX_NOTES:
            notes = [*notes[:MAX_NOTES], f"…and {len(notes) - MAX_NOTES} more notes like these."]
        return notes


_NOT_FOUND = "neither in this file nor on the site."


class _Companies:
    """The company a posting names: a slug in the file or on the site, or a name.

    Openings found on the web name their employer ("C&A"): a name is the company whose
    slug it makes when that company has this name, or else a new company of that name."""

    def __init__(self, names: dict[str, str]):
        self.names = names  # {slug: name} of the companies in the file or on the site
        self.created: dict[str, Company] = {}

    def slug_for(self, value) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("Expected a company slug or name.")
        if value in self.names:
            return value
        name, slug = value.strip(), _company_slug(value)
        if not slug:
            raise ValueError(
                f"No slug can be made from the name {_short(value)}: add the company to "
                '"companies" with a slug and name it by that slug.'
            )
        if slug in self.names:
            if self.names[slug].casefold() == name.casefold():
                return slug
            raise ValueError(
                f'"{name[:60]}" is not the name of the company whose slug it makes ("{slug}" '
                f'is "{self.names[slug][:60]}"). Name the company by its slug, or add it to '
                '"companies" with a slug of its own.'
            )
        if slug not in self.created:
            company = Company(name=name, slug=slug)
            try:
                company.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                raise ValueError(" ".join(error.messages)) from None
            self.created[slug] = company
        return slug


def _company_slug(name: str) -> str:
    max_length = Company._meta.get_field("slug").max_length
    return slugify(name)[:max_length].strip("-")


def _derived_posting_slug(record: dict) -> str | None:
    """A posting's slug from its company and title, the same on every import of the
    record: "C&A", "Data Engineer (f/m/d)" → "ca-data-engineer-fmd"."""
    company, title = record.get("company"), record.get("title")
    if not isinstance(company, str) or not isinstance(title, str) or not slugify(title):
        return None
    max_length = Posting._meta.get_field("slug").max_length
    return slugify(f"{_company_slug(company)} {title}")[:max_length].strip("-") or None


_SECTION_ORDER = {section.name: position for position, section in enumerate(SECTIONS)}


# What a posting may leave unsaid, in the words the report uses.
_STATED = {
    "remote_policy": "workplace",
    "employment_type": "employment type",
    "seniority": "seniority",
    "location": "location",
    "description": "description",
}


def _unstated(posting: Posting) -> list[str]:
    facts = [words for name, words in _STATED.items() if not getattr(posting, name)]
    if not posting.has_salary:
        facts.append("pay")
    if not posting.apply_href:
        facts.append("how to apply")
    return facts


def _why_hidden(posting: Posting, now) -> str:
    if posting.status == Posting.Status.DRAFT:
        return "a draft"
    if posting.status == Posting.Status.CLOSED:
        return "closed"
    if posting.published_at and posting.published_at > now:
        return f"published from {format_timestamp(posting.published_at)}"
    if posting.expires_at <= now:
        return "expired"
    if posting.apply_by is not None and posting.apply_by <= now:
        return "past its application deadline"
    if posting.confirmed_at is not None and posting.confirmed_at <= confirmation_cutoff(now):
        return f"not confirmed open since {format_timestamp(posting.confirmed_at)}"
    return ""


_SINGULAR = {"skills": "Skill", "guides": "Guide", "companies": "Company", "postings": "Posting"}


def _record_name(section: Section, index: int, record: dict, *, slug: str | None = None) -> str:
    """A record's name in its section, as staff know it: its slug ('"senior-backend-acme"');
    its title or name when its slug is not its own or not usable; its place in the
    section ("number 4") only when it has neither."""
    given = record.get(section.key)
    if section is GUIDES and isinstance(given, str) and given:
        return f'"{given[:80]}"'
    if slug and section.key in record:
        return f'"{slug[:80]}"'
    for name in ("title", "name"):
        if isinstance(record.get(name), str) and record[name].strip():
            return f'"{record[name].strip()[:80]}"'
    return f"number {index + 1}"


def _positions(indexes: list[int], section: Section) -> str:
    """Where records are in their section, counted from 1: "numbers 1 and 3 in postings"."""
    numbers = [str(index + 1) for index in indexes]
    listed = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    return f"numbers {listed} in {section.name}"


def _short(value) -> str:
    """A value quoted in a message, cut short: a file may hold megabytes where one is due."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _convert(model_field: models.Field, value):
    """The Python value of a JSON value for `model_field`; ValueError when the type is wrong.

    Types are strict (a number is not a string). Strings are kept as given, so that an
    export imports back exactly, except that one of only spaces counts as empty: the
    admin's forms would refuse it where a value is required.
    """
    if value is None:
        if model_field.null:
            return None
        raise ValueError("This field cannot be null.")
    if isinstance(model_field, models.BooleanField):
        if not isinstance(value, bool):
            raise ValueError("Expected true or false.")
        return value
    if isinstance(model_field, models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Expected a whole number.")
        return value
    if isinstance(model_field, models.DateTimeField):
        return parse_timestamp(value)
    if isinstance(model_field, models.CharField | models.TextField):
        if not isinstance(value, str):
            raise ValueError("Expected a string.")
        if "\x00" in value:
            raise ValueError("Null characters are not allowed.")
        # A model TextField does not check its max_length; the admin's form does.
        limit = model_field.max_length if isinstance(model_field, models.TextField) else None
        if limit and len(value) > limit:
            raise ValueError(
                f"Ensure this value has at most {limit} characters (it has {len(value)})."
            )
        return value if value.strip() else ""
    raise TypeError(f"No JSON conversion for {model_field!r}")


def _value(instance: models.Model, name: str):
    model_field = instance._meta.get_field(name)
    value = getattr(instance, model_field.attname)
    return value.name if isinstance(model_field, models.FileField) else value


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(queryset, lookup: str, keys: list[str], *, key=None) -> dict[str, models.Model]:
    found = {}
    for chunk in _chunks(keys):
        for obj in queryset.filter(**{f"{lookup}__in": chunk}):
            found[key(obj) if key else getattr(obj, lookup)] = obj
    return found


def _existing_keys(model, lookup: str, keys: set[str]) -> set[str]:
    return set(_ids(model, keys, lookup=lookup))


def _ids(model, keys: set[str], *, lookup: str = "slug") -> dict[str, int]:
    ids = {}
    for chunk in _chunks(sorted(keys)):
        ids.update(model.objects.filter(**{f"{lookup}__in": chunk}).values_list(lookup, "pk"))
    return ids


def _values_by_pk(model, name: str, pks: set[int]) -> dict[int, str]:
    values = {}
    for chunk in _chunks(sorted(pks)):
        values.update(model.objects.filter(pk__in=chunk).values_list("pk", name))
    return values


def _posting_skill_links(posting_ids: list[int]) -> dict[int, dict[str, int]]:
    """{posting id: {skill slug: link id}}"""
    links: dict[int, dict[str, int]] = {}
    through = Posting.skills.through.objects
    for chunk in _chunks(posting_ids):
        rows = through.filter(posting_id__in=chunk).values_list("posting_id", "skill__slug", "pk")
        for posting_id, slug, link in rows:
            links.setdefault(posting_id, {})[slug] = link
    return links


# What a posting's search vector is made of (see postings migration 0003).
_SEARCHED = {"title", "summary", "description", "company", "skills"}
# A posting's compared salary (postings.salaries) follows its salary.
_SALARY = {"salary_min", "salary_max", "salary_currency", "salary_period"}
_COMPARED_SALARY = {"reference_salary_min", "reference_salary_max"}


@contextlib.contextmanager
def _search_vectors_written_once(rows: list[_Row]):
    """On PostgreSQL, compute each written posting's search vector (and skill ids) once.

    The triggers of postings migration 0003 recompute a vector when its posting is
    written and again when its skill links change: two or three times per posting in a
    bulk import. As that migration asks of bulk writers, they stand aside for these
    writes (`search_triggers_off()`), then marking the postings recomputes each
    vector once, with the triggers' own function.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with search_triggers_off():
        yield
    stale = [row.instance.pk for row in rows if row.action == CREATED or row.changed & _SEARCHED]
    for chunk in _chunks(stale):
        Posting.objects.filter(pk__in=chunk).update(search_vector=None, skill_ids=None)


def _stored_digest(logo) -> str | None:
    try:
        with logo.storage.open(logo.name, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return None  # the file is gone: store the imported one


def _bulk_write(model, rows: list[_Row], now) -> None:
    model.objects.bulk_create(
        [row.instance for row in rows if row.action == CREATED], batch_size=CHUNK
    )
    updates = [row for row in rows if row.action == UPDATED]
    # "skills" is a many-to-many, written separately.
    fields = {name for row in updates for name in row.changed} - {"skills"}
    for row in updates:
        row.instance.updated_at = now
    if updates:
        model.objects.bulk_update(
            [row.instance for row in updates], sorted(fields | {"updated_at"}), batch_size=CHUNK
        )
