"""Where a posting is, and where a remote hire may live: countries, named regions, UTC
offsets, and the parsing of the free-text locations employers write.

Countries are ISO 3166-1 alpha-2 codes (pycountry's list, English names from Babel's
CLDR data); a posting's region is an ISO 3166-2 subdivision code (pycountry). A remote or
hybrid role says where a hire may live as *areas*: country codes and the named regions
below, stored as written ("EU CH") and matched by expanding the seeker's country into
the areas that contain it (`areas_containing`), so a region's list can change without
rewriting a posting.

This module imports no model: the model, the filters, the cards and the JSON-LD use it.
"""

import re
from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale

# CLDR's territory containment (UN M49 based), as published in CLDR's
# common/supplemental/supplementalData.xml <territoryContainment> (unicode-org/cldr,
# read on 2026-11-28 at commit 001d131aeeaca5c9102484e84e47563a66d55d6f). Babel 2.19
# ships CLDR's names but not this table (babel.core.get_global has no
# "territory_containment"), so the groups used here are copied: continents and their
# subcontinents, and the "grouping" entries North America (003) and Latin America (419).
CLDR_CONTAINMENT = {
    "001": "019 002 150 142 009",  # World
    "002": "015 011 017 014 018",  # Africa
    "011": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",  # Western Africa
    "014": "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW",
    "015": "DZ EG EH LY MA SD TN EA IC",  # Northern Africa
    "017": "AO CD CF CG CM GA GQ ST TD",  # Middle Africa
    "018": "BW LS NA SZ ZA",  # Southern Africa
    "019": "021 013 029 005",  # Americas
    "003": "021 013 029",  # North America (a CLDR grouping)
    "419": "013 029 005",  # Latin America and the Caribbean (a CLDR grouping)
    "021": "BM CA GL PM US",  # Northern America
    "013": "BZ CR GT HN MX NI PA SV",  # Central America
    "029": "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI",
    "005": "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE",  # South America
    "142": "145 143 030 034 035",  # Asia
    "143": "TM TJ KG KZ UZ",  # Central Asia
    "145": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",  # Western Asia
    "030": "CN HK JP KP KR MN MO TW",  # Eastern Asia
    "034": "AF BD BT IN IR LK MV NP PK",  # Southern Asia
    "035": "BN ID KH LA MM MY PH SG TH TL VN",  # South-Eastern Asia
    "150": "154 155 151 039",  # Europe
    "151": "BG BY CZ HU MD PL RO RU SK UA",  # Eastern Europe
    "154": "GG IM JE AX DK EE FI FO GB IE IS LT LV NO SE SJ",  # Northern Europe
    "155": "AT BE CH DE FR LI LU MC NL",  # Western Europe
    "039": "AD AL BA ES GI GR HR IT ME MK MT RS PT SI SM VA XK",  # Southern Europe
    "009": "053 054 057 061 QO",  # Oceania
    "053": "AU CC CX HM NF NZ",  # Australia and New Zealand
    "054": "FJ NC PG SB VU",  # Melanesia
    "057": "FM GU KI MH MP NR PW UM",  # Micronesia
    "061": "AS CK NU PF PN TK TO TV WF WS",  # Polynesia
    "QO": "AQ AC CP DG TA",  # Outlying Oceania
}

# The 27 member states of the European Union as of 2026: none joined or left since
# Croatia joined in 2013 and the United Kingdom left in 2020. The list is CLDR's "EU"
# grouping at the commit above (itself citing europa.eu), the same 27 codes; the official
# page (https://european-union.europa.eu/principles-countries-history/eu-countries_en)
# could not be opened from here on 2026-11-28: check it when a state joins.
EU_MEMBERS = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
# The European Economic Area as of 2026: the EU and three EFTA states, Iceland,
# Liechtenstein and Norway (Switzerland is in EFTA, not the EEA). Source: EFTA, "EEA
# Agreement" (https://www.efta.int/eea/eea-agreement); written from it as known on
# 2026-11-28, not re-read from here.
EEA_MEMBERS = EU_MEMBERS + " IS LI NO"

ANYWHERE = "ANYWHERE"


def _cldr_countries(group: str) -> frozenset[str]:
    members = set()
    for code in CLDR_CONTAINMENT[group].split():
        members |= _cldr_countries(code) if code in CLDR_CONTAINMENT else {code}
    return frozenset(members)


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    source: str
    # CLDR groups and explicit countries that make it up.
    groups: tuple[str, ...] = ()
    countries: str = ""

    @property
    def members(self) -> frozenset[str]:
        found = set(self.countries.split())
        for group in self.groups:
            found |= _cldr_countries(group)
        # Only ISO 3166-1 countries: CLDR also lists Ceuta (EA), Diego Garcia (DG)…
        return frozenset(found & country_codes())


