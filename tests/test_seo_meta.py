"""Titles, descriptions, canonical links, link previews and feed links of every page."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from postings.models import Posting
from tests import factories
from tests.seo_html import read_head

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(db, png_upload):
    go = factories.SkillFactory(name="Go", slug="go")
    python = factories.SkillFactory(name="Python", slug="python")
    guide = factories.SkillGuideFactory(
        skill=python, title="Mastering Python", lede="Python runs the web and the lab."
    )
    acme = factories.CompanyFactory(name="Acme", slug="acme", logo=png_upload)
    quiet = factories.CompanyFactory(name="Quiet Co", slug="quiet-co", description="")
    postings = [
        factories.LivePostingFactory(
            skills=[python], company=acme, remote_policy=Posting.RemotePolicy.REMOTE
        ),
        factories.LivePostingFactory(skills=[go, python], company=quiet),
        factories.LivePostingFactory(
            skills=[go], company=acme, remote_policy=Posting.RemotePolicy.REMOTE
        ),
    ]
    return {"guide": guide, "acme": acme, "quiet": quiet, "postings": postings}


def page_head(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return read_head(response.content.decode())


def page_urls(site):
    return [
        "/",
        "/skills/",
        "/skills/python/",
        "/skills/go/",
        "/jobs/",
        site["postings"][0].get_absolute_url(),
        "/companies/",
        "/companies/acme/",
        "/companies/quiet-co/",
    ]


def test_every_page_has_a_title_description_canonical_and_card(client, site):
    for url in page_urls(site):
        head = page_head(client, url)
        assert len(head.titles) == 1 and head.titles[0], url
        assert head.one("description"), url
        canonical = head.link("canonical")
        assert canonical == [f"{BASE}{url}"], url
        assert head.one("og:url") == canonical[0]
        assert head.one("og:title") and head.one("og:description"), url
        assert head.one("og:site_name") == "Jobboard"
        assert head.one("twitter:card") == "summary"
        assert head.one("twitter:title") == head.one("og:title")
        assert head.link("alternate", type="application/atom+xml"), url


def test_a_skill_guides_card_uses_its_lede(client, site):
    head = page_head(client, "/skills/python/")
    assert head.one("og:title") == "Mastering Python"
    assert head.one("og:description") == "Python runs the web and the lab."
    assert head.one("twitter:description") == "Python runs the web and the lab."
    assert head.one("og:type") == "article"
    assert head.link("alternate", type="application/atom+xml") == ["/skills/python/feed/atom/"]


def test_a_postings_card_uses_the_company_logo_at_192_px(client, site):
    posting, acme = site["postings"][0], site["acme"]
    head = page_head(client, posting.get_absolute_url())
    logo = f"{BASE}{acme.logo_sources(192)['png']}"
    assert head.one("og:title") == f"{posting.title} at Acme"
    assert head.one("og:description") == posting.summary
    assert head.one("og:image") == logo
    assert head.one("twitter:image") == logo
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("192", "192")
    assert head.one("og:image:alt") == "Acme"


def test_a_company_without_a_logo_shares_its_monogram(client, site):
    quiet = site["quiet"]
    head = page_head(client, "/companies/quiet-co/")
    assert head.one("og:image") == f"{BASE}{quiet.logo_sources(192)['png']}"
    assert head.one("og:description") == "Open roles at Quiet Co"
    assert head.link("alternate", type="application/atom+xml") == ["/companies/quiet-co/feed/atom/"]


def test_the_listing_canonicalises_its_query_string(client, site):
    messy = [
        "/jobs/?location=&skill=python&remote=remote&sort=newest&page=1&utm_source=mail&skill=go",
        "/jobs/?remote=remote&skill=go&skill=python",
        "/jobs/?skill=go&q=&remote=remote&skill=python&skill=go",
    ]
    for url in messy:
        head = page_head(client, url)
        assert head.link("canonical") == [f"{BASE}/jobs/?remote=remote&skill=go&skill=python"]
        assert head.one("og:url") == head.link("canonical")[0]


def test_the_listing_keeps_a_page_past_the_first_and_a_chosen_sort(client, db):
    factories.LivePostingFactory.create_batch(21)
    head = page_head(client, "/jobs/?page=2&sort=salary&utm_campaign=x")
    assert head.link("canonical") == [f"{BASE}/jobs/?page=2&sort=salary"]


def test_other_pages_drop_foreign_parameters_but_keep_their_page(client, site):
    head = page_head(client, "/companies/acme/?utm_source=mail&page=1")
    assert head.link("canonical") == [f"{BASE}/companies/acme/"]


def test_the_listing_links_a_feed_of_exactly_its_filters(client, site):
    url = "/jobs/?skill=python&remote=remote&sort=salary&page=1"
    head = page_head(client, url)
    feed_url = "/jobs/feed/atom/?remote=remote&skill=python"
    assert head.link("alternate", type="application/atom+xml") == [feed_url]
    # "Get these jobs by e-mail" leads to the page that offers the e-mail and this feed.
    subscribe = [a for a in head.anchors if a.get("text") == "Get these jobs by e-mail"]
    assert [a["href"] for a in subscribe] == ["/alerts/new/?remote=remote&skill=python"]

    # The feed lists what the listing lists (newest first, the default sort).
    listed = client.get("/jobs/?skill=python&remote=remote").context["object_list"]
    feed = ElementTree.fromstring(client.get(feed_url).content)  # noqa: S314
    links = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]
    assert links == [f"{BASE}{p.get_absolute_url()}" for p in listed]
    assert len(links) == 1


def test_the_unfiltered_listing_offers_the_latest_openings_feed(client, site):
    head = page_head(client, "/jobs/")
    assert head.link("alternate", type="application/atom+xml") == ["/jobs/feed/atom/"]
    subscribe = [a for a in head.anchors if a.get("text") == "Get these jobs by e-mail"]
    assert [a["href"] for a in subscribe] == ["/alerts/new/"]


def test_a_listing_with_bad_values_offers_no_feed_of_them(client, site):
    head = page_head(client, "/jobs/?salary_min=abc&skill=python", status=400)
    assert head.one("robots") == "noindex"
    assert head.link("alternate", type="application/atom+xml") == ["/jobs/feed/atom/"]
    assert not any("Subscribe" in a.get("text", "") for a in head.anchors)


def test_closed_and_expired_postings_are_noindex_and_point_to_open_roles(client, site):
    similar = site["postings"][0]
    for posting in (
        factories.ClosedPostingFactory(skills=similar.skills.all()),
        factories.ExpiredPostingFactory(skills=similar.skills.all()),
    ):
        response = client.get(posting.get_absolute_url())
        assert response.status_code == 200  # the URL keeps working
        head = read_head(response.content.decode())
        assert head.one("robots") == "noindex"
        assert head.of_type("JobPosting") == []
        html = response.content.decode()
        assert "no longer accepting applications" in html
        assert 'href="#similar"' in html and similar.get_absolute_url() in html


def test_a_live_posting_is_indexable(client, site):
    head = page_head(client, site["postings"][0].get_absolute_url())
    assert "robots" not in head.meta


def test_error_pages_have_no_canonical(client, db):
    head = page_head(client, "/jobs/no-such-posting/", status=404)
    assert head.link("canonical") == []
    assert head.one("robots") == "noindex"


def test_canonical_urls_use_the_host_the_site_is_served_from(client, site, settings):
    settings.ALLOWED_HOSTS = ["jobs.example.com"]
    response = client.get("/skills/python/", HTTP_HOST="jobs.example.com", secure=True)
    head = read_head(response.content.decode())
    assert head.link("canonical") == ["https://jobs.example.com/skills/python/"]
    assert reverse("skills:detail", kwargs={"slug": "python"}) == "/skills/python/"
