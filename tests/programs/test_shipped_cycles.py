"""The shipped cycle configurations say what the ministry announced (docs/data/README.md)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kcity.programs.models import Cycle, IntakeMode

KST = ZoneInfo("Asia/Seoul")


def track(year, code):
    return Cycle.objects.get(year=year).tracks.get(code=code)


def test_2021_had_three_programmes(demo):
    cycle = Cycle.objects.get(year=2021)
    assert cycle.max_projects == 11  # the cycle-wide cap of the exchange format 1.1
    assert list(cycle.tracks.values_list("code", flat=True)) == ["CITY", "SOLUTION", "DEMO"]
    city, solution, demo_track = (track(2021, c) for c in ["CITY", "SOLUTION", "DEMO"])
    assert (city.grant_min, city.grant_max, city.max_projects) == (400_000_000, 600_000_000, 4)
    assert (solution.grant_min, solution.grant_max, solution.max_projects) == (
        200_000_000, 300_000_000, 4)
    assert (demo_track.grant_min, demo_track.grant_max, demo_track.max_projects) == (
        400_000_000, 600_000_000, 3)
    assert demo_track.applicant_types == ["korean_company"]
    assert city.secretariat == "KIND" and demo_track.secretariat == "KAIA"


def test_2023_budget_and_kst_deadlines(demo):
    cycle = Cycle.objects.get(year=2023)
    assert cycle.total_budget == 4_000_000_000
    assert track(2023, "PLAN").deadline.astimezone(KST).date() == dt.date(2023, 5, 10)
    assert track(2023, "DEMO").deadline.astimezone(KST).date() == dt.date(2023, 5, 30)
    # Stored in UTC: 18:00 KST is 09:00 UTC.
    assert track(2023, "DEMO").deadline.astimezone(dt.UTC).hour == 9


def test_2024_year_round_planning_with_april_cutoff(demo):
    plan = track(2024, "PLAN")
    assert plan.intake_mode == IntakeMode.YEAR_ROUND
    assert plan.cutoff.astimezone(KST).month == 4
    assert plan.stages[0] == "pre_consultation"
    assert (plan.grant_min, plan.grant_max) == (300_000_000, 600_000_000)
    demo_track = track(2024, "DEMO")
    assert (demo_track.grant_min, demo_track.grant_max, demo_track.max_projects) == (
        200_000_000, 400_000_000, 6)
    cycle = Cycle.objects.get(year=2024)
    assert (cycle.total_budget, cycle.max_projects) == (4_000_000_000, 8)


def test_2025_quotas(demo):
    plan, demo_track = track(2025, "PLAN"), track(2025, "DEMO")
    assert (plan.grant_max, plan.min_projects, plan.max_projects) == (700_000_000, 3, 4)
    assert (demo_track.grant_max, demo_track.min_projects, demo_track.max_projects) == (
        400_000_000, 5, 6)


@pytest.mark.parametrize("year", [2021, 2023, 2024, 2025, 2026])
def test_every_shipped_track_is_valid_with_weighted_criteria(demo, year):
    for t in Cycle.objects.get(year=year).tracks.all():
        t.full_clean()
        assert sum(c.weight for c in t.criteria.all()) == 100
        assert t.required_documents
