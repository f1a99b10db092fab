from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from jobboard.cache import cached
from postings import stats

from .models import Skill
from .openings import GuideOpenings


class SkillListView(ListView):
    """The skills with a published guide, then the other skills with open roles."""

    context_object_name = "guided_skills"
    template_name = "skills/skill_list.html"

    def get_queryset(self):
        # Counts over every live posting come precomputed (postings/stats.py).
        return stats.with_open_roles(Skill.objects.with_published_guide())

    def get_context_data(self, **kwargs):
        other_skills = stats.skills_with_open_roles(exclude=self.object_list)
        return super().get_context_data(other_skills=other_skills, **kwargs)


class SkillDetailView(TemplateView):
    """The skill guide page: the article when published, the market snapshot and the
    skill's newest live openings, the first of them right under the lede. A skill
    without a published guide still shows its openings: a posting's skill links must
    never lead to a 404.

    The openings narrow in place (?remote=remote#openings, skills/openings.py); an
    invalid value is ignored with a 400, as on the listing."""

    template_name = "skills/skill_detail.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 400 if context["openings"].errors else 200
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        slug = self.kwargs["slug"]
        skill, snapshot = cached(f"skill-guide:{slug}", lambda: self.skill_and_snapshot(slug))
        return super().get_context_data(
            skill=skill,
            guide=skill.published_guide,
            snapshot=snapshot,
            openings=GuideOpenings(skill, self.request.GET, countries=snapshot.countries),
            **kwargs,
        )

    @staticmethod
    def skill_and_snapshot(slug):
        """The skill with its guide, and its market snapshot: the same for every request
        of the guide until the content changes (three queries of the page's five at a
        million postings). An unknown slug is a 404, and nothing is kept for it."""
        skill = get_object_or_404(Skill.objects.select_related("guide"), slug=slug)
        return skill, stats.skill_snapshot(skill)
