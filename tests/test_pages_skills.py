"""The skill pages: the list of guides and the guide page with its live openings."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from postings import stats
from postings.models import Posting
from tests import factories
from tests.site_data import HIDDEN_TITLES, build_site, cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return build_site()


def test_skill_list_shows_guides_with_open_roles(client, site):
    without_guide = factories.SkillFactory(name="Tag without guide", slug="tag-without-guide")
    factories.LivePostingFactory(skills=[without_guide])
    unpublished = factories.SkillGuideFactory(title="A draft guide", is_published=False)

    response = client.get(reverse("skills:list"))

    assert response.status_code == 200
    html = response.content.decode()
    for skill in site.skills:
        assert skill.get_absolute_url() in html and skill.guide.lede in html
    assert html.count("<strong>10</strong> open roles") == len(site.skills)
    assert "A draft guide" not in html
    # Skills without a published guide but with openings are listed under the guides.
    assert "Tag without guide" in html and without_guide.get_absolute_url() in html
    assert unpublished.skill.name not in html  # no guide shown and no open roles


def test_skill_page_shows_the_guide(client, site):
    skill = site.skills[0]

    response = client.get(skill.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f"<h1>{skill.guide.title}</h1>" in html
    assert skill.guide.lede in html
    assert skill.guide.body_html in html
    # The table of contents links to the article's headings.
    for entry in skill.guide.toc:
        assert f'href="#{entry["id"]}"' in html
        assert f'id="{entry["id"]}"' in html
    assert f"{skill.guide.reading_minutes} min read" in html
    assert "10 open roles" in html
    assert f'datetime="{skill.guide.updated_at.isoformat(timespec="seconds")}"' in html
    assert f"Job openings for {skill.name}" in html


def test_skill_page_lists_only_live_postings_tagged_with_the_skill_newest_first(client, site):
    skill = site.skills[0]
    factories.LivePostingFactory(title="Untagged live role")
    expected = [posting.title for posting in site.live if skill in posting.skills.all()]

    html = client.get(skill.get_absolute_url()).content.decode()

    shown = [_title(card) for card in cards(openings(html))]
    assert shown == expected
    assert "Untagged live role" not in html
    for title in HIDDEN_TITLES:
        assert title not in html
    assert f'href="{reverse("postings:list")}?skill={skill.slug}"' in html


def test_skill_page_shows_at_most_20_openings_and_links_to_all_of_them(client):
    skill = factories.SkillGuideFactory().skill
    factories.LivePostingFactory.create_batch(23, skills=[skill])

    html = client.get(skill.get_absolute_url()).content.decode()

    assert len(cards(openings(html))) == 20
    assert f"See all 23 {skill.name} openings" in html


def test_market_snapshot(client):
    skill = factories.SkillGuideFactory(skill__name="Rust", skill__slug="rust").skill
    other = factories.SkillFactory(name="WebAssembly", slug="webassembly")
    rare = factories.SkillFactory(name="Embedded", slug="embedded")
    big = factories.CompanyFactory(name="Big Co", slug="big-co")
    small = factories.CompanyFactory(name="Small Co", slug="small-co")
    live = factories.LivePostingFactory
    live(
        company=big,
        skills=[skill, other],
        remote_policy=Posting.RemotePolicy.REMOTE,
        salary_min=50000,
        salary_max=70000,
        salary_currency="EUR",
    )
    live(
        company=big,
        skills=[skill, other],
        remote_policy=Posting.RemotePolicy.REMOTE,
        salary_min=90000,
        salary_max=None,
        salary_currency="EUR",
    )
    live(
        company=big,
        skills=[skill, rare],
        remote_policy=Posting.RemotePolicy.ONSITE,
        salary_min=None,
        salary_max=None,
        salary_currency="",
    )
    live(
        company=small,
        skills=[skill],
        remote_policy=Posting.RemotePolicy.HYBRID,
        salary_min=40000,
        salary_max=60000,
        salary_currency="GBP",
    )
    # Not live, or not this skill: not counted.
    factories.ExpiredPostingFactory(company=small, skills=[skill, rare])
    factories.LivePostingFactory(company=small, skills=[other])

    snapshot = stats.skill_snapshot(skill)

    assert snapshot.open_roles == 4
    assert snapshot.remote_percent == 50
    ranges = {(r.currency, r.period): (r.low, r.high, r.roles) for r in snapshot.salary_ranges}
    assert ranges == {
        ("EUR", Posting.SalaryPeriod.YEAR): (50000, 90000, 2),
        ("GBP", Posting.SalaryPeriod.YEAR): (40000, 60000, 1),
    }
    assert [(c.name, c.open_roles) for c in snapshot.top_companies] == [
        ("Big Co", 3),
        ("Small Co", 1),
    ]
    assert [(s.name, s.shared_roles) for s in snapshot.related_skills] == [
        ("WebAssembly", 2),
        ("Embedded", 1),
    ]
    html = client.get(skill.get_absolute_url()).content.decode()
    assert "Market snapshot" in html
    assert "50%" in html
    assert "EUR 50k–90k" in html and "GBP 40k–60k" in html
    assert big.get_absolute_url() in html and other.get_absolute_url() in html


def test_a_skill_without_a_published_guide_still_shows_its_openings(client):
    draft_guide = factories.SkillGuideFactory(
        title="Not yet", is_published=False, skill__name="Elixir", skill__slug="elixir"
    )
    scheduled = factories.SkillGuideFactory(
        title="Coming soon", published_at=timezone.now() + timedelta(days=1)
    )
    no_guide = factories.SkillFactory(name="Haskell", slug="haskell")
    for skill in (draft_guide.skill, scheduled.skill, no_guide):
        factories.LivePostingFactory(title=f"{skill.name} role", skills=[skill])

        response = client.get(skill.get_absolute_url())

        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{skill.name} jobs</h1>" in html
        assert f"{skill.name} role" in html
        assert "Not yet" not in html and "Coming soon" not in html
        assert "What it is" not in html  # no article


def test_unknown_skill_is_a_404(client):
    assert client.get(reverse("skills:detail", kwargs={"slug": "no-such-skill"})).status_code == 404


@pytest.mark.parametrize("query", ["", "?remote=remote&remote=hybrid&seniority=mid&country=NL"])
def test_skill_page_query_count_is_constant(client, site, query, django_assert_max_num_queries):
    # The skill and its guide, the snapshot (totals, salaries, companies, related skills,
    # the countries of the chips), the openings and their skills: the first openings under
    # the lede are the same query's first rows. Chips add none.
    with django_assert_max_num_queries(8):
        response = client.get(site.skills[0].get_absolute_url() + query)
    assert response.status_code == 200


def test_skill_list_query_count_is_constant(client, site, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("skills:list"))
    assert response.status_code == 200


def openings(html: str) -> str:
    """The guide's list of openings (#openings), without the first ones under the lede."""
    return html.split('id="openings"', 1)[1]


