"""Policy merit_order: fund down the ranked list (selection.md, "Policies")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import messages
from .analysis import Analysis
from .instance import Proposal
from .tally import Tally


@dataclass
class Walk:
    """The outcome of the walk, with what stopped each skipped proposal at its last turn."""

    tally: Tally
    selected: set[str]
    blocked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reason: messages.Reason | None = None
    # (step, limit, needed) for every step refused by one money limit alone
    # (limit None: the total budget, else the code of the track whose budget it is;
    # needed: the limit at which it would have fitted), and each proposal's last
    # step: what explain.py needs to find the exact budgets where the walk changes
    money_steps: list[tuple[int, str | None, int]] = field(default_factory=list)
    last_step: dict[str, int] = field(default_factory=dict)


def blocker_details(tally: Tally, proposal: Proposal) -> list[dict[str, Any]]:
    """The constraints adding `proposal` to the tallied set breaks, as explanation data."""
    details: list[dict[str, Any]] = []
    instance = tally.instance
    track = tally.tracks[proposal.track]
    for code in tally.blockers(proposal):
        if code == "max_per_country":
            details.append({
                "constraint": code,
                "country": proposal.country,
                "cap": instance.max_per_country,
                "held_by": list(tally.country_members.get(proposal.country, [])),
            })
        elif code == "track_max_projects":
            details.append({"constraint": code, "track": track.code, "max": track.max_projects})
        elif code == "max_projects":
            details.append({"constraint": code, "max": instance.max_projects})
        elif code == "track_budget":
            assert track.budget is not None  # a blocker only when the track has a budget
            short = tally.track_awarded[track.code] + proposal.request - track.budget
            details.append({"constraint": code, "track": track.code, "short_by": short})
        else:
            details.append({"constraint": code, "short_by": tally.awarded + proposal.request
                            - instance.budget})
    return details


def include_problem(analysis: Analysis) -> messages.Reason | None:
    """Why `fixed.include` alone cannot be part of a valid selection, if it cannot."""
    instance = analysis.instance
    known = {p.id for p in instance.proposals}
    for pid in instance.include:
        if pid not in known:
            return messages.include_unknown(pid)
        if pid in analysis.reasons:
            return messages.include_not_fundable(pid, analysis.reasons[pid])
    tally = Tally(instance, _includes(analysis))
    if tally.awarded > instance.budget:
        return messages.includes_over_budget(tally.awarded, instance.budget)
    if instance.max_projects is not None and tally.count > instance.max_projects:
        return messages.includes_over_cycle_max(tally.count, instance.max_projects)
    for track in instance.tracks:
        count, awarded = tally.track_count[track.code], tally.track_awarded[track.code]
        if track.max_projects is not None and count > track.max_projects:
            return messages.includes_over_track_max(track.code, count, track.max_projects)
        if track.budget is not None and awarded > track.budget:
            return messages.includes_over_track_budget(track.code, awarded, track.budget)
    cap = instance.max_per_country
    if cap is not None:
        for country, count in tally.country_count.items():
            if count > cap:
                return messages.includes_over_cap(country, count, cap)
    return None


def _includes(analysis: Analysis) -> list[Proposal]:
    """The fundable included proposals, each once, in the order given."""
    by_id = {p.id: p for p in analysis.ranking}
    return [by_id[pid] for pid in dict.fromkeys(analysis.instance.include) if pid in by_id]


def walk(analysis: Analysis) -> Walk:
    """Includes, then each track's minimum walk in track order, then one walk of all."""
    instance = analysis.instance
    tally = Tally(instance)
    selected: set[str] = set()
    money_steps: list[tuple[int, str | None, int]] = []
    last_step: dict[str, int] = {}

    def take(proposal: Proposal) -> None:
        tally.add(proposal)
        selected.add(proposal.id)

    steps = [0]

    def fits(proposal: Proposal) -> bool:
        """The walk's test, recording what a larger budget would change."""
        blockers = tally.blockers(proposal)
        step = steps[0]
        steps[0] += 1
        last_step[proposal.id] = step
        if blockers == ["budget"]:
            money_steps.append((step, None, tally.awarded + proposal.request))
        elif blockers == ["track_budget"]:
            money_steps.append((step, proposal.track,
                                tally.track_awarded[proposal.track] + proposal.request))
        return not blockers

    for proposal in _includes(analysis):
        take(proposal)
    by_track: dict[str, list[Proposal]] = {}
    for proposal in analysis.ranking:
        by_track.setdefault(proposal.track, []).append(proposal)
    for track in instance.tracks:
        if track.min_projects <= 0:
            continue
        for proposal in by_track.get(track.code, []):
            if tally.track_count[track.code] >= track.min_projects:
                break
            if proposal.id not in selected and fits(proposal):
                take(proposal)
    result = Walk(tally=tally, selected=selected, money_steps=money_steps,
                  last_step=last_step)
    for proposal in analysis.ranking:
        if proposal.id in selected:
            continue
        if fits(proposal):
            take(proposal)
        else:
            result.blocked[proposal.id] = blocker_details(tally, proposal)
    result.reason = include_problem(analysis)
    if result.reason is None:
        for track in tally.unmet_minimums():
            result.reason = messages.minimum_not_met(
                track.code, track.min_projects, tally.track_count[track.code])
            break
    return result
