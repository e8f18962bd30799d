"""What every part of the max_merit model shares: the solve outcome, exact scaling of
merit, and the model's state and small helpers (`ModelBase`).

The model is one class, `milp.MeritModel`, assembled from parts by strategy: this base,
`core_search.py` (exact searches of the free columns: branch.py and groupdp.py) and
`core.py` (the LP path: relaxation, incumbents, reduced-cost fixing, small HiGHS models),
so that each file stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .analysis import Analysis
from .instance import Proposal

DEFAULT_TIME_LIMIT = 600.0
MAX_DIGITS = 6  # merit resolution 1e-6; scores in practice have one or two decimals
INF = math.inf

Array = NDArray[Any]  # numpy arrays of the model (columns, rows, bounds)


@dataclass(frozen=True)
class Outcome:
    """What a solve found: status, the chosen proposals and the proven bound (scaled)."""

    status: str  # optimal | feasible | infeasible | unknown
    chosen: list[Proposal]
    bound: int | None  # best proven bound on the scaled objective (max_merit only)


def merit_digits(merits: Iterable[Decimal]) -> int:
    """Decimal places needed to make every merit an integer (capped at MAX_DIGITS)."""
    digits = 0
    for merit in merits:
        exponent = merit.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            digits = -exponent
    return min(digits, MAX_DIGITS)


def scaled(merit: Decimal, digits: int) -> int:
    return int((merit.scaleb(digits)).to_integral_value(ROUND_HALF_EVEN))


class ModelBase:
    """The state of a HiGHS model of constraints 1-4 (built by `milp.MeritModel`) and the
    helpers every strategy uses."""

    highspy: ModuleType  # the HiGHS module, imported by MeritModel (a heavy import)
    h: Any  # the HiGHS instance
    analysis: Analysis
    cols: list[Proposal]
    col: dict[str, int]
    digits: int
    merit: Array
    unit: int
    weight: Array
    merit_row: int | None
    budget_row: int
    track_count_row: dict[str, int]
    track_budget_row: dict[str, int]
    total_row: int | None
    country_row: dict[str, int]
    last_free: int
    _maximising: bool
    _rows_cache: list[list[tuple[int, int]]] | None
    _row_of_entry: Array
    _entry_col: Array
    _entry_value: Array

    def _run_mip(self, time_limit: float, hint: list[Proposal] | None) -> Outcome:
        hs, h, n = self.highspy, self.h, len(self.cols)
        h.setOptionValue("time_limit", float(time_limit))
        if hint:
            values = np.zeros(n)
            values[[self.col[p.id] for p in hint if p.id in self.col]] = 1.0
            h.setSolution(n, np.arange(n, dtype=np.int32), values)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        has_solution = info.primal_solution_status == hs.SolutionStatus.kSolutionStatusFeasible
        if status == hs.HighsModelStatus.kInfeasible:
            return Outcome("infeasible", [], None)
        if not has_solution:
            return Outcome("unknown", [], None)
        x = np.asarray(h.getSolution().col_value)
        chosen = [self.cols[i] for i in np.flatnonzero(x > 0.5)]
        if status == hs.HighsModelStatus.kOptimal:
            return Outcome("optimal", chosen, None)
        bound = info.mip_dual_bound
        proven = math.floor(bound + 1e-6) if math.isfinite(bound) else None
        return Outcome("feasible", chosen, proven)

    def _hint_columns(self, hint: list[Proposal] | None) -> np.ndarray | None:
        """The hint as column indices, if it is a feasible point of the current model."""
        if not hint or any(p.id not in self.col for p in hint):
            return None
        columns = np.array(sorted(self.col[p.id] for p in hint), dtype=np.int64)
        lower, upper = self._col_bounds()
        taken = np.zeros(len(self.cols), dtype=bool)
        taken[columns] = True
        if np.any(taken & (upper < 0.5)) or np.any(~taken & (lower > 0.5)):
            return None
        lp = self.h.getLp()
        activity = self._activity(taken, len(lp.row_upper_))
        if np.any(activity > np.asarray(lp.row_upper_) + 1e-9) or np.any(
            activity < np.asarray(lp.row_lower_) - 1e-9
        ):
            return None
        return columns

    def _best_of(self, *candidates: np.ndarray | None) -> np.ndarray | None:
        found = [c for c in candidates if c is not None]
        if not found:
            return None
        return max(found, key=lambda c: float(self.merit[c].sum()))

    def _column_rows(self) -> list[list[tuple[int, int]]]:
        """Each column's (row, integer coefficient) entries, built once per model."""
        if self._rows_cache is None:
            rows_of: list[list[tuple[int, int]]] = [[] for _ in range(len(self.cols))]
            for r, c, v in zip(self._row_of_entry.tolist(), self._entry_col.tolist(),
                               self._entry_value.tolist(), strict=True):
                rows_of[c].append((r, int(round(v))))
            self._rows_cache = rows_of
        return self._rows_cache

    @staticmethod
    def _fixed_bounds(reduced: Array, lower: Array, upper: Array,
                      fix: Array) -> tuple[Array, Array]:
        """Bounds with the `fix` columns pinned where their reduced cost points."""
        new_lower, new_upper = lower.copy(), upper.copy()
        new_lower[fix & (reduced > 0)] = 1.0
        new_upper[fix & (reduced < 0)] = 0.0
        return new_lower, new_upper

    def _col_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lp = self.h.getLp()
        return np.array(lp.col_lower_, dtype=np.float64), np.array(lp.col_upper_, dtype=np.float64)

    def _activity(self, taken: np.ndarray, n_rows: int) -> np.ndarray:
        """Row activities of the 0/1 vector `taken`."""
        weights = self._entry_value * taken[self._entry_col]
        return np.bincount(self._row_of_entry, weights=weights, minlength=n_rows)

    def scaled_merit(self, chosen: list[Proposal]) -> int:
        return sum(scaled(self.analysis.merit[p.id], self.digits) for p in chosen)