def first_openings(html: str) -> str:
    """The first openings, under the lede."""
    return html.split('class="first-openings"', 1)[1].split("</section>", 1)[0]


def _title(card_html: str) -> str:
    return card_html.split('class="card__link"', 1)[1].split(">", 1)[1].split("</a>", 1)[0]


# The openings within reach of a reader ---------------------------------------------------


def test_the_first_three_openings_are_right_under_the_lede(client, site):
    skill = site.skills[0]
    newest = [posting.title for posting in site.live if skill in posting.skills.all()]

    html = client.get(skill.get_absolute_url()).content.decode()

    first = first_openings(html)
    # Before the article, after the lede: logo, company, title and summary of each.
    assert html.index(skill.guide.lede) < html.index('class="first-openings"')
    assert html.index('class="first-openings"') < html.index('class="guide__article')
    titles = [_title(card) for card in first.split('<article class="card card--compact">')[1:]]
    assert titles == newest[:3]
    posting = next(p for p in site.live if p.title == newest[0])
    assert posting.company.name in first and posting.summary in first
    assert 'class="logo' in first
    assert '<a class="first-openings__all" href="#openings">See all 10 openings' in html
    # The rail and, on a phone, the sticky button lead to the same list.
    assert '<a class="button rail-cta__button" href="#openings">See all 10 openings' in html
    assert '<a class="button jump-to-openings__button" href="#openings">See 10 openings' in html


