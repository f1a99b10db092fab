import json
import re
from datetime import datetime

import pytest
from django.conf import settings

from postings.models import Posting
from postings.structured_data import (
    breadcrumb_list_jsonld,
    company_breadcrumbs,
    job_posting_jsonld,
    postal_address,
    script_json,
    skill_breadcrumbs,
    website_jsonld,
)
from tests import factories
from tests.seo_html import read_head

pytestmark = pytest.mark.django_db

BASE = "https://jobs.example.com"
GOOGLE_EMPLOYMENT_TYPES = {
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
}
GOOGLE_SALARY_UNITS = {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}


def is_absolute_url(value) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^/\s]+(/\S*)?$", value) is not None


def assert_google_job_posting(data: dict) -> None:
    """Every property Google's job posting documentation requires, with its type, and the
    recommended ones where present (developers.google.com/search/docs/appearance/
    structured-data/job-posting)."""
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "JobPosting"
    # Required.
    assert isinstance(data["title"], str) and data["title"].strip()
    assert isinstance(data["description"], str) and re.search(
        r"<(p|ul|li|h\d)>", data["description"]
    )
    posted = datetime.fromisoformat(data["datePosted"])
    organization = data["hiringOrganization"]
    assert organization["@type"] == "Organization"
    assert isinstance(organization["name"], str) and organization["name"]
    assert is_absolute_url(organization["sameAs"])
    assert is_absolute_url(organization["logo"])
    if data.get("jobLocationType") == "TELECOMMUTE":
        # Google wants it for a remote role open in some places only; until where
        # applicants may live is recorded, a role whose location names no country has none.
        if "applicantLocationRequirements" in data:
            requirement = data["applicantLocationRequirements"]
            assert requirement["@type"] == "Country" and requirement["name"]
    else:
        assert "applicantLocationRequirements" not in data
    # A role whose workplace and location are not stated has no place: none is invented.
    if "jobLocation" in data:
        place = data["jobLocation"]
        assert place["@type"] == "Place"
        address = place["address"]
        assert address["@type"] == "PostalAddress"
        assert isinstance(address["addressCountry"], str) and address["addressCountry"]
    # Recommended.
    assert datetime.fromisoformat(data["validThrough"]) > posted
    if "employmentType" in data:  # omitted when the employer does not say
        assert data["employmentType"] in GOOGLE_EMPLOYMENT_TYPES
    assert data["identifier"]["@type"] == "PropertyValue"
    assert data["identifier"]["name"] and data["identifier"]["value"]
    assert data["directApply"] is False
    assert is_absolute_url(data["url"])
    if "baseSalary" in data:
        salary = data["baseSalary"]
        assert salary["@type"] == "MonetaryAmount"
        assert re.fullmatch(r"[A-Z]{3}", salary["currency"])
        value = salary["value"]
        assert value["@type"] == "QuantitativeValue"
        assert value["unitText"] in GOOGLE_SALARY_UNITS
        amounts = [value[k] for k in ("value", "minValue", "maxValue") if k in value]
        assert amounts and all(isinstance(a, int | float) for a in amounts)
        if "minValue" in value and "maxValue" in value:
            assert value["minValue"] <= value["maxValue"]


def test_an_on_site_posting_with_a_salary(live_posting):
    Posting.objects.filter(pk=live_posting.pk).update(remote_policy=Posting.RemotePolicy.ONSITE)
    live_posting.refresh_from_db()
    data = job_posting_jsonld(live_posting, base=BASE)
    assert_google_job_posting(data)
    assert data["title"] == live_posting.title
    assert data["description"] == live_posting.description_html
    assert data["datePosted"] == live_posting.published_at.isoformat()
    assert data["validThrough"] == live_posting.expires_at.isoformat()
    assert data["employmentType"] == "FULL_TIME"
    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Amsterdam",
            "addressCountry": "NL",
        },
    }
    assert "jobLocationType" not in data
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {
            "@type": "QuantitativeValue",
            "minValue": 60000,
            "maxValue": 80000,
            "unitText": "YEAR",
        },
    }
    company = live_posting.company
    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Northwind Bank",
        "sameAs": "https://northwind-bank.example",
        "url": f"{BASE}/companies/northwind-bank/",
        "logo": f"{BASE}/media/{company.logo_variants}-192.png",
    }
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "name": "Northwind Bank",
        "value": str(live_posting.pk),
    }
    assert data["url"] == f"{BASE}{live_posting.get_absolute_url()}"


