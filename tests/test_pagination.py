"""The listing counts at most the openings its pages reach, and estimates the rest."""

import math
import re

import pytest
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from companies.views import CompanyDetailView, CompanyListView
from jobboard import pagination
from postings.models import Posting
from postings.views import PostingListView
from tests.factories import CompanyFactory, LivePostingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_pages(monkeypatch):
    """Two pages of 20: the cap is 40 openings."""
    monkeypatch.setattr(PostingListView, "max_pages", 2)


def test_under_the_cap_the_count_is_exact(client, two_pages):
    LivePostingFactory.create_batch(39)

    html = client.get("/jobs/").content.decode()

    assert "39 openings" in html
    assert "add a filter or keywords to reach the others" not in html


def test_over_the_cap_the_pages_stop_and_the_total_is_estimated(client, two_pages):
    LivePostingFactory.create_batch(45)

    first = client.get("/jobs/").content.decode()
    last = client.get("/jobs/?page=2").content.decode()

    expected = "About" if connection.vendor == "postgresql" else "40+ openings"
    assert expected in first
    assert "page 2 of 2" in last
    assert "add a filter or keywords to reach the others" in last
    assert 'rel="next"' not in last
    assert client.get("/jobs/?page=3").status_code == 404


def test_the_bounded_count_reads_at_most_one_row_past_the_cap(client, two_pages):
    LivePostingFactory.create_batch(45)

    with CaptureQueriesContext(connection) as queries:
        client.get("/jobs/")

    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert "LIMIT 41" in counts[0]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_an_estimate_far_over_the_cap_spares_the_count(client, two_pages, monkeypatch):
    from jobboard import pagination

    LivePostingFactory.create_batch(45)
    monkeypatch.setattr(pagination.SitePaginator, "_estimate", 401)  # over 10 × 40
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/jobs/").content.decode()
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert "About 410 openings" in first and "?page=2" in first

    monkeypatch.setattr(pagination.SitePaginator, "_estimate", 400)  # not over: counted
    with CaptureQueriesContext(connection) as queries:
        client.get("/jobs/")
    assert [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]


# Every paginated view (the users of jobboard.pagination.PaginationMixin), walked page by
# page from the first to the one past the last: (URL, rows by page, rows its pages reach,
# how its total is shown). Small pages, so that a few dozen postings make several pages;
# the listing's pages stop at 30 openings, so its unfiltered form is capped.
PER_PAGE, COMPANIES_PER_PAGE, LISTING_PAGES = 5, 4, 6
LISTING_TOTAL = r'class="results-bar__count"[^>]*>\s*(?:About )?([\d,]+)\+? opening'
PAGINATED_VIEWS = [
    ("/jobs/", PER_PAGE, 30, LISTING_TOTAL),
    ("/jobs/?salary_min=50000&sort=salary", PER_PAGE, 23, LISTING_TOTAL),
    ("/jobs/?q=manager", PER_PAGE, 23, LISTING_TOTAL),
    ("/jobs/?q=manager&sort=newest", PER_PAGE, 23, LISTING_TOTAL),
    ("/jobs/?company=acme&seniority=mid", PER_PAGE, 23, LISTING_TOTAL),
    ("/companies/acme/", PER_PAGE, 23, r"<li>(?:About )?([\d,]+)\+? open role"),
    ("/companies/", COMPANIES_PER_PAGE, 9, r'page-header__lede">([\d,]+) compan'),
]


@pytest.fixture
def board(monkeypatch):
    """23 salaried manager roles at Acme, and 8 other companies with one unsalaried
    designer role each: 31 openings, 9 companies."""
    monkeypatch.setattr(PostingListView, "paginate_by", PER_PAGE)
    monkeypatch.setattr(PostingListView, "max_pages", LISTING_PAGES)
    monkeypatch.setattr(CompanyDetailView, "paginate_by", PER_PAGE)
    monkeypatch.setattr(CompanyListView, "paginate_by", COMPANIES_PER_PAGE)
    acme = CompanyFactory(name="Acme", slug="acme")
    for n in range(23):
        LivePostingFactory(company=acme, title=f"Engineering Manager {n}", salary_min=50000 + n)
    for _ in range(8):
        LivePostingFactory(title="Product Designer", salary_min=None, salary_max=None)


