"""Figures about postings — how many are live, per skill, who is hiring, each skill's
market snapshot, the sitemap's sections — in one place, one function per figure.

They are aggregates over every live posting: seconds of work at a million postings, far
too much for one request, so on PostgreSQL `refresh()` computes them all in a few
set-based queries and stores one row per subject. A page reads a row. Rows older than
MARKET_STATS_SECONDS (default 300) are recomputed by the task `refresh_market_stats` (below)
(postings/tasks.py), which a page that finds them stale enqueues (once per
MARKET_STATS_SECONDS per cache) and the scheduler enqueues periodically; one refresh runs
at a time (a PostgreSQL advisory lock). `manage.py refresh_market_stats` does the same
work at once. Pages show postings themselves (listings,
cards) from live queries: only these counts can lag, by at most MARKET_STATS_SECONDS
plus a refresh.

With MARKET_STATS_SECONDS=0, or on SQLite, each function falls back to computing its
figure live with the ORM, a few lines below its stored path: exact and fine for small
boards and tests. tests/test_stats.py runs both paths on PostgreSQL and compares them.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Func, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies.models import Company
from jobboard.tasks import task
from skills.models import Skill

from .models import MarketStats, Posting

SITE = "site"
SITEMAP = "sitemap"
HIRING_KEPT = 50
# The search box recognises the cities of live postings (postings.facets): the busiest
# ones, so that the list stays small at any scale.
CITIES_KEPT = 1000
TOP_COMPANIES = 5
RELATED_SKILLS = 6
# The countries a guide offers as chips to narrow its openings, busiest first.
SKILL_COUNTRIES = 8
SITEMAP_SECTION = 50_000
# Any number unique to this lock among the project's advisory locks.
REFRESH_LOCK = 870_001
REFRESH_ENQUEUED_KEY = "market-stats:refresh-enqueued"
_read_recently: dict[str, tuple[float, dict]] = {}


@dataclass(frozen=True)
class SalaryRange:
    currency: str
    period: str  # a Posting.SalaryPeriod value
    low: int
    high: int
    roles: int

    @property
    def period_display(self) -> str:
        return Posting.SalaryPeriod(self.period).label


@dataclass(frozen=True)
class MarketSnapshot:
    """What the live postings of one skill say about its job market."""

    open_roles: int = 0
    remote_roles: int = 0
    # The postings that say whether they are remote: the base of the remote share (an
    # unstated workplace is neither remote nor not).
    workplace_stated: int = 0
    salary_ranges: list[SalaryRange] = field(default_factory=list)
    top_companies: list[Company] = field(default_factory=list)  # annotated `open_roles`
    related_skills: list[Skill] = field(default_factory=list)  # annotated `shared_roles`
    # (ISO code, live roles) of the busiest SKILL_COUNTRIES workplace countries.
    countries: list[tuple[str, int]] = field(default_factory=list)

    @property
    def remote_percent(self) -> int | None:
        """The share of remote roles among those that say; None when none says."""
        if not self.workplace_stated:
            return None
        return round(100 * self.remote_roles / self.workplace_stated)


def skill_key(skill_id: int) -> str:
    return f"skill:{skill_id}"


def stored() -> bool:
    """True when figures come from MarketStats rows, False when computed live."""
    return settings.MARKET_STATS_SECONDS > 0 and connection.vendor == "postgresql"


def read(key: str) -> dict:
    """The stored figures for `key` ({} when there are none), having stale ones refreshed
    by a worker. Only when no figures exist at all does a request wait for them.

    A worker keeps what it read for a second: one page asks for the same row more than
    once, and a second is nothing next to MARKET_STATS_SECONDS."""
    remembered = _read_recently.get(key)
    if remembered is not None and time.monotonic() - remembered[0] < 1:
        return remembered[1]
    data = _read(key)
    _read_recently[key] = (time.monotonic(), data)
    return data


def _read(key: str) -> dict:
    row = MarketStats.objects.filter(key=key).values_list("data", "computed_at").first()
    if row is None:
        if not MarketStats.objects.exists():
            refresh()
            row = MarketStats.objects.filter(key=key).values_list("data", "computed_at").first()
        return row[0] if row else {}
    data, computed_at = row
    if timezone.now() - computed_at > timedelta(seconds=settings.MARKET_STATS_SECONDS):
        refresh_soon()
    return data


# What pages ask for: each figure's stored path, then its live fallback -------------


def annotate_open_roles(queryset):
    """Skills or companies, each annotated `open_roles`: its live postings, counted live
    in the same query, row by row from that row's own postings (a subquery that the index
    of their skill or company finds).

    Not `Count("postings", filter=Q(postings__in=live))`: once the live postings' ids
    outgrew work_mem, PostgreSQL checked each joined posting against all of them in turn,
    and the companies' directory at a million postings ran for more than ten minutes."""
    relation = queryset.model._meta.get_field("postings").field.name  # company, skills
    own = Posting.objects.live().filter(**{relation: OuterRef("pk")}).order_by()
    count = own.annotate(live_count=Func(F("pk"), function="COUNT")).values("live_count")
    return queryset.annotate(open_roles=Subquery(count))


