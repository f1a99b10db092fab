from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from postings.models import Posting
from tests import factories

pytestmark = pytest.mark.django_db


def close_expired(*args, capsys) -> str:
    call_command("close_expired_postings", *args)
    return capsys.readouterr().out


@pytest.fixture
def postings_around_expiry():
    now = timezone.now()
    return {
        "expired_a_day_ago": factories.ExpiredPostingFactory(),
        "expired_a_second_ago": factories.LivePostingFactory(expires_at=now - timedelta(seconds=1)),
        "expires_in_a_minute": factories.LivePostingFactory(expires_at=now + timedelta(minutes=1)),
        "draft_past_expiry": factories.PostingFactory(expires_at=now - timedelta(days=1)),
        "closed_already": factories.ClosedPostingFactory(expires_at=now - timedelta(days=1)),
    }


def statuses(postings):
    return {name: Posting.objects.get(pk=p.pk).status for name, p in postings.items()}


def test_closes_exactly_the_expired_published_postings_and_reports_the_count(
    postings_around_expiry, capsys
):
    before = {p.pk: p.updated_at for p in postings_around_expiry.values()}
    assert close_expired(capsys=capsys) == "Closed 2 expired postings.\n"
    assert statuses(postings_around_expiry) == {
        "expired_a_day_ago": Posting.Status.CLOSED,
        "expired_a_second_ago": Posting.Status.CLOSED,
        "expires_in_a_minute": Posting.Status.PUBLISHED,
        "draft_past_expiry": Posting.Status.DRAFT,
        "closed_already": Posting.Status.CLOSED,
    }
    # Feeds and sitemaps see the change.
    closed = Posting.objects.get(pk=postings_around_expiry["expired_a_day_ago"].pk)
    assert closed.updated_at > before[closed.pk]


def test_a_second_run_closes_nothing(postings_around_expiry, capsys):
    close_expired(capsys=capsys)
    assert close_expired(capsys=capsys) == "Closed 0 expired postings.\n"


def test_one_update_whatever_the_number_of_postings(django_assert_num_queries, capsys):
    factories.ExpiredPostingFactory.create_batch(5)
    with django_assert_num_queries(1):
        call_command("close_expired_postings")
    assert Posting.objects.filter(status=Posting.Status.CLOSED).count() == 5


def test_dry_run_counts_and_changes_nothing(postings_around_expiry, capsys):
    before = statuses(postings_around_expiry)
    assert close_expired("--dry-run", capsys=capsys) == "Would close 2 expired postings.\n"
    assert statuses(postings_around_expiry) == before


def test_quiet_for_cron(postings_around_expiry, capsys):
    assert close_expired("--verbosity", "0", capsys=capsys) == ""
    assert not Posting.objects.expired().exists()


def test_a_posting_stops_being_live_at_its_expiry_without_the_command():
    posting = factories.LivePostingFactory(expires_at=timezone.now() - timedelta(seconds=1))
    assert posting.status == Posting.Status.PUBLISHED
    assert not Posting.objects.live().filter(pk=posting.pk).exists()


def test_staff_see_expires_in_days_and_can_extend(admin_client):
    posting = factories.LivePostingFactory(expires_at=timezone.now() + timedelta(days=5, hours=1))
    expired = factories.ExpiredPostingFactory()
    response = admin_client.get("/admin/postings/posting/")
    assert "in 5 days" in response.content.decode()
    assert "expired" in response.content.decode()

    admin_client.post(
        "/admin/postings/posting/",
        {"action": "extend_30_days", "_selected_action": [posting.pk, expired.pk]},
    )
    posting.refresh_from_db()
    expired.refresh_from_db()
    assert posting.expires_at > timezone.now() + timedelta(days=34)
    # An expired posting is extended from now, not from its past expiry: live again.
    assert expired.expires_at > timezone.now() + timedelta(days=29)
    assert expired.is_live


def test_extending_a_closed_posting_says_how_to_show_it_again(admin_client, capsys):
    posting = factories.ExpiredPostingFactory()
    call_command("close_expired_postings")
    response = admin_client.post(
        "/admin/postings/posting/",
        {"action": "extend_30_days", "_selected_action": [posting.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "1 of them is not published" in messages[-1]
    posting.refresh_from_db()
    assert not posting.is_live

    admin_client.post(
        "/admin/postings/posting/", {"action": "publish", "_selected_action": [posting.pk]}
    )
    posting.refresh_from_db()
    assert posting.is_live
