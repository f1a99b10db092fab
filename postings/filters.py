"""The job listing's filters, read from GET parameters so every view has a shareable URL.

Different filters combine with AND; several values of one filter (skills, remote policy,
employment type, seniority) match ANY of them (OR): "Python or Go, remote or hybrid".
"""

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property, lazy
from django_filters.filters import FilterMethod

from companies.models import Company
from jobboard.cache import cached
from jobboard.pagination import Listing
from skills.models import Skill, known_skills

from . import exchange_rates, facets, locations, salaries, stats
from .models import NEWEST_FIRST, Posting, closing_soonest_first, highest_salary_first, top_salary

POSTED_WITHIN = {
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
}


# The filters whose values posting_filters_idx holds (postings migration 0016).
INDEXED_FILTERS = (
    *("skill", "remote", "seniority", "type", "country", "work_from"),
    # As keys of their ranges (PostingQuerySet.keyed_for_filters_index).
    *("salary_min", "utc_offset"),
)

# Keyword searches rank this many of the newest matches (five pages); sorting by newest
# reaches the others.
RANK_WINDOW = 100


class Sort:
    NEWEST = "newest"
    SALARY = "salary"
    RELEVANCE = "relevance"
    CLOSING = "closing"
    CHOICES = [
        (NEWEST, "Newest first"),
        (SALARY, "Highest salary"),
        (CLOSING, "Closing soon"),
        (RELEVANCE, "Best match"),
    ]


@dataclass(frozen=True)
class ActiveFilter:
    """One applied filter value, shown as a chip that links to the listing without it."""

    label: str
    remove_query: str
    # True for the second and later values of one filter: they combine with OR.
    or_previous: bool = False


class SalaryField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=100_000_000, **kwargs)


class SalaryFilter(filters.NumberFilter):
    field_class = SalaryField


PAY_STATED = "stated"


class StaticChoiceField(filters.fields.ChoiceField):
    """A <select> of choices that come from code alone (ISO codes, CLDR's names, UTC
    offsets), the same for the life of the process: a function computes them once, its
    <option> list is rendered once (`option_items` in postings/templatetags/
    filter_widgets.py reads `static_choices`), and a value is checked against a set. A
    country <select> holds some 250 options and the listing shows two: building and
    checking them per request cost a fifth of the page's time."""

    def __init__(self, *, choices, **kwargs):
        self.static_choices = choices  # a module's function: what the caches below key on
        super().__init__(choices=choices, **kwargs)

    def valid_value(self, value):
        return str(value) in _values(self.static_choices)


@cache
def _values(choices_function) -> frozenset[str]:
    return frozenset(value for value, _ in choices_function())


class StaticChoiceFilter(filters.ChoiceFilter):
    field_class = StaticChoiceField


@cache
def country_choices():
    return (("", "Any country"), *locations.country_choices())


@cache
def utc_offset_choices():
    offsets = locations.OFFSET_CHOICES
    return (("", "Any"), *((str(minutes), locations.format_offset(minutes)) for minutes in offsets))


# The busiest hirers offered in the company <select>; any other company is reachable from
# its own page ("Filter these openings").
COMPANY_CHOICES = 30


@dataclass(frozen=True)
class FormChoices:
    """What the listing's form shows that is the same for every visitor: the skills, the
    busiest hirers, and the date of the exchange rates that "Salary at least" compares
    at. One cached part for the three: with a shared cache, a page that misses the page
    cache asks it once for them, not three times."""

    skills: list[tuple[str, str]]  # (slug, name), A to Z
    hiring: list[tuple[str, str]]  # (slug, name) of the COMPANY_CHOICES busiest, A to Z
    rates_date: date | None
    # Slugs of the most used skills, offered before "Show all" (most_used_skills()).
    popular_skills: tuple[str, ...] = ()

    @classmethod
    def read(cls) -> "FormChoices":
        # Each with its open roles: the stored figures, or counted in this same query.
        skills = stats.skill_choices()
        return cls(
            skills=[(slug, name) for slug, name, _ in skills],
            hiring=stats.hiring_choices(COMPANY_CHOICES),
            rates_date=exchange_rates.rates_date(),
            popular_skills=most_used_skills(skills),
        )


