"""The listing's filter form, built in Python.

Rendering a form's choices through `{% for choice in form.skill %}` costs about 50 µs per
choice (a subwidget, its context and a template each); the listing has over a hundred
skills and renders on every request. The form's template, with its bound-field lookups
and an include per checkbox group, cost some 2,750 more function calls on each filtered
listing. `{% listing_filter_form %}` writes the same HTML in one pass.
"""

import re
from functools import lru_cache
from html import escape  # Django's own adds a lazy-string check to each of hundreds of calls

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe

from jobboard.cache import cached
from postings import salaries
from postings.filters import PAY_STATED

register = template.Library()


@register.simple_tag(takes_context=True)
def listing_filter_form(context):
    """The listing's filter form (postings.filters.PostingFilter), on GET.

    Checkbox groups match any of their ticked values; different filters combine. Works
    without JavaScript. The keywords come first and stay in view on a phone; the other
    filters are a disclosure there (always open on wide screens).

    Without any filter's value (the listing's first and other pages, most requests) the
    form is the same for every visitor until the content changes: its options come from
    the cached form choices (postings.filters.FormChoices) and its help from the rates'
    date among them. It is rendered once per content generation, like those choices. Any
    value (even an invalid one, which shows an error) renders it for the request: in one
    Python pass, as the cards are, since through templates the bound fields' lookups,
    includes and tags cost about 6,500 function calls per filtered listing."""
    filterset = context["filter"]
    data = filterset.data
    if any(value for name in filterset.form.fields for value in data.getlist(name)):
        return _filter_form(context)
    # Its links start with the script prefix; its labels name the reference currency.
    key = f"listing-filter-form:{get_script_prefix()}:{salaries.reference_currency()}"
    return cached(key, lambda: _filter_form(context))


def _selected(field) -> set[str]:
    value = field.value()
    if value is None:
        return set()
    values = value if isinstance(value, list | tuple) else [value]
    return {str(v) for v in values}


# The choices' values and labels (skills, companies, workplaces…) and the fields' names,
# ids and labels are the same few hundred strings on every request: escaped once each.
# html.escape is five str.replace calls, and a filtered listing escapes some 450 of
# them (2,200 of its function calls). Bounded, and never given a visitor's text (values
# typed and error messages, which may quote them, are escaped as they come).
_escape_known = lru_cache(maxsize=4096)(escape)


def _choices(field, choices):
    """(value, label) pairs: `choices`, the listing's cached strings, as they are, or the
    field's own, whose values may be model choices (ModelChoiceIteratorValue)."""
    if choices is not None:
        return choices
    return [(str(getattr(value, "value", value)), label) for value, label in field.field.choices]


