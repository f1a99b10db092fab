"""Postings say only what the employer said: openings found on the web, each with just a
company, a title and one line, import as they are, and no page, card, feed or JSON-LD
states a fact the records did not."""

import json
import re
from html import escape
from html.parser import HTMLParser

import feedparser
import pytest
from django.core.management import call_command

from companies.models import Company
from content.exporter import export_content
from content.importer import import_content
from content.sources import ContentError
from postings.models import Posting
from postings.structured_data import job_posting_jsonld
from skills.models import Skill
from tests import factories
from tests.seo_html import read_head
from tests.site_data import cards

pytestmark = pytest.mark.django_db

# As staff copy them from a skill page on the web: a name (not a slug), a title, a line.
MINIMAL_RECORDS = [
    {
        "company": "C&A",
        "title": "Data Engineer (f/m/d)",
        "summary": "Contract, Hybrid: build the pipelines behind the stock figures of our stores.",
    },
    {
        "company": "zalando",
        "title": "Backend Engineer / Payments",
        "summary": "You will be working remotely on the services that take payments at checkout.",
    },
    {
        "company": "C&A",
        "title": "Senior Analytics Engineer (Retail/Supply)",
        "summary": "A" * 199 + ".",
    },
    {
        "company": "bol.com",
        "title": "Site Reliability Engineer (m/w/d) – Platform",
        "summary": "Keep the shop up for millions of visitors, on-call one week in six.",
    },
]
# Words a card, page, feed or JSON-LD could only have from a default, never from the records.
INVENTED = re.compile(
    r"On-site|Hybrid|Remote|Full-time|Part-time|Contract|Internship|Junior|Mid-level|Senior"
    r"|Staff / Principal|Lead|FULL_TIME|CONTRACTOR|TELECOMMUTE|jobLocation|baseSalary|per year"
)


def content_file(tmp_path, postings, **sections) -> str:
    path = tmp_path / "content.json"
    data = {"format": "jobboard-content", "version": 1, "postings": postings, **sections}
    path.write_text(json.dumps(data))
    return str(path)


def published(records):
    return [{**record, "status": "published"} for record in records]


class _Text(HTMLParser):
    """The text of the elements with a given class, each as one string."""

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class, self.depth, self.found = css_class, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
            self.found[-1] += " "
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts(html: str, css_class: str) -> list[str]:
    parser = _Text(css_class)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found]


def test_a_file_of_minimal_records_imports_creating_companies_from_names(tmp_path):
    report = import_content(path=content_file(tmp_path, published(MINIMAL_RECORDS)))

    assert report.sections["postings"].created == 4
    assert report.sections["companies"].created == 3
    assert dict(Company.objects.values_list("slug", "name")) == {
        "ca": "C&A",
        "zalando": "zalando",
        "bolcom": "bol.com",
    }
    # Slugs from the company and the title, the same on every import: a second import
    # of the file changes nothing.
    assert set(Posting.objects.values_list("slug", flat=True)) == {
        "ca-data-engineer-fmd",
        "zalando-backend-engineer-payments",
        "ca-senior-analytics-engineer-retailsupply",
        "bolcom-site-reliability-engineer-mwd-platform",
    }
    again = import_content(path=content_file(tmp_path, published(MINIMAL_RECORDS)))
    assert again.sections["postings"].unchanged == 4
    assert again.sections["companies"].created == 0
    assert Posting.objects.live().count() == 4  # published without a date: published now


def test_no_card_page_feed_or_jsonld_states_a_fact_the_records_did_not(client, tmp_path):
    import_content(path=content_file(tmp_path, published(MINIMAL_RECORDS)))

    listing = client.get("/jobs/").content.decode()
    assert len(cards(listing)) == 4
    for meta in texts(listing, "card__meta"):
        # Pay is the one absence a card states; then when it was posted.
        assert meta == "Pay not stated today", meta

    for posting in Posting.objects.select_related("company"):
        html = client.get(posting.get_absolute_url()).content.decode()
        [facts] = texts(html, "facts")
        assert facts.startswith("Salary Not stated Posted "), facts
        assert "How to apply is not stated." in html
        assert posting.summary in html
        assert not INVENTED.search(facts)
        [data] = [item for item in read_head(html).jsonld if item["@type"] == "JobPosting"]
        assert data["directApply"] is False
        assert data["description"] == f"<p>{escape(posting.summary)}</p>"
        # The facts, not the employer's own words (a summary may say "Contract, Hybrid").
        facts = {k: v for k, v in data.items() if k not in ("title", "description")}
        assert not INVENTED.search(json.dumps(facts)), facts

    feed = feedparser.parse(client.get("/jobs/feed/atom/").content)
    assert len(feed.entries) == 4
    for entry in feed.entries:
        # "<strong>C&A</strong> · " and nothing after the dot: no facts to list.
        facts = re.search(r"</strong> · (.*?)</p>", entry.summary)[1]
        assert facts == "", entry.summary


