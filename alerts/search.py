"""An alert's search in words: "Remote Python openings, senior, at least €80,000 a year".

Read from the stored query string with the listing's own filter (postings.feeds), so the
words always name what the listing and the digests match. Used by the pages, the
e-mails and the admin.
"""

import unicodedata

from django.core.exceptions import BadRequest
from django.http import QueryDict

from postings import locations, salaries
from postings.feeds import FEED_PARAMETERS, feed_query, filter_listing
from postings.filters import POSTED_WITHIN, PostingFilter
from postings.models import Posting

from .models import Alert

MAX_SEARCH_LENGTH = Alert._meta.get_field("search").max_length


class InvalidSearch(Exception):
    """A search an alert cannot follow; the message says why, for the page."""


def has_control_characters(value: str) -> bool:
    """CR, LF, NUL and the like: never in an address, a choice or a search a person typed,
    and the stuff of header injection."""
    return any(unicodedata.category(character) == "Cc" for character in value)


def search_of_request(params: QueryDict) -> str:
    """The normalised search (postings.feeds.feed_query) of a listing's GET parameters,
    validated by the listing's own filter; InvalidSearch when the listing would refuse a
    value, a value holds control characters, or the search is too long to store."""
    for key in FEED_PARAMETERS:
        if any(has_control_characters(value) for value in params.getlist(key)):
            raise InvalidSearch(f"The “{key}” filter holds characters that cannot be sent.")
    search = feed_query(params)
    if len(search) > MAX_SEARCH_LENGTH:
        raise InvalidSearch("This search is too long to follow by e-mail.")
    try:
        filter_listing(search_params(search))
    except BadRequest as error:
        raise InvalidSearch(str(error)) from None
    return search


def either(words: list[str]) -> str:
    """ "Python", "Python or Go", "Python, Go or Rust"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def search_params(search: str) -> QueryDict:
    """The listing's parameters of a stored search (only those a feed follows)."""
    given = QueryDict(search)
    params = QueryDict(mutable=True)
    for key in FEED_PARAMETERS:
        if values := given.getlist(key):
            params.setlist(key, values)
    return params


def describe(search: str) -> str:
    """The search `search` (a feed_query string) as a phrase; "" is "All openings".

    A search that no longer validates (a deleted skill) is described by its valid parts
    and says that the rest no longer exists."""
    filterset = PostingFilter(search_params(search), queryset=Posting.objects.none())
    data = filterset.valid_values()

    def labels(name, choices):
        # In the order of the choices (full-time before contract), as the form lists them.
        chosen = set(data.get(name) or [])
        return [label for value, label in choices.choices if value in chosen]

    # "Remote or hybrid Python or Go full-time openings"
    head = [
        either([label.lower() for label in labels("remote", Posting.RemotePolicy)]),
        either([skill.name for skill in data.get("skill") or []]),
        either([label.lower() for label in labels("type", Posting.EmploymentType)]),
    ]
    noun = " ".join(part for part in head if part)
    phrase = f"{noun} openings" if noun else "Openings"
    phrase = phrase[0].upper() + phrase[1:]

    # What narrows the openings themselves reads on: "… openings matching “api” at Acme
    # in Germany"; the rest follows after commas: ", senior, at least €80,000 a year".
    narrowing = []
    if data.get("q"):
        narrowing.append(f"matching “{data['q']}”")
    if data.get("company"):
        narrowing.append(f"at {data['company'].name}")
    if data.get("location"):
        narrowing.append(f"in “{data['location']}”")
    if data.get("country"):
        narrowing.append(f"in {locations.country_name(data['country'])}")
    details = []
    if seniority := labels("seniority", Posting.Seniority):
        details.append(either([label.lower() for label in seniority]))
    if data.get("work_from"):
        details.append(f"open to {locations.country_name(data['work_from'])}")
    if data.get("utc_offset"):
        details.append(f"open to {locations.format_offset(int(data['utc_offset']))}")
    if data.get("salary_min") is not None:
        details.append(f"at least {salaries.money(data['salary_min'])} a year")
    if data.get("pay"):
        details.append("with pay stated")
    if data.get("posted"):
        details.append(f"posted in the {POSTED_WITHIN[data['posted']][0].lower()}")
    if not (noun or narrowing or details):
        if filterset.errors:
            return "A search whose filters no longer exist"
        phrase = "All openings"
    described = ", ".join([" ".join([phrase, *narrowing]), *details])
    if filterset.errors:
        described += " — some of its filters no longer exist"
    return described