def test_a_skill_without_a_guide_has_no_preview_of_its_openings(client):
    skill = factories.SkillFactory(name="Haskell", slug="haskell")
    factories.LivePostingFactory(skills=[skill])

    html = client.get(skill.get_absolute_url()).content.decode()

    # Its openings follow the header, before the snapshot: nothing to jump over.
    assert "first-openings" not in html and "jump-to-openings" not in html
    assert html.index('id="openings"') < html.index('id="snapshot-heading"')
    assert len(cards(openings(html))) == 1


def test_cards_on_a_skill_page_leave_out_that_skills_tag(client):
    skill = factories.SkillGuideFactory(skill__name="Rust", skill__slug="rust").skill
    other = factories.SkillFactory(name="WebAssembly", slug="webassembly")
    factories.LivePostingFactory(skills=[skill, other])

    [card] = cards(openings(client.get(skill.get_absolute_url()).content.decode()))

    assert "<li>WebAssembly</li>" in card
    assert "<li>Rust</li>" not in card
    # Elsewhere the card lists both.
    [card] = cards(client.get(reverse("postings:list")).content.decode())
    assert "<li>Rust</li>" in card and "<li>WebAssembly</li>" in card


@pytest.fixture
def guide_openings():
    """A skill whose openings differ in workplace, seniority and country."""
    skill = factories.SkillGuideFactory(skill__name="Go", skill__slug="go").skill
    remote, hybrid, onsite = (
        Posting.RemotePolicy.REMOTE,
        Posting.RemotePolicy.HYBRID,
        Posting.RemotePolicy.ONSITE,
    )
    live = factories.LivePostingFactory
    live(title="Remote senior NL", skills=[skill], remote_policy=remote, seniority="senior")
    live(title="Remote junior DE", skills=[skill], remote_policy=remote, seniority="junior",
         location="Berlin, Germany", country="DE")  # fmt: skip
    live(title="Hybrid senior DE", skills=[skill], remote_policy=hybrid, seniority="senior",
         location="Munich, Germany", country="DE")  # fmt: skip
    live(title="On-site mid NL", skills=[skill], remote_policy=onsite, seniority="mid")
    # Not the skill's, or not live: never among its openings, nor its countries.
    live(title="Other skill FR", remote_policy=remote, location="Paris, France", country="FR")
    factories.ExpiredPostingFactory(
        title="Expired ES", skills=[skill], location="Madrid, Spain", country="ES"
    )
    return skill


def listed(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    return sorted(_title(card) for card in cards(openings(html) if "/skills/" in url else html))


NEW = "Remote senior NL, new"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("remote=remote", ["Remote junior DE", "Remote senior NL", NEW]),
        ("remote=remote&remote=hybrid",
         ["Hybrid senior DE", "Remote junior DE", "Remote senior NL", NEW]),
        ("seniority=senior", ["Hybrid senior DE", "Remote senior NL", NEW]),
        ("country=DE", ["Hybrid senior DE", "Remote junior DE"]),
        ("remote=remote&seniority=senior&country=NL", ["Remote senior NL", NEW]),
        ("remote=onsite&country=DE", []),
    ],
)  # fmt: skip
def test_chips_narrow_the_openings_as_the_listing_does(client, guide_openings, query, expected):
    skill = guide_openings
    client.get(skill.get_absolute_url())
    # Published after the page was first served: the chips read live postings.
    factories.LivePostingFactory(
        title=NEW, skills=[skill], remote_policy="remote", seniority="senior", country="NL"
    )

    assert listed(client, f"{skill.get_absolute_url()}?{query}") == sorted(expected)
    # The same words on the listing mean the same openings.
    listing = f"{reverse('postings:list')}?skill={skill.slug}&{query}"
    assert listed(client, listing) == sorted(expected)


