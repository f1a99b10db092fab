"""No page reads the postings table sequentially: every query of the listing, a search and
a skill page finds its rows through an index, so its cost does not grow with the table.

PostgreSQL only. The table is seeded with a few thousand generated postings and analysed;
`enable_seqscan` stays on, so the planner is free to choose a sequential scan where it
would be cheaper — and must not find one.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from postings import stats
from postings.filters import PostingFilter
from postings.models import Posting
from skills.models import Skill

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL"),
]

SEEDED_POSTINGS = 5000
DEMO_RATES = Path(settings.BASE_DIR) / "demo" / "eurofxref-daily.xml"
TABLES = ("postings_posting", "postings_posting_skills")


@pytest.fixture
def seeded(settings):
    # As in production: figures over all postings come from postings.stats.
    settings.MARKET_STATS_SECONDS = 300
    stats._read_recently.clear()
    # Salaries in other currencies than EUR are compared (postings.salaries).
    call_command("load_exchange_rates", file=str(DEMO_RATES), verbosity=0)
    call_command("generate_postings", count=SEEDED_POSTINGS, seed=5, verbosity=0)  # + ANALYZE
    stats.refresh()
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)
    yield
    stats._read_recently.clear()


def plans(client, url) -> list[tuple[str, str]]:
    """(SQL, plan) of each query the page runs against the postings tables."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    result = []
    for query in queries:
        sql = query["sql"]
        if not sql.startswith(("SELECT", "WITH")) or not any(t in sql for t in TABLES):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            result.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    assert result, url
    return result


def python_skill():
    return Skill.objects.get(name="Python")


@pytest.mark.parametrize(
    "url",
    [
        "/jobs/",
        "/jobs/?page=25",
        "/jobs/?remote=remote&seniority=senior",
        "/jobs/?q=python",
        "/jobs/?q=python&remote=remote&seniority=senior",
        # Words that name filters are those filters (postings/facets.py); quoted, text.
        '/jobs/?q="python"&remote=remote&seniority=senior',
        "/jobs/?q=senior+python+engineer+remote+germany",
        "/jobs/?q=backend+jobs+in+berlin",
        '/jobs/?q="machine learning" -junior',
        "/jobs/?q=kotlin&sort=newest",
        "/jobs/?skill=python",
        "/jobs/?skill=python&salary_min=100000&sort=salary",
        "/jobs/?salary_min=80000",
        "/jobs/?pay=stated&sort=salary",
        "/jobs/?remote=remote&salary_min=120000&pay=stated&sort=salary",
        "/jobs/?country=DE",
        "/jobs/?work_from=DE",
        "/jobs/?work_from=JP&utc_offset=540",
        "/jobs/?work_from=DE&utc_offset=60&sort=salary",
        "/jobs/?utc_offset=60",
        "/jobs/?country=US&skill=python&remote=hybrid",
        "/jobs/?sort=closing",
        "/jobs/?sort=closing&page=25",
        "/jobs/?skill=python&remote=remote&sort=closing",
        # Empty: the listing without each filter is counted for its suggestions.
        "/jobs/?q=zzzqqqxxx&skill=python&remote=remote&seniority=senior&salary_min=90000",
        "/",
        "skill page",
        "posting page",
        # The directory counts the open roles of its page's companies alone.
        "/companies/",
        "/companies/?page=2",
    ],
)
def test_no_page_query_reads_postings_sequentially(client, seeded, url):
    if url == "skill page":
        url = python_skill().get_absolute_url()
    if url == "posting page":
        from postings.models import Posting

        url = Posting.objects.live().order_by("-published_at").first().get_absolute_url()

    for sql, plan in plans(client, url):
        for table in TABLES:
            assert f"Seq Scan on {table} " not in plan, f"{url}\n{sql}\n{plan}"


def test_a_rare_keyword_is_found_through_the_search_index(client, seeded):
    # Quoted: unquoted, "solidity" names the generated skill and is its filter
    # (postings/facets.py).
    url = '/jobs/?q="solidity"'
    found = [plan for _, plan in plans(client, url) if "posting_search_idx" in plan]

    assert found


@pytest.mark.parametrize("url", ["/jobs/?sort=salary", "/jobs/?salary_min=150000&sort=salary"])
def test_the_salary_sort_and_filter_walk_the_salary_index(client, seeded, url):
    """The compared salary is the key of posting_salary_sort_idx: the page is read in
    the index's order, with no sort of all paid postings however many there are."""
    walked = [plan for _, plan in plans(client, url) if "posting_salary_sort_idx" in plan]

    assert walked, url
    # The page's own rows, read by id (rows_by_id), are put back in order: 20 of them.
    sorted_rows = [int(n) for plan in walked for n in re.findall(r"Sort .*? rows=(\d+)", plan)]
    assert all(rows <= 21 for rows in sorted_rows), walked


