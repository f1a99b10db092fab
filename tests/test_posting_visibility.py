from datetime import timedelta

import pytest
from django.utils import timezone

from postings.models import Posting
from tests import factories

pytestmark = pytest.mark.django_db


def live_ids():
    return set(Posting.objects.live().values_list("id", flat=True))


def test_live_includes_published_current_postings():
    posting = factories.LivePostingFactory()
    assert live_ids() == {posting.id}
    assert posting.is_live


@pytest.mark.parametrize(
    "factory_class",
    [
        factories.PostingFactory,  # draft
        factories.FuturePostingFactory,
        factories.ClosedPostingFactory,
        factories.ExpiredPostingFactory,
    ],
)
def test_live_excludes_drafts_future_closed_and_expired(factory_class):
    posting = factory_class()
    assert live_ids() == set()
    assert not posting.is_live


def test_expiry_boundary():
    now = timezone.now()
    ends_in_a_second = factories.LivePostingFactory(expires_at=now + timedelta(seconds=1))
    ended_a_second_ago = factories.LivePostingFactory(expires_at=now - timedelta(seconds=1))
    assert live_ids() == {ends_in_a_second.id}
    assert ended_a_second_ago.is_expired


def test_publication_boundary():
    now = timezone.now()
    started = factories.LivePostingFactory(published_at=now - timedelta(seconds=1))
    factories.LivePostingFactory(published_at=now + timedelta(seconds=1))
    assert live_ids() == {started.id}


def test_transitions():
    posting = factories.PostingFactory()
    posting.publish()
    assert posting.is_live and posting.published_at is not None
    posting.close()
    assert not Posting.objects.live().filter(id=posting.id).exists()
    expires = posting.expires_at
    posting.extend(days=30)
    assert posting.expires_at == expires + timedelta(days=30)


def test_publishing_an_expired_draft_gives_it_a_fresh_expiry():
    posting = factories.PostingFactory(expires_at=timezone.now() - timedelta(days=2))
    posting.publish()
    assert posting.is_live
