"""Salaries compared honestly: "Salary at least" and "Highest salary" compare one currency
(SALARY_REFERENCE_CURRENCY, EUR here) a year, from the period factors and the exchange
rates staff apply (in the admin, or the ECB's daily file through load_exchange_rates).
Cards keep the employer's own figure and add the converted one where it differs."""

import datetime
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from postings import exchange_rates, salaries
from postings.models import ExchangeRate, Posting
from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = "/jobs/"
DEMO_RATES = Path(settings.BASE_DIR) / "demo" / "eurofxref-daily.xml"


def live(title, *, salary_min=None, salary_max=None, currency="EUR", period="year", **fields):
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    return factories.LivePostingFactory(
        title=title,
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency=currency if (salary_min or salary_max) else "",
        salary_period=period,
        **fields,
    )


def set_rate(currency, rate, day=datetime.date(2026, 11, 27)):
    """A rate in force, applied as the admin applies it."""
    ExchangeRate.objects.update_or_create(
        currency=currency, defaults={"rate": Decimal(rate), "date": day, "source": "test"}
    )
    exchange_rates.apply_rates([currency])


def titles(client, query="", status=200) -> list[str]:
    response = client.get(f"{LIST_URL}?{query}")
    assert response.status_code == status, response.content.decode()[:500]
    return [posting.title for posting in response.context["page_obj"].object_list]


def compared(posting) -> tuple:
    posting.refresh_from_db()
    return posting.reference_salary_min, posting.reference_salary_max


def ecb_file(tmp_path, day="2026-11-27", **rates) -> str:
    cubes = "".join(f"<Cube currency='{c}' rate='{r}'/>" for c, r in rates.items())
    path = tmp_path / f"rates-{day}.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        "<gesmes:subject>Reference rates</gesmes:subject>"
        f"<Cube><Cube time='{day}'>{cubes}</Cube></Cube></gesmes:Envelope>"
    )
    return str(path)


def load_rates(**options) -> str:
    out = StringIO()
    call_command("load_exchange_rates", stdout=out, **options)
    return out.getvalue()