# The named regions a remote role may be open to, each a list of ISO country codes.
# Continents come from CLDR; APAC and EMEA have no standard definition: ours are written
# from CLDR's subcontinents and say so.
REGIONS = {
    region.key: region
    for region in (
        Region("EU", "EU", "EU member states as of 2026", countries=EU_MEMBERS),
        Region("EEA", "EEA", "EU and EFTA's EEA states as of 2026", countries=EEA_MEMBERS),
        Region("EUROPE", "Europe", "CLDR 150 (Europe)", groups=("150",)),
        Region("NORTH-AMERICA", "North America", "CLDR 003 (North America)", groups=("003",)),
        Region(
            "LATIN-AMERICA",
            "Latin America",
            "CLDR 419 (Latin America and the Caribbean)",
            groups=("419",),
        ),
        Region("AMERICAS", "Americas", "CLDR 019 (Americas)", groups=("019",)),
        Region(
            "APAC",
            "APAC",
            "Asia-Pacific, our definition: CLDR Eastern, South-Eastern, Southern and "
            "Central Asia (030, 035, 034, 143) and Oceania (009)",
            groups=("030", "035", "034", "143", "009"),
        ),
        Region(
            "EMEA",
            "EMEA",
            "Europe, the Middle East and Africa, our definition: CLDR Europe (150), "
            "Africa (002) and Western Asia (145), with Iran",
            groups=("150", "002", "145"),
            countries="IR",
        ),
    )
}
# Words staff and employers write for a region, to its key.
REGION_NAMES = {
    "eu": "EU",
    "european union": "EU",
    "eea": "EEA",
    "europe": "EUROPE",
    "north america": "NORTH-AMERICA",
    "latin america": "LATIN-AMERICA",
    "latam": "LATIN-AMERICA",
    "americas": "AMERICAS",
    "the americas": "AMERICAS",
    "apac": "APAC",
    "asia-pacific": "APAC",
    "asia pacific": "APAC",
    "emea": "EMEA",
    "anywhere": ANYWHERE,
    "worldwide": ANYWHERE,
    "global": ANYWHERE,
    "world": ANYWHERE,
}


@cache
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _english_territories() -> dict:
    return Locale("en").territories


def country_name(code: str) -> str:
    """ "DE" → "Germany" (CLDR's English name, shorter than ISO's); "" for no code."""
    if not code:
        return ""
    name = _english_territories().get(code)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


@cache
def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (code, English name), by name."""
    return sorted(((code, country_name(code)) for code in country_codes()), key=lambda c: c[1])


@cache
def _countries_by_name() -> dict[str, str]:
    names = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names[value.casefold()] = country.alpha_2
        names[country.alpha_2.casefold()] = country.alpha_2
        names[country_name(country.alpha_2).casefold()] = country.alpha_2
    # Names in common use that neither list spells this way.
    names.update({"usa": "US", "u.s.": "US", "uk": "GB", "england": "GB", "holland": "NL"})
    names.pop("eu", None)
    return names


@cache
def country_names() -> dict[str, str]:
    """Names of countries, not their codes, in lower case, to the ISO code: "germany",
    "united states", "usa", "uk" (a code such as "in" or "it" is not a name)."""
    return {name: code for name, code in _countries_by_name().items() if name != code.casefold()}


def country_from_name(text: str) -> str:
    """ "Germany", "germany", "DE", "United States" → the ISO code; "" when unknown."""
    return _countries_by_name().get(text.strip().casefold(), "")


def is_subdivision(code: str, country: str = "") -> bool:
    """Whether `code` is an ISO 3166-2 subdivision ("US-CA"), of `country` when given."""
    found = pycountry.subdivisions.get(code=code) if code else None
    return found is not None and (not country or found.country_code == country)


def subdivision_name(code: str) -> str:
    found = pycountry.subdivisions.get(code=code) if code else None
    return found.name if found else code


def _subdivision_from(text: str, country: str) -> str:
    """ "TX" or "Texas" in the United States → "US-TX"; "" when not one of its own."""
    text = text.strip()
    if is_subdivision(f"{country}-{text.upper()}", country):
        return f"{country}-{text.upper()}"
    for subdivision in pycountry.subdivisions.get(country_code=country) or ():
        if subdivision.name.casefold() == text.casefold():
            return subdivision.code
    return ""


# ---------------------------------------------------------------------------------------
# Remote eligibility: the areas a hire may live in.


def normalise_areas(text: str) -> str:
    """Staff's or a file's "eu, ch Europe" → "CH EU EUROPE": codes and region keys,
    upper case, each once, sorted. ValueError naming what is neither."""
    tokens = [token for token in re.split(r"[\s,;]+", text.strip()) if token]
    areas, unknown = set(), []
    for token in tokens:
        upper = token.upper()
        if upper in REGIONS or upper == ANYWHERE or upper in country_codes():
            areas.add(upper)
        elif token.casefold() in REGION_NAMES:
            areas.add(REGION_NAMES[token.casefold()])
        else:
            unknown.append(token)
    if unknown:
        raise ValueError(
            f"Not a country code or a named region: {', '.join(unknown[:5])}. Use ISO "
            f"3166-1 codes (DE, US) or {', '.join([*REGIONS, ANYWHERE])}."
        )
    return " ".join(sorted(areas))


@cache
def areas_containing(country: str) -> tuple[str, ...]:
    """The areas a posting may list that include a hire living in `country`: the country
    itself, each region that contains it, and ANYWHERE. A seeker's "I can work from"
    matches a posting whose areas overlap these."""
    regions = [key for key, region in REGIONS.items() if country in region.members]
    return (country, *regions, ANYWHERE)


def expand_areas(areas: str) -> list[str] | None:
    """The countries of a posting's areas, sorted; None when it is open to anywhere."""
    codes = areas.split()
    if ANYWHERE in codes:
        return None
    countries = set()
    for code in codes:
        countries |= REGIONS[code].members if code in REGIONS else {code}
    return sorted(countries)


