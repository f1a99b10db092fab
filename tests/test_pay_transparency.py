"""Pay-transparency warnings for staff (postings.pay_transparency): every rule row inside
and outside its place, before and after its date, with and without an employer size, and
the admin's list filter giving the same answers as the warning."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import Company
from postings import pay_transparency as pt
from postings.models import Posting
from tests import factories

pytestmark = pytest.mark.django_db

# Each row: a place inside it, a place outside it, a size band below its threshold (None
# when every employer is covered), one at or above it.
ROWS = {
    "Colorado": ({"city": "Denver", "region": "US-CO", "country": "US"},
                 {"city": "Austin", "region": "US-TX", "country": "US"}, None, "1-3"),
    "New York City": ({"city": "New York", "region": "US-NY", "country": "US"},
                      {"city": "Buffalo", "region": "US-NY", "country": "US"}, "1-3", "4-14"),
    "California": ({"city": "San Francisco", "region": "US-CA", "country": "US"},
                   {"city": "Portland", "region": "US-OR", "country": "US"}, "4-14", "15-24"),
    "Washington": ({"city": "Seattle", "region": "US-WA", "country": "US"},
                   {"city": "Portland", "region": "US-OR", "country": "US"}, "4-14", "15-24"),
    "New York State": ({"city": "Buffalo", "region": "US-NY", "country": "US"},
                       {"city": "Newark", "region": "US-NJ", "country": "US"}, "1-3", "4-14"),
    "Illinois": ({"city": "Chicago", "region": "US-IL", "country": "US"},
                 {"city": "Detroit", "region": "US-MI", "country": "US"}, "4-14", "15-24"),
    "Ontario": ({"city": "Toronto", "region": "CA-ON", "country": "CA"},
                {"city": "Montreal", "region": "CA-QC", "country": "CA"}, "15-24", "25-249"),
    "EU Pay Transparency Directive": ({"city": "Berlin", "country": "DE"},
                                      {"city": "Zurich", "country": "CH"}, None, "1-3"),
}  # fmt: skip
RULES = {rule.name: rule for rule in pt.RULES}


def test_every_rule_has_a_test_row_and_a_source():
    assert set(ROWS) == set(RULES)
    for rule in pt.RULES:
        assert rule.source.startswith("https://") and rule.checked


def posting(place, *, size="", published=None, salary=(60_000, 80_000), currency="USD", **more):
    company = factories.CompanyFactory(size_band=size)
    return factories.PostingFactory(
        company=company,
        status=Posting.Status.PUBLISHED,
        published_at=published or timezone.now() - timedelta(days=1),
        remote_policy=more.pop("remote_policy", Posting.RemotePolicy.ONSITE),
        location="",
        salary_min=salary[0],
        salary_max=salary[1],
        salary_currency=currency if salary != (None, None) else "",
        **{"city": "", "region": "", "country": "", **place, **more},
    )


def rule_names(p) -> set[str]:
    return {finding.rule.name for finding in pt.findings(p)}


def assert_filter_agrees(*postings):
    """The admin's list filter (status_q) puts each posting where status() does."""
    for value, _ in pt.STATUSES:
        found = set(Posting.objects.filter(pt.status_q(value)).values_list("pk", flat=True))
        expected = {p.pk for p in postings if pt.status(p) == value}
        assert found & {p.pk for p in postings} == expected, value


def at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))


@pytest.mark.parametrize("name", ROWS)
def test_a_rule_applies_inside_its_place_and_not_outside(name):
    inside, outside, _, _ = ROWS[name]
    covered = posting(inside, salary=(None, None))
    elsewhere = posting(outside, salary=(None, None))
    assert name in rule_names(covered)
    assert name not in rule_names(elsewhere)
    assert pt.status(covered) == pt.MISSING
    assert_filter_agrees(covered, elsewhere)


@pytest.mark.parametrize("name", ROWS)
def test_a_rule_applies_from_its_effective_date(name):
    inside = ROWS[name][0]
    effective = RULES[name].effective
    before = posting(inside, published=at(effective - timedelta(days=1)), salary=(None, None))
    on_the_day = posting(inside, published=at(effective), salary=(None, None))
    assert name not in rule_names(before)
    assert name in rule_names(on_the_day)
    assert_filter_agrees(before, on_the_day)


@pytest.mark.parametrize("name", ROWS)
def test_a_rule_applies_from_its_employer_size_and_says_when_size_is_unknown(name):
    inside, _, below, at_threshold = ROWS[name]
    unknown = posting(inside, salary=(None, None))
    big_enough = posting(inside, size=at_threshold, salary=(None, None))
    [finding] = [f for f in pt.findings(unknown) if f.rule.name == name]
    assert finding.size_unknown and "employer size unknown" in finding.message()
    assert "May be required" in finding.message()
    [finding] = [f for f in pt.findings(big_enough) if f.rule.name == name]
    assert not finding.size_unknown
    checked = [unknown, big_enough]
    if below is not None:
        small = posting(inside, size=below, salary=(None, None))
        assert name not in rule_names(small)
        checked.append(small)
    assert_filter_agrees(*checked)


