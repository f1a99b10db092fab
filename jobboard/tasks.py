"""The task framework, imported from here and nowhere else.

Django 6 ships it as `django.tasks`; on Django 5.2 it is the `django-tasks` backport.
Moving to Django 6 is this import (`from django.tasks import …`), and dropping the
backport from requirements.txt: the database backend (`django_tasks_db`) and its worker,
`manage.py db_worker`, stay as they are.
"""

from django_tasks import TaskContext, TaskResultStatus, default_task_backend, task

__all__ = ["TaskContext", "TaskResultStatus", "default_task_backend", "task"]
