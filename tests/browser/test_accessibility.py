"""axe-core finds no serious or critical accessibility problem on the site's pages, filled
with the demo content that ships with the project: every page on a desktop, and the pages
whose layout changes most on a phone in dark mode (with their disclosures opened)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from postings.models import Posting
from skills.models import Skill

BLOCKING = {"serious", "critical"}


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


def pages_to_check() -> list[tuple[str, str, bool]]:
    """(name, path, also on a phone) of every kind of page, with the demo's content."""
    live = Posting.objects.live()
    posting = live.order_by("-published_at", "-id").first()
    ended = Posting.objects.reachable().exclude(pk__in=live).first()
    guide = Skill.objects.with_published_guide().order_by("name").first()
    return [
        ("home", "/", True),
        ("skills", "/skills/", False),
        ("skill guide", guide.get_absolute_url(), True),
        ("listing", "/jobs/", False),
        ("listing with filters", "/jobs/?skill=python&remote=remote&seniority=senior", True),
        ("listing, keywords, page 2", "/jobs/?q=engineer&page=2", False),
        ("listing with an invalid filter", "/jobs/?salary_min=lots", False),
        ("posting", posting.get_absolute_url(), True),
        ("ended posting", ended.get_absolute_url(), False),
        ("company", posting.company.get_absolute_url(), False),
        ("companies", "/companies/", False),
        ("404", "/no-such-page/", False),
        ("admin login", "/admin/login/", False),
    ]


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
