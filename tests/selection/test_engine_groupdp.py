"""groupdp.py (the search whose bound keeps budget and country caps exact) against
brute force on small random problems, with and without a layer row, scaled weights,
and node limits."""

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
