"""Words in the keyword box that name one of the listing's filters.

"python remote" means Python roles that are remote, not postings whose text says
"remote" (hybrid ones say it too). `resolve(params)` reads the words of `q` and turns the
ones that name a filter into that filter's parameter, taking them out of the text:

- workplace: "remote", "hybrid", "on-site"/"onsite" (and a few ways of writing them);
- seniority: "junior", "senior", "principal", "mid-level"…; employment type: "full-time",
  "part-time", "internship";
- a skill, by name or slug, several words too ("machine learning");
- a country by its name ("germany", "united states", "uk"), never by its code: "in",
  "it" and "de" are words. With remote roles only it means where a hire may live
  (work_from), else where the role is (country);
- a city of the live postings ("berlin", "san francisco"), as the location filter.

A word is only offered, not applied, where reading it as a filter could be wrong: when
it is an everyday word ("lead", "go", "reading": AMBIGUOUS), when it names two things (a
skill and a city), or when a single-valued filter would get two values ("berlin munich")
or already has another. The listing shows an offer as a link ("Only lead roles?") to the
same search with the word applied.

Quoted phrases and excluded words ("\"remote\"", "-remote") stay text, and a query that
uses "or" stays text whole: "python or remote" cannot be said with filters, which
combine with AND. Words that only glue a search together ("jobs", "in") are dropped
with the words applied: "python jobs in berlin" is Python roles in Berlin, not postings
that say "jobs in".

The listing, its canonical URL, the feeds and the e-mail alerts all resolve through
`resolve`, and resolving a resolved query changes nothing, so "python remote" and
"?q=python&remote=remote" are one search with one feed. The words recognised are plain
data (below), and the known skills and cities are read per request from one cached part
of the page (`vocabulary`), never at import.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.http import QueryDict

from jobboard.cache import cached
from skills.models import Skill

from . import locations, stats
from .models import Posting

REMOTE = Posting.RemotePolicy.REMOTE

# Phrases are written as `normalise` leaves them: lower case, no accents, hyphens as spaces.
WORKPLACE_WORDS = {
    "remote": REMOTE,
    "fully remote": REMOTE,
    "remote only": REMOTE,
    "remote first": REMOTE,
    "work from home": REMOTE,
    "wfh": REMOTE,
    "hybrid": Posting.RemotePolicy.HYBRID,
    "on site": Posting.RemotePolicy.ONSITE,
    "onsite": Posting.RemotePolicy.ONSITE,
    "in office": Posting.RemotePolicy.ONSITE,
    "office based": Posting.RemotePolicy.ONSITE,
}
SENIORITY_WORDS = {
    "junior": Posting.Seniority.JUNIOR,
    "jr": Posting.Seniority.JUNIOR,
    "entry level": Posting.Seniority.JUNIOR,
    "mid level": Posting.Seniority.MID,
    "midlevel": Posting.Seniority.MID,
    "senior": Posting.Seniority.SENIOR,
    "sr": Posting.Seniority.SENIOR,
    "staff": Posting.Seniority.STAFF,
    "principal": Posting.Seniority.STAFF,
    "lead": Posting.Seniority.LEAD,
    "tech lead": Posting.Seniority.LEAD,
    "team lead": Posting.Seniority.LEAD,
}
TYPE_WORDS = {
    "full time": Posting.EmploymentType.FULL_TIME,
    "fulltime": Posting.EmploymentType.FULL_TIME,
    "part time": Posting.EmploymentType.PART_TIME,
    "parttime": Posting.EmploymentType.PART_TIME,
    "contract": Posting.EmploymentType.CONTRACT,
    "contractor": Posting.EmploymentType.CONTRACT,
    "freelance": Posting.EmploymentType.CONTRACT,
    "internship": Posting.EmploymentType.INTERNSHIP,
    "intern": Posting.EmploymentType.INTERNSHIP,
}
# Everyday words that also name a filter, as likely meant either way: "team lead" the
# title or Lead the level, "staff" of a hospital, a "contract" in a blockchain, "go" the
# verb, Reading the town or reading the verb. Offered, never applied.
AMBIGUOUS = frozenset(
    {
        "lead", "staff", "contract", "go", "swift", "spring", "express", "shell", "chef",
        "reading", "bath", "nice", "split", "mobile", "orange", "victoria", "independence",
        "normal", "hope", "university", "chad", "jordan", "georgia", "jersey", "guinea",
    }
)  # fmt: skip
# Words that only glue a search together: dropped with the words applied.
FILLER = frozenset(
    {"job", "jobs", "role", "roles", "position", "positions", "opening", "openings",
     "vacancy", "vacancies", "in", "at", "near", "based", "for", "and", "with", "only",
     "the", "a", "an"}
)  # fmt: skip
# The parameters a word may set, and which of them take one value only.
SINGLE_VALUED = frozenset({"country", "work_from", "location"})
# Longer phrases than this are not looked up ("work from home" is three words).
LONGEST_PHRASE = 4
# The form's limit: a longer `q` is an error shown on the page, and left as typed.
MAX_QUERY = 200

# A quoted phrase (to its closing quote, or the end), or a word without quotes.
_TOKEN = re.compile(r'-?"[^"]*(?:"|$)|[^\s"]+')
_EDGE_PUNCTUATION = ",;:!?()[]{}'“”‘’…"


@dataclass(frozen=True)
class Facet:
    """One filter value a phrase may mean: `param=value` of the listing's URL."""

    param: str  # "remote", "seniority", "type", "skill", "country" (a place), "location"
    value: str
    label: str  # for an offer: "remote", "Python", "Berlin"

    def offer_label(self) -> str:
        if self.param in {"country", "location"}:
            return f"Only roles in {self.label}?"
        if self.param == "work_from":
            return f"Only roles open to hires in {self.label}?"
        return f"Only {self.label} roles?"


