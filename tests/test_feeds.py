from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from postings.feeds import FEED_LENGTH
from postings.models import Posting
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own response)


def entry_links(feed) -> list[str]:
    return [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]


def entry_ids(feed) -> list[str]:
    return [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]


@pytest.fixture
def board(db):
    """Live postings in two skills and two workplaces, plus every kind that is not live."""
    python = factories.SkillFactory(name="Python", slug="python")
    go = factories.SkillFactory(name="Go", slug="go")
    acme = factories.CompanyFactory(name="Acme", slug="acme")
    now = timezone.now()
    postings = {}
    for n, (skill, remote) in enumerate(
        [
            (python, Posting.RemotePolicy.REMOTE),
            (python, Posting.RemotePolicy.ONSITE),
            (go, Posting.RemotePolicy.REMOTE),
            (python, Posting.RemotePolicy.REMOTE),
        ]
    ):
        postings[n] = factories.LivePostingFactory(
            skills=[skill],
            remote_policy=remote,
            company=acme if n % 2 else factories.CompanyFactory(),
            published_at=now - timedelta(hours=10 - n),
        )
    for factory in (
        factories.PostingFactory,
        factories.FuturePostingFactory,
        factories.ExpiredPostingFactory,
        factories.ClosedPostingFactory,
    ):
        factory(skills=[python], remote_policy=Posting.RemotePolicy.REMOTE, company=acme)
    return postings


def test_latest_openings_feed_lists_live_postings_newest_first(client, board):
    feed = atom(client, "/jobs/feed/atom/")
    assert feed.findtext(f"{ATOM}title") == "Latest jobs — Jobboard"
    assert entry_links(feed) == [
        f"http://testserver{board[n].get_absolute_url()}" for n in (3, 2, 1, 0)
    ]


def test_entry_carries_a_stable_id_dates_author_and_categories(client, board):
    posting = board[3]
    entry = atom(client, "/jobs/feed/atom/").find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == (
        f"tag:127.0.0.1,{posting.created_at:%Y-%m-%d}:posting/{posting.pk}"
    )
    assert entry.findtext(f"{ATOM}title") == f"{posting.title} at {posting.company.name}"
    assert entry.findtext(f"{ATOM}updated") == posting.updated_at.isoformat()
    assert entry.findtext(f"{ATOM}published") == posting.published_at.isoformat()
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == posting.company.name
    assert [c.get("term") for c in entry.iter(f"{ATOM}category")] == ["Python"]
    summary = entry.findtext(f"{ATOM}summary")
    assert posting.summary in summary and "<li>PostgreSQL</li>" in summary


def test_ids_survive_a_slug_change_and_another_host(client, board, settings):
    before = entry_ids(atom(client, "/jobs/feed/atom/"))
    settings.ALLOWED_HOSTS = ["*"]
    Posting.objects.filter(pk=board[3].pk).update(slug="renamed")
    after = entry_ids(atom(client, "/jobs/feed/atom/", HTTP_HOST="mirror.example"))
    assert after == before


def test_feed_of_a_filtered_listing_lists_the_listings_first_results(client, board):
    params = {"remote": "remote", "skill": "python"}
    listing = client.get("/jobs/", params)
    assert listing.status_code == 200
    listed = [p.get_absolute_url() for p in listing.context["object_list"]]
    feed = atom(client, "/jobs/feed/atom/", **params)
    assert [link.removeprefix("http://testserver") for link in entry_links(feed)] == listed
    assert listed == [board[3].get_absolute_url(), board[0].get_absolute_url()]
    assert feed.findtext(f"{ATOM}title").startswith("Python, Remote jobs")


def test_filtered_feed_links_its_listing_and_itself_in_canonical_order(client, board):
    feed = atom(
        client, "/jobs/feed/atom/?skill=python&page=3&remote=remote&q=&sort=salary&skill=python"
    )
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/jobs/?remote=remote&skill=python",
        "self": "http://testserver/jobs/feed/atom/?remote=remote&skill=python",
    }


def test_rss_feed_of_a_search(client, board):
    response = client.get("/jobs/feed/rss/", {"skill": "go"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")  # noqa: S314
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [
        f"http://testserver{board[2].get_absolute_url()}"
    ]
    guid = items[0].find("guid")
    assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:")


@pytest.mark.parametrize(
    "query",
    [
        "salary_min=abc",
        "posted=999",
        "skill=no-such-skill",
        "company=no-such-company",
        "remote=moon",
        "salary_min=1e400",
        "salary_min=NaN",
        "q=" + "x" * 10_000,
        "skill=%00",
    ],
)
def test_a_filter_with_bad_values_is_a_400_never_a_500(client, board, query):
    response = client.get(f"/jobs/feed/atom/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "q=%ff",
        "q=%00",
        "q=%01",
        "location=%1b",
        "q=a+%26+|+!(",
        "q=' OR 1=1--",
        "skill=python&skill=python",
    ],
)
def test_hostile_searches_never_give_a_500(client, board, query):
    assert client.get(f"/jobs/feed/rss/?{query}").status_code in (200, 400)
    assert client.get(f"/jobs/feed/atom/?{query}").status_code in (200, 400)


def test_control_characters_in_content_are_left_out_of_the_xml(client, board):
    Posting.objects.filter(pk=board[3].pk).update(title="Bell\x07 engineer")
    feed = atom(client, "/jobs/feed/atom/")
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}title").startswith("Bell engineer at")


@pytest.mark.parametrize("query", ["page=-1", "sort=sideways", "utm_source=mail", "page=abc"])
def test_parameters_a_feed_does_not_use_are_ignored(client, board, query):
    assert len(entry_links(atom(client, f"/jobs/feed/atom/?{query}"))) == 4


def test_a_search_without_matches_is_an_empty_feed(client, board):
    assert entry_links(atom(client, "/jobs/feed/atom/", q="cobol")) == []


def test_skill_and_company_feeds(client, board):
    skill_feed = atom(client, "/skills/go/feed/atom/")
    assert skill_feed.findtext(f"{ATOM}title") == "Go jobs — Jobboard"
    assert entry_links(skill_feed) == [f"http://testserver{board[2].get_absolute_url()}"]

    company_feed = atom(client, "/companies/acme/feed/atom/")
    assert company_feed.findtext(f"{ATOM}title") == "Jobs at Acme — Jobboard"
    assert entry_links(company_feed) == [
        f"http://testserver{board[n].get_absolute_url()}" for n in (3, 1)
    ]
    assert client.get("/skills/go/feed/rss/").status_code == 200
    assert client.get("/companies/acme/feed/rss/").status_code == 200


@pytest.mark.parametrize("url", ["/skills/nope/feed/atom/", "/companies/nope/feed/rss/"])
def test_unknown_skill_or_company_feed_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_feeds_are_bounded(client, db):
    factories.LivePostingFactory.create_batch(FEED_LENGTH + 3)
    assert len(entry_links(atom(client, "/jobs/feed/atom/"))) == FEED_LENGTH


@pytest.mark.parametrize(
    "url",
    [
        "/jobs/feed/atom/",
        "/jobs/feed/rss/?skill=python&remote=remote&company=acme",
        "/skills/python/feed/atom/",
        "/companies/acme/feed/rss/",
    ],
)
def test_feed_query_count_does_not_grow_with_the_number_of_postings(
    client, board, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5) as few:
        client.get(url)
    python, acme = board[0].skills.get(), board[1].company
    for _ in range(10):
        factories.LivePostingFactory(
            skills=[python, factories.SkillFactory()],
            company=acme,
            remote_policy=Posting.RemotePolicy.REMOTE,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
