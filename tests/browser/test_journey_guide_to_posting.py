"""A job seeker goes from the home page to a skill guide, reads it, opens one of its
openings and finds the way to apply on the employer's site."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP


def test_home_to_guide_to_posting_to_the_employer(live_server, page, board):
    page.goto(live_server.url + "/")
    guides = page.get_by_role("region", name="Skill guides")
    guides.get_by_role("link", name="Backend development").click()

    expect(page).to_have_url(live_server.url + board.backend.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Mastering backend development")
    # The newest openings are on the first screen, under the lede.
    first = page.locator(".first-openings .card").first
    expect(first).to_contain_text(board.backend_remote[0].title)
    assert first.bounding_box()["y"] < DESKTOP["height"]
    expect(page.locator(".first-openings .card")).to_have_count(3)

    # The table of contents takes the reader down the article to the heading.
    heading = page.get_by_role("heading", name="Career paths")
    expect(heading).not_to_be_in_viewport()
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Career paths"
    ).click()
    expect(page).to_have_url(re.compile("#career-paths$"))
    expect(heading).to_be_in_viewport()
    # The table of contents marks the section being read (static/js/guide.js).
    toc = page.get_by_role("navigation", name="On this page")
    expect(toc.get_by_role("link", name="Career paths")).to_have_attribute("aria-current", "true")
    expect(toc.locator('[aria-current="true"]')).to_have_count(1)
    # Beside the article, the rail's call to action is on screen and leads to the openings.
    cta = page.locator(".rail-cta").get_by_role(
        "link", name=f"See all {len(board.backend_remote) + len(board.backend_other)} openings"
    )
    expect(cta).to_be_in_viewport()
    cta.click()
    expect(page).to_have_url(re.compile("#openings$"))
    expect(page.locator("#openings-heading")).to_be_in_viewport()
    expect(toc.get_by_role("link", name="Job openings")).to_have_attribute("aria-current", "true")

    # The newest opening for the skill, as a card whose title link opens the posting.
    posting = board.backend_remote[0]
    openings = page.locator("#openings")
    expect(openings.get_by_role("heading", level=2)).to_have_text(
        "Job openings for Backend development"
    )
    openings.get_by_role("link", name=posting.title, exact=True).click()

    expect(page).to_have_url(live_server.url + posting.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(posting.title)
    apply = page.get_by_role("link", name=f"Apply on {posting.company.name}’s site").first
    expect(apply).to_be_visible()
    expect(apply).to_have_attribute("href", posting.apply_url)
    employer = urlsplit(posting.company.website).hostname
    assert urlsplit(apply.get_attribute("href")).hostname == employer


def test_chips_narrow_the_guides_openings_without_javascript(live_server, browser, board):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + board.backend.get_absolute_url())
    openings = page.locator("#openings")
    chips = openings.get_by_role("navigation", name="Narrow these openings")

    chips.get_by_role("link", name="Hybrid", exact=True).click()

    expect(page).to_have_url(re.compile(r"\?remote=hybrid#openings$"))
    hybrid = openings.locator(".card-list .card")
    expect(hybrid).to_have_count(len(board.backend_other))
    for posting in board.backend_other:
        expect(openings.get_by_role("link", name=posting.title, exact=True)).to_be_visible()
    # The chosen chip takes the filter off again.
    chips.get_by_role("link", name="Hybrid (chosen, remove)").click()
    expect(page).to_have_url(re.compile(board.backend.get_absolute_url() + "#openings$"))
    expect(openings.locator(".card-list .card")).to_have_count(20)
    context.close()
