"""The listing's filter inputs, built in Python.

Rendering a form's choices through `{% for choice in form.skill %}` costs about 50 µs per
choice (a subwidget, its context and a template each); the listing has over a hundred
skills and renders on every request. These tags write the same HTML in one pass.
"""

import re
from functools import lru_cache
from html import escape  # Django's own adds a lazy-string check to each of hundreds of calls

from django import template
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

from jobboard.cache import cached
from postings import salaries

register = template.Library()


@register.simple_tag(takes_context=True)
def listing_filter_form(context):
    """includes/filter_form.html, for the listing's context.

    Without any filter's value (the listing's first and other pages, most requests) the
    form is the same for every visitor until the content changes: its options come from
    the cached form choices (postings.filters.FormChoices) and its help from the rates'
    date among them. It is rendered once per content generation, like those choices. Any
    value (even an invalid one, which shows an error) renders it for the request."""
    form_html = context.template.engine.get_template("includes/filter_form.html")
    filterset = context["filter"]
    data = filterset.data
    if any(value for name in filterset.form.fields for value in data.getlist(name)):
        return form_html.render(context)
    # Its links start with the script prefix; its labels name the reference currency.
    key = f"listing-filter-form:{get_script_prefix()}:{salaries.reference_currency()}"
    return cached(key, lambda: form_html.render(context))


def _selected(field) -> set[str]:
    value = field.value()
    if value is None:
        return set()
    values = value if isinstance(value, list | tuple) else [value]
    return {str(v) for v in values}


def _choices(field, choices):
    if choices is None:
        choices = field.field.choices
    for value, label in choices:
        yield str(getattr(value, "value", value)), label


@register.simple_tag
def checkbox_items(field, choices=None, start=0):
    """The <li> of each choice of a multiple-choice field: a checkbox and its label.

    `choices` ((value, label) pairs) replaces the field's own, e.g. from a cached list;
    `start` numbers the ids on from an earlier list of the same field's choices."""
    selected = _selected(field)
    name, auto_id = escape(field.html_name), escape(str(field.auto_id))
    items = []
    for index, (value, label) in enumerate(_choices(field, choices), start=start):
        checked = " checked" if value in selected else ""
        input_id = f"{auto_id}_{index}"
        items.append(
            f'<li><input type="checkbox" name="{name}" value="{escape(value)}" id="{input_id}"'
            f'{checked}> <label for="{input_id}">{escape(str(label))}</label></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 (every value escaped above)


def _options(choices, selected: set[str]) -> str:
    return "".join(
        f'<option value="{escape(value)}"{" selected" if value in selected else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in choices
    )


@lru_cache(maxsize=16)
def _static_options(choices_function) -> str:
    """The options of choices from code (filters.StaticChoiceField), none selected."""
    return _options(_choices(None, choices_function()), set())


@register.simple_tag
def option_items(field, choices=None):
    """The <option> of each choice of a single-choice field, the chosen one selected."""
    selected = _selected(field)
    function = getattr(field.field, "static_choices", None)
    if choices is None and function is not None:
        html = _static_options(function)
        for value in selected:
            option = f'<option value="{escape(value)}">'
            html = html.replace(option, f"{option[:-1]} selected>", 1)
        return mark_safe(html)  # noqa: S308 (rendered by _options, which escapes)
    return mark_safe(_options(_choices(field, choices), selected))  # noqa: S308 (escaped)


# HTML's "valid floating-point number", the only values an <input type="number"> may hold.
_HTML_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


@register.filter
def number_value(value) -> str:
    """The `value` of an <input type="number">: a number, or "" for anything else.

    A URL can hold `salary_min=lots`; echoed back, that is invalid HTML, and browsers
    show such a value as empty anyway. The field's error message says what was wrong."""
    text = "" if value is None else str(value)
    return text if _HTML_NUMBER.fullmatch(text) else ""
