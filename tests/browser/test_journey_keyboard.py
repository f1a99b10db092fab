"""Keyboard only: the skip link comes first, and tabbing goes through the listing's
filters, then its results, with a visible focus indicator on every stop."""

import re

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


# Counts the form submissions of the page it is installed in: a `submit` event (what
# requestSubmit and a button fire) or a script's form.submit(), which fires none.
COUNT_SUBMISSIONS = """() => {
    window.submissions = 0;
    document.addEventListener("submit", () => { window.submissions += 1; }, true);
    const submit = HTMLFormElement.prototype.submit;
    HTMLFormElement.prototype.submit = function () {
        window.submissions += 1;
        return submit.call(this);
    };
}"""


def tab_to(page, description: str, matches, max_tabs: int = MAX_TABS) -> dict:
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop is not None and matches(stop):
            return stop
    raise AssertionError(f"{description} not reached in {max_tabs} tabs")


def test_filters_change_only_on_an_explicit_submit(live_server, page, board):
    """On a wide screen (the filters beside the results), ticking a box with Space and
    moving through a select with the arrow keys change the form and nothing else (WCAG
    3.2.2): focus stays where it is; the "Show openings" and "Sort" buttons apply."""
    page.goto(live_server.url + "/jobs/")
    page.evaluate(COUNT_SUBMISSIONS)
    filters = page.locator("form#filters")
    count = page.locator("#results-heading")
    expect(count).to_have_text(f"{len(board.live)} openings")

    tab_to(page, "the Backend development box", lambda s: s["text"] == "backend-development")
    page.keyboard.press("Space")
    backend = filters.get_by_label("Backend development")
    expect(backend).to_be_checked()
    expect(backend).to_be_focused()
    assert page.evaluate("window.submissions") == 0, "ticking a box submitted the filters"

    company = filters.get_by_label("Company")
    tab_to(page, "the company select", lambda s: s["name"] == "company")
    page.keyboard.press("ArrowDown")
    expect(company).not_to_have_value("")  # from "Any company" to the first company
    chosen = next(c for c in board.companies if c.slug == company.input_value())
    expect(company).to_be_focused()
    assert page.evaluate("window.submissions") == 0, "an arrow key on a select submitted"
    assert page.url == live_server.url + "/jobs/"

    tab_to(page, "Show openings", lambda s: s["text"] == "Show openings")
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        re.compile(rf"/jobs/\?skill=backend-development&company={chosen.slug}$")
    )
    expected = [p for p in board.live if p.company == chosen and board.backend in p.skills.all()]
    expect(count).to_have_text(f"{len(expected)} opening{'s' if len(expected) != 1 else ''}")

    # The sort: an arrow key changes the choice, the "Sort" button applies it.
    page.evaluate(COUNT_SUBMISSIONS)
    sort = page.get_by_label("Sort by")
    sort.focus()
    page.keyboard.press("ArrowDown")
    expect(sort).to_have_value("salary")
    expect(sort).to_be_focused()
    assert page.evaluate("window.submissions") == 0, "an arrow key on the sort submitted"
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sort", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        re.compile(rf"\?skill=backend-development&company={chosen.slug}&sort=salary$")
    )
    expect(page.locator("form#filters").get_by_label("Backend development")).to_be_checked()
