"""Security headers on the public pages and the admin, and the Observatory score they earn."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.urls import reverse

from tests import factories, observatory
from tests.conftest import PRODUCTION_HOST, make_png
from tests.page_scan import PageScan
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
}
# The plain-HTTP answer carries no security decision worth grading; over HTTPS the
# Observatory's A+ starts at 100.
A_PLUS = 100


@pytest.fixture
def site(db):
    skill = factories.SkillFactory(name="Backend development", slug="backend-development")
    factories.SkillGuideFactory(skill=skill)
    company = factories.CompanyFactory(name="Northwind Bank", slug="northwind-bank")
    posting = factories.LivePostingFactory(company=company, skills=[skill])
    return {"skill": skill, "company": company, "posting": posting}


def public_urls(site) -> list[str]:
    return [
        "/",
        reverse("postings:list"),
        site["posting"].get_absolute_url(),
        site["skill"].get_absolute_url(),
        reverse("companies:list"),
        site["company"].get_absolute_url(),
    ]


def page_urls(site) -> list[str]:
    return [*public_urls(site), reverse("admin:login")]


def fetch(client, url: str, **extra):
    """A request as the TLS-terminating proxy passes it on."""
    return client.get(url, HTTP_HOST=PRODUCTION_HOST, HTTP_X_FORWARDED_PROTO="https", **extra)


def observatory_page(client, url: str) -> observatory.Page:
    # The Observatory sends an Origin of its own to look for CORS headers.
    response = fetch(client, url, HTTP_ORIGIN="https://observatory.example")
    assert response.status_code == 200, url
    plain = client.get(url, HTTP_HOST=PRODUCTION_HOST)
    return observatory.Page(
        url=f"https://{PRODUCTION_HOST}{url}",
        headers=response.headers,
        set_cookies=[morsel.OutputString() for morsel in response.cookies.values()],
        html=response.content.decode(),
        http_redirect=(plain.status_code, plain.get("Location", "")),
    )


def test_every_page_sends_the_security_headers(production_settings, client, site):
    for url in page_urls(site):
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert observatory.parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP, url
        hsts = response["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts)[1]) >= 15_768_000  # six months
        assert "includeSubDomains" in hsts
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "Access-Control-Allow-Origin" not in response
        assert permissions_policy(response) >= POWERFUL_FEATURES_OFF, url


# Features no page here uses; each must be switched off (`feature=()`).
POWERFUL_FEATURES_OFF = {"camera", "microphone", "geolocation", "payment", "usb"}


def permissions_policy(response) -> set:
    """The features the Permissions-Policy header turns off for every origin."""
    directives = [d.strip() for d in response.get("Permissions-Policy", "").split(",")]
    return {d.removesuffix("=()") for d in directives if d.endswith("=()")}


def test_plain_http_is_redirected_to_https_on_the_same_host(production_settings, client, site):
    for url in page_urls(site):
        response = client.get(url, HTTP_HOST=PRODUCTION_HOST)
        assert response.status_code == 301
        assert response["Location"] == f"https://{PRODUCTION_HOST}{url}"


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_the_health_checks_answer_plain_http(production_settings, client, db, url):
    response = client.get(url, HTTP_HOST=PRODUCTION_HOST, follow=False)
    assert response.status_code in (200, 301)
    if response.status_code == 301:  # only the trailing-slash redirect, never to https
        assert not response["Location"].startswith("https:")


def test_cookies_are_secure_httponly_and_same_site(production_settings, client):
    User.objects.create_user("editor", password="a-long-passphrase-1", is_staff=True)
    login_page = fetch(client, reverse("admin:login"))
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "a-long-passphrase-1", "next": "/"},
        HTTP_HOST=PRODUCTION_HOST,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_REFERER=f"https://{PRODUCTION_HOST}{reverse('admin:login')}",
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert observatory.cookies(
        [m.OutputString() for m in response.cookies.values()], hsts_passes=True
    ) == ("cookies-secure-with-httponly-sessions-and-samesite")


def test_observatory_score_is_a_plus_on_every_page(production_settings, client, site):
    reports = {url: observatory.grade(observatory_page(client, url)) for url in page_urls(site)}
    for url, report in reports.items():
        print(f"{url}: {report}")  # pytest -s shows the score of each page
        assert report.score >= A_PLUS, f"{url}\n{report}"
        assert report.grade == "A+"
        assert report.results["content-security-policy"] == "csp-implemented-with-no-unsafe"
        assert report.results["x-frame-options"] == "x-frame-options-implemented-via-csp"
        assert report.results["redirection"] == "redirection-to-https"
        assert report.results["strict-transport-security"] == (
            "hsts-implemented-max-age-at-least-six-months"
        )
        assert report.results["subresource-integrity"] in (
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
            "sri-not-implemented-but-no-scripts-loaded",
        )
    # The login page sets the CSRF cookie, Secure and SameSite: the cookie bonus too.
    assert reports[reverse("admin:login")].results["cookies"] == (
        "cookies-secure-with-httponly-sessions-and-samesite"
    )


def test_without_https_the_site_serves_plain_http(client, site, settings):
    # `make run`: no redirect, no HSTS, cookies without Secure; the rest still applies.
    assert not settings.HTTPS
    for url in page_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Strict-Transport-Security" not in response
        assert observatory.parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert not client.get(reverse("admin:login")).cookies["csrftoken"]["secure"]


def assert_works_under_the_policy(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    page = PageScan(response.content.decode())
    assert page.problems == [], url
    for asset in page.assets:
        assert client.get(asset).status_code == 200, asset


def test_public_pages_need_no_inline_script_or_style(client, site):
    for url in public_urls(site):
        assert_works_under_the_policy(client, url)


def test_admin_works_under_the_policy(admin_client, site):
    posting = site["posting"]
    site["company"].logo.save("logo.png", ContentFile(make_png()))  # the logo column
    for url in [
        reverse("admin:index"),
        reverse("admin:companies_company_changelist"),
        reverse("admin:companies_company_add"),
        reverse("admin:postings_posting_changelist"),
        reverse("admin:postings_posting_add"),  # autocomplete, date and time widgets
        reverse("admin:postings_posting_change", args=[posting.pk]),
        reverse("admin:skills_skillguide_add"),
        reverse("admin:autocomplete") + "?app_label=postings&model_name=posting"
        "&field_name=company&term=North",
    ]:
        if "autocomplete" in url:
            response = admin_client.get(url)
            assert response.status_code == 200
            assert "Northwind" in response.content.decode()
        else:
            assert_works_under_the_policy(admin_client, url)


def test_admin_login_works_under_the_policy(client):
    assert_works_under_the_policy(client, reverse("admin:login"))


def test_logos_are_cached_for_a_year_and_missing_files_are_not(client, site):
    # Their names are unique to what they hold (companies.models.logo_upload_to), so a
    # browser never needs to ask again.
    company = site["company"]
    company.logo.save("logo.png", ContentFile(make_png()))
    run_tasks()  # a worker renders its sizes
    company.refresh_from_db()
    urls = [company.logo.url, company.logo_sources(48)["webp"]]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=31536000", "immutable"}, url
        revalidated = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert revalidated.status_code == 304
        assert "max-age=31536000" in revalidated["Cache-Control"]
    missing = client.get(urls[0].replace(".png", "-gone.png"))
    assert missing.status_code == 404
    assert "max-age=31536000" not in missing.get("Cache-Control", "")
