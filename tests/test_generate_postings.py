import pytest
from django.core.management import call_command
from django.db import connection

from companies.models import Company
from postings.models import Posting
from skills.models import Skill

pytestmark = pytest.mark.django_db


def generate(count, **options):
    call_command("generate_postings", count=count, batch=40, seed=7, verbosity=0, **options)


def test_it_creates_realistic_postings_with_companies_and_skills_in_proportion():
    generate(100)

    postings = Posting.objects.all()
    assert postings.count() == 100
    assert Company.objects.count() == 4  # one company per 25 postings
    assert Skill.objects.count() > 100
    links = Posting.skills.through.objects
    assert 100 <= links.count() <= 500
    assert not postings.filter(skills=None).exists()
    assert 60 <= Posting.objects.live().count() <= 100
    assert {p.status for p in postings} <= set(Posting.Status.values)
    assert all(p.description_html.startswith("<h2") for p in postings)
    assert all(p.apply_url or p.apply_email for p in postings)
    assert postings.filter(salary_min__isnull=False).exclude(salary_currency="").exists()


def test_running_it_again_adds_postings_with_unique_slugs():
    generate(50)
    generate(50)

    slugs = list(Posting.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 100
    assert all(slug.endswith(f"-{pk}") for pk, slug in Posting.objects.values_list("pk", "slug"))


def test_existing_skills_are_reused_by_name():
    python = Skill.objects.create(name="Python", slug="python-language")

    generate(40)

    assert Skill.objects.filter(name="Python").get() == python
    assert python.postings.exists()


def test_generated_postings_are_found_by_search():
    generate(40)
    posting = Posting.objects.live().first()

    assert posting in Posting.objects.live().search(posting.title)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_bulk_written_search_vectors_equal_what_the_triggers_compute():
    generate(80)

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM postings_posting p
             WHERE p.search_vector IS DISTINCT FROM posting_search_document(
                   p.title, p.summary, p.description,
                   (SELECT name FROM companies_company c WHERE c.id = p.company_id),
                   (SELECT string_agg(s.name, ' ' ORDER BY s.name)
                      FROM postings_posting_skills ps JOIN skills_skill s ON s.id = ps.skill_id
                     WHERE ps.posting_id = p.id))
            """
        )
        assert cursor.fetchone() == (0,)
    # …and the triggers are back in charge for later writes in the same transaction.
    posting = Posting.objects.first()
    posting.title = "Cartographer"
    posting.save()
    assert list(Posting.objects.search("cartographer")) == [posting]
