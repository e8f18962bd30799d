"""Property tests: max_merit is optimal (brute force, swaps) and merit_order walks as specified.

The checks here are written independently of the engine's own code (their own
constraint checker, brute force, reference walk and, for rounds too large to enumerate,
the plain 0/1 program solved by `scipy.optimize.milp`).  Every generated round may carry
the cycle's `max_projects` (selection.md 1.1).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from kcity.selection.engine import parse, solve
from kcity.selection.engine.instance import from_data
from kcity.selection.engine.session import Session

pytestmark = pytest.mark.slow  # starts processes or searches many rounds

COUNTRIES = ["VN", "PE", "ID", "KE"]
M = 10_000_000  # KRW unit of the generated requests
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw, max_proposals=12, policy="max_merit"):
    """Small random rounds: 1-3 tracks, a few countries, binding budgets, often a cycle
    maximum (the most projects in all)."""
    n_tracks = draw(st.integers(1, 3))
    tracks = []
    for i in range(n_tracks):
        track = {"code": f"T{i}", "min_projects": draw(st.integers(0, 2))}
        if draw(st.booleans()):
            track["max_projects"] = draw(st.integers(1, 5))
        if draw(st.booleans()):
            track["budget"] = draw(st.integers(0, 60)) * M
        if draw(st.booleans()):
            track["grant_min"] = 2 * M
            track["grant_max"] = 25 * M
        tracks.append(track)
    proposals = []
    for i in range(draw(st.integers(0, max_proposals))):
        proposals.append({
            "id": f"P{i:02d}",
            "track": f"T{draw(st.integers(0, n_tracks if draw(st.booleans()) else n_tracks - 1))}",
            "country": draw(st.sampled_from(COUNTRIES)),
            "score": draw(st.integers(500, 1000)) / 10,
            "request": draw(st.integers(1, 30)) * M,
            "matching_funds": draw(st.booleans()),
            "prior_planning": draw(st.booleans()),
            "eligible": draw(st.integers(0, 9)) > 0,
        })
    ids = [p["id"] for p in proposals]
    data = {
        "cycle": "2024", "currency": "KRW", "policy": policy,
        "budget": draw(st.integers(0, 150)) * M,
        "min_score": draw(st.sampled_from([0, 60, 70])),
        "max_per_country": draw(st.sampled_from([None, 1, 2])),
        "bonus": {"matching_funds": 2, "prior_planning": 1.5},
        "tracks": tracks, "proposals": proposals,
    }
    if draw(st.booleans()):
        data["max_projects"] = draw(st.one_of(st.none(), st.integers(0, 6)))
    if ids and draw(st.integers(0, 3)) == 0:
        data["fixed"] = {"include": draw(st.lists(st.sampled_from(ids), max_size=2)),
                         "exclude": draw(st.lists(st.sampled_from(ids), max_size=2))}
    return data


# -- an independent reading of the spec ---------------------------------------------


def fundable(data):
    """(fundable proposals with merit, ranked) per the spec, written afresh."""
    tracks = {t["code"]: t for t in data["tracks"]}
    excluded = set(data.get("fixed", {}).get("exclude", []))
    bonus = data.get("bonus", {})
    out = []
    for p in data["proposals"]:
        t = tracks.get(p["track"])
        if t is None or not p.get("eligible", True) or p["score"] < data.get("min_score", 0):
            continue
        lo, hi = t.get("grant_min"), t.get("grant_max")
        if (lo is not None and p["request"] < lo) or (hi is not None and p["request"] > hi):
            continue
        if p["id"] in excluded:
            continue
        merit = (Decimal(str(p["score"]))
                 + Decimal(str(bonus.get("matching_funds", 0))) * p.get("matching_funds", False)
                 + Decimal(str(bonus.get("prior_planning", 0))) * p.get("prior_planning", False))
        out.append((p, merit))
    out.sort(key=lambda pm: (-pm[1], -Decimal(str(pm[0]["score"])), pm[0]["request"],
                             pm[0]["id"]))
    return out


def upper_ok(data, chosen):
    """Constraints 1, 2 (upper limits) and 3."""
    if sum(p["request"] for p in chosen) > data["budget"]:
        return False
    if data.get("max_projects") is not None and len(chosen) > data["max_projects"]:
        return False
    for t in data["tracks"]:
        mine = [p for p in chosen if p["track"] == t["code"]]
        if t.get("max_projects") is not None and len(mine) > t["max_projects"]:
            return False
        if t.get("budget") is not None and sum(p["request"] for p in mine) > t["budget"]:
            return False
    cap = data.get("max_per_country")
    return cap is None or all(
        sum(p["country"] == c for p in chosen) <= cap for c in {p["country"] for p in chosen})


def valid(data, chosen):
    """Constraints 1-4."""
    ids = {p["id"] for p in chosen}
    if not set(data.get("fixed", {}).get("include", [])) <= ids:
        return False
    mins_ok = all(sum(p["track"] == t["code"] for p in chosen) >= t.get("min_projects", 0)
                  for t in data["tracks"])
    return mins_ok and upper_ok(data, chosen)


def brute_force(data):
    """Best total merit over all subsets of the fundable proposals, None if none is valid."""
    ranked = fundable(data)
    best = None
    for r in range(len(ranked) + 1):
        for combo in itertools.combinations(ranked, r):
            if valid(data, [p for p, _ in combo]):
                value = sum((m for _, m in combo), Decimal(0))
                best = value if best is None or value > best else best
    return best


def chosen_of(data, result):
    by_id = {p["id"]: p for p in data["proposals"]}
    return [by_id[i] for i in result["selected"]]


# -- max_merit ------------------------------------------------------------------------


@SETTINGS
@given(instances(max_proposals=12))
def test_max_merit_equals_brute_force(data):
    result = solve(from_data(parse_roundtrip(data)))
    best = brute_force(data)
    if best is None:
        assert result["status"] == "infeasible"
        assert result["reason"]
    else:
        assert result["status"] == "optimal"
        assert abs(result["objective"] - float(best)) < 1e-9
        assert result["bound"] == result["objective"]
        assert valid(data, chosen_of(data, result))


@SETTINGS
@given(instances(max_proposals=40))
def test_max_merit_has_no_improving_addition_or_swap(data):
    result = solve(from_data(parse_roundtrip(data)))
    if result["status"] == "infeasible":
        return
    chosen = chosen_of(data, result)
    assert valid(data, chosen)
    merits = {p["id"]: m for p, m in fundable(data)}
    assert abs(result["objective"] - float(sum(merits[p["id"]] for p in chosen))) < 1e-9
    assert result["awarded"] == sum(p["request"] for p in chosen)
    by_id = {p["id"]: p for p in data["proposals"]}
    reserve = [by_id[i] for i in result["reserve"]]
    for extra in reserve:
        if merits[extra["id"]] > 0:
            assert not valid(data, chosen + [extra]), f"adding {extra['id']} improves"
    for out in chosen:
        rest = [p for p in chosen if p is not out]
        for extra in reserve:
            if merits[extra["id"]] > merits[out["id"]]:
                assert not valid(data, rest + [extra]), f"swap {out['id']}->{extra['id']}"


def test_result_lists_partition_the_proposals():
    data = {"cycle": "2024", "currency": "KRW", "budget": 50 * M, "policy": "max_merit",
            "tracks": [{"code": "T0"}],
            "proposals": [{"id": f"P{i}", "track": "T0", "country": "VN", "score": 80 + i,
                           "request": 20 * M} for i in range(4)]}
    result = solve(from_data(data))
    assert result["selected"] == ["P3", "P2"]
    assert result["reserve"] == ["P1", "P0"]
    assert result["by_track"] == {"T0": {"count": 2, "awarded": 40 * M}}


# -- merit_order ----------------------------------------------------------------------


def keeps(data, chosen, p):
    """Adding p keeps the limits that involve p: total budget, p's track, p's country.

    (When fixed includes already break another track's limit, that does not stop p.)
    """
    after = chosen + [p]
    if sum(q["request"] for q in after) > data["budget"]:
        return False
    if data.get("max_projects") is not None and len(after) > data["max_projects"]:
        return False
    t = next(t for t in data["tracks"] if t["code"] == p["track"])
    mine = [q for q in after if q["track"] == t["code"]]
    if t.get("max_projects") is not None and len(mine) > t["max_projects"]:
        return False
    if t.get("budget") is not None and sum(q["request"] for q in mine) > t["budget"]:
        return False
    cap = data.get("max_per_country")
    return cap is None or sum(q["country"] == p["country"] for q in after) <= cap


def reference_walk(data):
    """The walk rule of the spec, written as plainly as possible."""
    ranked = [p for p, _ in fundable(data)]
    by_id = {p["id"]: p for p in ranked}
    chosen = []
    for pid in data.get("fixed", {}).get("include", []):
        if pid in by_id and by_id[pid] not in chosen:
            chosen.append(by_id[pid])
    for t in data["tracks"]:
        need = t.get("min_projects", 0)
        if need <= 0:
            continue
        for p in ranked:
            if sum(q["track"] == t["code"] for q in chosen) >= need:
                break
            if p["track"] == t["code"] and p not in chosen and keeps(data, chosen, p):
                chosen.append(p)
    for p in ranked:
        if p not in chosen and keeps(data, chosen, p):
            chosen.append(p)
    return chosen


@SETTINGS
@given(instances(max_proposals=25, policy="merit_order"))
def test_merit_order_follows_the_walk_rule(data):
    result = solve(from_data(parse_roundtrip(data)))
    expected = reference_walk(data)
    ranked_ids = [p["id"] for p, _ in fundable(data)]
    assert result["selected"] == [i for i in ranked_ids if i in {p["id"] for p in expected}]
    assert "bound" not in result
    if valid(data, expected):
        assert result["status"] == "optimal"
    else:
        assert result["status"] == "infeasible" and result["reason"]


def parse_roundtrip(data):
    """Through JSON text, as the CLI reads it (scores become exact decimals)."""
    import json

    from kcity.selection.engine.instance import loads

    return loads(json.dumps(data))


def test_scores_are_exact_decimals():
    data = {"cycle": "2024", "currency": "KRW", "budget": 100, "policy": "max_merit",
            "bonus": {"matching_funds": 0.2},
            "tracks": [{"code": "T"}],
            "proposals": [{"id": "A", "track": "T", "country": "VN", "score": 0.1,
                           "request": 1, "matching_funds": True}]}
    import json

    result = solve(parse(json.dumps(data)))
    assert result["objective"] == 0.3  # 0.1 + 0.2 in floats would be 0.30000000000000004


# -- larger rounds against scipy's MILP (HiGHS through scipy, no reductions) ------------


def scipy_optimum(data):
    """The best total merit by `scipy.optimize.milp` on the plain 0/1 program of
    constraints 1-4 (merit scaled by 10: the generated scores and bonuses have one
    decimal), None when it is infeasible."""
    ranked = fundable(data)
    n = len(ranked)
    include = set(data.get("fixed", {}).get("include", []))
    fundable_ids = {p["id"] for p, _ in ranked}
    if not include <= fundable_ids:
        return None
    if n == 0:
        return Decimal(0) if valid(data, []) else None
    rows, lower, upper = [], [], []

    def row(coefficients, lo, hi):
        rows.append(coefficients)
        lower.append(lo)
        upper.append(hi)

    request = np.array([p["request"] / M for p, _ in ranked])
    row(request, -np.inf, data["budget"] / M)
    if data.get("max_projects") is not None:
        row(np.ones(n), -np.inf, data["max_projects"])
    for t in data["tracks"]:
        mine = np.array([p["track"] == t["code"] for p, _ in ranked], dtype=float)
        high = np.inf if t.get("max_projects") is None else t["max_projects"]
        row(mine, t.get("min_projects", 0), high)
        if t.get("budget") is not None:
            row(mine * request, -np.inf, t["budget"] / M)
    cap = data.get("max_per_country")
    if cap is not None:
        for country in {p["country"] for p, _ in ranked}:
            row(np.array([p["country"] == country for p, _ in ranked], dtype=float),
                -np.inf, cap)
    low = np.array([1.0 if p["id"] in include else 0.0 for p, _ in ranked])
    merit10 = np.array([float(m * 10) for _, m in ranked])
    found = milp(-merit10, integrality=np.ones(n), bounds=Bounds(low, np.ones(n)),
                 constraints=LinearConstraint(np.array(rows), lower, upper),
                 options={"mip_rel_gap": 0})
    if found.status == 2:  # infeasible
        return None
    assert found.status == 0, found.message
    return Decimal(int(round(-found.fun))) / 10


@st.composite
def cycle_capped(draw, policy="max_merit"):
    """Rounds of 20-60 proposals with a cycle maximum, 2 tracks, a tight budget."""
    n = draw(st.integers(20, 60))
    tracks = [{"code": "A", "min_projects": draw(st.integers(0, 2)),
               "max_projects": draw(st.sampled_from([None, 4, 8]))},
              {"code": "B", "min_projects": draw(st.integers(0, 2)),
               "budget": draw(st.sampled_from([None, 60 * M, 120 * M]))}]
    proposals = [{
        "id": f"P{i:03d}", "track": draw(st.sampled_from(["A", "B"])),
        "country": draw(st.sampled_from(COUNTRIES + ["TH", "MN", "CO", "TR"])),
        "score": draw(st.integers(600, 1000)) / 10, "request": draw(st.integers(2, 30)) * M,
        "matching_funds": draw(st.booleans()),
    } for i in range(n)]
    return {"cycle": "2024", "currency": "KRW", "policy": policy,
            "budget": draw(st.integers(40, 300)) * M,
            "max_per_country": draw(st.sampled_from([None, 2, 3])),
            "max_projects": draw(st.integers(1, 12)),
            "bonus": {"matching_funds": 2}, "tracks": tracks, "proposals": proposals}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cycle_capped())
def test_max_merit_with_a_cycle_maximum_equals_scipy(data):
    """A cold solve, and a what-if session moved to the same cycle maximum (the LP path:
    reduced-cost fixing, groupdp.py, branch.py), both reach scipy's optimum."""
    reference = scipy_optimum(data)
    result = solve(from_data(parse_roundtrip(data)))
    session = Session(from_data(parse_roundtrip({**data, "max_projects": None})))
    moved = session.set_max_projects(data["max_projects"])
    for answer in (result, moved):
        if reference is None:
            assert answer["status"] == "infeasible" and answer["reason"]
            continue
        assert answer["status"] == "optimal"
        assert abs(answer["objective"] - float(reference)) < 1e-9
        chosen = chosen_of(data, answer)
        assert valid(data, chosen) and len(chosen) <= data["max_projects"]


@SETTINGS
@given(instances(max_proposals=10))
def test_cycle_maximum_only_binds_the_size(data):
    """The optimum with the cycle maximum equals the best of the sets of at most that
    size, and dropping it (null) gives the same answer as leaving it out."""
    most = data.get("max_projects")
    without = {k: v for k, v in data.items() if k != "max_projects"}
    assert solve(from_data({**without, "max_projects": None})) == solve(from_data(without))
    result = solve(from_data(parse_roundtrip(data)))
    if result["status"] != "infeasible" and most is not None:
        assert len(result["selected"]) <= most


@SETTINGS
@given(instances(max_proposals=10))
def test_an_infeasible_cycle_maximum_is_named(data):
    """When the round is feasible without the cycle's maximum but not with it, the reason
    names max_projects (the includes and minimums need more projects than it allows)."""
    most = data.get("max_projects")
    if most is None:
        return
    result = solve(from_data(parse_roundtrip(data)))
    without = solve(from_data(parse_roundtrip({**data, "max_projects": None})))
    if result["status"] == "infeasible" and without["status"] != "infeasible":
        assert result["reason"].startswith("max_projects: ")
        assert f"the cycle's maximum of {most}" in result["reason"]
