"""Structured locations and remote eligibility: regions, the listing's country, "I can
work from" and "my UTC offset" filters, cards, pages and JSON-LD."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from companies.models import Company
from postings import locations
from postings.models import Posting
from postings.structured_data import job_posting_jsonld
from tests import factories

REMOTE = Posting.RemotePolicy.REMOTE
HYBRID = Posting.RemotePolicy.HYBRID
ONSITE = Posting.RemotePolicy.ONSITE


def remote(title, areas="", offsets=(None, None), **fields):
    return factories.LivePostingFactory(
        title=title,
        remote_policy=REMOTE,
        location=fields.pop("location", "Remote"),
        country="",
        remote_from=areas,
        remote_utc_offset_min=offsets[0],
        remote_utc_offset_max=offsets[1],
        **fields,
    )


def listed_titles(client, **params) -> set[str]:
    response = client.get(reverse("postings:list"), params)
    assert response.status_code == 200
    return {posting.title for posting in response.context["page_obj"].object_list}


# Regions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region, inside, outside",
    [
        ("EU", ["DE", "FR", "HR", "IE", "CY"], ["CH", "NO", "GB", "IS", "TR"]),
        ("EEA", ["DE", "NO", "IS", "LI"], ["CH", "GB"]),
        ("EUROPE", ["DE", "CH", "GB", "NO", "UA", "RS"], ["TR", "CY", "US"]),
        ("NORTH-AMERICA", ["US", "CA", "MX", "PA", "JM"], ["BR", "AR"]),
        ("LATIN-AMERICA", ["MX", "BR", "AR", "CU"], ["US", "CA"]),
        ("AMERICAS", ["US", "CA", "BR", "CL"], ["ES", "PT"]),
        ("APAC", ["IN", "JP", "SG", "AU", "NZ", "KZ"], ["AE", "IL", "RU"]),
        ("EMEA", ["DE", "ZA", "NG", "AE", "IL", "IR"], ["IN", "US", "JP"]),
    ],
)
def test_a_named_region_expands_to_its_countries(region, inside, outside):
    members = locations.REGIONS[region].members
    assert set(inside) <= members
    assert not set(outside) & members
    assert members <= locations.country_codes()  # ISO countries only (no "EA", "QO")


def test_the_eu_has_27_members_and_the_eea_30():
    assert len(locations.REGIONS["EU"].members) == 27
    assert len(locations.REGIONS["EEA"].members) == 30


def test_anywhere_expands_to_no_list_and_a_country_to_itself():
    assert locations.expand_areas("ANYWHERE DE") is None
    assert locations.expand_areas("AT DE") == ["AT", "DE"]
    assert locations.expand_areas("") == []


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("Berlin, Germany", locations.ParsedLocation(city="Berlin", country="DE")),
        (
            "Austin, TX, United States",
            locations.ParsedLocation(city="Austin", region="US-TX", country="US"),
        ),
        (
            "Toronto, Ontario, Canada",
            locations.ParsedLocation(city="Toronto", region="CA-ON", country="CA"),
        ),
        ("Remote (Europe)", locations.ParsedLocation(areas="EUROPE")),
        ("Remote (EU)", locations.ParsedLocation(areas="EU")),
        ("Remote, Denmark", locations.ParsedLocation(areas="DK")),
        ("Remote", locations.ParsedLocation()),
        ("Somewhere sunny", None),
        ("Austin, Narnia, United States", None),
        ("Remote (Mars)", None),
        ("", None),
    ],
)
def test_the_location_texts_that_parse(text, parsed):
    assert locations.parse_location(text) == parsed


def test_offsets_read_as_people_write_them():
    assert locations.offset_range_label(-120, 180) == "UTC−2 to +3"
    assert locations.offset_range_label(330, 330) == "UTC+5:30"
    assert locations.offset_range_label(None, None) == ""


# The model ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"country": "XX"}, "country"),
        ({"country": "US", "region": "CA-ON"}, "region"),
        ({"country": "", "region": "US-CA"}, "region"),
        ({"remote_from": "EU Narnia"}, "remote_from"),
        ({"remote_utc_offset_min": -120}, "remote_utc_offset_max"),
        ({"remote_utc_offset_min": 180, "remote_utc_offset_max": -120}, "remote_utc_offset_max"),
        ({"remote_utc_offset_min": -900, "remote_utc_offset_max": 0}, "remote_utc_offset_min"),
    ],
)
def test_invalid_places_are_form_errors(fields, field):
    posting = factories.PostingFactory.build(company=factories.CompanyFactory(), **fields)
    with pytest.raises(ValidationError) as error:
        posting.full_clean()
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_areas_are_stored_as_codes_once_each():
    posting = factories.PostingFactory(remote_from="eu, ch Europe EU")
    posting.full_clean()
    posting.save()
    posting.refresh_from_db()
    assert posting.remote_from == "CH EU EUROPE"


# The listing's filters ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_country_filter_finds_postings_in_that_country(client):
    factories.LivePostingFactory(title="Berlin", city="Berlin", country="DE")
    factories.LivePostingFactory(title="Paris", city="Paris", country="FR")
    remote("Remote EU", "EU")
    assert listed_titles(client, country="DE") == {"Berlin"}
    assert listed_titles(client, country="FR") == {"Paris"}


@pytest.mark.django_db
def test_i_can_work_from_matches_a_country_directly_through_a_region_or_anywhere(client):
    remote("EU", "EU")
    remote("Europe", "EUROPE")
    remote("Switzerland and Austria", "AT CH")
    remote("Anywhere", "ANYWHERE")
    remote("Americas", "AMERICAS")
    remote("Not stated")
    factories.LivePostingFactory(title="On-site Berlin", city="Berlin", country="DE")
    hybrid = factories.LivePostingFactory(title="Hybrid, from Germany", remote_from="DE")
    assert hybrid.remote_policy == HYBRID

    assert listed_titles(client, work_from="DE") == {
        "EU",
        "Europe",
        "Anywhere",
        "Hybrid, from Germany",
    }
    assert listed_titles(client, work_from="CH") == {
        "Europe",
        "Switzerland and Austria",
        "Anywhere",
    }
    assert listed_titles(client, work_from="BR") == {"Americas", "Anywhere"}
    assert listed_titles(client, work_from="JP") == {"Anywhere"}


@pytest.mark.django_db
def test_my_utc_offset_matches_inside_the_range_ends_included(client):
    remote("Europe hours", "EU", offsets=(-120, 180))
    remote("India", "IN", offsets=(330, 330))
    remote("No hours stated", "EU")
    assert listed_titles(client, utc_offset="-120") == {"Europe hours"}
    assert listed_titles(client, utc_offset="180") == {"Europe hours"}
    assert listed_titles(client, utc_offset="0") == {"Europe hours"}
    assert listed_titles(client, utc_offset="240") == set()
    assert listed_titles(client, utc_offset="-180") == set()
    assert listed_titles(client, utc_offset="330") == {"India"}


@pytest.mark.django_db
def test_filters_combine_and_show_as_chips(client):
    remote("Europe hours", "EU", offsets=(-120, 180))
    remote("Europe, any hours", "EU")
    response = client.get(reverse("postings:list"), {"work_from": "DE", "utc_offset": "60"})
    assert {p.title for p in response.context["page_obj"].object_list} == {"Europe hours"}
    page = response.content.decode()
    assert "open to Germany" in page and "open to UTC+1" in page


@pytest.mark.django_db
def test_the_form_shows_the_chosen_places_selected_and_only_those(client):
    # The country and offset <select>s are rendered once per process (StaticChoiceField);
    # each request marks its own choice, and the next request does not inherit it.
    listing = reverse("postings:list")
    page = client.get(listing, {"country": "DE", "work_from": "FR", "utc_offset": "60"})
    html = page.content.decode()
    for value, name in (("DE", "Germany"), ("FR", "France"), ("60", "UTC+1")):
        assert f'<option value="{value}" selected>{name}</option>' in html
    html = client.get(listing, {"country": "FR"}).content.decode()
    assert '<option value="FR" selected>France</option>' in html
    assert '<option value="DE">Germany</option>' in html
    assert '<option value="60">UTC+1</option>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"country": "XX"}, {"work_from": "EU"}, {"utc_offset": "61"}, {"utc_offset": "x"}]
)
def test_bad_filter_values_are_form_errors_not_500s(client, params):
    factories.LivePostingFactory()
    response = client.get(reverse("postings:list"), params)
    assert response.status_code == 400
    assert response.context["form"].errors


# Cards and pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_cards_say_where_a_remote_hire_may_live(client):
    remote("Areas", "EU")
    remote("Hours", offsets=(-120, 180))
    remote("Plain")
    page = client.get(reverse("postings:list")).content.decode()
    assert "<li>Remote · EU</li>" in page
    assert "<li>Remote · UTC−2 to +3</li>" in page
    assert "<li>Remote</li>" in page


@pytest.mark.django_db
def test_a_card_and_page_use_the_structured_place(client):
    posting = factories.LivePostingFactory(
        location="Austin TX", city="Austin", region="US-TX", country="US"
    )
    assert (
        "<li>Austin, Texas, United States</li>"
        in client.get(reverse("postings:list")).content.decode()
    )
    page = client.get(posting.get_absolute_url()).content.decode()
    assert "<dd>Austin, Texas, United States</dd>" in page


@pytest.mark.django_db
def test_a_posting_page_says_where_from_and_which_hours(client):
    posting = remote("Areas", "CH EU", offsets=(0, 120))
    page = client.get(posting.get_absolute_url()).content.decode()
    assert "<dt>Open to hires in</dt><dd>EU, Switzerland</dd>" in page
    assert "<dt>Time zones</dt><dd>UTC±0 to +2</dd>" in page


# JSON-LD --------------------------------------------------------------------------------


def jsonld(posting):
    return job_posting_jsonld(posting, base="https://jobs.example")


@pytest.mark.django_db
def test_jsonld_for_a_remote_role_open_to_listed_countries():
    data = jsonld(remote("Two countries", "AT DE"))
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "Austria"},
        {"@type": "Country", "name": "Germany"},
    ]
    assert "jobLocation" not in data


@pytest.mark.django_db
def test_jsonld_for_a_remote_role_open_to_a_region_lists_its_countries():
    data = jsonld(remote("EU", "EU"))
    names = [country["name"] for country in data["applicantLocationRequirements"]]
    assert len(names) == 27 and "Italy" in names and "Switzerland" not in names
    assert "jobLocation" not in data


@pytest.mark.django_db
def test_jsonld_for_a_remote_role_open_to_anywhere_invents_nothing():
    data = jsonld(remote("Anywhere", "ANYWHERE"))
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert "applicantLocationRequirements" not in data and "jobLocation" not in data


@pytest.mark.django_db
def test_jsonld_for_the_demos_remote_europe_role_is_no_town_and_not_only_its_companys_country():
    # The issue: "Remote (Europe)" at an Italian company became a town, and Italy the only
    # eligible country.
    data = jsonld(remote("Europe", "EUROPE", location="Remote (Europe)"))
    names = {country["name"] for country in data["applicantLocationRequirements"]}
    assert {"Italy", "Germany", "Switzerland", "Norway"} <= names
    assert "jobLocation" not in data


@pytest.mark.django_db
def test_jsonld_for_a_hybrid_role_is_its_office_not_telecommute():
    posting = factories.LivePostingFactory(
        remote_policy=HYBRID, city="Denver", region="US-CO", country="US", remote_from="US"
    )
    data = jsonld(posting)
    assert "jobLocationType" not in data and "applicantLocationRequirements" not in data
    assert data["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Denver",
        "addressRegion": "Colorado",
        "addressCountry": "US",
    }


@pytest.mark.django_db
def test_jsonld_for_an_on_site_role_uses_its_structured_parts():
    posting = factories.LivePostingFactory(
        remote_policy=ONSITE, location="Head office", city="Toronto", region="CA-ON", country="CA"
    )
    assert jsonld(posting)["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Toronto",
        "addressRegion": "Ontario",
        "addressCountry": "CA",
    }


# Staff ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unparsed_locations_are_listed_for_staff(capsys):
    factories.PostingFactory(location="Somewhere sunny", country="")
    factories.PostingFactory(location="Berlin, Germany", city="Berlin", country="DE")
    call_command("unparsed_locations")
    out = capsys.readouterr().out
    assert "Somewhere sunny  (does not parse)" in out
    assert "Berlin" not in out
    assert "1 posting without a structured place." in out


# The migration and the demo -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_0014_parses_existing_locations():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("postings", "0013_salary_comparison"), ("companies", "0002_company_logo_variants")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    company = old.get_model("companies", "Company").objects.create(name="Acme", slug="acme")
    Old = old.get_model("postings", "Posting")
    rows = {
        "berlin": ("Berlin, Germany", "DE", "hybrid"),
        "austin": ("Austin, TX, United States", "US", "onsite"),
        "europe": ("Remote (Europe)", "IT", "remote"),
        "sunny": ("Somewhere sunny", "ES", "onsite"),
    }
    for slug, (location, country, policy) in rows.items():
        Old.objects.create(company=company, title=slug, slug=slug, summary="s",
                           location=location, country=country, remote_policy=policy)  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    parsed = {p.slug: p for p in Posting.objects.all()}
    assert (parsed["berlin"].city, parsed["berlin"].country) == ("Berlin", "DE")
    assert (parsed["austin"].city, parsed["austin"].region) == ("Austin", "US-TX")
    # The company's country was never the remote role's place; Europe is where it hires.
    assert (parsed["europe"].country, parsed["europe"].remote_from) == ("", "EUROPE")
    # What does not parse stays text only, as it was.
    sunny = parsed["sunny"]
    assert (sunny.location, sunny.city, sunny.country) == ("Somewhere sunny", "", "ES")


@pytest.mark.django_db
def test_the_demo_shows_every_where_field():
    from postings import pay_transparency

    call_command("load_demo", verbosity=0)
    live = Posting.objects.live()
    assert live.exclude(city="").exclude(region="").exists()
    remote_areas = set(live.filter(remote_policy=REMOTE).values_list("remote_from", flat=True))
    assert {"EU", "EUROPE", "ANYWHERE", "US", "AMERICAS", "APAC"} <= remote_areas
    assert live.filter(remote_policy=HYBRID).exclude(remote_from="").exists()
    assert live.exclude(remote_utc_offset_min=None).exists()
    assert Company.objects.exclude(size_band="").exists()
    assert Company.objects.filter(size_band="").exists()
    statuses = {pay_transparency.status(p) for p in live.select_related("company")}
    assert statuses == {value for value, _ in pay_transparency.STATUSES}
