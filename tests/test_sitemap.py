from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.utils import timezone

from jobboard import sitemaps
from postings import stats
from tests import factories

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://testserver"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/xml"
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own response)


def urlset(client, url) -> dict[str, str | None]:
    """{location: lastmod} of one sitemap section."""
    return {
        url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod")
        for url in xml(client, url).iter(f"{NS}url")
    }


SECTIONS = ["pages", "skills", "companies", "jobs"]


@pytest.fixture(params=["live", "stored"])
def figures(request, settings):
    """Sizes and latest changes computed on each request, as in tests, or read from the
    stored market figures, as in production (PostgreSQL only): the jobs and companies
    sections page differently in each."""
    if request.param == "stored":
        if connection.vendor != "postgresql":
            pytest.skip("market figures are stored on PostgreSQL only")
        settings.MARKET_STATS_SECONDS = 300
    stats._read_recently.clear()
    yield request.param
    stats._read_recently.clear()


@pytest.fixture
def content(db):
    guide = factories.SkillGuideFactory(skill__name="Python", skill__slug="python")
    draft_guide = factories.SkillGuideFactory(skill__slug="draft-skill", is_published=False)
    factories.SkillFactory(slug="no-guide")
    company = factories.CompanyFactory(slug="acme")
    live = factories.LivePostingFactory(company=company, skills=[guide.skill])
    hidden = [
        factories.PostingFactory(company=company),
        factories.FuturePostingFactory(company=company),
        factories.ExpiredPostingFactory(company=company),
        factories.ClosedPostingFactory(company=company),
    ]
    return {"guide": guide, "draft_guide": draft_guide, "live": live, "hidden": hidden}


def test_sitemap_xml_is_an_index_of_its_sections(client, content):
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{NS}sitemapindex"
    locations = [s.findtext(f"{NS}loc") for s in index.iter(f"{NS}sitemap")]
    assert locations == [
        f"{BASE}/sitemap-pages.xml",
        f"{BASE}/sitemap-skills.xml",
        f"{BASE}/sitemap-companies.xml",
        f"{BASE}/sitemap-jobs.xml",
    ]
    lastmods = {s.findtext(f"{NS}loc"): s.findtext(f"{NS}lastmod") for s in index}
    assert lastmods[f"{BASE}/sitemap-jobs.xml"] == content["live"].updated_at.isoformat()


def test_jobs_section_lists_live_postings_only_with_lastmod(client, content):
    live = content["live"]
    assert urlset(client, "/sitemap-jobs.xml") == {
        f"{BASE}{live.get_absolute_url()}": live.updated_at.strftime("%Y-%m-%d")
    }


def test_skills_section_lists_skills_with_a_published_guide(client, content):
    guide = content["guide"]
    assert urlset(client, "/sitemap-skills.xml") == {
        f"{BASE}/skills/python/": guide.updated_at.strftime("%Y-%m-%d")
    }


def test_companies_and_pages_sections(client, content):
    assert list(urlset(client, "/sitemap-companies.xml")) == [f"{BASE}/companies/acme/"]
    pages = urlset(client, "/sitemap-pages.xml")
    assert list(pages) == [f"{BASE}/", f"{BASE}/jobs/", f"{BASE}/skills/", f"{BASE}/companies/"]
    assert set(pages.values()) == {content["live"].published_at.strftime("%Y-%m-%d")}


