"""Explanations on hand-made rounds whose answers are known."""

from __future__ import annotations

import importlib
from dataclasses import replace
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_properties import M as PM
from test_engine_properties import parse_roundtrip

from kcity.selection.engine import solve
from kcity.selection.engine.explain import explain
from kcity.selection.engine.instance import from_data

M = 100_000_000
# the module (the package's `explain` is the function): its work limits are patched
explain_module = importlib.import_module("kcity.selection.engine.explain")
merit_module = importlib.import_module("kcity.selection.engine.explain_merit")


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


def _in_optimal_set(instance, pid):
    """Is `pid` in some optimal set of `instance` (cold solves, with and without it forced)?"""
    best = solve(instance)
    forced = solve(replace(instance, include=(*instance.include, pid)))
    return forced["status"] == "optimal" and forced["objective"] >= best["objective"]


def test_country_cap_increase_is_suggested_and_verified():
    instance = _round([("A", "VN", 90, M), ("B", "VN", 80, M), ("C", "VN", 70, M)], cap=1)
    _, why = _explained(instance)
    assert {"change": "max_per_country", "to": 2} in why["B"]["changes"]
    assert "It would be selected if the country cap were 2." in why["B"]["text"]
    assert {"change": "max_per_country", "to": 3} in why["C"]["changes"]
    assert _in_optimal_set(replace(instance, max_per_country=3), "C")
    assert not _in_optimal_set(replace(instance, max_per_country=2), "C")


def test_track_maximum_increase_is_suggested():
    instance = _round([("A", "VN", 90, M), ("B", "PE", 80, M)], track={"max_projects": 1})
    _, why = _explained(instance)
    assert {"change": "track_max_projects", "track": "T", "to": 2} in why["B"]["changes"]
    assert "It would be selected if track T could have 2 projects." in why["B"]["text"]


def test_cycle_maximum_is_a_blocker_and_its_smallest_change():
    instance = replace(_round([("A", "VN", 90, M), ("B", "PE", 80, M), ("C", "ID", 70, M)]),
                       max_projects=1)
    result, why = _explained(instance)
    assert result["selected"] == ["A"]
    assert why["B"]["blocked_by"] == [{"constraint": "max_projects", "max": 1}]
    assert "the cycle is full (1 projects in all)" in why["B"]["text"]
    assert {"change": "max_projects", "to": 2} in why["B"]["changes"]
    assert {"change": "max_projects", "to": 3} in why["C"]["changes"]
    assert "It would be selected if the cycle could have 2 projects in all." in why["B"]["text"]
    assert why["B"]["budget_increase"] is None  # money alone never brings it in
    assert _in_optimal_set(replace(instance, max_projects=3), "C")
    assert not _in_optimal_set(replace(instance, max_projects=2), "C")


def test_cycle_maximum_in_merit_order():
    instance = replace(_round([("A", "VN", 90, M), ("B", "PE", 80, M)], policy="merit_order"),
                       max_projects=1)
    result, why = _explained(instance)
    assert result["selected"] == ["A"]
    assert why["B"]["blocked_by"] == [{"constraint": "max_projects", "max": 1}]
    assert why["B"]["changes"] == [{"change": "max_projects", "to": 2}]


def test_cycle_maximum_bounded_change_in_words():
    from kcity.selection.engine.explain import describe

    change = {"change": "max_projects", "exact": False, "to_at_least": 3, "to": 5}
    text = describe(_round([("A", "VN", 90, M)]), [{"constraint": "max_projects", "max": 2}],
                    [change], "optimal")
    assert "the cycle is full (2 projects in all)" in text
    assert ("It would be selected if the cycle could have 5 projects in all; the smallest "
            "such maximum is at least 3") in text