def test_a_remote_posting_without_a_salary(db):
    posting = factories.LivePostingFactory(
        remote_policy=Posting.RemotePolicy.REMOTE,
        location="",
        country="DE",
        salary_min=None,
        salary_max=None,
        salary_currency="",
        employment_type=Posting.EmploymentType.CONTRACT,
    )
    data = job_posting_jsonld(posting, base=BASE)
    assert_google_job_posting(data)
    assert data["jobLocationType"] == "TELECOMMUTE"
    # DE is the employer's country, not where applicants may live.
    assert "applicantLocationRequirements" not in data
    assert "jobLocation" not in data
    assert "baseSalary" not in data
    assert data["employmentType"] == "CONTRACTOR"


def test_a_remote_posting_with_an_office_carries_both(db):
    posting = factories.LivePostingFactory(
        remote_policy=Posting.RemotePolicy.REMOTE, location="Berlin, Germany", country=""
    )
    data = job_posting_jsonld(posting, base=BASE)
    assert_google_job_posting(data)
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["jobLocation"]["address"]["addressLocality"] == "Berlin"
    assert data["applicantLocationRequirements"]["name"] == "Germany"


@pytest.mark.parametrize(
    "location, country",
    [
        ("Remote (Europe)", "IT"),
        ("Remote (APAC)", "SG"),
        ("Remote (Denmark)", "DK"),
        ("Remote", "PT"),
        ("Anywhere", ""),
        ("", "DE"),
        ("Berlin", "DE"),
        ("Remote, Europe", "IT"),
        ("Remote, EMEA", "GB"),
        ("Anywhere, Latin America", "BR"),
    ],
)
def test_a_remote_role_whose_location_names_no_country_has_no_place(db, location, country):
    """Neither a town made of "Remote (Europe)" nor the employer's country as the only
    place applicants may live."""
    posting = factories.LivePostingFactory(
        remote_policy=Posting.RemotePolicy.REMOTE, location=location, country=country
    )
    data = job_posting_jsonld(posting, base=BASE)
    assert_google_job_posting(data)
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert "jobLocation" not in data
    assert "applicantLocationRequirements" not in data


def test_a_remote_role_open_in_a_named_country(db):
    posting = factories.LivePostingFactory(
        remote_policy=Posting.RemotePolicy.REMOTE, location="Remote, Denmark", country="DK"
    )
    data = job_posting_jsonld(posting, base=BASE)
    assert_google_job_posting(data)
    assert data["applicantLocationRequirements"] == {"@type": "Country", "name": "Denmark"}
    assert "jobLocation" not in data  # no office


def demo_postings(*policies):
    content = json.loads((settings.BASE_DIR / "demo" / "content.json").read_text())
    return [p for p in content["postings"] if p.get("remote_policy", "") in policies]


def place_names(data: dict) -> list[str]:
    address = data.get("jobLocation", {}).get("address", {})
    names = [address.get(key) for key in ("addressLocality", "addressRegion", "addressCountry")]
    names.append(data.get("applicantLocationRequirements", {}).get("name"))
    return [name for name in names if name]


@pytest.mark.parametrize("policy", ["remote", "hybrid"])
def test_the_demos_locations_give_only_places_they_name(db, policy):
    """Every remote and hybrid posting of the demo: each place in its JSON-LD is a part of
    its location ("Milan, Italy") or, for an office, its country code, and a remote role
    is open in no narrower place than its location says."""
    demo = demo_postings(policy)
    assert demo
    for record in demo:
        posting = factories.LivePostingFactory(
            remote_policy=record["remote_policy"],
            location=record["location"],
            country=record["country"],
        )
        data = job_posting_jsonld(posting, base=BASE)
        where = f"{record['location']} ({record['country']})"
        assert_google_job_posting(data)
        named = [part.strip() for part in record["location"].split(",")]
        for name in place_names(data):
            assert name in named or name == record["country"], where
            assert not name.lower().startswith("remote"), where
        requirement = data.get("applicantLocationRequirements", {}).get("name")
        if requirement:
            assert requirement == named[-1] and len(named) >= 2, where
        if policy == "hybrid":
            assert "jobLocationType" not in data, where
            assert data["jobLocation"]["address"]["addressLocality"] == named[0], where
        if record["location"].startswith("Remote ("):
            assert "jobLocation" not in data and not requirement, where


