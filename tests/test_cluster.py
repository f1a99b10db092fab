"""The board on several servers: two gunicorns, two workers, a PostgreSQL primary and its
streaming replica, Redis and an S3 server, all on loopback (benchmarks/cluster.py).

What README.md promises in "Running on several machines", through HTTP: a logo uploaded
through A is served by B; an import confirmed on B runs on a worker and reports on A; a
posting published through A is on B's listing within the staleness bound, also while the
replica's replay is paused; staff read their own write on the next request; no task
runs twice; stopping A fails no request to B and loses nothing; a stopped replica makes
B's /readyz 503, naming it, while B goes on serving.

It needs PostgreSQL's server programs and the right to run them as `postgres`: where they
are missing it is skipped with the reason, except where REQUIRE_CLUSTER is set (.ci/run),
where that is a failure. It runs its own PostgreSQL, never the one DATABASE_URL names,
so it runs (once) whichever database the suite uses.
"""

import os

import pytest
from django.conf import settings

from benchmarks import cluster


def test_several_servers_show_one_truth():
    reason = cluster.unavailable(settings.TEST_REDIS_URL)
    if reason:
        message = f"Cannot start the cluster: {reason}."
        if os.environ.get("REQUIRE_CLUSTER"):
            pytest.fail(message)
        pytest.skip(message)

    figures, _ = cluster.run(settings.TEST_REDIS_URL)

    # Shown with -s, and in the output of a failing run.
    for name, value in figures.items():
        print(f"{name}: {value}")
    bound = cluster.STALENESS_BOUND + cluster.MARGIN
    for name in (
        "published on A, listed on B (s)",
        "published on A, listed on B, replica paused (s)",
        "imported on B, listed on B (s)",
    ):
        assert figures[name] <= bound, name
    assert figures["replica lag when B listed it (s)"] > 0
    assert figures["staff read their write on the next request"] == "yes"
    assert figures["tasks run more than once or failed"] == 0
    assert figures["workers that ran tasks"] == 2
    assert figures["A's exit code after SIGTERM"] == 0
    assert figures["requests to B"] > 20
    assert figures["requests to B failed"] == 0
    assert figures["B's /readyz with the replica stopped"].startswith("503")
