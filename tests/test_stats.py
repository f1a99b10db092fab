"""Figures over all live postings, stored by postings.stats, equal the live ones."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from companies.models import Company
from postings import stats
from postings.models import MarketStats, Posting
from postings.stats import refresh_market_stats
from postings.views import PostingListView
from skills.models import Skill
from tests.factories import (
    CompanyFactory,
    ExpiredPostingFactory,
    LivePostingFactory,
    PostingFactory,
    SkillFactory,
)
from tests.worker import queued, run_tasks

REFRESH = "postings.stats.refresh_market_stats"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="stored on PostgreSQL only"),
]


@pytest.fixture
def stored(settings):
    settings.MARKET_STATS_SECONDS = 300
    stats._read_recently.clear()
    yield
    stats._read_recently.clear()


@pytest.fixture
def board(db):
    python, go, sql = (SkillFactory(name=n) for n in ("Python", "Go", "SQL"))
    acme, globex = CompanyFactory(name="Acme"), CompanyFactory(name="Globex")
    remote = Posting.RemotePolicy.REMOTE
    LivePostingFactory(company=acme, skills=[python, sql], remote_policy=remote)
    LivePostingFactory(
        company=acme, skills=[python], salary_currency="USD", city="Berlin", country="DE"
    )
    LivePostingFactory(company=globex, skills=[python, go], salary_min=None, salary_max=None,
                       salary_currency="", remote_policy="")  # fmt: skip
    LivePostingFactory(
        company=globex, skills=[go, sql], remote_policy=remote, city="Lisbon", country="PT"
    )
    ExpiredPostingFactory(company=globex, skills=[python], city="Oslo", country="NO")
    PostingFactory(company=acme, skills=[python])  # a draft
    return python, go, sql


def snapshot_facts(snapshot):
    return (
        snapshot.open_roles,
        snapshot.remote_roles,
        snapshot.workplace_stated,
        snapshot.salary_ranges,
        [(c.pk, c.open_roles) for c in snapshot.top_companies],
        [(s.pk, s.shared_roles) for s in snapshot.related_skills],
        snapshot.countries,
    )


def live_facts(board):
    return {
        "totals": stats.site_totals(),
        "hiring": [(c.pk, c.open_roles) for c in stats.hiring_companies(12)],
        "hiring_choices": stats.hiring_choices(12),
        "skills": [(s.pk, s.open_roles) for s in stats.skills_with_open_roles()],
        "guided": sorted((s.pk, s.open_roles) for s in stats.with_open_roles(Skill.objects.all())),
        "skill_choices": stats.skill_choices(),
        "snapshots": [snapshot_facts(stats.skill_snapshot(skill)) for skill in board],
        "cities": stats.live_cities(),
    }


def test_stored_figures_equal_the_live_ones(board, settings, stored):
    settings.MARKET_STATS_SECONDS = 0
    expected = live_facts(board)
    assert expected["totals"] == {"open_roles": 4, "companies": 2}
    assert [name for _, name in expected["hiring_choices"]] == ["Acme", "Globex"]
    assert expected["cities"] == [("Berlin", "DE"), ("Lisbon", "PT")]

    settings.MARKET_STATS_SECONDS = 300
    assert stats.refresh()

    assert live_facts(board) == expected
    assert MarketStats.objects.filter(key=stats.SITE).exists()


@pytest.fixture
def crowded_board(db):
    """Data on which a wrong tie-break, a range merged across currencies or periods, or a
    cut at the wrong place would show: more than HIRING_KEPT hiring companies, ties in
    the top companies and related skills, salaries in several currencies and periods."""
    python, rust = SkillFactory(name="Python"), SkillFactory(name="Rust")
    others = [SkillFactory(name=f"Skill {n:02}") for n in range(9)]
    companies = [CompanyFactory(name=f"Company {n:02}") for n in range(stats.HIRING_KEPT + 6)]
    year, month, hour = (Posting.SalaryPeriod.YEAR, Posting.SalaryPeriod.MONTH,
                         Posting.SalaryPeriod.HOUR)  # fmt: skip
    salaries = [
        ("EUR", year, 50000, 70000), ("EUR", year, 90000, None), ("EUR", month, 4000, 5000),
        ("USD", year, None, 120000), ("GBP", hour, 40, 60), ("", year, None, None),
        ("USD", month, 6000, 6000),
    ]  # fmt: skip
    # Each company hires once, for Python, in reverse name order (so ids and names
    # disagree); a few hire more, tied with one another.
    for n, company in enumerate(reversed(companies)):
        currency, period, low, high = salaries[n % len(salaries)]
        LivePostingFactory(
            company=company,
            skills=[python, others[n % len(others)]],
            salary_currency=currency,
            salary_period=period,
            salary_min=low,
            salary_max=high,
            remote_policy=Posting.RemotePolicy.REMOTE if n % 3 else Posting.RemotePolicy.ONSITE,
        )
    for company in companies[10:17]:  # seven companies tied at two, more than TOP_COMPANIES
        LivePostingFactory(company=company, skills=[python, rust])
    for company in companies[20:23]:
        LivePostingFactory(company=company, skills=[rust])
        ExpiredPostingFactory(company=company, skills=[rust, python])
        PostingFactory(company=company, skills=[python])  # a draft
    return [python, rust, *others]


def test_stored_figures_equal_the_live_ones_where_ties_and_cuts_tell_them_apart(
    crowded_board, settings, stored
):
    settings.MARKET_STATS_SECONDS = 0
    expected = live_facts(crowded_board)
    expected["all_hiring"] = [(c.pk, c.open_roles) for c in stats.hiring_companies(50)]
    expected["all_choices"] = stats.hiring_choices(30)
    python = expected["snapshots"][0]
    assert len(python[3]) == 5  # salary ranges: three currencies, three periods
    assert [n for _, n in python[4]] == [2] * stats.TOP_COMPANIES  # tied, cut by name
    assert len(python[5]) == stats.RELATED_SKILLS
    assert len(expected["all_hiring"]) == 50

    settings.MARKET_STATS_SECONDS = 300
    assert stats.refresh()
    actual = live_facts(crowded_board)
    actual["all_hiring"] = [(c.pk, c.open_roles) for c in stats.hiring_companies(50)]
    actual["all_choices"] = stats.hiring_choices(30)

    assert actual == expected


def test_the_first_read_computes_them_and_a_stale_read_enqueues_one_refresh(board, stored):
    assert stats.site_totals()["open_roles"] == 4  # nothing stored yet: computed now
    assert queued(REFRESH) == []

    stats._read_recently.clear()
    stats.site_totals()
    assert queued(REFRESH) == []  # fresh: nothing to do

    MarketStats.objects.update(computed_at=timezone.now() - timedelta(seconds=301))
    LivePostingFactory()
    # Counted here, not when the module loads: earlier tests may leave a thread of their
    # own (/readyz's storage check keeps one per process).
    threads_before = threading.active_count()
    for _ in range(3):  # every stale read asks; the first one enqueues, no thread starts
        stats._read_recently.clear()
        assert stats.site_totals()["open_roles"] == 4  # the old figures, at once
    assert len(queued(REFRESH)) == 1
    assert threading.active_count() == threads_before

    assert run_tasks() == 1  # the worker
    stats._read_recently.clear()
    assert stats.site_totals()["open_roles"] == 5
    assert not MarketStats.objects.filter(computed_at__lt=timezone.now() - timedelta(seconds=60))


def test_the_refresh_task_is_safe_twice_and_while_another_runs(board, stored):
    # Another process is refreshing (it holds the lock): this task gives way. First: the
    # test's transaction keeps each refresh's transaction-level lock until it ends.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [stats.REFRESH_LOCK])
            assert cursor.fetchone()[0] is True
        result = refresh_market_stats.enqueue()
        assert run_tasks() == 1
        assert DBTaskResult.objects.get(pk=result.id).return_value is False
        assert not MarketStats.objects.exists()
    finally:
        other.close()

    refresh_market_stats.enqueue()
    refresh_market_stats.enqueue()
    assert run_tasks() == 2
    assert MarketStats.objects.get(key=stats.SITE).data["open_roles"] == 4


def test_the_command_refreshes_them(board, stored):
    call_command("refresh_market_stats", verbosity=0)

    assert MarketStats.objects.get(key=stats.SITE).data["open_roles"] == 4


def test_the_sitemap_splits_live_postings_into_precomputed_id_ranges(client, stored, monkeypatch):
    monkeypatch.setattr(stats, "SITEMAP_SECTION", 3)
    postings = LivePostingFactory.create_batch(7)
    ExpiredPostingFactory.create_batch(2)
    stats.refresh()
    late = LivePostingFactory()  # published after the refresh

    index = client.get("/sitemap.xml").content.decode()
    pages = [client.get(f"/sitemap-jobs.xml?p={n}") for n in (1, 2, 3)]

    assert "sitemap-jobs.xml?p=3" in index
    assert "sitemap-jobs.xml?p=4" not in index
    assert all(page.status_code == 200 for page in pages)
    listed = [
        p for p in [*postings, late] if any(p.slug in page.content.decode() for page in pages)
    ]
    assert listed == [*postings, late]
    assert sum(page.content.decode().count("<url>") for page in pages) == 8
    assert client.get("/sitemap-jobs.xml?p=4").status_code == 404


def test_company_and_skill_names_come_from_the_rows_themselves(board, stored):
    stats.refresh()
    python = board[0]
    Company.objects.filter(name="Acme").update(name="Acme Renamed")

    snapshot = stats.skill_snapshot(python)

    assert "Acme Renamed" in [c.name for c in snapshot.top_companies]


def test_the_whole_listing_takes_its_size_from_the_figures_instead_of_counting(
    client, stored, monkeypatch
):
    monkeypatch.setattr(PostingListView, "paginate_by", 2)
    monkeypatch.setattr(PostingListView, "max_pages", 2)  # a "large" board is over 8
    LivePostingFactory.create_batch(9, remote_policy=Posting.RemotePolicy.ONSITE)
    stats.refresh()

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/jobs/")
    sql = " ".join(query["sql"] for query in queries)
    assert response.status_code == 200
    assert "COUNT(" not in sql and "EXPLAIN" not in sql
    assert "About 9 openings" in response.content.decode()
    assert response.context["paginator"].num_pages == 2

    # A filtered listing is counted: no stored figure says how many match.
    with CaptureQueriesContext(connection) as queries:
        filtered = client.get("/jobs/?remote=onsite")
    assert "COUNT(" in " ".join(query["sql"] for query in queries)
    assert filtered.context["paginator"].total == 5  # counted up to the cap, plus one
    assert client.get("/jobs/?remote=remote").context["paginator"].total == 0


def test_a_guide_takes_its_country_chips_from_the_stored_figures(client, board, stored):
    python = board[0]
    stats.refresh()
    stats._read_recently.clear()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(python.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    chips = html.split('id="narrow-country"', 1)[1].split("</ul>", 1)[0]
    assert ">Germany</a>" in chips and ">Netherlands</a>" in chips
    # The skill, its stored row, its top companies and related skills by id, the openings
    # and their skills: the countries are in the row.
    assert len(queries) == 6, [q["sql"] for q in queries.captured_queries]