def test_a_hybrid_posting_is_not_marked_telecommute(db):
    # Google: TELECOMMUTE only for fully remote jobs, not for occasional work from home.
    posting = factories.LivePostingFactory(remote_policy=Posting.RemotePolicy.HYBRID)
    data = job_posting_jsonld(posting, base=BASE)
    assert_google_job_posting(data)
    assert "jobLocationType" not in data
    assert data["jobLocation"]["address"]["addressCountry"] == "NL"


def test_an_on_site_posting_without_a_location_is_at_the_headquarters(db):
    posting = factories.LivePostingFactory(
        remote_policy=Posting.RemotePolicy.ONSITE, location="", country=""
    )
    address = job_posting_jsonld(posting, base=BASE)["jobLocation"]["address"]
    assert address == {
        "@type": "PostalAddress",
        "addressLocality": "Amsterdam",
        "addressCountry": "Netherlands",
    }


@pytest.mark.parametrize(
    "fields, value",
    [
        ({"salary_min": 50000, "salary_max": None}, {"minValue": 50000}),
        ({"salary_min": None, "salary_max": 90000}, {"maxValue": 90000}),
        ({"salary_min": 70000, "salary_max": 70000}, {"value": 70000}),
    ],
)
def test_salary_ranges_open_at_either_end(db, fields, value):
    posting = factories.LivePostingFactory(**fields)
    salary = job_posting_jsonld(posting, base=BASE)["baseSalary"]["value"]
    assert salary == {"@type": "QuantitativeValue", "unitText": "YEAR", **value}


@pytest.mark.parametrize(
    "period, unit",
    [("year", "YEAR"), ("month", "MONTH"), ("day", "DAY"), ("hour", "HOUR")],
)
def test_salary_units(db, period, unit):
    posting = factories.LivePostingFactory(salary_period=period)
    assert job_posting_jsonld(posting, base=BASE)["baseSalary"]["value"]["unitText"] == unit


@pytest.mark.parametrize(
    "kind, google",
    [
        ("full-time", "FULL_TIME"),
        ("part-time", "PART_TIME"),
        ("contract", "CONTRACTOR"),
        ("internship", "INTERN"),
    ],
)
def test_employment_types_use_googles_values(db, kind, google):
    posting = factories.LivePostingFactory(employment_type=kind)
    assert job_posting_jsonld(posting, base=BASE)["employmentType"] == google


def test_a_company_without_a_website_is_identified_by_its_page(db):
    posting = factories.LivePostingFactory(company__website="", company__slug="quiet")
    organization = job_posting_jsonld(posting, base=BASE)["hiringOrganization"]
    assert organization["sameAs"] == f"{BASE}/companies/quiet/"


@pytest.mark.parametrize(
    "location, country, address",
    [
        ("Amsterdam, Netherlands", "NL", {"addressLocality": "Amsterdam", "addressCountry": "NL"}),
        (
            "Amsterdam, Netherlands",
            "",
            {"addressLocality": "Amsterdam", "addressCountry": "Netherlands"},
        ),
        (
            "Austin, TX, United States",
            "US",
            {"addressLocality": "Austin", "addressRegion": "TX", "addressCountry": "US"},
        ),
        ("Remote", "PT", {"addressCountry": "PT"}),
        ("Remote (Europe)", "IT", {"addressCountry": "IT"}),
        ("Anywhere in the EU", "", None),
        ("Remote, Denmark", "", {"addressCountry": "Denmark"}),
        ("", "PT", {"addressCountry": "PT"}),
        ("", "", None),
        ("Remote", "", None),
        ("Remote (Europe)", "", None),
    ],
)
def test_postal_address(location, country, address):
    expected = None if address is None else {"@type": "PostalAddress", **address}
    assert postal_address(location, country=country) == expected


def test_breadcrumbs_for_skill_and_company_pages(skill, company):
    assert breadcrumb_list_jsonld(skill_breadcrumbs(skill), base=BASE) == {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Skills", "item": f"{BASE}/skills/"},
            {
                "@type": "ListItem",
                "position": 2,
                "name": "Backend development",
                "item": f"{BASE}/skills/backend-development/",
            },
        ],
    }
    crumbs = breadcrumb_list_jsonld(company_breadcrumbs(company), base=BASE)["itemListElement"]
    assert [(c["name"], c["item"]) for c in crumbs] == [
        ("Companies", f"{BASE}/companies/"),
        ("Northwind Bank", f"{BASE}/companies/northwind-bank/"),
    ]


