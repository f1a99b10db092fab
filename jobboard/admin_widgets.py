"""Admin widgets whose Django originals render invalid HTML, corrected."""

from django.contrib.admin import widgets


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's, with its empty first <option> on a required field too.

    Django leaves that option out when a value is required, so the <select> has
    `required` and a real first option, which HTML forbids (the W3C checker reports it on
    every change form with a required autocomplete). The option needs a text too (an empty
    one is also invalid); Select2 shows its own placeholder for it, not that text. The form
    still refuses an empty value."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        if self.is_required:
            label = self.choices.field.empty_label or "---------"
            groups[0][1].insert(0, self.create_option(name, "", label, False, 0))
        return groups


class AutocompleteAdminMixin:
    """A ModelAdmin whose `autocomplete_fields` use the AutocompleteSelect above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
