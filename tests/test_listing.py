"""The job listing at /jobs/: filters, sorting, pagination, bad input and query count.

Filters combine with AND; several values of one filter (skill, remote, type, seniority)
match any of them (OR).
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from postings.models import Posting
from skills.models import Skill
from tests import factories
from tests.site_data import HIDDEN_TITLES, build_site, cards

pytestmark = pytest.mark.django_db

LIST_URL = "/jobs/"


def get(client, query="", status=200):
    response = client.get(f"{reverse('postings:list')}?{query}" if query else LIST_URL)
    assert response.status_code == status, response.content.decode()[:500]
    return response


def titles(response) -> list[str]:
    return [posting.title for posting in response.context["page_obj"].object_list]


def live(title, **fields):
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    return factories.LivePostingFactory(title=title, **fields)


def test_url_name():
    assert reverse("postings:list") == LIST_URL


def test_lists_live_postings_newest_first_and_nothing_hidden(client):
    site = build_site(live=5)

    response = get(client)

    assert titles(response) == [posting.title for posting in site.live]
    html = response.content.decode()
    assert "5 openings" in html
    for title in HIDDEN_TITLES:
        assert title not in html


def test_each_card_is_one_link_with_a_machine_readable_date(client):
    build_site(live=3)

    for card in cards(get(client).content.decode()):
        assert card.split("</article>")[0].count("<a ") == 1
        assert "<time datetime=" in card


def test_keyword_filter(client):
    live("Zeppelin Pilot")
    live("Backend Engineer", description="You will fly a zeppelin.")
    live("Frontend Engineer")

    assert set(titles(get(client, "q=zeppelin"))) == {"Zeppelin Pilot", "Backend Engineer"}


def test_skill_filter_matches_any_of_the_skills(client):
    python = factories.SkillFactory(name="Python", slug="python")
    go = factories.SkillFactory(name="Go", slug="go")
    rust = factories.SkillFactory(name="Rust", slug="rust")
    live("Python role", skills=[python])
    live("Go role", skills=[go])
    live("Python and Go role", skills=[python, go])
    live("Rust role", skills=[rust])

    assert set(titles(get(client, "skill=python"))) == {"Python role", "Python and Go role"}
    both = titles(get(client, "skill=python&skill=go"))
    # OR, and a posting with both skills appears once.
    assert sorted(both) == ["Go role", "Python and Go role", "Python role"]


def test_company_filter(client):
    acme = factories.CompanyFactory(name="Acme", slug="acme")
    live("Acme role", company=acme)
    live("Other role")

    assert titles(get(client, "company=acme")) == ["Acme role"]


def test_location_filter(client):
    live("Berlin role", location="Berlin, Germany")
    live("Paris role", location="Paris, France")

    assert titles(get(client, "location=berlin")) == ["Berlin role"]


@pytest.mark.parametrize(
    ("parameter", "field", "chosen", "other"),
    [
        ("remote", "remote_policy", Posting.RemotePolicy.REMOTE, Posting.RemotePolicy.ONSITE),
        (
            "type",
            "employment_type",
            Posting.EmploymentType.CONTRACT,
            Posting.EmploymentType.FULL_TIME,
        ),
        ("seniority", "seniority", Posting.Seniority.SENIOR, Posting.Seniority.JUNIOR),
    ],
)
def test_choice_filters(client, parameter, field, chosen, other):
    live("Chosen", **{field: chosen})
    live("Other", **{field: other})

    assert titles(get(client, f"{parameter}={chosen.value}")) == ["Chosen"]
    assert len(titles(get(client, f"{parameter}={chosen.value}&{parameter}={other.value}"))) == 2


def test_salary_at_least_compares_the_top_of_the_range(client):
    live("Range reaching 80k", salary_min=60000, salary_max=80000)
    live("Range below", salary_min=60000, salary_max=79999)
    live("From 90k, no maximum", salary_min=90000, salary_max=None)
    live("From 70k, no maximum", salary_min=70000, salary_max=None)
    live("Up to 85k", salary_min=None, salary_max=85000)
    live("No salary", salary_min=None, salary_max=None, salary_currency="")

    assert set(titles(get(client, "salary_min=80000"))) == {
        "Range reaching 80k",
        "From 90k, no maximum",
        "Up to 85k",
    }


def test_posted_within(client):
    now = timezone.now()
    live("Hours ago", published_at=now - timedelta(hours=23))
    live("Yesterday and a bit", published_at=now - timedelta(hours=25))
    live("Last week", published_at=now - timedelta(days=6, hours=23))
    live("Weeks ago", published_at=now - timedelta(days=8))

    assert titles(get(client, "posted=24h")) == ["Hours ago"]
    assert titles(get(client, "posted=7d")) == ["Hours ago", "Yesterday and a bit", "Last week"]
    assert len(titles(get(client, "posted=30d"))) == 4


def test_filters_combine_with_and(client):
    python = factories.SkillFactory(name="Python", slug="python")
    remote = Posting.RemotePolicy.REMOTE
    live("Remote Python", skills=[python], remote_policy=remote)
    live("On-site Python", skills=[python], remote_policy=Posting.RemotePolicy.ONSITE)
    live("Remote other", remote_policy=remote)
    live("Remote Python, low pay", skills=[python], remote_policy=remote, salary_max=30000,
         salary_min=20000)  # fmt: skip

    response = get(client, "skill=python&remote=remote&salary_min=50000")

    assert titles(response) == ["Remote Python"]
    assert "1 opening" in response.content.decode()


def test_sort_by_salary_puts_the_best_paid_first_and_unknown_salaries_last(client):
    live("No salary", salary_min=None, salary_max=None, salary_currency="")
    live("Up to 100k", salary_min=50000, salary_max=100000)
    live("From 120k", salary_min=120000, salary_max=None)
    live("Up to 60k", salary_min=None, salary_max=60000)

    assert titles(get(client, "sort=salary")) == [
        "From 120k",
        "Up to 100k",
        "Up to 60k",
        "No salary",
    ]


def test_sort_by_relevance_is_the_default_with_keywords(client):
    now = timezone.now()
    live("Kotlin Developer", published_at=now - timedelta(days=3))
    live("Backend Engineer", description="Some kotlin.", published_at=now - timedelta(days=1))

    assert titles(get(client, "q=kotlin")) == ["Kotlin Developer", "Backend Engineer"]
    assert titles(get(client, "q=kotlin&sort=relevance")) == [
        "Kotlin Developer",
        "Backend Engineer",
    ]
    assert titles(get(client, "q=kotlin&sort=newest")) == ["Backend Engineer", "Kotlin Developer"]


def test_relevance_ranks_across_pages_with_equal_matches_newest_first(
    client, django_assert_max_num_queries
):
    now = timezone.now()
    live("Zeppelin Pilot", published_at=now - timedelta(days=20))
    for hour in range(24):
        live(
            f"Engineer {hour:02}",
            description="Some zeppelin work.",
            published_at=now - timedelta(hours=hour + 1),
        )

    # The words that may name a skill or a place (facets), the window's ids and ranks,
    # the page's rows by id and their skills; the skill and company choices and the
    # exchange rates' date (cached in production). Under 101 matches: no estimate.
    with django_assert_max_num_queries(8):
        first = get(client, "q=zeppelin")
    second = get(client, "q=zeppelin&page=2")

    # The title match first, then the equal matches newest first, page 2 where 1 stopped.
    expected = ["Zeppelin Pilot"] + [f"Engineer {hour:02}" for hour in range(24)]
    assert titles(first) + titles(second) == expected
    assert "25 openings" in first.content.decode()
    # What the filter's queryset gives other readers is the same ranking, made in SQL.
    assert [posting.title for posting in first.context["filter"].qs] == expected


def test_relevance_without_keywords_falls_back_to_newest(client):
    now = timezone.now()
    live("Older", published_at=now - timedelta(days=2))
    live("Newer", published_at=now - timedelta(days=1))

    response = get(client, "sort=relevance")

    assert titles(response) == ["Newer", "Older"]
    assert 'value="relevance"' not in response.content.decode()  # offered only with keywords


def test_active_filters_are_shown_and_each_can_be_removed(client):
    python = factories.SkillFactory(name="Python", slug="python")
    factories.SkillFactory(name="Go", slug="go")
    live("Remote Python", skills=[python], remote_policy=Posting.RemotePolicy.REMOTE)

    response = get(client, "skill=python&skill=go&remote=remote&page=1")

    chips = response.context["active_filters"]
    # Skills in name order; the second is joined to the first by "or".
    assert [chip.label for chip in chips] == ["Go", "Python", "Remote"]
    assert [chip.or_previous for chip in chips] == [False, True, False]
    # Removing one drops it and the page number, and keeps the rest.
    assert chips[0].remove_query == "skill=python&remote=remote"
    assert chips[2].remove_query == "skill=python&skill=go"
    html = response.content.decode()
    assert 'href="/jobs/?skill=python&amp;remote=remote"' in html
    assert '<li class="chips__or">or</li>' in html


def test_an_empty_result_explains_itself_and_offers_to_clear_filters(client):
    factories.SkillFactory(name="Python", slug="python")
    live("On-site role", remote_policy=Posting.RemotePolicy.ONSITE)

    response = get(client, "skill=python&remote=remote")

    html = response.content.decode()
    assert "0 openings" in html
    assert "No openings match all of these filters" in html
    assert "<strong>Python</strong> · <strong>Remote</strong>" in html
    assert f'<a class="button" href="{LIST_URL}">Clear filters</a>' in html


def test_20_per_page_and_pagination_keeps_the_filters(client):
    python = factories.SkillFactory(name="Python", slug="python")
    factories.LivePostingFactory.create_batch(45, skills=[python])
    live("Untagged")

    first = get(client, "skill=python&remote=hybrid")
    assert len(titles(first)) == 20
    html = first.content.decode()
    assert '"?skill=python&amp;remote=hybrid&amp;page=2"' in html
    assert "45 openings" in html

    last = get(client, "skill=python&remote=hybrid&page=3")
    assert len(titles(last)) == 5
    # Page 1 is the plain URL, filters kept.
    assert 'href="?skill=python&amp;remote=hybrid"' in last.content.decode()


@pytest.mark.parametrize("page", ["3", "999", "0", "-1", "abc", "1.5"])
def test_a_page_past_the_end_or_an_invalid_page_is_a_404(client, page):
    factories.LivePostingFactory.create_batch(21)

    get(client, f"page={page}", status=404)


def test_page_one_of_an_empty_listing_is_not_a_404(client):
    assert titles(get(client, "page=1")) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("salary_min=abc", "Enter a whole number."),
        ("salary_min=-5", "greater than or equal to 0"),
        ("posted=999", "Select a valid choice."),
        ("skill=no-such-skill", "Select a valid choice."),
        ("company=no-such-company", "Select a valid choice."),
        ("remote=moon", "Select a valid choice."),
        ("sort=cheapest", "Select a valid choice."),
        ("q=" + "x" * 300, "at most 200 characters"),
    ],
)
def test_invalid_values_show_an_error_and_the_valid_filters_still_apply(client, query, message):
    live("Remote role", remote_policy=Posting.RemotePolicy.REMOTE)
    live("On-site role", remote_policy=Posting.RemotePolicy.ONSITE)

    response = get(client, f"{query}&remote=remote", status=400)

    html = response.content.decode()
    assert "Some filters could not be applied" in html
    assert message in html
    if not query.startswith("remote="):
        assert titles(response) == ["Remote role"]


def test_query_count_is_constant(client, django_assert_max_num_queries):
    site = build_site(skills=8, companies=8, live=40)
    query = (
        f"skill={site.skills[0].slug}&skill={site.skills[1].slug}"
        f"&company={site.companies[1].slug}&remote=hybrid&salary_min=1000&sort=salary"
    )
    # PostgreSQL's estimate (which may spare the count), count, page, the page's skills,
    # the skill and company choices, checking the chosen skills and company, and the date
    # of the exchange rates that "Salary at least" names (cached in production).
    with django_assert_max_num_queries(9):
        response = get(client, query)
    assert len(titles(response)) > 1
    with django_assert_max_num_queries(7):
        response = get(client)
    assert len(titles(response)) == 20


@pytest.mark.parametrize("keywords", ['"', "'", "&|!", "a:*", "-", "(", "ünïcödé", "%_", "or"])
def test_odd_keywords_never_fail(client, keywords):
    live("Some role")

    response = client.get(reverse("postings:list"), {"q": keywords})

    assert response.status_code == 200


def test_a_null_character_is_an_error_not_a_crash(client):
    response = client.get(reverse("postings:list"), {"q": "a\x00b", "location": "x\x00"})

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def skills_filter(html: str) -> tuple[str, str]:
    """The skills offered at once, and those behind "Show all" ("" when there is none)."""
    fieldset = re.search(r"<legend>Skills.*?</fieldset>", html, re.S)[0]
    shown, _, more = fieldset.partition('<details class="checks__more">')
    return shown, more


def test_the_skills_filter_offers_the_most_used_and_the_others_behind_show_all(client):
    skills = {
        c: factories.SkillFactory(name=f"Skill {c}", slug=f"skill-{c}") for c in "abcdefghijkl"
    }
    most_used = [skills[c] for c in "efghijkl"]  # two postings each: the POPULAR_SKILLS
    live("Two of them", skills=most_used)
    live("Two of them again", skills=most_used)
    live("One", skills=[skills["d"]])  # used, but less

    shown, more = skills_filter(get(client).content.decode())

    assert re.findall(r"<label[^>]*>Skill (\w)</label>", shown) == list("efghijkl")
    assert "Show all 12 skills</summary>" in more
    assert re.findall(r"<label[^>]*>Skill (\w)</label>", more) == list("abcd")

    # A ticked skill is never hidden behind the disclosure, and every box has its own id.
    html = get(client, "skill=skill-b").content.decode()
    shown, more = skills_filter(html)
    assert 'value="skill-b" id="id_skill_0" checked> <label for="id_skill_0">Skill b<' in shown
    assert "Skill b" not in more
    ids = re.findall(r'id="(id_skill_\d+)"', html)
    assert len(ids) == 12 and len(set(ids)) == 12


def test_a_short_skills_list_is_shown_whole(client):
    for c in "abcdefghij":  # ten: two more than the most used are not worth a click
        factories.SkillFactory(name=f"Skill {c}", slug=f"skill-{c}")

    shown, more = skills_filter(get(client).content.decode())

    assert more == "" and len(re.findall("<label", shown)) == 10


def test_the_most_used_skills_are_part_of_the_cached_form_choices(client, monkeypatch, settings):
    """Read with the other choices once per change of content, not per request."""
    from postings import stats

    settings.PAGE_CACHE_SECONDS = 60  # parts of pages are cached as long (0 in tests)
    build_site(skills=12, live=10)
    reads = []
    read = stats.skill_choices
    monkeypatch.setattr(stats, "skill_choices", lambda: reads.append(1) or read())

    first = get(client).content.decode()
    second = get(client, "remote=hybrid").content.decode()

    assert len(reads) == 1
    assert skills_filter(first)[1] and skills_filter(second)[1]  # "Show all" on both


def test_ticked_skills_are_checked_against_cached_skills(client, settings):
    """No query of the skills per request; a skill added since is accepted at once (its
    save announces itself to the cache), and an unknown one is still an error."""
    settings.PAGE_CACHE_SECONDS = 60  # parts of pages are cached as long (0 in tests)
    site = build_site(skills=3, live=6)
    get(client, f"skill={site.skills[0].slug}")

    with CaptureQueriesContext(connection) as queries:  # another page, with two skills
        response = get(client, f"skill={site.skills[1].slug}&skill={site.skills[0].slug}")

    sql = [str(query["sql"]) for query in queries.captured_queries]
    assert not [text for text in sql if text.startswith('SELECT "skills_skill"')]
    chips = [chip.label for chip in response.context["active_filters"]]
    assert chips == [site.skills[0].name, site.skills[1].name]  # A to Z, as ever
    added = factories.SkillFactory(name="Zig", slug="zig")
    factories.LivePostingFactory(title="Zig role", skills=[added])
    assert titles(get(client, "skill=zig")) == ["Zig role"]
    assert "is not one of the available choices" in get(client, "skill=zag", 400).content.decode()


def test_a_skill_added_by_another_process_is_accepted_before_this_one_hears(client, settings):
    """Another worker's save does not reach this process's cached skills: the skill is
    accepted all the same, not a 400, and still listed A to Z with the others."""
    settings.PAGE_CACHE_SECONDS = 60
    site = build_site(skills=2, live=4)
    get(client, f"skill={site.skills[0].slug}")  # the map of skills is now cached
    # A second worker's write, as this process sees it: no signal here.
    Skill.objects.bulk_create([Skill(name="Aardvark", slug="aardvark")])

    response = get(client, f"skill={site.skills[0].slug}&skill=aardvark")

    chips = [chip.label for chip in response.context["active_filters"]]
    assert chips == ["Aardvark", site.skills[0].name]
    assert "is not one of the available choices" in get(client, "skill=zag", 400).content.decode()


# An empty result: which filters to remove, and what each removal gives.
EMPTY = "q=zeppelin&skill=python&remote=remote&seniority=lead"


@pytest.fixture
def near_misses():
    """Nothing matches EMPTY; without one of its filters, 3, 2, 1 or 4 openings do."""
    python = factories.SkillFactory(name="Python", slug="python")
    remote, onsite = Posting.RemotePolicy.REMOTE, Posting.RemotePolicy.ONSITE
    lead, junior = Posting.Seniority.LEAD, Posting.Seniority.JUNIOR
    for n in range(3):  # all but the keyword
        live(f"Python lead {n}", skills=[python], remote_policy=remote, seniority=lead)
    for n in range(2):  # all but the skill
        live(f"Zeppelin lead {n}", remote_policy=remote, seniority=lead)
    live("Zeppelin on-site", skills=[python], remote_policy=onsite, seniority=lead)
    for n in range(4):  # all but the seniority
        live(f"Zeppelin junior {n}", skills=[python], remote_policy=remote, seniority=junior)


def listed_total(client, query) -> int:
    """What the listing at `query` says it holds, checked against the rows it lists."""
    response = get(client, query)
    heading = re.search(r'id="results-heading">\s*(\d+) opening', response.content.decode())
    assert int(heading[1]) == len(titles(response)), query
    return int(heading[1])


def test_an_empty_result_suggests_the_three_filters_whose_removal_lists_the_most(
    client, near_misses
):
    response = get(client, EMPTY)

    assert titles(response) == []
    relaxations = response.context["relaxations"]
    assert [(r.removed, r.total) for r in relaxations] == [
        (["Lead"], 4),
        (["“zeppelin”"], 3),
        (["Python"], 2),
    ]  # not "Remote" (1): at most three, those that list the most
    html = response.content.decode()
    for relaxation in relaxations:
        # Each count is what the listing without that filter lists.
        assert listed_total(client, relaxation.query) == relaxation.total
        link = f'<a href="{LIST_URL}?{relaxation.query.replace("&", "&amp;")}">Without '
        assert link in html
    assert "Without <strong>Lead</strong>: 4 openings</a>" in html


def test_a_filter_matching_any_of_several_values_is_removed_whole(client, near_misses):
    factories.SkillFactory(name="Go", slug="go")

    response = get(client, EMPTY + "&skill=go")

    relaxed = {tuple(r.removed): r for r in response.context["relaxations"]}
    # Removing only Go or only Python would narrow the result: both go together.
    skills = relaxed[("Go", "Python")]
    assert skills.query == "q=zeppelin&remote=remote&seniority=lead"
    assert skills.total == listed_total(client, skills.query) == 2
    assert "Without <strong>Go</strong> or <strong>Python</strong>: 2 openings" in (
        response.content.decode()
    )


def test_a_suggestion_leaves_out_the_values_the_listing_ignored(client, near_misses):
    response = get(client, EMPTY + "&salary_min=lots", status=400)

    assert response.context["relaxations"]
    for relaxation in response.context["relaxations"]:
        assert "salary_min" not in relaxation.query
        assert get(client, relaxation.query).status_code == 200


def test_an_empty_result_offers_no_sort_and_no_feed_of_nothing(client, near_misses):
    html = get(client, EMPTY).content.decode()

    assert "Best match" not in html and 'name="sort"' not in html
    assert "Subscribe" not in html and "by e-mail" not in html
    # The head names the board's own feed, not one of this empty search.
    assert 'href="/jobs/feed/atom/"' in html and "feed/atom/?" not in html

    full = get(client, "q=zeppelin").content.decode()
    assert "Best match" in full and "Get these jobs by e-mail" in full


def test_only_an_empty_result_pays_for_suggestions(client, near_misses, django_assert_num_queries):
    # A page with openings: the pinned queries of test_query_count_is_constant, none more.
    response = get(client, "skill=python&remote=remote")
    assert titles(response) and "relaxations" not in response.context

    # An empty one: its own queries (the ranked window of the keyword search, the form's
    # choices, checking the chosen skill), then for each of its four filters the listing
    # without it: checking the skill where it is left, and either the window of the
    # keywords where they are left or else a bounded count (on PostgreSQL after the
    # planner's estimate). And the keyword box's known words, skills and cities
    # (postings/facets.py: a cached part, read once per content generation in production;
    # tests cache no part), read once: the suggestions' searches are already resolved.
    # Fourteen on SQLite, fifteen on PostgreSQL, whatever the data.
    with django_assert_num_queries(15 if connection.vendor == "postgresql" else 14):
        response = get(client, EMPTY)
    assert len(response.context["relaxations"]) == 3