# Period factors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "amount", "yearly"),
    [
        ("hour", 50, 104_000),  # 40 hours × 52 weeks = 2080 hours
        ("day", 400, 104_000),  # 5 days × 52 weeks = 260 days
        ("week", 2_000, 104_000),  # 52 weeks
        ("month", 8_000, 96_000),  # 12 months
        ("year", 90_000, 90_000),
    ],
)
def test_each_period_is_compared_as_a_year(client, period, amount, yearly):
    assert salaries.PERIOD_FACTORS[period] * amount == yearly
    posting = live("Paid", salary_min=amount // 2, salary_max=amount, period=period)

    assert compared(posting) == (yearly // 2, yearly)
    assert titles(client, f"salary_min={yearly}") == ["Paid"]
    assert titles(client, f"salary_min={yearly + 1}") == []


# Currencies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "rate", "period", "amount", "in_euros"),
    [
        ("USD", "1.25", "year", 100_000, 80_000),
        ("INR", "90", "year", 2_400_000, 26_667),  # 26,666.67 rounds up
        ("GBP", "0.85", "month", 5_000, 70_588),  # 60,000 / 0.85 = 70,588.24
        ("CHF", "0.9375", "day", 750, 208_000),  # 195,000 / 0.9375
        ("DKK", "7.4365", "hour", 300, 83_910),  # 624,000 / 7.4365 = 83,910.44
    ],
)
def test_each_currency_is_converted_at_its_rate(client, currency, rate, period, amount, in_euros):
    set_rate(currency, rate)
    saved = live("Saved after the rate", salary_max=amount, currency=currency, period=period)

    assert compared(saved) == (None, in_euros)
    assert titles(client, f"salary_min={in_euros}") == ["Saved after the rate"]
    assert titles(client, f"salary_min={in_euros + 1}") == []


@pytest.mark.parametrize("amount", [1, 7, 999, 33_333, 123_457, 2_000_000, 2_147_483_647])
@pytest.mark.parametrize("period", list(salaries.PERIOD_FACTORS))
def test_saving_and_applying_rates_compute_the_same_figure(amount, period):
    """derive_fields() converts in Python, apply_rates() in SQL: the same whole amount."""
    for currency, rate in [("INR", "79.0280"), ("GBP", "0.86510"), ("JPY", "143.20")]:
        set_rate(currency, rate)
    postings = [
        live(f"{c} {amount}", salary_min=amount, salary_max=amount, currency=c, period=period)
        for c in ("INR", "GBP", "JPY", "EUR")
    ]
    saved = [compared(posting) for posting in postings]

    exchange_rates.apply_rates()

    assert [compared(posting) for posting in postings] == saved
    assert saved[-1] == (amount * salaries.PERIOD_FACTORS[period],) * 2


def test_another_reference_currency_compares_in_it_through_cross_rates(client, settings, tmp_path):
    settings.SALARY_REFERENCE_CURRENCY = "USD"
    euros = live("Euros", salary_max=80_000)
    dollars = live("Dollars", salary_max=95_000, currency="USD")
    rupees = live("Rupees", salary_max=8_000_000, currency="INR")

    load_rates(file=ecb_file(tmp_path, USD="1.25", INR="90"))

    assert ExchangeRate.objects.get(currency="EUR").rate == Decimal("0.8")  # € per $
    assert ExchangeRate.objects.get(currency="INR").rate == Decimal("72")  # 90 / 1.25
    assert not ExchangeRate.objects.filter(currency="USD").exists()
    assert compared(euros) == (None, 100_000)
    assert compared(dollars) == (None, 95_000)  # the reference currency: as written
    assert compared(rupees) == (None, 111_111)
    assert titles(client, "sort=salary") == ["Rupees", "Euros", "Dollars"]
    response = client.get(f"{LIST_URL}?salary_min=100000")
    assert [p.title for p in response.context["page_obj"].object_list] == ["Rupees", "Euros"]
    html = response.content.decode()
    assert "Salary at least ($ a year)" in html
    assert "converted to US dollars a year at the rates of 27 Nov 2026" in html
    assert "Salary ≥ $100,000 a year" in html


# Ordering -----------------------------------------------------------------------------


def test_a_monthly_euro_salary_ranks_above_a_yearly_rupee_one_of_a_larger_number(client):
    set_rate("INR", "90")
    live("INR 1.9M–2.4M a year", salary_min=1_900_000, salary_max=2_400_000, currency="INR")
    live("EUR 10k a month", salary_min=8_000, salary_max=10_000, period="month")
    live("EUR 30k a year", salary_min=25_000, salary_max=30_000)
    live("No pay stated")
    live("DKK without a rate", salary_min=380_000, salary_max=420_000, currency="DKK")

    ranked = titles(client, "sort=salary")

    assert ranked[:3] == ["EUR 10k a month", "EUR 30k a year", "INR 1.9M–2.4M a year"]
    # Compared nowhere: after every compared salary, with those that state none.
    assert set(ranked[3:]) == {"No pay stated", "DKK without a rate"}


# "Salary at least" --------------------------------------------------------------------


def test_salary_at_least_boundaries(client):
    set_rate("USD", "1.25")
    live("USD 100k = €80,000", salary_min=90_000, salary_max=100_000, currency="USD")
    live("€79,999", salary_max=79_999)
    live("From €80,000", salary_min=80_000)
    live("No pay stated")
    live("DKK 900k, no rate", salary_max=900_000, currency="DKK")

    assert set(titles(client, "salary_min=80000")) == {"USD 100k = €80,000", "From €80,000"}
    assert titles(client, "salary_min=80001") == []
    assert set(titles(client, "salary_min=79999")) == {
        "USD 100k = €80,000",
        "From €80,000",
        "€79,999",
    }
    # 0 is "any compared salary": still not the unpaid, nor the uncompared.
    assert "DKK 900k, no rate" not in titles(client, "salary_min=0")
    assert "No pay stated" not in titles(client, "salary_min=0")


def test_only_with_pay_stated(client):
    live("Paid in euros", salary_max=50_000)
    live("Paid in DKK, no rate", salary_max=500_000, currency="DKK")
    live("No pay stated")

    response = client.get(f"{LIST_URL}?pay=stated")

    assert {p.title for p in response.context["page_obj"].object_list} == {
        "Paid in euros",
        "Paid in DKK, no rate",
    }
    chips = response.context["active_filters"]
    assert [chip.label for chip in chips] == ["Only with pay stated"]
    assert chips[0].remove_query == ""
    html = response.content.decode()
    assert 'name="pay" id="id_pay" value="stated" checked' in html
    assert len(titles(client)) == 3
    assert titles(client, "pay=maybe", status=400)  # an error shown, the others listed


# Applying rates -----------------------------------------------------------------------


def test_a_rate_saved_in_the_admin_compares_its_postings_again(admin_client, client):
    rupees = live("Rupees", salary_max=9_000_000, currency="INR")
    live("Euros", salary_max=90_000)
    assert compared(rupees) == (None, None)
    assert titles(client, "sort=salary") == ["Euros", "Rupees"]

    add = admin_client.post(
        reverse("admin:postings_exchangerate_add"),
        {"currency": "inr", "rate": "100", "date": "2026-11-27", "source": "by hand"},
    )
    assert add.status_code == 302, add.context["adminform"].errors
    rate = ExchangeRate.objects.get(currency="INR")
    assert compared(rupees) == (None, 90_000)

    change = admin_client.post(
        reverse("admin:postings_exchangerate_change", args=[rate.pk]),
        {"currency": "INR", "rate": "90", "date": "2026-11-28", "source": "by hand"},
        follow=True,
    )
    assert "Postings compared again: 1 in INR." in change.content.decode()
    assert compared(rupees) == (None, 100_000)
    assert titles(client, "sort=salary") == ["Rupees", "Euros"]

    delete = admin_client.post(
        reverse("admin:postings_exchangerate_delete", args=[rate.pk]), {"post": "yes"}
    )
    assert delete.status_code == 302
    assert compared(rupees) == (None, None)
    assert titles(client, "sort=salary") == ["Euros", "Rupees"]
    assert titles(client, "salary_min=1") == ["Euros"]


def test_the_admin_names_currencies_compared_nowhere(admin_client):
    set_rate("USD", "1.25")
    dkk = live("DKK", salary_max=380_000, currency="DKK")
    live("USD", salary_max=100_000, currency="USD")
    live("CZK, not live", salary_max=80_000, currency="CZK", status=Posting.Status.DRAFT)

    rates = admin_client.get(reverse("admin:postings_exchangerate_changelist"))
    html = rates.content.decode()
    assert "Compared nowhere: no exchange rate for DKK." in html
    assert "CZK" not in html  # a draft is nobody's concern yet
    assert rates.context["cl"].result_list[0].posting_count == 1

    form = admin_client.get(reverse("admin:postings_posting_change", args=[dkk.pk]))
    assert "Not compared: no exchange rate for DKK." in form.content.decode()
    usd = Posting.objects.get(title="USD")
    form = admin_client.get(reverse("admin:postings_posting_change", args=[usd.pk]))
    assert "€80,000 a year at the rates of 27 Nov 2026." in form.content.decode()


def test_the_admin_refuses_a_rate_for_the_reference_currency(admin_client):
    response = admin_client.post(
        reverse("admin:postings_exchangerate_add"),
        {"currency": "EUR", "rate": "1", "date": "2026-11-27", "source": ""},
    )
    assert response.status_code == 200
    assert "EUR is the reference currency: it needs no rate." in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_loading_the_ecb_rates_compares_again_and_the_listing_follows(client, tmp_path):
    usd = live("USD 100k", salary_max=100_000, currency="USD")
    live("EUR 70k", salary_max=70_000)

    first = load_rates(file=ecb_file(tmp_path, "2026-11-26", USD="1.25", JPY="160"))
    assert compared(usd) == (None, 80_000)
    assert "USD 1.25 (new): 1 posting compared again" in first
    assert titles(client, "sort=salary") == ["USD 100k", "EUR 70k"]

    second = load_rates(file=ecb_file(tmp_path, "2026-11-27", USD="2", JPY="160"))
    assert compared(usd) == (None, 50_000)
    assert "USD 2 (was 1.25): 1 posting compared again" in second
    assert "JPY" not in second  # unchanged: its postings are not rewritten
    assert titles(client, "sort=salary") == ["EUR 70k", "USD 100k"]
    assert ExchangeRate.objects.get(currency="JPY").date == datetime.date(2026, 11, 27)

    again = load_rates(file=ecb_file(tmp_path, "2026-11-27", USD="2", JPY="160"))
    assert "No rate changed" in again


def test_the_shipped_demo_rates_are_the_ecbs_of_a_real_day(tmp_path):
    day, rates = salaries.parse_ecb_daily(DEMO_RATES.read_bytes())

    assert day == datetime.date(2022, 9, 7)
    assert len(rates) == 31
    assert rates["USD"] == Decimal("0.9885")
    assert rates["INR"] == Decimal("79.0280")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<gesmes:Envelope", "Not well-formed XML"),
        ("<html><body>Maintenance</body></html>", "not a <gesmes:Envelope>"),
        ("", "Not well-formed XML"),
        ("<!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]><x>&a;</x>", "XML"),
    ],
)
def test_a_file_that_is_not_the_ecbs_is_an_error_and_changes_nothing(tmp_path, content, message):
    set_rate("USD", "1.25")
    usd = live("USD", salary_max=100_000, currency="USD")
    path = tmp_path / "rates.xml"
    path.write_text(content)

    with pytest.raises(CommandError, match=message):
        load_rates(file=str(path))

    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("USD", Decimal("1.25"))]
    assert compared(usd) == (None, 80_000)


