"""Keyword search: `Posting.objects.search()`.

The behaviour tests run on both databases (full-text search on PostgreSQL, the icontains
fallback on SQLite); the ones about the stored vector and stemming need PostgreSQL.
"""

import pytest
from django.db import connection

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