@pytest.mark.parametrize("name", ROWS)
def test_a_stated_range_is_fine(name):
    inside = ROWS[name][0]
    currency = "CAD" if name == "Ontario" else "EUR"
    stated = posting(inside, salary=(90_000, 120_000), currency=currency)
    open_ended = posting(inside, salary=(90_000, None), currency=currency)
    assert pt.status(stated) == pt.FINE
    assert pt.status(open_ended) == pt.MISSING
    assert_filter_agrees(stated, open_ended)


def test_ontario_ranges_wider_than_50000_unless_the_top_is_above_200000():
    toronto = ROWS["Ontario"][0]
    widest = posting(toronto, salary=(100_000, 150_000), currency="CAD")
    too_wide = posting(toronto, salary=(100_000, 150_001), currency="CAD")
    high_top = posting(toronto, salary=(150_000, 200_001), currency="CAD")
    top_at_limit = posting(toronto, salary=(149_999, 200_000), currency="CAD")
    assert pt.status(widest) == pt.FINE
    assert pt.status(too_wide) == pt.TOO_WIDE
    assert "this range is wider" in pt.findings(too_wide)[0].message()
    assert pt.status(high_top) == pt.FINE
    assert pt.status(top_at_limit) == pt.TOO_WIDE
    assert_filter_agrees(widest, too_wide, high_top, top_at_limit)


def test_remote_roles_are_checked_against_every_jurisdiction_they_are_open_to():
    us = posting({}, remote_policy=Posting.RemotePolicy.REMOTE, remote_from="US",
                 salary=(None, None))  # fmt: skip
    americas = posting({}, remote_policy=Posting.RemotePolicy.REMOTE, remote_from="AMERICAS",
                       salary=(None, None))  # fmt: skip
    anywhere = posting({}, remote_policy=Posting.RemotePolicy.REMOTE, remote_from="ANYWHERE",
                       salary=(None, None))  # fmt: skip
    europe_ex_eu = posting({}, remote_policy=Posting.RemotePolicy.REMOTE, remote_from="CH NO",
                           salary=(None, None))  # fmt: skip
    us_rules = {"Colorado", "New York City", "California", "Washington", "New York State",
                "Illinois"}  # fmt: skip
    assert rule_names(us) == us_rules
    assert rule_names(americas) == us_rules | {"Ontario"}
    assert rule_names(anywhere) == set(RULES)
    assert rule_names(europe_ex_eu) == set()
    assert_filter_agrees(us, americas, anywhere, europe_ex_eu)


def test_a_posting_with_no_place_is_not_covered():
    bare = posting({}, salary=(None, None))
    assert pt.findings(bare) == [] and pt.status(bare) == pt.NOT_COVERED
    assert_filter_agrees(bare)


def test_the_admin_warns_on_save_and_filters(admin_client):
    company = factories.CompanyFactory(size_band=Company.SizeBand.MEDIUM)
    denver = posting(ROWS["Colorado"][0], salary=(None, None))
    denver.company = company
    denver.save()
    change = reverse("admin:postings_posting_change", args=[denver.pk])
    page = admin_client.get(change).content.decode()
    assert "May be required: Colorado: a pay range and a general description of benefits" in page

    response = admin_client.get(reverse("admin:postings_posting_changelist"),
                                {"pay_transparency": pt.MISSING})  # fmt: skip
    assert response.status_code == 200
    assert denver.title in response.content.decode()
    response = admin_client.get(reverse("admin:postings_posting_changelist"),
                                {"pay_transparency": pt.FINE})  # fmt: skip
    assert denver.title not in response.content.decode()


def test_saving_in_the_admin_warns_of_what_may_be_required(admin_client):
    denver = posting(ROWS["Colorado"][0], salary=(None, None))
    change = reverse("admin:postings_posting_change", args=[denver.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "skills": [],
            "published_at_0": denver.published_at.strftime("%Y-%m-%d"),
            "published_at_1": denver.published_at.strftime("%H:%M:%S"),
            "expires_at_0": denver.expires_at.strftime("%Y-%m-%d"),
            "expires_at_1": denver.expires_at.strftime("%H:%M:%S"),
        }
    )
    data.pop("published_at"), data.pop("expires_at")
    response = admin_client.post(change, data, follow=True)
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any(
        text.startswith("May be required: Colorado") and "employer size unknown" in text
        for text in shown
    ), shown