def test_a_large_section_is_split_into_pages_of_the_limit(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps.PostingSitemap, "limit", 2)
    now = timezone.now()
    postings = [
        factories.LivePostingFactory(published_at=now - timedelta(hours=n)) for n in range(5)
    ]
    locations = [s.findtext(f"{NS}loc") for s in xml(client, "/sitemap.xml").iter(f"{NS}sitemap")]
    assert locations[-3:] == [
        f"{BASE}/sitemap-jobs.xml",
        f"{BASE}/sitemap-jobs.xml?p=2",
        f"{BASE}/sitemap-jobs.xml?p=3",
    ]
    pages = [urlset(client, f"/sitemap-jobs.xml?p={page}") for page in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert set().union(*pages) == {f"{BASE}{p.get_absolute_url()}" for p in postings}


def test_the_limit_is_the_protocols_50000():
    for sitemap in sitemaps.SITEMAPS.values():
        assert sitemap.limit == 50_000


BAD_PAGES = [
    "p=0", "p=99", "p=-1", "p=abc", "p=1e9", "p=1e3", "p=1.0", "p=", "p=%00", "p=%ff",
    "p=" + "9" * 30, "p=NaN", "p=inf", "p=0x1", "p=1&p=abc",
]  # fmt: skip


@pytest.mark.parametrize("section", SECTIONS)
def test_a_page_past_the_end_or_not_a_number_is_a_404(client, content, figures, section):
    url = f"/sitemap-{section}.xml"
    assert client.get(url).status_code == 200, url
    for query in BAD_PAGES:
        assert client.get(f"{url}?{query}").status_code == 404, f"{url}?{query}"


def test_unknown_section_is_a_404(client, db):
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-skills.xml",
        "/sitemap-companies.xml",
        "/sitemap-jobs.xml",
    ],
)
def test_query_count_does_not_grow_with_content(
    client, content, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for _ in range(5):
        guide = factories.SkillGuideFactory()
        factories.LivePostingFactory(skills=[guide.skill])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_filters(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert lines[0] == "User-agent: *"
    assert {
        "Disallow: /jobs/?",
        "Allow: /jobs/?page=",
        "Disallow: /jobs/?page=*&",
        "Disallow: /jobs/feed/atom/?",
        "Disallow: /admin/",
    } <= set(lines)


def test_robots_txt_does_not_reveal_a_custom_admin_url(client, settings):
    settings.ADMIN_URL = "staff-only-1f3a/"
    content = client.get("/robots.txt").content.decode()
    assert "staff-only" not in content
    assert "/admin/" not in content


def robots_allows(rules: list[tuple[str, str]], path: str) -> bool:
    """Google's reading of robots.txt: the longest matching rule wins, Allow on a tie."""
    import re

    def matches(pattern):
        regex = "".join(".*" if c == "*" else re.escape(c) for c in pattern.rstrip("$"))
        return re.match(regex + ("$" if pattern.endswith("$") else ""), path)

    matching = [(len(pattern), kind == "Allow") for kind, pattern in rules if matches(pattern)]
    return max(matching, default=(0, True))[1]


@pytest.mark.parametrize(
    "path, crawlable",
    [
        ("/jobs/", True),
        ("/jobs/?page=2", True),
        ("/jobs/?page=2&skill=go", False),
        ("/jobs/?skill=go", False),
        ("/jobs/?skill=go&page=2", False),
        ("/jobs/backend-engineer/", True),
        ("/skills/python/", True),
        ("/companies/acme/", True),
        ("/jobs/feed/atom/", True),
        ("/jobs/feed/atom/?skill=go", False),
        ("/admin/login/", False),
    ],
)
def test_what_robots_txt_lets_crawlers_read(client, path, crawlable):
    rules = [
        tuple(line.split(": ", 1))
        for line in client.get("/robots.txt").content.decode().splitlines()
        if line.startswith(("Allow:", "Disallow:"))
    ]
    assert robots_allows(rules, path) is crawlable


# A section page of 50,000 URLs is built without a model instance, a reverse() or a
# template node per URL (jobboard.sitemaps: they took 8-11 s a page at a million
# postings); what a crawler reads is what Django's sitemap.xml template gives.


@pytest.mark.parametrize("time_zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_is_the_xml_djangos_template_gives(client, content, settings, time_zone, section):
    from django.template.loader import render_to_string

    settings.TIME_ZONE = time_zone  # lastmod is a date in the site's time zone
    # Late in the UTC day: the next day in Kiritimati (UTC+14), the same one in Adak.
    late = timezone.now().replace(hour=23, minute=30)
    factories.LivePostingFactory(company=content["live"].company, updated_at=late)
    response = client.get(f"/sitemap-{section}.xml")
    assert response.status_code == 200
    assert response.context_data["urlset"]
    expected = render_to_string("sitemap.xml", response.context_data)
    assert response.content.decode() == expected


def test_the_urlset_renders_every_field_as_djangos_template_does():
    import datetime

    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    urlset = [
        {
            "location": "http://testserver/a?b=1&c=<2>'\"",
            "lastmod": datetime.datetime(2024, 2, 29, 23, 59, tzinfo=datetime.UTC),
            "changefreq": "weekly",
            "priority": "0.8",
            "alternates": [{"location": "http://testserver/fr/a?b&c", "lang_code": "fr"}],
        },
        {
            "location": mark_safe("http://testserver/b?x=1&amp;y=2"),
            "lastmod": datetime.date(999, 1, 2),
            "changefreq": None,
            "priority": "",
            "alternates": [],
        },
        {"location": "/c", "lastmod": None, "changefreq": "", "priority": "", "alternates": []},
    ]
    for urls in (urlset, []):
        rendered = sitemaps.UrlsetXml().render({"urlset": urls})
        assert rendered == render_to_string("sitemap.xml", {"urlset": urls})


@pytest.mark.parametrize("section", ["jobs", "companies", "skills"])
def test_a_section_builds_no_model_instance_or_url_per_item(client, content, monkeypatch, section):
    from django.db.models.signals import post_init
    from django.urls.resolvers import URLResolver

    reversed_urls = []
    reverse = URLResolver._reverse_with_prefix

    def counting_reverse(self, *args, **kwargs):
        reversed_urls.append(args[0])
        return reverse(self, *args, **kwargs)

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counting_reverse)
    instances = []

    def counting_instances(sender, **kwargs):
        instances.append(sender)

    post_init.connect(counting_instances)
    try:
        work = []
        for _ in range(2):
            reversed_urls.clear()
            instances.clear()
            response = client.get(f"/sitemap-{section}.xml")
            work.append((len(response.context_data["urlset"]), len(reversed_urls), len(instances)))
            for _ in range(3):
                guide = factories.SkillGuideFactory()
                factories.LivePostingFactory(skills=[guide.skill])
    finally:
        post_init.disconnect(counting_instances)
    (few_urls, few_reverses, few_instances), (more_urls, reverses, instances_made) = work
    assert more_urls > few_urls
    assert reverses <= few_reverses
    assert instances_made <= few_instances