def form_choices() -> FormChoices:
    """Cached for all visitors until the next edit (applying rates announces itself)."""
    return cached("listing-form-choices", FormChoices.read)


class SkillChoiceField(filters.fields.ModelMultipleChoiceField):
    """Ticked skills, checked against the cached `known_skills()` rather than by a query
    of the skills table on each request: 0.4-0.5 ms in PostgreSQL, and some 800 function
    calls to build it and its Skill rows, on every filtered listing, feed and alert.

    Cleans to the ticked Skills A to Z, as the queryset did, with the id, name and slug
    the filter, its chips and the alerts read (the other fields are deferred)."""

    def _check_values(self, value):
        try:
            slugs = frozenset(value)
        except TypeError:  # a list of lists is not hashable
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for slug in value:
            self.validate_no_null_characters(slug)
        known = known_skills()
        unheard = {str(slug) for slug in value} - known.keys()
        if unheard:
            # Added since this process cached the map, by another process whose save it
            # did not hear (each process caches parts for up to PAGE_CACHE_SECONDS): the
            # database decides, and only a slug it does not know either is an error.
            added = Skill.objects.filter(slug__in=unheard).values_list("slug", "pk", "name")
            known = {slug: (pk, name) for slug, pk, name in added} | known
            known = dict(sorted(known.items(), key=lambda item: item[1][1]))
        for slug in value:
            if str(slug) not in known:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": slug},
                )
        return [
            Skill.from_db(None, ("id", "name", "slug"), (pk, name, slug))
            for slug, (pk, name) in known.items()
            if slug in slugs
        ]


class SkillFilter(filters.ModelMultipleChoiceFilter):
    field_class = SkillChoiceField


class _CopiedOneLevel(dict):
    """Filters or form fields, copied one level deep by `copy.deepcopy()`.

    A FilterSet deep-copies its class's filters for each instance, and the form built
    from them deep-copies its fields again: some 700 copies of querysets, widgets,
    choice lists and error messages per listing, about a tenth of its time. An instance
    sets only attributes of its own filters (parent, model, a label) and of its own
    fields, never their contents: a copy of each object is enough."""

    def __deepcopy__(self, memo):
        return {name: _fresh(item) for name, item in self.items()}


def _fresh(item):
    item = copy.copy(item)
    # A filter builds its form field once and keeps it: a copy builds its own.
    item.__dict__.pop("_field", None)
    if isinstance(item.__dict__.get("filter"), FilterMethod):
        # `method=` filters call their FilterSet's method through a helper that holds
        # the filter it was made for: setting the method again makes one for the copy.
        item.method = item.method
    return item