@dataclass(frozen=True)
class Vocabulary:
    """The phrases that name a filter value, normalised, each to what it may mean."""

    phrases: dict[str, tuple[Facet, ...]]
    longest: int

    @classmethod
    def build(cls, skills, cities) -> "Vocabulary":
        """From (slug, name) of skills and (city, country code) of places."""
        meanings: dict[str, dict[Facet, None]] = {}

        def add(phrase: str, facet: Facet) -> None:
            key = normalise(phrase)
            if key:
                meanings.setdefault(key, {})[facet] = None

        for words, param, choices in (
            (WORKPLACE_WORDS, "remote", Posting.RemotePolicy),
            (SENIORITY_WORDS, "seniority", Posting.Seniority),
            (TYPE_WORDS, "type", Posting.EmploymentType),
        ):
            for phrase, value in words.items():
                add(phrase, Facet(param, value, choices(value).label.lower()))
        for slug, name in skills:
            facet = Facet("skill", slug, name)
            add(name, facet)
            add(slug, facet)
        countries = locations.country_names()
        for name, code in countries.items():
            add(name, Facet("country", code, locations.country_name(code)))
        for city, country in cities:
            # Singapore the city is Singapore the country: one place, not two meanings.
            if countries.get(normalise(city)) != country or not country:
                add(city, Facet("location", city, city))
        phrases = {key: tuple(found) for key, found in meanings.items()}
        longest = max((key.count(" ") + 1 for key in phrases), default=1)
        return cls(phrases=phrases, longest=min(longest, LONGEST_PHRASE))

    @classmethod
    def read(cls) -> "Vocabulary":
        skills = Skill.objects.order_by("name").values_list("slug", "name")
        return cls.build(list(skills), stats.live_cities())


def vocabulary() -> Vocabulary:
    """The known skills and cities with the fixed words, cached for all visitors until
    the next edit: no query on a page whose cache is warm."""
    return cached("search-vocabulary", Vocabulary.read)


