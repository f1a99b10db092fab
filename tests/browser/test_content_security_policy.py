"""In a real browser, the Content-Security-Policy blocks nothing the site or the admin uses."""

import pytest
from django.contrib.auth.models import User

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-passphrase-1"


@pytest.fixture
def site_data():
    skill = factories.SkillFactory(name="Backend development", slug="backend-development")
    factories.SkillGuideFactory(skill=skill)
    company = factories.CompanyFactory(name="Northwind Bank", slug="northwind-bank")
    posting = factories.LivePostingFactory(company=company, skills=[skill])
    User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    return {"skill": skill, "company": company, "posting": posting}


@pytest.fixture
def violations(page):
    """CSP violations the browser reports, as console errors, while the test runs."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def test_public_pages_run_under_the_policy(live_server, page, site_data, violations):
    for path in [
        "/",
        "/jobs/",
        "/jobs/?remote=remote&sort=salary",
        site_data["posting"].get_absolute_url(),
        site_data["skill"].get_absolute_url(),
        site_data["company"].get_absolute_url(),
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert violations == []


def test_admin_widgets_work_under_the_policy(live_server, page, site_data, violations):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    assert page.url.endswith("/admin/")

    page.goto(live_server.url + "/admin/postings/posting/add/")
    page.type("#id_title", "Senior Widget Engineer")
    assert page.input_value("#id_slug") == "senior-widget-engineer"  # prepopulated
    page.click("#id_company + .select2 .select2-selection")  # autocomplete
    page.keyboard.type("North")
    page.wait_for_selector(".select2-results__option >> text=Northwind Bank")
    page.keyboard.press("Escape")
    page.click("#calendarlink0")  # the date widget
    assert page.locator(".calendarbox").first.is_visible()

    for path in ["/admin/", "/admin/postings/posting/", "/admin/companies/company/"]:
        assert page.goto(live_server.url + path).status == 200
    assert violations == []
