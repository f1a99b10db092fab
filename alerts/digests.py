"""Digests: the new openings of each confirmed alert, one e-mail per alert and run.

A run (`send_digests(frequency)`, the tasks in alerts/tasks.py) takes the alerts of one
frequency that are due and groups them by their normalised search: each search is
filtered ONCE, by the listing's own filter (postings.feeds.filter_listing, the rule of the
page and the feed), for the live postings published in (the group's oldest
`sent_through`, now]; each alert then keeps those newer than its own `sent_through`.
Newest first, the postings an alert has not seen are a prefix of that list, so one short
read serves the whole group. A posting that closed early is no longer live: not sent.

Delivery is at least once, never silently lost. For each alert, in one transaction: its
row is locked (a second run at the same time skips it) and checked unchanged, the e-mail
is handed to the SMTP server, and `sent_through`, `last_sent_at` and `sent_count` move
forward; the transaction commits right after the server accepts the message. A crash
between the two (the server has it, the commit never happened) leaves that alert as it
was: the next run sends the same digest again, and only that one (tests/test_alerts_
digests.py kills the sender there). Otherwise `sent_through` only moves forward, to the
instant the run's query ended, so a posting is never in two digests of the same alert.

An alert whose search no longer validates (a skill or company deleted) gets one e-mail
saying so, is logged at WARNING for staff and marked `search_broken_at` (the admin shows
it); runs leave it alone until its search validates again (staff restore the skill or
company), when it resumes from that moment. One alert failing (a refused
address, a template error) is logged and the run goes on with the others; a mail server
that cannot be reached stops the run, with nothing recorded as sent that was not.
"""

import logging
import re
import smtplib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from itertools import groupby
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jobboard.seo import absolute_url
from postings.feeds import filter_listing
from postings.filters import Sort
from postings.templatetags.posting_cards import pay_text, stated_facts

from .links import manage_url, unsubscribe_url
from .models import Alert
from .search import describe

logger = logging.getLogger(__name__)

# Postings listed in one e-mail, newest first; the others are counted, with a link to the
# listing (up to COUNT_LIMIT: "and 999+ more" is as useful as an exact count).
DIGEST_LENGTH = 20
COUNT_LIMIT = 1000
# An alert is due when its last run ended at least this long ago, so a daily or weekly
# job enqueued twice (a restarted `make run`, a retried cron line) sends nothing twice.
# "As published" runs every 15 minutes and every alert is due each time.
MINIMUM_GAP = {
    Alert.Frequency.AS_PUBLISHED: timedelta(0),
    Alert.Frequency.DAILY: timedelta(hours=12),
    Alert.Frequency.WEEKLY: timedelta(days=3),
}
SUBJECT_LENGTH = 140
UPDATE_BATCH = 5000
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


@dataclass
class RunReport:
    """What one run did, for the task's result (the admin's "Background tasks")."""

    frequency: str
    searches: int = 0
    alerts: int = 0
    sent: int = 0
    nothing_new: int = 0
    broken: int = 0
    skipped: int = 0  # changed or taken by another run meanwhile
    failed: int = 0
    resumed: int = 0  # broken searches that validate again

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Digest:
    """One alert's e-mail, built: its new openings, or a broken search's notice."""

    alert: Alert
    message: EmailMultiAlternatives
    broken: bool = False


def send_digests(frequency: str, *, now: datetime | None = None) -> RunReport:
    """Send every due alert of `frequency` its digest; see the module's docstring."""
    now = now or timezone.now()
    report = RunReport(frequency)
    report.resumed = resume_fixed_searches(frequency, now=now)
    connection = get_connection()
    try:
        for digest in build_digests(frequency, now=now, report=report):
            try:
                report_field = _deliver(digest, now=now, connection=connection)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                # This address or this message refused (a mailbox gone): the others go on;
                # this alert stays due, so the next run tries it again.
                report.failed += 1
                logger.warning("Alert %s: the mail server refused its digest", digest.alert.pk)
                continue
            except OSError:  # smtplib's other errors too: the server gone, our login refused
                # Every further alert would fail the same way. Those not sent stay due and
                # the next run sends them.
                logger.exception("Alert digests stopped: the mail server cannot be reached")
                raise
            except Exception:
                report.failed += 1
                logger.exception("Alert %s: its digest could not be sent", digest.alert.pk)
                continue
            setattr(report, report_field, getattr(report, report_field) + 1)
    finally:
        connection.close()
    return report


