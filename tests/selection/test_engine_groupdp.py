"""groupdp.py (the search whose bound keeps budget and country caps exact) against
brute force on small random problems, with and without layer rows (one or several),
scaled weights, and node limits."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcity.selection.engine import groupdp

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw):
    k = draw(st.integers(1, 9))
    merit = [draw(st.integers(1, 60)) for _ in range(k)]
    weight = [draw(st.integers(1, 30)) for _ in range(k)]
    room = draw(st.integers(0, sum(weight)))
    n_groups = draw(st.integers(0, 3))
    group = [draw(st.integers(-1, n_groups - 1)) for _ in range(k)]
    group_cap = [draw(st.integers(0, 3)) for _ in range(n_groups)]
    rows, upper, lower, y = [], [], [], []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):  # a count row (may become the layer row)
            rows.append([draw(st.integers(0, 1)) for _ in range(k)])
            upper.append(float(draw(st.integers(0, 4))))
        else:  # a track-budget-like row
            rows.append([w if draw(st.booleans()) else 0 for w in weight])
            upper.append(float(draw(st.integers(0, sum(weight)))))
        lower.append(float(draw(st.sampled_from([-np.inf, 0, 1, 2]))))
        y.append(draw(st.sampled_from([0.0, 0.5, 3.0, 11.0, -2.0])))
    return {"merit": merit, "weight": weight, "room": room, "group": group,
            "group_cap": group_cap, "rows": rows, "upper": upper, "lower": lower, "y": y}


@st.composite
def track_problems(draw):
    """Columns in tracks, each track a count row with a positive multiplier (so that
    several become layer rows), maybe a track budget row; countries across tracks."""
    k = draw(st.integers(2, 10))
    merit = [draw(st.integers(1, 60)) for _ in range(k)]
    weight = [draw(st.integers(1, 30)) for _ in range(k)]
    room = draw(st.integers(0, sum(weight)))
    track = [draw(st.integers(0, 2)) for _ in range(k)]
    n_groups = draw(st.integers(0, 3))
    group = [draw(st.integers(-1, n_groups - 1)) for _ in range(k)]
    group_cap = [draw(st.integers(0, 2)) for _ in range(n_groups)]
    rows, upper, lower, y = [], [], [], []
    for t in range(3):
        rows.append([int(track[j] == t) for j in range(k)])
        upper.append(float(draw(st.integers(0, 4))))
        lower.append(float(draw(st.sampled_from([-np.inf, 0, 1, 2]))))
        y.append(draw(st.sampled_from([0.5, 3.0, 11.0])))
        if draw(st.booleans()):
            rows.append([weight[j] if track[j] == t else 0 for j in range(k)])
            upper.append(float(draw(st.integers(0, sum(weight)))))
            lower.append(-np.inf)
            y.append(draw(st.sampled_from([0.0, 0.2, 1.0])))
    return {"merit": merit, "weight": weight, "room": room, "group": group,
            "group_cap": group_cap, "rows": rows, "upper": upper, "lower": lower, "y": y}


def _feasible(p, chosen) -> bool:
    if sum(p["weight"][j] for j in chosen) > p["room"]:
        return False
    for g, cap in enumerate(p["group_cap"]):
        if sum(1 for j in chosen if p["group"][j] == g) > cap:
            return False
    for row, up, low in zip(p["rows"], p["upper"], p["lower"], strict=True):
        act = sum(row[j] for j in chosen)
        if act > up or act < low:
            return False
    return True


def _brute_force(p):
    best = None
    for size in range(len(p["merit"]) + 1):
        for chosen in itertools.combinations(range(len(p["merit"])), size):
            if _feasible(p, chosen):
                value = sum(p["merit"][j] for j in chosen)
                best = value if best is None else max(best, value)
    return best


def _search(p, best, **options):
    k = len(p["merit"])
    return groupdp.search(
        merit=np.array(p["merit"], dtype=np.float64), weight=np.array(p["weight"]),
        room=p["room"], group=np.array(p["group"]), group_cap=np.array(p["group_cap"]),
        rows=np.array(p["rows"], dtype=np.float64).reshape(len(p["rows"]), k),
        row_upper=np.array(p["upper"]), row_lower=np.array(p["lower"]),
        y=np.array(p["y"]), best=best, tolerance=1e-6, **options)


def _check(p, best, found):
    optimum = _brute_force(p)
    if optimum is None or optimum <= best:
        assert found is None
    else:
        assert found is not None
        assert _feasible(p, found.tolist())
        assert sum(p["merit"][j] for j in found) == optimum


@SETTINGS
@given(problems(), st.integers(-1, 80))
def test_search_equals_brute_force(p, best):
    _check(p, best, _search(p, best))


@settings(max_examples=150, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # the patch is constant
@given(problems(), st.integers(-1, 80))
def test_search_with_scaled_weights_equals_brute_force(monkeypatch_room, p, best):
    _check(p, best, _search(p, best))


@pytest.fixture
def monkeypatch_room(monkeypatch):
    """A tiny MAX_ROOM: weights and room are scaled down (a weaker bound, still exact)."""
    monkeypatch.setattr(groupdp, "MAX_ROOM", 7)


@SETTINGS
@given(problems(), st.integers(-1, 80), st.integers(1, 4))
def test_node_limit_gives_a_valid_better_set_or_nothing(p, best, limit):
    try:
        found = _search(p, best, node_limit=limit)
    except groupdp.Abort as stopped:
        found = stopped.found
        if found is not None:
            assert _feasible(p, found.tolist())
            assert sum(p["merit"][j] for j in found) > best
        return
    _check(p, best, found)


@SETTINGS
@given(track_problems(), st.integers(-1, 80))
def test_search_with_several_layer_rows_equals_brute_force(p, best):
    _check(p, best, _search(p, best))


@SETTINGS
@given(track_problems(), st.integers(-1, 80), st.integers(1, 4))
def test_several_layer_rows_under_a_node_limit(p, best, limit):
    try:
        found = _search(p, best, node_limit=limit)
    except groupdp.Abort as stopped:
        if stopped.found is not None:
            assert _feasible(p, stopped.found.tolist())
            assert sum(p["merit"][j] for j in stopped.found) > best
        return
    _check(p, best, found)


def test_two_count_rows_kept_exact_close_the_gap_at_the_root():
    """Two tracks of at most 1 and 2 places (a country of 1 across them is two items):
    both rows are layer rows, and the root program is the optimum: one node."""
    p = {"merit": [10, 9, 8, 7, 7, 6], "weight": [5, 4, 4, 3, 3, 2], "room": 14,
         "group": [0, -1, -1, 0, -1, -1], "group_cap": [2],
         "rows": [[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]],
         "upper": [1.0, 2.0], "lower": [-math.inf, 1.0], "y": [5.0, 2.0]}
    y = np.array(p["y"])
    problem = groupdp._Problem(p["merit"], p["weight"], p["room"], p["group"],
                               p["group_cap"], p["rows"], p["upper"], p["lower"], y)
    assert problem.layer_rows == [0, 1]
    found = _search(p, 0)
    assert sorted(found.tolist()) == [0, 3, 4]  # 10 + 7 + 7 within 14
    assert groupdp.last_nodes <= 1  # 0: the root program closed it before the tree
    _check(p, 0, found)


def test_too_large_program_is_not_tried(monkeypatch):
    monkeypatch.setattr(groupdp, "MAX_WORK", 10)
    p = {"merit": [5, 4], "weight": [3, 3], "room": 100, "group": [-1, -1], "group_cap": [],
         "rows": [], "upper": [], "lower": [], "y": []}
    with pytest.raises(groupdp.Abort) as stopped:
        _search(p, 0)
    assert stopped.value.too_large and stopped.value.found is None


def test_a_count_that_must_be_reached_with_a_column_of_no_profit():
    """The track minimum kept exact in the program needs column 6, whose priced profit is
    not positive: the search must still find {6} (it once answered "nothing beats 0")."""
    p = {"merit": [1] * 7, "weight": [1, 1, 1, 1, 1, 1, 2], "room": 2, "group": [-1] * 7,
         "group_cap": [], "rows": [[0, 0, 0, 0, 0, 0, 2], [0, 0, 0, 0, 0, 0, 1]],
         "upper": [2.0, 1.0], "lower": [-math.inf, 1.0], "y": [0.5, 0.5]}
    assert _search(p, 0).tolist() == [6]
    _check(p, 0, _search(p, 0))


def test_limits_no_set_can_meet_end_the_search_at_once():
    """A row whose lower limit is above its upper one: no set, found in a few nodes."""
    p = {"merit": [1] * 9, "weight": [1] * 9, "room": 4, "group": [-1] * 9, "group_cap": [],
         "rows": [[0] * 8 + [1]], "upper": [0.0], "lower": [1.0], "y": [0.0]}
    assert _search(p, 0, node_limit=5) is None
    _check(p, 0, _search(p, 0))


@st.composite
def sub_budget_problems(draw):
    """A track whose budget binds (kept exact as a sub-budget row), countries across it
    and the other tracks (mixed countries: its columns there are not capped by it), and
    count rows that may become layer rows."""
    k = draw(st.integers(2, 10))
    merit = [draw(st.integers(1, 60)) for _ in range(k)]
    weight = [draw(st.integers(1, 30)) for _ in range(k)]
    room = draw(st.integers(0, sum(weight)))
    track = [draw(st.integers(0, 2)) for _ in range(k)]
    n_groups = draw(st.integers(0, 4))
    group = [draw(st.integers(-1, n_groups - 1)) for _ in range(k)]
    group_cap = [draw(st.integers(0, 2)) for _ in range(n_groups)]
    in_track = [weight[j] if track[j] == 0 else 0 for j in range(k)]
    rows = [in_track]
    upper = [float(draw(st.integers(0, max(0, sum(in_track) - 1))))]
    lower = [-np.inf]
    y = [draw(st.sampled_from([0.0, 0.2, 1.0, 4.0]))]
    for t in range(3):
        if draw(st.booleans()):
            rows.append([int(track[j] == t) for j in range(k)])
            upper.append(float(draw(st.integers(0, 4))))
            lower.append(float(draw(st.sampled_from([-np.inf, 0, 1]))))
            y.append(draw(st.sampled_from([0.0, 0.5, 3.0, -1.0])))
    return {"merit": merit, "weight": weight, "room": room, "group": group,
            "group_cap": group_cap, "rows": rows, "upper": upper, "lower": lower, "y": y}


def _problem(p):
    return groupdp._Problem(p["merit"], p["weight"], p["room"], p["group"], p["group_cap"],
                            p["rows"], p["upper"], p["lower"], np.array(p["y"], dtype=float))


@SETTINGS
@given(sub_budget_problems(), st.integers(-1, 80))
def test_search_with_a_sub_budget_row_equals_brute_force(p, best):
    _check(p, best, _search(p, best))


@settings(max_examples=150, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # the patch is constant
@given(sub_budget_problems(), st.integers(-1, 80))
def test_sub_budget_row_with_scaled_weights_equals_brute_force(monkeypatch_room, p, best):
    _check(p, best, _search(p, best))


@SETTINGS
@given(sub_budget_problems())
def test_root_bound_with_a_sub_budget_row_is_never_below_the_optimum(p):
    """The program (sub-budget row capped, mixed countries relaxed) bounds every set."""
    optimum = _brute_force(p)
    problem = _problem(p)
    y = problem.project(np.array(p["y"], dtype=float), np.array(p["y"], dtype=float))
    bound, _x = problem.bound(y, np.full(problem.k, -1, dtype=np.int8))
    if optimum is not None:
        assert bound >= optimum - 1e-6


@SETTINGS
@given(st.one_of(problems(), track_problems(), sub_budget_problems()), st.integers(-1, 80))
def test_stop_when_better_gives_a_valid_better_set_or_the_exact_answer(p, best):
    try:
        found = _search(p, best, stop_when_better=True)
    except groupdp.Abort as stopped:
        assert stopped.found is not None  # it stops only at a better set
        assert _feasible(p, stopped.found.tolist())
        assert sum(p["merit"][j] for j in stopped.found) > best
        return
    _check(p, best, found)


def test_a_binding_track_budget_kept_exact_closes_the_gap_at_the_root(monkeypatch):
    """Track 0 (columns 0-2) may spend 6 of a room of 20.  Priced alone (y = 0.5) its
    row leaves the root bound at 23.5; capped in the program the root bound is the
    optimum, 20 (columns 2, 3, 4), and the search ends at the root."""
    p = {"merit": [10, 3, 10, 3, 7], "weight": [7, 6, 6, 6, 5], "room": 20,
         "group": [-1] * 5, "group_cap": [],
         "rows": [[7, 6, 6, 0, 0]], "upper": [6.0], "lower": [-math.inf], "y": [0.5]}
    root = np.full(5, -1, dtype=np.int8)
    problem = _problem(p)
    assert problem.sub_row == 0 and problem.in_sub.tolist() == [True] * 3 + [False] * 2
    assert problem.bound(np.array(p["y"]), root)[0] == pytest.approx(20.0)
    found = _search(p, 0, steps=0)
    assert sorted(found.tolist()) == [2, 3, 4]
    assert groupdp.last_nodes <= 1
    _check(p, 0, found)
    monkeypatch.setattr(groupdp._Problem, "_sub_budget_row", lambda self, y: -1)
    assert _problem(p).bound(np.array(p["y"]), root)[0] == pytest.approx(23.5)


def test_a_track_budget_that_cannot_bind_is_not_a_sub_budget_row():
    p = {"merit": [3, 4], "weight": [2, 2], "room": 3, "group": [-1, -1], "group_cap": [],
         "rows": [[2, 0]], "upper": [5.0], "lower": [-math.inf], "y": [0.0]}
    assert _problem(p).sub_row == -1
    _check(p, 0, _search(p, 0))


@SETTINGS
@given(st.one_of(problems(), track_problems(), sub_budget_problems()), st.data())
def test_fixings_never_cut_off_a_set_reaching_the_cutoff(p, data):
    """Every feasible set agreeing with the node's fixings and of merit >= the cutoff
    (here the optimum, the tightest one the search uses) keeps every column the
    forward/backward programs fix at the value they fix it to."""
    problem = _problem(p)
    k = problem.k
    y = problem.project(np.array(p["y"], dtype=float), np.array(p["y"], dtype=float))
    fix = np.array(data.draw(st.lists(st.sampled_from([-1, -1, 0, 1]), min_size=k, max_size=k)),
                   dtype=np.int8)
    def agrees(chosen) -> bool:
        return all(fix[j] == (j in chosen) for j in range(k) if fix[j] >= 0)

    sets = [chosen for size in range(k + 1) for chosen in itertools.combinations(range(k), size)
            if _feasible(p, chosen) and agrees(chosen)]
    program = problem._program(y, fix)
    if program is None:  # the program proves no set agrees with the fixings
        assert sets == []
        return
    if not sets:
        return
    cutoff = max(sum(p["merit"][j] for j in chosen) for chosen in sets)
    assert program["value"] >= cutoff - 1e-6
    new = problem.fixings(program, fix, cutoff - 1e-6)
    assert np.all(new[fix >= 0] == fix[fix >= 0])
    for chosen in sets:
        if sum(p["merit"][j] for j in chosen) >= cutoff:
            for j in np.flatnonzero(new >= 0).tolist():
                assert new[j] == (j in chosen)


def test_fixings_when_the_best_set_leaves_places_of_a_layer_row():
    """A layer row with 2 places, room for one column: the best set {0} uses one place.
    The backward programs must count the later stages with *at most* the places left,
    so column 0 stays (or is fixed at 1) and the others are fixed at 0."""
    p = {"merit": [3, 2, 1], "weight": [1, 1, 1], "room": 1, "group": [-1] * 3,
         "group_cap": [], "rows": [[1, 1, 1]], "upper": [2.0], "lower": [-math.inf],
         "y": [0.5]}
    problem = _problem(p)
    assert problem.layer_rows == [0]
    y = problem.project(np.array(p["y"]), np.array(p["y"]))
    fix = np.full(3, -1, dtype=np.int8)
    program = problem._program(y, fix)
    assert program["value"] == pytest.approx(3.0) and program["x"].tolist() == [True, False, False]
    assert problem.fixings(program, fix, 3 - 1e-6).tolist() in ([-1, 0, 0], [1, 0, 0])
