"""Reflow (WCAG 2.2 AA, 1.4.10): every kind of page read 320 and 375 px wide scrolls only
up and down, the header's name and links sit side by side or wrap, never on top of one
another, and what is narrower gives way by wrapping, not by squashing logos."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.conftest import _new_page, page_width

WIDTHS = [320, 375]

# The boxes a person reads or taps in the header: the site's name, each link of the main
# navigation and the search form's parts (on the pages that have it).
HEADER_BOXES = """() => Array.from(document.querySelectorAll(
    ".site-header .brand, .site-header .site-nav a, .site-header .site-search > *"
)).map((el) => {
    const box = el.getBoundingClientRect();
    return {
        name: (el.innerText || el.placeholder || el.tagName).trim(),
        left: box.left, right: box.right, top: box.top, bottom: box.bottom,
    };
}).filter((box) => box.right > box.left && box.bottom > box.top)"""

# A logo is square: narrower than tall means a flex row shrank it to make room for text.
SQUASHED_LOGOS = """() => Array.from(document.querySelectorAll("img.logo, .logo--monogram"))
    .map((el) => el.getBoundingClientRect())
    .filter((box) => box.height > 0 && Math.abs(box.width - box.height) > 1)
    .map((box) => `${Math.round(box.width)}x${Math.round(box.height)}`)"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """The pairs of boxes that share any area (touching edges do not count)."""
    return [
        (a["name"], b["name"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    ]


@pytest.fixture
def pages(board) -> list[tuple[str, str]]:
    """(name, path) of every kind of page, with content that makes each one full."""
    company = board.companies[0]
    long_name = factories.CompanyFactory(
        name="Internationalisierungsdienstleistungsgesellschaft Nordrhein",
        slug="internationalisierungsdienstleistungsgesellschaft",
    )
    closed = factories.ClosedPostingFactory(
        title="Principal Infrastrukturautomatisierungsingenieur (Kubernetes/PostgreSQL)",
        slug="principal-infrastructure",
        company=long_name,
        skills=[board.backend],
    )
    expired = factories.ExpiredPostingFactory(company=company, skills=[board.python])
    factories.LivePostingFactory(
        company=long_name,
        title="Site Reliability Engineer",
        slug="site-reliability-engineer",
        published_at=timezone.now() - timedelta(days=3),
    )
    return [
        ("home", "/"),
        ("skills", "/skills/"),
        ("a guide", board.backend.get_absolute_url()),
        ("a skill without a guide", "/skills/frontend-development/"),
        ("listing", "/jobs/"),
        ("listing, filtered", "/jobs/?skill=backend-development&remote=remote&sort=salary"),
        ("listing, keywords", "/jobs/?q=backend+engineer"),
        ("listing, invalid filter", "/jobs/?salary_min=lots"),
        ("listing, no match", "/jobs/?q=xylophonist"),
        ("listing, page 2", "/jobs/?page=2"),
        ("live posting", board.live[0].get_absolute_url()),
        ("closed posting", closed.get_absolute_url()),
        ("expired posting", expired.get_absolute_url()),
        ("companies", "/companies/"),
        ("a company", long_name.get_absolute_url()),
        ("404", "/no-such-page/"),
        ("admin login", "/admin/login/"),
    ]


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def narrow_page(browser, request):
    yield from _new_page(browser, request, {"width": request.param, "height": 800})


def test_every_page_reflows_without_sideways_scroll_or_overlap(live_server, narrow_page, pages):
    page, width = narrow_page, narrow_page.viewport_size["width"]
    problems = []
    for name, path in pages:
        response = page.goto(live_server.url + path)
        assert response.status < 500, f"{name} ({path}): {response.status}"
        scroll_width = page_width(page)
        if scroll_width > width:
            wider = page.evaluate(
                """(width) => Array.from(document.querySelectorAll("body *"))
                    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                    .slice(0, 3).map((el) => el.tagName.toLowerCase() + "." + el.className)""",
                width,
            )
            problems.append(f"{name} ({path}) is {scroll_width} px wide: {wider}")
        squashed = page.evaluate(SQUASHED_LOGOS)
        if squashed:
            problems.append(f"{name} ({path}): logos squashed to width x height {squashed}")
        boxes = page.evaluate(HEADER_BOXES)
        if path != "/admin/login/":
            assert any(box["name"] == "Jobs" for box in boxes), f"{name}: no header found"
        problems += [f"{name} ({path}): {a!r} overlaps {b!r}" for a, b in overlapping(boxes)]
    assert not problems, f"At {width} px:\n" + "\n".join(problems)
