"""The LP path of the max_merit model (see milp.py): LP relaxation, an incumbent,
reduced-cost fixing with a Lagrangian bound, then the exact searches of core_search.py and,
as the last resort, HiGHS on a small model of the free columns."""

from __future__ import annotations

import math
import time

import numpy as np

from . import branch, groupdp
from .core_search import SearchMixin
from .instance import Proposal
from .model_base import Array, Outcome

CORE_SIZE = 1500  # columns left free in the small MIP that finds the first incumbent
BRANCH_MAX_FREE = 150  # above this many free columns HiGHS searches (on a small model)
NEAR_GROUP_TRIES = 3  # improvements of the incumbent by groupdp.py near the LP
# node limits of successive exact searches; each stop with a better set fixes more columns
BRANCH_NODE_LIMITS = (100_000, 100_000)
GROUP_RESTARTS = 3  # exact searches stopped at a better set, to fix more columns with it
SUB_OPTIONS: dict[str, object] = {}
CORE_TIME_LIMIT = 0.5  # seconds at most for that heuristic by HiGHS
WIDE_LP_RATIO = 100  # columns per row from which the LP relaxation uses primal simplex


class CoreMixin(SearchMixin):
    """Solving large models and what-ifs by the LP path (`MeritModel.solve(core=True)`)."""

    def _solve_with_core(self, time_limit: float, hint: list[Proposal] | None) -> Outcome:
        start = time.monotonic()
        relaxation = self._relaxation()
        if relaxation is None:
            return self._run_mip(time_limit, hint)
        x_lp, y = relaxation
        lower, upper = self._col_bounds()
        bound, reduced, multipliers = self._lagrangian_bound(y, lower, upper)
        incumbent = self._best_of(self._round(x_lp, reduced, lower, upper),
                                  self._hint_columns(hint))
        if incumbent is None:
            return self._run_mip(time_limit, hint)
        incumbent = self._improve(incumbent, reduced, lower, upper, time_limit / 4)
        tolerance = 1e-7 * abs(bound) + 1e-6
        free = lower < upper
        # cheap first: a short exact search near the LP; HiGHS near the LP if that is not enough
        incumbent = self._improve_near(incumbent, lower, upper, reduced, multipliers, tolerance)
        tried_highs, near_group_tries, group_tries, searches = False, 0, 0, 0
        near_at = None  # the incumbent's merit when near groups last ran (same: no use)
        restarts = GROUP_RESTARTS
        while True:
            z_inc = int(round(float(self.merit[incumbent].sum())))
            chosen = [self.cols[i] for i in incumbent]
            slack = bound - z_inc - 1 + tolerance  # room for a better integer set
            if slack < 0:
                return Outcome("optimal", chosen, None)  # no integer set beats the incumbent
            fix = free & (abs(reduced) > slack)
            new_lower, new_upper = self._fixed_bounds(reduced, lower, upper, fix)
            self.last_free = int((new_lower < new_upper).sum())
            if near_group_tries == 0 and self.last_free > BRANCH_MAX_FREE:
                # many columns free: the gap is wide, improve the incumbent near the LP
                # first (cheap) rather than start a large exact search with it
                near_group_tries, near_at = 1, z_inc
                found = self._improve_near_groups(incumbent, lower, upper, reduced,
                                                  multipliers, z_inc, tolerance)
                if found is not None:
                    incumbent = found
                    continue
            if group_tries < 2 and self._group_search_fits(new_lower, new_upper):
                # the search whose bound keeps budget and country caps exact (groupdp.py)
                try:
                    better = self._group_search(new_lower, new_upper, multipliers, z_inc,
                                                tolerance, stop_when_better=restarts > 0)
                except groupdp.Abort as stopped:
                    if stopped.found is not None:  # better, not proven: fix more columns
                        if restarts > 0:
                            restarts -= 1  # stopped at the better set: not a failed try
                        else:
                            group_tries += 1
                        incumbent = stopped.found
                        continue
                    if not stopped.too_large:
                        group_tries = 2
                else:
                    chosen = chosen if better is None else [self.cols[i] for i in better]
                    return Outcome("optimal", chosen, None)
            if near_group_tries < NEAR_GROUP_TRIES and near_at != z_inc:
                # a better incumbent from groupdp.py over the columns nearest the LP only
                # (cheaper than branch.py's long search, which a better one may spare)
                near_group_tries, near_at = near_group_tries + 1, z_inc
                found = self._improve_near_groups(incumbent, lower, upper, reduced,
                                                  multipliers, z_inc, tolerance)
                if found is not None:
                    incumbent = found
                    continue
            if self.last_free <= BRANCH_MAX_FREE and searches < len(BRANCH_NODE_LIMITS):
                searches += 1
                try:
                    better = self._branch(new_lower, new_upper, reduced, multipliers, z_inc,
                                          tolerance, node_limit=BRANCH_NODE_LIMITS[searches - 1])
                except branch.Abort as stopped:
                    if stopped.found is not None:  # better, not proven: fix more columns
                        incumbent = stopped.found
                    continue  # and search again, longer
                else:
                    chosen = chosen if better is None else [self.cols[i] for i in better]
                    return Outcome("optimal", chosen, None)
            if tried_highs:
                break
            tried_highs = True
            found = self._improve_core(incumbent, lower, upper, reduced,
                                       min(CORE_TIME_LIMIT, time_limit / 4))
            if found is incumbent:
                break
            incumbent = found
        remaining = max(1e-3, time_limit - (time.monotonic() - start))
        proven, better, sub_bound = self._sub_mip(new_lower, new_upper, z_inc, remaining)
        if better is not None:
            chosen = [self.cols[i] for i in better]
            z_inc = self.scaled_merit(chosen)
        if proven:
            return Outcome("optimal", chosen, None)
        proved = math.floor(bound + tolerance)  # the Lagrangian bound holds too
        if sub_bound is not None:
            proved = min(proved, sub_bound)
        return Outcome("feasible", chosen, max(z_inc, proved))

    def _improve_core(self, incumbent: Array, lower: Array, upper: Array, reduced: Array,
                      time_limit: float) -> Array:
        """A better incumbent: the best set (HiGHS, on a small model) that differs from
        `incumbent` only in the CORE_BRANCH free columns nearest the LP.

        A heuristic (its set is valid, not proven best): it narrows the gap so that
        reduced-cost fixing leaves few columns for the exact search.
        """
        new_lower, new_upper = self._near_bounds(incumbent, lower, upper, reduced)
        if new_lower is None or new_upper is None:
            return incumbent
        z_inc = int(round(float(self.merit[incumbent].sum())))
        _proven, found, _bound = self._sub_mip(new_lower, new_upper, z_inc, time_limit)
        return incumbent if found is None else found

    def _sub_mip(self, new_lower: Array, new_upper: Array, z_inc: int,
                 time_limit: float) -> tuple[bool, Array | None, int | None]:
        """Best set within the column bounds, by HiGHS on a small model of the free
        columns alone (rows' limits less what the columns fixed at 1 use).

        Returns (proven, columns, bound): columns None when nothing beats `z_inc`;
        proven False when the time limit stopped the search (columns: the best found,
        bound: the scaled bound HiGHS proved, or None).
        Much faster than solving the whole model with those bounds: HiGHS's root
        work is proportional to the model it is given.
        """
        hs = self.highspy
        lp = self.h.getLp()
        row_lower = np.asarray(lp.row_lower_, dtype=np.float64)
        row_upper = np.asarray(lp.row_upper_, dtype=np.float64)
        ones = new_lower > 0.5
        free = np.flatnonzero(new_lower < new_upper)
        used = self._activity(ones, len(row_upper))
        fixed_merit = int(round(float(self.merit[ones].sum())))
        in_free = np.zeros(len(self.cols), dtype=bool)
        in_free[free] = True
        touched = np.zeros(len(row_upper), dtype=bool)
        touched[self._row_of_entry[in_free[self._entry_col]]] = True
        if self.merit_row is not None:
            touched[self.merit_row] = False  # the merit row is not used on this path
        idle = ~touched
        if np.any(used[idle] > row_upper[idle] + 1e-9) or np.any(
            used[idle] < row_lower[idle] - 1e-9
        ):
            return True, None, z_inc  # a row no free column can change is broken: no set
        if len(free) == 0:
            return True, (None if fixed_merit <= z_inc else np.flatnonzero(ones)), z_inc
        rows = np.flatnonzero(touched)
        position = np.full(len(row_upper), -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        column_at = np.full(len(self.cols), -1, dtype=np.int64)
        column_at[free] = np.arange(len(free))
        keep = in_free[self._entry_col]
        entry_rows = position[self._row_of_entry[keep]]
        entry_cols = column_at[self._entry_col[keep]]
        order = np.lexsort((entry_cols, entry_rows))
        starts = np.searchsorted(entry_rows[order], np.arange(len(rows))).astype(np.int32)
        h = hs._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.5)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("time_limit", float(max(time_limit, 1e-3)))
        for name, value in SUB_OPTIONS.items():
            h.setOptionValue(name, value)
        k = len(free)
        empty = np.zeros(0, dtype=np.int32)
        h.changeObjectiveSense(hs.ObjSense.kMaximize)
        h.addCols(k, self.merit[free], np.zeros(k), np.ones(k), 0, empty, empty, np.zeros(0))
        h.changeColsIntegrality(
            k, np.arange(k, dtype=np.int32), np.full(k, hs.HighsVarType.kInteger, dtype=np.uint8))
        h.addRows(len(rows), row_lower[rows] - used[rows], row_upper[rows] - used[rows],
                  len(order), starts, entry_cols[order].astype(np.int32),
                  self._entry_value[keep][order])
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        proven = status in (hs.HighsModelStatus.kOptimal, hs.HighsModelStatus.kInfeasible)
        bound = info.mip_dual_bound
        bound = fixed_merit + math.floor(bound + 1e-6) if math.isfinite(bound) else None
        if info.primal_solution_status != hs.SolutionStatus.kSolutionStatusFeasible:
            return proven, None, bound
        x = np.asarray(h.getSolution().col_value)
        picked = free[x > 0.5]
        if fixed_merit + int(round(float(self.merit[picked].sum()))) <= z_inc:
            return proven, None, bound
        return proven, np.sort(np.concatenate([np.flatnonzero(ones), picked]).astype(
            np.int64)), bound

    def _run_within(self, new_lower: Array, new_upper: Array, lower: Array, upper: Array,
                    time_limit: float, hint: list[Proposal] | None) -> Outcome:
        """Solve with temporary column bounds, then put the real bounds back."""
        n = len(self.cols)
        everyone = np.arange(n, dtype=np.int32)
        self.h.changeColsBounds(n, everyone, new_lower, new_upper)
        try:
            return self._run_mip(time_limit, hint)
        finally:
            self.h.changeColsBounds(n, everyone, lower, upper)

    def _improve(self, incumbent: Array, reduced: Array, lower: Array, upper: Array,
                 time_limit: float) -> Array:
        """A better incumbent from a small MIP over the CORE_SIZE columns nearest the LP."""
        free = np.flatnonzero(lower < upper)
        if len(free) <= CORE_SIZE:
            return incumbent
        keep = np.zeros(len(self.cols), dtype=bool)
        keep[free[np.argsort(np.abs(reduced[free]))[:CORE_SIZE]]] = True
        new_lower, new_upper = self._fixed_bounds(reduced, lower, upper, (lower < upper) & ~keep)
        outcome = self._run_within(new_lower, new_upper, lower, upper, time_limit, None)
        if outcome.status not in ("optimal", "feasible"):
            return incumbent
        found = np.array(sorted(self.col[p.id] for p in outcome.chosen), dtype=np.int64)
        if self.merit[found].sum() > self.merit[incumbent].sum():
            return found
        return incumbent

    def _relaxation(self) -> tuple[np.ndarray, np.ndarray] | None:
        """LP optimum and row duals, or None if the LP is infeasible (let the MIP say so)."""
        hs, h = self.highspy, self.h
        h.setOptionValue("solve_relaxation", True)
        # Few rows, many columns (no country cap): HiGHS's presolve and dual simplex
        # take 10 s of CPU on 60,000 columns and 9 rows, primal simplex 1 s.
        wide = h.getNumCol() >= WIDE_LP_RATIO * max(1, h.getNumRow())
        if wide:
            h.setOptionValue("presolve", "off")
            h.setOptionValue("simplex_strategy", 4)  # primal
        try:
            h.run()
            if h.getModelStatus() != hs.HighsModelStatus.kOptimal:
                return None
            solution = h.getSolution()
            return np.asarray(solution.col_value), np.asarray(solution.row_dual)
        finally:
            h.setOptionValue("solve_relaxation", False)
            if wide:
                h.setOptionValue("presolve", "choose")
                h.setOptionValue("simplex_strategy", 1)  # HiGHS's default (dual)
            h.clearSolver()

    def _round(
        self, x_lp: np.ndarray, reduced: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> np.ndarray | None:
        """A valid integer set: the LP's ones, then greedily the rest by LP value and
        reduced cost (nearest the LP optimum first)."""
        lp = self.h.getLp()
        row_lower = np.asarray(lp.row_lower_)
        row_upper = np.asarray(lp.row_upper_)
        taken = (x_lp > 1 - 1e-9) | (lower > 0.5)
        activity = self._activity(taken, len(row_upper))
        if np.any(activity > row_upper + 1e-9):
            return None
        order = np.lexsort((-self.merit, -reduced, -x_lp))
        rows_of = self._column_rows()
        upper_room = (row_upper - activity).tolist()
        for j in order.tolist():
            if taken[j] or upper[j] < 0.5 or self.merit[j] <= 0:
                continue
            entries = rows_of[j]
            if all(upper_room[r] >= v - 1e-9 for r, v in entries):
                taken[j] = True
                for r, v in entries:
                    upper_room[r] -= v
        activity = self._activity(taken, len(row_upper))
        if np.any(activity < row_lower - 1e-9) or np.any(activity > row_upper + 1e-9):
            return None
        return np.flatnonzero(taken)

    def _lagrangian_bound(
        self, y: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """Upper bound max c.x <= sum_i max(y_i*U_i, y_i*L_i) + sum_j max(d_j*l_j, d_j*u_j).

        Valid for any multipliers y, so HiGHS's sign convention does not matter:
        both y and -y are tried and the smaller bound is kept.  Returns the bound,
        the reduced costs and the multipliers used.
        """
        lp = self.h.getLp()
        row_lower = np.asarray(lp.row_lower_)
        row_upper = np.asarray(lp.row_upper_)
        best: tuple[float, Array, Array] = (math.inf, np.zeros(len(self.cols)),
                                            np.zeros(len(row_upper)))
        for sign in (1.0, -1.0):
            yy = sign * y
            # a multiplier pointing at an infinite side gives no bound: drop it
            yy = np.where((yy > 0) & ~np.isfinite(row_upper), 0.0, yy)
            yy = np.where((yy < 0) & ~np.isfinite(row_lower), 0.0, yy)
            rows = np.where(yy > 0, yy * np.where(np.isfinite(row_upper), row_upper, 0.0),
                            yy * np.where(np.isfinite(row_lower), row_lower, 0.0))
            ay = np.bincount(self._entry_col, weights=self._entry_value * yy[self._row_of_entry],
                             minlength=len(self.cols))
            reduced = self.merit - ay
            bound = float(rows.sum() + np.maximum(reduced * lower, reduced * upper).sum())
            if bound < best[0]:
                best = (bound, reduced, yy)
        return best
