"""Salaries compared in one currency and one period: the one home of that rule.

"Salary at least" and the "Highest salary" sort compare what a posting pays in the
reference currency (settings.SALARY_REFERENCE_CURRENCY, EUR by default) per year: the
employer's amounts, in their currency and per their period, times the period's factor
(PERIOD_FACTORS), divided by the exchange rate in force (an ExchangeRate row: units of
that currency for one unit of the reference currency).

The compared figures are stored on the posting (`reference_salary_min` and `_max`) so that
the listing's indexes order and filter by them: a conversion computed in the query would
sort every paid posting at a million. `Posting.derive_fields()` fills them on save; rates
are applied when staff choose (an ExchangeRate saved in the admin, or `manage.py
load_exchange_rates`), never on every publication: applying rewrites the two columns of
every posting in the currencies whose rate changed, one UPDATE per currency.

A currency without a rate is compared nowhere: its postings' compared figures are NULL,
so they match no "Salary at least" and sort after every compared salary, with the
postings that state no pay. The card still shows what the employer wrote.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from xml.etree import ElementTree

from django.conf import settings
from django.db.models import BigIntegerField, Case, DecimalField, F, Value, When
from django.db.models.functions import Cast, Round

from jobboard.amounts import amount_range

# How many of a period make a year, for a full-time job: 40 hours a week and 52 weeks a
# year give 2080 hours; 5 working days a week give 260 days. These are the conventional
# full-time figures (payroll and contracting use them to turn an hourly or daily rate
# into a yearly one); a contractor's unpaid holidays are not deducted, as the comparison
# is between what each posting offers for a full year's work, not a forecast of income.
PERIOD_FACTORS = {
    "hour": 2080,  # 40 hours × 52 weeks
    "day": 260,  # 5 days × 52 weeks
    "week": 52,
    "month": 12,
    "year": 1,
}

ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
ECB_SOURCE_NAME = "European Central Bank euro foreign exchange reference rates"
_GESMES = "{http://www.gesmes.org/xml/2002-08-01}"
_ECB = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
# The daily file is under 2 kB; anything far larger is not it.
MAX_RATES_BYTES = 1_000_000
_CURRENCY = re.compile(r"[A-Z]{3}")
# The ExchangeRate.rate column: 10 decimal places, enough for cross rates of a small
# currency against a large one (USD per IDR is 0.0000677…).
RATE_PLACES = Decimal("1e-10")
# Exact enough that Python (derive_fields) and the database (apply_rates) round the same
# product to the same whole amount.
_PRECISION = Context(prec=40)

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
CURRENCY_NAMES = {"EUR": "euros", "USD": "US dollars", "GBP": "pounds sterling"}


class RatesError(ValueError):
    """A rates file that cannot be read, or is not the ECB's format."""


def reference_currency() -> str:
    """Read per call, never at import: a test or a deployment may change it."""
    return settings.SALARY_REFERENCE_CURRENCY.upper()


def multiplier(period: str, rate: Decimal) -> Decimal:
    """What one unit of a salary per `period`, in a currency at `rate`, is a year in the
    reference currency."""
    with localcontext(_PRECISION):
        return Decimal(PERIOD_FACTORS[period]) / Decimal(rate)


def convert(amount: int | None, *, period: str, rate: Decimal | None) -> int | None:
    """`amount` per `period` at `rate`, in whole units of the reference currency a year;
    None without an amount or a rate."""
    if amount is None or rate is None:
        return None
    with localcontext(_PRECISION):
        return int((amount * multiplier(period, rate)).to_integral_value(ROUND_HALF_UP))


def _bigint(column: str):
    # psycopg binds an integral Decimal as an integer literal (2080 for an hour's factor
    # at rate 1): an integer column times it must not overflow 32 bits.
    return Cast(F(column), BigIntegerField())


def _number(value: Decimal):
    return Value(value, output_field=DecimalField())


def compared_sql(column: str, rate: Decimal | None):
    """The SQL of `convert()` for a posting's `column`, at `rate`: one CASE over periods."""
    if rate is None:
        return Value(None, output_field=BigIntegerField())
    return Case(
        *(
            When(
                salary_period=period,
                then=Cast(
                    Round(_bigint(column) * _number(multiplier(period, rate))), BigIntegerField()
                ),
            )
            for period in PERIOD_FACTORS
        ),
        default=Value(None),
        output_field=BigIntegerField(),
    )


