"""What the admins of every app share so that the W3C checker accepts their HTML and a
screen reader can use them: Django's own widgets, corrected where they fall short."""

from django.contrib.admin import widgets
from django.utils.text import capfirst


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


class LabelledSplitDateTime(widgets.AdminSplitDateTime):
    """The admin's date and time inputs, each named for a screen reader ("Published at:
    date"). The field's <label> can point at one input only, so Django gives it none
    (`MultiWidget.id_for_label` is empty), and the "Date:"/"Time:" beside them are text."""

    def __init__(self, label, attrs=None):
        super().__init__(attrs)
        date, time = self.widgets
        date.attrs["aria-label"] = f"{label}: date"
        time.attrs["aria-label"] = f"{label}: time"


class AccessibleAdminMixin:
    """For a ModelAdmin or an inline: valid autocomplete selects, labelled date/time
    inputs, plus static/js/admin.js (names for the autocomplete widgets). The board's
    static/css/admin.css is on every admin page already (templates/admin/base_site.html)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, widgets.AdminSplitDateTime):
            formfield.widget = LabelledSplitDateTime(capfirst(formfield.label))
        return formfield

    class Media:
        js = ["js/admin.js"]
