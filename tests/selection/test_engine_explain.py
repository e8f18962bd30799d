"""Explanations on hand-made rounds whose answers are known."""

from __future__ import annotations

from kcity.selection.engine import explain, solve
from kcity.selection.engine.instance import from_data

M = 100_000_000


def _round(proposals, *, budget=10 * M, cap=None, track=None, policy="max_merit"):
    track = {"code": "T", **(track or {})}
    return from_data({
        "cycle": "2024", "currency": "KRW", "budget": budget, "policy": policy,
        "max_per_country": cap, "tracks": [track],
        "proposals": [{"id": i, "track": "T", "country": c, "score": s, "request": r}
                      for i, c, s, r in proposals],
    })


def _explained(instance):
    result = solve(instance)
    entries = explain(instance, result)
    assert [e["id"] for e in entries] == result["reserve"]
    return result, {e["id"]: e for e in entries}


def test_country_cap_names_the_holder():
    instance = _round([("A", "VN", 90, M), ("B", "VN", 80, M)], cap=1)
    result, why = _explained(instance)
    assert result["selected"] == ["A"]
    assert why["B"]["blocked_by"] == [
        {"constraint": "max_per_country", "country": "VN", "cap": 1, "held_by": ["A"]}]
    assert why["B"]["budget_increase"] is None
    assert "country VN already has its 1 project(s) (A)" in why["B"]["text"]
    assert "No budget increase alone brings it in." in why["B"]["text"]


def test_track_maximum():
    instance = _round([("A", "VN", 90, M), ("B", "PE", 80, M)], track={"max_projects": 1})
    _, why = _explained(instance)
    assert why["B"]["blocked_by"] == [{"constraint": "track_max_projects", "track": "T", "max": 1}]
    assert "track T is full (1 projects)" in why["B"]["text"]


def test_track_budget_shortfall():
    instance = _round([("A", "VN", 90, M), ("B", "PE", 80, M)],
                      track={"budget": 3 * M // 2})
    _, why = _explained(instance)
    assert why["B"]["blocked_by"] == [
        {"constraint": "track_budget", "track": "T", "short_by": M // 2}]
    assert why["B"]["budget_increase"] is None  # the total budget is not what stops it


def test_total_budget_shortfall_and_smallest_increase():
    # At 2.0: A+B (140) beats B+C (130).  C is 1.0 short, yet at 2.5 A+C (170) is best,
    # so the smallest increase (0.5) is less than the shortfall (1.0).
    instance = _round([("A", "VN", 90, 3 * M // 2), ("B", "PE", 50, M // 2),
                       ("C", "ID", 80, M)], budget=2 * M)
    result, why = _explained(instance)
    assert result["selected"] == ["A", "B"]
    assert why["C"]["blocked_by"] == [{"constraint": "budget", "short_by": M}]
    assert why["C"]["budget_increase"] == M // 2
    assert "selected if the budget were 50,000,000 KRW higher" in why["C"]["text"]
    bigger = solve(_round([("A", "VN", 90, 3 * M // 2), ("B", "PE", 50, M // 2),
                           ("C", "ID", 80, M)], budget=2 * M + M // 2))
    assert "C" in bigger["selected"]
    smaller = solve(_round([("A", "VN", 90, 3 * M // 2), ("B", "PE", 50, M // 2),
                            ("C", "ID", 80, M)], budget=2 * M + M // 2 - 1))
    assert "C" not in smaller["selected"]


def test_merit_order_budget_shortfall():
    instance = _round([("A", "VN", 90, 2 * M), ("B", "PE", 80, 2 * M)], budget=3 * M,
                      policy="merit_order")
    result, why = _explained(instance)
    assert result["selected"] == ["A"]
    assert why["B"]["blocked_by"] == [{"constraint": "budget", "short_by": M}]
    assert why["B"]["budget_increase"] == M
    assert "selected if the budget were 100,000,000 KRW higher" in why["B"]["text"]


def test_default_result_has_no_explanations():
    result = solve(_round([("A", "VN", 90, M), ("B", "VN", 80, M)], cap=1))
    assert "explanations" not in result
