"""Helpers of the explanations: one limit changed, a work limit, a cheap LP bound.

`cheapest(v)` (the least award of a selection containing a proposal with merit
>= v) is a MILP costing ~50 ms even at 60 proposals; its LP relaxation is a valid
lower bound for a few ms.  The money search jumps with the LP and runs the MILP
only when the LP cannot move it.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from .analysis import Analysis
from .instance import Instance, Proposal
from .milp import MeritModel

# HiGHS tolerances: keep an LP bound below the true LP optimum (weaker is still valid)
LP_MARGIN = 1e-3
LP_RELATIVE = 1e-7


class WorkLimit:
    """CPU seconds (process time: HiGHS's threads count) allowed to one explain run."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.start = time.process_time()

    def used(self) -> float:
        return time.process_time() - self.start

    def spent(self, share: float = 1.0) -> bool:
        """True once `share` of the allowance is used (never with no limit)."""
        return self.seconds is not None and self.used() >= share * self.seconds


class CheapestLP:
    """LP relaxation of `cheapest`: min award with `forced` in and merit >= floor."""

    def __init__(self, analysis: Analysis) -> None:
        self.model = MeritModel(analysis, reduce=False)
        self.model.add_merit_row()
        h, n = self.model.h, len(self.model.cols)
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        self.instance = analysis.instance

    def bound(self, free: Instance, forced: Proposal, floor: int,
              track: str | None) -> int | None:
        """A lower bound on the least award (of `track`, or of all), in KRW; None when
        the LP gives none (an infeasible LP is left to the MILP to confirm)."""
        model = self.model
        model.apply(free)
        model.fix(forced.id, 1.0, 1.0)
        model.set_merit_floor(floor)
        model.minimise_award(track)
        try:
            value = model.run_lp()
            if value is None:
                return None
            # awards are multiples of `unit`, so the bound rounds up to one
            return model.unit * max(0, math.ceil(value - LP_MARGIN - LP_RELATIVE * abs(value)))
        finally:
            model.maximise_merit()
            model.h.changeRowBounds(model.merit_row, -math.inf, math.inf)
            model.apply(self.instance)


def with_limit(instance: Instance, limit: str, value: int | None, track: str | None) -> Instance:
    """`instance` with one limit changed: budget, track_budget, max_per_country,
    max_projects (the cycle's) or track_max_projects (of `track`)."""
    if limit == "budget":
        assert value is not None  # the total budget always has a value
        return replace(instance, budget=value)
    if limit == "max_projects":
        return replace(instance, max_projects=value)
    if limit == "max_per_country":
        return replace(instance, max_per_country=value)
    if limit == "track_budget":
        return replace(instance, tracks=tuple(
            replace(t, budget=value) if t.code == track else t for t in instance.tracks))
    return replace(instance, tracks=tuple(
        replace(t, max_projects=value) if t.code == track else t for t in instance.tracks))


def limits_to_try(details: list[dict[str, Any]]) -> list[str]:
    """The limits besides the total budget whose change is looked for."""
    kinds = {d["constraint"] for d in details}
    return [k for k in ("track_budget", "max_per_country", "track_max_projects", "max_projects")
            if k in kinds]
