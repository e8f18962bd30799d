"""Cold solves of both policies, and the words for an infeasible max_merit round."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from . import messages, result
from .analysis import Analysis, analyse
from .instance import Instance, Proposal
from .merit_order import include_problem, walk
from .milp import DEFAULT_TIME_LIMIT, MeritModel, Outcome
from .tally import Tally


def solve(instance: Instance, *, time_limit: float = DEFAULT_TIME_LIMIT) -> dict[str, Any]:
    """The result document for `instance` under its policy."""
    analysis = analyse(instance)
    if instance.policy == "merit_order":
        return merit_order_result(analysis)
    return max_merit_result(analysis, time_limit=time_limit)


def merit_order_result(analysis: Analysis) -> dict[str, Any]:
    done = walk(analysis)
    status = "optimal" if done.reason is None else "infeasible"
    return result.build(analysis, status, done.selected, reason=done.reason)


def is_valid_selection(analysis: Analysis, chosen: list[Proposal]) -> bool:
    """Constraints 1-4 checked exactly (integers, no tolerances)."""
    ids = {p.id for p in chosen}
    if not set(analysis.instance.include) <= ids:
        return False
    return Tally(analysis.instance, chosen).feasible()


def optimise(
    analysis: Analysis,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    model: MeritModel | None = None,
    hint: list[Proposal] | None = None,
    core: bool | None = None,
) -> Outcome:
    """Best set under constraints 1-4, or status infeasible (no words yet)."""
    if include_problem(analysis) is not None:
        return Outcome("infeasible", [], None)
    if not analysis.ranking:
        feasible = is_valid_selection(analysis, [])
        return Outcome("optimal" if feasible else "infeasible", [], None)
    model = model or MeritModel(analysis)
    if not model.cols:  # every proposal dropped as never needed (a limit of 0 projects)
        feasible = is_valid_selection(analysis, [])
        return Outcome("optimal" if feasible else "infeasible", [], None)
    outcome = model.solve(time_limit, hint=hint, core=core)
    if outcome.status in ("optimal", "feasible") and not is_valid_selection(
        analysis, outcome.chosen
    ):
        raise RuntimeError("solver returned a selection that breaks a constraint")
    return outcome


def max_merit_result(
    analysis: Analysis,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    model: MeritModel | None = None,
    hint: list[Proposal] | None = None,
) -> dict[str, Any]:
    outcome = optimise(analysis, time_limit=time_limit, model=model, hint=hint)
    return outcome_result(analysis, outcome, time_limit=time_limit, model=model)


def outcome_result(
    analysis: Analysis, outcome: Outcome, *, time_limit: float, model: MeritModel | None = None
) -> dict[str, Any]:
    """Turn a solver outcome into the result document (with words when infeasible)."""
    ids = [p.id for p in outcome.chosen]
    if outcome.status == "optimal":
        objective = sum((analysis.merit[i] for i in ids), Decimal(0))
        return result.build(analysis, "optimal", ids, bound=objective)
    if outcome.status == "feasible":
        digits = model.digits if model is not None else 0
        bound = None if outcome.bound is None else Decimal(outcome.bound).scaleb(-digits)
        return result.build(analysis, "feasible", ids, bound=bound)
    if outcome.status == "unknown":
        return result.build(
            analysis, "infeasible", [], bound=None,
            reason=messages.no_solution_in_time(time_limit),
        )
    return result.build(analysis, "infeasible", [], bound=None, reason=diagnose(analysis))


# -- infeasibility in words ---------------------------------------------------


def diagnose(analysis: Analysis) -> messages.Reason:
    """Say which constraint cannot be met, from the cheapest checks to re-solves."""
    problem = include_problem(analysis) or _count_problem(analysis) or _money_problem(analysis)
    if problem is not None:
        return problem
    instance = analysis.instance
    if instance.max_per_country is not None and _feasible(
        replace(instance, max_per_country=None)
    ):
        return messages.cap_blocks_minimums(instance.max_per_country)
    everything = sum(p.request for p in instance.proposals)
    if _feasible(replace(instance, budget=max(everything, instance.budget))):
        return messages.budget_blocks_minimums(instance.budget)
    if any(t.budget is not None for t in instance.tracks) and _feasible(
        replace(instance, tracks=tuple(replace(t, budget=None) for t in instance.tracks))
    ):
        return messages.track_budgets_block_minimums()
    return messages.constraints_conflict()


def _feasible(instance: Instance) -> bool:
    return optimise(analyse(instance), time_limit=60.0).status in ("optimal", "feasible")


def _count_problem(analysis: Analysis) -> messages.Reason | None:
    """A track minimum above its maximum, or above what the country cap leaves; the
    includes and minimums together above the cycle's maximum.  (That last test is
    exact: a valid set without the cycle's maximum keeps every constraint when the
    proposals beyond its track's minimum and the includes are dropped, leaving exactly
    the number needed, so the cycle's maximum never blocks in any other way.)"""
    instance = analysis.instance
    cap = instance.max_per_country
    included = set(instance.include)
    fundable_included = [p for p in analysis.ranking if p.id in included]
    needed = 0
    for track in instance.tracks:
        needed += max(track.min_projects, sum(p.track == track.code for p in fundable_included))
        if track.max_projects is not None and track.min_projects > track.max_projects:
            return messages.track_min_above_max(
                track.code, track.min_projects, track.max_projects)
        per_country: dict[str, int] = {}
        for proposal in analysis.ranking:
            if proposal.track == track.code:
                per_country[proposal.country] = per_country.get(proposal.country, 0) + 1
        if cap is None:
            available = sum(per_country.values())
        else:
            used_elsewhere = Tally(instance, [
                p for p in analysis.ranking if p.id in included and p.track != track.code
            ]).country_count
            available = sum(
                max(0, min(n, cap - used_elsewhere[c])) for c, n in per_country.items()
            )
        if available < track.min_projects:
            return messages.track_min_unreachable(
                track.code, track.min_projects, available,
                capped=cap is not None and available < sum(per_country.values()))
    if instance.max_projects is not None and needed > instance.max_projects:
        return messages.minimums_over_cycle_max(needed, instance.max_projects)
    return None


def _money_problem(analysis: Analysis) -> messages.Reason | None:
    """Track or total budgets below the cheapest way to meet includes and minimums."""
    instance = analysis.instance
    included = set(instance.include)
    needed_total = 0
    for track in instance.tracks:
        members = [p for p in analysis.ranking if p.track == track.code]
        fixed = [p.request for p in members if p.id in included]
        others = sorted(p.request for p in members if p.id not in included)
        needed = sum(fixed) + sum(others[: max(0, track.min_projects - len(fixed))])
        if track.budget is not None and needed > track.budget:
            return messages.track_budget_too_small(
                track.code, track.budget, needed, track.min_projects)
        needed_total += needed
    if needed_total > instance.budget:
        return messages.budget_too_small(instance.budget, needed_total)
    return None