def test_website_with_a_search_action():
    assert website_jsonld(base=BASE) == {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": "Jobboard",
        "url": f"{BASE}/",
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{BASE}/jobs/?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def test_script_json_cannot_close_its_script_element():
    data = {"title": "</script><script>alert(1)</script>", "note": "<!-- & -->", "ok": "é"}
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "é" in text
    assert json.loads(text) == data


# On the pages ---------------------------------------------------------------------------


def page_jsonld(client, url, schema_type):
    response = client.get(url)
    assert response.status_code == 200
    return read_head(response.content.decode()).of_type(schema_type)


@pytest.mark.parametrize(
    "fields",
    [
        {"remote_policy": Posting.RemotePolicy.ONSITE},
        {"remote_policy": Posting.RemotePolicy.HYBRID, "salary_period": "hour"},
        {
            "remote_policy": Posting.RemotePolicy.REMOTE,
            "location": "",
            "country": "PT",
            "salary_min": None,
            "salary_max": None,
            "salary_currency": "",
        },
        {"remote_policy": Posting.RemotePolicy.REMOTE, "location": "Lisbon, Portugal"},
        {
            "remote_policy": Posting.RemotePolicy.REMOTE,
            "location": "Remote (Europe)",
            "country": "IT",
        },
    ],
    ids=["on-site", "hybrid", "remote-no-salary", "remote-with-office", "remote-in-a-region"],
)
def test_a_live_posting_page_carries_a_valid_job_posting(client, company, fields):
    posting = factories.LivePostingFactory(company=company, **fields)
    [data] = page_jsonld(client, posting.get_absolute_url(), "JobPosting")
    assert_google_job_posting(data)
    assert data["url"] == f"http://testserver{posting.get_absolute_url()}"
    assert data["title"] == posting.title
    assert ("baseSalary" in data) is posting.has_salary
    remote = posting.remote_policy == Posting.RemotePolicy.REMOTE
    assert (data.get("jobLocationType") == "TELECOMMUTE") is remote
    if posting.location == "Remote (Europe)":  # no town, and no country named
        assert "jobLocation" not in data and "applicantLocationRequirements" not in data


@pytest.mark.parametrize(
    "factory", [factories.ClosedPostingFactory, factories.ExpiredPostingFactory]
)
def test_a_closed_or_expired_posting_page_carries_no_job_posting(client, factory):
    posting = factory()
    response = client.get(posting.get_absolute_url())
    head = read_head(response.content.decode())
    assert head.of_type("JobPosting") == []
    assert head.one("robots") == "noindex"


def test_data_cannot_break_out_of_the_script_element(client, company):
    title = "Engineer </script><script>alert(1)</script>"
    posting = factories.LivePostingFactory(company=company, title=title)
    html = client.get(posting.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    [data] = read_head(html).of_type("JobPosting")
    assert data["title"] == title


def test_skill_and_company_pages_carry_breadcrumbs(client, skill, company):
    [crumbs] = page_jsonld(client, skill.get_absolute_url(), "BreadcrumbList")
    assert [(c["position"], c["name"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, "Skills", "http://testserver/skills/"),
        (2, "Backend development", "http://testserver/skills/backend-development/"),
    ]
    [crumbs] = page_jsonld(client, company.get_absolute_url(), "BreadcrumbList")
    assert [c["item"] for c in crumbs["itemListElement"]] == [
        "http://testserver/companies/",
        "http://testserver/companies/northwind-bank/",
    ]


def test_the_home_page_carries_the_site_search(client, live_posting):
    [website] = page_jsonld(client, "/", "WebSite")
    template = website["potentialAction"]["target"]["urlTemplate"]
    assert template == "http://testserver/jobs/?q={search_term_string}"
    assert website["potentialAction"]["query-input"] == "required name=search_term_string"
    search = template.replace("{search_term_string}", "engineer").removeprefix("http://testserver")
    assert live_posting in client.get(search).context["object_list"]


def test_other_pages_carry_no_job_posting(client, live_posting):
    for url in ("/", "/jobs/", "/skills/", "/companies/", live_posting.company.get_absolute_url()):
        assert page_jsonld(client, url, "JobPosting") == []
