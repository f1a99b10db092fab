import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from postings.models import Posting
from tests import factories

pytestmark = pytest.mark.django_db


def test_database_rejects_salary_min_above_max():
    posting = factories.PostingFactory()
    Posting.objects.filter(id=posting.id).update(salary_min=50000, salary_max=60000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(id=posting.id).update(salary_min=90000, salary_max=60000)


def test_validation_rejects_salary_min_above_max_with_a_field_error():
    posting = factories.PostingFactory.build(
        company=factories.CompanyFactory(), salary_min=90000, salary_max=60000
    )
    with pytest.raises(ValidationError) as error:
        posting.full_clean()
    assert "salary_max" in error.value.message_dict


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "archived"),
        ("remote_policy", "moon"),
        ("employment_type", "forever"),
        ("seniority", "wizard"),
        ("salary_period", "shift"),
    ],
)
def test_database_rejects_unknown_choices(field, value):
    posting = factories.PostingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(id=posting.id).update(**{field: value})


def test_salary_needs_a_currency():
    posting = factories.PostingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(id=posting.id).update(salary_currency="")


def test_a_posting_may_leave_unsaid_how_to_apply_and_its_workplace_type_and_seniority():
    posting = factories.PostingFactory.build(
        company=factories.CompanyFactory(),
        apply_url="",
        apply_email="",
        description="",
        remote_policy="",
        employment_type="",
        seniority="",
    )
    posting.full_clean()
    posting.save()
    assert posting.apply_href == "" and posting.description_html == ""


def test_slugs_are_unique():
    factories.PostingFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.PostingFactory(slug="same")


def test_deleting_a_company_with_postings_is_refused():
    posting = factories.PostingFactory()
    with pytest.raises(ProtectedError):
        posting.company.delete()
    assert Posting.objects.filter(id=posting.id).exists()


def test_public_models_have_str_and_urls(live_posting):
    guide = factories.SkillGuideFactory(skill=live_posting.skills.get())
    assert str(live_posting) == f"{live_posting.title} at {live_posting.company.name}"
    assert live_posting.get_absolute_url() == f"/jobs/{live_posting.slug}/"
    assert live_posting.company.get_absolute_url() == f"/companies/{live_posting.company.slug}/"
    assert guide.get_absolute_url() == f"/skills/{guide.skill.slug}/"
    assert str(guide.skill) == "Backend development"


def test_guide_renders_markdown_with_a_table_of_contents():
    guide = factories.SkillGuideFactory(body="## What it is\n\nText with <script>x</script>.")
    assert '<h2 id="what-it-is">What it is</h2>' in guide.body_html
    assert "<script>" not in guide.body_html
    assert guide.toc == [{"id": "what-it-is", "text": "What it is", "level": 2}]


@pytest.mark.parametrize(
    "salary_min, salary_max, expected",
    [
        (90000, 120000, "EUR 90k–120k per year"),
        (90000, None, "EUR from 90k per year"),
        (None, 120000, "EUR up to 120k per year"),
        (None, None, ""),
    ],
)
def test_salary_display(salary_min, salary_max, expected):
    posting = factories.PostingFactory.build(salary_min=salary_min, salary_max=salary_max)
    assert posting.salary_display == expected


@pytest.mark.parametrize(
    "field", ["remote_policy", "employment_type", "seniority", "salary_period", "status"]
)
def test_label_of_says_what_get_display_says_for_every_choice(field):
    posting = Posting()
    for value in [*(value for value, _ in Posting._meta.get_field(field).choices), "", "bogus"]:
        setattr(posting, field, value)
        assert posting.label_of(field) == getattr(posting, f"get_{field}_display")()


@pytest.mark.parametrize("prefix", ["/", "/board/"])
@pytest.mark.parametrize("slug", ["acme-backend-engineer-12", "a_b-9", "x"])
def test_detail_url_maker_gives_get_absolute_url(prefix, slug):
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        assert Posting.detail_url_maker()(slug) == Posting(slug=slug).get_absolute_url()
        assert Posting.detail_url_maker()(slug).startswith(prefix)
    finally:
        set_script_prefix(before)
