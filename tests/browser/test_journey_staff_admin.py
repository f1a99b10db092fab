"""A member of staff adds a company with its logo and a published opening in the admin
(leaving its date empty: published now), then finds the opening, logo and all, on the
skill's guide page."""

import re

from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import expect

from postings.models import Posting
from tests.conftest import make_png
from tests.worker import run_tasks

PASSWORD = "correct-horse-battery-staple-7"


def choose(page, field_id: str, typed: str, option: str) -> None:
    """Pick `option` in the admin's autocomplete (Select2) widget for `field_id`, as a
    person does: open it, type, click the suggestion."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).click()
    expect(page.locator(f"#{field_id} + .select2")).to_contain_text(option)


def test_staff_add_a_company_and_an_opening_that_the_guide_shows(
    live_server, page, board, tmp_path
):
    editor = User.objects.create_user("editor", "editor@example.com", PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editors"))
    logo = tmp_path / "acme-rockets.png"
    logo.write_bytes(make_png(size=(400, 400), color=(230, 120, 20)))

    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    expect(page.get_by_role("link", name="Import content")).to_be_visible()

    # The company, with its logo uploaded from a file.
    page.get_by_role("row", name=re.compile("^Companies")).get_by_role("link", name="Add").click()
    page.get_by_label("Name").press_sequentially("Acme Rockets")
    expect(page.get_by_label("Slug")).to_have_value("acme-rockets")
    page.get_by_label("Logo").set_input_files(logo)
    page.get_by_label("Website").fill("https://acme-rockets.example")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # The opening: company and skill through the autocomplete widgets, published now.
    page.get_by_role("link", name="Home").click()
    page.get_by_role("row", name=re.compile("^Postings")).get_by_role("link", name="Add").click()
    page.get_by_label("Title").press_sequentially("Rocket Backend Engineer")
    expect(page.get_by_label("Slug")).to_have_value("rocket-backend-engineer")
    choose(page, "id_company", "Acme", "Acme Rockets")
    page.get_by_label("Summary").fill("Build the services that launch our rockets.")
    choose(page, "id_skills", "Backend", "Backend development")
    page.get_by_role("textbox", name="Description").fill(
        "## The role\n\nYou will build launch APIs."
    )
    page.get_by_label("Location").fill("Lisbon, Portugal")
    page.get_by_label("Remote policy").select_option(label="Remote")
    page.get_by_label("Apply url").fill("https://acme-rockets.example/careers/rocket-backend")
    # "Published" with the date left empty: published now, and the admin says so.
    page.get_by_label("Status").select_option(label="Published")
    expect(page.locator(".field-published_at")).to_contain_text(
        "Empty when you choose “Published”: the moment you save."
    )
    before = timezone.now().replace(microsecond=0)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator(".messagelist")).to_contain_text(
        "The publication date was empty, so it is now:"
    )

    posting = Posting.objects.get(slug="rocket-backend-engineer")
    assert posting.is_live
    assert before <= posting.published_at <= timezone.now()
    assert list(posting.skills.all()) == [board.backend]

    # A worker renders the logo's sizes (until then the pages show the monogram).
    run_tasks()
    # The guide lists it first among its openings, with the uploaded logo loaded.
    page.goto(live_server.url + board.backend.get_absolute_url())
    card = page.locator("#openings .card").filter(has_text="Rocket Backend Engineer")
    expect(card).to_contain_text("Acme Rockets")
    expect(page.locator("#openings .card").first).to_contain_text("Rocket Backend Engineer")
    image = card.locator("img.logo")
    image.scroll_into_view_if_needed()  # the logo loads lazily
    expect(image).to_be_visible()
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=image.element_handle()
    )


def test_the_admins_theme_toggle_wins_over_the_systems_scheme(live_server, browser):
    """The board's colours in both themes, and staff's choice of theme (Django's toggle,
    kept in localStorage) over the system's: static/css/admin.css sets both ways."""
    header_backgrounds = {"light": "rgb(8, 70, 127)", "dark": "rgb(21, 39, 59)"}
    for system, chosen, shown in [
        ("light", "auto", "light"),
        ("dark", "auto", "dark"),
        ("dark", "light", "light"),
        ("light", "dark", "dark"),
    ]:
        context = browser.new_context(color_scheme=system)
        page = context.new_page()
        page.goto(live_server.url + "/admin/login/")
        page.evaluate("theme => localStorage.setItem('theme', theme)", chosen)
        page.reload()
        expect(page.locator("#header")).to_have_css("background-color", header_backgrounds[shown])
        context.close()
