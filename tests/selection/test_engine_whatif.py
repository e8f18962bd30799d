"""The what-if path (LP, reduced-cost fixing, branch.py, small HiGHS models) is exact.

Session answers use `MeritModel.solve(core=True)`; cold solves of rounds under
3,000 proposals use HiGHS on the whole model.  Both must give the same optimum,
and on small rounds the brute force of test_engine_properties.
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_properties import brute_force, instances, parse_roundtrip, valid

from kcity.selection.engine import core, core_search, solve
from kcity.selection.engine.analysis import analyse
from kcity.selection.engine.instance import from_data
from kcity.selection.engine.session import Session
from kcity.selection.engine.solver import optimise

pytestmark = pytest.mark.slow  # starts processes or searches many rounds

M = 1_000_000
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _core_objective(instance):
    analysis = analyse(instance)
    outcome = optimise(analysis, core=True)
    if outcome.status == "infeasible":
        return None, outcome
    return sum((analysis.merit[p.id] for p in outcome.chosen), Decimal(0)), outcome


@SETTINGS
@given(instances(max_proposals=12))
def test_core_path_equals_brute_force(data):
    instance = from_data(parse_roundtrip(data))
    value, outcome = _core_objective(instance)
    best = brute_force(data)
    if best is None:
        assert outcome.status == "infeasible"
    else:
        assert outcome.status == "optimal"
        assert value == best
        by_id = {p["id"]: p for p in data["proposals"]}
        assert valid(data, [by_id[p.id] for p in outcome.chosen])


@pytest.mark.parametrize("max_free", [0, 3, 150])
@SETTINGS
@given(instances(max_proposals=12))
def test_core_path_fallbacks_equal_brute_force(monkeypatch, max_free, data):
    """branch.py only for tiny free sets (3), or never (0): HiGHS on the small model."""
    monkeypatch.setattr(core, "BRANCH_MAX_FREE", max_free)
    monkeypatch.setattr(core_search, "CORE_BRANCH", 4)  # exercise the near-LP heuristics too
    instance = from_data(parse_roundtrip(data))
    value, outcome = _core_objective(instance)
    best = brute_force(data)
    assert (outcome.status == "infeasible") == (best is None)
    if best is not None:
        assert outcome.status == "optimal" and value == best


def _round(n, seed, cap):
    rnd = random.Random(seed)
    countries = [a + b for a in "ABCDEFGH" for b in "ABCDEFGH"][: max(4, n // 3)]
    return from_data({
        "cycle": "2024", "currency": "KRW", "budget": n * 60 * M, "policy": "max_merit",
        "min_score": 60, "max_per_country": cap,
        "bonus": {"matching_funds": 2, "prior_planning": 1.5},
        "tracks": [{"code": "PLAN", "min_projects": 1, "max_projects": max(2, n // 8)},
                   {"code": "DEMO", "min_projects": 2, "budget": n * 25 * M},
                   {"code": "TECH"}],
        "proposals": [{"id": f"P{i:03d}", "track": rnd.choice(["PLAN", "DEMO", "DEMO", "TECH"]),
                       "country": rnd.choice(countries), "score": rnd.randrange(550, 1000) / 10,
                       "request": rnd.randrange(100, 500) * M,
                       "matching_funds": rnd.random() < 0.3,
                       "prior_planning": rnd.random() < 0.2} for i in range(n)],
    })


KINDS = ["budget", "quota", "track_max", "track_min", "track_budget", "cap", "cycle_max",
         "include", "exclude", "release"]


@st.composite
def changes(draw, ids, tracks, kinds=tuple(KINDS)):
    kind = draw(st.sampled_from(list(kinds)))
    if kind == "track_max":  # a tight maximum (kept exact as a layer by groupdp.py)
        code = draw(st.sampled_from(tracks))
        return ("set_track", (code,), {"max_projects": draw(st.integers(0, 8))})
    if kind == "track_min":
        code = draw(st.sampled_from(tracks))
        return ("set_track", (code,), {"min_projects": draw(st.integers(0, 12))})
    if kind == "budget":
        return ("set_budget", (draw(st.integers(0, 200)) * 100 * M,), {})
    if kind == "quota":
        code = draw(st.sampled_from(tracks))
        low = draw(st.integers(0, 4))
        high = draw(st.one_of(st.none(), st.integers(0, 30)))
        return ("set_track", (code,), {"min_projects": low, "max_projects": high})
    if kind == "track_budget":
        code = draw(st.sampled_from(tracks))
        value = draw(st.one_of(st.none(), st.integers(0, 100).map(lambda v: v * 100 * M)))
        return ("set_track", (code,), {"budget": value})
    if kind == "cap":
        return ("set_country_cap", (draw(st.sampled_from([None, 1, 2, 3])),), {})
    if kind == "cycle_max":  # the most projects in all (a tight one is a layer of groupdp)
        return ("set_max_projects", (draw(st.one_of(st.none(), st.integers(0, 14))),), {})
    return (kind, (draw(st.sampled_from(ids)),), {})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_change_sequences_equal_cold_solves(data):
    n = data.draw(st.sampled_from([30, 80, 160]))
    base = _round(n, data.draw(st.integers(0, 10_000)), data.draw(st.sampled_from([None, 1, 2])))
    ids = [p.id for p in base.proposals]
    session = Session(base)
    _same(session.result, solve(base))
    for _step in range(data.draw(st.integers(1, 6))):
        name, args, kwargs = data.draw(changes(ids, ["PLAN", "DEMO", "TECH"]))
        answer = getattr(session, name)(*args, **kwargs)
        _same(answer, solve(replace(session.instance)))


def _same(answer, cold):
    assert answer["status"] == cold["status"]
    assert answer["objective"] == cold["objective"]
    if cold["status"] == "optimal":
        assert answer["bound"] == answer["objective"]


def test_whatif_kinds_at_1000_equal_cold_solves():
    """The benchmark's round (binding budget, cap 1): every kind of change, warm = cold."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "selection_bench.py"
    spec = importlib.util.spec_from_file_location("selection_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    base = from_data(bench.generate(1000, 1, 1))
    session = Session(base)
    first, reserve = session.result["selected"][0], session.result["reserve"][0]
    steps = [("set_budget", (base.budget * 9 // 10,), {}),
             ("set_budget", (base.budget * 11 // 10,), {}),
             ("set_track", ("PLAN",), {"max_projects": 5}),
             ("set_country_cap", (2,), {}),
             ("exclude", (first,), {}),
             ("include", (reserve,), {})]
    for name, args, kwargs in steps:
        changed = Session(base)
        answer = getattr(changed, name)(*args, **kwargs)
        _same(answer, solve(changed.instance))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_kind_of_change_equals_a_cold_solve(kind, data):
    """One change of the given kind on a random round (with or without a cap): the
    Session's answer has the cold solve's status and objective."""
    n = data.draw(st.sampled_from([40, 120, 200]))
    base = _round(n, data.draw(st.integers(0, 10_000)), data.draw(st.sampled_from([None, 1, 2])))
    session = Session(base)
    name, args, kwargs = data.draw(changes([p.id for p in base.proposals],
                                           ["PLAN", "DEMO", "TECH"], kinds=(kind,)))
    answer = getattr(session, name)(*args, **kwargs)
    _same(answer, solve(session.instance))


@pytest.mark.parametrize("cap", [1, None])
def test_benchmark_changes_equal_cold_solves(cap):
    """Every change the benchmark times, on its generator at 300 proposals."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "selection_bench.py"
    spec = importlib.util.spec_from_file_location("selection_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    base = from_data(bench.generate(300, cap, 2))
    first = solve(base)
    for _kind, name, args, kwargs in bench.what_if_changes(base, first):
        session = Session(base)
        answer = getattr(session, name)(*args, **kwargs)
        _same(answer, solve(session.instance))
