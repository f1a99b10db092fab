from django.views.generic import DetailView, ListView

from .models import Skill


class SkillListView(ListView):
    queryset = Skill.objects.filter(guide__isnull=False).select_related("guide")
    template_name = "skills/skill_list.html"


class SkillDetailView(DetailView):
    queryset = Skill.objects.select_related("guide")
    template_name = "skills/skill_detail.html"