@pytest.mark.parametrize(
    "url, index",
    [
        # A common country: checked in the listing's index walk (INCLUDEd columns), newest
        # first, stopping at a page; or a rare one found through its own indexes (the
        # GIN index of the filters' values holds both columns).
        ("/jobs/?work_from=DE", ("posting_live_recent_idx", "posting_filters_idx")),
        (
            "/jobs/?country=NL",
            ("posting_live_recent_idx", "posting_country_idx", "posting_filters_idx"),
        ),
    ],
)
def test_where_filters_read_an_index(client, seeded, url, index):
    used = [plan for _, plan in plans(client, url) if any(name in plan for name in index)]

    assert used, url


@pytest.mark.parametrize("url", ["/jobs/?sort=closing", "/jobs/?remote=remote&sort=closing"])
def test_the_closing_soon_sort_walks_its_index(client, seeded, url):
    """The nearest deadline first is the key of posting_closing_soon_idx: no sort of all
    live postings, and the filters are checked in the index (it carries their columns)."""
    walked = [plan for _, plan in plans(client, url) if "posting_closing_soon_idx" in plan]

    assert walked, url
    sorted_rows = [int(n) for plan in walked for n in re.findall(r"Sort .*? rows=(\d+)", plan)]
    assert all(rows <= 21 for rows in sorted_rows), walked


@pytest.mark.parametrize(
    "query",
    [
        "skill=python&remote=onsite&seniority=junior&salary_min=120000",
        "skill=python&remote=onsite&work_from=DE&sort=closing",
        "skill=python&seniority=lead&country=US&sort=salary",
        # Ranges, as their keys in the index (postings migration 0018).
        "skill=python&salary_min=130000&utc_offset=60&sort=salary",
        "skill=python&salary_min=125000&remote=remote",
        "skill=python&utc_offset=330",
    ],
)
def test_a_rare_combination_read_with_index_walks_off_uses_the_filters_index(seeded, query):
    """When a bounded count runs out of time (jobboard/pagination.py), the page's ids are
    read with index walks off: PostgreSQL intersects the filters' values inside
    posting_filters_idx, and reads neither the table nor a whole index. "Salary at least"
    and "open to a UTC offset" are intersected there too, as keys: without them each
    candidate of the other filters was read to compare its salary."""
    filterset = PostingFilter(QueryDict(query), queryset=Posting.objects.live())
    listing = filterset.listing
    ids = listing.keyed_for_index(listing.queryset).values_list("pk", flat=True)[:501]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('enable_indexscan', 'off', true), "
            "set_config('enable_indexonlyscan', 'off', true)"
        )
        plan = ids.explain()

    assert "posting_filters_idx" in plan, plan
    assert "Seq Scan on postings_posting " not in plan, plan
    conditions = "\n".join(line for line in plan.splitlines() if "Index Cond" in line)
    assert ("postings_salary_steps" in conditions) == ("salary_min" in query), plan
    assert ("postings_utc_hours" in conditions) == ("utc_offset" in query), plan


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=python",
        "?q=nosuchwordanywhere",
        "?status__exact=published",
        "?status__exact=draft",
        "?o=-5",
        "?o=5",
        "?o=1",  # no sort by an unindexed column, even typed in
        "?p=10",
        "?published_at__gte=2026-01-01+00:00:00%2B00:00",
        "?skills__id__exact={python}",
        "?skills__id__exact={python}&status__exact=closed",
    ],
)
def test_the_admins_postings_list_reads_postings_through_an_index(admin_client, seeded, query):
    """Staff's list of every posting, drafts and closed ones too: a page of
    posting_newest_idx, a search through the search vector's GIN index, a total counted up
    to the pages or estimated, and filters that list choices without reading postings."""
    url = "/admin/postings/posting/" + query.format(python=python_skill().pk)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(url).status_code == 200
    # The session, the user, the skills of the filter, the estimate, the page; for few
    # matches a time-limited count (its settings and savepoints) or their ids.
    assert len(queries) <= 9, [q["sql"] for q in queries]

    for sql, plan in plans(admin_client, url):
        for table in TABLES:
            assert f"Seq Scan on {table} " not in plan, f"{url}\n{sql}\n{plan}"