def test_chips_are_links_that_add_and_remove_a_value(client, guide_openings):
    skill = guide_openings
    url = skill.get_absolute_url()

    html = client.get(f"{url}?remote=remote").content.decode()

    chips = html.split('class="narrow"', 1)[1].split("</nav>", 1)[0]
    # Chosen: a link without it. Not chosen: a link with it added (several workplaces
    # match any of them), or replacing the country (one at a time).
    assert f'href="{url}#openings" rel="nofollow" aria-current="true">Remote' in chips
    assert f'href="{url}?remote=remote&amp;remote=hybrid#openings" rel="nofollow">Hybrid' in chips
    assert (
        f'href="{url}?remote=remote&amp;seniority=senior#openings" rel="nofollow">Senior' in chips
    )
    assert f'href="{url}?remote=remote&amp;country=DE#openings" rel="nofollow">Germany' in chips
    # Open when a chip is chosen; closed on a phone otherwise (always open when wider).
    assert '<details class="narrow-disclosure disclosure" open>' in html
    assert '<details class="narrow-disclosure disclosure">' in client.get(url).content.decode()
    html = client.get(f"{url}?country=DE").content.decode()
    assert f'href="{url}?country=NL#openings" rel="nofollow">Netherlands' in html
    # The list leads on to the listing with the same filters.
    assert f'href="{reverse("postings:list")}?skill=go&amp;country=DE"' in html


def test_only_countries_with_live_openings_for_the_skill_are_chips(client, guide_openings):
    html = client.get(guide_openings.get_absolute_url()).content.decode()

    chips = html.split('id="narrow-country"', 1)[1].split("</ul>", 1)[0]
    assert [chip.split("<", 1)[0] for chip in chips.split('rel="nofollow">')[1:]] == [
        "Germany",
        "Netherlands",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "remote=everywhere",
        "seniority=guru",
        "country=XX",
        "country=de%00",
        "remote=remote&seniority=x",
    ],
)
def test_invalid_chip_values_are_a_400_that_still_lists_the_openings(client, guide_openings, query):
    response = client.get(f"{guide_openings.get_absolute_url()}?{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters could not be applied" in html
    # The invalid value is ignored; the valid ones still apply.
    expected = 2 if query.startswith("remote=remote") else 4
    assert len(cards(openings(html))) == expected


def test_other_parameters_are_not_filters_of_the_guide(client, guide_openings):
    response = client.get(f"{guide_openings.get_absolute_url()}?q=nothing&type=x&utm_source=news")

    assert response.status_code == 200
    assert len(cards(openings(response.content.decode()))) == 4


def test_narrowed_openings_say_so_and_offer_the_way_back(client, guide_openings):
    url = guide_openings.get_absolute_url()

    html = client.get(f"{url}?remote=onsite&country=DE").content.decode()

    assert "No Go openings match these filters" in html
    assert f'<a href="{url}#openings">Show all Go openings</a>' in html
    # The first openings under the lede are not those of a narrowed list.
    assert "first-openings" not in html
    html = client.get(f"{url}?remote=remote").content.decode()
    assert "2 matching openings" in html


def test_the_guide_loads_its_table_of_contents_script(client, site):
    html = client.get(site.skills[0].get_absolute_url()).content.decode()
    # Deferred, from this origin (the CSP allows no inline script).
    assert '<script src="/static/js/guide.js" defer></script>' in html
    assert "<script>" not in html


def test_the_first_openings_mark_new_ones_as_their_whole_list_does(client):
    skill = factories.SkillGuideFactory().skill
    now = timezone.now()
    for hours in (1, 2):
        factories.LivePostingFactory(skills=[skill], published_at=now - timedelta(hours=hours))
    for days in range(3, 9):
        factories.LivePostingFactory(skills=[skill], published_at=now - timedelta(days=days))

    html = client.get(skill.get_absolute_url()).content.decode()

    # Two new of eight: marked in the list, and so in its first three (two of three alone
    # would not be).
    assert first_openings(html).count("badge--new") == 2
    assert sum("badge--new" in card for card in cards(openings(html))) == 2


def test_a_guide_missing_the_page_cache_reads_only_its_openings(client, site, settings):
    # The skill, its guide and its market snapshot are the same for every visit until the
    # content changes: kept per content generation (jobboard.cache.cached), as the page
    # is, so that each query string (another page to the page cache) reads the openings.
    settings.PAGE_CACHE_SECONDS = 10
    url = site.skills[0].get_absolute_url()
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"{url}?utm_source=newsletter")

    # The openings; their skills are named from the rows' skill ids on PostgreSQL, read
    # from the links elsewhere (postings.models.CardIterable).
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert again.content == first.content


