"""A scenario's instance (the round's instance with its overrides) and its answer.

`scenario_data` is the pure definition: what a scenario means in the format of
selection.md, so any stored result can be recomputed by a cold `solve` of it.  `answer`
gives the same answer faster: it keeps one engine `Session` per (scenario, policy) in this
process and moves it by the changes since the last answer (the engine proves the same
optimum as a cold solve).  A session whose instance does not match the scenario's exactly
is replaced by a fresh one, so the cache can only speed things up.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from kcity.selection.engine import solve
from kcity.selection.engine.explain import explain
from kcity.selection.engine.instance import Instance, from_data
from kcity.selection.engine.result import exchange
from kcity.selection.engine.session import Session

OVERRIDE_KEYS = ("budget", "max_per_country", "max_projects", "tracks", "include", "exclude")
CACHE_SIZE = 64
_cache: OrderedDict[tuple, Session] = OrderedDict()
_lock = threading.Lock()


def scenario_data(base: dict, policy: str, overrides: dict) -> dict:
    """The round's instance with the scenario's policy and overrides, in spec format."""
    data = copy.deepcopy(base)
    data["policy"] = str(policy)
    if "budget" in overrides:
        data["budget"] = overrides["budget"]
    if "max_per_country" in overrides:
        data["max_per_country"] = overrides["max_per_country"]
    if "max_projects" in overrides:
        data["max_projects"] = overrides["max_projects"]
    for track in data["tracks"]:
        for key, value in (overrides.get("tracks") or {}).get(track["code"], {}).items():
            track[key] = value
    fixed = dict(data.get("fixed") or {})
    for key in ("include", "exclude"):
        if key in overrides:
            fixed[key] = list(overrides[key])
    fixed = {k: v for k, v in fixed.items() if v}
    if fixed:
        data["fixed"] = fixed
    else:
        data.pop("fixed", None)
    return data


def jsonable(value: Any) -> Any:
    """Engine output (Decimals inside) as plain JSON values for a JSONField."""
    return json.loads(json.dumps(value, default=_default))


def _default(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def cold_result(data: dict) -> dict:
    """The engine's answer computed from scratch, in the exchange format (the reference for
    any stored result)."""
    return exchange(jsonable(solve(from_data(data))))


def _same(a: Instance, b: Instance) -> bool:
    return (
        a.budget == b.budget and a.max_per_country == b.max_per_country
        and a.max_projects == b.max_projects
        and a.tracks == b.tracks and a.policy == b.policy and a.proposals == b.proposals
        and set(a.include) == set(b.include) and set(a.exclude) == set(b.exclude)
        and a.min_score == b.min_score and a.bonus_matching_funds == b.bonus_matching_funds
        and a.bonus_prior_planning == b.bonus_prior_planning
    )


def _move(session: Session, target: Instance) -> None:
    """Apply to `session` the changes that lead to `target` (same proposals and bonuses)."""
    if session.instance.budget != target.budget:
        session.set_budget(target.budget)
    for old, new in zip(session.instance.tracks, target.tracks, strict=True):
        if old != new:
            session.set_track(new.code, min_projects=new.min_projects,
                              max_projects=new.max_projects, budget=new.budget)
    if session.instance.max_per_country != target.max_per_country:
        session.set_country_cap(target.max_per_country)
    if session.instance.max_projects != target.max_projects:
        session.set_max_projects(target.max_projects)
    include, exclude = set(target.include), set(target.exclude)
    for pid in set(session.instance.include) | set(session.instance.exclude):
        if pid not in include and pid not in exclude:
            session.release(pid)
    for pid in target.exclude:
        if pid not in session.instance.exclude:
            session.exclude(pid)
    for pid in target.include:
        if pid not in session.instance.include:
            session.include(pid)


def answer(key, data: dict) -> dict:
    """The result of `data` (spec format, already valid), through the cached session `key`
    (None: no cache).  Raises InstanceError when `data` is invalid."""
    target = from_data(data)
    if key is None:
        return jsonable(solve(target))
    cache_key = (*key, target.policy)
    with _lock:
        session = _cache.pop(cache_key, None)
        comparable = session is not None and (
            session.instance.proposals == target.proposals
            and [t.code for t in session.instance.tracks] == [t.code for t in target.tracks]
            and session.instance.min_score == target.min_score
            and session.instance.bonus_matching_funds == target.bonus_matching_funds
            and session.instance.bonus_prior_planning == target.bonus_prior_planning
        )
        if comparable:
            _move(session, target)
        if not comparable or not _same(session.instance, target):
            session = Session(target)
        _cache[cache_key] = session
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return jsonable(session.result)


def explanations(data: dict, result: dict, seconds: float | None = None) -> list[dict]:
    """Why each reserve proposal was not selected and the smallest change that helps.
    `seconds` bounds the engine's work (None: until every answer is exact)."""
    if result.get("status") == "infeasible":
        return []
    return jsonable(explain(from_data(data), result, seconds=seconds))


def forget(key) -> None:
    with _lock:
        for cache_key in [k for k in _cache if k[: len(key)] == tuple(key)]:
            del _cache[cache_key]
