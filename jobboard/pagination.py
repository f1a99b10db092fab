"""The site's one way to paginate, so that changing how pages are counted is one edit.

At a million postings an exact COUNT(*) took ~205 ms of a 246 ms listing request, and
a deep OFFSET reads every row before it. With `max_pages` set, the paginator counts at
most the rows those pages can show (one bounded query, whatever the table's size); past
that the total is PostgreSQL's estimate ("about 850,000 openings") and the pages stop:
filters, not page 40,000, are how a job seeker reaches the rest.

A bounded count gives way to the estimate after COUNT_MILLISECONDS; one that the planner
expects to cost more than it could do in them (COUNT_COST_LIMIT, read from the plan the
estimate comes from) is not tried: the estimate stands in at once, as if it had run out.

An estimate can be wrong either way (a rare combination of filters estimated at 7 had
73 matches). So whenever the total was not counted, the requested page's rows decide
what they can: the page is read with one row more than it shows, a page with rows is
never a 404, the total is at least the rows up to this page (plus one when more follow),
"next" appears exactly when more follow, and the last page's total is exact.

A bounded count that runs out of time has shown more: the matches are sparse along the
sort's index, and reading a page by walking it would filter most of it (0.4–2 s at a
million postings for a rare combination of filters). The page then asks for the bounded
list of matching ids with index walks off, so that PostgreSQL finds the matches from the
indexes of the filters' values and sorts them (tens of milliseconds), and the total is
exact after all. The walk is tried first, for WALK_MILLISECONDS: a page needs far fewer
matches than the count did, and may find them soon. Only a page asks: a count alone (an
empty result's suggestions) keeps the estimate.

What a view knows beyond its queryset (its size, what to estimate it from, a cheaper way
to read a page) it hands over in a `Listing`, never as attributes of the queryset: a
later `.filter()` clones a queryset and would silently drop them.
"""

import json
import math
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet
from django.utils.functional import cached_property

# The longest a bounded count may take before the estimate stands in for it.
COUNT_MILLISECONDS = 5
# After a count that ran out of time: the longest the walk may take to read a page
# (a page needs 21 matches, the count 501), then the longest the sparse read of the ids
# may take before the walk reads the page regardless.
WALK_MILLISECONDS = 15
SPARSE_MILLISECONDS = 150
# A bounded count is not tried when PostgreSQL expects finding its rows (all the matches,
# or as many as the bound when more are expected) to cost more than this, in its units (a
# page read from disk is 1 to 4): it would only run out of COUNT_MILLISECONDS. Measured
# on the distinct stream's counts (benchmarks/distinct_sql.py, mostly an empty result's
# suggestions): at a million postings 170 of 461 were over and none of them finished in
# time; at 100,000 and 10,000 postings none is over (at most 4,231 and 842).
COUNT_COST_LIMIT = 5_000
# How long after a time-limited transaction a statement cancelled by a statement timeout
# is taken for the stray cancel of that transaction's timer, and run again (below).
STRAY_CANCEL_SECONDS = 1.0
# A planner's estimate this many times over what the pages can show is trusted to mean
# "more than the pages show" without counting (estimates of combined filters can be off
# by a few times, not by ten).
ESTIMATE_MARGIN = 10


@contextmanager
def time_limited(using: str, milliseconds: int, **settings):
    """A transaction of PostgreSQL's whose statements are cancelled past `milliseconds`
    (an OperationalError), with these settings of the planner for its statements only.

    Its timer can outlive it: under load, PostgreSQL was seen cancelling the first
    statement after such a transaction had ended (1 in about 6,000 here, with both cores
    busy), in a template reading a page with no limit of its own: a 500. So its
    connection runs a statement cancelled for a statement timeout again, once, when that
    comes within STRAY_CANCEL_SECONDS of a time-limited transaction and outside any
    transaction (where a cancelled statement changed nothing)."""
    connection = connections[using]
    if _run_again_if_stray_cancel not in connection.execute_wrappers:
        # First, not last: `connection.execute_wrapper()` removes the last one on exit.
        connection.execute_wrappers.insert(0, _run_again_if_stray_cancel)
    assignments = {"statement_timeout": milliseconds, **settings}
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(assignments)),
                [str(part) for item in assignments.items() for part in item],
            )
            yield
    finally:
        connection.stray_cancel_until = time.monotonic() + STRAY_CANCEL_SECONDS