def test_track_budget_increase_is_smallest():
    instance = _round([("A", "VN", 90, M), ("B", "PE", 80, M)], track={"budget": 3 * M // 2})
    _, why = _explained(instance)
    assert {"change": "track_budget", "track": "T", "increase": M // 2} in why["B"]["changes"]
    assert "It would be selected if track T's budget were 50,000,000 KRW higher." in why["B"][
        "text"]
    track = instance.tracks[0]
    at = replace(instance, tracks=(replace(track, budget=2 * M),))
    below = replace(instance, tracks=(replace(track, budget=2 * M - 1),))
    assert _in_optimal_set(at, "B") and not _in_optimal_set(below, "B")


def test_merit_order_smallest_budget_increase_is_exact_when_not_monotone():
    # Budget 5: A(3), C(2) in; B short by 1, D by 2.  At 6: A, B in, C and D out; D only
    # comes in at 8 (A+B+C or A+B+D...), not at 5 + its shortfall: the walk is not monotone.
    instance = _round([("A", "VN", 90, 3 * M), ("B", "PE", 80, 3 * M), ("C", "ID", 70, 2 * M),
                       ("D", "KE", 60, 2 * M)], budget=5 * M, policy="merit_order")
    result, why = _explained(instance)
    assert result["selected"] == ["A", "C"]
    for pid, entry in why.items():
        increase = entry["budget_increase"]
        expected = _scan_budget(instance, pid)
        assert increase == expected, pid


def _scan_budget(instance, pid, step=M // 2):
    """The first budget (in steps that hit every sum of requests here) selecting pid."""
    budget = instance.budget
    while budget <= instance.budget + 20 * M:
        if pid in solve(replace(instance, budget=budget))["selected"]:
            return budget - instance.budget
        budget += step
    return None


def _first_selecting(pid, instances_by_value):
    """The first value whose instance selects `pid`, or None."""
    for value, instance in instances_by_value:
        if pid in solve(instance)["selected"]:
            return value
    return None


def _track_set(instance, code, field, value):
    return replace(instance, tracks=tuple(
        replace(t, **{field: value}) if t.code == code else t for t in instance.tracks))


@st.composite
def contested_rounds(draw, policy="merit_order"):
    """Feasible rounds where limits bind: no minimums, 2-8 proposals, tight limits, often
    a cycle maximum (the most projects in all)."""
    tracks = []
    for i in range(draw(st.integers(1, 2))):
        track = {"code": f"T{i}"}
        if draw(st.booleans()):
            track["max_projects"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            track["budget"] = draw(st.integers(1, 40)) * PM
        tracks.append(track)
    proposals = [{
        "id": f"P{i}", "track": f"T{draw(st.integers(0, len(tracks) - 1))}",
        "country": draw(st.sampled_from(["VN", "PE", "ID"])),
        "score": draw(st.integers(600, 1000)) / 10, "request": draw(st.integers(1, 20)) * PM,
    } for i in range(draw(st.integers(2, 8)))]
    total = sum(p["request"] for p in proposals)
    return {"cycle": "2024", "currency": "KRW", "policy": policy,
            "budget": draw(st.integers(0, total // PM)) * PM,
            "max_per_country": draw(st.sampled_from([None, 1, 2])),
            "max_projects": draw(st.sampled_from([None, None, 1, 2, 3])),
            "tracks": tracks, "proposals": proposals}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contested_rounds())
def test_merit_order_changes_equal_a_scan_of_every_value(data):
    """Budgets and track budgets scanned in steps of the request unit (every sum of
    requests is hit); caps and maximums scanned one by one: the first value that
    selects the proposal is the one reported, or none is reported."""
    instance = from_data(parse_roundtrip(data))
    result = solve(instance)
    if result["status"] != "optimal" or not result["reserve"]:
        return
    top = sum(p.request for p in instance.proposals) + PM
    n = len(instance.proposals)
    by_id = {p.id: p for p in instance.proposals}
    for entry in explain(instance, result):
        pid = entry["id"]
        changes = {(c["change"], c.get("track")): c for c in entry["changes"]}
        kinds = {d["constraint"] for d in entry["blocked_by"]}
        track = next(t for t in instance.tracks if t.code == by_id[pid].track)
        budget = instance.budget
        found = _first_selecting(pid, ((b - budget, replace(instance, budget=b))
                                       for b in range(budget, budget + top, PM)))
        assert entry["budget_increase"] == found
        if "track_budget" in kinds:
            found = _first_selecting(pid, (
                (b - track.budget, _track_set(instance, track.code, "budget", b))
                for b in range(track.budget, track.budget + top, PM)))
            got = changes.get(("track_budget", track.code))
            assert (None if got is None else got["increase"]) == found
        if "max_per_country" in kinds:
            found = _first_selecting(pid, ((c, replace(instance, max_per_country=c))
                                           for c in range(instance.max_per_country + 1, n + 1)))
            got = changes.get(("max_per_country", None))
            assert (None if got is None else got["to"]) == found
        if "track_max_projects" in kinds:
            found = _first_selecting(pid, (
                (m, _track_set(instance, track.code, "max_projects", m))
                for m in range(track.max_projects + 1, n + 1)))
            got = changes.get(("track_max_projects", track.code))
            assert (None if got is None else got["to"]) == found
        if "max_projects" in kinds:
            found = _first_selecting(pid, ((m, replace(instance, max_projects=m))
                                           for m in range(instance.max_projects + 1, n + 1)))
            got = changes.get(("max_projects", None))
            assert (None if got is None else got["to"]) == found


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contested_rounds(policy="max_merit"))
def test_max_merit_changes_equal_a_scan_of_every_value(data):
    """As above for max_merit, 'selected' meaning 'in some optimal set' (cold solves)."""
    data["proposals"] = data["proposals"][:5]
    for p in data["proposals"]:
        p["request"] = min(p["request"], 8 * PM)
    instance = from_data(parse_roundtrip(data))
    result = solve(instance)
    if result["status"] != "optimal" or not result["reserve"]:
        return
    top = sum(p.request for p in instance.proposals) + PM
    by_id = {p.id: p for p in instance.proposals}
    for entry in explain(instance, result):
        pid = entry["id"]
        changes = {(c["change"], c.get("track")): c for c in entry["changes"]}
        kinds = {d["constraint"] for d in entry["blocked_by"]}
        track = next(t for t in instance.tracks if t.code == by_id[pid].track)
        budget = instance.budget

        def first(pairs, pid=pid):
            return next((v for v, i in pairs if _in_optimal_set(i, pid)), None)

        assert entry["budget_increase"] == first(
            (b - budget, replace(instance, budget=b)) for b in range(budget, budget + top, PM))
        if "track_budget" in kinds:
            got = changes.get(("track_budget", track.code))
            assert (None if got is None else got["increase"]) == first(
                (b - track.budget, _track_set(instance, track.code, "budget", b))
                for b in range(track.budget, track.budget + top, PM))
        if "max_per_country" in kinds:
            got = changes.get(("max_per_country", None))
            assert (None if got is None else got["to"]) == first(
                (c, replace(instance, max_per_country=c))
                for c in range(instance.max_per_country + 1, 6))
        if "track_max_projects" in kinds:
            got = changes.get(("track_max_projects", track.code))
            assert (None if got is None else got["to"]) == first(
                (m, _track_set(instance, track.code, "max_projects", m))
                for m in range(track.max_projects + 1, 6))
        if "max_projects" in kinds:
            got = changes.get(("max_projects", None))
            assert (None if got is None else got["to"]) == first(
                (m, replace(instance, max_projects=m))
                for m in range(instance.max_projects + 1, 6))


def _subset_stats(instance):
    """Every subset of the fundable proposals with what the limits look at (brute force)."""
    from itertools import combinations

    from kcity.selection.engine.analysis import analyse

    analysis = analyse(instance)
    fundable = analysis.ranking
    stats = []
    for size in range(len(fundable) + 1):
        for subset in combinations(fundable, size):
            countries, track_count, track_award = {}, {}, {}
            for p in subset:
                countries[p.country] = countries.get(p.country, 0) + 1
                track_count[p.track] = track_count.get(p.track, 0) + 1
                track_award[p.track] = track_award.get(p.track, 0) + p.request
            stats.append(({p.id for p in subset}, sum(analysis.merit[p.id] for p in subset),
                          sum(p.request for p in subset), max(countries.values(), default=0),
                          track_count, track_award))
    return stats


def _brute_in_optimal_set(stats, instance, pid):
    """Is `pid` in some optimal set of `instance` (every subset enumerated)?"""
    best = best_with = None
    for ids, merit, award, top_country, track_count, track_award in stats:
        if award > instance.budget:
            continue
        cap = instance.max_per_country
        if cap is not None and top_country > cap:
            continue
        if instance.max_projects is not None and len(ids) > instance.max_projects:
            continue
        if any(track_count.get(t.code, 0) < t.min_projects
               or (t.max_projects is not None and track_count.get(t.code, 0) > t.max_projects)
               or (t.budget is not None and track_award.get(t.code, 0) > t.budget)
               for t in instance.tracks):
            continue
        best = merit if best is None else max(best, merit)
        if pid in ids:
            best_with = merit if best_with is None else max(best_with, merit)
    return best is not None and best_with is not None and best_with >= best


def _agrees(change, key, brute):
    """An exact change equals the brute-force answer; a bounded one (`exact` false)
    brackets it: no smaller value than `<key>_at_least` works and its `<key>`, when
    given, is a value that works (so the answer exists and is no larger)."""
    if change is None:
        return brute is None
    if change.get("exact", True):
        return change[key] == brute
    if brute is None:
        return key not in change
    return change[f"{key}_at_least"] <= brute and (key not in change or brute <= change[key])


def _check_by_brute_force(data, **options):
    data["proposals"] = data["proposals"][:6]
    instance = from_data(parse_roundtrip(data))
    result = solve(instance)
    if result["status"] != "optimal" or not result["reserve"]:
        return 0
    stats = _subset_stats(instance)
    sums = sorted({award for _, _, award, _, _, _ in stats})
    by_id = {p.id: p for p in instance.proposals}
    n = len(instance.proposals)
    checked = bounded = 0
    for entry in explain_module.explain(instance, result, **options):
        pid = entry["id"]
        changes = {(c["change"], c.get("track")): c for c in entry["changes"]}
        kinds = {d["constraint"] for d in entry["blocked_by"]}
        track = next(t for t in instance.tracks if t.code == by_id[pid].track)
        bounded += not entry.get("exact", True)

        def first(pairs, pid=pid):
            return next((v for v, i in pairs if _brute_in_optimal_set(stats, i, pid)), None)

        budget = instance.budget
        got = changes.get(("budget", None))
        brute = first((b - budget, replace(instance, budget=b))
                      for b in [budget, *(s for s in sums if s > budget)])
        assert _agrees(got, "increase", brute), (pid, got, brute)
        if got is None or got.get("exact", True):
            assert entry["budget_increase"] == brute
        else:
            assert entry["budget_increase"] is None and entry["exact"] is False
        checked += 1
        if "track_budget" in kinds:
            got = changes.get(("track_budget", track.code))
            assert _agrees(got, "increase", first(
                (b - track.budget, _track_set(instance, track.code, "budget", b))
                for b in [track.budget, *(s for s in sums if s > track.budget)]))
            checked += 1
        if "max_per_country" in kinds:
            got = changes.get(("max_per_country", None))
            assert _agrees(got, "to", first(
                (c, replace(instance, max_per_country=c))
                for c in range(instance.max_per_country + 1, n + 1)))
            checked += 1
        if "track_max_projects" in kinds:
            got = changes.get(("track_max_projects", track.code))
            assert _agrees(got, "to", first(
                (m, _track_set(instance, track.code, "max_projects", m))
                for m in range(track.max_projects + 1, n + 1)))
            checked += 1
        if "max_projects" in kinds:
            got = changes.get(("max_projects", None))
            assert _agrees(got, "to", first(
                (m, replace(instance, max_projects=m))
                for m in range(instance.max_projects + 1, n + 1)))
            checked += 1
    assert checked >= len(result["reserve"])
    return bounded


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contested_rounds(policy="max_merit"))
def test_max_merit_smallest_change_is_exact_by_brute_force(data):
    """For every reserve proposal and every kind of limit explained: the reported value,
    applied, puts it in an optimal set (every subset enumerated) and no smaller value
    that could matter does (money: the current value and every sum of requests above
    it; counts: every integer), and when none is reported no value at all does."""
    assert _check_by_brute_force(data, seconds=None) == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contested_rounds(policy="max_merit"), st.sampled_from([0, 1, 2]))
def test_max_merit_bounded_changes_bracket_the_brute_force_answer(data, rounds):
    """With the money search cut after 0-2 rounds (or no time at all), what is reported
    is still true: exact answers equal brute force, bounded ones bracket it."""
    with patch.object(merit_module, "MAX_ROUNDS", rounds), \
            patch.object(merit_module, "LP_ROUNDS", rounds):
        _check_by_brute_force(data, seconds=None)
    _check_by_brute_force(data, seconds=0)


def test_bounded_change_in_data_and_words():
    # C needs 0.5 more (test_total_budget_shortfall...); with no round allowed the search
    # proves nothing below the current budget and `finish` finds a value that works
    instance = _round([("A", "VN", 90, 3 * M // 2), ("B", "PE", 50, M // 2),
                       ("C", "ID", 80, M)], budget=2 * M)
    result = solve(instance)
    with patch.object(merit_module, "MAX_ROUNDS", 0), patch.object(merit_module, "LP_ROUNDS", 0):
        why = {e["id"]: e for e in explain_module.explain(instance, result, seconds=None)}
    entry = why["C"]
    change = entry["changes"][0]
    assert entry["exact"] is False and entry["budget_increase"] is None
    assert change["change"] == "budget" and change["exact"] is False
    assert change["increase_at_least"] == 0 and change["increase"] >= M // 2
    assert "the smallest such increase is at least 0 KRW" in entry["text"]


def test_dominated_proposal_is_never_brought_in_by_a_budget():
    # B and C are beaten by A (same track and country, higher merit, no larger request):
    # under a cap of 1 no budget brings them in; a cap of 2 brings B in, C needs 3.
    instance = _round([("A", "VN", 90, M), ("B", "VN", 80, M), ("C", "VN", 70, 2 * M)],
                      cap=1)
    _, why = _explained(instance)
    assert why["B"]["budget_increase"] is None and why["C"]["budget_increase"] is None
    assert {"change": "max_per_country", "to": 2} in why["B"]["changes"]
    assert {"change": "max_per_country", "to": 3} in why["C"]["changes"]
    assert _in_optimal_set(replace(instance, max_per_country=3), "C")
    assert not _in_optimal_set(replace(instance, max_per_country=2), "C")
    assert not _in_optimal_set(replace(instance, budget=100 * M), "B")