def walk(client, url, per_page, reached, total_pattern) -> list[str]:
    """Pages 1 to the last have their rows, each once; the next page is a 404. Each
    page's total is at least the rows up to it, and "next" shows exactly when more follow.
    Returns each page's total as shown."""
    pages = math.ceil(reached / per_page)
    seen, shown = [], []
    for number in range(1, pages + 2):
        response = client.get(f"{url}{'&' if '?' in url else '?'}page={number}")
        where = f"{url} page {number}"
        if number > pages:
            assert response.status_code == 404, where
            break
        assert response.status_code == 200, where
        html = response.content.decode()
        rows = re.findall(r'class="card__link" href="([^"]+)"', html)
        assert len(rows) == min(per_page, reached - len(seen)), where
        seen += rows
        total = re.search(total_pattern, html)
        assert total, where
        assert int(total[1].replace(",", "")) >= len(seen), f"{where}: {total[0]}"
        assert ('rel="next"' in html) == (number < pages), where
        shown.append(total[0])
    assert len(set(seen)) == reached
    return shown


@pytest.mark.parametrize("view", PAGINATED_VIEWS, ids=[v[0] for v in PAGINATED_VIEWS])
def test_every_page_with_rows_is_reachable_when_counted(client, board, view):
    walk(client, *view)


@pytest.mark.parametrize("view", PAGINATED_VIEWS, ids=[v[0] for v in PAGINATED_VIEWS])
def test_an_estimate_far_too_high_stops_the_pages_where_the_rows_do(
    client, board, monkeypatch, view
):
    """Trusted without counting (over ten times what the pages reach), the estimate
    must not lead "next" to an empty page."""
    monkeypatch.setattr(pagination.SitePaginator, "_estimate", 10**6)
    walk(client, *view)


@pytest.fixture
def count_times_out(monkeypatch):
    """The bounded count really exceeds its time limit: PostgreSQL cancels it."""
    real_count = QuerySet.count

    def slow_count(queryset):
        if queryset.query.is_sliced:  # the bounded count
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(1)")
        return real_count(queryset)

    monkeypatch.setattr(QuerySet, "count", slow_count)


@pytest.fixture
def sparse_read_gives_way(monkeypatch):
    """The ids' read with index walks off runs out of its time too (a rare combination
    that no index of the filters' values narrows): the page is read by the walk, and
    the estimate stands."""
    monkeypatch.setattr(pagination.SitePaginator, "_read_ids_sparsely", lambda self: None)


def with_statement_timeout(test):
    """Outside a transaction, as in production: inside one the count has no time limit."""
    test = pytest.mark.django_db(transaction=True)(test)
    test = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout")(test)
    return pytest.mark.postgres(test)


# Counted without a time limit: the companies (as many as hire here), a relevance window
# (it knows its size), a company's openings (found from the company's index, counted up
# to what the pages reach).
NO_TIME_LIMIT = {"/companies/", "/jobs/?q=manager", "/companies/acme/"}


@with_statement_timeout
@pytest.mark.parametrize("estimate", [1, None], ids=["estimated at 1", "planner's estimate"])
@pytest.mark.parametrize("view", PAGINATED_VIEWS, ids=[v[0] for v in PAGINATED_VIEWS])
@pytest.mark.usefixtures(*["board", "count_times_out", "sparse_read_gives_way"])
def test_when_the_count_gives_way_every_page_with_rows_is_reachable(
    client, monkeypatch, view, estimate
):
    """As under load, when the count gives way to an estimate lower than the truth
    (73 matches estimated at 7 made pages 2 to 4 a 404)."""
    if estimate is not None:
        monkeypatch.setattr(pagination.SitePaginator, "_estimate", estimate)
    shown = walk(client, *view)
    if view[0] not in NO_TIME_LIMIT:  # the count gave way, and the first page says so
        assert re.search(r"About |\+ ", shown[0]), shown[0]