def _run_again_if_stray_cancel(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except OperationalError as error:
        connection = context["connection"]
        if (
            connection.in_atomic_block
            or time.monotonic() > getattr(connection, "stray_cancel_until", 0)
            or "statement timeout" not in str(error)
        ):
            raise
        connection.stray_cancel_until = 0  # once
        return execute(sql, params, many, context)


@dataclass(frozen=True)
class Listing:
    """What SitePaginator pages: the rows in order, and what is known of them."""

    queryset: QuerySet
    # Its size when known without counting (a window of ids, the whole board's stored
    # figure, every company's cached count): neither counted nor estimated.
    known_total: int | None = None
    # What the planner estimates the size of all results from, when `queryset` is a
    # narrowed window of them (None: `queryset`, or `known_total` when that is given).
    estimate_from: QuerySet | None = None
    # Reads one page (a slice of `queryset`) more cheaply than iterating it.
    read_page: Callable[[QuerySet], Iterable] | None = None
    # True when an index of the filters' values narrows the matches (a GIN index): when
    # the planner expects no more than the pages show, their ids are read from it first
    # rather than counted by a walk that would filter most of the sort's index.
    narrowed_by_index: bool = False
    # What the filters imply, said in the terms of the index that narrows them (a
    # queryset's copy with more conditions): the sparse read below asks with them. Only
    # there: a walk of the sort's index would compute them for every row it filters.
    keyed_for_index: Callable[[QuerySet], QuerySet] | None = None
    # True when an index of its own finds the rows whatever the board's size (a company's
    # openings): counted up to what the pages reach at once, without the estimate first
    # and the time limit, the guards for filters that walk the whole board.
    counted_from_own_index: bool = False


class SitePaginator(Paginator):
    def __init__(self, listing, per_page, *, max_pages: int | None = None, **kwargs):
        # A Listing, or a plain queryset or list with nothing more known of it.
        self.listing = listing if isinstance(listing, Listing) else Listing(listing)
        super().__init__(self.listing.queryset, per_page, **kwargs)
        self.max_pages = max_pages
        # True when the count took too long and the total is the planner's estimate (or,
        # when the estimate is below what the pages have shown, a lower bound).
        self.is_estimated = False
        # False when the total was known or estimated, not counted: the page read decides.
        self.is_counted = True
        # True when the total is only "more than total - 1" (the estimate was lower).
        self.is_lower_bound = False
        # True when the bounded count ran out of time; then the ids of the matches the
        # pages reach, in order, when a sparse read found them (page()).
        self.count_timed_out = False
        self._ids: list | None = None

    @cached_property
    def max_results(self) -> int | None:
        return self.max_pages * self.per_page if self.max_pages else None

    @cached_property
    def total(self) -> int:
        """Exact up to `max_results`; one more than it when there are more."""
        known = self.listing.known_total
        if self.max_results is None:
            # Every row is on a page: the total is exact, a stored figure or a count.
            return super().count if known is None else known
        # A listing that knows its size already (a window of ids, the whole board) says so.
        if known is not None:
            self.is_counted = False
            return min(known, self.max_results + 1)
        if self.listing.counted_from_own_index:
            return self.object_list.order_by().values("pk")[: self.max_results + 1].count()
        # Far more results than the pages reach, by PostgreSQL's estimate (one EXPLAIN,
        # shown as "about N" anyway): a count would only confirm the cap.
        estimate = self._estimate
        if estimate is not None and estimate > ESTIMATE_MARGIN * self.max_results:
            self.is_counted = False
            return self.max_results + 1
        # Keeps the ordering: the bounded count walks the same index as the page query.
        bounded = self.object_list.values("pk")[: self.max_results + 1]
        connection = connections[bounded.db]
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return bounded.count()
        # Few matches expected, and an index of the filters' values to find them by: at a
        # million postings the walk would time out, and the page walk after it too.
        if (
            self.listing.narrowed_by_index
            and estimate is not None
            and estimate <= self.max_results
            and self._read_ids_sparsely()
        ):
            return len(self._ids)
        # Rare combinations of filters can make even a bounded count walk most of an
        # index: past COUNT_MILLISECONDS the planner's estimate stands in for it. (Not
        # inside a caller's transaction, which a cancelled statement would abort.) No
        # parallel workers: starting them costs more than such a count.
        if self._count_would_run_out(estimate):
            return self._count_gave_way(estimate)
        try:
            with time_limited(bounded.db, COUNT_MILLISECONDS, max_parallel_workers_per_gather=0):
                return bounded.count()
        except OperationalError:
            return self._count_gave_way(estimate)

    def _count_would_run_out(self, estimate: int | None) -> bool:
        """True when the planner expects the bounded count to cost more than
        COUNT_COST_LIMIT: the cost of finding all the matches, or the part of it that
        finds as many as the bound (as PostgreSQL prices a LIMIT)."""
        if estimate is None or self.listing.estimate_from is not None:
            return False  # no plan, or the plan of another queryset
        plan = self._plan
        if plan is None:
            return False
        share = min(1.0, (self.max_results + 1) / max(estimate, 1))
        return plan["Total Cost"] * share > COUNT_COST_LIMIT

    def _count_gave_way(self, estimate: int | None) -> int:
        """The total when the count gave way: the estimate, until page() has read the
        requested page, which corrects it."""
        self.is_estimated, self.is_counted = True, False
        self.count_timed_out = True
        estimate = estimate or 0
        return estimate if estimate <= self.max_results else self.max_results + 1

    def page(self, number):
        total = self.total  # counts first, unless a known total or an estimate stands in
        if self._ids is not None:
            return self._page_of_ids(number)
        if self.is_counted:
            return super().page(number)
        number = self._page_number(number)
        # One row more than the page shows says whether another page follows; it costs
        # one more entry of the same index walk, where a count had to walk them all.
        bottom = (number - 1) * self.per_page
        page_slice = self.object_list[bottom : bottom + self.per_page + 1]
        rows = None
        if self.count_timed_out:
            # A page needs far fewer matches than the count: the walk may still find
            # them soon. If not, the matches are rare: their ids from the filters' indexes.
            rows = self._read_briefly(page_slice)
            if rows is None and self._read_ids_sparsely():
                return self._page_of_ids(number)
        if rows is None:
            rows = list(self._read(page_slice))
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        seen = bottom + min(len(rows), self.per_page)
        if len(rows) > self.per_page:
            # At least one more: a total below that (an estimate too low) would make the
            # next pages 404 and say "about 7" over a page showing rows 21 to 40.
            if total <= seen:
                self.total, self.is_lower_bound = seen + 1, True
        else:
            # The last page: whatever was estimated, the total is now known.
            self.total, self.is_estimated = seen, False
        for derived in ("is_capped", "count", "num_pages", "total_estimate"):
            self.__dict__.pop(derived, None)
        return super()._get_page(rows[: self.per_page], number, self)

    def _read_briefly(self, page_slice) -> list | None:
        """The page's rows read by the walk within WALK_MILLISECONDS; None past that."""
        try:
            with time_limited(page_slice.db, WALK_MILLISECONDS):
                return list(self._read(page_slice))
        except OperationalError:
            return None

    def _read_ids_sparsely(self) -> bool:
        """The ids of the matches the pages reach (max_results + 1 at most), in order,
        found with index walks off: from the indexes of the filters' values (a bitmap of
        their intersection), then sorted. False past SPARSE_MILLISECONDS (a combination
        that no such index narrows reads the table): the page is then walked as before.
        With the ids, the total is exact."""
        matches = self.object_list
        if self.listing.keyed_for_index is not None:
            matches = self.listing.keyed_for_index(matches)
        bounded = matches.values_list("pk", flat=True)[: self.max_results + 1]
        try:
            with time_limited(
                bounded.db, SPARSE_MILLISECONDS, enable_indexscan="off", enable_indexonlyscan="off"
            ):
                ids = list(bounded)
        except OperationalError:
            return False
        self._ids = ids
        self.total, self.is_estimated, self.is_counted = len(ids), False, True
        for derived in ("is_capped", "count", "num_pages", "total_estimate"):
            self.__dict__.pop(derived, None)
        return True

    def _page_of_ids(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list.filter(pk__in=self._ids[bottom:top])
        return super()._get_page(self._read(rows), number, self)

    def _page_number(self, number) -> int:
        """Django's validation of a page number, less the bound a total would set: the
        number of pages is not known yet, only that they stop at `max_pages`."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.max_pages:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(self._read(object_list), number, paginator)

    def _read(self, page_slice):
        read_page = self.listing.read_page
        return page_slice if read_page is None else read_page(page_slice)

    @cached_property
    def is_capped(self) -> bool:
        return self.max_results is not None and self.total > self.max_results

    @cached_property
    def count(self) -> int:
        """The results the pages reach: all of them unless capped."""
        return min(self.total, self.max_results) if self.is_capped else self.total

    @cached_property
    def total_estimate(self) -> int | None:
        """The planner's estimate of all results when capped (None on other databases)."""
        if not self.is_capped:
            return self.total
        estimate = self._estimate
        return None if estimate is None else max(estimate, self.total)

    @cached_property
    def _estimate(self) -> int | None:
        # A listing that knows its size says so.
        if self.listing.estimate_from is None and self.listing.known_total is not None:
            return self.listing.known_total
        plan = self._plan
        return None if plan is None else int(plan["Plan Rows"])

    @cached_property
    def _plan(self) -> dict | None:
        """PostgreSQL's plan for finding all the results in any order (None on other
        databases): the rows it expects, and what finding them costs."""
        # A listing narrowed to a window for ordering says what to estimate instead.
        queryset = self.listing.estimate_from
        if queryset is None:
            queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return None
        explained = queryset.order_by().values("pk").explain(format="json")
        if not explained:
            return None  # a queryset known to be empty (none()): Django runs no query
        return json.loads(explained)[0]["Plan"]

    @property
    def pages_display(self) -> str:
        """ "5"; "about 5" while the total is PostgreSQL's estimate (a page read later may
        find more or fewer); "at least 3" while it is a lower bound (more pages follow
        than counted). Said in words: "Page 2 of 3+" read as a sum."""
        if self.is_lower_bound:
            return f"at least {self.num_pages:,}"
        if self.is_estimated:
            return f"about {self.num_pages:,}"
        return f"{self.num_pages:,}"

    @property
    def total_display(self) -> str:
        """ "123", "about 850,000" (estimated), "1,000+" (no estimate) or "40+" (more
        than the pages read so far, which the estimate was below)."""
        if not self.is_capped:
            if self.is_lower_bound:
                return f"{self.total - 1:,}+"
            return f"about {self.total:,}" if self.is_estimated else f"{self.total:,}"
        if self.total_estimate is None or self.is_lower_bound:
            return f"{self.max_results:,}+"
        # Two significant figures: an estimate should not look exact.
        digits = max(0, len(str(self.total_estimate)) - 2)
        rounded = math.ceil(self.total_estimate / 10**digits) * 10**digits
        return f"about {rounded:,}"


class PaginationMixin:
    """For ListView: a page past the end or an invalid page number is a 404 (ListView's
    own rule), and the template gets `page_links` for `includes/pagination.html`."""

    paginator_class = SitePaginator
    paginate_by = 20
    # None: count everything. Set it where the result set can grow with the site.
    max_pages = None
    # Page links on each side of the current page; the first and last are always shown.
    page_links_on_each_side = 2

    def get_listing(self, queryset) -> Listing:
        """What the paginator pages: get_queryset()'s result, and what the view knows of
        it without counting (override to say more)."""
        return Listing(queryset)

    def paginate_queryset(self, queryset, page_size):
        return super().paginate_queryset(self.get_listing(queryset), page_size)

    def get_paginator(self, *args, **kwargs):
        return super().get_paginator(*args, max_pages=self.max_pages, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_links"] = list(
                page.paginator.get_elided_page_range(
                    page.number, on_each_side=self.page_links_on_each_side, on_ends=1
                )
            )
        return context
