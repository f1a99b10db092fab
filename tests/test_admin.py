import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from companies.models import Company
from postings.models import Posting
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