def build_digests(frequency: str, *, now: datetime, report: RunReport) -> Iterator[Digest]:
    """The due alerts' e-mails, built from one query per distinct search; alerts with
    nothing new are moved forward in bulk here (nothing to send, nothing to lose)."""
    due = (
        Alert.objects.active()
        .filter(frequency=frequency, search_broken_at__isnull=True)
        .filter(Q(sent_through__isnull=True) | Q(sent_through__lte=now - MINIMUM_GAP[frequency]))
        .only("email", "search", "frequency", "created_at", "confirmed_at", "sent_through")
        .order_by("search", "pk")
    )
    for search, group in groupby(due.iterator(chunk_size=2000), key=lambda alert: alert.search):
        alerts = list(group)
        report.searches += 1
        report.alerts += len(alerts)
        try:
            yield from _digests_of_search(search, alerts, now=now, report=report)
        except Exception:
            # A search that breaks the build in a way nobody foresaw: logged, and the
            # other searches go on.
            report.failed += len(alerts)
            logger.exception("Alert digests for the search %r could not be built", search)


def resume_fixed_searches(frequency: str, *, now: datetime) -> int:
    """Alerts whose broken search validates again (the skill or company is back) resume
    from `now`: no flood of what was published meanwhile. One check per distinct search."""
    broken = Alert.objects.filter(frequency=frequency, search_broken_at__isnull=False)
    resumed = 0
    for search in broken.values_list("search", flat=True).distinct().order_by():
        try:
            filter_listing(_listing_params(search))
        except BadRequest:
            continue
        resumed += broken.filter(search=search).update(search_broken_at=None, sent_through=now)
    return resumed


def _listing_params(search: str) -> QueryDict:
    params = QueryDict(search, mutable=True)
    # Newest first whatever the search says (with keywords the listing would rank).
    params.setlist("sort", [Sort.NEWEST])
    params.pop("page", None)
    return params


def _digests_of_search(search: str, alerts: list[Alert], *, now, report) -> Iterator[Digest]:
    try:
        matches = filter_listing(_listing_params(search)).qs
    except BadRequest as error:
        logger.warning(
            "Alert search %r no longer validates (%s); %d alert(s) told once and left alone "
            "until it validates again (admin: Job alerts, 'search broken at').",
            search,
            error,
            len(alerts),
        )
        context = {"description": describe(search), "listing_url": _listing_url(search)}
        for alert in alerts:
            yield _broken_notice(alert, context)
        return
    since = min(_considered_through(alert) for alert in alerts)
    window = matches.filter(published_at__gt=since, published_at__lte=now)
    # Newest first, what an alert has not seen is a prefix of this: one read serves every
    # alert of the search (ordered by the listing's newest-first sort).
    shown = list(window.defer("description_html")[:DIGEST_LENGTH])
    published = [posting.published_at for posting in shown]
    if len(shown) == DIGEST_LENGTH:  # maybe more: up to COUNT_LIMIT instants, to count
        published = list(window.values_list("published_at", flat=True)[:COUNT_LIMIT])
    ascending = published[::-1]  # for bisection
    quiet = []
    if shown:
        search_context = {"description": describe(search), "listing_url": _listing_url(search)}
        facts = [_posting_facts(posting) for posting in shown]
        # The list of postings rendered once per length: alerts differ only in how many
        # of the newest they have not seen, their links and their frequency.
        blocks = {}
    for alert in alerts:
        through = _considered_through(alert)
        new = len(ascending) - bisect_right(ascending, through)
        if not new:
            quiet.append(alert.pk)
            continue
        listed = min(new, len(shown))
        if listed not in blocks:
            blocks[listed] = _postings_block(facts[:listed])
        yield Digest(alert, _digest_message(alert, search_context, blocks[listed], new, listed))
    if quiet:
        # Nothing new for these: what was published until `now` has been considered.
        moved = Alert.objects.filter(Q(sent_through__isnull=True) | Q(sent_through__lt=now))
        for start in range(0, len(quiet), UPDATE_BATCH):  # SQLite bounds a query's parameters
            batch = quiet[start : start + UPDATE_BATCH]
            report.nothing_new += moved.filter(pk__in=batch).update(sent_through=now)


