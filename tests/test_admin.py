import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from companies.models import Company
from postings.models import Posting
from tests import factories
from tests.conftest import make_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="a-long-passphrase-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(user)
    return user


def test_anonymous_user_is_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:postings_posting_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_adds_a_company_with_a_logo_and_a_posting(admin_client, skill):
    response = admin_client.post(
        reverse("admin:companies_company_add"),
        {
            "name": "Acme Robotics",
            "slug": "acme-robotics",
            "website": "https://acme.example",
            "headquarters": "Lyon, France",
            "description": "Robots.",
            "logo": SimpleUploadedFile("logo.png", make_png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    company = Company.objects.get(slug="acme-robotics")
    assert company.logo.name.startswith("logos/")
    assert company.logo.storage.exists(company.logo.name)

    response = admin_client.post(
        reverse("admin:postings_posting_add"),
        {
            "title": "Senior Backend Engineer",
            "slug": "senior-backend-engineer-acme",
            "company": company.id,
            "summary": "Build our robot fleet's APIs.",
            "skills": [skill.id],
            "description": "## The role\n\nAPIs.",
            "location": "Lyon, France",
            "country": "FR",
            "remote_policy": "hybrid",
            "employment_type": "full-time",
            "seniority": "senior",
            "salary_min": "70000",
            "salary_max": "90000",
            "salary_currency": "EUR",
            "salary_period": "year",
            "apply_url": "https://acme.example/jobs/1",
            "status": "published",
            "published_at_0": "2026-01-01",
            "published_at_1": "09:00:00",
            "expires_at_0": "2099-01-01",
            "expires_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    posting = Posting.objects.get(slug="senior-backend-engineer-acme")
    assert posting.is_live
    assert list(posting.skills.all()) == [skill]


def test_admin_form_rejects_salary_min_above_max(admin_client, company):
    response = admin_client.post(
        reverse("admin:postings_posting_add"),
        {
            "title": "Engineer",
            "slug": "engineer",
            "company": company.id,
            "summary": "x",
            "description": "x",
            "remote_policy": "remote",
            "employment_type": "full-time",
            "seniority": "mid",
            "salary_min": "90000",
            "salary_max": "60000",
            "salary_currency": "EUR",
            "salary_period": "year",
            "apply_email": "jobs@example.com",
            "status": "draft",
            "expires_at_0": "2099-01-01",
            "expires_at_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "salary_max" in response.context["adminform"].form.errors
    assert not Posting.objects.exists()


def test_content_editor_can_edit_postings_but_not_users(client, editor, live_posting):
    change_url = reverse("admin:postings_posting_change", args=[live_posting.id])
    assert client.get(change_url).status_code == 200
    assert client.get(reverse("admin:skills_skillguide_add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_bulk_actions_publish_close_and_extend(admin_client):
    from tests import factories

    drafts = factories.PostingFactory.create_batch(2)
    changelist = reverse("admin:postings_posting_changelist")
    ids = [str(p.id) for p in drafts]
    admin_client.post(changelist, {"action": "publish", "_selected_action": ids})
    assert Posting.objects.live().count() == 2
    before = {p.id: p.expires_at for p in Posting.objects.all()}
    admin_client.post(changelist, {"action": "extend_30_days", "_selected_action": ids})
    for posting in Posting.objects.all():
        assert (posting.expires_at - before[posting.id]).days == 30
    admin_client.post(changelist, {"action": "close", "_selected_action": ids})
    assert Posting.objects.live().count() == 0
    assert Posting.objects.filter(status=Posting.Status.CLOSED).count() == 2


def test_changelists_render_with_filters(admin_client, live_posting):
    for url in [
        reverse("admin:postings_posting_changelist") + "?expiry=7d&status=published",
        reverse("admin:companies_company_changelist"),
        reverse("admin:skills_skill_changelist"),
        reverse("admin:skills_skillguide_changelist"),
    ]:
        assert admin_client.get(url).status_code == 200


# Made for staff: the board's name and colours, and forms that fit their content ---------


def test_every_admin_page_carries_the_boards_name_and_colours(client, admin_client, settings):
    settings.SITE_NAME = "Skillboard"
    for browser, url in [
        (client, reverse("admin:login")),
        (admin_client, reverse("admin:index")),
        (admin_client, reverse("admin:postings_posting_changelist")),
        (admin_client, reverse("admin:postings_posting_import")),
    ]:
        page = browser.get(url).content.decode()
        assert '<span class="site-name__role">staff</span>' in page, url
        assert 'Skillboard <span class="site-name__role">' in page, url
        assert "| Skillboard staff</title>" in page, url
        assert "Django administration" not in page and "Django site admin" not in page, url
        # Once per page, after Django's light and dark variables, so that it sets both.
        assert page.count("css/admin.css") == 1, url
        assert page.index("admin/css/dark_mode.css") < page.index("css/admin.css"), url


def _posting_form(company, **changes) -> dict:
    return {
        "title": "Platform Engineer",
        "slug": "platform-engineer",
        "company": company.id,
        "summary": "Run the platform our teams ship on.",
        "salary_period": "year",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "expires_at_0": "2099-01-01",
        "expires_at_1": "09:00:00",
        **changes,
    }


def test_publishing_with_an_empty_date_publishes_now_and_says_so(admin_client, company):
    with time_machine.travel(datetime(2026, 11, 20, 14, 30, tzinfo=UTC), tick=False):
        response = admin_client.post(
            reverse("admin:postings_posting_add"), _posting_form(company), follow=True
        )
    assert response.status_code == 200
    posting = Posting.objects.get(slug="platform-engineer")
    assert posting.published_at == datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    assert posting.status == Posting.Status.PUBLISHED
    said = [str(message) for message in response.context["messages"]]
    assert "The publication date was empty, so it is now: 20 Nov 2026, 14:30 UTC." in said


def test_a_draft_keeps_its_empty_date_and_a_given_date_is_kept(admin_client, company):
    add = reverse("admin:postings_posting_add")
    admin_client.post(add, _posting_form(company, status="draft"))
    assert Posting.objects.get(slug="platform-engineer").published_at is None

    form = _posting_form(
        company, slug="later", published_at_0="2026-12-01", published_at_1="09:00:00"
    )
    response = admin_client.post(add, form, follow=True)
    assert Posting.objects.get(slug="later").published_at == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert not any("was empty" in str(m) for m in response.context["messages"])


def test_a_mistyped_publication_date_is_an_error_not_now(admin_client, company):
    form = _posting_form(company, published_at_0="31/31/2026", published_at_1="09:00")
    response = admin_client.post(reverse("admin:postings_posting_add"), form)
    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors
    assert not Posting.objects.exists()


def test_the_posting_form_says_an_empty_date_means_now_and_fits_its_text(admin_client):
    page = admin_client.get(reverse("admin:postings_posting_add")).content.decode()
    assert "Empty when you choose “Published”: the moment you save." in page
    # The summary (a card's whole text, up to 200 characters) in a textarea, not a line.
    assert '<textarea name="summary" cols="60" rows="3"' in page
    assert 'maxlength="200"' in page


def test_the_postings_list_shows_company_logo_status_and_expiry_in_few_columns(
    admin_client, live_posting
):
    page = admin_client.get(reverse("admin:postings_posting_changelist")).content.decode()
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', page)
    assert headers == [
        "title",
        "company_with_logo",
        "status",
        "is_live",
        "published_on",
        "expires_in",
    ]
    assert f"<span>{live_posting.company.name}</span>" in page
    assert "in 29 days" in page or "in 30 days" in page


def test_the_company_form_shows_the_logo_and_each_rendered_size_as_images(admin_client, media_root):
    company = factories.CompanyFactory(slug="acme", name="Acme")
    company.logo.save("logo.png", ContentFile(make_png(size=(300, 150))))
    change = reverse("admin:companies_company_change", args=[company.pk])

    page = admin_client.get(change).content.decode()
    assert f'<img src="{company.logo.url}" width="192" height="192"' in page
    assert "being rendered by a worker" in page

    company.render_logo_variants()
    page = admin_client.get(change).content.decode()
    for size in (48, 96, 192):
        sources = company.logo_sources(size)
        assert f'<img src="{sources["png"]}" width="{size}" height="{size}"' in page
        assert f'<a href="{sources["webp"]}">WebP</a>' in page
        assert default_storage.exists(sources["png"].removeprefix(settings.MEDIA_URL))


def test_a_company_without_a_logo_shows_its_monogram(admin_client, media_root):
    company = factories.CompanyFactory(slug="initech", name="Initech")
    company.render_logo_variants()
    page = admin_client.get(
        reverse("admin:companies_company_change", args=[company.pk])
    ).content.decode()
    assert "No logo: pages show this monogram" in page
    assert f'<img src="{company.logo_sources(48)["png"]}" width="48" height="48"' in page


# The postings list at a million postings: filters, search and sorts read an index ------


def _listed_titles(admin_client, query: str = "") -> list[str]:
    response = admin_client.get(reverse("admin:postings_posting_changelist") + query)
    assert response.status_code == 200
    return [posting.title for posting in response.context["cl"].result_list]


def test_staff_find_a_posting_by_its_title_words_its_slug_or_its_company(admin_client):
    acme = factories.CompanyFactory(name="Acme Robotics", slug="acme-robotics")
    factories.LivePostingFactory(title="Staff Kotlin Developer", slug="kotlin-dev-x1")
    factories.LivePostingFactory(title="Data Analyst", slug="analyst-q7", company=acme)
    factories.PostingFactory(title="Gardener", slug="gardener-k3")  # a draft

    assert _listed_titles(admin_client, "?q=kotlin") == ["Staff Kotlin Developer"]
    assert _listed_titles(admin_client, "?q=analyst-q7") == ["Data Analyst"]
    assert _listed_titles(admin_client, "?q=Acme+Robotics") == ["Data Analyst"]
    assert _listed_titles(admin_client, "?q=gardener") == ["Gardener"]
    assert _listed_titles(admin_client, "?q=zookeeper") == []
    # Refused by the admin's search form (a message), never a 500.
    assert len(_listed_titles(admin_client, "?q=%00kotlin")) == 3


def test_the_company_filter_lists_the_chosen_company_alone(admin_client, live_posting):
    other = factories.LivePostingFactory(company=factories.CompanyFactory(name="Initech"))
    changelist = reverse("admin:postings_posting_changelist")

    page = admin_client.get(changelist).content.decode()
    assert "Initech" in page  # its posting's row
    assert "company__id__exact" not in page  # no list of every company

    page = admin_client.get(f"{changelist}?company__id__exact={other.company_id}")
    assert [p.title for p in page.context["cl"].result_list] == [other.title]
    assert f"?company__id__exact={other.company_id}" in page.content.decode()
    assert f"?company__id__exact={live_posting.company_id}" not in page.content.decode()


def test_the_skill_filter_lists_each_posting_of_the_skill_once(admin_client, skill):
    kotlin = factories.SkillFactory(name="Kotlin")
    factories.LivePostingFactory(title="Android Developer", skills=[skill, kotlin])
    factories.LivePostingFactory(title="Gardener")
    changelist = reverse("admin:postings_posting_changelist")

    page = admin_client.get(changelist).content.decode()
    assert f"?skills__id__exact={kotlin.pk}" in page
    assert _listed_titles(admin_client, f"?skills__id__exact={kotlin.pk}") == ["Android Developer"]
    assert _listed_titles(admin_client, f"?skills__id__exact={skill.pk}") == ["Android Developer"]
    for unknown in ["abc", "99999999999999999999"]:
        assert _listed_titles(admin_client, f"?skills__id__exact={unknown}") == []


def test_the_list_sorts_by_publication_only_a_sort_typed_for_another_column_too(admin_client):
    # Created in the other order: the list is not in the order of ids either.
    factories.LivePostingFactory(title="Zookeeper", published_at=timezone.now())
    factories.LivePostingFactory(
        title="Astronomer", published_at=timezone.now() - timedelta(days=3)
    )

    assert _listed_titles(admin_client) == ["Zookeeper", "Astronomer"]
    assert _listed_titles(admin_client, "?o=1") == ["Zookeeper", "Astronomer"]  # title
    assert _listed_titles(admin_client, "?o=5") == ["Astronomer", "Zookeeper"]  # published
    assert _listed_titles(admin_client, "?o=1.-5") == ["Zookeeper", "Astronomer"]
    assert _listed_titles(admin_client, "?o=-x.99") == ["Zookeeper", "Astronomer"]


def test_the_list_never_states_its_cap_as_the_number_of_postings(admin_client, monkeypatch):
    # The paginator counts up to the pages it shows (2 × 2 here); past that the total is
    # an estimate (or "4+" where there is none). The search bar's count, the pagination
    # and "Select all" all give it that way, never as "4 results".
    from postings.admin import PostingAdmin

    monkeypatch.setattr(PostingAdmin, "max_pages", 2)
    monkeypatch.setattr(PostingAdmin, "list_per_page", 2)
    factories.LivePostingFactory.create_batch(7)

    html = admin_client.get(
        reverse("admin:postings_posting_changelist") + "?status__exact=published"
    ).content
    html = html.decode()

    counted = re.search(r'<span class="small quiet">([^<]*) result', html).group(1)
    paginator = re.search(r'<p class="paginator">(.*?)</p>', html, re.S).group(1)
    assert counted == "4+" or counted.startswith("about ")  # PostgreSQL's estimate
    assert f"{counted} postings" in " ".join(paginator.split())
    assert "4 results" not in html
