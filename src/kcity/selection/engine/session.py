"""What-if answers: keep the instance, the model and the last solution between changes.

A `Session` answers one change (budget, a track's quota or budget, the country
cap, the cycle's maximum, include/exclude/release one proposal) faster than a cold solve because:

* the HiGHS model is built once (over every proposal that is fundable apart from
  `fixed.exclude`) and a change only moves row/column bounds;
* a change that only tightens the constraints (e.g. a lower budget) cannot raise
  the optimum, so if the last optimal set still meets them it is returned at
  once, proven optimal without a solve;
* otherwise the round is solved by the LP-based path of milp.py (`core=True`:
  LP relaxation, an incumbent from the rounded LP or from the last set, made
  valid again by `_repair`, improved near the LP, reduced-cost fixing, then an
  exact search of the columns left: groupdp.py first, whose bound keeps the budget,
  the country caps, tight track maximums and a binding track budget exact and
  usually proves the optimum at its root, then branch.py or HiGHS on a small model),
  which proves the same optimum as a cold solve in a fraction of its time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .analysis import Analysis, analyse
from .instance import Instance, Proposal
from .merit_order import include_problem
from .milp import DEFAULT_TIME_LIMIT, MeritModel, Outcome
from .solver import is_valid_selection, merit_order_result, optimise, outcome_result
from .tally import Tally

_UNSET = object()


class Session:
    """A solved round that answers what-if changes; `result` is the current answer."""

    def __init__(self, instance: Instance, *, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        self.time_limit = time_limit
        self.instance = instance
        self._model: MeritModel | None = None
        if instance.policy == "max_merit":
            base = analyse(replace(instance, exclude=()))
            if base.ranking:
                self._model = MeritModel(base, reduce=False)
        self._last: Outcome | None = None
        self.result: dict[str, Any] = self._answer(instance, tightening=False)

    # -- changes -------------------------------------------------------------

    def set_budget(self, budget: int) -> dict[str, Any]:
        return self._change(replace(self.instance, budget=budget),
                            tightening=budget <= self.instance.budget)

    def set_track(self, code: str, *, min_projects: Any = _UNSET, max_projects: Any = _UNSET,
                  budget: Any = _UNSET) -> dict[str, Any]:
        """Change a track's quota (min/max projects) and/or budget; None means no limit."""
        tracks, tightening = [], True
        for track in self.instance.tracks:
            if track.code == code:
                new = replace(
                    track,
                    min_projects=track.min_projects if min_projects is _UNSET else min_projects,
                    max_projects=track.max_projects if max_projects is _UNSET else max_projects,
                    budget=track.budget if budget is _UNSET else budget,
                )
                tightening = (
                    new.min_projects >= track.min_projects
                    and _at_most(new.max_projects, track.max_projects)
                    and _at_most(new.budget, track.budget)
                )
                track = new
            tracks.append(track)
        if code not in {t.code for t in tracks}:
            raise KeyError(code)
        return self._change(replace(self.instance, tracks=tuple(tracks)), tightening=tightening)

    def set_country_cap(self, cap: int | None) -> dict[str, Any]:
        tightening = _at_most(cap, self.instance.max_per_country)
        return self._change(replace(self.instance, max_per_country=cap), tightening=tightening)

    def set_max_projects(self, most: int | None) -> dict[str, Any]:
        """The most projects in all, across tracks (None: no limit)."""
        tightening = _at_most(most, self.instance.max_projects)
        return self._change(replace(self.instance, max_projects=most), tightening=tightening)

    def include(self, pid: str) -> dict[str, Any]:
        include = tuple(dict.fromkeys((*self.instance.include, pid)))
        exclude = tuple(i for i in self.instance.exclude if i != pid)
        tightening = pid not in self.instance.exclude
        return self._change(replace(self.instance, include=include, exclude=exclude),
                            tightening=tightening)

    def exclude(self, pid: str) -> dict[str, Any]:
        exclude = tuple(dict.fromkeys((*self.instance.exclude, pid)))
        include = tuple(i for i in self.instance.include if i != pid)
        tightening = pid not in self.instance.include
        return self._change(replace(self.instance, include=include, exclude=exclude),
                            tightening=tightening)

    def release(self, pid: str) -> dict[str, Any]:
        """Drop `pid` from both fixed lists (undo include/exclude)."""
        include = tuple(i for i in self.instance.include if i != pid)
        exclude = tuple(i for i in self.instance.exclude if i != pid)
        return self._change(replace(self.instance, include=include, exclude=exclude),
                            tightening=False)

    # -- answering -----------------------------------------------------------

    def _change(self, instance: Instance, *, tightening: bool) -> dict[str, Any]:
        self.instance = instance
        self.result = self._answer(instance, tightening=tightening)
        return self.result

    def _answer(self, instance: Instance, *, tightening: bool) -> dict[str, Any]:
        analysis = analyse(instance)
        if instance.policy == "merit_order":
            return merit_order_result(analysis)
        last = self._last
        still_valid = (
            last is not None
            and last.status in ("optimal", "feasible")
            and include_problem(analysis) is None
            and _all_fundable(analysis, last.chosen)
            and is_valid_selection(analysis, last.chosen)
        )
        if last is not None and tightening and still_valid and last.status == "optimal":
            outcome = last  # the optimum cannot rise when constraints only tighten
        else:
            if self._model is not None:
                self._model.apply(instance)
            hint = last.chosen if last is not None and still_valid else _repair(analysis, last)
            outcome = optimise(analysis, time_limit=self.time_limit, model=self._model, hint=hint,
                               core=True)
        self._last = outcome
        return outcome_result(analysis, outcome, time_limit=self.time_limit, model=self._model)


