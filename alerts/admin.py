from contextvars import ContextVar

from django.contrib import admin, messages
from django.utils.translation import ngettext

from jobboard.admin_widgets import AccessibleAdminMixin

from .models import Alert
from .search import describe


@admin.register(Alert)
class AlertAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    """Staff see what each alert follows and what it sent; a reader's data-subject request
    is the action that deletes every alert of their addresses."""

    list_display = [
        "email",
        "search_in_words",
        "frequency",
        "confirmed",
        "paused",
        "last_sent_at",
        "sent_count",
    ]
    list_filter = [
        "frequency",
        "paused",
        ("confirmed_at", admin.EmptyFieldListFilter),
        # Alerts whose search stopped validating (alerts.digests): staff restore the skill
        # or company, or delete them.
        ("search_broken_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["delete_all_of_these_addresses"]
    # The searches described on the page being drawn (one request: a context variable).
    _described = ContextVar("alert_admin_described", default=None)
    # What the reader chose is theirs to change through the manage link; staff may pause.
    readonly_fields = [
        "email",
        "search",
        "search_in_words",
        "created_at",
        "confirmed_at",
        "sent_through",
        "last_sent_at",
        "sent_count",
        "search_broken_at",
    ]
    fields = ["email", "search_in_words", "search", "frequency", "paused", *readonly_fields[3:]]

    @admin.display(description="Search")
    def search_in_words(self, alert):
        # Many alerts share a search: each distinct one is read once per page.
        described = self._described.get()
        if described is None:  # not on the list: the change form
            return describe(alert.search)
        if alert.search not in described:
            described[alert.search] = describe(alert.search)
        return described[alert.search]

    def changelist_view(self, request, extra_context=None):
        token = self._described.set({})
        try:
            response = super().changelist_view(request, extra_context)
            # A TemplateResponse renders later, after this returns: render it here.
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            self._described.reset(token)

    @admin.display(description="Confirmed", boolean=True, ordering="confirmed_at")
    def confirmed(self, alert):
        return alert.is_confirmed

    def has_add_permission(self, request):
        return False  # an alert starts with its reader's confirmation, never with staff

    @admin.action(
        description="Delete all alerts of these addresses (data-subject request)",
        permissions=["delete"],
    )
    def delete_all_of_these_addresses(self, request, queryset):
        addresses = set(queryset.values_list("email", flat=True))
        deleted, _ = Alert.objects.filter(email__in=addresses).delete()
        alerts = ngettext("%d alert", "%d alerts", deleted) % deleted
        of = ngettext("%d address", "%d addresses", len(addresses)) % len(addresses)
        self.message_user(request, f"Deleted {alerts} of {of}.", messages.SUCCESS)
