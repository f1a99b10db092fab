"""The task results in the admin ("Background tasks"): what ran, what failed and why, and
"Run again" for failed ones. The database backend's own admin, with the error shown in the
list and the action added; task rows are never edited by hand."""

from django.contrib import admin, messages
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from jobboard.tasks import TaskResultStatus

from . import worker

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("task_name", "status", "error", "enqueued_at", "started_at", "finished_at")
    list_filter = ("status", "queue_name")
    search_fields = ("task_path", "exception_class_path")
    actions = ["run_again"]

    def changelist_view(self, request, extra_context=None):
        # Tasks whose worker died show as failed as soon as they pass the limit.
        worker.fail_stuck_tasks()
        return super().changelist_view(request, extra_context)

    def has_change_permission(self, request, obj=None):
        # The list's action needs the change permission; a task's own page stays read-only.
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)

    @admin.display(description="error")
    def error(self, result: DBTaskResult) -> str:
        return worker.error_line(result) if result.status == TaskResultStatus.FAILED else ""

    @admin.action(description="Run the selected failed tasks again", permissions=["change"])
    def run_again(self, request, queryset):
        selected = queryset.count()
        count = worker.run_again(queryset)
        self.message_user(
            request,
            f"{count} failed task{'s' if count != 1 else ''} put back in the queue."
            + (
                " Only failed tasks run again: the others are as they were."
                if count < selected
                else ""
            ),
            messages.SUCCESS if count == selected else messages.WARNING,
        )