def areas_label(areas: str, *, limit: int = 3) -> str:
    """ "EU", "Germany, Austria", "Anywhere", "EU, Switzerland"; "" when not stated."""
    codes = areas.split()
    if ANYWHERE in codes:
        return "Anywhere"
    # Regions first (in the table's order), then countries by name.
    regions = [REGIONS[key].label for key in REGIONS if key in codes]
    countries = sorted(country_name(code) for code in codes if code not in REGIONS)
    names = regions + countries
    if len(names) > limit:
        return f"{', '.join(names[:limit])} +{len(names) - limit}"
    return ", ".join(names)


# ---------------------------------------------------------------------------------------
# UTC offsets, in minutes east of UTC.

MIN_OFFSET = -12 * 60
MAX_OFFSET = 14 * 60
# The offsets a seeker may choose: every whole hour and the half and three-quarter hours
# in use (India +5:30, Nepal +5:45, Newfoundland −3:30…).
OFFSET_CHOICES = sorted(
    {*range(MIN_OFFSET, MAX_OFFSET + 1, 60), -570, -210, 210, 270, 330, 345, 390, 525, 570, 630,
     765, 825}
)  # fmt: skip


def format_offset(minutes: int, *, prefix: str = "UTC") -> str:
    """-120 → "UTC−2", 330 → "UTC+5:30", 0 → "UTC±0" (with a true minus sign)."""
    sign = "−" if minutes < 0 else "+" if minutes > 0 else "±"
    hours, rest = divmod(abs(minutes), 60)
    return f"{prefix}{sign}{hours}" + (f":{rest:02d}" if rest else "")


def offset_range_label(low: int | None, high: int | None) -> str:
    """ "UTC−2 to +3", "UTC+1" (one offset); "" when not stated."""
    if low is None or high is None:
        return ""
    if low == high:
        return format_offset(low)
    return f"{format_offset(low)} to {format_offset(high, prefix='')}"


# ---------------------------------------------------------------------------------------
# Free-text locations, as employers wrote them.


@dataclass(frozen=True)
class ParsedLocation:
    city: str = ""
    region: str = ""
    country: str = ""
    # Areas a remote hire may live in, when the text names them ("Remote (Europe)").
    areas: str = ""


_REMOTE = re.compile(
    r"^\s*(?:remote|anywhere|worldwide)\b\s*(?:[(,:–-]\s*(?P<where>[^)]*)\)?)?\s*$",
    re.IGNORECASE,
)


def parse_location(text: str) -> ParsedLocation | None:
    """The parts of a location written as the posting form asks: "Berlin, Germany",
    "Austin, TX, United States", "Remote (Europe)", "Remote, Denmark", "Remote".

    None when the text does not parse: it then stays text only (`manage.py
    unparsed_locations` lists those postings for staff)."""
    text = text.strip()
    if not text:
        return None
    remote = _REMOTE.match(text)
    if remote:
        where = (remote["where"] or "").strip()
        if not where:
            return ParsedLocation()
        country = country_from_name(where)
        if country:
            return ParsedLocation(areas=country)
        try:
            return ParsedLocation(areas=normalise_areas(REGION_NAMES.get(where.casefold(), "?")))
        except ValueError:
            return None
    parts = [part.strip() for part in text.split(",")]
    if any(not part for part in parts) or len(parts) > 3:
        return None
    if len(parts) == 1:
        country = country_from_name(parts[0])
        return ParsedLocation(country=country) if country else None
    country = country_from_name(parts[-1])
    if not country:
        return None
    region = ""
    if len(parts) == 3:
        region = _subdivision_from(parts[1], country)
        if not region:
            return None
    return ParsedLocation(city=parts[0], region=region, country=country)
