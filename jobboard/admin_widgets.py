"""What the admins of every app share so that a screen reader can use them."""

from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.text import capfirst


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each named for a screen reader ("Published at:
    date"). The field's <label> can point at one input only, so Django gives it none
    (`MultiWidget.id_for_label` is empty), and the "Date:"/"Time:" beside them are text."""

    def __init__(self, label, attrs=None):
        super().__init__(attrs)
        date, time = self.widgets
        date.attrs["aria-label"] = f"{label}: date"
        time.attrs["aria-label"] = f"{label}: time"


class AccessibleAdminMixin:
    """For a ModelAdmin or an inline: labelled date/time inputs, plus static/js/admin.js
    (names for the autocomplete widgets) and static/css/admin.css (contrast)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            formfield.widget = LabelledSplitDateTime(capfirst(formfield.label))
        return formfield

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin.js"]