def normalise(text: str) -> str:
    """ "Kraków" → "krakow", "On-Site" → "on site", "Sr." → "sr": how phrases compare."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.strip(_EDGE_PUNCTUATION).rstrip(".")
    return " ".join(text.replace("-", " ").replace("_", " ").split())


@dataclass(frozen=True)
class Offer:
    label: str  # "Only lead roles?"
    query: str  # the listing's query string with the word applied


@dataclass(frozen=True)
class Match:
    start: int  # token indexes, end excluded
    end: int
    meanings: tuple[Facet, ...]
    ambiguous: bool


class ResolvedQuery(QueryDict):
    """A listing query whose keyword facets are resolved: resolving it again is a no-op
    (and reads nothing)."""


@dataclass(frozen=True)
class Resolution:
    params: ResolvedQuery
    applied: tuple[Facet, ...] = ()
    offers: tuple[Offer, ...] = ()
    typed: str = ""  # the keywords as typed, when some were applied


def _readable(token: str) -> bool:
    """Whether a word may name a filter: not quoted, not excluded with "-"."""
    return not token.startswith(('"', '-"', "-"))


def find_phrases(tokens: list[str], known: Vocabulary) -> list[Match]:
    """The longest known phrase at each place, left to right, over words that may be
    read (not quoted, not excluded with "-")."""
    matches, index = [], 0
    readable = [_readable(token) for token in tokens]
    while index < len(tokens):
        for length in range(min(known.longest, len(tokens) - index), 0, -1):
            if not all(readable[index : index + length]):
                continue
            key = normalise(" ".join(tokens[index : index + length]))
            meanings = known.phrases.get(key)
            if meanings:
                ambiguous = len(meanings) > 1 or key in AMBIGUOUS
                matches.append(Match(index, index + length, meanings, ambiguous))
                index += length
                break
        else:
            index += 1
    return matches


def resolve(params, known: Vocabulary | None = None) -> Resolution:
    """`params` (a QueryDict of the listing) with the facet words of `q` applied as
    filters and taken out of `q`, and the offers for the ambiguous ones."""
    if isinstance(params, ResolvedQuery):
        return Resolution(params)
    resolved = ResolvedQuery(mutable=True)
    if isinstance(params, QueryDict):
        for key, values in params.lists():
            resolved.setlist(key, values)
    else:  # a plain mapping, of values or lists of values
        for key, value in params.items():
            resolved.setlist(key, list(value) if isinstance(value, list | tuple) else [value])
    text = str(resolved.get("q") or "").strip()
    tokens = _TOKEN.findall(text)
    if not tokens or len(text) > MAX_QUERY or any(token.casefold() == "or" for token in tokens):
        return Resolution(resolved)
    if not any(map(_readable, tokens)):
        # Only quoted or excluded words, which name no filter: no vocabulary to read
        # (uncached, building it cost more than the rest of a feed's Python).
        return Resolution(resolved)
    known = known or vocabulary()
    matches = find_phrases(tokens, known)
    if not matches:
        return Resolution(resolved)

    # Words applied unless something below says otherwise; what they set decides the rest.
    applicable = [m.meanings[0] for m in matches if not m.ambiguous]
    workplace = set(resolved.getlist("remote")) | {
        f.value for f in applicable if f.param == "remote"
    }

    def as_filter(facet: Facet) -> Facet:
        # A country with remote roles only is where a hire may live.
        if facet.param == "country" and workplace == {REMOTE}:
            return Facet("work_from", facet.value, facet.label)
        return facet

    # A single-valued filter named twice, or already set to another value: offered.
    chosen: dict[str, set[str]] = {}
    for facet in map(as_filter, applicable):
        chosen.setdefault(facet.param, set()).add(facet.value)
    conflicting = {
        param
        for param, values in chosen.items()
        if param in SINGLE_VALUED
        and (
            len(values) > 1
            or normalise(resolved.get(param, "")) not in {"", *map(normalise, values)}
        )
    }

    applied, removed, offered = [], set(), []
    for match in matches:
        facet = as_filter(match.meanings[0])
        if match.ambiguous or facet.param in conflicting:
            offered.append(match)
            continue
        applied.append(facet)
        removed.update(range(match.start, match.end))
        values = resolved.getlist(facet.param)
        if facet.value not in values:
            resolved.setlist(facet.param, [*values, facet.value])
    if applied:
        _set_text(resolved, _remaining(tokens, removed))
        # The words either side of an applied one now stand together ("machine python
        # learning" leaves "machine learning"): resolve again until nothing more applies,
        # so that resolving a resolved query changes nothing. Each pass removes a word.
        again = resolve(QueryDict(resolved.urlencode()), known)
        if again.applied:
            return Resolution(again.params, (*applied, *again.applied), again.offers, text)

    offers = []
    for match in offered:
        for meaning in match.meanings:
            facet = as_filter(meaning)
            target = resolved.copy()
            target.pop("page", None)
            _set_text(target, _remaining(tokens, removed | set(range(match.start, match.end))))
            values = target.getlist(facet.param)
            if facet.param in SINGLE_VALUED:
                target.setlist(facet.param, [facet.value])
            elif facet.value not in values:
                target.setlist(facet.param, [*values, facet.value])
            offers.append(Offer(facet.offer_label(), target.urlencode()))
    return Resolution(resolved, tuple(applied), tuple(offers), text if applied else "")


def _remaining(tokens: list[str], removed: set[int]) -> str:
    """The words not applied, without the glue words (\"jobs\", \"in\") around them."""
    kept = []
    for index, token in enumerate(tokens):
        if index in removed:
            continue
        if token.startswith(('"', "-")):  # a phrase, or a word or phrase excluded
            kept.append(token)
            continue
        if normalise(token) in FILLER:
            continue
        # A comma left after a removed word means nothing to the search.
        kept.append(token.rstrip(",;") or token)
    return " ".join(kept)


def _set_text(params: QueryDict, text: str) -> None:
    if text:
        params.setlist("q", [text])
    else:
        params.pop("q", None)
