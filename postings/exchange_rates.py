"""The exchange rates in force and what applying them does to the postings' compared
salaries: the database side of postings/salaries.py (which holds the rule itself and
imports no model).

Rates are applied when staff choose (an ExchangeRate saved in the admin, or `manage.py
load_exchange_rates`), never on every publication: applying rewrites the two compared
columns of every posting in the currencies whose rate changed, one UPDATE per currency.
"""

import datetime
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from jobboard.amounts import amount_range, thousands
from jobboard.cache import bump_content_generation

from . import salaries
from .models import ExchangeRate, Posting, top_salary


def rates_in_force() -> dict[str, Decimal]:
    """{currency: rate} for every currency with a rate, the reference one included."""
    rates = dict(ExchangeRate.objects.values_list("currency", "rate"))
    rates[salaries.reference_currency()] = Decimal(1)
    return rates


def rates_date() -> datetime.date | None:
    """The date of the newest rate in force: what the listing's form names."""
    return ExchangeRate.objects.order_by("-date").values_list("date", flat=True).first()


def apply_rates(currencies=None) -> dict[str, int]:
    """Recompute the compared salaries of every posting in `currencies` (all currencies
    when None) from the rates in force; {currency: postings rewritten}.

    One UPDATE per currency. It writes `reference_salary_min` and `_max` only, so the
    search triggers of postings migrations 0003 and 0010 (UPDATE OF title, summary,
    description, company_id, search_vector, skill_ids) do not fire, and `updated_at`
    keeps the date of the employer's last change. The page cache is told on commit."""
    rates = rates_in_force()
    if currencies is None:
        currencies = (
            Posting.objects.exclude(salary_currency="")
            .order_by()
            .values_list("salary_currency", flat=True)
            .distinct()
        )
    rewritten = {}
    for currency in sorted(set(currencies)):
        rate = rates.get(currency)
        rewritten[currency] = Posting.objects.filter(salary_currency=currency).update(
            reference_salary_min=salaries.compared_sql("salary_min", rate),
            reference_salary_max=salaries.compared_sql("salary_max", rate),
        )
    if any(rewritten.values()):
        # UPDATE sends no post_save (jobboard.cache).
        transaction.on_commit(bump_content_generation)
    return rewritten


def unrated_currencies() -> list[str]:
    """The currencies of live postings stating pay that no rate converts: compared
    nowhere until staff give one."""

    used = (
        Posting.objects.live()
        # The salary sort's index holds these postings at 0, among the unpaid ones.
        .alias(top=top_salary())
        .filter(top=0, reference_salary_min=None, reference_salary_max=None)
        .filter(Q(salary_min__isnull=False) | Q(salary_max__isnull=False))
        .order_by()
        .values_list("salary_currency", flat=True)
        .distinct()
    )
    rated = rates_in_force()
    return sorted(set(used) - set(rated))


@dataclass
class RatesChange:
    """What setting a day's rates changed: {currency: (old rate or None, new rate)}, the
    postings compared again per currency, and the rates kept that the source lacks."""

    day: datetime.date
    changed: dict = field(default_factory=dict)
    rewritten: dict = field(default_factory=dict)
    kept: list = field(default_factory=list)
    seconds: float = 0.0


def set_rates(*, day: datetime.date, rates: dict[str, Decimal], source: str) -> RatesChange:
    """Store `rates` (per unit of the reference currency) as the rates in force, and apply
    those that changed, in one transaction. Rates of other currencies are kept (staff
    may have given a rate the source does not publish)."""

    started = time.monotonic()
    report = RatesChange(day=day)
    reference = salaries.reference_currency()
    with transaction.atomic():
        stored = {row.currency: row for row in ExchangeRate.objects.select_for_update()}
        for currency, rate in sorted(rates.items()):
            if currency == reference:
                continue
            row = stored.pop(currency, None) or ExchangeRate(currency=currency)
            if row.pk is None or row.rate != rate:
                report.changed[currency] = (row.rate, rate)
            if row.pk is None or (row.rate, row.date, row.source) != (rate, day, source):
                row.rate, row.date, row.source = rate, day, source
                row.full_clean()
                row.save()
        report.kept = sorted(stored)
        report.rewritten = apply_rates(report.changed)
    report.seconds = time.monotonic() - started
    return report


def compared_note(posting) -> str:
    """For staff: what the posting is compared as, and at which rate's date."""
    if not posting.has_salary:
        return "No salary stated."
    low, high = posting.reference_salary_min, posting.reference_salary_max
    if low is None and high is None:
        return f"Not compared: no exchange rate for {posting.salary_currency}."
    open_end, figures = amount_range(low, high, write=thousands)
    figure = f"{open_end}{salaries.in_currency(figures)}"
    if posting.salary_currency == salaries.reference_currency():
        return f"{figure} a year (the reference currency: no rate needed)."

    rate = ExchangeRate.objects.filter(currency=posting.salary_currency).first()
    if rate is None:  # the rate was deleted since, and not applied
        return f"{figure} a year, at a rate no longer in force."
    return f"{figure} a year at the rates of {salaries.format_day(rate.date)}."
