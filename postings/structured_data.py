"""schema.org JSON-LD for search engines: JobPosting, BreadcrumbList and WebSite.

The builders return plain dicts with absolute URLs under `base` ("https://jobs.example.com",
see jobboard.seo.base_url); `script_json` serialises one for a
<script type="application/ld+json"> element. Property choices follow Google's job posting
documentation (developers.google.com/search/docs/appearance/structured-data/job-posting).
"""

import json
import re
from html import escape

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from jobboard.seo import absolute_url

from . import locations
from .deadlines import time_zone
from .models import Posting

SCHEMA_ORG = "https://schema.org"

# Google's employmentType values.
EMPLOYMENT_TYPES = {
    Posting.EmploymentType.FULL_TIME: "FULL_TIME",
    Posting.EmploymentType.PART_TIME: "PART_TIME",
    Posting.EmploymentType.CONTRACT: "CONTRACTOR",
    Posting.EmploymentType.INTERNSHIP: "INTERN",
}
SALARY_UNITS = {
    Posting.SalaryPeriod.YEAR: "YEAR",
    Posting.SalaryPeriod.MONTH: "MONTH",
    Posting.SalaryPeriod.WEEK: "WEEK",
    Posting.SalaryPeriod.DAY: "DAY",
    Posting.SalaryPeriod.HOUR: "HOUR",
}
# "Remote", "Remote (Europe)", "Anywhere in the EU": a location part that names no place
# (a region in parentheses or after it is not a town, and not a country either). The
# regions staff write after a comma ("Remote, Europe") are no country either: a Country
# named "Europe" would be an invented requirement.
PLACELESS = re.compile(
    r"(remote|anywhere|worldwide|global|international|europe|eu|eea|emea|apac|asia|africa"
    r"|oceania|americas|north america|south america|latin america|latam|nordics|dach)\b",
    re.IGNORECASE,
)

