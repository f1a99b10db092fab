"""Deadlines and freshness: when applications close, and how long a confirmation lasts.

The rules' words and arithmetic, importing no model: `Posting` (its fields, `live()`),
its cards and its page use them. An application deadline is stored as an instant
(`Posting.apply_by`) with the IANA time zone the employer gave it in
(`apply_by_timezone`), so that the page can say "Applications close on 12 Dec 2026,
17:00 Berlin time" and every reader meets the same instant.
"""

import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dateformat import format as format_date

# A card says "Closes in 3 days" from this close to the deadline.
CLOSING_SOON = timedelta(days=7)


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA names zoneinfo knows (read once, on first use: it lists files)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    # A lookup in the known names, never ZoneInfo(name) on input: that opens a file
    # named by the input ("../../etc/passwd" is refused, but only by a path check).
    if name and name not in time_zone_names():
        raise ValidationError(
            "%(name)s is not an IANA time zone name, e.g. Europe/Berlin or America/New_York.",
            params={"name": name[:64]},
            code="invalid_time_zone",
        )


def time_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone `name` names; UTC for a blank or unknown name (a row written around the
    validation)."""
    return zoneinfo.ZoneInfo(name) if name in time_zone_names() else zoneinfo.ZoneInfo("UTC")


def zone_label(name: str, local: datetime) -> str:
    """ "Berlin", "New York", "Buenos Aires"; for zones that are no place ("UTC",
    "Etc/GMT-3"), their abbreviation at that moment ("UTC", "+03")."""
    if "/" in name and not name.startswith("Etc/"):
        return name.rsplit("/", 1)[1].replace("_", " ")
    return local.tzname() or "UTC"


def deadline_display(instant: datetime, zone_name: str) -> str:
    """ "12 Dec 2026, 17:00 Berlin time": the instant as the employer gave it."""
    local = instant.astimezone(time_zone(zone_name))
    return f"{format_date(local, 'j M Y, H:i')} {zone_label(zone_name, local)} time"


def closes_in(instant: datetime | None, now: datetime) -> str:
    """A card's "Closes in 3 days" within CLOSING_SOON of the deadline; "" otherwise.

    Counted per request from the clock. A page holding it is cached for at most
    PAGE_CACHE_SECONDS (jobboard/cache.py), so the words are at most that late; the
    coarsest unit is hours below a day, so they are never more than an hour early."""
    if instant is None or not now < instant <= now + CLOSING_SOON:
        return ""
    left = instant - now
    if left.days >= 1:
        return f"Closes in {left.days} day{'s' if left.days != 1 else ''}"
    hours = left.seconds // 3600
    if hours >= 1:
        return f"Closes in {hours} hour{'s' if hours != 1 else ''}"
    return "Closes within the hour"


def reconfirm_period() -> timedelta:
    """How long a confirmation keeps a posting live (settings.RECONFIRM_DAYS)."""
    return timedelta(days=settings.RECONFIRM_DAYS)


def confirmation_cutoff(now: datetime) -> datetime:
    """Postings confirmed at or before this moment are no longer live."""
    return now - reconfirm_period()


def local_as_utc(instant: datetime, zone_name: str) -> datetime:
    """The admin's form shows a deadline's wall-clock time in its own zone; Django's
    widgets label it UTC (settings.TIME_ZONE). This is that reading."""
    local = instant.astimezone(time_zone(zone_name))
    return local.replace(tzinfo=UTC)


def utc_as_local(entered: datetime, zone_name: str) -> datetime:
    """The inverse of local_as_utc(): a wall-clock time entered in the admin (read as
    UTC) taken as the same wall-clock time in the deadline's zone."""
    wall_clock = entered.astimezone(UTC).replace(tzinfo=None)
    return wall_clock.replace(tzinfo=time_zone(zone_name))
