"""axe-core finds no serious or critical accessibility problem on the site's pages, filled
with the demo content that ships with the project: every page on a desktop, and the pages
whose layout changes most on a phone in dark mode (with their disclosures opened); and
on the admin's lists and change forms, signed in as staff."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from alerts import links
from alerts.models import Alert
from postings.models import ExchangeRate, Posting
from skills.models import Skill

BLOCKING = {"serious", "critical"}
ADMIN_PASSWORD = "correct-horse-battery-staple-7"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


def pages_to_check() -> list[tuple[str, str, bool]]:
    """(name, path, also on a phone) of every kind of page, with the demo's content."""
    live = Posting.objects.live()
    posting = live.first()  # the newest: the model's ordering
    ended = Posting.objects.reachable().exclude(pk__in=live).first()
    with_deadline = live.filter(apply_by__isnull=False).order_by("apply_by").first()
    past_deadline = Posting.objects.reachable().filter(apply_by__lte=timezone.now()).first()
    guide = Skill.objects.with_published_guide().order_by("name").first()
    # Job alerts: one confirmed (manage, unsubscribe) and one waiting for its link.
    search = f"remote=remote&skill={guide.slug}"
    alert = Alert.objects.create(email="kept@example.com", search=search)
    waiting = Alert.objects.create(email="new@example.com", search=search)
    alert.confirmed_at = timezone.now()
    alert.save()
    return [
        ("home", "/", True),
        ("skills", "/skills/", False),
        ("skill guide", guide.get_absolute_url(), True),
        (
            "skill guide, narrowed",
            f"{guide.get_absolute_url()}?remote=remote&seniority=senior",
            True,
        ),
        ("listing", "/jobs/", False),
        (
            "listing with filters",
            "/jobs/?skill=python&remote=remote&seniority=senior&salary_min=40000&pay=stated",
            True,
        ),
        ("listing, keywords, page 2", "/jobs/?q=engineer&page=2", True),
        (
            "listing empty, filters to remove",
            "/jobs/?q=zzzqqqxxx&skill=python&skill=go&remote=remote",
            True,
        ),
        ("listing, keywords naming filters", "/jobs/?q=python+remote+lead+engineer", True),
        ("listing by where", "/jobs/?work_from=DE&utc_offset=60", True),
        ("listing by country", "/jobs/?country=US", False),
        ("listing by where, invalid", "/jobs/?country=XX&utc_offset=61", False),
        ("listing, closing soon", "/jobs/?sort=closing", True),
        ("posting with a deadline", with_deadline.get_absolute_url(), True),
        ("posting past its deadline", past_deadline.get_absolute_url(), False),
        ("listing with an invalid filter", "/jobs/?salary_min=lots&pay=maybe", False),
        ("posting", posting.get_absolute_url(), True),
        ("ended posting", ended.get_absolute_url(), True),
        ("company", posting.company.get_absolute_url(), False),
        ("companies", "/companies/", False),
        ("404", "/no-such-page/", False),
        ("admin login", "/admin/login/", False),
        ("alert subscribe", f"/alerts/new/?{search}&salary_min=50000", True),
        ("alert subscribe, invalid search", "/alerts/new/?remote=moon", False),
        ("alert check your inbox", "/alerts/new/sent/", True),
        ("alert confirmed", path_of(links.confirm_url(waiting)), False),
        ("alert manage", path_of(links.manage_url(alert)), True),
        ("alert unsubscribe", path_of(links.unsubscribe_url(alert)), False),
        ("alert link forged", "/alerts/manage/forged/", False),
    ]


