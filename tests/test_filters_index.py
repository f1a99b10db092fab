"""The range filters' keys in posting_filters_idx ("salary at least", "open to a UTC
offset"; postings migration 0018) never leave out a posting that matches.

PostgreSQL only: the keys are its SQL functions. They narrow a read of ids with index
walks off (jobboard/pagination.py), where a posting missing its key would vanish from a
rare combination's listing while the same listing walked would show it. So every
boundary is asked for: salaries on, just under and just over a step and the top step,
ranges of offsets that start or end on, just before or just after a whole hour, west and
east of UTC.
"""

import itertools

import pytest
from django.db import connection

from postings import locations
from postings.models import SALARY_STEP, SALARY_STEPS_UP_TO, Posting, top_salary
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="keys of a GIN index"),
]

SALARIES = sorted(
    {
        *(step + delta for step in (SALARY_STEP, 6 * SALARY_STEP, 13 * SALARY_STEP)
          for delta in (-1, 0, 1)),
        *(SALARY_STEPS_UP_TO + delta for delta in (-1, 0, 1)),
        0, 1, 4 * SALARY_STEPS_UP_TO,
    }
)  # fmt: skip
OFFSETS = [-720, -570, -361, -360, -359, -330, -300, -1, 0, 1, 59, 60, 61, 330, 345, 840]


def test_every_salary_at_or_over_the_one_asked_for_has_its_key():
    for top in [None, *SALARIES]:
        posting = factories.PostingFactory(salary_min=None, salary_max=None)
        # As compared: in the reference currency (postings.salaries), whatever was typed.
        Posting.objects.filter(pk=posting.pk).update(reference_salary_max=top)
    postings = Posting.objects.alias(top=top_salary())

    for at_least in [-5, *SALARIES, 10 * SALARY_STEPS_UP_TO]:
        exact = postings.filter(top__gte=at_least)
        keyed = exact.keyed_for_filters_index(salary_at_least=at_least)
        assert set(keyed) == set(exact), at_least
        assert len(exact) == sum(top >= at_least for top in SALARIES) + (at_least <= 0)


def test_every_range_of_utc_offsets_that_includes_the_one_asked_for_has_its_key():
    ranges = [(low, high) for low, high in itertools.product(OFFSETS, OFFSETS) if low <= high]
    for low, high in ranges:
        factories.PostingFactory(remote_utc_offset_min=low, remote_utc_offset_max=high)
    factories.PostingFactory(remote_utc_offset_min=None, remote_utc_offset_max=None)
    postings = Posting.objects.all()

    for minutes in sorted({*OFFSETS, *locations.OFFSET_CHOICES}):
        exact = postings.open_to_utc_offset(minutes)
        keyed = exact.keyed_for_filters_index(utc_offset=minutes)
        assert set(keyed) == set(exact), minutes
        assert len(exact) == sum(low <= minutes <= high for low, high in ranges)
