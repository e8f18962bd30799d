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
from collections.abc import Iterable

import numpy as np

from .analysis import Analysis
from .core import CoreMixin
from .instance import Instance, Proposal
from .model_base import DEFAULT_TIME_LIMIT, INF, Outcome, merit_digits, scaled

__all__ = ["DEFAULT_TIME_LIMIT", "MeritModel", "Outcome", "drop_dominated", "merit_digits",
           "scaled"]

CORE_MIN_COLS = 3000  # from this size, fix columns by reduced cost before branching


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


def _gcd_of(values: Iterable[int]) -> int:
    g = 0
    for value in values:
        g = math.gcd(g, value)
    return g or 1


class MeritModel(CoreMixin):
    """A HiGHS model of constraints 1-4 over the candidates, kept for re-solves."""

    def __init__(self, analysis: Analysis, *, reduce: bool = True, verbose: bool = False):
        import highspy  # imported here: it is the heaviest import of the engine

        self.highspy = highspy
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
        # the bare class (not in highspy's stubs): no banner on stdout, no callbacks
        self.h = highspy._Highs()  # type: ignore[attr-defined]
        h = self.h
        h.setOptionValue("output_flag", bool(verbose))
        h.setOptionValue("log_to_console", bool(verbose))
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.5)  # objective is integral: gap < 1 proves optimum
        h.setOptionValue("random_seed", 0)
        self._build(instance, all_countries=not reduce)

    def _build(self, instance: Instance, *, all_countries: bool) -> None:
        hs, h, n = self.highspy, self.h, len(self.cols)
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
        for position, track in enumerate(instance.tracks):
            in_track = np.flatnonzero(track_of == position).astype(np.int32)
            self.track_count_row[track.code] = len(rows)
            rows.append((-INF, INF, in_track, np.ones(len(in_track))))
            self.track_budget_row[track.code] = len(rows)
            rows.append((-INF, INF, in_track, self.weight[in_track]))
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

    def maximise_merit(self) -> None:
        n = len(self.cols)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), self.merit)
        self.h.changeObjectiveSense(self.highspy.ObjSense.kMaximize)
        self._maximising = True

    def minimise_award(self, track: str | None = None) -> None:
        """Minimise the award (scaled by `unit`), of one track only if `track` is given."""
        n = len(self.cols)
        cost = self.weight
        if track is not None:
            cost = cost * np.array([p.track == track for p in self.cols], dtype=np.float64)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        self.h.changeObjectiveSense(self.highspy.ObjSense.kMinimize)
        self._maximising = False

    def run_lp(self) -> float | None:
        """Run the model as it is set (its columns made continuous by the caller): the
        optimal objective value, None when HiGHS proves no optimum."""
        self.h.run()
        if self.h.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
            return None
        return float(self.h.getInfo().objective_function_value)

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