def path_of(url: str) -> str:
    """The path of an absolute link (links are built from SITE_URL, not the live server)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def open_disclosures(page) -> None:
    """Open the <details> a phone shows closed (filters, table of contents), so that
    what they hold is checked too."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def describe(name: str, viewport: str, violation: dict) -> str:
    lines = [
        f"{name} [{viewport}]: {violation['impact']} {violation['id']}: {violation['help']} "
        f"({violation['helpUrl']})"
    ]
    for node in violation["nodes"][:5]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def test_no_serious_or_critical_violation(live_server, page, phone_page, demo):
    axe = Axe()
    # The phone in dark mode: its colours need the same contrast (site.css, dark tokens).
    phone_page.emulate_media(color_scheme="dark")
    problems = []
    for name, path, on_phone in pages_to_check():
        for viewport, tab in [("desktop", page), ("phone, dark", phone_page)][: 1 + on_phone]:
            tab.goto(live_server.url + path)
            open_disclosures(tab)
            violations = axe.run(tab).response["violations"]
            problems += [
                describe(name, viewport, violation)
                for violation in violations
                if violation["impact"] in BLOCKING
            ]
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def admin_pages_to_check() -> list[tuple[str, str, str | None]]:
    """(name, path, the autocomplete to open first) of the admin's lists and forms."""
    posting = Posting.objects.order_by("pk").first()
    skill = Skill.objects.with_published_guide().order_by("name").first()
    alert = Alert.objects.create(
        email="kept@example.com", search=f"skill={skill.slug}", confirmed_at=timezone.now()
    )
    pages = [
        ("index", reverse("admin:index"), None),
        ("import content", reverse("admin:postings_posting_import"), None),
        ("postings", reverse("admin:postings_posting_changelist"), None),
        ("new posting", reverse("admin:postings_posting_add"), "id_company"),
        ("posting", reverse("admin:postings_posting_change", args=[posting.pk]), None),
        (
            "posting, company",
            reverse("admin:postings_posting_change", args=[posting.pk]),
            "id_company",
        ),
        (
            "posting, skills",
            reverse("admin:postings_posting_change", args=[posting.pk]),
            "id_skills",
        ),
        (
            "postings not confirmed in 30 days",
            reverse("admin:postings_posting_changelist") + "?confirmed=stale",
            None,
        ),
        (
            "posting with a deadline",
            reverse(
                "admin:postings_posting_change",
                args=[Posting.objects.exclude(apply_by=None).order_by("pk").first().pk],
            ),
            None,
        ),
        ("exchange rates", reverse("admin:postings_exchangerate_changelist"), None),
        (
            "exchange rate",
            reverse(
                "admin:postings_exchangerate_change",
                args=[ExchangeRate.objects.order_by("pk").first().pk],
            ),
            None,
        ),
        ("companies", reverse("admin:companies_company_changelist"), None),
        ("new company", reverse("admin:companies_company_add"), None),
        ("company", reverse("admin:companies_company_change", args=[posting.company_id]), None),
        ("skills", reverse("admin:skills_skill_changelist"), None),
        ("job alerts", reverse("admin:alerts_alert_changelist"), None),
        (
            "job alert",
            reverse("admin:alerts_alert_change", args=[alert.pk]),
            None,
        ),
        ("new skill", reverse("admin:skills_skill_add"), None),
        ("skill with its guide", reverse("admin:skills_skill_change", args=[skill.pk]), None),
        ("skill guides", reverse("admin:skills_skillguide_changelist"), None),
        (
            "skill guide",
            reverse("admin:skills_skillguide_change", args=[skill.guide.pk]),
            "id_skill",
        ),
    ]
    return pages


def open_autocomplete(page, field_id: str) -> None:
    """Open a Select2 autocomplete as staff do, so that its dropdown and search field are
    checked too."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    expect(page.locator(".select2-container--open .select2-search__field")).to_be_focused()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("ArrowDown")  # a highlighted suggestion, for its contrast


def test_admin_no_serious_or_critical_violation(live_server, page, demo):
    """The admin's lists and change forms, as a member of staff uses them: split date and
    time inputs, autocompletes (closed and open), inlines; in light and dark mode."""
    User.objects.create_superuser("staff", "staff@example.com", ADMIN_PASSWORD)
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    axe = Axe()
    problems = []
    pages = admin_pages_to_check()
    # Dark mode changes colours only (static/css/admin.css): the pages with an open
    # autocomplete, and one page of each kind, show them all.
    of_each_kind = {"index", "import content", "postings", "company"}
    dark = [entry for entry in pages if entry[2] or entry[0] in of_each_kind]
    for scheme, checked in [("light", pages), ("dark", dark)]:
        page.emulate_media(color_scheme=scheme)
        for name, path, autocomplete in checked:
            page.goto(live_server.url + path)
            expect(page.locator("#content")).to_be_visible()
            if autocomplete:
                open_autocomplete(page, autocomplete)
            violations = axe.run(page).response["violations"]
            problems += [
                describe(f"admin: {name}", scheme, violation)
                for violation in violations
                if violation["impact"] in BLOCKING
            ]
    assert not problems, "axe-core found:\n" + "\n".join(problems)
