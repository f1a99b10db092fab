import contextlib
import functools
import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone

from jobboard.amounts import amount_range
from jobboard.markdown import render_markdown
from jobboard.seo import slug_url_maker
from skills.models import known_skills

from . import deadlines, locations, salaries

DEFAULT_LIFETIME = timedelta(days=30)

# The text search configuration of `Posting.search_vector` and of queries against it;
# the migration that creates the triggers uses the same one.
SEARCH_CONFIG = "english"
# Carried in the listing's indexes so that counting and filtering read no rows
# (Posting.Meta.indexes).
COUNT_COLUMNS = [
    "expires_at", "remote_policy", "seniority", "employment_type", "salary_min", "salary_max",
    "reference_salary_min", "reference_salary_max", "skill_ids",
    # Where: the country filter, "I can work from" and "my UTC offset" (postings.locations).
    "country", "remote_areas", "remote_utc_offset_min", "remote_utc_offset_max",
    # live()'s deadline and reconfirmation (PostingQuerySet.live()).
    "apply_by", "confirmed_at",
]  # fmt: skip


def keywords_query(text: str) -> SearchQuery:
    """What a person typed (words, "an exact phrase", -excluded, either or other), as a
    query of `Posting.search_vector`: the site's search and the admin's."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


# Fallback tokens: "a phrase", -excluded, -"excluded phrase", word.
_FALLBACK_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')

# Newest first, ties by id so that pages never overlap: the model's ordering, the
# listing's default sort, and the key of its index (posting_live_recent_idx).
NEWEST_FIRST = ("-published_at", "-id")


def closing_soonest_first() -> list:
    """The "Closing soon" sort: the nearest application deadline first, postings without
    one after them, each group newest first. Its index is posting_closing_soon_idx."""
    return [F("apply_by").asc(nulls_last=True), *NEWEST_FIRST]


def top_salary():
    """The top of a posting's salary range as compared: in the reference currency a year
    (postings.salaries). 0 when it gives none, or its currency has no rate, so those sort
    last (SQLite has no NULLS LAST in indexes)."""
    return Coalesce("reference_salary_max", "reference_salary_min", Value(0))


# How posting_filters_idx (migration 0018) holds "salary at least" and "open to a UTC
# offset", which are ranges: a posting's top salary is keyed by every multiple of
# SALARY_STEP from SALARY_STEP up to it (at most SALARY_STEPS_UP_TO), its range of UTC
# offsets by the whole hours it touches. A query for one value asks for its key (one
# entry of the index, intersected there with the skills, workplace and the rest), and
# the exact comparison still decides. The migration's SQL functions say the same.
SALARY_STEP = 10_000
SALARY_STEPS_UP_TO = 500_000


class SalarySteps(models.Func):
    """postings_salary_steps(top salary): the multiples of SALARY_STEP up to it."""

    function = "postings_salary_steps"
    output_field = ArrayField(models.IntegerField())


class UtcHours(models.Func):
    """postings_utc_hours(lowest, highest offset): the whole hours, in minutes east of
    UTC, that a range of offsets touches."""

    function = "postings_utc_hours"
    output_field = ArrayField(models.IntegerField())


def salary_step_key(at_least: int) -> int | None:
    """The key every top salary of `at_least` or more is indexed under; None when a
    salary that low has none."""
    step = min(at_least // SALARY_STEP * SALARY_STEP, SALARY_STEPS_UP_TO)
    return step if step >= SALARY_STEP else None


def utc_hour_key(minutes: int) -> int:
    """The key of every range of UTC offsets that includes `minutes`: its whole hour."""
    return minutes // 60 * 60


def highest_salary_first() -> list:
    """The listing's salary sort, and the key of its index (posting_salary_sort_idx): a
    query ordered otherwise would not use the index."""
    return [top_salary().desc(), *NEWEST_FIRST]


def index_key(order) -> list:
    """An order_by() as the expressions of an index: "-published_at" is
    F("published_at").desc()."""
    return [
        term if not isinstance(term, str)
        else F(term[1:]).desc() if term.startswith("-")
        else F(term)
        for term in order
    ]  # fmt: skip


class TriggerKeptArrayField(ArrayField):
    """An array column that PostgreSQL keeps with triggers. Other databases leave it NULL,
    and get no PostgreSQL cast (`%s::bigint[]`) in the statements that write it."""

    def get_placeholder(self, value, compiler, connection):
        if connection.vendor != "postgresql":
            return "%s"
        return super().get_placeholder(value, compiler, connection)


class PostgresArrayField(ArrayField):
    """An array column on PostgreSQL, written from Python (unlike TriggerKeptArrayField);
    other databases store NULL and filter on the column it is derived from."""

    def db_type(self, connection):
        # SQLite reads "varchar(16)[]" as a syntax error (it takes "bigint[]").
        return super().db_type(connection) if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return None
        return super().get_db_prep_value(value, connection, prepared)

    def get_placeholder(self, value, compiler, connection):
        if connection.vendor != "postgresql":
            return "%s"
        return super().get_placeholder(value, compiler, connection)


@contextlib.contextmanager
def search_triggers_off(using: str = DEFAULT_DB_ALIAS):
    """For the rest of the caller's transaction, the triggers of postings migrations 0003
    and 0010 leave `search_vector` and `skill_ids` to the writer (PostgreSQL only).

    For bulk writers, which set them once per posting (or mark the postings afterwards)
    instead of once per row and per skill link. Switched back on leaving the block: SET
    LOCAL outlives a savepoint. On an error the transaction is rolled back, and the
    setting with it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jobboard.bulk_search_vector = 'on'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jobboard.bulk_search_vector = 'off'")


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


