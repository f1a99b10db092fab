"""The same journey on a 390 px wide phone: nothing scrolls sideways, the keywords are
in view, the filters open from their disclosure, the pages step on one line, the apply
button is there to tap."""

import re

from playwright.sync_api import expect

from postings.views import PostingListView
from tests.browser.conftest import PHONE, page_width


def assert_fits(page) -> None:
    assert page_width(page) <= PHONE["width"], f"{page.url} scrolls sideways"


def test_phone_guide_listing_and_posting(live_server, phone_page, board):
    page = phone_page
    page.goto(live_server.url + "/")
    assert_fits(page)

    page.get_by_role("region", name="Skill guides").get_by_role(
        "link", name="Backend development"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mastering backend development")
    assert_fits(page)
    # The newest opening is on the first screen, its summary in full.
    first = page.locator(".first-openings .card").first
    assert first.bounding_box()["y"] < PHONE["height"]
    summary = first.locator(".card__summary")
    assert summary.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    # While the article is read, a button at the bottom of the screen leads to the openings.
    jump = page.get_by_role(
        "link", name=f"See {len(board.backend_remote) + len(board.backend_other)} openings"
    )
    expect(jump).not_to_be_in_viewport()  # not over the first openings
    page.get_by_role("heading", name="Career paths").scroll_into_view_if_needed()
    expect(jump).to_be_in_viewport()
    box = jump.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] and box["height"] >= 44
    jump.click()
    expect(page).to_have_url(re.compile("#openings$"))
    expect(page.locator("#openings-heading")).to_be_in_viewport()
    expect(jump).not_to_be_in_viewport()  # gone at the guide's end
    page.evaluate("window.scrollTo(0, 0)")
    # "On this page" is collapsed on a phone, and opens.
    toc = page.get_by_role("navigation", name="On this page")
    expect(toc).to_be_hidden()
    page.get_by_text("On this page", exact=True).first.click()
    expect(toc.get_by_role("link", name="Career paths")).to_be_visible()

    # The listing: the keywords in view at once, the other filters in a closed
    # disclosure above the results.
    page.goto(live_server.url + "/jobs/")
    assert_fits(page)
    keywords = page.get_by_role("searchbox", name="Keywords")
    expect(keywords).to_be_visible()
    expect(keywords).to_be_in_viewport()
    workplace = page.get_by_role("group", name="Workplace")
    expect(workplace).to_be_hidden()
    page.locator("summary", has_text="Filters").click()
    expect(workplace).to_be_visible()
    page.locator("#filters").get_by_label("Backend development").check()
    page.get_by_role("group", name="Workplace").get_by_label("Remote").check()
    page.get_by_role("button", name="Show openings").click()
    expect(page).to_have_url(re.compile(r"\?skill=backend-development&remote=remote$"))
    expect(page.locator("#results-heading")).to_have_text(f"{len(board.backend_remote)} openings")
    assert_fits(page)

    posting = board.backend_remote[0]
    page.get_by_role("link", name=posting.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(posting.title)
    assert_fits(page)
    apply = page.get_by_role("link", name=f"Apply on {posting.company.name}’s site").first
    expect(apply).to_be_visible()
    expect(apply).to_be_in_viewport()
    expect(apply).to_have_attribute("href", posting.apply_url)
    box = apply.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 44  # a comfortable tap target

    page.get_by_role("link", name=f"All openings at {posting.company.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(posting.company.name)
    assert_fits(page)


def test_phone_pagination_steps_on_one_line_with_the_total(
    live_server, phone_page, board, monkeypatch
):
    monkeypatch.setattr(PostingListView, "paginate_by", 10)  # 38 openings: four pages
    page = phone_page

    page.goto(live_server.url + "/jobs/")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.get_by_text("Page 1 of 4")).to_be_visible()
    expect(pages.get_by_text("Previous")).to_have_count(0)  # not even a disabled one

    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    pages.scroll_into_view_if_needed()
    assert_fits(page)
    previous = pages.get_by_role("link", name="Previous").bounding_box()
    status = pages.get_by_text("Page 2 of 4").bounding_box()
    following = pages.get_by_role("link", name="Next").bounding_box()
    # One line: the three side by side at one height, each label on a single line (the
    # arrow once wrapped above "Previous"), all on the screen.
    assert previous["y"] == following["y"] and previous["height"] == following["height"] == 44
    assert previous["x"] + previous["width"] <= status["x"]
    assert status["x"] + status["width"] <= following["x"]
    assert abs((status["y"] + status["height"] / 2) - (previous["y"] + 22)) <= 1
    assert following["x"] + following["width"] <= PHONE["width"]
