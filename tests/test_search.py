"""Keyword search: `Posting.objects.search()`, and the words of the listing's keyword box
that name a filter (postings/facets.py).

The behaviour tests run on both databases (full-text search on PostgreSQL, the icontains
fallback on SQLite); the ones about the stored vector and stemming need PostgreSQL.
"""

import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from hypothesis import example, given
from hypothesis import strategies as st

from postings import facets
from postings.feeds import feed_query
from postings.models import Posting
from tests.factories import CompanyFactory, LivePostingFactory, SkillFactory

pytestmark = pytest.mark.django_db

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
)


def posting(**fields):
    fields.setdefault("summary", "Join a friendly team.")
    fields.setdefault("description", "We ship software every week.")
    return LivePostingFactory(**fields)


def titles(queryset):
    return [p.title for p in queryset]


def search(query):
    return titles(Posting.objects.live().search(query))


def test_a_title_match_ranks_above_a_description_match():
    posting(title="Backend Engineer", description="You will write Kotlin services.")
    posting(title="Kotlin Developer", description="Backend services.")

    results = Posting.objects.live().search("kotlin")

    assert titles(results) == ["Kotlin Developer", "Backend Engineer"]
    assert results[0].rank > results[1].rank


def test_a_summary_match_ranks_above_a_description_match():
    posting(title="Engineer A", description="Some Elixir here.")
    posting(title="Engineer B", summary="Elixir all day.")

    assert search("elixir") == ["Engineer B", "Engineer A"]


def test_company_and_skill_names_are_searched():
    posting(title="Engineer", company=CompanyFactory(name="Zephyr Telecom"))
    posting(title="Analyst", skills=[SkillFactory(name="Haskell")])
    posting(title="Other")

    assert search("zephyr") == ["Engineer"]
    assert search("haskell") == ["Analyst"]


def test_every_word_must_match():
    posting(title="Python Developer", description="Django and PostgreSQL.")
    posting(title="Python Data Scientist", description="Pandas.")

    assert search("python django") == ["Python Developer"]


def test_a_quoted_phrase_matches_only_the_words_together():
    posting(title="Machine Learning Engineer")
    posting(title="Learning Designer", description="Build machine parts.")

    assert search('"machine learning"') == ["Machine Learning Engineer"]


def test_a_minus_excludes_a_word():
    posting(title="Java Developer", description="Spring services.")
    posting(title="Java Architect", description="Legacy EJB.")

    assert search("java -legacy") == ["Java Developer"]
    assert search('java -"legacy ejb"') == ["Java Developer"]


def test_search_stays_inside_the_queryset_it_refines():
    posting(title="Rust Engineer")
    LivePostingFactory(title="Rust Intern", status=Posting.Status.DRAFT, published_at=None)

    assert search("rust") == ["Rust Engineer"]


def test_an_empty_query_keeps_everything():
    posting(title="One")

    assert titles(Posting.objects.live().search("  ")) == ["One"]


# The stored vector follows every edit (triggers on PostgreSQL; the fallback reads the
# columns directly, so these also hold on SQLite).


def test_a_title_edit_is_found_at_once():
    job = posting(title="Frontend Engineer")

    job.title = "Scala Engineer"
    job.save()

    assert search("scala") == ["Scala Engineer"]
    assert search("frontend") == []


def test_adding_and_removing_a_skill_is_found_at_once():
    job = posting(title="Engineer")
    erlang = SkillFactory(name="Erlang")

    job.skills.add(erlang)
    assert search("erlang") == ["Engineer"]

    job.skills.remove(erlang)
    assert search("erlang") == []


def test_a_company_rename_is_found_at_once():
    company = CompanyFactory(name="Acme Widgets")
    posting(title="Engineer", company=company)

    company.name = "Globex Robotics"
    company.save()

    assert search("globex") == ["Engineer"]
    assert search("acme") == []


def test_a_skill_rename_is_found_at_once():
    skill = SkillFactory(name="Golang")
    posting(title="Engineer", skills=[skill])

    skill.name = "Clojure"
    skill.save()

    assert search("clojure") == ["Engineer"]


@pytest.mark.postgres
@requires_postgresql
def test_words_match_their_stems():
    posting(title="Engineering Manager", description="Managing engineers.")

    assert search("engineer") == ["Engineering Manager"]
    assert search("manages") == ["Engineering Manager"]


