"""Reading the programme's public history (`kcity_projects.csv`) into clean rows.

The sources write places as they like ("Turkey", "Türkiye"; "New capital (East Kalimantan)",
"Nusantara (new capital)"). Here every country becomes its ISO 3166-1 alpha-2 code and every
city one spelling; research notes in square brackets, and the qualifiers in round brackets
after a place name, are kept out of the names people see. No Django import: the loader is
also used by tests that check the data file itself.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

COUNTRY_CODES = {
    "azerbaijan": "AZ", "bangladesh": "BD", "bolivia": "BO", "bulgaria": "BG",
    "cambodia": "KH", "colombia": "CO", "egypt": "EG", "indonesia": "ID", "italy": "IT",
    "kazakhstan": "KZ", "kenya": "KE", "kyrgyzstan": "KG", "laos": "LA", "malaysia": "MY",
    "mongolia": "MN", "myanmar": "MM", "peru": "PE", "philippines": "PH", "poland": "PL",
    "russia": "RU", "spain": "ES", "thailand": "TH", "turkey": "TR", "türkiye": "TR",
    "turkiye": "TR", "ukraine": "UA", "united kingdom": "GB", "uk": "GB", "usa": "US",
    "united states": "US", "uzbekistan": "UZ", "vietnam": "VN", "viet nam": "VN",
}

# One spelling per city, after qualifiers in round brackets are removed.
CITY_ALIASES = {
    "New capital": "Nusantara",
    "Clark Freeport Zone": "Clark",
    "Mekong Delta region": "Mekong Delta",
    "Bacoor City": "Bacoor",
    "Ho Chi Minh": "Ho Chi Minh City",
    "Hai Phong": "Haiphong",
}

# CSV "type" column -> (track kind, programme)
PROGRAMMES = [
    ("overseas demonstration", ("demonstration", "demonstration")),
    ("single smart solution", ("planning", "solution")),
    ("smart solution", ("planning", "solution")),
    ("smart city development", ("planning", "city_development")),
    ("urban development", ("planning", "city_development")),
    ("planning", ("planning", "planning")),
]

SQUARE_NOTE = re.compile(r"\s*\[[^\]]*\]")
ROUND_NOTE = re.compile(r"\s*\([^)]*\)")
# Round-bracket remarks in titles that are the researcher's, not the title's.
TITLE_NOTE = re.compile(r"\s*\([^)]*(not found|not named|not published)[^)]*\)", re.IGNORECASE)


class HistoryError(ValueError):
    pass


@dataclass(frozen=True)
class HistoryRow:
    year: int
    track_kind: str
    programme: str
    city: str
    country: str
    title: str
    korean_partner: str
    source: str


def country_code(name: str) -> str:
    key = SQUARE_NOTE.sub("", name).strip().lower()
    if len(key) == 2 and key.isalpha():
        return key.upper()
    try:
        return COUNTRY_CODES[key]
    except KeyError:
        raise HistoryError(f"unknown country {name!r}: add it to COUNTRY_CODES") from None


def city_name(raw: str) -> str:
    name = ROUND_NOTE.sub("", SQUARE_NOTE.sub("", raw)).strip()
    return CITY_ALIASES.get(name, name)


def clean_title(raw: str) -> str:
    return TITLE_NOTE.sub("", SQUARE_NOTE.sub("", raw)).strip()


def programme_of(raw_type: str) -> tuple[str, str]:
    text = raw_type.lower()
    for needle, result in PROGRAMMES:
        if needle in text:
            return result
    raise HistoryError(f"unknown programme type {raw_type!r}")


def read_history(path: Path) -> list[HistoryRow]:
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for line_no, rec in enumerate(csv.DictReader(fh), start=2):
            try:
                kind, programme = programme_of(rec["type"])
                rows.append(
                    HistoryRow(
                        year=int(rec["year"]),
                        track_kind=kind,
                        programme=programme,
                        city=city_name(rec["city"]),
                        country=country_code(rec["country"]),
                        title=clean_title(rec["title"]),
                        korean_partner=SQUARE_NOTE.sub("", rec.get("korean_partner") or "").strip(),
                        source=(rec.get("source") or "").strip(),
                    )
                )
            except (KeyError, ValueError) as exc:
                raise HistoryError(f"{path}:{line_no}: {exc}") from exc
    return rows


def yearly_totals(rows) -> list[dict]:
    """Per year: projects, countries and cities, new and cumulative.

    Works on anything with year, country and city attributes (CSV rows or model objects),
    so the home page and the tests count the same way.
    """
    by_year: dict[int, list] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(row)
    seen_countries: set[str] = set()
    seen_cities: set[tuple[str, str]] = set()
    total = 0
    out = []
    for year in sorted(by_year):
        items = by_year[year]
        countries = {r.country for r in items}
        cities = {(r.country, r.city) for r in items}
        seen_countries |= countries
        seen_cities |= cities
        total += len(items)
        out.append(
            {
                "year": year,
                "projects": len(items),
                "countries": len(countries),
                "cities": len(cities),
                "cumulative_projects": total,
                "cumulative_countries": len(seen_countries),
                "cumulative_cities": len(seen_cities),
            }
        )
    return out
