"""Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work offline, so the tests launch the
system Chromium (`apt-get install chromium`, or CHROMIUM_PATH). Without one they are
skipped with a message, except where REQUIRE_BROWSER is set (CI), where that fails.
Screenshots of failed tests land in test-artifacts/ (not committed).
"""

import itertools
import os
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone
from django.utils.text import slugify

from companies.logos import normalise_logo
from companies.models import Company
from postings.models import Posting
from skills.models import Skill
from tests import factories
from tests.conftest import make_png

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# for set-up happen outside it, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if "live_server" in item.fixturenames:
                # live_server needs a transactional database, which a flush empties after
                # each test, taking the rows the migrations wrote (the "Content editors"
                # group) with it. Each browser test starts with them again, reloaded from
                # the copy Django serialises when it creates the test database. Only
                # transactional tests run after these (pytest-django orders them last);
                # none of them relies on those rows.
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        message = (
            "No Chromium found for the browser tests: install it with "
            "`apt-get install chromium` or set CHROMIUM_PATH."
        )
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    with sync_playwright() as playwright:
        # Playwright's sync API keeps an asyncio loop running on this thread, so from here
        # on asgiref sees an async context and Django hands out new connection objects.
        # Give them the copy of the test database that serialized_rollback restores from
        # (made when the database was created, maybe before Playwright started).
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Those connections are out of reach once Playwright stops: close them now, so that
        # the test database can be dropped at the end of the run.
        connections.close_all()


def _new_page(browser, request, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, request):
    yield from _new_page(browser, request, DESKTOP)


@pytest.fixture
def phone_page(browser, request):
    yield from _new_page(browser, request, PHONE)


# Content for the journeys ---------------------------------------------------------------

GUIDE_SECTION = (
    "A paragraph long enough to be read rather than glanced at: what the work is, who "
    "does it, and what a good day in it looks like. " * 6
)
GUIDE_BODY = "\n\n".join(
    [
        f"## What backend development is\n\n{GUIDE_SECTION}",
        "## Key responsibilities\n\n- **Building** services\n- **Running** them\n\n"
        + GUIDE_SECTION,
        f"## Essential skills\n\n{GUIDE_SECTION}\n\n### Technical foundations\n\n{GUIDE_SECTION}",
        "## Tools and technologies\n\n```\n"
        "SELECT postings.title, companies.name FROM postings JOIN companies ON "
        "companies.id = postings.company_id WHERE postings.status = 'published';\n```\n\n"
        f"{GUIDE_SECTION}",
        f"## Career paths\n\n{GUIDE_SECTION}",
        f"## Conclusion\n\n{GUIDE_SECTION}",
    ]
)


@dataclass
class Board:
    backend: Skill
    python: Skill
    companies: list[Company]
    # Backend development openings that are remote: more than one listing page of them.
    backend_remote: list[Posting]
    backend_other: list[Posting]
    other: list[Posting]

    @property
    def live(self) -> list[Posting]:
        return [*self.backend_remote, *self.backend_other, *self.other]


def logo_upload(color: tuple[int, int, int]):
    """A logo as staff upload it: a real PNG, through the admin's own validation."""
    return normalise_logo(
        SimpleUploadedFile("logo.png", make_png(size=(240, 120), color=color), "image/png")
    )


@pytest.fixture
def board(transactional_db) -> Board:
    """Skills with guides, companies with real logos and enough live openings for two
    pages of "Backend development, remote" (the listing shows 20 a page)."""
    backend = factories.SkillFactory(name="Backend development", slug="backend-development")
    factories.SkillGuideFactory(skill=backend, body=GUIDE_BODY)
    python = factories.SkillFactory(name="Python", slug="python")
    factories.SkillGuideFactory(skill=python)
    factories.SkillFactory(name="Frontend development", slug="frontend-development")
    colours = [(11, 92, 173), (200, 40, 40), (21, 108, 55), (120, 60, 160)]
    companies = [
        factories.CompanyFactory(
            name=name, slug=slugify(name), logo=logo_upload(colour), headquarters=city
        )
        for name, colour, city in zip(
            ["Northwind Bank", "Basketry", "Brightfield Solar", "Carebridge Health"],
            colours,
            ["Amsterdam, Netherlands", "Berlin, Germany", "Lisbon, Portugal", "Dublin, Ireland"],
            strict=True,
        )
    ]
    now = timezone.now()
    made = itertools.count(1)

    def postings(count, *, title, skills, remote_policy):
        return [
            factories.LivePostingFactory(
                title=f"{title} {i}",
                slug=f"{slugify(title)}-{i}",
                company=companies[i % len(companies)],
                skills=skills,
                remote_policy=remote_policy,
                published_at=now - timedelta(hours=next(made)),
            )
            for i in range(1, count + 1)
        ]

    remote, hybrid = Posting.RemotePolicy.REMOTE, Posting.RemotePolicy.HYBRID
    return Board(
        backend=backend,
        python=python,
        companies=companies,
        backend_remote=postings(
            24, title="Remote Backend Engineer", skills=[backend, python], remote_policy=remote
        ),
        backend_other=postings(6, title="Backend Engineer", skills=[backend], remote_policy=hybrid),
        other=postings(8, title="Data Analyst", skills=[python], remote_policy=remote),
    )


# What a user sees of the focused element ------------------------------------------------

FOCUS_INDICATOR = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    // The card's focus ring is drawn by the link's ::after, which covers the whole card.
    const drawn = [getComputedStyle(el), getComputedStyle(el, "::after")].some(
        (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== "none"
    );
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        type: el.type || "",
        id: el.id,
        name: el.name || "",
        text: (el.innerText || el.value || "").trim().slice(0, 60),
        className: typeof el.className === "string" ? el.className : "",
        indicator: drawn,
        visible: box.width > 0 && box.height > 0,
    };
}"""


def focused(page) -> dict | None:
    """The focused element, and whether a focus indicator is drawn around it."""
    return page.evaluate(FOCUS_INDICATOR)


def page_width(page) -> int:
    """The document's scroll width: wider than the viewport means a horizontal scroll."""
    return page.evaluate("() => document.documentElement.scrollWidth")