def _with_counts(queryset, pairs, attribute: str) -> list:
    """The objects of `queryset` named by stored [id, count] pairs, in the pairs' order,
    each with the count set as `attribute`; ones deleted since the refresh are left out."""
    objects = queryset.in_bulk([pk for pk, _ in pairs])
    result = []
    for pk, count in pairs:
        if pk in objects:
            setattr(objects[pk], attribute, count)
            result.append(objects[pk])
    return result


def site_totals() -> dict:
    """{"open_roles": live postings, "companies": companies with live postings}."""
    if stored():
        data = read(SITE)
        return {"open_roles": data.get("open_roles", 0), "companies": data.get("companies", 0)}
    return Posting.objects.live().aggregate(
        open_roles=Count("pk"), companies=Count("company", distinct=True)
    )


def with_open_roles(skills) -> list[Skill]:
    """The skills of a queryset, each with `open_roles` set."""
    if not stored():
        return list(annotate_open_roles(skills))
    counts = read(SITE).get("skills", {})
    skills = list(skills)
    for skill in skills:
        skill.open_roles = counts.get(str(skill.pk), [0, 0])[0]
    return skills


def skill_choices() -> list[tuple[str, str, int]]:
    """Every skill A to Z as (slug, name, open roles): plain values for the listing's form,
    which reads them on every page that misses the cache; a hundred model instances
    cost a fifth of such a page."""
    skills = Skill.objects.order_by("name")
    if not stored():
        return list(annotate_open_roles(skills).values_list("slug", "name", "open_roles"))
    counts = read(SITE).get("skills", {})
    return [
        (slug, name, counts.get(str(pk), [0, 0])[0])
        for pk, slug, name in skills.values_list("pk", "slug", "name")
    ]


def skills_with_open_roles(*, exclude=()) -> list[Skill]:
    """Skills with live postings, the most first (then by name), each with `open_roles`."""
    excluded = {skill.pk for skill in exclude}
    if stored():
        counts = {int(pk): c[0] for pk, c in read(SITE).get("skills", {}).items() if c[0]}
        skills = with_open_roles(Skill.objects.filter(pk__in=set(counts) - excluded))
    else:
        skills = annotate_open_roles(Skill.objects.exclude(pk__in=excluded))
        skills = list(skills.filter(open_roles__gt=0))
    return sorted(skills, key=lambda skill: (-skill.open_roles, skill.name))


def _hiring(companies):
    """Companies with live postings, the most openings first (then by name), live."""
    hiring = annotate_open_roles(companies).filter(open_roles__gt=0)
    return hiring.order_by("-open_roles", "name")


def hiring_companies(limit: int) -> list[Company]:
    """Companies with the most live postings (then by name), each with `open_roles`."""
    if stored():
        hiring = read(SITE).get("hiring", [])[:limit]
        return _with_counts(Company.objects.for_rows(), hiring, "open_roles")
    return list(_hiring(Company.objects.for_rows())[:limit])


