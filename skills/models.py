from django.db import models
from django.urls import reverse
from django.utils import timezone

from jobboard.cache import cached
from jobboard.markdown import render_markdown

WORDS_READ_PER_MINUTE = 230


class SkillQuerySet(models.QuerySet):
    def with_published_guide(self):
        return self.filter(guide__in=SkillGuide.objects.published()).select_related("guide")


def known_skills() -> dict[str, tuple[int, str]]:
    """Every skill's (id, name) by its slug, A to Z by name (as the database sorts them);
    cached for all visitors until the next edit (jobboard.cache). The listing's skill
    filter checks ticked slugs against it; posting cards name their skills from it."""
    return cached("known-skills", _read_known_skills)


def _read_known_skills() -> dict[str, tuple[int, str]]:
    skills = Skill.objects.order_by("name").values_list("slug", "pk", "name")
    return {slug: (pk, name) for slug, pk, name in skills}


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