@pytest.mark.parametrize(
    "rates",
    [{"USD": "-1"}, {"USD": "abc"}, {"usd": "1.1"}, {}, {"USD": "NaN"}],
)
def test_bad_rates_in_the_ecbs_format_are_an_error_and_change_nothing(tmp_path, rates):
    with pytest.raises(CommandError, match="Nothing was changed"):
        load_rates(file=ecb_file(tmp_path, **rates))
    assert not ExchangeRate.objects.exists()


def test_a_missing_file_or_an_unreachable_url_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="Nothing was changed"):
        load_rates(file=str(tmp_path / "missing.xml"))
    with pytest.raises(CommandError, match="Nothing was changed"):
        load_rates(url="http://127.0.0.1:9/eurofxref-daily.xml")  # nothing listens there
    with pytest.raises(CommandError, match="not an http"):
        load_rates(url="file:///etc/passwd")
    assert not ExchangeRate.objects.exists()


# What job seekers read ----------------------------------------------------------------


def test_the_form_says_what_it_compares_and_at_which_rates(client):
    page = client.get(LIST_URL).content.decode()
    assert "Salary at least (€ a year)" in page
    assert "in euros a year; salaries in other currencies are compared once" in page

    set_rate("USD", "1.05", day=datetime.date(2026, 11, 27))
    set_rate("GBP", "0.85", day=datetime.date(2026, 11, 26))
    response = client.get(f"{LIST_URL}?salary_min=80000")
    html = response.content.decode()
    assert "The top of the advertised range, converted to euros a year at the rates of " in html
    assert "at the rates of 27 Nov 2026." in html
    assert [chip.label for chip in response.context["active_filters"]] == [
        "Salary ≥ €80,000 a year"
    ]


