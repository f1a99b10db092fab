"""A job seeker narrows the listing with the filter form, pages through the results and
takes the filters off again, with the URL saying what is shown at every step."""

import re

from playwright.sync_api import expect


def test_filter_page_and_remove_filters(live_server, page, board):
    total = len(board.live)
    backend = len(board.backend_remote) + len(board.backend_other)
    backend_remote = len(board.backend_remote)
    assert total > backend > backend_remote > 20  # the listing shows 20 a page

    page.goto(live_server.url + "/jobs/")
    count = page.locator("#results-heading")
    expect(count).to_have_text(f"{total} openings")
    filters = page.locator("form#filters")

    # A ticked box changes nothing until "Show openings" applies the form (WCAG 3.2.2).
    apply = filters.get_by_role("button", name="Show openings")
    filters.get_by_label("Backend development").click()
    apply.click()
    expect(page).to_have_url(re.compile(r"/jobs/\?skill=backend-development$"))
    expect(count).to_have_text(f"{backend} openings")

    filters.get_by_role("group", name="Workplace").get_by_label("Remote").click()
    apply.click()
    expect(page).to_have_url(re.compile(r"\?skill=backend-development&remote=remote$"))
    expect(filters.get_by_label("Backend development")).to_be_checked()
    expect(count).to_have_text(f"{backend_remote} openings")
    results = page.locator(".listing__results .card")
    expect(results).to_have_count(20)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"skill=backend-development&remote=remote&page=2$"))
    expect(count).to_contain_text(f"{backend_remote} openings · page 2 of 2")
    expect(results).to_have_count(backend_remote - 20)
    expect(page.get_by_role("link", name=board.backend_remote[-1].title)).to_be_visible()

    # Removing a chip keeps the other filters and starts again at page 1.
    chips = page.get_by_role("list", name="Active filters")
    chips.get_by_role("link", name="Remote — remove this filter").click()
    expect(page).to_have_url(re.compile(r"/jobs/\?skill=backend-development$"))
    expect(count).to_have_text(f"{backend} openings")
    expect(filters.get_by_label("Remote", exact=True)).not_to_be_checked()
    expect(filters.get_by_label("Backend development")).to_be_checked()

    # Back to two filters, then "Clear all" takes both off.
    filters.get_by_role("group", name="Workplace").get_by_label("Hybrid").click()
    apply.click()
    expect(page).to_have_url(re.compile(r"\?skill=backend-development&remote=hybrid$"))
    expect(count).to_have_text(f"{len(board.backend_other)} openings")
    chips.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(live_server.url + "/jobs/")
    expect(count).to_have_text(f"{total} openings")
    expect(chips).to_have_count(0)


def test_words_typed_in_the_keyword_box_become_removable_filters(live_server, page, board):
    """ "python remote" is Python roles that are remote: the words become the filters'
    chips, and taking a chip off does not bring its word back as text."""
    python = len(board.backend_remote) + len(board.other)  # every Python role is remote
    backend_remote = len(board.backend_remote)
    backend = backend_remote + len(board.backend_other)

    page.goto(live_server.url + "/jobs/")
    count = page.locator("#results-heading")
    filters = page.locator("form#filters")
    keywords = filters.get_by_label("Keywords")
    apply = filters.get_by_role("button", name="Show openings")
    chips = page.get_by_role("list", name="Active filters")

    keywords.fill("python remote")
    apply.click()
    expect(chips.get_by_role("link")).to_have_text(
        [re.compile(r"^Python"), re.compile(r"^Remote"), "Clear all"]
    )
    expect(count).to_have_text(f"{python} openings")
    expect(keywords).to_have_value("")
    expect(filters.get_by_role("group", name="Workplace").get_by_label("Remote")).to_be_checked()
    canonical = page.locator("link[rel=canonical]")
    expect(canonical).to_have_attribute("href", re.compile(r"/jobs/\?remote=remote&skill=python$"))

    chips.get_by_role("link", name="Python — remove this filter").click()
    expect(page).to_have_url(re.compile(r"/jobs/\?remote=remote$"))
    expect(keywords).to_have_value("")

    # A skill of several words, with the remote filter already ticked.
    keywords.fill("backend development")
    apply.click()
    expect(count).to_have_text(f"{backend_remote} openings")
    chips.get_by_role("link", name="Remote — remove this filter").click()
    expect(page).to_have_url(re.compile(r"/jobs/\?skill=backend-development$"))
    expect(count).to_have_text(f"{backend} openings")
    expect(keywords).to_have_value("")
