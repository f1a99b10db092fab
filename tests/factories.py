from datetime import timedelta

import factory
from django.utils import timezone

from companies.models import Company
from postings.models import Posting
from skills.models import Skill, SkillGuide
from tests.worker import run_queued

RENDER_LOGO = "companies.tasks.render_logo"


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")
    description = "A skill job seekers look for."


class SkillGuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillGuide

    skill = factory.SubFactory(SkillFactory)
    title = factory.LazyAttribute(lambda guide: f"Mastering {guide.skill.name.lower()}")
    lede = "Everything you need to know to build a career in this field."
    body = (
        "## What it is\n\nA field of work.\n\n"
        "## Key responsibilities\n\n- **Building** things\n- **Running** them\n\n"
        "### In practice\n\nSee [the docs](https://docs.djangoproject.com/).\n"
    )
    is_published = True
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    website = factory.LazyAttribute(lambda company: f"https://{company.slug}.example")
    description = "We make useful things."
    headquarters = "Amsterdam, Netherlands"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """A company as a worker leaves it, moments after its save: with its logo's sizes
        rendered (companies/tasks.py). Tests of the wait itself create companies
        without this factory."""
        company = super()._create(model_class, *args, **kwargs)
        run_queued(RENDER_LOGO)
        company.refresh_from_db(fields=["logo_variants"])
        return company


class PostingFactory(factory.django.DjangoModelFactory):
    """A draft; use the Live/Future/Expired/Closed factories for the other states."""

    class Meta:
        model = Posting
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Backend Engineer {n}")
    slug = factory.Sequence(lambda n: f"backend-engineer-{n}")
    summary = "Build and run the services behind our product."
    description = "## About the role\n\nYou will build APIs.\n\n- Python\n- PostgreSQL\n"
    location = "Amsterdam, Netherlands"
    country = "NL"
    remote_policy = Posting.RemotePolicy.HYBRID
    employment_type = Posting.EmploymentType.FULL_TIME
    seniority = Posting.Seniority.MID
    salary_min = 60000
    salary_max = 80000
    salary_currency = "EUR"
    apply_url = factory.LazyAttribute(
        lambda p: f"https://{p.company.slug}.example/careers/{p.slug}"
    )
    status = Posting.Status.DRAFT
    published_at = None
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.add(*extracted)


class LivePostingFactory(PostingFactory):
    status = Posting.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class FuturePostingFactory(LivePostingFactory):
    published_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class ExpiredPostingFactory(LivePostingFactory):
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=40))
    expires_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class ClosedPostingFactory(LivePostingFactory):
    status = Posting.Status.CLOSED
