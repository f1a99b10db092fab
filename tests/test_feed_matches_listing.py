"""A feed of a search is a job alert: it must list exactly what the listing shows for that
search, newest first, up to the feed's length. Drawn combinations of every listing filter
over a fixed, varied board, read as a user and a feed reader read them: the listing's
card links page after page, the feed through feedparser."""

import random
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import feedparser
import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from postings.feeds import FEED_LENGTH
from postings.filters import PostingFilter
from postings.models import Posting
from skills.openings import SHOWN as OPENINGS_ON_SKILL_PAGE
from tests import factories

pytestmark = pytest.mark.django_db

SKILLS = ["python", "go", "rust", "sql"]
COMPANIES = ["acme", "globex", "initech"]
LOCATIONS = [
    "Berlin, Germany",
    "Amsterdam, Netherlands",
    "Remote (Europe)",
    "London, UK",
    "Lisbon, Portugal",
    "",
]
TITLES = [
    "Python developer",
    "Go engineer",
    "Data scientist",
    "Site reliability engineer",
    "Engineering manager",
    "Backend engineer",
]
SALARIES = [(None, None), (40000, 60000), (70000, None), (None, 90000), (120000, 150000)]
# Hours since publication, away from the `posted` bounds (24 h, 7 d, 30 d) so that the
# moment between two requests cannot move a posting across one; repeated on purpose:
# postings published at the same instant are ordered by id.
AGES = [1, 3, 3, 12, 30, 50, 100, 100, 150, 200, 300, 500, 650, 800, 1000]
LIVE_POSTINGS = FEED_LENGTH + 14


@pytest.fixture
def board(db):
    """A varied board, more live postings than a feed lists, and every kind not live."""
    draw = random.Random(12)
    skills = [factories.SkillFactory(name=slug.title(), slug=slug) for slug in SKILLS]
    companies = [factories.CompanyFactory(name=slug.title(), slug=slug) for slug in COMPANIES]
    now = timezone.now()
    for _ in range(LIVE_POSTINGS):
        salary_min, salary_max = draw.choice(SALARIES)
        factories.LivePostingFactory(
            title=draw.choice(TITLES),
            summary=f"Join our {draw.choice(['data', 'platform', 'payments'])} team.",
            company=draw.choice(companies),
            skills=draw.sample(skills, draw.choice([0, 1, 1, 2, 3])),
            location=draw.choice(LOCATIONS),
            remote_policy=draw.choice(Posting.RemotePolicy.values),
            employment_type=draw.choice(Posting.EmploymentType.values),
            seniority=draw.choice(Posting.Seniority.values),
            salary_min=salary_min,
            salary_max=salary_max,
            published_at=now - timedelta(hours=draw.choice(AGES)),
        )
    for factory in (
        factories.PostingFactory,
        factories.FuturePostingFactory,
        factories.ExpiredPostingFactory,
        factories.ClosedPostingFactory,
    ):
        factory(skills=skills, company=companies[0], location=LOCATIONS[0])


def several(values):
    return st.lists(st.sampled_from(values), min_size=1, max_size=3)


# Every parameter of the listing that chooses postings, with values that match some of
# the board and some that match none; several values where the listing takes several.
searches = st.fixed_dictionaries(
    {},
    optional={
        "q": st.sampled_from(
            ["engineer", "payments", "data", '"data scientist"', "-manager engineer", "cobol"]
        ),
        "skill": several(SKILLS),
        "company": st.sampled_from(COMPANIES),
        "location": st.sampled_from(["berlin", "Amsterdam", "remote", "UK", "lis", "Zürich"]),
        "remote": several(Posting.RemotePolicy.values),
        "type": several(Posting.EmploymentType.values),
        "seniority": several(Posting.Seniority.values),
        "salary_min": st.sampled_from([0, 50000, 70000, 100000, 140000]),
        "posted": st.sampled_from(["24h", "7d", "30d"]),
    },
)


class CardLinks(HTMLParser):
    """The postings a page lists (its cards' title links) and its next page's link."""

    def __init__(self, html):
        super().__init__()
        self.in_cards, self.links, self.next = False, [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ol" and "card-list" in (attrs.get("class") or "").split():
            self.in_cards = True
        elif tag == "a" and self.in_cards:
            self.links.append(attrs["href"])
        elif tag == "a" and attrs.get("rel") == "next":
            self.next = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "ol":
            self.in_cards = False


def listed(client, url, *, limit=FEED_LENGTH) -> list[str]:
    """The postings a reader of `url` sees, following "Next" until `limit` of them."""
    links = []
    while url and len(links) < limit:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = CardLinks(response.content.decode())
        links += page.links
        url = page.next and urljoin(url, page.next)
    return links[:limit]


def feed_entries(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return [urlsplit(entry.link).path for entry in parsed.entries]


@given(search=searches, sort=st.sampled_from([None, "salary", "relevance"]))
def test_a_search_feed_lists_the_listings_newest_matches(client, board, search, sort):
    query = urlencode(search, doseq=True)
    expected = listed(client, f"/jobs/?{query}&sort=newest")
    # The feed ignores a sort: it is always newest first.
    feed_query = query + (f"&sort={sort}" if sort else "")
    for kind in ("atom", "rss"):
        assert feed_entries(client, f"/jobs/feed/{kind}/?{feed_query}") == expected, kind


def test_the_drawn_searches_reach_every_filter_and_the_feeds_limit(board):
    """The board is varied enough that each filter changes what a search finds, and the
    plain search finds more than a feed lists: the test above can tell them apart."""
    everything = PostingFilter({}, queryset=Posting.objects.live()).qs.count()
    assert everything == LIVE_POSTINGS > FEED_LENGTH
    for search in [
        {"q": "payments"},
        {"skill": "go"},
        {"company": "acme"},
        {"location": "berlin"},
        {"remote": "remote"},
        {"type": "contract"},
        {"seniority": "senior"},
        {"salary_min": "100000"},
        {"posted": "7d"},
    ]:
        found = PostingFilter(QueryDict(urlencode(search)), queryset=Posting.objects.live())
        found = found.qs.count()
        assert 0 < found < everything, search


@pytest.mark.parametrize("slug", SKILLS)
@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_a_skill_feed_lists_its_pages_openings(client, board, slug, kind):
    entries = feed_entries(client, f"/skills/{slug}/feed/{kind}/")
    page = listed(client, f"/skills/{slug}/")
    assert 0 < len(page) <= OPENINGS_ON_SKILL_PAGE
    assert entries[: len(page)] == page
    assert entries == listed(client, f"/jobs/?skill={slug}&sort=newest")


@pytest.mark.parametrize("slug", COMPANIES)
@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_a_company_feed_lists_its_pages_openings(client, board, slug, kind):
    page = listed(client, f"/companies/{slug}/")
    assert page
    assert feed_entries(client, f"/companies/{slug}/feed/{kind}/") == page
