from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from companies.models import Company
from jobboard.markdown import render_markdown
from postings.models import Posting

WORDS_READ_PER_MINUTE = 230


class SkillQuerySet(models.QuerySet):
    def with_open_roles(self):
        """Annotate `open_roles`: how many live postings carry the skill, in the same query."""
        return self.annotate(
            open_roles=Count("postings", filter=Q(postings__in=Posting.objects.live()))
        )

    def with_published_guide(self):
        return self.filter(guide__in=SkillGuide.objects.published()).select_related("guide")


@dataclass(frozen=True)
class SalaryRange:
    currency: str
    period: str  # a Posting.SalaryPeriod value
    low: int
    high: int
    roles: int

    @property
    def period_display(self) -> str:
        return Posting.SalaryPeriod(self.period).label


@dataclass(frozen=True)
class MarketSnapshot:
    """What the live postings of one skill say about its job market."""

    open_roles: int = 0
    remote_roles: int = 0
    salary_ranges: list[SalaryRange] = field(default_factory=list)
    top_companies: list[Company] = field(default_factory=list)  # annotated `open_roles`
    related_skills: list["Skill"] = field(default_factory=list)  # annotated `shared_roles`

    @property
    def remote_percent(self) -> int:
        return round(100 * self.remote_roles / self.open_roles) if self.open_roles else 0


class Skill(models.Model):
    """A tag on postings ("Backend development", "Python"); some have a guide."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(
        max_length=300, blank=True, help_text="One sentence shown in skill lists."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SkillQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("skills:detail", kwargs={"slug": self.slug})

    def get_postings_url(self) -> str:
        return f"{reverse('postings:list')}?skill={self.slug}"

    def live_postings(self):
        return Posting.objects.live().with_any_skill([self])

    def market_snapshot(self, *, companies: int = 5, related: int = 6) -> MarketSnapshot:
        """The skill's market from its live postings, in four queries whatever their number."""
        live = self.live_postings()
        totals = live.aggregate(
            open_roles=Count("pk"),
            remote_roles=Count("pk", filter=Q(remote_policy=Posting.RemotePolicy.REMOTE)),
        )
        # Amounts in different currencies or periods cannot be compared: one range each.
        salary_rows = (
            live.exclude(salary_currency="")
            .values("salary_currency", "salary_period")
            .annotate(
                low=Min(Coalesce("salary_min", "salary_max")),
                high=Max(Coalesce("salary_max", "salary_min")),
                roles=Count("pk"),
            )
            .order_by("-roles", "salary_currency", "salary_period")
        )
        top_companies = (
            Company.objects.filter(postings__in=live)
            .annotate(open_roles=Count("postings"))
            .order_by("-open_roles", "name")[:companies]
        )
        related_skills = (
            Skill.objects.filter(postings__in=live)
            .exclude(pk=self.pk)
            .annotate(shared_roles=Count("postings"))
            .order_by("-shared_roles", "name")[:related]
        )
        return MarketSnapshot(
            **totals,
            salary_ranges=[
                SalaryRange(
                    currency=row["salary_currency"],
                    period=row["salary_period"],
                    low=row["low"],
                    high=row["high"],
                    roles=row["roles"],
                )
                for row in salary_rows
            ],
            top_companies=list(top_companies),
            related_skills=list(related_skills),
        )

    @property
    def published_guide(self):
        """The guide when it is published, else None; free when selected with the skill."""
        guide = getattr(self, "guide", None)
        return guide if guide is not None and guide.is_live else None


class SkillGuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, published_at__lte=timezone.now())


class SkillGuide(models.Model):
    """The long article about one skill, shown above that skill's openings.

    A guide covers exactly one skill (one-to-one): the guide page is the skill's page,
    its openings and market snapshot are that skill's postings, and its URL is the
    skill's slug. An article spanning several fields would have no single set of
    openings to show under it.
    """

    skill = models.OneToOneField(Skill, on_delete=models.CASCADE, related_name="guide")
    title = models.CharField(max_length=160, help_text='e.g. "Mastering backend development"')
    lede = models.TextField(max_length=600, help_text="The opening paragraph, set in larger type.")
    body = models.TextField(
        help_text="Markdown. Use ## and ### headings: they build the table of contents."
    )
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    word_count = models.PositiveIntegerField(editable=False, default=0)
    meta_description = models.CharField(
        max_length=160, blank=True, help_text="For search engines; the lede is used when empty."
    )
    is_published = models.BooleanField(
        default=False, help_text="Visible to job seekers once published and the date has come."
    )
    published_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SkillGuideQuerySet.as_manager()

    class Meta:
        ordering = ["skill__name"]
        get_latest_by = "published_at"
        indexes = [
            models.Index(fields=["is_published", "published_at"], name="guide_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        rendered = render_markdown(self.body)
        self.body_html, self.toc, self.word_count = rendered.html, rendered.toc, rendered.word_count
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.skill.get_absolute_url()

    @property
    def is_live(self) -> bool:
        return self.is_published and self.published_at <= timezone.now()

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_READ_PER_MINUTE))

    @property
    def description_for_meta(self) -> str:
        return self.meta_description or self.lede[:160]