@pytest.mark.postgres
@requires_postgresql
def test_either_or():
    posting(title="Ruby Developer")
    posting(title="Perl Developer")
    posting(title="Cobol Developer")

    assert sorted(search("ruby or perl")) == ["Perl Developer", "Ruby Developer"]


@pytest.mark.postgres
@requires_postgresql
def test_the_vector_is_stored_with_weights_and_left_alone_by_status_changes():
    job = posting(title="Fortran Engineer", skills=[SkillFactory(name="Numerics")])
    stored = Posting.objects.values_list("search_vector", flat=True).get(pk=job.pk)
    assert "'fortran':1A" in stored
    assert "'numer':" in stored  # the skill name, stemmed, weight B

    job.close()
    job.publish()

    assert Posting.objects.values_list("search_vector", flat=True).get(pk=job.pk) == stored


# Words that name a filter ------------------------------------------------------------
# Through the listing, as a job seeker types them into the keyword box.

REMOTE, HYBRID, ONSITE = Posting.RemotePolicy.REMOTE, Posting.RemotePolicy.HYBRID, "onsite"


def listing(client, query: str, **params):
    response = client.get("/jobs/", {"q": query, **params})
    assert response.status_code == 200, response.content.decode()[:300]
    return response


def listed(response) -> list[str]:
    return sorted(p.title for p in response.context["page_obj"].object_list)


def chips(response) -> dict[str, str]:
    """Each chip's label and the query string of its link (which removes it)."""
    return {chip.label: chip.remove_query for chip in response.context["active_filters"]}


def offers(response) -> dict[str, str]:
    return {offer.label: offer.query for offer in response.context["filter"].facet_offers}


def keyword_box(response) -> str:
    return response.context["form"]["q"].value() or ""


CANONICAL = '<link rel="canonical" href="http://testserver/jobs/?remote=remote&amp;skill=python">'


def test_a_workplace_word_is_the_workplace_filter_not_text(client):
    python = SkillFactory(name="Python", slug="python")
    posting(title="Remote Python A", skills=[python], remote_policy=REMOTE)
    posting(title="Remote Python B", skills=[python], remote_policy=REMOTE,
            summary="Fully remote.")  # fmt: skip
    # Hybrid roles say "remote" too: today's text search found them.
    posting(title="Hybrid Python", skills=[python], remote_policy=HYBRID,
            summary="Two days remote a week.")  # fmt: skip
    posting(title="Remote Go", remote_policy=REMOTE)

    response = listing(client, "python remote")

    assert listed(response) == ["Remote Python A", "Remote Python B"]
    assert listed(response) == listed(listing(client, "", skill="python", remote="remote"))
    assert keyword_box(response) == ""
    # Removing the Remote chip does not bring the word back as text.
    assert QueryDict(chips(response)["Remote"]).dict() == {"skill": "python"}
    assert QueryDict(chips(response)["Python"]).dict() == {"remote": "remote"}
    page = response.content.decode()
    assert "Your keywords “python remote” are applied as filters where they name one" in page
    assert 'aria-label="Active filters"' in page
    assert CANONICAL in page
    # Best match needs keywords: with none left, the canonical URL has the default sort.
    assert CANONICAL in listing(client, "python remote", sort="relevance").content.decode()
    # An excluded word is never glue to drop.
    assert keyword_box(listing(client, "python remote -jobs")) == "-jobs"


@pytest.mark.parametrize("word", ["on-site", "onsite", "On Site"])
def test_each_spelling_of_on_site_is_the_same_filter(client, word):
    posting(title="Office role", remote_policy=ONSITE)
    posting(title="Hybrid role", remote_policy=HYBRID)

    response = listing(client, f"engineer {word}", sort="newest")

    assert chips(response).keys() == {"“engineer”", "On-site"}
    assert keyword_box(response) == "engineer"


def test_a_seniority_word_is_the_seniority_filter(client):
    posting(title="Senior Engineer", seniority=Posting.Seniority.SENIOR)
    posting(title="Engineer", seniority=Posting.Seniority.SENIOR)
    posting(title="Junior Engineer", seniority=Posting.Seniority.JUNIOR,
            summary="Learn from senior colleagues.")  # fmt: skip
    posting(title="Senior Designer", seniority=Posting.Seniority.SENIOR)

    response = listing(client, "senior engineer")

    assert listed(response) == ["Engineer", "Senior Engineer"]
    assert keyword_box(response) == "engineer"
    assert "Senior" in chips(response)