def _at_most(new: int | None, old: int | None) -> bool:
    """Is limit `new` at most limit `old` (None = no limit)?"""
    if new is None:
        return old is None
    return old is None or new <= old


def _repair(analysis: Analysis, last: Outcome | None) -> list[Proposal] | None:
    """The last set made valid again, as a starting incumbent: includes added, what is
    no longer fundable dropped, the lowest-merit proposals dropped until every upper
    limit holds, then the room refilled greedily by merit per KRW.  None when no
    valid set comes out (e.g. a minimum is missed)."""
    if last is None or not last.chosen or include_problem(analysis) is not None:
        return None
    included = set(analysis.instance.include)
    by_id = {p.id: p for p in analysis.ranking}
    kept_by_id = {p.id: by_id[p.id] for p in last.chosen if p.id in by_id}
    for pid in included:
        if pid in by_id:
            kept_by_id.setdefault(pid, by_id[pid])
    tally = Tally(analysis.instance, kept_by_id.values())
    violated = bool(tally.upper_violations())
    for proposal in sorted(kept_by_id.values(), key=lambda p: -analysis.rank[p.id]):
        # worst first
        if not violated:
            break
        if proposal.id in included or not _relieves(tally, proposal):
            continue
        del kept_by_id[proposal.id]
        tally.remove(proposal)
        violated = bool(tally.upper_violations())
    kept = list(kept_by_id.values())
    chosen = set(kept_by_id)
    merit = analysis.merit
    for proposal in sorted(analysis.ranking, key=lambda p: -merit[p.id] / p.request):
        if proposal.id not in chosen and merit[proposal.id] > 0 and tally.fits(proposal):
            kept.append(proposal)
            chosen.add(proposal.id)
            tally.add(proposal)
    return kept if is_valid_selection(analysis, kept) else None


def _relieves(tally: Tally, proposal: Proposal) -> bool:
    """Does dropping `proposal` lower a limit the tallied set breaks?"""
    instance, track = tally.instance, tally.tracks[proposal.track]
    cap, most = instance.max_per_country, instance.max_projects
    return (
        tally.awarded > instance.budget
        or (most is not None and tally.count > most)
        or (track.max_projects is not None and tally.track_count[track.code] > track.max_projects)
        or (track.budget is not None and tally.track_awarded[track.code] > track.budget)
        or (cap is not None and tally.country_count[proposal.country] > cap)
    )


def _all_fundable(analysis: Analysis, chosen: list[Proposal]) -> bool:
    return all(p.id in analysis.rank for p in chosen)