def test_a_guide_edit_shows_on_the_next_visit(client, site, settings):
    settings.PAGE_CACHE_SECONDS = 10
    guide = site.skills[0].guide
    client.get(f"{guide.get_absolute_url()}?utm_source=a")

    guide.title = "Backend development, revised"
    guide.save()
    factories.LivePostingFactory(skills=[guide.skill])
    html = client.get(f"{guide.get_absolute_url()}?utm_source=b").content.decode()

    assert "<h1>Backend development, revised</h1>" in html
    assert "11 open roles" in html


def test_a_skill_created_after_a_404_has_its_page(client, settings):
    # Nothing is kept for an unknown slug.
    settings.PAGE_CACHE_SECONDS = 10
    assert client.get("/skills/late-skill/").status_code == 404

    factories.SkillFactory(name="Late skill", slug="late-skill")

    assert client.get("/skills/late-skill/?again").status_code == 200


def test_chips_kept_for_a_guide_without_a_choice_never_show_on_a_narrowed_one(
    client, guide_openings, settings
):
    # The chips are the same for every visit while none is chosen: built once per
    # content generation ({% shared_part %}). A choice, or an invalid one, builds them.
    settings.PAGE_CACHE_SECONDS = 10
    url = guide_openings.get_absolute_url()

    plain = client.get(url).content.decode()
    narrowed = client.get(f"{url}?remote=remote").content.decode()
    invalid = client.get(f"{url}?remote=nowhere").content.decode()

    assert '<details class="narrow-disclosure disclosure">' in plain
    assert 'aria-current="true">Remote' in narrowed
    assert '<details class="narrow-disclosure disclosure" open>' in narrowed
    assert '<details class="narrow-disclosure disclosure" open>' in invalid
    # A new country among the skill's openings is a chip on the next visit.
    factories.LivePostingFactory(skills=[guide_openings], location="Paris, France", country="FR")
    assert f'href="{url}?country=FR#openings"' in client.get(url).content.decode()


def test_the_guide_writes_its_count_of_openings_one_way_everywhere(client, site, monkeypatch):
    """1,646 in the snapshot's figure, its note, the lede's link and the description:
    never "1646" beside "1,646"."""
    skill = site.skills[0]
    snapshot = stats.skill_snapshot(skill)
    monkeypatch.setattr(stats, "skill_snapshot", lambda _: replace(snapshot, open_roles=1646))

    html = client.get(skill.get_absolute_url()).content.decode()

    assert "1646" not in html
    assert "1,646 open roles</a>" in html
    assert "From the 1,646 live openings" in html