# A JSON string can spell any character as \uXXXX; these three, spelled out, could close
# the <script> element ("</script>") or open a comment ("<!--") inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(data) -> str:
    """JSON that is safe between <script type="application/ld+json"> and </script>."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


def valid_through(posting: Posting) -> str:
    """The application deadline, in the employer's time zone ("…T17:00:00+01:00"), when
    there is one; the expiry otherwise, or when it comes first (the page is hidden then)."""
    if posting.apply_by is not None and posting.apply_by <= posting.expires_at:
        return posting.apply_by.astimezone(time_zone(posting.apply_by_timezone)).isoformat()
    return posting.expires_at.isoformat()


def job_posting_jsonld(posting: Posting, *, base: str) -> dict:
    """A JobPosting with every property Google requires and the recommended ones we know.

    Only for a live posting: a closed or expired one must carry no JobPosting at all.
    """
    company = posting.company
    data = {
        "@context": SCHEMA_ORG,
        "@type": "JobPosting",
        "title": posting.title,
        # Required by Google; a posting without a description has its summary.
        "description": posting.description_html or f"<p>{escape(posting.summary)}</p>",
        "datePosted": (posting.published_at or posting.created_at).isoformat(),
        "validThrough": valid_through(posting),
        "hiringOrganization": organization_jsonld(company, base=base),
        "identifier": {"@type": "PropertyValue", "name": company.name, "value": str(posting.pk)},
        "url": absolute_url(posting.get_absolute_url(), base=base),
        # Applying happens on the employer's site, not on this page.
        "directApply": False,
    }
    if posting.employment_type:  # recommended, and omitted rather than guessed
        data["employmentType"] = EMPLOYMENT_TYPES[posting.employment_type]
    data.update(location_jsonld(posting))
    if posting.has_salary:
        data["baseSalary"] = base_salary_jsonld(posting)
    return data


def location_jsonld(posting: Posting) -> dict:
    """jobLocation for on-site and hybrid roles; TELECOMMUTE for remote ones, with the
    countries a hire may live in as applicantLocationRequirements (a region expanded to
    its countries), and jobLocation only when the posting names an office.

    Google marks TELECOMMUTE only for fully remote jobs ("don't mark up jobs that allow
    occasional work-from-home"), so a hybrid role is described by its office alone.
    The structured parts (city, region, country, remote_from) decide when they are set;
    a posting whose location did not parse falls back to reading its text.
    """
    if posting.remote_policy == Posting.RemotePolicy.REMOTE and posting.remote_from:
        data = {"jobLocationType": "TELECOMMUTE"}
        countries = locations.expand_areas(posting.remote_from)
        # Open to anywhere: no requirement to state (and no list of 249 countries).
        if countries:
            data["applicantLocationRequirements"] = [
                {"@type": "Country", "name": locations.country_name(code)} for code in countries
            ]
        if posting.city:  # an office the posting names, never one made up
            data["jobLocation"] = {"@type": "Place", "address": structured_address(posting)}
        return data
    if posting.city:
        return {"jobLocation": {"@type": "Place", "address": structured_address(posting)}}
    if posting.remote_policy != Posting.RemotePolicy.REMOTE:
        town = posting.location if names_a_town(posting.location) else ""
        if not town and posting.remote_policy:
            # An on-site or hybrid role that names no town is at the company's
            # headquarters; one whose workplace is not stated may be remote, so it is not.
            town = posting.company.headquarters
        address = postal_address(town, country=posting.country)
        return {"jobLocation": {"@type": "Place", "address": address}} if address else {}
    data = {"jobLocationType": "TELECOMMUTE"}
    # Where applicants may live is not recorded yet: `country` is the employer's (a
    # "Remote (Europe)" role at an Italian company has IT), so only a country the
    # location itself names is a requirement; "Remote (Europe)" or "Remote" says none.
    country = named_country(posting.location)
    if country:
        data["applicantLocationRequirements"] = {"@type": "Country", "name": country}
        address = postal_address(posting.location, country=posting.country)
        if names_a_town(posting.location):  # an office, not "Remote, Denmark"
            data["jobLocation"] = {"@type": "Place", "address": address}
    return data


def structured_address(posting: Posting) -> dict:
    """A PostalAddress from the structured parts: addressRegion is the subdivision's name
    ("Texas"), addressCountry the ISO code."""
    address = {"@type": "PostalAddress", "addressLocality": posting.city}
    if posting.region:
        address["addressRegion"] = locations.subdivision_name(posting.region)
    if posting.country:
        address["addressCountry"] = posting.country
    return address


def named_country(location: str) -> str:
    """The country a location names in the form the posting form asks for, after a town
    or "Remote": "Berlin, Germany" and "Remote, Denmark" name one; "Remote (Denmark)",
    "Remote (Europe)" and "Berlin" do not (a region and a country look alike there)."""
    parts = _parts(location)
    return parts[-1] if len(parts) >= 2 and not PLACELESS.match(parts[-1]) else ""


def names_a_town(location: str) -> bool:
    parts = _parts(location)
    return bool(parts) and not PLACELESS.match(parts[0])


def _parts(location: str) -> list[str]:
    return [part.strip() for part in location.split(",") if part.strip()]


def postal_address(location: str, *, country: str = "") -> dict | None:
    """ "Amsterdam, Netherlands" → addressLocality Amsterdam, addressCountry NL (the ISO
    code when known, else the last part); "Austin, TX, United States" adds addressRegion;
    "Remote (Europe)" is no town."""
    parts = _parts(location)
    if not country and len(parts) >= 2:
        country = parts[-1]
    if not names_a_town(location):
        parts = []
    if not country and not parts:
        return None
    address = {"@type": "PostalAddress"}
    if parts:
        address["addressLocality"] = parts[0]
    if len(parts) >= 3:
        address["addressRegion"] = parts[1]
    if country:
        address["addressCountry"] = country
    return address


def base_salary_jsonld(posting: Posting) -> dict:
    value = {"@type": "QuantitativeValue", "unitText": SALARY_UNITS[posting.salary_period]}
    if posting.salary_min is not None and posting.salary_min == posting.salary_max:
        value["value"] = posting.salary_min
    else:
        if posting.salary_min is not None:
            value["minValue"] = posting.salary_min
        if posting.salary_max is not None:
            value["maxValue"] = posting.salary_max
    return {"@type": "MonetaryAmount", "currency": posting.salary_currency, "value": value}


def organization_jsonld(company, *, base: str) -> dict:
    page = absolute_url(company.get_absolute_url(), base=base)
    data = {
        "@type": "Organization",
        "name": company.name,
        # The company's own site identifies it best; its page here when it has none.
        "sameAs": company.website or page,
        "url": page,
    }
    sources = company.logo_sources(192)
    if sources:
        data["logo"] = absolute_url(sources["png"], base=base)
    elif company.logo:
        data["logo"] = absolute_url(company.logo.url, base=base)
    return data


def breadcrumb_list_jsonld(crumbs: list[tuple[str, str]], *, base: str) -> dict:
    """`crumbs` as (name, path) pairs from the top of the site down to the page."""
    return {
        "@context": SCHEMA_ORG,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(path, base=base),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def skill_breadcrumbs(skill) -> list[tuple[str, str]]:
    return [("Skills", reverse("skills:list")), (skill.name, skill.get_absolute_url())]


def company_breadcrumbs(company) -> list[tuple[str, str]]:
    return [("Companies", reverse("companies:list")), (company.name, company.get_absolute_url())]


def website_jsonld(*, base: str) -> dict:
    """The site's name and its search box, for the home page."""
    search = absolute_url(reverse("postings:list"), base=base)
    return {
        "@context": SCHEMA_ORG,
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute_url(reverse("home"), base=base),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