class PostingFilter(filters.FilterSet):
    q = filters.CharFilter(label="Keywords", method="filter_keywords", max_length=200)
    skill = SkillFilter(
        label="Skills",
        queryset=Skill.objects.only("name", "slug"),
        to_field_name="slug",
        method="filter_skills",
        widget=forms.CheckboxSelectMultiple,
    )
    company = filters.ModelChoiceFilter(
        label="Company",
        queryset=Company.objects.only("name", "slug"),
        to_field_name="slug",
        empty_label="Any company",
    )
    location = filters.CharFilter(label="Location", lookup_expr="icontains", max_length=120)
    # Where the role is (its office), and where a remote or hybrid hire may live.
    country = StaticChoiceFilter(
        label="Country", choices=country_choices, method="filter_country", empty_label=None
    )
    work_from = StaticChoiceFilter(
        label="I can work from",
        choices=country_choices,
        method="filter_work_from",
        empty_label=None,
    )
    utc_offset = StaticChoiceFilter(
        label="My UTC offset",
        choices=utc_offset_choices,
        method="filter_utc_offset",
        empty_label=None,
    )
    remote = filters.MultipleChoiceFilter(
        label="Workplace",
        field_name="remote_policy",
        choices=Posting.RemotePolicy.choices,
        # The default DISTINCT is for filters across joins; it would sort every column.
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    type = filters.MultipleChoiceFilter(
        label="Employment type",
        field_name="employment_type",
        choices=Posting.EmploymentType.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    seniority = filters.MultipleChoiceFilter(
        label="Seniority",
        choices=Posting.Seniority.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Lazy: the label names the reference currency, a setting. The help, which names the
    # rates' date, is the template's to ask for (filter.salary_help): a help_text is read
    # by every validation of the form, feeds' included.
    salary_min = SalaryFilter(
        label=lazy(lambda: f"Salary at least ({salaries.currency_sign()} a year)", str)(),
        method="filter_salary_at_least",
    )
    pay = filters.ChoiceFilter(
        label="Only with pay stated",
        choices=[(PAY_STATED, "Only with pay stated")],
        method="filter_pay_stated",
    )
    posted = filters.ChoiceFilter(
        label="Posted",
        choices=[(value, label) for value, (label, _) in POSTED_WITHIN.items()],
        method="filter_posted_within",
        empty_label="Any time",
    )
    # Applied last, in `listing`: the default depends on whether there are keywords.
    sort = filters.ChoiceFilter(
        label="Sort by", choices=Sort.CHOICES, method="keep", empty_label=None
    )

    class Meta:
        model = Posting
        fields = []

    def get_form_class(self):
        # One form class for every instance, built by the first: its fields come from the
        # filters' declarations alone (labels, choices, querysets), and each form copies
        # them one level (_CopiedOneLevel), the fields it may set attributes of. Building
        # fourteen fields and a form class for each request cost a listing or a feed
        # about 1,100 function calls.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _CopiedOneLevel(form_class.base_fields)
            type(self)._form_class = form_class
        return form_class

    def __init__(self, data=None, *args, **kwargs):
        # Words of the keyword box that name a filter become that filter, here, before
        # anything reads the data: the form, the chips, the feeds and the alerts see
        # the same resolved search (postings/facets.py).
        self.keyword_facets = facets.resolve(data) if data is not None else None
        if self.keyword_facets is not None:
            data = self.keyword_facets.params
        super().__init__(data, *args, **kwargs)

    def salary_help(self) -> str:
        name = salaries.currency_name()
        day = self.choices.rates_date
        if day is None:
            return (
                f"The top of the advertised range, in {name} a year; salaries in other "
                "currencies are compared once exchange rates are applied."
            )
        return (
            f"The top of the advertised range, converted to {name} a year at the rates "
            f"of {salaries.format_day(day)}."
        )

    @cached_property
    def choices(self) -> FormChoices:
        # Read when the form is shown, once per request; feeds never ask.
        return form_choices()

    @property
    def facet_offers(self) -> tuple[facets.Offer, ...]:
        """Links that apply a word of the keywords that may name a filter ("Only lead
        roles?"), when the keywords are valid."""
        if self.keyword_facets is None or "q" in self.errors:
            return ()
        return self.keyword_facets.offers

    @property
    def typed_keywords(self) -> str:
        """The keywords as typed, when words of them were applied as filters."""
        return self.keyword_facets.typed if self.keyword_facets is not None else ""

    def filter_keywords(self, queryset, name, value):
        # Applied last, in `listing`: PostgreSQL tests conditions in the order they
        # are written, and the cheap ones (remote, seniority…) should spare it reading
        # the search vectors of postings they rule out.
        return queryset

    def filter_skills(self, queryset, name, value):
        if not value:  # an empty queryset when no skill is ticked
            return queryset
        return queryset.with_any_skill(value)

    def filter_country(self, queryset, name, value):
        return queryset.in_country(value) if value else queryset

    def filter_work_from(self, queryset, name, value):
        return queryset.open_to_country(value) if value else queryset

    def filter_utc_offset(self, queryset, name, value):
        return queryset.open_to_utc_offset(int(value)) if value else queryset

    def filter_salary_at_least(self, queryset, name, value):
        # "At least 80k" matches a 60k–90k range: the top of a range is what can be reached.
        # The top is the maximum, or the minimum when only that is given, in the reference
        # currency a year (postings.salaries): the expression of the salary sort and of
        # its index. A salary in a currency without a rate is compared nowhere.
        if value <= 0:  # any compared salary
            return queryset.filter(
                Q(reference_salary_max__isnull=False) | Q(reference_salary_min__isnull=False)
            )
        return queryset.alias(top_salary=top_salary()).filter(top_salary__gte=value)

    def filter_pay_stated(self, queryset, name, value):
        # What the employer stated, in any currency, compared or not.
        return queryset.filter(Q(salary_max__isnull=False) | Q(salary_min__isnull=False))

    def filter_posted_within(self, queryset, name, value):
        return queryset.filter(published_at__gte=timezone.now() - POSTED_WITHIN[value][1])

    def keep(self, queryset, name, value):
        return queryset

    def valid_values(self) -> dict:
        """The values of the valid fields; invalid ones are left out and shown as errors."""
        if not self.is_bound:
            return {}
        self.form.is_valid()  # validates once
        return self.form.cleaned_data

    @property
    def keywords(self) -> str:
        return self.valid_values().get("q", "")

    @property
    def default_sort(self) -> str:
        return Sort.RELEVANCE if self.keywords else Sort.NEWEST

    @property
    def sort_order(self) -> str:
        """The sort applied: relevance by default with keywords, else newest first."""
        sort = self.valid_values().get("sort")
        if sort == Sort.RELEVANCE and not self.keywords:
            return Sort.NEWEST
        return sort or self.default_sort

    @cached_property
    def listing(self) -> Listing:
        """The matching postings in the chosen order (`qs`), and what the paginator may
        know of their number without counting them."""
        matches = super().qs
        if self.keywords:
            matches = matches.search(self.keywords)
        # Values in posting_filters_idx (postings migration 0016), or keywords in the
        # search index: a rare combination of them is found from there.
        narrowed = bool(self.keywords) or any(
            self.valid_values().get(name) for name in INDEXED_FILTERS
        )
        indexed = {"narrowed_by_index": narrowed, "keyed_for_index": self.keyed_for_index}
        sort = self.sort_order
        if sort == Sort.SALARY:
            return Listing(matches.order_by(*highest_salary_first()), **indexed)
        if sort == Sort.CLOSING:
            return Listing(matches.order_by(*closing_soonest_first()), **indexed)
        if sort == Sort.RELEVANCE:
            # Ranking reads each match's search vector, and a common word matches a fifth
            # of a million postings: the newest RANK_WINDOW matches are ranked (an index
            # walk that stops early), one more to tell the paginator there are others.
            # Each rank is read with its id, from the search vector the walk reads anyway.
            newest = matches.order_by(*NEWEST_FIRST)
            window = list(newest.values_list("pk", "rank")[: RANK_WINDOW + 1])
            # Best match first. sorted() is stable: equal ranks stay newest first, the
            # order of `ranked` (rank, then NEWEST_FIRST), which is what `qs` gives.
            best_first = [pk for pk, _ in sorted(window, key=lambda match: -match[1])]
            ranked = matches.filter(pk__in=newest.values("pk")[: RANK_WINDOW + 1])

            def read_page(page_slice) -> list:
                # The page's rows by id (twenty, not the window's hundred) in the order
                # of best_first: not searched and ranked a second time.
                bounds = slice(page_slice.query.low_mark, page_slice.query.high_mark)
                return self.queryset.in_order(best_first[bounds])

            # The window knows its size; the number of all matches is estimated from them.
            return Listing(
                ranked, known_total=len(window), estimate_from=matches, read_page=read_page
            )
        return Listing(matches.order_by(*NEWEST_FIRST), **indexed)

    def keyed_for_index(self, matches):
        """`matches` with the salary and UTC offset asked for as keys of the filters'
        index too, for a read of ids from it (jobboard/pagination.py)."""
        values = self.valid_values()
        offset = values.get("utc_offset")
        return matches.keyed_for_filters_index(
            salary_at_least=values.get("salary_min"),
            utc_offset=int(offset) if offset else None,
        )

    @property
    def qs(self):
        return self.listing.queryset

    def active_filters(self) -> list[ActiveFilter]:
        """The applied filter values, each with the query string that removes it."""
        data = self.valid_values()
        chips = []

        def chip(label, name, value=None, *, or_previous=False):
            # The query without the value (or the filter) and without a page, in the
            # same order; QueryDict.copy() would deep-copy every key and value first.
            query = QueryDict(mutable=True)
            for key, values in self.data.lists():
                if key == name:
                    values = [] if value is None else [v for v in values if v != value]
                if key != "page":
                    query.setlist(key, values)
            chips.append(ActiveFilter(label, query.urlencode(), or_previous))

        if data.get("q"):
            chip(f"“{data['q']}”", "q")
        for index, skill in enumerate(data.get("skill") or []):
            chip(skill.name, "skill", skill.slug, or_previous=index > 0)
        if data.get("company"):
            chip(data["company"].name, "company")
        if data.get("location"):
            chip(f"in “{data['location']}”", "location")
        if data.get("country"):
            chip(f"in {locations.country_name(data['country'])}", "country")
        if data.get("work_from"):
            chip(f"open to {locations.country_name(data['work_from'])}", "work_from")
        if data.get("utc_offset"):
            chip(f"open to {locations.format_offset(int(data['utc_offset']))}", "utc_offset")
        for name, choices in (
            ("remote", Posting.RemotePolicy),
            ("type", Posting.EmploymentType),
            ("seniority", Posting.Seniority),
        ):
            for index, value in enumerate(data.get(name) or []):
                chip(choices(value).label, name, value, or_previous=index > 0)
        if data.get("salary_min") is not None:
            chip(f"Salary ≥ {salaries.money(data['salary_min'])} a year", "salary_min")
        if data.get("pay"):
            chip("Only with pay stated", "pay")
        if data.get("posted"):
            chip(POSTED_WITHIN[data["posted"]][0], "posted")
        return chips


PostingFilter.base_filters = _CopiedOneLevel(PostingFilter.base_filters)


# The skills filter: the most used first, the others behind "Show all" -----------------

# Skills offered at once; a list of a hundred in a box that scrolls inside the page was
# hard to use on a phone and hid most of itself on a desktop.
POPULAR_SKILLS = 8


def most_used_skills(skills) -> tuple[str, ...]:
    """The slugs of the POPULAR_SKILLS skills with the most live postings, ties by name,
    from (slug, name, open roles)."""
    used = sorted((s for s in skills if s[2]), key=lambda s: (-s[2], s[1]))
    return tuple(slug for slug, _, _ in used[:POPULAR_SKILLS])


def skill_choice_groups(choices: FormChoices, ticked) -> tuple[list, list]:
    """The skills shown at once — the most used, and any ticked (so that a ticked box is
    never hidden) — and the others, each A to Z. A disclosure for one or two more than
    that is not worth its click: then all are shown."""
    if len(choices.skills) <= POPULAR_SKILLS + 2:
        return list(choices.skills), []
    first = set(choices.popular_skills) | set(ticked)
    shown = [choice for choice in choices.skills if choice[0] in first]
    others = [choice for choice in choices.skills if choice[0] not in first]
    if len(others) <= 2:
        return list(choices.skills), []
    return shown, others


# An empty result's way out: the filters to remove, each with what remains -------------


@dataclass(frozen=True)
class Relaxation:
    """One filter of an empty result to remove, and what the listing without it shows."""

    removed: list[str]  # its chips' labels: one, or the values of a filter matching any
    query: str  # the listing's query string without it
    total: int
    total_display: str  # as the listing without it says it: "12", "about 850,000"…


def relaxed_queries(filterset: PostingFilter, chips: list[ActiveFilter]) -> list[tuple]:
    """(labels, query string) for each filter of `chips` (the filterset's active_filters):
    the listing without it. The values of one filter match any of them, so removing one
    would narrow the result: they go together. Values the listing ignored as invalid are
    left out too, so that the way out is a clean page."""
    groups: list[list[ActiveFilter]] = []
    for chip in chips:
        if chip.or_previous and groups:
            groups[-1].append(chip)
        else:
            groups.append([chip])
    relaxed = []
    for group in groups:
        # Each chip's query removes its own value: together, the values all of them keep.
        queries = [QueryDict(chip.remove_query) for chip in group]
        query = QueryDict(mutable=True)
        for name in queries[0]:
            values = queries[0].getlist(name)
            kept = [v for v in values if v and all(v in q.getlist(name) for q in queries)]
            if kept and name not in filterset.form.errors:
                query.setlist(name, kept)
        relaxed.append(([chip.label for chip in group], query.urlencode()))
    return relaxed
