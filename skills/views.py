from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from postings import stats
from postings.models import Posting

from .models import Skill

OPENINGS_ON_SKILL_PAGE = 20


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
    skill's newest live openings. A skill without a published guide still shows its
    openings: a posting's skill links must never lead to a 404."""

    template_name = "skills/skill_detail.html"

    def get_context_data(self, **kwargs):
        skill = get_object_or_404(Skill.objects.select_related("guide"), slug=self.kwargs["slug"])
        return super().get_context_data(
            skill=skill,
            guide=skill.published_guide,
            snapshot=stats.skill_snapshot(skill),
            postings=Posting.objects.live().for_skill(skill).for_cards()[:OPENINGS_ON_SKILL_PAGE],
            **kwargs,
        )
