"""Why each fundable proposal was not selected, and the smallest budget change that helps.

For each reserve proposal the explanation gives, as data and words, the
constraints that adding it to the selection would break (country cap with the
selected proposals holding the country, track maximum, track budget, total
budget and by how much) and the smallest total-budget increase that brings it in.

max_merit, "brings it in" means: at budget B + d some optimal selection contains
it.  The smallest such d is found exactly by alternating two re-solves:
``cheapest(v)`` = the least award of a selection containing it with merit >= v
(total budget ignored), and ``best(b)`` = the optimum at budget b.  Starting at
v = optimum at B, every budget below ``cheapest(v)`` cannot work; if at that
budget the optimum is still reachable with it, done, else v rises strictly and
the loop repeats (it ends because v takes finitely many values).

merit_order: the walk at budget B + d is re-run; d grows by the shortfall seen at
the proposal's turn until it is selected or stopped by a non-budget limit.  The
amount reported is verified by the re-run, but since greedy walks are not
monotone in the budget it is not proven to be the smallest.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import messages
from .analysis import Analysis, analyse
from .instance import Instance, Proposal
from .merit_order import blocker_details, walk
from .milp import MeritModel
from .tally import Tally

MAX_ROUNDS = 50


def explain(instance: Instance, result: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per reserve proposal of `result`, in ranking order."""
    analysis = analyse(instance)
    by_id = {p.id: p for p in analysis.ranking}
    selected = [by_id[i] for i in result["selected"]]
    if instance.policy == "merit_order":
        blocked = walk(analysis).blocked
        changer = _merit_order_change(analysis)
    else:
        tally = Tally(instance, selected)
        blocked = {pid: blocker_details(tally, by_id[pid]) for pid in result["reserve"]}
        changer = _MaxMeritChange(analysis, selected) if result["status"] == "optimal" else None
    entries = []
    for pid in result["reserve"]:
        proposal = by_id[pid]
        details = blocked.get(pid, [])
        increase = changer(proposal) if changer is not None else None
        entries.append({
            "id": pid,
            "blocked_by": details,
            "budget_increase": increase,
            "text": describe(instance, details, increase, result["status"]),
        })
    return entries


def describe(
    instance: Instance, details: list[dict], increase: int | None, status: str
) -> str:
    """The explanation of one proposal in words (all strings come from `messages`)."""
    reasons = []
    for item in details:
        kind = item["constraint"]
        if kind == "max_per_country":
            reasons.append(messages.blocked_by_country(item["country"], item["cap"],
                                                       item["held_by"]))
        elif kind == "track_max_projects":
            reasons.append(messages.blocked_by_track_max(item["track"], item["max"]))
        elif kind == "track_budget":
            reasons.append(messages.blocked_by_track_budget(item["track"], item["short_by"]))
        else:
            reasons.append(messages.blocked_by_budget(item["short_by"]))
    if not reasons:
        reasons.append(messages.no_gain() if status == "optimal" else messages.not_reached())
    change = messages.change_none() if increase is None else messages.change_budget(increase)
    return messages.not_selected(reasons) + " " + change


# -- merit_order ---------------------------------------------------------------


def _merit_order_change(analysis: Analysis):
    instance = analysis.instance

    def change(proposal: Proposal) -> int | None:
        increase = 0
        for _round in range(MAX_ROUNDS):
            done = walk(analyse(replace(instance, budget=instance.budget + increase)))
            if proposal.id in done.selected:
                return increase
            details = done.blocked.get(proposal.id, [])
            if [d["constraint"] for d in details] != ["budget"]:
                return None
            increase += details[0]["short_by"]
        return None

    return change


# -- max_merit -----------------------------------------------------------------


class _MaxMeritChange:
    """Smallest budget increase putting a proposal in an optimal set (exact re-solves)."""

    def __init__(self, analysis: Analysis, selected: list[Proposal]) -> None:
        self.instance = analysis.instance
        self.model = MeritModel(analysis, reduce=False)
        self.model.add_merit_row()
        self.optimum = self.model.scaled_merit(selected)
        self.unit = self.model.unit

    def __call__(self, proposal: Proposal) -> int | None:
        budget = self.instance.budget
        target = self.optimum
        for _round in range(MAX_ROUNDS):
            cheapest = self._cheapest(proposal, target)
            if cheapest is None:
                return None
            trial = max(budget, cheapest)
            best = self._best(trial)
            if best == target:
                return trial - budget
            forced = self._best(trial, proposal)
            if forced is not None and forced >= best:
                return trial - budget
            target = best
        return None

    def _run(self) -> list[Proposal] | None:
        outcome = self.model.solve()
        if outcome.status != "optimal":
            return None
        return outcome.chosen

    def _cheapest(self, proposal: Proposal, target: int) -> int | None:
        """Least award (KRW) of a valid set with `proposal` and merit >= target, any budget."""
        model = self.model
        model.minimise_award()
        model.set_budget_bound(float("inf"))
        model.set_merit_floor(target)
        model.fix(proposal.id, 1.0, 1.0)
        try:
            chosen = self._run()
        finally:
            self._reset(proposal)
        return None if chosen is None else sum(p.request for p in chosen)

    def _best(self, budget: int, forced: Proposal | None = None) -> int | None:
        """Optimal scaled merit at `budget`, optionally with `forced` in the set."""
        model = self.model
        model.set_budget_bound(budget)
        if forced is not None:
            model.fix(forced.id, 1.0, 1.0)
        try:
            chosen = self._run()
        finally:
            self._reset(forced)
        return None if chosen is None else model.scaled_merit(chosen)

    def _reset(self, proposal: Proposal | None) -> None:
        model = self.model
        model.maximise_merit()
        model.set_budget_bound(self.instance.budget)
        model.h.changeRowBounds(model.merit_row, -float("inf"), float("inf"))
        if proposal is not None:
            lower = 1.0 if proposal.id in self.instance.include else 0.0
            model.fix(proposal.id, lower, 1.0)
