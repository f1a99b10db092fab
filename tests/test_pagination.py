"""The listing counts at most the openings its pages reach, and estimates the rest."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postings.views import PostingListView
from tests.factories import LivePostingFactory

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
@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout")
@pytest.mark.django_db(transaction=True)
def test_a_count_that_takes_too_long_gives_way_to_the_estimate(client, two_pages, monkeypatch):
    """Outside a transaction, as in production, the bounded count may take at most
    COUNT_MILLISECONDS; then the planner's estimate is shown instead."""
    from django.db.models import QuerySet

    LivePostingFactory.create_batch(30)
    real_count = QuerySet.count

    def slow_count(queryset):
        if queryset.query.is_sliced:  # the bounded count
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(1)")
        return real_count(queryset)

    monkeypatch.setattr(QuerySet, "count", slow_count)
    started = time.monotonic()
    response = client.get("/jobs/")

    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert "About " in response.content.decode()


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
