"""The history loader against the shipped data file and the publicly reported totals."""

import csv
import hashlib

import pytest

from kcity.portfolio.history import (
    HistoryError,
    city_name,
    clean_title,
    country_code,
    read_history,
    yearly_totals,
)
from kcity.site.demo import history_file


def cumulative(rows, year):
    upto = [r for r in rows if r.year <= year]
    return len(upto), len({r.country for r in upto})


# SHA-256 of kcity_projects.csv as the programme's data set delivered it (its facts and
# sources: docs/data/README.md); the shipped file is that file, unchanged.
DELIVERED_SHA256 = "84216e9f519423d2333d347253f924cb69931559414a39de597d7967f4083da9"


def test_shipped_copy_is_the_delivered_file():
    assert hashlib.sha256(history_file().read_bytes()).hexdigest() == DELIVERED_SHA256


def test_every_row_is_loaded():
    with open(history_file(), newline="", encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    rows = read_history(history_file())
    assert len(rows) == len(raw)
    assert all(len(r.country) == 2 and r.country.isupper() for r in rows)
    assert all("[" not in r.city and "(" not in r.city and "[" not in r.title for r in rows)


@pytest.mark.parametrize(
    "year, projects, countries",
    # The cumulative totals the ministry and press reported (docs/data/README.md) for the
    # years the file covers fully; they check the country normalisation.
    [(2021, 23, 19), (2022, 33, 21), (2023, 41, 23)],
)
def test_reported_cumulative_totals(year, projects, countries):
    assert cumulative(read_history(history_file()), year) == (projects, countries)


def test_yearly_totals_match_a_direct_count():
    rows = read_history(history_file())
    totals = yearly_totals(rows)
    assert [t["year"] for t in totals] == sorted({r.year for r in rows})
    for t in totals:
        in_year = [r for r in rows if r.year == t["year"]]
        assert t["projects"] == len(in_year)
        assert t["countries"] == len({r.country for r in in_year})
        assert (t["cumulative_projects"], t["cumulative_countries"]) == cumulative(rows, t["year"])
    assert totals[-1]["cumulative_cities"] == len({(r.country, r.city) for r in rows})


def test_normalisation():
    assert country_code("Türkiye") == country_code("Turkey") == "TR"
    assert country_code("USA") == "US" and country_code("United Kingdom") == "GB"
    assert city_name("New capital (East Kalimantan)") == "Nusantara"
    assert city_name("Nusantara (new capital)") == "Nusantara"
    assert city_name("Tashkent (new airport hinterland)") == "Tashkent"
    assert clean_title("Smart city plan (title not found) [Hankyung writes 'Clark']") == (
        "Smart city plan"
    )
    assert clean_title("Cusco airport site smart city basic concept") == (
        "Cusco airport site smart city basic concept"
    )


def test_unknown_country_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "year,type,city,country,title,korean_partner,source\n"
        "2020,planning (계획수립형),Atlantis,Atlantis,X,,\n",
        encoding="utf-8",
    )
    with pytest.raises(HistoryError, match="bad.csv:2: .*Atlantis"):
        read_history(bad)
