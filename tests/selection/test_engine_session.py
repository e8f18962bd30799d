"""What-if answers from a Session equal cold solves of the changed instance."""

from __future__ import annotations

import random
from dataclasses import replace

from kcity.selection.engine import solve
from kcity.selection.engine.instance import from_data
from kcity.selection.engine.session import Session

M = 1_000_000


def _instance(n=80, seed=3, cap=1):
    rnd = random.Random(seed)
    countries = ["VN", "PE", "ID", "KE", "TH", "MN", "CO", "TR", "LA", "GH", "UZ", "BD"]
    return from_data({
        "cycle": "2024", "currency": "KRW", "budget": 3000 * M, "policy": "max_merit",
        "min_score": 60, "max_per_country": cap,
        "bonus": {"matching_funds": 2, "prior_planning": 1},
        "tracks": [{"code": "PLAN", "min_projects": 1, "max_projects": 4},
                   {"code": "DEMO", "min_projects": 2, "budget": 2000 * M}],
        "proposals": [{"id": f"P{i:03d}", "track": rnd.choice(["PLAN", "DEMO"]),
                       "country": rnd.choice(countries), "score": rnd.randrange(550, 1000) / 10,
                       "request": rnd.randrange(100, 500) * M,
                       "matching_funds": rnd.random() < 0.3} for i in range(n)],
    })


def _same(answer, cold):
    assert answer["status"] == cold["status"]
    assert abs(answer["objective"] - cold["objective"]) < 1e-9
    if cold["status"] == "optimal":
        assert answer["bound"] == answer["objective"]


def test_session_answers_equal_cold_solves():
    base = _instance()
    session = Session(base)
    _same(session.result, solve(base))
    first = session.result["selected"][0]
    reserve = session.result["reserve"][0]
    steps = [
        ("set_budget", (2000 * M,), {}),
        ("set_budget", (4000 * M,), {}),
        ("set_track", ("PLAN",), {"max_projects": 2}),
        ("set_track", ("DEMO",), {"min_projects": 3, "budget": None}),
        ("set_country_cap", (2,), {}),
        ("set_country_cap", (None,), {}),
        ("set_country_cap", (1,), {}),
        ("exclude", (first,), {}),
        ("include", (reserve,), {}),
        ("release", (first,), {}),
        ("set_budget", (100 * M,), {}),  # too small: infeasible, then back
        ("set_budget", (3000 * M,), {}),
    ]
    for name, args, kwargs in steps:
        answer = getattr(session, name)(*args, **kwargs)
        _same(answer, solve(session.instance))
        if name == "exclude":
            assert first not in answer["selected"]
            assert {"id": first, "reason": "excluded", "values": {}} in answer["not_fundable"]
        if name == "include":
            assert reserve in answer["selected"]


def test_session_tightening_shortcut_is_still_optimal():
    base = _instance(seed=5)
    session = Session(base)
    awarded = session.result["awarded"]
    answer = session.set_budget(awarded)  # the current set still fits exactly
    assert answer["selected"] == session.result["selected"]
    _same(answer, solve(replace(base, budget=awarded)))


def test_session_merit_order():
    base = replace(_instance(seed=7), policy="merit_order")
    session = Session(base)
    assert session.set_budget(1500 * M) == solve(replace(base, budget=1500 * M))


def test_session_cycle_maximum_equals_cold_solves():
    base = _instance(seed=11)
    session = Session(base)
    size = len(session.result["selected"])
    for most in (size - 1, 2, None, 1, size + 3, 0):
        answer = session.set_max_projects(most)
        cold = solve(replace(base, max_projects=most))
        _same(answer, cold)
        assert session.instance.max_projects == most
        if answer["status"] != "infeasible" and most is not None:
            assert len(answer["selected"]) <= most
    # 0 projects in all cannot meet the track minimums (3 projects): said in words
    assert session.result["status"] == "infeasible"
    assert session.result["reason"] == ("max_projects: the fixed includes and track minimums "
                                        "need 3 projects, more than the cycle's maximum of 0")


def test_session_cycle_maximum_in_merit_order():
    base = replace(_instance(seed=7), policy="merit_order")
    session = Session(base)
    assert session.set_max_projects(4) == solve(replace(base, max_projects=4))
    assert len(session.result["selected"]) == 4