@with_statement_timeout
@pytest.mark.parametrize("estimate", [1, None], ids=["estimated at 1", "planner's estimate"])
@pytest.mark.parametrize("view", PAGINATED_VIEWS, ids=[v[0] for v in PAGINATED_VIEWS])
@pytest.mark.usefixtures(*["board", "count_times_out"])
def test_when_the_count_and_the_walk_give_way_the_ids_read_sparsely_give_the_exact_total(
    client, monkeypatch, view, estimate
):
    """A count that runs out of time, and a page's walk after it too, mean a rare
    combination: the page's ids are read with index walks off (from the indexes of the
    filters' values), and with them the total, exact whatever the estimate said; every
    page with rows is reachable."""
    # As when the walk runs out of its WALK_MILLISECONDS.
    monkeypatch.setattr(pagination.SitePaginator, "_read_briefly", lambda self, rows: None)
    if estimate is not None:
        monkeypatch.setattr(pagination.SitePaginator, "_estimate", estimate)
    with CaptureQueriesContext(connection) as queries:
        shown = walk(client, *view)
    sparse = [q for q in queries if "set_config('enable_indexscan', 'off'" in q["sql"]]
    if view[0] in NO_TIME_LIMIT:
        assert not sparse
    else:
        assert sparse
        # Exact: neither "About" nor "+"; past the cap (the whole board's 31 openings
        # against 30 on its pages) the total beyond is an estimate, as when counted.
        if view[0] != "/jobs/":
            assert all("About " not in total and "+" not in total for total in shown), shown


@with_statement_timeout
@pytest.mark.usefixtures("board")
def test_few_matches_expected_by_filters_an_index_holds_are_read_without_a_count(
    client, monkeypatch
):
    """No more matches expected than the pages show, and a filter whose values
    posting_filters_idx holds: their ids are read from it at once (a walk's count would
    filter most of the sort's index at a million postings), and the total is exact."""
    monkeypatch.setattr(pagination.SitePaginator, "_estimate", 5)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/jobs/?company=acme&seniority=mid").content.decode()

    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert [q for q in queries if "set_config('enable_indexscan', 'off'" in q["sql"]]
    assert re.search(r'results-bar__count"[^>]*>\s*23 openings', html)
    assert "Page 1 of 5</p>" in pagination_nav(html)