def test_cards_and_pages_keep_the_employers_figure_and_add_the_compared_one(client):
    set_rate("INR", "80")
    rupees = live("Rupees", salary_min=1_900_000, salary_max=2_400_000, currency="INR")
    monthly = live("Monthly", salary_min=4_000, salary_max=5_000, period="month")
    yearly = live("Yearly", salary_min=60_000, salary_max=80_000)
    unrated = live("Crowns", salary_min=380_000, currency="DKK")

    listing = client.get(LIST_URL).content.decode()
    assert "INR 1900k–2400k per year (≈ €24k–30k a year)" in listing
    assert "EUR 4k–5k per month (≈ €48k–60k a year)" in listing
    assert "EUR 60k–80k per year<" in listing  # already what is compared
    assert "DKK from 380k per year<" in listing  # not compared: the employer's words only
    page = client.get(rupees.get_absolute_url()).content.decode()
    assert "<dd>INR 1900k–2400k per year (≈ €24k–30k a year)</dd>" in page
    assert "≈" not in client.get(yearly.get_absolute_url()).content.decode()
    assert "≈" not in client.get(unrated.get_absolute_url()).content.decode()
    assert "≈ €48k–60k a year" in client.get(monthly.get_absolute_url()).content.decode()


def test_the_demo_compares_every_salary_in_a_currency_the_ecb_publishes():
    call_command("load_demo", stdout=StringIO())

    paid = Posting.objects.live().exclude(salary_currency="")
    assert ExchangeRate.objects.filter(date=datetime.date(2022, 9, 7)).count() == 31
    assert not paid.filter(reference_salary_min=None, reference_salary_max=None).exists()
    assert exchange_rates.unrated_currencies() == []


def test_on_the_demo_the_salary_sort_and_filter_compare_euros_a_year(client):
    """What was measured before: "Highest salary" ranked INR 1.9M–2.4M a year (about
    €22k) first, and "at least 100,000" matched DKK 380,000 a year and CZK a month."""
    call_command("load_demo", stdout=StringIO())

    ranked = client.get(f"{LIST_URL}?sort=salary").context["page_obj"].object_list
    tops = [p.reference_salary_max or p.reference_salary_min or 0 for p in ranked]
    assert tops == sorted(tops, reverse=True)
    assert ranked[0].salary_currency != "INR"
    matched = client.get(f"{LIST_URL}?salary_min=100000").context["page_obj"].object_list
    assert matched
    for posting in matched:
        assert (posting.reference_salary_max or posting.reference_salary_min) >= 100_000
        assert (posting.salary_currency, posting.salary_period) not in {
            ("DKK", "year"),
            ("CZK", "month"),
        }
