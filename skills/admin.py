from django.contrib import admin

from jobboard.admin_widgets import AccessibleAdminMixin

from .models import Skill, SkillGuide


class SkillGuideInline(AccessibleAdminMixin, admin.StackedInline):
    model = SkillGuide
    extra = 0
    fields = ["title", "lede", "is_published", "published_at"]
    show_change_link = True


@admin.register(Skill)
class SkillAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "has_guide", "updated_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillGuideInline]
    list_select_related = ["guide"]

    @admin.display(boolean=True, description="Guide")
    def has_guide(self, skill):
        return hasattr(skill, "guide")


@admin.register(SkillGuide)
class SkillGuideAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    list_display = ["title", "skill", "is_published", "published_at", "updated_at", "word_count"]
    list_filter = ["is_published"]
    search_fields = ["title", "skill__name", "lede"]
    autocomplete_fields = ["skill"]
    date_hierarchy = "published_at"
    list_select_related = ["skill"]
    readonly_fields = ["updated_at", "word_count"]
    fieldsets = [
        (None, {"fields": ["skill", "title", "lede"]}),
        ("Article", {"fields": ["body"], "description": "Markdown, with ## and ### headings."}),
        ("Publishing", {"fields": ["is_published", "published_at", "meta_description"]}),
        ("Details", {"fields": ["word_count", "updated_at"], "classes": ["collapse"]}),
    ]
