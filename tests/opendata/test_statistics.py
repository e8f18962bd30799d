"""The statistics: every figure equals a count made independently here (from the history
CSV read by `read_history` and from the rows the test created); demo rows never count; the
page is in Korean and English, its charts have tables, and its queries do not grow with rows."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from stats_world import YEAR, build_world

from kcity.applications.lifecycle import allowed_moves, transition
from kcity.opendata import statistics
from kcity.portfolio.history import read_history, yearly_totals
from kcity.portfolio.models import SelectedProject, region_of
from kcity.projects.delivery_models import Deliverable, Payment
from kcity.site.demo import history_file, load_history

pytestmark = pytest.mark.django_db


def history():
    return read_history(history_file())


def test_per_year_and_cumulative_equal_the_history_file():
    load_history()
    expected = yearly_totals(history())
    kinds = Counter((r.year, r.track_kind) for r in history())
    got = statistics.by_year()
    assert [r["year"] for r in got] == [e["year"] for e in expected]
    for row, want in zip(got, expected, strict=True):
        for key in want:
            assert row[key] == want[key], (row["year"], key)
        assert row["planning"] == kinds[(row["year"], "planning")]
        assert row["demonstration"] == kinds[(row["year"], "demonstration")]


def test_the_record_by_2023_is_41_projects_in_23_countries():
    """docs/data/README.md: "41 in 23 countries by 2023"; the shipped CSV says the same."""
    rows = [r for r in history() if r.year <= 2023]
    assert len(rows) == 41 and len({r.country for r in rows}) == 23
    load_history()
    until_2023 = statistics.by_year(until=2023)[-1]
    assert (until_2023["cumulative_projects"], until_2023["cumulative_countries"]) == (41, 23)


def test_home_page_and_statistics_page_agree_on_2023(client):
    load_history()
    for page in ("/en/", "/en/statistics/"):
        html = client.get(page).content.decode()
        row = re.search(r'<tr data-year="2023">(.*?)</tr>', html, re.S).group(1)
        cells = [int(c) for c in re.findall(r"<td[^>]*>(\d+)</td>", row)]
        assert cells[-3:-1] == [41, 23], page  # cumulative projects, countries


def test_by_track_and_by_region_equal_the_history_file():
    load_history()
    rows = history()
    tracks = Counter((r.track_kind, r.programme) for r in rows)
    assert {(r["track_kind"], r["programme"]): r["projects"]
            for r in statistics.by_track()} == dict(tracks)
    regions = Counter(region_of(r.country) for r in rows)
    got = statistics.by_region()
    assert {r["region"]: r["projects"] for r in got} == dict(regions)
    countries = Counter(region_of(c) for c in {r.country for r in rows})
    assert {r["region"]: r["countries"] for r in got} == dict(countries)
    assert [r["projects"] for r in got] == sorted((r["projects"] for r in got), reverse=True)
    year_2022 = Counter(region_of(r.country) for r in rows if r.year == 2022)
    assert {r["region"]: r["projects"] for r in statistics.by_region(year=2022)} == dict(year_2022)


def test_money_follow_on_and_applications_of_a_known_world():
    world = build_world()
    money = statistics.money(year=YEAR)
    hue, tashkent = world["hue"], world["tashkent"]
    assert money["award"] == hue.award + tashkent.award == 900_000_000
    assert money["contract_value"] == 450_000_000
    assert money["disbursed"] == sum(p.amount for p in hue.payments.all()) == 150_000_000
    assert (money["platform_projects"], money["history_projects"]) == (2, 0)
    everything = statistics.money()
    assert everything["award"] == 900_000_000  # the demo project's 9,000,000,000 never counts
    assert everything["history_projects"] == len(history())
    assert statistics.paid_during(year=YEAR) == 150_000_000
    assert statistics.money_by_year() == [{"year": YEAR, "platform": 2, "award": 900_000_000,
                                           "contract_value": 450_000_000,
                                           "disbursed": 150_000_000}]

    follow = statistics.follow_on()
    assert (follow["count"], follow["amount"], follow["without_amount"]) == (
        3, 2_300_000_000, 1)
    assert {k["kind"]: (k["count"], k["amount"]) for k in follow["kinds"]} == {
        "mdb_investment": (1, 2_000_000_000), "ppp": (2, 300_000_000)}

    apps = statistics.applications()
    submitted = [p for p in world["proposals"].values() if p.state != "draft"]
    assert {(r["year"], r["code"]): r["count"] for r in apps["by_track"]} == {
        (YEAR, "PLAN"): sum(p.track.code == "PLAN" for p in submitted),
        (YEAR, "DEMO"): sum(p.track.code == "DEMO" for p in submitted)}
    assert {r["country"]: r["count"] for r in apps["by_country"]} == dict(
        Counter(str(p.country) for p in submitted))
    assert apps["per_cycle"] == [{"year": YEAR, "count": 5, "planning": 3, "demonstration": 2,
                                  "countries": 4}]
    assert statistics.years()[-1] == YEAR and 2099 not in statistics.years()

    progress = statistics.progress(year=YEAR)
    assert progress["projects"][0]["state"] == "in_progress"
    assert progress["project_count"] == 2 and progress["deliverable_count"] == 2


def test_platform_projects_add_to_the_history_counts():
    build_world()
    last = statistics.by_year()[-1]
    expected = yearly_totals(history())[-1]
    assert last["year"] == YEAR and last["projects"] == 2 and last["countries"] == 2
    assert last["cumulative_projects"] == expected["cumulative_projects"] + 2
    known = {r.country for r in history()}
    assert last["cumulative_countries"] == expected["cumulative_countries"] + len(
        {"VN", "UZ"} - known)


def test_statistics_page_in_both_languages_with_accessible_charts(client):
    build_world()
    en = client.get("/en/statistics/")
    ko = client.get("/ko/statistics/")
    assert en.status_code == ko.status_code == 200
    html, ko_html = en.content.decode(), ko.content.decode()
    assert "Projects per year, by track" in html and "Applications received" in html
    assert "연도별" in ko_html and "통계" in ko_html
    assert html.count("<svg") >= 4
    assert html.count('aria-hidden="true"') >= html.count("<svg")
    assert "style=" not in html and "<script" not in html and "<style" not in html
    assert "/static/opendata/charts.css" in html
    # the published history has no amounts: the page says so
    assert re.search(r"\d+ projects of the published history have no recorded amounts", html)
    assert "Hue City" not in html and "Da Nang City" not in html  # applications are counts
    assert "2099" not in html and "Demo City" not in html
    assert 'id="money-award">900,000,000 KRW<' in html
    assert "9억" in ko_html


def test_year_filter_and_a_bad_year(client):
    load_history()
    html = client.get("/en/statistics/?year=2023").content.decode()
    assert 'id="stat-projects">8<' in html and 'id="stat-countries">7<' in html
    bad = client.get("/en/statistics/?year=abc")
    assert bad.status_code == 200
    assert "There are no statistics for the year abc" in bad.content.decode()
    assert f'id="stat-projects">{len(history())}<' in bad.content.decode()
    assert client.get("/en/statistics/?year=1999").status_code == 200


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_statistics_page_queries_do_not_grow_with_rows(client):
    build_world(extra_projects=3)
    few = _queries(client, "/en/statistics/")
    few_year = _queries(client, f"/en/statistics/?year={YEAR}")
    SelectedProject.objects.bulk_create(
        SelectedProject(year=2040 + i % 5, track_kind="demonstration", programme="demonstration",
                        city=f"Town {i}", country=["TH", "BO", "KE", "PL", "CO"][i % 5])
        for i in range(120))
    assert _queries(client, "/en/statistics/") == few
    assert _queries(client, f"/en/statistics/?year={YEAR}") == few_year
    # Computed: the fingerprint, the years, 12 aggregates, the public reports.
    assert few <= 15


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main>"):html.index("</main>")]


def test_statistics_page_is_kept_until_the_data_changes(client):
    """The computed page (figures and charts) is kept in the cache under a fingerprint of
    the data: the next request after any change shows it, and nothing is kept by time."""
    world = build_world()
    first = main(client.get("/en/statistics/"))
    with CaptureQueriesContext(connection) as ctx:
        again = main(client.get("/en/statistics/"))
    assert again == first
    assert len(ctx.captured_queries) == 2  # the fingerprint, the public reports
    projects = int(re.search(r'id="stat-projects">(\d+)<', first).group(1))
    assert f'id="stat-projects">{projects}<' in main(client.get("/ko/statistics/"))

    SelectedProject.objects.create(year=YEAR + 1, track_kind="planning", programme="planning",
                                   city="Vientiane", country="LA", title="New")
    html = client.get("/en/statistics/").content.decode()
    assert f'id="stat-projects">{projects + 1}<' in html
    assert 'id="money-disbursed">150,000,000 KRW<' in html
    deliverable = Deliverable.objects.filter(project=world["hue"]).first()
    Payment.objects.create(project=world["hue"], deliverable=deliverable, amount=25_000_000,
                           paid_on=dt.date(YEAR, 11, 1), recorded_by=world["secretariat"],
                           recorded_at=timezone.now())
    html = client.get("/en/statistics/").content.decode()
    assert 'id="money-disbursed">175,000,000 KRW<' in html
    # Korean and a year have their own entries, refreshed the same way.
    assert f'id="stat-projects">{projects + 1}<' in main(client.get("/ko/statistics/"))
    assert 'id="stat-projects">1<' in main(client.get(f"/ko/statistics/?year={YEAR + 1}"))

    # A change of state (written with its event by the lifecycle) moves the fingerprint.
    stamp = statistics.fingerprint()
    secretariat = world["secretariat"]
    proposal = world["proposals"]["Almaty Akimat"]
    to_state, _move = allowed_moves(secretariat, proposal)[0]
    transition(proposal, to_state, by=secretariat, reason="statistics test")
    assert statistics.fingerprint() != stamp