@with_statement_timeout
@pytest.mark.usefixtures(*["board", "sparse_read_gives_way"])
def test_a_count_the_planner_expects_to_outlast_its_time_is_not_tried(client, monkeypatch):
    """Few matches expected, and finding all of them expected to cost more than a count
    may take (a rare combination at a million postings): the estimate stands in at once,
    as when the count gives way, and the rows read correct it on every page."""
    plan = {"Plan Rows": 5, "Total Cost": pagination.COUNT_COST_LIMIT + 1}
    monkeypatch.setattr(pagination.SitePaginator, "_plan", plan)
    view = PAGINATED_VIEWS[1]  # salary_min: no filter of posting_filters_idx
    with CaptureQueriesContext(connection) as queries:
        shown = walk(client, *view)
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert "5+ opening" in shown[0]  # more than the estimate: a lower bound
    assert re.search(r">\s*23 opening", shown[-1])  # the last page knows the total

    # Expected to cost no more: counted, and exact from the first page.
    monkeypatch.setattr(pagination.SitePaginator, "_plan", plan | {"Total Cost": 100})
    with CaptureQueriesContext(connection) as queries:
        first = client.get(view[0]).content.decode()
    assert [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert re.search(r'results-bar__count"[^>]*>\s*23 openings', first)


@with_statement_timeout
@pytest.mark.usefixtures(*["board", "count_times_out", "sparse_read_gives_way"])
def test_an_estimate_below_the_rows_seen_shows_a_lower_bound(client, monkeypatch):
    monkeypatch.setattr(pagination.SitePaginator, "_estimate", 1)

    first = client.get("/jobs/?salary_min=50000&sort=salary").content.decode()
    second = client.get("/jobs/?salary_min=50000&sort=salary&page=2").content.decode()
    last = client.get("/jobs/?salary_min=50000&sort=salary&page=5").content.decode()

    assert "5+ openings" in first and "?salary_min=50000&amp;sort=salary&amp;page=2" in first
    assert "10+ openings" in second
    # Nor does the page count understate: a third page follows, and maybe more.
    assert "page 2 of at least 3" in second
    assert "Page 2 of at least 3</p>" in second
    assert "23 openings" in last  # the last page knows the total
    assert "page 5 of 5<" in last


def pagination_nav(html: str) -> str:
    return re.search(r'<nav class="pagination".*?</nav>', html, re.S)[0]


def test_the_pagination_says_which_page_of_how_many_and_offers_only_real_steps(client):
    LivePostingFactory.create_batch(45)

    first, second, last = (
        pagination_nav(client.get(url).content.decode())
        for url in ("/jobs/", "/jobs/?page=2", "/jobs/?page=3")
    )

    assert "Page 1 of 3</p>" in first
    # Page 1 has nowhere to go back to: no "Previous", not even a disabled one.
    assert "Previous" not in first and "aria-disabled" not in first
    assert 'rel="next" href="?page=2"' in first
    assert "Page 2 of 3</p>" in second
    assert 'rel="prev" href="?"' in second and 'rel="next" href="?page=3"' in second
    assert "Page 3 of 3</p>" in last and "Next" not in last and 'rel="prev"' in last


@with_statement_timeout
@pytest.mark.usefixtures(*["board", "count_times_out", "sparse_read_gives_way"])
def test_an_estimated_number_of_pages_says_about(client, monkeypatch):
    """The count gave way to an estimate of 20 (four pages of five): the first page cannot
    know better, and says so; the last page read knows the truth."""
    monkeypatch.setattr(pagination.SitePaginator, "_estimate", 20)

    first = client.get("/jobs/?salary_min=50000&sort=salary").content.decode()
    last = client.get("/jobs/?salary_min=50000&sort=salary&page=5").content.decode()

    assert "Page 1 of about 4</p>" in pagination_nav(first)
    assert "Page 5 of 5</p>" in pagination_nav(last)


def run_slow_once(cursor) -> str:
    """A statement that a 20 ms statement timeout cancels the first time it runs only:
    the sequence advances even when the statement is cancelled."""
    cursor.execute("SELECT CASE WHEN nextval('slow_once') = 1 THEN pg_sleep(0.2) END, 'rows read'")
    return cursor.fetchone()[1]


@with_statement_timeout
def test_a_cancel_left_over_from_a_time_limited_transaction_does_not_fail_the_page():
    """Under load PostgreSQL cancelled, once in a few thousand, the first statement after
    a time-limited count had ended: a template reading its page got a 500. Here a session
    timeout plays that stray cancel, on the statement after a time-limited transaction."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY SEQUENCE slow_once")
        with pagination.time_limited(connection.alias, 50):
            pass
        cursor.execute("SET statement_timeout = 20")
        try:
            assert run_slow_once(cursor) == "rows read"  # cancelled, then run again

            # Only then: the same cancel long after a time-limited transaction is an error.
            cursor.execute("SELECT setval('slow_once', 1, false)")
            connection.stray_cancel_until = 0
            with pytest.raises(OperationalError, match="statement timeout"):
                run_slow_once(cursor)
        finally:
            cursor.execute("RESET statement_timeout")
            cursor.execute("DROP SEQUENCE slow_once")


def test_a_queryset_known_to_be_empty_is_one_empty_page():
    paginator = pagination.SitePaginator(Posting.objects.none(), 20, max_pages=5)

    assert list(paginator.page(1)) == []
    assert paginator.count == 0 and paginator.total_display == "0"
