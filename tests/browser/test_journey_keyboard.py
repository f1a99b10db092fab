"""Keyboard only: the skip link comes first, and tabbing goes through the listing's
filters, then its results, with a visible focus indicator on every stop."""

from playwright.sync_api import expect

from tests.browser.conftest import focused

MAX_TABS = 80


def test_skip_link_then_filters_then_results(live_server, page, board):
    page.goto(live_server.url + "/jobs/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # off-screen until focused
    assert focused(page)["indicator"]
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From main, every Tab lands on something visible with a focus ring, in reading
    # order: the filter form, the sort, then the result cards.
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stop = focused(page)
        assert stop is not None, f"focus left the page after {[s['text'] for s in stops]}"
        assert stop["visible"], f"focus on an invisible element: {stop}"
        assert stop["indicator"], f"no visible focus indicator on {stop}"
        stops.append(stop)
        if "card__link" in stop["className"]:
            break
    else:
        raise AssertionError(f"no result card reached in {MAX_TABS} tabs: {stops}")

    names = [stop["name"] or stop["text"] for stop in stops]
    expected = ["q", "skill", "company", "location", "remote", "type", "seniority"]
    expected += ["salary_min", "posted", "Show openings", "Clear filters", "sort", "Sort"]
    assert [name for name in dict.fromkeys(names) if name in expected] == expected, names
    assert stops[-1]["text"] == board.live[0].title  # the newest opening comes first

    # Enter on the focused card opens the posting.
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(board.live[0].title)