def choices_check(field: str, choices: type[models.TextChoices], name: str, *, blank=False):
    allowed = [value for value, _ in choices.choices] + ([""] if blank else [])
    return models.CheckConstraint(condition=Q(**{f"{field}__in": allowed}), name=name)


CARD_FIELDS = (
    *("title", "slug", "summary", "location", "remote_policy", "employment_type"),
    *("city", "region", "country", "remote_from", "remote_utc_offset_min", "remote_utc_offset_max"),
    *("salary_min", "salary_max", "salary_currency", "salary_period", "published_at"),
    *("reference_salary_min", "reference_salary_max"),
    "apply_by",  # "Closes in 3 days"
    "skill_ids",  # its skills' names (CardIterable)
    *("company", "company__name", "company__slug", "company__logo", "company__logo_variants"),
)


class CardIterable(ModelIterable):
    """Postings, each with `skill_names`, A to Z: on PostgreSQL from the ids on their rows
    (`skill_ids`) and the cached names of all skills, with no query; else, or when a
    skill is newer than the cached names, in one query for the whole batch (what
    `prefetch_related("skills")` does, without building a Skill object per tag). That
    query took 1.5 ms of a listing's 10-12 at a million postings."""

    def __iter__(self):
        postings = list(super().__iter__())
        if postings and self._name_from_skill_ids(postings):
            yield from postings
            return
        names = {posting.pk: [] for posting in postings}
        tags = (
            Posting.skills.through.objects.filter(posting_id__in=names)
            .order_by("skill__name")
            .values_list("posting_id", "skill__name")
        )
        for posting_id, name in tags if names else ():
            names[posting_id].append(name)
        for posting in postings:
            posting.skill_names = names[posting.pk]
        yield from postings

    def _name_from_skill_ids(self, postings) -> bool:
        """Sets each posting's `skill_names` from its `skill_ids` (kept by PostgreSQL's
        triggers as its links change) and True; False when that cannot be done."""
        if connections[self.queryset.db].vendor != "postgresql":
            return False
        ids = [posting.__dict__.get("skill_ids") for posting in postings]
        if None in ids:  # not read, or not computed yet
            return False
        # Ids in alphabetical order of their names, as the database sorts them.
        order = {pk: (place, name) for place, (pk, name) in enumerate(known_skills().values())}
        if any(pk not in order for row in ids for pk in row):
            return False  # a skill added since the names were cached
        for posting, row in zip(postings, ids, strict=True):
            posting.skill_names = [order[pk][1] for pk in sorted(row, key=order.__getitem__)]
        return True