def test_the_posting_page_points_to_the_company_site_when_it_says_nothing_of_applying(client):
    company = factories.CompanyFactory(name="Acme", website="https://acme.example")
    posting = factories.LivePostingFactory(company=company, apply_url="", apply_email="")

    html = client.get(posting.get_absolute_url()).content.decode()

    assert "How to apply is not stated." in html
    assert '<a href="https://acme.example" rel="noopener nofollow">Visit Acme’s website</a>' in html
    assert "Apply on" not in html and "Apply by e-mail" not in html


def test_stated_facts_still_show_and_unstated_ones_are_left_out_one_by_one(client):
    factories.LivePostingFactory(
        location="Berlin, Germany",
        remote_policy="remote",
        employment_type="",
        seniority="senior",
        salary_min=None,
        salary_max=None,
        salary_currency="",
    )
    html = client.get("/jobs/").content.decode()
    assert texts(html, "card__meta") == ["Berlin, Germany Remote Pay not stated yesterday"]
    page = client.get(Posting.objects.get().get_absolute_url()).content.decode()
    [facts] = texts(page, "facts")
    assert "Workplace Remote" in facts and "Seniority Senior" in facts
    assert "Type" not in facts


def test_jsonld_of_an_unstated_workplace_invents_no_headquarters_office(db):
    company = factories.CompanyFactory(headquarters="Berlin, Germany")
    posting = factories.LivePostingFactory(
        company=company, remote_policy="", location="", country="", employment_type=""
    )
    data = job_posting_jsonld(posting, base="https://jobs.example.com")
    assert "jobLocation" not in data and "jobLocationType" not in data
    assert "employmentType" not in data
    # The same posting, saying it is on-site, is at the headquarters.
    posting.remote_policy = Posting.RemotePolicy.ONSITE
    data = job_posting_jsonld(posting, base="https://jobs.example.com")
    assert data["jobLocation"]["address"]["addressLocality"] == "Berlin"


def test_filters_match_only_postings_that_state_the_fact(client):
    factories.LivePostingFactory(title="Says remote", remote_policy="remote")
    factories.LivePostingFactory(title="Says nothing", remote_policy="", employment_type="")
    remote = client.get("/jobs/?remote=remote").content.decode()
    assert "Says remote" in remote and "Says nothing" not in remote
    full_time = client.get("/jobs/?type=full-time").content.decode()
    assert "Says remote" in full_time and "Says nothing" not in full_time
    everything = client.get("/jobs/").content.decode()
    assert "Says nothing" in everything


def test_the_snapshot_gives_the_remote_share_of_the_postings_that_say(client):
    skill = factories.SkillFactory(name="Python", slug="python")
    factories.SkillGuideFactory(skill=skill)
    for policy, count in (("remote", 4), ("onsite", 6), ("", 5)):
        for _ in range(count):
            factories.LivePostingFactory(remote_policy=policy, skills=[skill])

    html = client.get(skill.get_absolute_url()).content.decode()

    assert "Remote 40% of 10 that say" in " ".join(texts(html, "snapshot__figures"))
    for posting in Posting.objects.exclude(remote_policy=""):
        posting.remote_policy = ""
        posting.save()
    html = client.get(skill.get_absolute_url()).content.decode()
    assert "Remote – none says" in " ".join(texts(html, "snapshot__figures"))


def test_the_dry_run_says_what_each_record_leaves_unsaid_and_what_is_invisible(tmp_path):
    factories.SkillFactory(slug="python")
    records = [
        MINIMAL_RECORDS[0],  # no status: a draft
        {**MINIMAL_RECORDS[1], "status": "published", "remote_policy": "remote"},
    ]
    guide = {
        "skill": "python",
        "title": "Python",
        "lede": "A language.",
        "body": "## Python\n\nText.\n",
        "meta_description": "",
        "is_published": False,
    }

    report = import_content(path=content_file(tmp_path, records, guides=[guide]), dry_run=True)

    notes = "\n".join(report.notes)
    assert 'Company "C&A" (slug "ca") will be created' in notes
    assert 'Guide "python": not published; readers will not see it.' in notes
    assert 'Posting "Data Engineer (f/m/d)": a draft; job seekers will not see it.' in notes
    assert (
        'Posting "Data Engineer (f/m/d)" does not state: workplace, employment type, '
        "seniority, location, description, pay, how to apply." in notes
    )
    assert (
        'Posting "Backend Engineer / Payments" does not state: employment type, '
        "seniority, location, description, pay, how to apply." in notes
    )
    assert "pay 2" in notes and "workplace 1" in notes
    assert not Posting.objects.exists() and not Company.objects.exists()


