"""What-if answers: keep the instance, the model and the last solution between changes.

A `Session` answers one change (budget, a track's quota or budget, the country
cap, include/exclude/release one proposal) faster than a cold solve because:

* the HiGHS model is built once (over every proposal that is fundable apart from
  `fixed.exclude`) and a change only moves row/column bounds;
* a change that only tightens the constraints (e.g. a lower budget) cannot raise
  the optimum, so if the last optimal set still meets them it is returned at
  once, proven optimal without a solve;
* otherwise the last set, when still valid, is given to HiGHS as the starting
  incumbent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .analysis import analyse
from .instance import Instance, Proposal
from .merit_order import include_problem
from .milp import DEFAULT_TIME_LIMIT, MeritModel, Outcome
from .solver import is_valid_selection, merit_order_result, optimise, outcome_result

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
        if tightening and still_valid and last.status == "optimal":
            outcome = last  # the optimum cannot rise when constraints only tighten
        else:
            if self._model is not None:
                self._model.apply(instance)
            hint = last.chosen if still_valid else None
            outcome = optimise(analysis, time_limit=self.time_limit, model=self._model, hint=hint)
        self._last = outcome
        return outcome_result(analysis, outcome, time_limit=self.time_limit, model=self._model)


def _at_most(new: int | None, old: int | None) -> bool:
    """Is limit `new` at most limit `old` (None = no limit)?"""
    if new is None:
        return old is None
    return old is None or new <= old


def _all_fundable(analysis, chosen: list[Proposal]) -> bool:
    return all(p.id in analysis.rank for p in chosen)