class PostingQuerySet(models.QuerySet):
    """`live()` is the one definition of "a job seeker may see this posting"."""

    def published(self, *, now=None):
        now = now or timezone.now()
        return self.filter(status=Posting.Status.PUBLISHED, published_at__lte=now)

    def unexpired(self, *, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def accepting_applications(self, *, now=None):
        """No application deadline, or one still ahead."""
        return self.filter(Q(apply_by__isnull=True) | Q(apply_by__gt=now or timezone.now()))

    def confirmed(self, *, now=None):
        """Confirmed open within the last RECONFIRM_DAYS (settings)."""
        return self.filter(confirmed_at__gt=deadlines.confirmation_cutoff(now or timezone.now()))

    def live(self):
        # Every column read here is in the listing's covering indexes (COUNT_COLUMNS),
        # so that a count or a filtered walk reads the index alone. Reconfirmation is
        # compared here, against confirmed_at, rather than stored as one precomputed
        # "live until" instant: RECONFIRM_DAYS is a setting, and a stored instant would
        # need every row rewritten whenever it changed (and by every bulk writer).
        now = timezone.now()
        return (
            self.published(now=now)
            .unexpired(now=now)
            .accepting_applications(now=now)
            .confirmed(now=now)
        )

    def for_skill(self, skill):
        """Postings tagged with `skill` (a Skill or its id)."""
        return self.with_any_skill([skill])

    def for_company(self, company):
        return self.filter(company=company)

    def expired(self):
        """Published postings past their expiry or their application deadline: live again
        only after an edit. (One not reconfirmed in time is not among them: confirming
        it shows it again.)"""
        now = timezone.now()
        return self.filter(
            Q(expires_at__lte=now) | Q(apply_by__lte=now), status=Posting.Status.PUBLISHED
        )

    def for_cards(self, *also: str):
        """What a posting card shows (and the fields `also` names), in two queries: the
        postings with their companies, then the names of their skills.

        Each posting gets `skill_names`, alphabetical. Only the card's fields are read:
        a listing page spent more time building objects (prefetched Skill rows, parsed
        datetimes, the Markdown) than in the database."""
        cards = self.select_related("company").only(*CARD_FIELDS, *also)
        # Django has no public hook for what a queryset yields, and the alternatives lose
        # something: prefetch_related builds the Skill objects this avoids, values() gives
        # dicts without get_absolute_url(), and a method returning a list could no
        # longer be filtered, sliced by the paginator or passed to in_bulk(). The
        # iterable class survives those clones (as the ones values() sets do).
        cards._iterable_class = CardIterable
        return cards

    def rows_by_id(self):
        """The same cards (a filtered, ordered page of them), read in two steps: their ids
        from the index alone, then those rows by primary key.

        A rare filter combination walks thousands of index entries to fill a page; the
        filters' columns are in the index (posting_live_recent_idx, posting_salary_sort_idx)
        but a single step also reads each visited posting's row from a table of 1.9 GB
        at a million postings, to keep twenty of them. Ranked windows (annotated) are
        already read by id. The listings' `read_page` (jobboard.pagination)."""
        if self.query.annotation_select:
            return self
        rows = Posting.objects.filter(pk__in=self.values("pk")).for_cards()
        # In the same order (the model's own when none was given).
        return rows.order_by(*self.query.order_by) if self.query.order_by else rows

    def with_any_skill(self, skills):
        """Postings tagged with any of `skills` (Skill objects or ids), each once."""
        ids = [getattr(skill, "pk", skill) for skill in skills]
        if connections[self.db].vendor == "postgresql":
            return self.filter(skill_ids__overlap=ids)
        # A subquery rather than a join: a posting with two of the skills appears once.
        tagged = Posting.skills.through.objects.filter(skill_id__in=ids).values("posting_id")
        return self.filter(pk__in=tagged)

    def in_country(self, country: str):
        """Postings whose workplace is in `country` (ISO 3166-1): on-site and hybrid
        roles by their office, and any other that states its country."""
        return self.filter(country=country)

    def open_to_country(self, country: str):
        """Remote and hybrid roles a hire living in `country` may take: the country is
        among the areas the posting is open to, directly or through a named region, or
        it is open to anywhere (postings.locations.areas_containing)."""
        areas = locations.areas_containing(country)
        if connections[self.db].vendor == "postgresql":
            # Checked in the listing's indexes (remote_areas is INCLUDEd), or from the
            # GIN index of the filters' values (posting_filters_idx) for a rare country.
            return self.filter(remote_areas__overlap=list(areas))
        pattern = r"(^| )(" + "|".join(re.escape(area) for area in areas) + r")( |$)"
        return self.filter(remote_from__regex=pattern)

    def open_to_utc_offset(self, minutes: int):
        """Remote and hybrid roles whose stated range of UTC offsets includes `minutes`
        (east of UTC); a posting that states no range says nothing, and is left out."""
        return self.filter(remote_utc_offset_min__lte=minutes, remote_utc_offset_max__gte=minutes)

    def keyed_for_filters_index(self, *, salary_at_least=None, utc_offset=None):
        """The same postings, with what "salary at least" and "open to `utc_offset`"
        imply said as keys of posting_filters_idx (SalarySteps, UtcHours), so that
        PostgreSQL intersects them there with the other filters' values rather than read
        each candidate row to compare (a third of a second for a common skill at a
        million postings). For a read with index walks off only: a walk of a sort's index
        would compute the keys of every row it filters. Unchanged elsewhere than
        PostgreSQL, which has no such index."""
        if connections[self.db].vendor != "postgresql":
            return self
        queryset = self
        step = None if salary_at_least is None else salary_step_key(salary_at_least)
        if step is not None:
            queryset = queryset.alias(salary_steps=SalarySteps(top_salary())).filter(
                salary_steps__contains=[step]
            )
        if utc_offset is not None:
            hours = UtcHours("remote_utc_offset_min", "remote_utc_offset_max")
            queryset = queryset.alias(utc_hours=hours).filter(
                utc_hours__contains=[utc_hour_key(utc_offset)]
            )
        return queryset

    def reachable(self):
        """Postings a job seeker may open by URL: live ones, and ones that were live and
        have since closed or expired (shown as no longer accepting applications)."""
        return self.filter(
            status__in=[Posting.Status.PUBLISHED, Posting.Status.CLOSED],
            published_at__lte=timezone.now(),
        )

    def search(self, query: str):
        """Postings matching a keyword query, best match first, annotated with `rank`.

        On PostgreSQL: full-text search of the stored `search_vector` (title weighs most,
        then skills and company, summary, description) with web-search syntax: words,
        "an exact phrase", -excluded, either or other. Elsewhere a simple fallback: each
        word or phrase appears somewhere in the posting, and title hits rank first.
        """
        query = query.strip()
        if not query:
            return self.annotate(rank=Value(0.0))
        if connections[self.db].vendor == "postgresql":
            tsquery = keywords_query(query)
            matches = self.filter(search_vector=tsquery).annotate(
                rank=SearchRank(F("search_vector"), tsquery)
            )
        else:
            matches = self._search_fallback(query)
        return matches.order_by("-rank", *NEWEST_FIRST)

    def in_order(self, ids: list) -> list:
        """Those of these postings whose ids are in `ids`, in the order of `ids` (a
        ranking made in Python), read by primary key."""
        by_id = {posting.pk: posting for posting in self.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def _search_fallback(self, query: str):
        matches, rank = self, Value(0.0)
        for negated, phrase, negated_word, word in _FALLBACK_TOKEN.findall(query):
            text = phrase or word
            if not text or text.lower() == "or":
                continue
            found = (
                Q(title__icontains=text)
                | Q(summary__icontains=text)
                | Q(description__icontains=text)
                | Q(company__name__icontains=text)
                | Q(
                    Exists(
                        Posting.skills.through.objects.filter(
                            posting_id=OuterRef("pk"), skill__name__icontains=text
                        )
                    )
                )
            )
            if negated or negated_word:
                matches = matches.exclude(found)
            else:
                matches = matches.filter(found)
                rank += Case(When(title__icontains=text, then=Value(1.0)), default=Value(0.1))
        return matches.annotate(rank=rank)


class PostingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"


class PostingRemotePolicy(models.TextChoices):
    ONSITE = "onsite", "On-site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class PostingEmploymentType(models.TextChoices):
    FULL_TIME = "full-time", "Full-time"
    PART_TIME = "part-time", "Part-time"
    CONTRACT = "contract", "Contract"
    INTERNSHIP = "internship", "Internship"


class PostingSeniority(models.TextChoices):
    JUNIOR = "junior", "Junior"
    MID = "mid", "Mid-level"
    SENIOR = "senior", "Senior"
    STAFF = "staff", "Staff / Principal"
    LEAD = "lead", "Lead"


class PostingSalaryPeriod(models.TextChoices):
    YEAR = "year", "per year"
    MONTH = "month", "per month"
    WEEK = "week", "per week"
    DAY = "day", "per day"
    HOUR = "hour", "per hour"


@functools.cache
def _choice_labels(field_name: str) -> dict[str, str]:
    # Choices come from code: one dict per field for the life of the process.
    field = Posting._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}


class Posting(models.Model):
    Status = PostingStatus
    RemotePolicy = PostingRemotePolicy
    EmploymentType = PostingEmploymentType
    Seniority = PostingSeniority
    SalaryPeriod = PostingSalaryPeriod

    company = models.ForeignKey(
        "companies.Company",
        # A company with postings cannot be deleted: its postings would vanish with it.
        on_delete=models.PROTECT,
        related_name="postings",
    )
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=200, help_text="One line shown on cards.")
    description = models.TextField(
        blank=True, help_text="Markdown. When empty, the posting's page shows the summary."
    )
    description_html = models.TextField(editable=False, default="")
    skills = models.ManyToManyField("skills.Skill", related_name="postings", blank=True)
    location = models.CharField(
        max_length=120,
        blank=True,
        help_text='As the employer wrote it, e.g. "Amsterdam, Netherlands" or "Remote (EU)". '
        "Cards and search engines use the city, region and country below when they are set.",
    )
    # The structured place of an on-site or hybrid role (postings.locations). Migration
    # 0014 parsed them from `location`; `manage.py unparsed_locations` lists the rest.
    city = models.CharField(max_length=100, blank=True, help_text="e.g. Amsterdam.")
    region = models.CharField(
        max_length=6,
        blank=True,
        help_text="State or province as an ISO 3166-2 code, e.g. US-CA or CA-ON; "
        "leave empty where the country has none that matters.",
    )
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 two-letter code, e.g. NL."
    )
    # Remote eligibility, for remote and hybrid roles: where a hire may live.
    remote_from = models.CharField(
        "open to hires living in",
        max_length=300,
        blank=True,
        help_text="Remote and hybrid roles: ISO country codes and named regions (EU, EEA, "
        "EUROPE, NORTH-AMERICA, LATIN-AMERICA, AMERICAS, APAC, EMEA) or ANYWHERE, separated "
        "by spaces, e.g. “EU CH”. Empty when the employer does not say.",
    )
    # The same areas as an array, for the index: PostgreSQL only (NULL elsewhere).
    remote_areas = PostgresArrayField(
        models.CharField(max_length=16),
        null=True,
        blank=True,
        editable=False,
        help_text="remote_from as an array; derived on save.",
    )
    remote_utc_offset_min = models.SmallIntegerField(
        "UTC offset from",
        null=True,
        blank=True,
        help_text="Remote and hybrid roles: the westernmost UTC offset a hire may live at, in "
        "minutes east of UTC (−120 for UTC−2, 330 for UTC+5:30). Empty when not stated.",
    )
    remote_utc_offset_max = models.SmallIntegerField(
        "UTC offset to",
        null=True,
        blank=True,
        help_text="The easternmost, in minutes (180 for UTC+3).",
    )
    # Blank when the employer does not say: a card states nothing it was not told.
    remote_policy = models.CharField(
        max_length=10, choices=RemotePolicy.choices, blank=True, default=""
    )
    employment_type = models.CharField(
        max_length=12, choices=EmploymentType.choices, blank=True, default=""
    )
    seniority = models.CharField(max_length=10, choices=Seniority.choices, blank=True, default="")
    salary_min = models.PositiveIntegerField(null=True, blank=True)
    salary_max = models.PositiveIntegerField(null=True, blank=True)
    salary_currency = models.CharField(
        max_length=3, blank=True, help_text="ISO 4217 code, e.g. EUR. Required with a salary."
    )
    salary_period = models.CharField(
        max_length=5, choices=SalaryPeriod.choices, default=SalaryPeriod.YEAR
    )
    # The salary as compared (postings.salaries): in the reference currency a year, at
    # the rate in force; NULL without a salary or a rate for its currency. Derived on
    # save, rewritten in bulk when rates are applied; read by the listing's indexes.
    reference_salary_min = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The bottom of the salary in the reference currency a year; derived.",
    )
    reference_salary_max = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The top of the salary in the reference currency a year; derived.",
    )
    apply_url = models.URLField(
        max_length=500,
        blank=True,
        # The apply button links here: http(s) only, never javascript:, data: or ftp:.
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The employer's page (https:// or http://). Leave both empty when the "
        "employer does not say how to apply: the page says so.",
    )
    apply_email = models.EmailField(blank=True, help_text="Used when there is no apply URL.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Visible to job seekers from this moment while published and not expired.",
    )
    expires_at = models.DateTimeField(
        default=default_expiry, help_text="Hidden from job seekers from this moment."
    )
    # Deadlines and freshness (postings/deadlines.py). Both read by live().
    apply_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The employer's application deadline: hidden from job seekers from this "
        "moment, and the page says applications closed. Empty when none is given.",
    )
    apply_by_timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[deadlines.validate_time_zone],
        help_text="The IANA time zone the employer gave the deadline in, e.g. Europe/Berlin: "
        "pages show the deadline in it. Empty: UTC.",
    )
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the opening was last confirmed open (the list's “Confirm still "
        "open” action). Hidden from job seekers once RECONFIRM_DAYS (45 by default) have "
        "passed since. Empty: set when it is saved with a publication date.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Written by PostgreSQL only (triggers and GIN index in migration 0003): never set it.
    search_vector = SearchVectorField(
        null=True, editable=False, help_text="Kept current by the database; see search()."
    )
    # The ids of `skills`, on the posting's own row (and in the listing's indexes): a
    # filter by skill is then checked in the index walk, with no lookup per posting in the
    # links table. Kept by PostgreSQL triggers (postings migration 0010) from the links,
    # whatever a save writes; None on other databases.
    skill_ids = TriggerKeptArrayField(
        models.BigIntegerField(),
        null=True,
        blank=True,
        editable=False,
        help_text="Kept current by the database; see with_any_skill().",
    )

    objects = PostingQuerySet.as_manager()

    class Meta:
        ordering = list(NEWEST_FIRST)
        get_latest_by = "published_at"
        permissions = [("import_content", "Can import content from a file")]
        # Not here, being PostgreSQL's alone (a GinIndex here would break SQLite's
        # migrations): the GIN indexes posting_search_idx (migration 0003) and
        # posting_filters_idx (0016: skills, areas, workplace, seniority, type and
        # country, for rare combinations), and the triggers that keep `search_vector` and
        # `skill_ids` (0003, 0010; bulk writers bypass them with search_triggers_off()).
        indexes = [
            # The listing's default order, over published postings only.
            models.Index(
                *index_key(NEWEST_FIRST),
                condition=Q(status=PostingStatus.PUBLISHED),
                # The columns of live() and of the common filters: a listing's bounded
                # count reads the index alone (an index-only scan), not a row per entry.
                include=COUNT_COLUMNS,
                name="posting_live_recent_idx",
            ),
            # The listing sorted by salary, then the newest; "salary at least" is a range
            # of it (top_salary()).
            models.Index(
                *index_key(highest_salary_first()),
                condition=Q(status=PostingStatus.PUBLISHED),
                include=COUNT_COLUMNS,
                name="posting_salary_sort_idx",
            ),
            # The "Closing soon" sort (closing_soonest_first()). NULLS LAST is the
            # default of an ascending key in PostgreSQL, and SQLite's indexes cannot say
            # it, so the key says only "ascending".
            models.Index(
                F("apply_by").asc(),
                *index_key(NEWEST_FIRST),
                condition=Q(status=PostingStatus.PUBLISHED),
                include=[column for column in COUNT_COLUMNS if column != "apply_by"],
                name="posting_closing_soon_idx",
            ),
            # The same order over every posting, drafts and closed ones too: the admin's
            # list, newest first or by its "Published" column, reads a page of it.
            models.Index(*index_key(NEWEST_FIRST), name="posting_newest_idx"),
            models.Index(fields=["status", "expires_at"], name="posting_status_expiry_idx"),
            models.Index(fields=["company", "status"], name="posting_company_idx"),
            models.Index(fields=["remote_policy"], name="posting_remote_idx"),
            models.Index(fields=["seniority"], name="posting_seniority_idx"),
            models.Index(fields=["employment_type"], name="posting_type_idx"),
            models.Index(fields=["salary_min"], name="posting_salary_min_idx"),
            # A rare country: its postings found directly rather than by walking the
            # listing's index (the GIN index of remote_areas is in migration 0014).
            models.Index(fields=["country"], name="posting_country_idx"),
            # Applying a currency's rate finds its postings; the admin counts them.
            models.Index(fields=["salary_currency"], name="posting_salary_currency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=F("salary_max")),
                name="posting_salary_range",
            ),
            models.CheckConstraint(
                condition=(Q(salary_min__isnull=True) & Q(salary_max__isnull=True))
                | ~Q(salary_currency=""),
                name="posting_salary_has_currency",
            ),
            models.CheckConstraint(
                condition=~Q(status=PostingStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="posting_published_has_date",
            ),
            choices_check("status", PostingStatus, "posting_status_valid"),
            # Blank is "not stated".
            choices_check(
                "remote_policy", PostingRemotePolicy, "posting_remote_policy_valid", blank=True
            ),
            choices_check(
                "employment_type",
                PostingEmploymentType,
                "posting_employment_type_valid",
                blank=True,
            ),
            choices_check("seniority", PostingSeniority, "posting_seniority_valid", blank=True),
            choices_check("salary_period", PostingSalaryPeriod, "posting_salary_period_valid"),
            models.CheckConstraint(
                condition=(
                    Q(remote_utc_offset_min__isnull=True) & Q(remote_utc_offset_max__isnull=True)
                )
                | Q(
                    remote_utc_offset_min__gte=locations.MIN_OFFSET,
                    remote_utc_offset_max__lte=locations.MAX_OFFSET,
                    remote_utc_offset_min__lte=F("remote_utc_offset_max"),
                ),
                name="posting_utc_offset_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.company}" if self.company_id else self.title

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("postings:detail", kwargs={"slug": self.slug})

    @staticmethod
    def detail_url_maker():
        """A function giving what `get_absolute_url()` gives for a slug (one reverse() for
        a whole list of postings; jobboard.seo.slug_url_maker)."""
        return slug_url_maker(Posting)

    def clean(self):
        errors = {}
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            errors["salary_max"] = "Must be greater than or equal to the minimum salary."
        if (self.salary_min is not None or self.salary_max is not None) and not (
            self.salary_currency
        ):
            errors["salary_currency"] = "Give the currency of the salary."
        if self.salary_currency and not (
            len(self.salary_currency) == 3 and self.salary_currency.isalpha()
        ):
            errors["salary_currency"] = "Use a three-letter ISO 4217 code, e.g. EUR."
        if self.status == self.Status.PUBLISHED and not self.published_at:
            errors["published_at"] = "A published posting needs a publication date."
        if self.published_at and self.expires_at and self.expires_at <= self.published_at:
            errors["expires_at"] = "Must be after the publication date."
        errors.update(self._where_errors())
        if self.apply_by_timezone and not self.apply_by:
            errors["apply_by_timezone"] = "A time zone is for an application deadline: give one."
        if errors:
            raise ValidationError(errors)

    def _where_errors(self) -> dict:
        errors = {}
        self.country = self.country.upper()
        self.region = self.region.upper()
        if self.country and self.country not in locations.country_codes():
            errors["country"] = f"“{self.country}” is not an ISO 3166-1 code; e.g. DE, US."
        if self.region:
            if not self.country:
                errors["region"] = "Give the country of the region too."
            elif not locations.is_subdivision(self.region, self.country):
                errors["region"] = (
                    f"“{self.region}” is not an ISO 3166-2 code of "
                    f"{locations.country_name(self.country)}; e.g. US-CA, CA-ON."
                )
        try:
            self.remote_from = locations.normalise_areas(self.remote_from)
        except ValueError as error:
            errors["remote_from"] = str(error)
        low, high = self.remote_utc_offset_min, self.remote_utc_offset_max
        if (low is None) != (high is None):
            errors["remote_utc_offset_max" if high is None else "remote_utc_offset_min"] = (
                "Give both ends of the range (the same offset twice for one)."
            )
        elif low is not None:
            for name, value in (("remote_utc_offset_min", low), ("remote_utc_offset_max", high)):
                if not locations.MIN_OFFSET <= value <= locations.MAX_OFFSET:
                    errors[name] = "UTC offsets run from −720 (UTC−12) to 840 (UTC+14) minutes."
            if low > high and not errors:
                errors["remote_utc_offset_max"] = "Must be east of (greater than) the start."
        return errors

    def derive_fields(self, *, render: bool = True, rates: dict | None = None):
        """What save() derives from the row; bulk writers (the importer) call it too.

        Rendering is the costly part: a bulk writer that knows the description did not
        change passes `render=False`. The compared salary needs the rate in force for the
        salary's currency: one small query, unless the writer passes `rates` (from
        postings.exchange_rates.rates_in_force()) or the currency is the reference one.
        """
        self.salary_currency = self.salary_currency.upper()
        self.country = self.country.upper()
        self.region = self.region.upper()
        with contextlib.suppress(ValueError):  # clean() reports what is not an area
            self.remote_from = locations.normalise_areas(self.remote_from)
        # NULL rather than an empty array: most postings state none, and the listing's
        # indexes carry the column (a NULL costs a bit, an empty array 16 bytes).
        self.remote_areas = self.remote_from.split() or None
        # Whoever first saves it with a publication date says it is open: now, or from
        # a publication still ahead. (Rows older than the field count as confirmed at
        # their publication: postings migration 0015.)
        if self.confirmed_at is None and self.published_at is not None:
            self.confirmed_at = max(self.published_at, timezone.now())
        if render:
            self.description_html = render_markdown(self.description).html
        rate = None
        if self.has_salary:
            currency = self.salary_currency
            rate = rates.get(currency) if rates is not None else ExchangeRate.rate_for(currency)
        self.reference_salary_min = salaries.convert(
            self.salary_min, period=self.salary_period, rate=rate
        )
        self.reference_salary_max = salaries.convert(
            self.salary_max, period=self.salary_period, rate=rate
        )

    # One-row transitions, used by the admin's actions and management commands.
    def publish(self, *, at=None):
        self.status = self.Status.PUBLISHED
        self.published_at = self.published_at or at or timezone.now()
        if self.expires_at <= timezone.now():
            self.expires_at = default_expiry()
        # Publishing is confirming: open now, or from a publication still ahead.
        self.confirmed_at = max(timezone.now(), self.published_at)
        self.save(
            update_fields=["status", "published_at", "expires_at", "confirmed_at", "updated_at"]
        )

    def confirm_open(self, *, at=None):
        self.confirmed_at = at or timezone.now()
        self.save(update_fields=["confirmed_at", "updated_at"])

    def close(self):
        self.status = self.Status.CLOSED
        self.save(update_fields=["status", "updated_at"])

    def extend(self, *, days: int = 30):
        self.expires_at = max(self.expires_at, timezone.now()) + timedelta(days=days)
        self.save(update_fields=["expires_at", "updated_at"])

    @property
    def is_live(self) -> bool:
        """live() for one posting."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now < self.expires_at
            and not self.deadline_passed
            and self.is_confirmed
        )

    # Deadlines and freshness (postings/deadlines.py).
    @property
    def deadline_passed(self) -> bool:
        return self.apply_by is not None and self.apply_by <= timezone.now()

    @property
    def is_confirmed(self) -> bool:
        """Confirmed open within RECONFIRM_DAYS, as live() requires."""
        cutoff = deadlines.confirmation_cutoff(timezone.now())
        return self.confirmed_at is not None and self.confirmed_at > cutoff

    @property
    def apply_by_display(self) -> str:
        """ "12 Dec 2026, 17:00 Berlin time"; "" without a deadline."""
        if self.apply_by is None:
            return ""
        return deadlines.deadline_display(self.apply_by, self.apply_by_timezone)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def repeats_company_description(self) -> bool:
        """True when the employer's description already holds the company's own blurb
        (most begin "About Acme", with the same words): the page then says it once."""
        blurb = " ".join(self.company.description.split())
        return bool(blurb) and blurb in " ".join(self.description.split())

    def similar(self, *, limit: int = 4, candidates: int = 200) -> list["Posting"]:
        """Live postings sharing skills with this one, the most shared skills first, then
        the newest.

        Among the newest `candidates` that share any: a popular skill is shared by a third
        of a million postings, too many to count per page view. They are ranked here from
        their skills (one flat query) and only the best are read as cards: the same ranking
        as one aggregate query took twice as long, half of it building the SQL."""
        skill_ids = [skill.pk for skill in self.skills.all()]
        newest = (
            Posting.objects.live()
            .with_any_skill(skill_ids)
            .exclude(pk=self.pk)
            .order_by(*NEWEST_FIRST)
        )
        if connections[newest.db].vendor == "postgresql":
            # Each candidate's skills are on its row, and in the index the walk reads: no
            # join of their links and rows. Read newest first, ties stay in that order
            # (a stable sort): no dates to read either.
            mine = set(skill_ids)
            rows = newest.values_list("pk", "skill_ids")[:candidates]
            shared = {pk: len(mine.intersection(ids)) for pk, ids in rows}
            best = sorted(shared, key=shared.__getitem__, reverse=True)
        else:
            links = Posting.skills.through.objects.filter(
                posting_id__in=newest.values("pk")[:candidates], skill_id__in=skill_ids
            ).values_list("posting_id", "posting__published_at")
            shared, published = Counter(), {}
            for posting_id, published_at in links:
                shared[posting_id] += 1
                published[posting_id] = published_at
            best = sorted(shared, key=lambda pk: (shared[pk], published[pk], pk), reverse=True)
        cards = Posting.objects.for_cards().in_bulk(best[:limit])
        return [cards[pk] for pk in best[:limit] if pk in cards]

    @property
    def place_display(self) -> str:
        """ "Austin, Texas, United States" from the structured parts when they name a city;
        else the employer's text; else the country; "" when the posting names no place."""
        if self.city:
            region = locations.subdivision_name(self.region) if self.region else ""
            parts = (self.city, region, locations.country_name(self.country))
            return ", ".join(part for part in parts if part)
        return self.location or locations.country_name(self.country)

    @property
    def listed_place(self) -> str:
        """The place a card or a feed shows: the structured place; a remote role's own
        text only when it says more than where it is open to ("Remote (Europe)" would
        repeat "Remote · Europe")."""
        if self.remote_policy == self.RemotePolicy.REMOTE and not self.city:
            # "Remote" as the whole location text would read "Remote · Remote" beside the
            # workplace fact.
            says_only_remote = self.location.strip(" .").casefold() == "remote"
            return "" if self.remote_display or says_only_remote else self.location
        return self.place_display

    def label_of(self, field_name: str) -> str:
        """What `get_FOO_display()` gives for a field with choices. Django's builds the
        field's choices dict on every call: a listing asks for three labels per card."""
        value = getattr(self, field_name)
        return _choice_labels(field_name).get(value, value)

    @property
    def workplace_display(self) -> str:
        """ "Remote · EU", "Hybrid · Germany, UTC+1"; the policy alone when it says no more."""
        policy = self.label_of("remote_policy")
        where = self.remote_display if self.remote_policy else ""
        return f"{policy} · {where}" if where else policy

    @property
    def remote_display(self) -> str:
        """Where a remote or hybrid hire may live, in short: "EU", "UTC−2 to +3",
        "EU, UTC−2 to +3"."""
        parts = [locations.areas_label(self.remote_from), self.utc_offsets_display]
        return ", ".join(part for part in parts if part)

    @property
    def remote_areas_display(self) -> str:
        """Every area a hire may live in: "EU, Switzerland"."""
        return locations.areas_label(self.remote_from, limit=len(self.remote_from.split()))

    @property
    def utc_offsets_display(self) -> str:
        return locations.offset_range_label(self.remote_utc_offset_min, self.remote_utc_offset_max)

    @property
    def apply_href(self) -> str:
        """The apply button's link; empty when the employer did not say how to apply."""
        if self.apply_url:
            return self.apply_url
        return f"mailto:{self.apply_email}" if self.apply_email else ""

    @property
    def has_salary(self) -> bool:
        return self.salary_min is not None or self.salary_max is not None

    @property
    def salary_display(self) -> str:
        """ "EUR 90k–120k per year"; an empty string when no salary is known."""
        if not self.has_salary:
            return ""
        open_end, figures = amount_range(self.salary_min, self.salary_max)
        return f"{self.salary_currency} {open_end}{figures} {self.label_of('salary_period')}"

    @property
    def reference_salary_display(self) -> str:
        """ "≈ €20k–25k a year" when the salary's currency or period is not the reference
        currency a year and it is compared; an empty string otherwise."""
        return salaries.compared_display(self)


class ExchangeRate(models.Model):
    """A rate in force: how many units of `currency` make one unit of the reference
    currency (settings.SALARY_REFERENCE_CURRENCY). Saving one in the admin, or loading
    the ECB's rates (`manage.py load_exchange_rates`), compares the postings in that
    currency again (postings.exchange_rates.apply_rates)."""

    currency = models.CharField(max_length=3, unique=True, help_text="ISO 4217 code, e.g. USD.")
    rate = models.DecimalField(
        max_digits=20,
        decimal_places=10,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text="Units of this currency for one unit of the reference currency: 1.0512 "
        "for USD when the reference currency is EUR means €1 = $1.0512.",
    )
    date = models.DateField(help_text="The day the rate was published.")
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the rate comes from, e.g. a URL."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        get_latest_by = "date"
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate.normalize():f} ({self.date})"

    def save(self, *args, **kwargs):
        self.currency = self.currency.upper()
        super().save(*args, **kwargs)

    def clean(self):
        self.currency = self.currency.upper()
        if not (len(self.currency) == 3 and self.currency.isascii() and self.currency.isalpha()):
            raise ValidationError({"currency": "Use a three-letter ISO 4217 code, e.g. USD."})
        if self.currency == salaries.reference_currency():
            raise ValidationError(
                {"currency": f"{self.currency} is the reference currency: it needs no rate."}
            )

    @classmethod
    def rate_for(cls, currency: str) -> Decimal | None:
        """The rate in force for `currency` (1 for the reference currency, no query)."""
        if currency == salaries.reference_currency():
            return Decimal(1)
        if not currency:
            return None
        return cls.objects.filter(currency=currency).values_list("rate", flat=True).first()


class MarketStats(models.Model):
    """Figures about all live postings (counts per skill, market snapshots, who is hiring,
    sitemap sections), recomputed every MARKET_STATS_SECONDS by postings.stats.

    Counting a million postings takes seconds; a page reads one of these rows instead."""

    key = models.CharField(max_length=40, unique=True, help_text='"site", "skill:<id>"…')
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "market stats"

    def __str__(self) -> str:
        return self.key
