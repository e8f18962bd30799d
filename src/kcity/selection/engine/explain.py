"""Why each fundable proposal was not selected, and the smallest change that helps.

For each reserve proposal the explanation gives, as data and words, the
constraints that adding it to the selection would break (country cap with the
selected proposals holding the country, track maximum, track budget, total
budget and by how much) and, for each kind of limit, the smallest change of that
limit alone that brings it in, every one verified by re-solving with the change:

* the total budget: always tried;
* its track's budget, the country cap and its track's maximum: tried when that
  limit is among what stops it.

max_merit, "brings it in" means: with the change some optimal selection
contains it.  The smallest money increase (total or track budget) is found
exactly by alternating two re-solves: ``cheapest(v)`` = the least award (under
that limit) of a selection containing it with merit >= v, the limit ignored, and
``best(b)`` = the optimum with the limit at b.  Starting at v = the optimum now,
every limit below ``cheapest(v)`` cannot work; if at that limit the optimum is
still reachable with it, done, else v rises strictly and the loop repeats (it
ends because v takes finitely many values).  For a count limit (cap, track
maximum) every value from the current one up is tried: ``best(k)`` against the
best with the proposal forced in, up to the value where neither optimum is bound
by the limit any more (then nothing changes above), so the answer is exact.

merit_order: the walk is not monotone in a limit, so values are not bisected.
For money, the walk records every step refused by that limit alone and the limit
at which that step would pass; the walk at any limit below the smallest such
value (among steps up to the proposal's last turn) is the same up to that turn,
so the search jumps from one such value to the next and the first at which the
proposal is selected is the exact smallest increase (`MAX_WALKS` walks at most;
past that None is reported).  For a count limit every value is tried up to the
number of fundable proposals of the country or track (above it the limit binds
nothing), so that answer is exact too.
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
MAX_WALKS = 5000


def explain(instance: Instance, result: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per reserve proposal of `result`, in ranking order."""
    analysis = analyse(instance)
    by_id = {p.id: p for p in analysis.ranking}
    selected = [by_id[i] for i in result["selected"]]
    changer: _MeritOrderChanges | _MaxMeritChanges | None
    if instance.policy == "merit_order":
        blocked = walk(analysis).blocked
        changer = _MeritOrderChanges(analysis)
    else:
        tally = Tally(instance, selected)
        blocked = {pid: blocker_details(tally, by_id[pid]) for pid in result["reserve"]}
        changer = _MaxMeritChanges(analysis, selected) if result["status"] == "optimal" else None
    entries = []
    for pid in result["reserve"]:
        proposal = by_id[pid]
        details = blocked.get(pid, [])
        changes = changer.changes(proposal, details) if changer is not None else []
        increase = next((c["increase"] for c in changes if c["change"] == "budget"), None)
        entries.append({
            "id": pid,
            "blocked_by": details,
            "budget_increase": increase,
            "changes": changes,
            "text": describe(instance, details, changes, result["status"]),
        })
    return entries


