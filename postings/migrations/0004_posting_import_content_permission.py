"""The `postings.import_content` permission (the admin's "Import content" page), given to
the "Content editors" group: importing is how editors load a batch of openings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Content editors"
CODENAME = "import_content"


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure this one exists.
    app_config = apps.get_app_config("postings")
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="postings", codename=CODENAME)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="postings", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("postings", "0003_posting_search_vector"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="posting",
            options={
                "get_latest_by": "published_at",
                "ordering": ["-published_at", "-id"],
                "permissions": [("import_content", "Can import content from a file")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
