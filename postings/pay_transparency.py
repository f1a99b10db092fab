"""Pay-transparency rules, for staff: which laws a posting may fall under, and what they
may require of it. A warning, never a verdict: the rows are our reading of each law,
checked against the secondary sources each row's `checked` names (the official pages
could not be opened from where they were written: check them before relying on a row),
and the board knows neither an employer's exact headcount nor every exemption.

One row per jurisdiction: where it applies (an ISO 3166-2 region, a city in one, or a
list of countries), its rule, the employer size from which it applies, its effective
date and its source. A posting is checked against the jurisdiction of its workplace and,
for remote and hybrid roles, against every jurisdiction whose country its areas cover
("remote roles that could be done there").

The same rules are written twice: in Python for one posting (`findings`, the admin's
warning on save) and as queryset conditions for the admin's list filter (`status_q`);
tests/test_pay_transparency.py holds the two to the same answers.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Q
from django.utils import timezone

from companies.models import Company

from . import locations

RANGE = "range"  # a minimum and a maximum in the posting
RANGE_BEFORE_INTERVIEW = "before-interview"  # the pay or its range, in the ad or otherwise


@dataclass(frozen=True)
class Rule:
    name: str
    # The place: an ISO 3166-2 region ("US-CO"), optionally narrowed to cities in it; or
    # countries (the EU).
    region: str = ""
    cities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    requirement: str = RANGE
    # What the posting must state, in staff's words.
    wording: str = "a pay range in the posting"
    min_employees: int = 1
    effective: date = date(2000, 1, 1)
    source: str = ""
    # How this row was checked against its source, or why it could not be.
    checked: str = ""
    # Ontario: a range no wider than this, unless its top is above `wide_allowed_above`
    # (in `wide_currency`).
    widest: int | None = None
    wide_allowed_above: int | None = None
    wide_currency: str = ""

    @property
    def country_codes(self) -> tuple[str, ...]:
        return self.countries or (self.region.split("-")[0],)

    def describe(self) -> str:
        return (
            f"{self.name}: {self.wording} (employers with {self.min_employees}+ employees, "
            f"since {self.effective:%-d %b %Y})"
        )


NYC = ("New York", "New York City", "NYC", "Manhattan", "Brooklyn", "Queens", "Bronx",
       "The Bronx", "Staten Island")  # fmt: skip

RULES = (
    Rule(
        "Colorado",
        region="US-CO",
        wording="a pay range and a general description of benefits in the posting (also for "
        "remote roles that could be done there)",
        min_employees=1,
        effective=date(2021, 1, 1),
        source="https://cdle.colorado.gov/laws-regulations-guidance/equal-pay-for-equal-work-act",
        checked="2026-11-28, against summaries of the Act (C.R.S. 8-5-201; trusaic.com, "
        "rewardset.com, ctsi.org): all employers with 1+ employee, from 2021-01-01, jobs "
        "done in Colorado or remotely from it; benefits are not checked here. The "
        "department's own page could not be opened from here.",
    ),
    Rule(
        "New York City",
        region="US-NY",
        cities=NYC,
        wording="a good-faith pay range in the posting",
        min_employees=4,
        effective=date(2022, 11, 1),
        source="https://www.nyc.gov/site/cchr/media/pay-transparency.page",
        checked="2026-11-28, against law firms' summaries (mblawfirm.com, proskauer.com, "
        "levyratner.com): 4+ employees (one in the city), from 2022-11-01; a minimum and a "
        "maximum, never open-ended (one figure when they are equal); remote jobs that can "
        "be done in part in the city. The commission's page was not opened from here.",
    ),
    Rule(
        "California",
        region="US-CA",
        wording="a pay scale in the posting",
        min_employees=15,
        effective=date(2023, 1, 1),
        source="https://www.dir.ca.gov/dlse/California-Equal-Pay-Act.htm",
        checked="2026-11-28, against summaries of SB 1162 (Labor Code 432.3(c)(3); "
        "californiaemploymentlawreport.com, ogletree.com): 15+ employees, from 2023-01-01; "
        "the Labor Commissioner reads it as covering jobs a Californian could fill "
        "remotely. The DIR's FAQ was not opened from here.",
    ),
    Rule(
        "Washington",
        region="US-WA",
        wording="a wage scale or salary range and a general description of benefits",
        min_employees=15,
        effective=date(2023, 1, 1),
        source="https://lni.wa.gov/workers-rights/wages/equal-pay-opportunities-act/",
        checked="2026-11-28, against RCW 49.58.110 as quoted (instalawyer.io) and the "
        "Legislature's bill report (lawfilesext.leg.wa.gov): 15+ employees, from "
        "2023-01-01, wage scale or salary range and a general description of benefits and "
        "other compensation; benefits are not checked here.",
    ),
    Rule(
        "New York State",
        region="US-NY",
        wording="a good-faith pay range in the posting",
        min_employees=4,
        effective=date(2023, 9, 17),
        source="https://dol.ny.gov/pay-transparency",
        checked="2026-11-28, against summaries of Labor Law 194-b (lawpf.com, forework.com, "
        "kaufmandolowich.com): 4+ employees, from 2023-09-17, jobs physically performed at "
        "least in part in the state or reporting to a supervisor there. The department's "
        "page was not opened from here.",
    ),
    Rule(
        "Illinois",
        region="US-IL",
        wording="a pay scale and a general description of benefits",
        min_employees=15,
        effective=date(2025, 1, 1),
        source="https://labor.illinois.gov/faqs/equal-pay-act-faqs.html",
        checked="2026-11-28, against summaries of HB 3129 (aghllaw.com, quarles.com, the "
        "department's press release as quoted by propayhr.com): 15+ employees, from "
        "2025-01-01, pay scale and a general description of benefits (a link may give "
        "them); benefits are not checked here.",
    ),
    Rule(
        "Ontario",
        region="CA-ON",
        wording="a pay range no wider than CAD 50,000 (unless its top is above CAD 200,000)",
        min_employees=25,
        effective=date(2026, 1, 1),
        source="https://www.ontario.ca/document/your-guide-employment-standards-act-0/job-postings",
        checked="2026-11-28, against summaries of the ESA amendments (mondaq.com, "
        "tagalliances.com, bci24news.com): 25+ employees on the day of posting, from "
        "2026-01-01, a range no wider than $50,000 a year; no disclosure is required when "
        "the pay or the range's top is above $200,000. ontario.ca was not opened from here.",
        widest=50_000,
        wide_allowed_above=200_000,
        wide_currency="CAD",
    ),
    Rule(
        "EU Pay Transparency Directive",
        countries=tuple(locations.EU_MEMBERS.split()),
        requirement=RANGE_BEFORE_INTERVIEW,
        wording="applicants told the pay or its range before the interview (in the ad or "
        "otherwise)",
        min_employees=1,
        effective=date(2026, 6, 7),
        source="https://eur-lex.europa.eu/eli/dir/2023/970/oj",
        checked="2026-11-28, against summaries of Directive (EU) 2023/970 Art. 5 "
        "(castegnaro.lu, grove.hr): all employers; the initial pay or its range in the "
        "vacancy notice or otherwise before the interview; transposition due 2026-06-07, "
        "each member state's own law decides the details. EUR-Lex was not opened from here.",
    ),
)

# The admin list filter's values.
MISSING, TOO_WIDE, FINE, NOT_COVERED = "missing", "too-wide", "fine", "not-covered"
STATUSES = [
    (MISSING, "Range missing"),
    (TOO_WIDE, "Range too wide"),
    (FINE, "Fine"),
    (NOT_COVERED, "Not covered"),
]


@dataclass(frozen=True)
class Finding:
    rule: Rule
    problem: str  # MISSING, TOO_WIDE or "" (the posting states what the rule asks)
    size_unknown: bool

    def message(self) -> str:
        what = "May be required" if self.problem else "Stated as may be required"
        text = f"{what}: {self.rule.describe()}"
        if self.problem == TOO_WIDE:
            text += "; this range is wider"
        if self.size_unknown:
            text += "; employer size unknown"
        return text + "."


# ---------------------------------------------------------------------------------------
# One posting.


def _day(posting) -> date:
    """The day a posting is checked for: its publication (or today, unpublished)."""
    moment = posting.published_at or timezone.now()
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def _size_below(company, rule: Rule) -> bool | None:
    """True when the company is known to be smaller than the rule's threshold; None when
    its size is not stated."""
    if not company.size_band:
        return None
    most = Company.SizeBand(company.size_band).most
    return most is not None and most < rule.min_employees


def _in_place(posting, rule: Rule) -> bool:
    if rule.countries:
        if posting.country in rule.countries:
            return True
    elif posting.region == rule.region and (
        not rule.cities or posting.city.casefold() in {c.casefold() for c in rule.cities}
    ):
        return True
    # A remote or hybrid role open to a hire living in the rule's country.
    areas = set(posting.remote_from.split())
    return any(areas & set(locations.areas_containing(code)) for code in rule.country_codes)


def _problem(posting, rule: Rule) -> str:
    if posting.salary_min is None or posting.salary_max is None:
        return MISSING
    if (
        rule.widest is not None
        and posting.salary_currency == rule.wide_currency
        and posting.salary_max <= rule.wide_allowed_above
        and posting.salary_max - posting.salary_min > rule.widest
    ):
        return TOO_WIDE
    return ""


def findings(posting) -> list[Finding]:
    """The rules that may apply to `posting`, each with what it may lack."""
    day = _day(posting)
    found = []
    for rule in RULES:
        if day < rule.effective or not _in_place(posting, rule):
            continue
        below = _size_below(posting.company, rule)
        if below:
            continue
        found.append(Finding(rule, _problem(posting, rule), size_unknown=below is None))
    return found


def status(posting) -> str:
    """MISSING, TOO_WIDE, FINE or NOT_COVERED: the worst of its findings."""
    problems = {finding.problem for finding in findings(posting)}
    if not problems:
        return NOT_COVERED
    return MISSING if MISSING in problems else TOO_WIDE if TOO_WIDE in problems else FINE


# ---------------------------------------------------------------------------------------
# The same rules as queryset conditions (the admin's list filter).


def _areas_q(codes: tuple[str, ...]) -> Q:
    # remote_from is a few space-separated tokens; the admin filters a page of them.
    areas = {area for code in codes for area in locations.areas_containing(code)}
    q = Q()
    for area in areas:
        q |= Q(remote_from=area) | Q(remote_from__startswith=f"{area} ")
        q |= Q(remote_from__endswith=f" {area}") | Q(remote_from__contains=f" {area} ")
    return q


def _applies_q(rule: Rule, today: date) -> Q:
    if rule.countries:
        place = Q(country__in=rule.countries)
    else:
        place = Q(region=rule.region)
        if rule.cities:
            place &= Q(city__iregex=r"^(" + "|".join(rule.cities) + r")$")
    place |= _areas_q(rule.country_codes)
    when = Q(published_at__date__gte=rule.effective)
    if today >= rule.effective:
        when |= Q(published_at__isnull=True)
    small = [band for band in Company.SizeBand if band.most is not None]
    below = [band.value for band in small if band.most < rule.min_employees]
    return place & when & ~Q(company__size_band__in=below)


_MISSING_Q = Q(salary_min__isnull=True) | Q(salary_max__isnull=True)


def _too_wide_q(rule: Rule) -> Q:
    return Q(
        salary_currency=rule.wide_currency,
        salary_max__lte=rule.wide_allowed_above,
        salary_min__lt=F("salary_max") - rule.widest,
    )


def status_q(value: str, *, today: date | None = None) -> Q:
    """Postings whose status() is `value`."""
    today = today or timezone.localdate()
    covered = Q(pk__in=[])
    too_wide = Q(pk__in=[])
    for rule in RULES:
        applies = _applies_q(rule, today)
        covered |= applies
        if rule.widest is not None:
            too_wide |= applies & _too_wide_q(rule)
    if value == NOT_COVERED:
        return ~covered
    if value == MISSING:
        return covered & _MISSING_Q
    if value == TOO_WIDE:
        return too_wide & ~_MISSING_Q
    return covered & ~_MISSING_Q & ~too_wide
