from django.contrib import admin, messages
from django.utils.translation import ngettext

from .models import Alert
from .search import describe


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
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
    list_filter = ["frequency", "paused", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["delete_all_of_these_addresses"]
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
        return describe(alert.search)

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
        self.message_user(
            request,
            ngettext(
                "Deleted %(alerts)d alert of %(addresses)d address.",
                "Deleted %(alerts)d alerts of %(addresses)d addresses.",
                deleted,
            )
            % {"alerts": deleted, "addresses": len(addresses)},
            messages.SUCCESS,
        )
