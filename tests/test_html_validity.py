"""Every page type is valid HTML, as the W3C Nu HTML checker (vnu) judges it.

vnu comes from the npm package `vnu-jar`, pinned in package.json: `npm ci --ignore-scripts`
puts it in node_modules/ (git-ignored), where this module finds it (or set VNU_JAR). It
needs Java 17+. Without either the check is skipped with the reason, except where
REQUIRE_VNU is set (CI), where that fails. All pages go to one java process: starting the
checker costs seconds, checking a page a few milliseconds.

Errors fail. Warnings do not: they are the checker's advice, not the standard. Those not
in ALLOWED_WARNINGS (one today, from Django's admin) are reported in pytest's summary.
"""

import json
import os
import shutil
import subprocess
import warnings
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from alerts import links
from alerts.models import Alert
from companies.models import Company
from postings.models import ExchangeRate, Posting
from skills.models import Skill
from tests.content_files import sample
from tests.seo_html import read_head
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db

VNU_JAR = Path(
    os.environ.get("VNU_JAR")
    or Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
JAVA = shutil.which("java")

# Warnings we accept, by the start of the checker's message, each with why. Any other
# warning is reported in pytest's summary, never a failure; judge it, then fix it or add
# it here with the reason.
ALLOWED_WARNINGS = {
    "A table row was 2 columns wide, which is less than the column count established by "
    "the first row (3).": "Django's own admin/app_list.html, in the admin's sidebar: its "
    "visually hidden header names three columns, and rows without the Change link have two. "
    "Screen readers read the rows correctly; fixing it means forking a Django template.",
}

# Pages for search engines: each has a meta description (README, "Feeds, sitemap and
# structured data"). The admin's pages are for staff, and Django's, so they are not.
PUBLIC = "public"
STAFF = "staff"


@pytest.fixture
def vnu() -> list[str]:
    """The command that runs the checker (asked for before the pages, so that a skip is
    quick)."""
    missing = []
    if not JAVA:
        missing.append("no `java` on PATH (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        missing.append(f"no {VNU_JAR} (run `npm ci --ignore-scripts` in the project folder)")
    if missing:
        message = "W3C HTML checker unavailable: " + "; ".join(missing)
        if os.environ.get("REQUIRE_VNU"):
            pytest.fail(message)
        pytest.skip(message)
    return [JAVA, "-jar", str(VNU_JAR)]


def change_form(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def pages(client, admin_client):
    """{page type: (audience, status, HTML)} for every kind of page the site serves,
    over the demo content plus a posting with only what the database requires."""
    call_command("load_demo", stdout=StringIO())
    now = timezone.now()
    live = Posting.objects.live()
    posting = live.exclude(description="").exclude(salary_min=None).order_by("pk").first()
    closed = Posting.objects.filter(status=Posting.Status.CLOSED).order_by("pk").first()
    expired = live.exclude(pk=posting.pk).order_by("pk").first()
    expired.published_at = now - timedelta(days=45, microseconds=123456)
    expired.expires_at = now - timedelta(days=1, microseconds=654321)
    expired.save()
    bare = Posting.objects.create(
        company=Company.objects.order_by("pk").first(),
        title="Engineer",
        slug="engineer",
        summary="Build things.",
        status=Posting.Status.PUBLISHED,
        published_at=now - timedelta(minutes=5),
    )
    # The demo's deadlines and confirmations: one closing within the week, one past.
    with_deadline = live.filter(apply_by__gt=now).order_by("apply_by").first()
    past_deadline = Posting.objects.reachable().filter(apply_by__lte=now).first()
    unconfirmed = (
        Posting.objects.reachable()
        .unexpired()
        .exclude(pk__in=Posting.objects.live())
        .filter(status=Posting.Status.PUBLISHED, apply_by=None)
        .first()
    )
    assert with_deadline and past_deadline and unconfirmed, "the demo lacks a deadline state"
    guide_skill = Skill.objects.filter(guide__is_published=True).order_by("pk").first()
    bare_skill = Skill.objects.filter(guide=None).order_by("pk").first()
    company = posting.company
    assert guide_skill and bare_skill and closed, "the demo content lacks a page type"

    listing = reverse("postings:list")
    # Job alerts: one to confirm, one confirmed to manage, one to unsubscribe from.
    search = f"remote=remote&skill={guide_skill.slug}"
    to_confirm, confirmed, leaving = (
        Alert.objects.create(email=f"{name}@example.com", search=search, confirmed_at=now)
        for name in ("new", "kept", "leaving")
    )
    Alert.objects.filter(pk=to_confirm.pk).update(confirmed_at=None)
    public = {
        "home": "/",
        "skills": reverse("skills:list"),
        "skill with a guide": guide_skill.get_absolute_url(),
        "skill without a guide": bare_skill.get_absolute_url(),
        "skill narrowed by chips": (
            f"{guide_skill.get_absolute_url()}?remote=remote&remote=hybrid&seniority=senior"
        ),
        "skill narrowed to nothing": f"{guide_skill.get_absolute_url()}?remote=onsite&country=AQ",
        "skill, invalid chip (400)": f"{guide_skill.get_absolute_url()}?remote=moon",
        "listing": listing,
        "listing filtered": (
            f"{listing}?skill={guide_skill.slug}&remote=remote&remote=hybrid"
            "&salary_min=40000&pay=stated&sort=salary"
        ),
        "listing keyword search": f"{listing}?q=engineer",
        # Words that name filters: applied (python, remote) and offered (lead).
        "listing keywords naming filters": f"{listing}?q=python+remote+lead+engineer",
        "listing by where": f"{listing}?country=DE&work_from=DE&utc_offset=60",
        "listing by where, invalid (400)": f"{listing}?country=XX&work_from=EU&utc_offset=61",
        "listing invalid (400)": f"{listing}?salary_min=lots&remote=moon&pay=maybe",
        "listing empty": f"{listing}?q=zzzqqqxxx",
        "listing empty, filters to remove": (
            f"{listing}?q=zzzqqqxxx&skill={guide_skill.slug}&skill={bare_skill.slug}&remote=remote"
        ),
        "listing page 2": f"{listing}?page=2",
        "listing closing soon": f"{listing}?sort=closing",
        "posting live": posting.get_absolute_url(),
        "posting remote, open to areas and hours": live.filter(remote_policy="remote")
        .exclude(remote_utc_offset_min=None)
        .exclude(remote_from="")
        .order_by("pk")
        .first()
        .get_absolute_url(),
        "posting with only company, title and summary": bare.get_absolute_url(),
        "posting closed": closed.get_absolute_url(),
        "posting expired": expired.get_absolute_url(),
        "posting with a deadline": with_deadline.get_absolute_url(),
        "posting past its deadline": past_deadline.get_absolute_url(),
        "posting not reconfirmed": unconfirmed.get_absolute_url(),
        "companies": reverse("companies:list"),
        "company": company.get_absolute_url(),
        "404": "/no-such-page/",
        "alert subscribe": f"{reverse('alerts:subscribe')}?{search}&salary_min=50000",
        "alert subscribe, all openings": reverse("alerts:subscribe"),
        "alert subscribe, invalid search (400)": f"{reverse('alerts:subscribe')}?remote=moon",
        "alert check your inbox": reverse("alerts:sent"),
        "alert confirmed": links.confirm_url(to_confirm),
        "alert confirm link used (410)": links.confirm_url(to_confirm),
        "alert manage": links.manage_url(confirmed),
        "alert manage, saved": links.manage_url(confirmed) + "?done=frequency",
        "alert unsubscribe": links.unsubscribe_url(leaving),
        "alert link forged (400)": reverse("alerts:manage", kwargs={"token": "forged"}),
    }
    # The import's status pages: a dry run waiting for a worker, and one's report.
    import_url = reverse("admin:postings_posting_import")
    content = json.dumps({**sample(), "companies": [], "postings": []}).encode()
    checked = admin_client.post(import_url, {"file": SimpleUploadedFile("c.json", content)})
    run_tasks()
    waiting = admin_client.post(import_url, {"file": SimpleUploadedFile("c.json", content)})
    staff = {
        "admin login": (client, f"/{settings.ADMIN_URL}login/"),
        "admin index": (admin_client, reverse("admin:index")),
        "admin postings list": (admin_client, reverse("admin:postings_posting_changelist")),
        "admin posting change form": (admin_client, change_form(posting)),
        "admin postings, range missing": (
            admin_client,
            reverse("admin:postings_posting_changelist") + "?pay_transparency=missing",
        ),
        "admin posting change form, pay-transparency note": (
            admin_client,
            change_form(Posting.objects.filter(region="US-WA", salary_min=None).first()),
        ),
        "admin posting with a deadline": (admin_client, change_form(with_deadline)),
        "admin postings not confirmed in 30 days": (
            admin_client,
            reverse("admin:postings_posting_changelist") + "?confirmed=stale",
        ),
        "admin sparse posting change form": (admin_client, change_form(bare)),
        "admin import": (admin_client, import_url),
        "admin import waiting": (admin_client, waiting["Location"]),
        "admin import report": (admin_client, checked["Location"]),
        "admin company change form": (admin_client, change_form(company)),
        "admin job alerts list": (admin_client, reverse("admin:alerts_alert_changelist")),
        "admin job alert change form": (admin_client, change_form(confirmed)),
        "admin guide change form": (admin_client, change_form(guide_skill.guide)),
        "admin exchange rates list": (
            admin_client,
            reverse("admin:postings_exchangerate_changelist"),
        ),
        "admin exchange rate change form": (
            admin_client,
            change_form(ExchangeRate.objects.order_by("pk").first()),
        ),
    }
    expected_status = {
        "skill, invalid chip (400)": 400,
        "listing invalid (400)": 400,
        "listing by where, invalid (400)": 400,
        "404": 404,
        "alert subscribe, invalid search (400)": 400,
        "alert confirm link used (410)": 410,
        "alert link forged (400)": 400,
    }
    visits = [(name, PUBLIC, client, url) for name, url in public.items()]
    visits += [(name, STAFF, browser, url) for name, (browser, url) in staff.items()]
    result = {}
    for name, audience, browser, url in visits:
        response = browser.get(url)
        assert response.status_code == expected_status.get(name, 200), (name, url)
        assert response["Content-Type"].startswith("text/html"), (name, url)
        result[name] = (audience, response.status_code, response.content.decode())
    # Job alert pages that answer a POST: the form with errors, and the end of an alert.
    posted = {
        "alert subscribe, form errors (400)": (
            f"{reverse('alerts:subscribe')}?{search}",
            {"email": "not an address", "frequency": "hourly"},
            400,
        ),
        "alert unsubscribed": (links.unsubscribe_url(leaving), {}, 200),
    }
    for name, (url, data, status) in posted.items():
        response = client.post(url, data)
        assert response.status_code == status, (name, url)
        result[name] = (PUBLIC, status, response.content.decode())
    return result


# A page with one known error, checked with the others: proof that the checker ran and
# reports what it finds (given a path it cannot read, vnu says nothing at all).
CANARY = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Canary</title></head>'
    '<body><time datetime="2026-01-02T03:04:05.123456+00:00">2 Jan</time></body></html>'
)


def test_every_page_type_is_valid_html(vnu, pages, tmp_path):
    documents = {name: html for name, (_, _, html) in pages.items()} | {"canary": CANARY}
    files = {}
    for index, (name, html) in enumerate(documents.items()):
        path = tmp_path / f"page-{index:02}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    # --exit-zero-always: the verdict comes from the JSON, so that a crash of the checker
    # (no JSON) is told apart from a page with errors.
    checked = subprocess.run(  # noqa: S603 (fixed command, our own temporary files)
        [*vnu, "--format", "json", "--stdout", "--exit-zero-always",
         "--skip-info-messages", *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    messages = json.loads(checked.stdout)["messages"]

    errors, advice, canary = [], [], []
    for message in messages:
        url = message.get("url", "?")
        page = files.get(url.rpartition("/")[2], url)
        if page == "canary":
            canary.append(message["message"])
            continue
        line = f"{page}, line {message.get('lastLine', '?')}: {message['message']}"
        if "extract" in message:
            line += f"\n    {message['extract'].strip()}"
        if message["type"] == "info" and message.get("subType") == "warning":
            if not message["message"].startswith(tuple(ALLOWED_WARNINGS)):
                advice.append(line)
        else:  # "error", a "fatal" error, or a "non-document-error" (the checker's own)
            errors.append(line)
    for line in advice:
        warnings.warn(f"W3C checker: {line}", stacklevel=1)
    assert len(canary) == 1 and "fraction of a second" in canary[0], canary
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors)


def test_every_public_page_type_has_one_meta_description(pages):
    for name, (audience, status, html) in pages.items():
        if audience != PUBLIC:
            continue
        head = read_head(html)
        assert head.one("description"), (name, status)
