"""The state of the max_merit explanations (explain_merit.py) and their re-solves with
one limit changed, shared by the money (explain_money.py) and count (explain_count.py)
searches."""

from __future__ import annotations

from typing import Any

from .analysis import Analysis
from .explain_bounds import CheapestLP, WorkLimit
from .instance import Instance, Proposal
from .milp import MeritModel


class Money:
    """State of one money search: no value below `lower` works, best() >= `target`
    from `lower` up; `result` once done (None: no value works)."""

    def __init__(self, proposal: Proposal, track: str | None, current: int, optimum: int):
        self.proposal, self.track = proposal, track
        self.lower, self.target = current, optimum
        self.rounds = 0
        self.done = False
        self.result: dict[str, Any] | None = None


class ChangesBase:
    """What the searches of one explain run share (set by `MaxMeritChanges`)."""

    analysis: Analysis
    instance: Instance
    work: WorkLimit
    model: MeritModel  # with a merit row: `cheapest` (least award at a merit floor)
    lp: CheapestLP
    fast: MeritModel  # optima, by the LP path
    optimum: int
    everything: int
    selected: list[Proposal]
    solves: int
    _best: dict[tuple[Any, ...], int | None]
    _tops: dict[tuple[Any, ...], tuple[int, int] | None]
    _intervals: dict[str | None, list[tuple[int, int, int, frozenset[str]]]]
    _pool: dict[str | None, list[tuple[int, int, frozenset[str]]]]
    _by_id: dict[str, Proposal]
    _scaled: dict[str, int]
    _money: dict[tuple[str, str | None], Money]
    _counts: dict[tuple[str, str], dict[str, Any] | None]
    _dominators: dict[str, tuple[int, int]]

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
        self.solves += 1
        try:
            outcome = model.solve()
            if outcome.status not in ("optimal", "infeasible"):
                raise RuntimeError(f"explanation: no proven optimum ({outcome.status})")
            return outcome.chosen if outcome.status == "optimal" else None
        finally:
            model.maximise_merit()
            model.h.changeRowBounds(model.merit_row, -float("inf"), float("inf"))
            model.apply(self.instance)

    def _value(self, instance: Instance, key: tuple[Any, ...], forced: Proposal | None = None,
               hint: list[Proposal] | None = None) -> int | None:
        """Optimal scaled merit (with `forced` in), cached per limit value; `hint`: a set
        valid in `instance`."""
        key = (*key, None if forced is None else forced.id)
        if key not in self._best:
            chosen = self._optimum(instance, forced, hint)
            self._best[key] = None if chosen is None else self.fast.scaled_merit(chosen)
        return self._best[key]

    def _optimum(self, instance: Instance, forced: Proposal | None,
                 hint: list[Proposal] | None = None) -> list[Proposal] | None:
        """An optimal set of `instance` with `forced` in (None: infeasible)."""
        model = self.fast
        model.apply(instance)
        if forced is not None:
            model.fix(forced.id, 1.0, 1.0)
        self.solves += 1
        try:
            outcome = model.solve(hint=hint, core=True)
        finally:
            model.apply(self.instance)
        if outcome.status not in ("optimal", "infeasible"):
            raise RuntimeError(f"explanation: no proven optimum ({outcome.status})")
        return None if outcome.status == "infeasible" else outcome.chosen


def settle(change: dict[str, Any], key: str, value: int) -> None:
    """Record a value proven to work; exact when no smaller one does."""
    if value > change[f"{key}_at_least"]:
        change[key] = value
        return
    kept: dict[str, Any] = {k: change[k] for k in ("change", "track") if k in change}
    change.clear()
    change.update(kept, **{key: value})