# Reading the ECB's reference rates --------------------------------------------------


def parse_ecb_daily(data: bytes) -> tuple[datetime.date, dict[str, Decimal]]:
    """(date, {currency: units for one euro}) from the ECB's eurofxref-daily.xml:

    <gesmes:Envelope …><Cube><Cube time="2026-11-27"><Cube currency="USD" rate="1.05"/>…

    RatesError when it is not XML, not that format, or holds no usable rate. The
    standard library's parser resolves no external entity, and bounds entity expansion."""
    if len(data) > MAX_RATES_BYTES:
        raise RatesError(f"Too large for the ECB's daily rates ({len(data):,} bytes).")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 (no external entities; bounded size)
    except ElementTree.ParseError as error:
        raise RatesError(f"Not well-formed XML: {error}.") from None
    if root.tag != f"{_GESMES}Envelope":
        raise RatesError(
            "Not the ECB's reference rates (eurofxref-daily.xml): "
            f"the document is a <{root.tag.rpartition('}')[2]}>, not a <gesmes:Envelope>."
        )
    days = root.findall(f"{_ECB}Cube/{_ECB}Cube[@time]")
    if len(days) != 1:
        raise RatesError(f"Expected the rates of one day, found {len(days)} days.")
    try:
        day = datetime.date.fromisoformat(days[0].get("time", ""))
    except ValueError:
        raise RatesError(f"Not a date: time={days[0].get('time')!r}.") from None
    rates = {}
    for cube in days[0].findall(f"{_ECB}Cube"):
        currency, text = cube.get("currency", ""), cube.get("rate", "")
        if not _CURRENCY.fullmatch(currency):
            raise RatesError(f"Not an ISO 4217 currency code: {currency!r}.")
        try:
            rate = Decimal(text)
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            raise RatesError(f"Not a rate: {currency} {text!r}.")
        if currency in rates:
            raise RatesError(f"{currency} is given twice.")
        rates[currency] = rate
    if not rates:
        raise RatesError(f"No rates for {day.isoformat()}.")
    return day, rates


def in_reference_currency(per_euro: dict[str, Decimal], reference: str) -> dict[str, Decimal]:
    """Rates per euro as rates per unit of `reference` (cross rates through the euro)."""
    if reference == "EUR":
        rates = dict(per_euro)
    else:
        if reference not in per_euro:
            raise RatesError(f"No rate for {reference}, the reference currency.")
        base = per_euro[reference]
        with localcontext(_PRECISION):
            rates = {c: r / base for c, r in per_euro.items() if c != reference}
            rates["EUR"] = 1 / base
    return {c: r.quantize(RATE_PLACES, ROUND_HALF_UP) for c, r in rates.items()}


# Words and figures ------------------------------------------------------------------


def in_currency(figures: str, currency: str | None = None) -> str:
    """ "80,000" → "€80,000"; in a currency without a symbol, "CHF 80,000"."""
    currency = currency or reference_currency()
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{figures}" if symbol else f"{currency} {figures}"


def money(amount: int, currency: str | None = None) -> str:
    return in_currency(f"{amount:,}", currency)


def currency_sign(currency: str | None = None) -> str:
    """ "€", or the code of a currency without a symbol: "CHF"."""
    currency = currency or reference_currency()
    return SYMBOLS.get(currency, currency)


def currency_name(currency: str | None = None) -> str:
    currency = currency or reference_currency()
    return CURRENCY_NAMES.get(currency, currency)


def format_day(day: datetime.date) -> str:
    """27 Nov 2026."""
    return f"{day.day} {day:%b %Y}"


def _approximate(amount: int | None) -> int | None:
    """A converted figure is approximate: 20,234 → 20,000, 9,840 → 9,800."""
    if amount is None:
        return None
    return round(amount, -3) if amount >= 10_000 else round(amount, -2)


def compared_display(posting) -> str:
    """ "≈ €20k–25k a year": the posting's compared figures, when its currency or period
    differs from the reference currency a year; "" otherwise or when not compared."""
    low, high = posting.reference_salary_min, posting.reference_salary_max
    reference = reference_currency()
    if (low is None and high is None) or (
        posting.salary_currency == reference and posting.salary_period == "year"
    ):
        return ""
    open_end, figures = amount_range(_approximate(low), _approximate(high))
    return f"≈ {open_end}{in_currency(figures, reference)} a year"