def describe(
    instance: Instance, details: list[dict], changes: list[dict], status: str
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
    words = [messages.not_selected(reasons)]
    budget = [c for c in changes if c["change"] == "budget"]
    words.append(messages.change_budget(budget[0]["increase"]) if budget
                 else messages.change_none())
    for change in changes:
        if change["change"] == "track_budget":
            words.append(messages.change_track_budget(change["track"], change["increase"]))
        elif change["change"] == "max_per_country":
            words.append(messages.change_cap(change["to"]))
        elif change["change"] == "track_max_projects":
            words.append(messages.change_track_max(change["track"], change["to"]))
    return " ".join(words)


def _with_limit(instance: Instance, limit: str, value: int | None, track: str | None) -> Instance:
    """`instance` with one limit changed: budget, track_budget, max_per_country or
    track_max_projects (of `track`)."""
    if limit == "budget":
        return replace(instance, budget=value)
    if limit == "max_per_country":
        return replace(instance, max_per_country=value)
    field = "budget" if limit == "track_budget" else "max_projects"
    return replace(instance, tracks=tuple(
        replace(t, **{field: value}) if t.code == track else t for t in instance.tracks))


def _limits_to_try(details: list[dict]) -> list[str]:
    kinds = {d["constraint"] for d in details}
    return [k for k in ("track_budget", "max_per_country", "track_max_projects") if k in kinds]


# -- merit_order ---------------------------------------------------------------


class _MeritOrderChanges:
    """Smallest single-limit changes that put a proposal in the walk (re-walks)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.instance = analysis.instance

    def _walk(self, instance: Instance):
        # fundability and ranking do not depend on budgets, quotas or the cap
        return walk(replace(self.analysis, instance=instance))

    def changes(self, proposal: Proposal, details: list[dict]) -> list[dict]:
        out = []
        increase = self.money(proposal, None)
        if increase is not None:
            out.append({"change": "budget", "increase": increase})
        track = self.analysis.tracks[proposal.track]
        for limit in _limits_to_try(details):
            if limit == "track_budget":
                increase = self.money(proposal, track.code)
                if increase is not None:
                    out.append({"change": limit, "track": track.code, "increase": increase})
            else:
                value = self.count(proposal, limit)
                if value is not None:
                    out.append({"change": limit, "to": value} if limit == "max_per_country"
                               else {"change": limit, "track": track.code, "to": value})
        return out

    def money(self, proposal: Proposal, track: str | None) -> int | None:
        """Smallest increase of the total budget (track None) or of `track`'s budget."""
        current = self.instance.budget if track is None else self.analysis.tracks[track].budget
        limit = "budget" if track is None else "track_budget"
        value = current
        for _walk in range(MAX_WALKS):
            done = self._walk(_with_limit(self.instance, limit, value, track))
            if proposal.id in done.selected:
                return value - current
            turn = done.last_step.get(proposal.id)
            needed = [need for step, which, need in done.money_steps
                      if which == track and (turn is None or step <= turn)]
            if not needed:
                return None  # no larger value changes the walk up to its last turn
            value = min(needed)
        return None

    def count(self, proposal: Proposal, limit: str) -> int | None:
        """Smallest country cap (or its track's maximum) at which the walk selects it."""
        track = proposal.track
        if limit == "max_per_country":
            current = self.instance.max_per_country
            top = sum(p.country == proposal.country for p in self.analysis.ranking)
        else:
            current = self.analysis.tracks[track].max_projects
            top = sum(p.track == track for p in self.analysis.ranking)
        for value in range(current + 1, top + 1):
            done = self._walk(_with_limit(self.instance, limit, value, track))
            if proposal.id in done.selected:
                return value
        return None


# -- max_merit -----------------------------------------------------------------


class _MaxMeritChanges:
    """Smallest single-limit changes putting a proposal in an optimal set (exact re-solves)."""

    def __init__(self, analysis: Analysis, selected: list[Proposal]) -> None:
        self.analysis = analysis
        self.instance = analysis.instance
        self.model = MeritModel(analysis, reduce=False)
        self.model.add_merit_row()
        self.optimum = self.model.scaled_merit(selected)
        self._best: dict[tuple, int | None] = {}
        self.everything = sum(p.request for p in analysis.ranking)

    def changes(self, proposal: Proposal, details: list[dict]) -> list[dict]:
        out = []
        increase = self.money(proposal, None)
        if increase is not None:
            out.append({"change": "budget", "increase": increase})
        track = proposal.track
        for limit in _limits_to_try(details):
            if limit == "track_budget":
                increase = self.money(proposal, track)
                if increase is not None:
                    out.append({"change": limit, "track": track, "increase": increase})
            else:
                value = self.count(proposal, limit)
                if value is not None:
                    out.append({"change": limit, "to": value} if limit == "max_per_country"
                               else {"change": limit, "track": track, "to": value})
        return out

    # -- solving with one limit changed ----------------------------------------

    def _solve(self, instance: Instance, *, forced: Proposal | None = None,
               floor: int | None = None, cheapest_of: str | None = None,
               ) -> list[Proposal] | None:
        """Optimal set of `instance` (with `forced` in and merit >= `floor`); with
        `cheapest_of` ("" for all tracks, else a track code) the least award instead."""
        model = self.model
        model.apply(instance)
        if forced is not None:
            model.fix(forced.id, 1.0, 1.0)
        if floor is not None:
            model.set_merit_floor(floor)
        if cheapest_of is not None:
            model.minimise_award(cheapest_of or None)
        try:
            outcome = model.solve()
            return outcome.chosen if outcome.status == "optimal" else None
        finally:
            model.maximise_merit()
            model.h.changeRowBounds(model.merit_row, -float("inf"), float("inf"))
            model.apply(self.instance)

    def _value(self, instance: Instance, key: tuple, forced: Proposal | None = None):
        """Optimal scaled merit (cached per limit value when nothing is forced)."""
        if forced is None and key in self._best:
            return self._best[key]
        chosen = self._solve(instance, forced=forced)
        value = None if chosen is None else self.model.scaled_merit(chosen)
        if forced is None:
            self._best[key] = value
        return value

    def money(self, proposal: Proposal, track: str | None) -> int | None:
        """Smallest increase of the total budget (track None) or of `track`'s budget."""
        limit = "budget" if track is None else "track_budget"
        current = self.instance.budget if track is None else self.analysis.tracks[track].budget
        free = _with_limit(self.instance, limit,
                           max(self.everything, current) if track is None else None, track)
        target = self.optimum
        for _round in range(MAX_ROUNDS):
            chosen = self._solve(free, forced=proposal, floor=target,
                                 cheapest_of="" if track is None else track)
            if chosen is None:
                return None
            cheapest = sum(p.request for p in chosen if track is None or p.track == track)
            trial = max(current, cheapest)
            at_trial = _with_limit(self.instance, limit, trial, track)
            best = self._value(at_trial, (limit, track, trial))
            if best == target:
                return trial - current
            forced = self._value(at_trial, (limit, track, trial), proposal)
            if forced is not None and best is not None and forced >= best:
                return trial - current
            if best is None:
                return None
            target = best
        return None

    def count(self, proposal: Proposal, limit: str) -> int | None:
        """Smallest country cap (or its track's maximum) with it in an optimal set."""
        track = proposal.track
        current = (self.instance.max_per_country if limit == "max_per_country"
                   else self.analysis.tracks[track].max_projects)
        unlimited = _with_limit(self.instance, limit, None, track)
        tops = []
        for forced in (None, proposal):
            chosen = self._solve(unlimited, forced=forced)
            if chosen is None:
                return None
            if limit == "max_per_country":
                counts: dict[str, int] = {}
                for p in chosen:
                    counts[p.country] = counts.get(p.country, 0) + 1
                tops.append(max(counts.values(), default=0))
            else:
                tops.append(sum(p.track == track for p in chosen))
        # from max(tops) up both optima are the unlimited ones: nothing changes above
        for value in range(current + 1, max(max(tops), current + 1) + 1):
            at_value = _with_limit(self.instance, limit, value, track)
            best = self._value(at_value, (limit, track, value))
            if best is None:
                continue
            forced = self._value(at_value, (limit, track, value), proposal)
            if forced is not None and forced >= best:
                return value
        return None