def test_a_skill_by_name_or_slug_several_words_too_is_the_skill_filter(client):
    ml = SkillFactory(name="Machine learning", slug="machine-learning")
    posting(title="Tagged", skills=[ml])
    posting(title="Mentions it", description="Some machine learning, one day.")

    for words in ["machine learning", "Machine-Learning", "machine learning jobs"]:
        response = listing(client, words)
        assert listed(response) == ["Tagged"], words
        assert chips(response).keys() == {"Machine learning"}, words


def test_a_country_name_is_the_country_filter_and_a_code_never_is(client):
    posting(title="Berlin role", location="Berlin, Germany", city="Berlin", country="DE")
    posting(title="Milan role", location="Milan, Italy", city="Milan", country="IT",
            summary="Work in it with us.")  # fmt: skip
    posting(title="Remote from Germany", remote_policy=REMOTE, location="Remote (Germany)",
            country="", remote_from="DE")  # fmt: skip

    response = listing(client, "germany")
    assert listed(response) == ["Berlin role"]
    assert chips(response).keys() == {"in Germany"}

    # With remote roles only, a country is where a hire may live.
    response = listing(client, "remote germany")
    assert listed(response) == ["Remote from Germany"]
    assert chips(response).keys() == {"Remote", "open to Germany"}

    # "in" (India) and "it" (Italy) are words, and stay text.
    response = listing(client, "in it")
    assert keyword_box(response) == "in it"
    assert chips(response).keys() == {"“in it”"}
    assert not offers(response)


def test_a_city_of_the_live_postings_is_the_location_filter(client):
    posting(title="Krakow role", location="Kraków, Poland", city="Kraków", country="PL")
    posting(title="Warsaw role", location="Warsaw, Poland", city="Warsaw", country="PL",
            summary="Trains to Krakow hourly.")  # fmt: skip

    response = listing(client, "python jobs in krakow")

    # "python" names no skill here: it stays text, and matches nothing.
    assert keyword_box(response) == "python"
    assert chips(response).keys() == {"“python”", "in “Kraków”"}
    assert listed(listing(client, "krakow")) == ["Krakow role"]


def test_an_ambiguous_word_is_offered_not_applied(client):
    posting(title="Lead Engineer", seniority=Posting.Seniority.LEAD)
    posting(title="Team Lead Engineer", seniority=Posting.Seniority.SENIOR)
    go = SkillFactory(name="Go", slug="go")
    posting(title="Go Engineer", skills=[go], seniority=Posting.Seniority.MID)
    # A city that is also a skill's name: either could be meant.
    posting(title="Rust Belt Engineer", city="Rust", country="AT", location="Rust, Austria")
    SkillFactory(name="Rust", slug="rust")

    response = listing(client, "lead engineer")
    assert listed(response) == ["Lead Engineer", "Team Lead Engineer"]
    assert keyword_box(response) == "lead engineer"
    assert offers(response) == {"Only lead roles?": "q=engineer&seniority=lead"}
    page = html.unescape(response.content.decode())
    assert '<a href="/jobs/?q=engineer&seniority=lead">Only lead roles?</a>' in page
    assert listed(client.get("/jobs/?q=engineer&seniority=lead")) == ["Lead Engineer"]

    assert offers(listing(client, "go engineer")) == {"Only Go roles?": "q=engineer&skill=go"}
    assert offers(listing(client, "rust")).keys() == {"Only Rust roles?", "Only roles in Rust?"}


@pytest.mark.parametrize("query", ['"remote"', '"remote" engineer', "-remote engineer",
                                   "remote or hybrid"])  # fmt: skip
def test_quoted_excluded_and_either_or_words_stay_text(client, query):
    posting(title="Remote engineer", remote_policy=REMOTE)

    response = listing(client, query)

    assert keyword_box(response) == query
    assert chips(response).keys() == {f"“{query}”"}
    assert not offers(response)


