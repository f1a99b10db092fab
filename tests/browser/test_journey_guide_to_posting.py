"""A job seeker goes from the home page to a skill guide, reads it, opens one of its
openings and finds the way to apply on the employer's site."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect


def test_home_to_guide_to_posting_to_the_employer(live_server, page, board):
    page.goto(live_server.url + "/")
    guides = page.get_by_role("region", name="Skill guides")
    guides.get_by_role("link", name="Backend development").click()

    expect(page).to_have_url(live_server.url + board.backend.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Mastering backend development")

    # The table of contents takes the reader down the article to the heading.
    heading = page.get_by_role("heading", name="Career paths")
    expect(heading).not_to_be_in_viewport()
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Career paths"
    ).click()
    expect(page).to_have_url(re.compile("#career-paths$"))
    expect(heading).to_be_in_viewport()

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