def checkbox_items(field, choices=None, start=0):
    """The <li> of each choice of a multiple-choice field: a checkbox and its label.

    `choices` ((value, label) pairs) replaces the field's own, e.g. from a cached list;
    `start` numbers the ids on from an earlier list of the same field's choices."""
    selected = _selected(field)
    name, auto_id = _escape_known(field.html_name), _escape_known(str(field.auto_id))
    items = []
    for index, (value, label) in enumerate(_choices(field, choices), start=start):
        checked = " checked" if value in selected else ""
        input_id = f"{auto_id}_{index}"
        items.append(
            f'<li><input type="checkbox" name="{name}" value="{_escape_known(value)}"'
            f' id="{input_id}"'
            f'{checked}> <label for="{input_id}">{_escape_known(str(label))}</label></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 (every value escaped above)


def _options(choices, selected: set[str]) -> str:
    return "".join(
        f'<option value="{_escape_known(value)}"{" selected" if value in selected else ""}>'
        f"{_escape_known(str(label))}</option>"
        for value, label in choices
    )


@lru_cache(maxsize=16)
def _static_options(choices_function) -> str:
    """The options of choices from code (filters.StaticChoiceField), none selected."""
    return _options(_choices(None, choices_function()), set())


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


def number_value(value) -> str:
    """The `value` of an <input type="number">: a number, or "" for anything else.

    A URL can hold `salary_min=lots`; echoed back, that is invalid HTML, and browsers
    show such a value as empty anyway. The field's error message says what was wrong."""
    text = "" if value is None else str(value)
    return text if _HTML_NUMBER.fullmatch(text) else ""


class _Field:
    """What the form's HTML shows of one bound field, each text escaped."""

    def __init__(self, form, name):
        self.bound = bound = form[name]
        self.name = _escape_known(bound.html_name)
        self.id = _escape_known(str(bound.auto_id))
        self.label = _escape_known(str(bound.label))
        errors = bound.errors
        self.error = escape(str(errors[0])) if errors else ""

    def error_paragraph(self, error_id) -> str:
        if not self.error:
            return ""
        return f'<p class="field__error" id="{error_id}">{self.error}</p>'

    def invalid(self, error_id) -> str:
        """The attributes of an input whose value is wrong."""
        if not self.error:
            return ""
        return f' aria-invalid="true" aria-describedby="{error_id}"'


def _text_value(bound) -> str:
    value = bound.value()
    return escape(str(value)) if value else ""


def _select(field: _Field, options: str) -> str:
    error_id = f"{field.name}-error"
    return (
        f'  <div class="field">\n'
        f'    <label for="{field.id}">{field.label}</label>\n'
        f'    <select name="{field.name}" id="{field.id}"{field.invalid(error_id)}>\n'
        f"      {options}\n"
        f"    </select>\n"
        f"    {field.error_paragraph(error_id)}\n"
        f"  </div>\n"
    )


def _checks(field: _Field) -> str:
    error_id = f"{field.name}-error"
    described = f' aria-describedby="{error_id}"' if field.error else ""
    return (
        f'  \n<fieldset class="field checks"{described}>\n'
        f'  <legend>{field.label} <span class="field__hint">match any</span></legend>\n'
        f"  {field.error_paragraph(error_id)}\n"
        f'  <ul class="checks__list">\n'
        f"    {checkbox_items(field.bound)}\n"
        f"  </ul>\n"
        f"</fieldset>\n\n"
    )


def _filter_form(context) -> str:
    form, filterset = context["form"], context["filter"]
    jobs_url = _escape_known(reverse("postings:list"))
    fields = {name: _Field(form, name) for name in form.fields}
    q, skill, company, location = (fields[n] for n in ("q", "skill", "company", "location"))
    salary, pay, posted = fields["salary_min"], fields["pay"], fields["posted"]

    active = context.get("active_filters")
    badge = f' <span class="count-badge">{len(active)}</span>' if active else ""
    shown_skills = context["skill_choices"]
    more_skills = context.get("more_skill_choices")
    more = ""
    if more_skills:
        more = (
            f'\n    <details class="checks__more">\n'
            f"      <summary>Show all {context['skill_count']} skills</summary>\n"
            f'      <ul class="checks__list">\n'
            f"        {checkbox_items(skill.bound, more_skills, start=len(shown_skills))}\n"
            f"      </ul>\n"
            f"    </details>\n    "
        )
    skill_described = ' aria-describedby="skill-error"' if skill.error else ""
    salary_error = " salary-error" if salary.error else ""
    salary_invalid = ' aria-invalid="true"' if salary.error else ""
    pay_checked = " checked" if pay.bound.value() == PAY_STATED else ""
    html = (
        f"\n\n"
        f'<form class="filter-form listing__side" id="filters" action="{jobs_url}" method="get">\n'
        f'  <div class="field listing__keywords">\n'
        f'    <label for="{q.id}">{q.label}</label>\n'
        f'    <div class="search-row">\n'
        f'      <input type="search" name="{q.name}" id="{q.id}" value="{_text_value(q.bound)}"'
        f' maxlength="200" placeholder="Title, company, skill…"{q.invalid("q-error")}>\n'
        f'      <button class="button button--small" type="submit">Search</button>\n'
        f"    </div>\n"
        f"    {q.error_paragraph('q-error')}\n"
        f"  </div>\n\n"
        f'  <details class="listing__filters disclosure"{" open" if form.errors else ""}>\n'
        f'  <summary class="disclosure__summary">Filters{badge}</summary>\n'
        f'  <fieldset class="field checks"{skill_described}>\n'
        f'    <legend>{skill.label} <span class="field__hint">match any</span></legend>\n'
        f"    {skill.error_paragraph('skill-error')}\n"
        f'    <ul class="checks__list">\n'
        f"      {checkbox_items(skill.bound, shown_skills)}\n"
        f"    </ul>\n"
        f"    {more}\n"
        f"  </fieldset>\n\n"
        f"{_select(company, option_items(company.bound, context['company_choices']))}\n"
        f'  <div class="field">\n'
        f'    <label for="{location.id}">{location.label}</label>\n'
        f'    <input type="text" name="{location.name}" id="{location.id}"'
        f' value="{_text_value(location.bound)}" maxlength="120" placeholder="City or country"'
        f"{location.invalid('location-error')}>\n"
        f"    {location.error_paragraph('location-error')}\n"
        f"  </div>\n\n"
        f"{_select(fields['country'], option_items(fields['country'].bound))}"
        f"{_select(fields['work_from'], option_items(fields['work_from'].bound))}"
        f"{_select(fields['utc_offset'], option_items(fields['utc_offset'].bound))}\n"
        f"{_checks(fields['remote'])}{_checks(fields['type'])}{_checks(fields['seniority'])}\n"
        f'  <div class="field">\n'
        f'    <label for="{salary.id}">{salary.label}</label>\n'
        f'    <input type="number" name="{salary.name}" id="{salary.id}"'
        f' value="{escape(number_value(salary.bound.value()))}" min="0" step="1000"'
        f' inputmode="numeric" placeholder="e.g. 80000"'
        f' aria-describedby="salary-help{salary_error}"{salary_invalid}>\n'
        f'    <p class="field__help" id="salary-help">{escape(filterset.salary_help())}</p>\n'
        f"    {salary.error_paragraph('salary-error')}\n"
        f"  </div>\n\n"
        f'  <div class="field field--check">\n'
        f'    <input type="checkbox" name="{pay.name}" id="{pay.id}" value="{PAY_STATED}"'
        f"{pay_checked}{pay.invalid('pay-error')}>\n"
        f'    <label for="{pay.id}">{pay.label}</label>\n'
        f"    {pay.error_paragraph('pay-error')}\n"
        f"  </div>\n\n"
        f"{_select(posted, option_items(posted.bound))}\n"
        f'  <div class="filter-form__actions">\n'
        f'    <button class="button" type="submit">Show openings</button>\n'
        f'    <a class="filter-form__clear" href="{jobs_url}">Clear filters</a>\n'
        f"  </div>\n"
        f"  </details>\n"
        f"</form>\n"
    )
    return mark_safe(html)  # noqa: S308 (every value escaped above)
