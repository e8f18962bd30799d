"""Exact searches of the free columns of the max_merit model (see milp.py): branch.py
with a Lagrangian knapsack bound, groupdp.py whose bound keeps the budget and the country
caps exact, and both near the LP to improve an incumbent."""

from __future__ import annotations

import math

import numpy as np

from . import branch, groupdp
from .model_base import Array, ModelBase

DP_MAX_FREE = 400  # up to this many free columns groupdp.py searches first
DP_MAX_WORK = groupdp.MAX_WORK  # ... if free columns x budget room is at most this
CORE_BRANCH = 120  # columns left free when improving the incumbent by exact search
# ... by groupdp.py: small neighbourhoods first (a program grows with columns x room x
# layers, and a small one often holds the better set), larger ones if they find nothing
NEAR_GROUP_SIZES = (30, 60, 120)
# work of one such search, by size: the largest often cannot end and is only worth it
# when it ends near its root
NEAR_GROUP_WORK = (groupdp.WORK_LIMIT // 4, groupdp.WORK_LIMIT // 4, groupdp.WORK_LIMIT // 16)
NEAR_NODE_LIMIT = 1_000  # nodes for the same heuristic by branch.py, tried first
NEAR_ROUNDS = 1


class SearchMixin(ModelBase):
    """Exact searches over the columns left free by reduced-cost fixing."""

    def _improve_near_groups(self, incumbent: Array, lower: Array, upper: Array,
                             reduced: Array, multipliers: Array, z_inc: int,
                             tolerance: float) -> Array | None:
        """A better set than `incumbent` (columns) differing from it only in the free
        columns nearest the LP, by groupdp.py; None if none is found.  The neighbourhood
        grows (NEAR_GROUP_SIZES), each search starting from the best set so far and
        stopped at NEAR_GROUP_WORK."""
        best = None
        for size, work in zip(NEAR_GROUP_SIZES, NEAR_GROUP_WORK, strict=True):
            # the LP's core first (the other columns on the LP's side), then around the
            # incumbent; a search stopped by its work limit ends the growth (a larger
            # neighbourhood would be stopped too)
            for around in (None, incumbent):
                found, finished = self._near_group_search(
                    around, lower, upper, reduced, multipliers, z_inc, tolerance, size, work)
                if found is not None:
                    best = incumbent = found
                    z_inc = int(round(float(self.merit[found].sum())))
                if not finished:
                    return best
        return best

    def _near_group_search(self, around: Array | None, lower: Array, upper: Array,
                           reduced: Array, multipliers: Array, z_inc: int, tolerance: float,
                           size: int, work: int) -> tuple[Array | None, bool]:
        """(better set or None, finished) of groupdp.py over the `size` free columns
        nearest the LP, the others as in `around` (None: on the LP's side)."""
        new_lower, new_upper = self._near_bounds(around, lower, upper, reduced, size)
        if new_lower is None or new_upper is None or not self._group_search_fits(
                new_lower, new_upper, DP_MAX_WORK // 4):
            return None, False
        try:
            return self._group_search(new_lower, new_upper, multipliers, z_inc, tolerance,
                                      work_limit=work), True
        except groupdp.Abort as stopped:
            return stopped.found, False

    def _group_search_fits(self, new_lower: Array, new_upper: Array,
                           work: int = DP_MAX_WORK) -> bool:
        """Is one program of groupdp.py small enough (free columns x budget room)?"""
        free = np.flatnonzero(new_lower < new_upper)
        if len(free) > DP_MAX_FREE:
            return False
        ones = new_lower > 0.5
        used = float(self.weight[ones].sum())
        upper = self.h.getLp().row_upper_[self.budget_row]
        room = min(upper - used, float(self.weight[free].sum()))
        return bool(len(free) * min(max(room, 0.0), groupdp.MAX_ROOM) <= work)

    def _group_search(self, new_lower: Array, new_upper: Array, multipliers: Array,
                      z_inc: int, tolerance: float, work_limit: int = groupdp.WORK_LIMIT,
                      stop_when_better: bool = False) -> Array | None:
        """Exact search over the free columns by groupdp.py: the sorted columns of a set
        better than `z_inc`, None when there is none; `groupdp.Abort` (with the best set
        so far in `found`, as columns) past its node limit."""
        lp = self.h.getLp()
        row_lower = np.asarray(lp.row_lower_, dtype=np.float64)
        row_upper = np.asarray(lp.row_upper_, dtype=np.float64)
        n_rows = len(row_upper)
        ones = new_lower > 0.5
        free = np.flatnonzero(new_lower < new_upper)
        used = self._activity(ones, n_rows)
        fixed_merit = int(round(float(self.merit[ones].sum())))

        def columns(picked: Array) -> Array:
            return np.sort(np.concatenate([np.flatnonzero(ones), free[picked]]).astype(np.int64))

        country_rows = np.zeros(n_rows, dtype=bool)
        country_rows[list(self.country_row.values())] = True
        capped = country_rows & np.isfinite(row_upper)
        other = np.ones(n_rows, dtype=bool)
        other[self.budget_row] = False
        other[country_rows] = False
        if self.merit_row is not None:
            other[self.merit_row] = False
        column_at = np.full(len(self.cols), -1, dtype=np.int64)
        column_at[free] = np.arange(len(free))
        in_free = column_at[self._entry_col] >= 0
        rows_e = self._row_of_entry[in_free]
        cols_e = column_at[self._entry_col[in_free]]
        vals_e = self._entry_value[in_free]
        # countries with a cap: groups (one country row per column at most)
        group = np.full(len(free), -1, dtype=np.int64)
        group_index = np.full(n_rows, -1, dtype=np.int64)
        capped_rows = np.flatnonzero(capped)
        group_index[capped_rows] = np.arange(len(capped_rows))
        in_group = capped[rows_e]
        group[cols_e[in_group]] = group_index[rows_e[in_group]]
        group_cap = np.round(row_upper[capped_rows] - used[capped_rows]).astype(np.int64)
        if np.any(group_cap < 0):
            return None  # the columns fixed at 1 break a cap: nothing better here
        kept_rows = np.flatnonzero(other)
        position = np.full(n_rows, -1, dtype=np.int64)
        position[kept_rows] = np.arange(len(kept_rows))
        dense = np.zeros((len(kept_rows), len(free)))
        in_other = other[rows_e]
        dense[position[rows_e[in_other]], cols_e[in_other]] = vals_e[in_other]
        room = row_upper[self.budget_row] - used[self.budget_row]
        if not math.isfinite(room):
            room = float(self.weight[free].sum())
        if room < 0:
            return None
        room = min(room, float(self.weight[free].sum()))
        try:
            found = groupdp.search(
                merit=self.merit[free], weight=np.round(self.weight[free]).astype(np.int64),
                room=int(math.floor(room + 1e-9)), group=group, group_cap=group_cap,
                rows=dense, row_upper=row_upper[kept_rows] - used[kept_rows],
                row_lower=row_lower[kept_rows] - used[kept_rows], y=multipliers[kept_rows],
                best=z_inc - fixed_merit, tolerance=tolerance, work_limit=work_limit,
                stop_when_better=stop_when_better)
        except groupdp.Abort as stopped:
            stopped.found = None if stopped.found is None else columns(stopped.found)
            raise
        return None if found is None else columns(found)

    def _improve_near(self, incumbent: Array, lower: Array, upper: Array, reduced: Array,
                      multipliers: Array, tolerance: float) -> Array:
        """A better incumbent by a short exact search (NEAR_NODE_LIMIT nodes) over the
        CORE_BRANCH free columns nearest the LP, the others kept as in `incumbent`."""
        new_lower, new_upper = self._near_bounds(incumbent, lower, upper, reduced)
        if new_lower is None or new_upper is None:
            return incumbent
        for _round in range(NEAR_ROUNDS):
            z_inc = int(round(float(self.merit[incumbent].sum())))
            try:
                found = self._branch(new_lower, new_upper, reduced, multipliers, z_inc,
                                     tolerance, node_limit=NEAR_NODE_LIMIT)
            except branch.Abort as stopped:
                found = stopped.found
            else:
                return incumbent if found is None else found  # best near the LP
            if found is None:
                break
            incumbent = found
            new_lower, new_upper = self._near_bounds(incumbent, lower, upper, reduced)
            if new_lower is None or new_upper is None:
                break
        return incumbent

    def _near_bounds(self, incumbent: Array | None, lower: Array, upper: Array,
                     reduced: Array, size: int | None = None
                     ) -> tuple[Array, Array] | tuple[None, None]:
        """Column bounds freeing only the `size` (default CORE_BRANCH) columns of smallest
        |reduced cost|."""
        size = CORE_BRANCH if size is None else size
        free = np.flatnonzero(lower < upper)
        if len(free) <= size:
            return None, None
        near = free[np.argsort(np.abs(reduced[free]), kind="stable")[:size]]
        if incumbent is None:  # the LP's side of every other column (a core problem)
            taken = ((reduced > 0) & (upper > 0.5)) | (lower > 0.5)
        else:
            taken = np.zeros(len(self.cols), dtype=bool)
            taken[incumbent] = True
        new_lower, new_upper = lower.copy(), upper.copy()
        pinned = np.ones(len(self.cols), dtype=bool)
        pinned[near] = False
        new_lower[pinned & taken] = 1.0
        new_upper[pinned & ~taken] = 0.0
        return new_lower, new_upper

    def _branch(self, new_lower: Array, new_upper: Array, reduced: Array,
                multipliers: Array, z_inc: int, tolerance: float,
                node_limit: int = branch.NODE_LIMIT) -> Array | None:
        """Exact search over the free columns (branch.py): the sorted columns of a set
        better than `z_inc`, None when there is none.  On `branch.Abort` the best set
        found so far is in its `found` (columns) or None."""
        lp = self.h.getLp()
        row_lower = np.asarray(lp.row_lower_, dtype=np.float64)
        row_upper = np.asarray(lp.row_upper_, dtype=np.float64)
        y_budget = float(multipliers[self.budget_row])
        others = multipliers.copy()
        others[self.budget_row] = 0.0
        constant = float(np.where(others > 0, others * np.where(np.isfinite(row_upper),
                                                                row_upper, 0.0),
                                  others * np.where(np.isfinite(row_lower), row_lower, 0.0)).sum())
        profit = reduced + y_budget * self.weight  # the budget row stays a knapsack
        ones = new_lower > 0.5
        free = np.flatnonzero(new_lower < new_upper)
        activity = [int(round(a)) for a in self._activity(ones, len(row_upper)).tolist()]
        fixed_merit = float(self.merit[ones].sum())
        rows_of = self._column_rows()

        def columns(picked: list[int]) -> Array:
            return np.sort(np.concatenate([np.flatnonzero(ones), free[picked]]).astype(np.int64))

        try:
            _best, picked = branch.search(
                merit=[int(round(m)) for m in self.merit[free].tolist()],
                rows_of=[rows_of[j] for j in free.tolist()],
                profit=profit[free].tolist(),
                weight=[int(round(w)) for w in self.weight[free].tolist()],
                budget_row=self.budget_row,
                activity=activity,
                upper=row_upper.tolist(),
                lower=row_lower.tolist(),
                base_bound=constant + float(profit[ones].sum()) - fixed_merit,
                best=z_inc - int(round(fixed_merit)),
                tolerance=tolerance,
                node_limit=node_limit,
                )
        except branch.Abort as stopped:
            stopped.found = None if stopped.chosen is None else columns(stopped.chosen)
            raise
        return None if picked is None else columns(picked)
