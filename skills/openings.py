"""A guide's openings, narrowed in place by chips (workplace, seniority, country).

The guide reads its chips with the listing's own filter (postings.filters.PostingFilter)
over the skill's live postings, so that the guide's `?remote=remote` and
`/jobs/?skill=…&remote=remote` are the same openings, and an invalid value is the same
400. The chips are plain links: they work without JavaScript and, with no cookie or
token in them, the page cache keeps serving every variant of the page.
"""

from dataclasses import dataclass
from functools import cached_property

from django.http import QueryDict

from postings import locations
from postings.filters import PostingFilter
from postings.models import NEWEST_FIRST, Posting

SHOWN = 20  # the newest openings listed on the guide; the listing has the others
UNDER_LEDE = 3  # of those, shown right under the lede
# The listing's filters the guide offers as chips, in the order shown. Any other
# parameter is no filter of the guide's: it is ignored, as on every other page.
CHIP_FILTERS = ("remote", "seniority", "country")
MULTIPLE = {"remote", "seniority"}  # several values match any of them (the listing's rule)


@dataclass(frozen=True)
class Chip:
    label: str
    query: str  # the guide's query string once this chip is followed
    selected: bool
    href: str  # the guide's URL with that query, at its openings


@dataclass(frozen=True)
class ChipGroup:
    name: str  # the GET parameter
    label: str
    chips: list[Chip]


class GuideOpenings:
    """The newest live openings of `skill` that match the chips chosen in `params`."""

    def __init__(self, skill, params: QueryDict, *, countries: list[tuple[str, int]]):
        self.skill = skill
        self.countries = countries  # (code, roles) with live openings for the skill
        data = QueryDict(mutable=True)
        for name in CHIP_FILTERS:
            values = [value for value in params.getlist(name) if value]
            if values:
                data.setlist(name, values)
        openings = Posting.objects.live().for_skill(skill).for_cards()
        # Most visits choose no chip: the listing's filter with no values is its newest
        # first, which the guide asks for directly rather than building and validating
        # the filter's form on each of them (a tenth of the page).
        self.filter = PostingFilter(data, queryset=openings) if data else None
        self._unfiltered = openings.order_by(*NEWEST_FIRST)

    @property
    def errors(self):
        return self.filter.errors if self.filter is not None else {}

    @cached_property
    def chosen(self) -> dict[str, list[str]]:
        """The valid chosen values of each chip filter; invalid ones are left out."""
        values = self.filter.valid_values() if self.filter is not None else {}
        chosen = {name: list(values.get(name) or []) for name in MULTIPLE}
        chosen["country"] = [values["country"]] if values.get("country") else []
        return chosen

    @property
    def narrowed(self) -> bool:
        return any(self.chosen.values())

    @cached_property
    def _rows(self) -> list[Posting]:
        # One more than shown: whether the listing has others, without counting them.
        openings = self.filter.qs if self.filter is not None else self._unfiltered
        return list(openings[: SHOWN + 1])

    @property
    def postings(self) -> list[Posting]:
        return self._rows[:SHOWN]

    @property
    def first(self) -> list[Posting]:
        """The first openings of the same list, for the top of the guide."""
        return self._rows[:UNDER_LEDE]

    @property
    def has_more(self) -> bool:
        return len(self._rows) > SHOWN

    def query(self, chosen: dict[str, list[str]]) -> str:
        data = QueryDict(mutable=True)
        for name in CHIP_FILTERS:
            if chosen.get(name):
                data.setlist(name, chosen[name])
        return data.urlencode()

    @property
    def listing_url(self) -> str:
        """The same openings on the listing, where every other filter is."""
        query = self.query(self.chosen)
        return self.skill.get_postings_url() + (f"&{query}" if query else "")

    @property
    def search(self) -> QueryDict:
        """These openings as the listing's search: the skill and the chosen chips (what
        their e-mail alert follows)."""
        return QueryDict(self.listing_url.partition("?")[2])

    @property
    def shared_chips_name(self) -> str:
        """The chips' name as a part shared by every visit while none is chosen (and none
        is invalid): then they depend only on the skill and its countries, and are built
        once per content generation ({% shared_part %}); "" otherwise."""
        return "" if self.narrowed or self.errors else f"guide-chips:{self.skill.slug}"

    def groups(self) -> list[ChipGroup]:
        options = {
            "remote": ("Workplace", Posting.RemotePolicy.choices),
            "seniority": ("Seniority", Posting.Seniority.choices),
            "country": (
                "Country",
                # The busiest countries, by name.
                sorted(
                    ((code, locations.country_name(code)) for code, _ in self.countries),
                    key=lambda choice: choice[1],
                ),
            ),
        }
        groups = []
        url = self.skill.get_absolute_url()  # once, not once a chip (a reverse() each)
        for name in CHIP_FILTERS:
            label, choices = options[name]
            chips = [self._chip(url, name, value, text) for value, text in choices]
            if chips:
                groups.append(ChipGroup(name, label, chips))
        return groups

    def _chip(self, url: str, name: str, value: str, label: str) -> Chip:
        chosen = {key: list(values) for key, values in self.chosen.items()}
        selected = value in chosen[name]
        if selected:
            chosen[name].remove(value)
        elif name in MULTIPLE:
            chosen[name].append(value)
        else:  # one country at a time, as on the listing
            chosen[name] = [value]
        query = self.query(chosen)
        return Chip(
            label, query, selected, f"{url}?{query}#openings" if query else f"{url}#openings"
        )