def _considered_through(alert: Alert) -> datetime:
    """Postings published up to this instant have been considered for `alert`."""
    return alert.sent_through or alert.confirmed_at


def _deliver(digest: Digest, *, now, connection) -> str:
    """Send one digest and record it, in one transaction committed right after the SMTP
    server accepted the message; the report's field to count it under."""
    alert = digest.alert
    with transaction.atomic():
        unchanged = Alert.objects.active().filter(
            pk=alert.pk,
            search=alert.search,
            frequency=alert.frequency,
            search_broken_at__isnull=True,
        )
        if alert.sent_through is None:
            unchanged = unchanged.filter(sent_through__isnull=True)
        else:
            unchanged = unchanged.filter(sent_through=alert.sent_through)
        # Locked until the commit: a run at the same time skips it, then finds it moved.
        if not unchanged.select_for_update(skip_locked=True).exists():
            return "skipped"
        connection.send_messages([digest.message])  # returns once the server accepted it
        if digest.broken:
            Alert.objects.filter(pk=alert.pk).update(search_broken_at=now)
            return "broken"
        Alert.objects.filter(pk=alert.pk).update(
            sent_through=now, last_sent_at=timezone.now(), sent_count=F("sent_count") + 1
        )
    return "sent"


def subject_line(text: str) -> str:
    """One line, whatever a search holds: Django refuses a header with a line break
    (BadHeaderError), and one alert's search must not stop a run."""
    line = " ".join(_UNPRINTABLE.sub(" ", text).split())
    if len(line) > SUBJECT_LENGTH:
        line = line[: SUBJECT_LENGTH - 1].rstrip() + "…"
    return line


def _listing_url(search: str) -> str:
    path = reverse("postings:list")
    return absolute_url(f"{path}?{search}" if search else path, base=settings.SITE_URL)


def _message(alert: Alert, *, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(alert)
    context = {
        **context,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "manage_url": manage_url(alert),
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMultiAlternatives(
        subject=subject_line(subject),
        body=render_to_string(f"alerts/email/{template}.txt", context),
        to=[alert.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show "Unsubscribe" and POST
            # "List-Unsubscribe=One-Click" to this URL, without opening a page.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: auto-responders do not answer it.
            "Auto-Submitted": "auto-generated",
            # The site's own domain, not this machine's name (often "localhost").
            "Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname or None),
        },
    )
    message.attach_alternative(
        render_to_string(f"alerts/email/{template}.html", context), "text/html"
    )
    return message


def _postings_block(facts: list[dict]) -> dict:
    context = {"postings": facts}
    return {
        "postings_text": render_to_string("alerts/email/digest_postings.txt", context),
        "postings_html": render_to_string("alerts/email/digest_postings.html", context),
    }


def _digest_message(
    alert: Alert, search: dict, block: dict, new: int, listed: int
) -> EmailMultiAlternatives:
    description = search["description"]
    count = f"{new}{'+' if new >= COUNT_LIMIT else ''}"
    noun = "opening" if new == 1 else "openings"
    return _message(
        alert,
        subject=f"{count} new {noun}: {description}",
        template="digest",
        context={
            "description": description,
            "new": new,
            "count": count,
            "noun": noun,
            "more": new - listed,
            "more_plus": new >= COUNT_LIMIT,
            **block,
            "listing_url": search["listing_url"],
            "frequency": alert.get_frequency_display().lower(),
        },
    )


def _broken_notice(alert: Alert, context: dict) -> Digest:
    message = _message(
        alert,
        subject=f"Your job alert stopped working: {context['description']}",
        template="search_broken",
        context=context,
    )
    return Digest(alert, message, broken=True)


def _posting_facts(posting) -> dict:
    """What the e-mail shows of a posting: a card's facts, the employer's words only."""
    company = posting.company
    logo = company.logo_sources(48) if company.logo else None
    return {
        "title": posting.title,
        "company": company.name,
        "summary": posting.summary,
        "facts": stated_facts(posting),
        "pay": pay_text(posting),
        "url": absolute_url(posting.get_absolute_url(), base=settings.SITE_URL),
        # The PNG (mail clients rarely show WebP), at its own URL: no tracking.
        "logo": absolute_url(logo["png"], base=settings.SITE_URL) if logo else "",
    }