def hiring_choices(limit: int) -> list[tuple[str, str]]:
    """(slug, name) of the `limit` companies with the most live postings, A to Z."""
    if stored():
        ids = [company_id for company_id, _ in read(SITE).get("hiring", [])[:limit]]
    else:
        ids = _hiring(Company.objects.all()).values("pk")[:limit]
    # (slug, name) rows only, no Company objects for a <select>.
    return list(Company.objects.filter(pk__in=ids).order_by("name").values_list("slug", "name"))


def live_cities() -> list[tuple[str, str]]:
    """(city, country code) of the CITIES_KEPT places with the most live postings."""
    if stored():
        return [(city, country) for city, country in read(SITE).get("cities", [])]
    places = (
        Posting.objects.live()
        .exclude(city="")
        .values_list("city", "country")
        .annotate(postings=Count("pk"))
        .order_by("-postings", "city")
    )
    return [(city, country) for city, country, _ in places[:CITIES_KEPT]]


def large_total(above: int) -> int | None:
    """How many postings are live, when the stored figures say more than `above`: the
    size of the whole listing without counting it (it may lag like every figure here,
    so it stands in only where the listing shows an approximate total anyway). None
    when figures are computed live: the listing counts then."""
    if not stored():
        return None
    open_roles = read(SITE).get("open_roles", 0)
    return open_roles if open_roles > above else None


def skill_snapshot(skill: Skill) -> MarketSnapshot:
    """The skill's market from its live postings; live, in five queries whatever their
    number."""
    if stored():
        data = read(skill_key(skill.pk))
        if not data:
            return MarketSnapshot()
        return MarketSnapshot(
            open_roles=data["open_roles"],
            remote_roles=data["remote_roles"],
            # Figures stored before the base was kept: every posting stated it then.
            workplace_stated=data.get("workplace_stated", data["open_roles"]),
            salary_ranges=[SalaryRange(*values) for values in data["salary_ranges"]],
            top_companies=_with_counts(Company.objects, data["top_companies"], "open_roles"),
            related_skills=_with_counts(Skill.objects, data["related_skills"], "shared_roles"),
            # Figures stored before countries were kept have none: the guide offers no
            # country chips until the next refresh.
            countries=[tuple(pair) for pair in data.get("countries", [])],
        )
    live = Posting.objects.live().for_skill(skill)
    totals = live.aggregate(
        open_roles=Count("pk"),
        remote_roles=Count("pk", filter=Q(remote_policy=Posting.RemotePolicy.REMOTE)),
        workplace_stated=Count("pk", filter=~Q(remote_policy="")),
    )
    # Amounts in different currencies or periods cannot be compared: one range each.
    salary_ranges = (
        live.exclude(salary_currency="")
        .values_list("salary_currency", "salary_period")
        .annotate(
            low=Min(Coalesce("salary_min", "salary_max")),
            high=Max(Coalesce("salary_max", "salary_min")),
            roles=Count("pk"),
        )
        .order_by("-roles", "salary_currency", "salary_period")
    )
    top_companies = (
        Company.objects.filter(postings__in=live)
        .annotate(open_roles=Count("postings"))
        .order_by("-open_roles", "name")[:TOP_COMPANIES]
    )
    related_skills = (
        Skill.objects.filter(postings__in=live)
        .exclude(pk=skill.pk)
        .annotate(shared_roles=Count("postings"))
        .order_by("-shared_roles", "name")[:RELATED_SKILLS]
    )
    countries = (
        live.exclude(country="")
        .values_list("country")
        .annotate(roles=Count("pk"))
        .order_by("-roles", "country")[:SKILL_COUNTRIES]
    )
    return MarketSnapshot(
        **totals,
        salary_ranges=[SalaryRange(*values) for values in salary_ranges],
        top_companies=list(top_companies),
        related_skills=list(related_skills),
        countries=[tuple(pair) for pair in countries],
    )


# The sitemap's sections (stored only: Django's paginator splits live postings) -------


def sitemap_companies() -> tuple[int, datetime | None] | None:
    """(number of companies, latest change) for the sitemap; None when computed live."""
    if not stored():
        return None
    data = read(SITEMAP)
    lastmod = data.get("companies_lastmod")
    return data.get("companies", 0), datetime.fromisoformat(lastmod) if lastmod else None


