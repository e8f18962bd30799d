"""The max_merit model as a 0/1 program solved by HiGHS (via `highspy`).

Exactness: merits are decimals, so the objective is scaled to integers
(10**digits, digits <= MAX_DIGITS) and HiGHS is asked to stop only when the
proven bound is less than one scaled unit above the incumbent, which for an
integer objective proves optimality.  Requests are divided by their greatest
common divisor (budgets rounded down), which keeps coefficients small without
changing the feasible sets.  The chosen set is re-checked exactly in Python by
the caller.

Before the model is built, proposals that can never be needed are dropped
(`drop_dominated`); this is what makes 100,000 proposals with a country cap
tractable in seconds.

Large models and what-ifs (`core=True`) take the LP path of `_solve_with_core`: LP
relaxation (primal simplex without presolve when there are few rows: no cap), an
incumbent, reduced-cost fixing with a Lagrangian bound, then exact searches of the
free columns: groupdp.py (budget, country caps, tight track maximums and a binding
track budget kept exact, the other track rows priced by multipliers), branch.py
(Lagrangian knapsack bound), and HiGHS on a small model of the free columns as the
last resort.  Better incumbents come from groupdp.py over the free columns nearest the
LP, the others on the LP's side (a core problem) or as in the incumbent; an exact
search that finds a set closing half its gap stops there, so that more columns are
fixed with it before searching again.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from . import branch, groupdp
from .analysis import Analysis
from .instance import Instance, Proposal

DEFAULT_TIME_LIMIT = 600.0
CORE_MIN_COLS = 3000  # from this size, fix columns by reduced cost before branching
CORE_SIZE = 1500  # columns left free in the small MIP that finds the first incumbent
BRANCH_MAX_FREE = 150  # above this many free columns HiGHS searches (on a small model)
DP_MAX_FREE = 400  # up to this many free columns groupdp.py searches first
NEAR_GROUP_TRIES = 3  # improvements of the incumbent by groupdp.py near the LP
DP_MAX_WORK = groupdp.MAX_WORK  # ... if free columns x budget room is at most this
CORE_BRANCH = 120  # columns left free when improving the incumbent by exact search
# ... by groupdp.py: small neighbourhoods first (a program grows with columns x room x
# layers, and a small one often holds the better set), larger ones if they find nothing
NEAR_GROUP_SIZES = (30, 60, 120)
# work of one such search, by size: the largest often cannot end and is only worth it
# when it ends near its root
NEAR_GROUP_WORK = (groupdp.WORK_LIMIT // 4, groupdp.WORK_LIMIT // 4, groupdp.WORK_LIMIT // 16)
GROUP_RESTARTS = 3  # exact searches stopped at a better set, to fix more columns with it
SUB_OPTIONS: dict[str, object] = {}
CORE_TIME_LIMIT = 0.5  # seconds at most for that heuristic by HiGHS
NEAR_NODE_LIMIT = 1_000  # nodes for the same heuristic by branch.py, tried first
NEAR_ROUNDS = 1
# node limits of successive exact searches; each stop with a better set fixes more columns
BRANCH_NODE_LIMITS = (100_000, 100_000)
WIDE_LP_RATIO = 100  # columns per row from which the LP relaxation uses primal simplex
MAX_DIGITS = 6  # merit resolution 1e-6; scores in practice have one or two decimals
INF = math.inf


@dataclass(frozen=True)
class Outcome:
    """What a solve found: status, the chosen proposals and the proven bound (scaled)."""

    status: str  # optimal | feasible | infeasible | unknown
    chosen: list[Proposal]
    bound: int | None  # best proven bound on the scaled objective (max_merit only)


def merit_digits(merits) -> int:
    """Decimal places needed to make every merit an integer (capped at MAX_DIGITS)."""
    digits = 0
    for merit in merits:
        exponent = merit.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            digits = -exponent
    return min(digits, MAX_DIGITS)


def scaled(merit: Decimal, digits: int) -> int:
    return int((merit.scaleb(digits)).to_integral_value(ROUND_HALF_EVEN))


def drop_dominated(analysis: Analysis, candidates: list[Proposal]) -> list[Proposal]:
    """Remove proposals some optimal set never needs.

    With a country cap K, a proposal with K kept proposals of the same track and
    country that have merit >= and request <= can be swapped for one of them in
    any selection (at most K-1 of them can sit beside it), so it is dropped.
    Without a cap the same holds inside a track with `max_projects` = K.  The cycle's
    `max_projects` = M works like either (a set holding it has at most M-1 others, and
    the swap keeps the size), so K is the smaller of the two.
    Fixed includes are always kept.
    """
    instance = analysis.instance
    cap = instance.max_per_country
    most = instance.max_projects
    keep_always = set(instance.include)
    groups: dict[tuple[str, str], list[Proposal]] = {}
    limits: dict[tuple[str, str], int] = {}
    for proposal in candidates:
        if cap is not None:
            key, limit = (proposal.track, proposal.country), cap
        else:
            maximum = analysis.tracks[proposal.track].max_projects
            key, limit = (proposal.track, ""), -1 if maximum is None else maximum
        if most is not None:
            limit = most if limit < 0 else min(limit, most)
        groups.setdefault(key, []).append(proposal)
        limits[key] = limit
    merit, rank = analysis.merit, analysis.rank
    dropped: set[str] = set()
    for key, members in groups.items():
        limit = limits[key]
        if limit < 0 or len(members) <= limit:
            continue
        members.sort(key=lambda p: (-merit[p.id], p.request, rank[p.id]))
        smallest: list[int] = []  # max-heap (negated) of the `limit` smallest kept requests
        for proposal in members:
            if (
                limit == 0 or (len(smallest) == limit and -smallest[0] <= proposal.request)
            ) and proposal.id not in keep_always:
                dropped.add(proposal.id)
                continue
            if limit == 0:
                continue
            if len(smallest) < limit:
                heapq.heappush(smallest, -proposal.request)
            elif proposal.request < -smallest[0]:
                heapq.heapreplace(smallest, -proposal.request)
    if not dropped:
        return candidates
    return [p for p in candidates if p.id not in dropped]


def _gcd_of(values) -> int:
    g = 0
    for value in values:
        g = math.gcd(g, value)
    return g or 1


class MeritModel:
    """A HiGHS model of constraints 1-4 over the candidates, kept for re-solves."""

    def __init__(self, analysis: Analysis, *, reduce: bool = True, verbose: bool = False):
        import highspy  # imported here: it is the heaviest import of the engine

        self._highspy = highspy
        self.analysis = analysis
        instance = analysis.instance
        candidates = analysis.ranking
        self.reduced = reduce
        self.cols: list[Proposal] = drop_dominated(analysis, candidates) if reduce else candidates
        self.col = {p.id: i for i, p in enumerate(self.cols)}
        self.digits = merit_digits(analysis.merit[p.id] for p in self.cols)
        self.merit = np.array(
            [scaled(analysis.merit[p.id], self.digits) for p in self.cols], dtype=np.float64
        )
        self.unit = _gcd_of(p.request for p in self.cols)
        self.weight = np.array([p.request // self.unit for p in self.cols], dtype=np.float64)
        self.merit_row: int | None = None
        self._maximising = True
        self._rows_cache: list[list[tuple[int, int]]] | None = None
        self.last_free = -1  # free columns left by the last reduced-cost fixing (diagnostics)
        self.h = highspy._Highs()  # the bare class: no banner on stdout, no callbacks
        h = self.h
        h.setOptionValue("output_flag", bool(verbose))
        h.setOptionValue("log_to_console", bool(verbose))
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.5)  # objective is integral: gap < 1 proves optimum
        h.setOptionValue("random_seed", 0)
        self._build(instance, all_countries=not reduce)

    # -- building ---------------------------------------------------------

    def _build(self, instance: Instance, *, all_countries: bool) -> None:
        hs, h, n = self._highspy, self.h, len(self.cols)
        h.changeObjectiveSense(hs.ObjSense.kMaximize)
        empty = np.zeros(0, dtype=np.int32)
        h.addCols(n, self.merit, np.zeros(n), np.ones(n), 0, empty, empty, np.zeros(0))
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, hs.HighsVarType.kInteger, dtype=np.uint8)
        )
        rows: list[tuple[float, float, np.ndarray, np.ndarray]] = []
        everyone = np.arange(n, dtype=np.int32)
        self.budget_row = len(rows)
        rows.append((-INF, INF, everyone, self.weight))
        track_of = np.array([self._track_index(p.track) for p in self.cols], dtype=np.int32)
        self.track_count_row: dict[str, int] = {}
        self.track_budget_row: dict[str, int] = {}
        for index, track in enumerate(instance.tracks):
            members = np.flatnonzero(track_of == index).astype(np.int32)
            self.track_count_row[track.code] = len(rows)
            rows.append((-INF, INF, members, np.ones(len(members))))
            self.track_budget_row[track.code] = len(rows)
            rows.append((-INF, INF, members, self.weight[members]))
        # the cycle's maximum (selection.md 1.1): a count row over every column, built when
        # the instance has one or the model must answer changes of every limit
        self.total_row: int | None = None
        if all_countries or instance.max_projects is not None:
            self.total_row = len(rows)
            rows.append((-INF, INF, everyone, np.ones(n)))
        by_country: dict[str, list[int]] = {}
        for i, proposal in enumerate(self.cols):
            by_country.setdefault(proposal.country, []).append(i)
        cap = instance.max_per_country
        self.country_row: dict[str, int] = {}
        for country, members in by_country.items():
            if len(members) > 1 and (all_countries or (cap is not None and len(members) > cap)):
                self.country_row[country] = len(rows)
                rows.append((-INF, INF, np.array(members, dtype=np.int32), np.ones(len(members))))
        lower = np.array([r[0] for r in rows])
        upper = np.array([r[1] for r in rows])
        starts = np.cumsum([0] + [len(r[2]) for r in rows[:-1]]).astype(np.int32)
        index = np.concatenate([r[2] for r in rows]).astype(np.int32)
        value = np.concatenate([r[3] for r in rows]).astype(np.float64)
        h.addRows(len(rows), lower, upper, len(index), starts, index, value)
        # kept for the Lagrangian bound and reduced-cost fixing of `_solve_with_core`
        self._row_of_entry = np.repeat(np.arange(len(rows)), [len(r[2]) for r in rows])
        self._entry_col, self._entry_value = index, value
        self.apply(instance)

    def _track_index(self, code: str) -> int:
        for index, track in enumerate(self.analysis.instance.tracks):
            if track.code == code:
                return index
        raise KeyError(code)

    def add_merit_row(self) -> int:
        """A row holding the scaled merit sum, so explanations can demand 'merit >= v'."""
        if self.merit_row is None:
            n = len(self.cols)
            self.merit_row = self.h.getNumRow()
            self.h.addRows(
                1, np.array([-INF]), np.array([INF]), n,
                np.zeros(1, dtype=np.int32), np.arange(n, dtype=np.int32), self.merit,
            )
        return self.merit_row

    # -- bounds from an instance -----------------------------------------

    def apply(self, instance: Instance) -> None:
        """Set every row and column bound from `instance` (budgets, quotas, the cycle's
        maximum, cap, fixed)."""
        h, unit = self.h, self.unit
        h.changeRowBounds(self.budget_row, -INF, instance.budget // unit)
        for track in instance.tracks:
            h.changeRowBounds(
                self.track_count_row[track.code],
                track.min_projects,
                INF if track.max_projects is None else track.max_projects,
            )
            h.changeRowBounds(
                self.track_budget_row[track.code],
                -INF,
                INF if track.budget is None else track.budget // unit,
            )
        most = instance.max_projects
        if self.total_row is not None:
            h.changeRowBounds(self.total_row, -INF, INF if most is None else most)
        elif most is not None:
            raise ValueError("the model was built without a row for the cycle's maximum")
        cap = instance.max_per_country
        for row in self.country_row.values():
            h.changeRowBounds(row, -INF, INF if cap is None else cap)
        n = len(self.cols)
        lower, upper = np.zeros(n), np.ones(n)
        for pid in instance.include:
            if pid in self.col:
                lower[self.col[pid]] = 1.0
        for pid in instance.exclude:
            if pid in self.col:
                upper[self.col[pid]] = 0.0
        h.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)

    def fix(self, pid: str, lower: float, upper: float) -> None:
        self.h.changeColBounds(self.col[pid], lower, upper)

    def set_budget_bound(self, budget: float) -> None:
        upper = budget if budget == INF else budget // self.unit
        self.h.changeRowBounds(self.budget_row, -INF, upper)

    def set_merit_floor(self, value: float) -> None:
        self.h.changeRowBounds(self.add_merit_row(), value, INF)

    # -- objectives ---------------------------------------------------------

    def maximise_merit(self) -> None:
        n = len(self.cols)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), self.merit)
        self.h.changeObjectiveSense(self._highspy.ObjSense.kMaximize)
        self._maximising = True

    def minimise_award(self, track: str | None = None) -> None:
        """Minimise the award (scaled by `unit`), of one track only if `track` is given."""
        n = len(self.cols)
        cost = self.weight
        if track is not None:
            cost = cost * np.array([p.track == track for p in self.cols], dtype=np.float64)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        self.h.changeObjectiveSense(self._highspy.ObjSense.kMinimize)
        self._maximising = False

    # -- solving -------------------------------------------------------------

    def solve(
        self,
        time_limit: float = DEFAULT_TIME_LIMIT,
        hint: list[Proposal] | None = None,
        *,
        core: bool | None = None,
    ) -> Outcome:
        """Run HiGHS; `hint` (a feasible set) seeds the incumbent for faster re-solves.

        Large models (or `core=True`, as what-ifs do) first get their LP relaxation,
        an incumbent (rounded LP or the hint, improved by an exact search near the LP)
        and the columns whose reduced cost exceeds the gap fixed; what is left is
        searched exactly by branch.py or, if larger, by HiGHS on a small model.
        HiGHS on the whole model is slow on 100,000 near-identical columns, and on a
        1,000-column knapsack it spends 100-300 ms proving what this proves in tens.
        """
        n = len(self.cols)
        if n == 0:
            return Outcome("unknown", [], None)
        if core is None:
            core = n >= CORE_MIN_COLS
        if core and self._maximising and self.merit_row is None:
            return self._solve_with_core(time_limit, hint)
        return self._run_mip(time_limit, hint)

    def _run_mip(self, time_limit: float, hint: list[Proposal] | None) -> Outcome:
        hs, h, n = self._highspy, self.h, len(self.cols)
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

    # -- core: LP bound, rounding and reduced-cost fixing --------------------

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

    def _improve_near_groups(self, incumbent, lower, upper, reduced, multipliers, z_inc,
                             tolerance):
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

    def _near_group_search(self, around, lower, upper, reduced, multipliers, z_inc, tolerance,
                           size, work):
        """(better set or None, finished) of groupdp.py over the `size` free columns
        nearest the LP, the others as in `around` (None: on the LP's side)."""
        new_lower, new_upper = self._near_bounds(around, lower, upper, reduced, size)
        if new_lower is None or not self._group_search_fits(new_lower, new_upper,
                                                            DP_MAX_WORK // 4):
            return None, False
        try:
            return self._group_search(new_lower, new_upper, multipliers, z_inc, tolerance,
                                      work_limit=work), True
        except groupdp.Abort as stopped:
            return stopped.found, False

    def _group_search_fits(self, new_lower, new_upper, work: int = DP_MAX_WORK) -> bool:
        """Is one program of groupdp.py small enough (free columns x budget room)?"""
        free = np.flatnonzero(new_lower < new_upper)
        if len(free) > DP_MAX_FREE:
            return False
        ones = new_lower > 0.5
        used = float(self.weight[ones].sum())
        upper = self.h.getLp().row_upper_[self.budget_row]
        room = min(upper - used, float(self.weight[free].sum()))
        return len(free) * min(max(room, 0.0), groupdp.MAX_ROOM) <= work

    def _group_search(self, new_lower, new_upper, multipliers, z_inc, tolerance,
                      work_limit: int = groupdp.WORK_LIMIT, stop_when_better: bool = False):
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

        def columns(picked) -> np.ndarray:
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

    def _improve_near(self, incumbent, lower, upper, reduced, multipliers, tolerance):
        """A better incumbent by a short exact search (NEAR_NODE_LIMIT nodes) over the
        CORE_BRANCH free columns nearest the LP, the others kept as in `incumbent`."""
        new_lower, new_upper = self._near_bounds(incumbent, lower, upper, reduced)
        if new_lower is None:
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
        return incumbent

    def _near_bounds(self, incumbent, lower, upper, reduced, size: int = CORE_BRANCH):
        """Column bounds freeing only the `size` columns of smallest |reduced cost|."""
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

    def _branch(self, new_lower, new_upper, reduced, multipliers, z_inc, tolerance,
                node_limit: int = branch.NODE_LIMIT):
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

        def columns(picked: list[int]) -> np.ndarray:
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

    def _improve_core(self, incumbent, lower, upper, reduced, time_limit):
        """A better incumbent: the best set (HiGHS, on a small model) that differs from
        `incumbent` only in the CORE_BRANCH free columns nearest the LP.

        A heuristic (its set is valid, not proven best): it narrows the gap so that
        reduced-cost fixing leaves few columns for the exact search.
        """
        new_lower, new_upper = self._near_bounds(incumbent, lower, upper, reduced)
        if new_lower is None:
            return incumbent
        z_inc = int(round(float(self.merit[incumbent].sum())))
        _proven, found, _bound = self._sub_mip(new_lower, new_upper, z_inc, time_limit)
        return incumbent if found is None else found

    def _sub_mip(self, new_lower, new_upper, z_inc: int, time_limit: float):
        """Best set within the column bounds, by HiGHS on a small model of the free
        columns alone (rows' limits less what the columns fixed at 1 use).

        Returns (proven, columns, bound): columns None when nothing beats `z_inc`;
        proven False when the time limit stopped the search (columns: the best found,
        bound: the scaled bound HiGHS proved, or None).
        Much faster than solving the whole model with those bounds: HiGHS's root
        work is proportional to the model it is given.
        """
        hs = self._highspy
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
    def _fixed_bounds(reduced, lower, upper, fix):
        """Bounds with the `fix` columns pinned where their reduced cost points."""
        new_lower, new_upper = lower.copy(), upper.copy()
        new_lower[fix & (reduced > 0)] = 1.0
        new_upper[fix & (reduced < 0)] = 0.0
        return new_lower, new_upper

    def _run_within(self, new_lower, new_upper, lower, upper, time_limit, hint) -> Outcome:
        """Solve with temporary column bounds, then put the real bounds back."""
        n = len(self.cols)
        everyone = np.arange(n, dtype=np.int32)
        self.h.changeColsBounds(n, everyone, new_lower, new_upper)
        try:
            return self._run_mip(time_limit, hint)
        finally:
            self.h.changeColsBounds(n, everyone, lower, upper)

    def _improve(self, incumbent, reduced, lower, upper, time_limit) -> np.ndarray:
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

    def _col_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lp = self.h.getLp()
        return np.array(lp.col_lower_, dtype=np.float64), np.array(lp.col_upper_, dtype=np.float64)

    def _relaxation(self) -> tuple[np.ndarray, np.ndarray] | None:
        """LP optimum and row duals, or None if the LP is infeasible (let the MIP say so)."""
        hs, h = self._highspy, self.h
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

    def _activity(self, taken: np.ndarray, n_rows: int) -> np.ndarray:
        """Row activities of the 0/1 vector `taken`."""
        weights = self._entry_value * taken[self._entry_col]
        return np.bincount(self._row_of_entry, weights=weights, minlength=n_rows)

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
        best = (math.inf, np.zeros(len(self.cols)), np.zeros(len(row_upper)))
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

    def scaled_merit(self, chosen: list[Proposal]) -> int:
        return sum(scaled(self.analysis.merit[p.id], self.digits) for p in chosen)