def test_a_search_without_such_words_is_unchanged(client):
    posting(title="Kotlin Developer", remote_policy=REMOTE)
    posting(title="Java Developer")

    response = listing(client, "kotlin developer")

    assert listed(response) == ["Kotlin Developer"]
    assert keyword_box(response) == "kotlin developer"
    assert chips(response).keys() == {"“kotlin developer”"}
    assert not offers(response)
    assert "are applied as filters" not in response.content.decode()


def test_python_remote_and_its_explicit_filters_have_one_feed(client):
    python = SkillFactory(name="Python", slug="python")
    posting(title="Remote Python", skills=[python], remote_policy=REMOTE)
    posting(title="Hybrid Python", skills=[python], remote_policy=HYBRID, summary="Remote days.")

    typed = QueryDict(urlencode({"q": "python remote"}))
    explicit = QueryDict("q=python&remote=remote")
    assert feed_query(typed) == feed_query(explicit) == "remote=remote&skill=python"

    feeds, alerts = set(), set()
    for query in ["q=python+remote", "remote=remote&skill=python", "q=python&remote=remote"]:
        page = client.get(f"/jobs/?{query}").content.decode()
        feeds |= set(re.findall(r'href="(/jobs/feed/atom/[^"]*)"', page))
        alerts |= set(re.findall(r'href="(/alerts/new/[^"]*)"', page))
        entries = client.get(f"/jobs/feed/atom/?{query}").content.decode()
        assert "Remote Python at" in entries and "Hybrid Python" not in entries, query
    assert feeds == {"/jobs/feed/atom/?remote=remote&amp;skill=python"}
    # And one e-mail alert: the subscribe link carries the resolved search.
    assert alerts == {"/alerts/new/?remote=remote&amp;skill=python"}


@pytest.mark.parametrize(
    "query",
    ["remote " * 40, "x" * 5000, "ünïcödé remote", "remote \x00 senior", "\u202e\u0000",
     "\ufeffremote", "remote\tsenior\r\n", '"', '"remote', "- - -", "🙂 berlin", "or"],
)  # fmt: skip
def test_hostile_keywords_are_never_a_500(client, query):
    posting(title="Some role", remote_policy=REMOTE)

    response = client.get("/jobs/", {"q": query})
    # A NUL or more than 200 characters is the form's error, the rest a search.
    assert response.status_code == (400 if "\x00" in query or len(query) > 200 else 200)
    assert client.get("/jobs/feed/atom/", {"q": query}).status_code == response.status_code


def test_a_typed_search_costs_no_more_queries_than_its_filters(
    client, settings, django_assert_max_num_queries
):
    python = SkillFactory(name="Python", slug="python")
    for _ in range(3):
        posting(title="Remote Python", skills=[python], remote_policy=REMOTE)
    # Cached parts of pages as in production; each URL below is asked once, so no page
    # comes from the page cache.
    settings.PAGE_CACHE_SECONDS = 10
    client.get("/jobs/", {"q": "python hybrid"})  # reads the known words once
    with django_assert_max_num_queries(99) as explicit:
        client.get("/jobs/?remote=remote&skill=python")
    with django_assert_max_num_queries(len(explicit.captured_queries)):
        response = client.get("/jobs/", {"q": "python remote"})
    assert len(response.context["page_obj"].object_list) == 3


VOCABULARY = facets.Vocabulary.build(
    [("python", "Python"), ("go", "Go"), ("machine-learning", "Machine learning")],
    [("Berlin", "DE"), ("Munich", "DE"), ("Reading", "GB")],
)
WORDS = ["python", "remote", "hybrid", "senior", "lead", "go", "machine", "learning", "berlin",
         "munich", "reading", "germany", "in", "jobs", "or", '"remote"', "-remote", "-jobs",
         "on-site"]  # fmt: skip


@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=8), max_size=8))
# Found by CI's 500 examples: taking "python" out left "machine learning" standing together.
@example(["machine", "python", "learning"])
def test_resolving_is_idempotent_and_total(words):
    """Any keywords resolve, and resolving the result again changes nothing: a stored
    alert's query means what it meant when it was stored."""
    params = QueryDict(mutable=True)
    params["q"] = " ".join(words)
    once = facets.resolve(params, VOCABULARY)
    plain = QueryDict(once.params.urlencode())
    twice = facets.resolve(plain, VOCABULARY)
    assert sorted(twice.params.lists()) == sorted(once.params.lists())
    assert not twice.applied
