"""Every URL pattern of the public site answers exactly the methods it supports.

The public site is read-only: GET and HEAD, and OPTIONS saying so — but for the job
alert forms (WRITABLE), which take a POST too. Any other method gets
405 with an `Allow` header listing exactly those, and no body: never a CSRF 403 (the
method check comes first), a 500, or the page itself. The patterns are enumerated from
the URL resolver, so a new one is tested as soon as it is routed.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alerts import links
from alerts.models import Alert
from tests import factories
from tests.conftest import make_png

pytestmark = pytest.mark.django_db

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
READ_ONLY = {"GET", "HEAD", "OPTIONS"}
# The job alert pages with a form: a POST without a CSRF token is refused (403), except the
# one-click unsubscribe, whose signed link is the proof (RFC 8058).
WRITABLE = {"alerts:subscribe": 403, "alerts:manage": 403, "alerts:unsubscribe": 200}


def url_patterns(patterns=None, namespace=""):
    """(qualified name, pattern) of every route outside the admin, depth first."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            continue  # staff only, GET and POST (its login is tested below)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, inner)
        else:
            assert isinstance(entry, URLPattern)
            yield f"{namespace}{entry.name}" if entry.name else None, entry


def public_pattern_names() -> set:
    names = set()
    for name, pattern in url_patterns():
        assert name, f"Name the URL pattern {pattern.pattern} so that it can be tested here."
        if name != "admin-login":
            names.add(name)
    return names


@pytest.fixture
def examples(db):
    """A URL for each public pattern, with rows for it to show."""
    skill = factories.SkillFactory(slug="backend-development")
    factories.SkillGuideFactory(skill=skill)
    company = factories.CompanyFactory(slug="northwind-bank")
    company.logo.save("logo.png", ContentFile(make_png()))
    posting = factories.LivePostingFactory(company=company, skills=[skill])
    alert = Alert.objects.create(email="ada@example.com", search="skill=backend-development")
    token = {purpose: {"token": links.token(alert, purpose)} for purpose in links.SALTS}
    slugs = {"skill": {"slug": skill.slug}, "company": {"slug": company.slug}}
    kwargs = {
        "home": {},
        "skills:list": {},
        "skills:detail": slugs["skill"],
        "companies:list": {},
        "companies:detail": slugs["company"],
        "postings:list": {},
        "postings:detail": {"slug": posting.slug},
        "healthz": {},
        "readyz": {},
        "feeds:postings-atom": {},
        "feeds:postings-rss": {},
        "feeds:skill-atom": slugs["skill"],
        "feeds:skill-rss": slugs["skill"],
        "feeds:company-atom": slugs["company"],
        "feeds:company-rss": slugs["company"],
        "sitemap": {},
        "sitemap-section": {"section": "jobs"},
        "robots": {},
        "media": {"path": company.logo.name},
        "alerts:subscribe": {},
        "alerts:sent": {},
        "alerts:confirm": token["confirm"],
        "alerts:manage": token["manage"],
        "alerts:unsubscribe": token["unsubscribe"],
    }
    return {name: reverse(name, kwargs=kw) for name, kw in kwargs.items()}


def test_every_public_url_pattern_has_an_example(examples):
    assert public_pattern_names() == set(examples)


def allow(response) -> set:
    return {method.strip() for method in response.get("Allow", "").split(",") if method.strip()}


def test_every_public_url_answers_each_method_rightly(examples):
    client = Client(enforce_csrf_checks=True)  # as browsers meet the site
    wrong = []
    for name, url in examples.items():
        allowed = READ_ONLY | {"POST"} if name in WRITABLE else READ_ONLY
        for method in METHODS:
            response = client.generic(method, url)
            body = b"".join(response) if response.streaming else response.content
            if method == "GET":
                ok = response.status_code == 200 and body
            elif method == "HEAD":
                ok = response.status_code == 200 and not body
            elif method == "OPTIONS":
                ok = response.status_code == 200 and allow(response) == allowed and not body
            elif method in allowed:
                ok = response.status_code == WRITABLE[name]
            else:
                ok = response.status_code == 405 and allow(response) == allowed and not body
            if not ok:
                wrong.append(f"{method} {url} ({name}): {response.status_code} {allow(response)}")
    assert wrong == []


def test_the_admin_login_answers_its_methods_and_no_others(db):
    client = Client(enforce_csrf_checks=True)
    url = reverse("admin:login")
    for method in ["PUT", "PATCH", "DELETE", "TRACE"]:
        response = client.generic(method, url)
        assert response.status_code == 405, method
        assert allow(response) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert client.options(url).status_code == 200
    assert client.post(url).status_code == 403  # a POST is the login form's: CSRF applies