def test_the_command_prints_the_notes(tmp_path, capsys):
    call_command("import_content", content_file(tmp_path, MINIMAL_RECORDS[:1]), dry_run=True)
    assert 'Note: Posting "Data Engineer (f/m/d)": a draft' in capsys.readouterr().out


def test_two_records_making_the_same_slug_are_an_error_naming_both(tmp_path):
    records = [MINIMAL_RECORDS[0], {**MINIMAL_RECORDS[0], "summary": "Another line."}]
    with pytest.raises(ContentError) as error:
        import_content(path=content_file(tmp_path, records))
    assert error.value.errors == [
        'Posting "Data Engineer (f/m/d)", slug: 2 records make the slug "ca-data-engineer-fmd" '
        "from their company and title (numbers 1 and 2 in postings): give them slugs of "
        "their own."
    ]
    # A slug of its own settles it.
    records[1]["slug"] = "ca-data-engineer-2"
    assert import_content(path=content_file(tmp_path, records)).sections["postings"].created == 2


def test_a_name_whose_slug_belongs_to_another_company_is_refused(tmp_path):
    factories.CompanyFactory(slug="ca", name="California Tech")
    with pytest.raises(ContentError) as error:
        import_content(path=content_file(tmp_path, MINIMAL_RECORDS[:1]))
    [message] = error.value.errors
    assert message == (
        'Posting "Data Engineer (f/m/d)", company: "C&A" is not the name of the company '
        'whose slug it makes ("ca" is "California Tech"). Name the company by its slug, '
        'or add it to "companies" with a slug of its own.'
    )
    assert not Posting.objects.exists()


def test_a_name_of_a_company_on_the_site_is_that_company(tmp_path):
    company = factories.CompanyFactory(slug="ca", name="C&A")
    import_content(path=content_file(tmp_path, MINIMAL_RECORDS[:1]))
    assert Posting.objects.get().company == company
    assert Company.objects.count() == 1


@pytest.mark.parametrize(
    "record, field",
    [
        ({"title": "Engineer", "summary": "x"}, "slug"),
        ({"company": "Acme", "summary": "x"}, "slug"),
        ({"company": "Acme", "title": "Engineer"}, "summary"),
        ({"company": "!!!", "title": "Engineer", "summary": "x"}, "company"),
        ({"company": "Acme", "title": "Engineer", "summary": "x" * 201}, "summary"),
        ({"company": "A" * 121, "title": "Engineer", "summary": "x"}, "company"),
    ],
)
def test_an_incomplete_minimal_record_is_a_clear_error(tmp_path, record, field):
    with pytest.raises(ContentError) as error:
        import_content(path=content_file(tmp_path, [record]))
    # Named by its title, or by its place in the file when it has none.
    label = f'Posting "{record["title"]}"' if "title" in record else "Posting number 1"
    assert any(message.startswith(f"{label}, {field}: ") for message in error.value.errors)
    assert not Posting.objects.exists() and not Company.objects.exists()


def test_unstated_facts_survive_export_and_import(tmp_path):
    import_content(path=content_file(tmp_path, published(MINIMAL_RECORDS)))
    before = list(Posting.objects.order_by("slug").values())
    export_content(path=tmp_path / "export")
    Posting.objects.all().delete()
    Company.objects.all().delete()
    Skill.objects.all().delete()

    import_content(path=tmp_path / "export")

    after = list(Posting.objects.order_by("slug").values())
    ignored = {"id", "company_id", "created_at", "updated_at", "search_vector", "skill_ids"}
    assert [{k: v for k, v in row.items() if k not in ignored} for row in after] == [
        {k: v for k, v in row.items() if k not in ignored} for row in before
    ]
    assert {row["remote_policy"] for row in after} == {""}


def test_staff_leave_facts_unstated_in_the_admin(admin_client):
    company = factories.CompanyFactory()
    form = admin_client.get("/admin/postings/posting/add/").content.decode()
    assert '<option value="" selected>Not stated</option>' in form

    response = admin_client.post(
        "/admin/postings/posting/add/",
        {
            "title": "Engineer (f/m/d)",
            "slug": "engineer-fmd",
            "company": company.pk,
            "summary": "One line.",
            "description": "",
            "remote_policy": "",
            "employment_type": "",
            "seniority": "",
            "salary_period": "year",
            "status": "draft",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    posting = Posting.objects.get()
    assert (posting.remote_policy, posting.employment_type, posting.seniority) == ("", "", "")
    assert (posting.apply_url, posting.apply_email, posting.description) == ("", "", "")
