"""Create the "Content editors" group: staff who write guides and manage companies and
postings, and nothing else (no users, groups or permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Content editors"
EDITED_MODELS = {
    "skills": ["skill", "skillguide"],
    "companies": ["company"],
    "postings": ["posting"],
}
ACTIONS = ["add", "change", "delete", "view"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist.
    for app_label in EDITED_MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the migration state's stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [
        f"{action}_{model}" for models in EDITED_MODELS.values() for model in models
        for action in ACTIONS
    ]  # fmt: skip
    permissions = Permission.objects.filter(
        content_type__app_label__in=EDITED_MODELS, codename__in=codenames
    )
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("postings", "0001_initial"),
        ("skills", "0001_initial"),
        ("companies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