def sitemap_sections() -> list[tuple[int, datetime | None]] | None:
    """(first id, latest change) of each section of the live postings, in id order: a
    section runs to the next one's first id, the last one to the end. None when computed
    live (then Django's paginator splits the postings)."""
    if not stored():
        return None
    sections = read(SITEMAP).get("sections") or [[0, None]]
    return [
        (first, datetime.fromisoformat(lastmod) if lastmod else None) for first, lastmod in sections
    ]


# Computing them -----------------------------------------------------------------------


def refresh_soon() -> None:
    """Enqueue a refresh for a worker, at most once per MARKET_STATS_SECONDS in each cache
    (all processes, with Redis): every stale read asks, the first one enqueues."""
    if cache.add(REFRESH_ENQUEUED_KEY, True, timeout=settings.MARKET_STATS_SECONDS):
        refresh_market_stats.enqueue()


def refresh() -> bool:
    """Recompute every figure; False when another process is doing it right now."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SET LOCAL work_mem = '64MB'")
        now = timezone.now()
        # The one visibility rule, as SQL: live() is not re-typed here.
        live_sql, live_params = (
            Posting.objects.live()
            .order_by()
            .values(
                "id",
                "company_id",
                "remote_policy",
                "salary_min",
                "salary_max",
                "salary_currency",
                "salary_period",
                "country",
                "updated_at",
                "city",
                "country",
            )
            .query.sql_with_params()
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE market_live ON COMMIT DROP AS {live_sql}", live_params
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE market_links ON COMMIT DROP AS "
            "SELECT ps.skill_id, l.* FROM postings_posting_skills ps "
            "JOIN market_live l ON l.id = ps.posting_id"
        )
        cursor.execute("ANALYZE market_live; ANALYZE market_links")
        skill_counts = _skill_counts(cursor)
        rows = {SITE: _site_figures(cursor, skill_counts), SITEMAP: _sitemap_figures(cursor)}
        rows.update(_skill_figures(cursor, skill_counts))
        cursor.execute("DROP TABLE market_live, market_links")
        MarketStats.objects.all().delete()
        MarketStats.objects.bulk_create(
            MarketStats(key=key, data=data, computed_at=now) for key, data in rows.items()
        )
    _read_recently.clear()
    return True


@task
def refresh_market_stats() -> bool:
    """The refresh, for a worker (enqueued by the scheduler and by refresh_soon()); False
    when another worker is at it or there is nothing to store. Safe twice and
    concurrently: an advisory lock lets one refresh run at a time, and each replaces every
    row in one transaction. Here, beside what it runs and what enqueues it, so that no
    module of this app imports its tasks module back."""
    return stored() and refresh()


def _skill_counts(cursor) -> dict:
    """{skill id: (live postings, remote ones, ones that state their workplace)}."""
    cursor.execute(
        "SELECT skill_id, count(*), count(*) FILTER (WHERE remote_policy = %s), "
        "count(*) FILTER (WHERE remote_policy <> '') "
        "FROM market_links GROUP BY skill_id",
        [Posting.RemotePolicy.REMOTE],
    )
    return {skill_id: tuple(counts) for skill_id, *counts in cursor.fetchall()}


def _site_figures(cursor, skill_counts) -> dict:
    cursor.execute("SELECT count(*), count(DISTINCT company_id) FROM market_live")
    open_roles, companies = cursor.fetchone()
    cursor.execute(
        "SELECT l.company_id, count(*) AS n FROM market_live l "
        "JOIN companies_company c ON c.id = l.company_id "
        "GROUP BY l.company_id, c.name ORDER BY n DESC, c.name LIMIT %s",
        [HIRING_KEPT],
    )
    hiring = [list(row) for row in cursor.fetchall()]
    cursor.execute(
        "SELECT city, country FROM market_live WHERE city <> '' "
        "GROUP BY city, country ORDER BY count(*) DESC, city LIMIT %s",
        [CITIES_KEPT],
    )
    cities = [list(row) for row in cursor.fetchall()]
    skills = {str(skill_id): list(counts) for skill_id, counts in skill_counts.items()}
    return {
        "open_roles": open_roles,
        "companies": companies,
        "hiring": hiring,
        "skills": skills,
        "cities": cities,
    }


def _skill_figures(cursor, skill_counts) -> dict:
    figures = {}
    for skill_id, (open_roles, remote_roles, workplace_stated) in skill_counts.items():
        figures[skill_id] = {
            "open_roles": open_roles,
            "remote_roles": remote_roles,
            "workplace_stated": workplace_stated,
            "salary_ranges": [],
            "top_companies": [],
            "related_skills": [],
            "countries": [],
        }
    # Amounts in different currencies or periods cannot be compared: one range each.
    cursor.execute(
        "SELECT skill_id, salary_currency, salary_period, "
        "min(coalesce(salary_min, salary_max)), max(coalesce(salary_max, salary_min)), "
        "count(*) AS n FROM market_links WHERE salary_currency <> '' "
        "GROUP BY 1, 2, 3 ORDER BY skill_id, n DESC, salary_currency, salary_period"
    )
    for skill_id, *salary_range in cursor.fetchall():
        figures[skill_id]["salary_ranges"].append(salary_range)
    cursor.execute(
        "SELECT skill_id, company_id, n FROM ("
        "  SELECT m.skill_id, m.company_id, count(*) AS n, row_number() OVER ("
        "    PARTITION BY m.skill_id ORDER BY count(*) DESC, c.name) AS place"
        "  FROM market_links m JOIN companies_company c ON c.id = m.company_id"
        "  GROUP BY m.skill_id, m.company_id, c.name) ranked "
        "WHERE place <= %s ORDER BY skill_id, place",
        [TOP_COMPANIES],
    )
    for skill_id, company_id, n in cursor.fetchall():
        figures[skill_id]["top_companies"].append([company_id, n])
    cursor.execute(
        "SELECT skill_id, other_id, n FROM ("
        "  SELECT m.skill_id, o.skill_id AS other_id, count(*) AS n, row_number() OVER ("
        "    PARTITION BY m.skill_id ORDER BY count(*) DESC, s.name) AS place"
        "  FROM market_links m"
        "  JOIN postings_posting_skills o ON o.posting_id = m.id AND o.skill_id <> m.skill_id"
        "  JOIN skills_skill s ON s.id = o.skill_id"
        "  GROUP BY m.skill_id, o.skill_id, s.name) ranked "
        "WHERE place <= %s ORDER BY skill_id, place",
        [RELATED_SKILLS],
    )
    for skill_id, other_id, n in cursor.fetchall():
        figures[skill_id]["related_skills"].append([other_id, n])
    cursor.execute(
        "SELECT skill_id, country, n FROM ("
        "  SELECT skill_id, country, count(*) AS n, row_number() OVER ("
        "    PARTITION BY skill_id ORDER BY count(*) DESC, country) AS place"
        "  FROM market_links WHERE country <> '' GROUP BY skill_id, country) ranked "
        "WHERE place <= %s ORDER BY skill_id, place",
        [SKILL_COUNTRIES],
    )
    for skill_id, country, n in cursor.fetchall():
        figures[skill_id]["countries"].append([country, n])
    return {skill_key(skill_id): data for skill_id, data in figures.items()}


def _sitemap_figures(cursor) -> dict:
    """Where each section of SITEMAP_SECTION live postings (by id) starts, and its latest
    change. Sections are contiguous id ranges: a posting going live between refreshes
    falls into one of them."""
    cursor.execute(
        "SELECT min(id), max(updated_at) FROM ("
        "  SELECT id, updated_at, (row_number() OVER (ORDER BY id) - 1) / %s AS section"
        "  FROM market_live) numbered GROUP BY section ORDER BY section",
        [SITEMAP_SECTION],
    )
    sections = [[first, lastmod.isoformat()] for first, lastmod in cursor.fetchall()]
    if sections:
        sections[0][0] = 0
    cursor.execute("SELECT count(*), max(updated_at) FROM companies_company")
    companies, companies_lastmod = cursor.fetchone()
    return {
        "sections": sections,
        "companies": companies,
        "companies_lastmod": companies_lastmod.isoformat() if companies_lastmod else None,
    }
