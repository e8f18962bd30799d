"""Exact search of the free columns with a Lagrangian bound that keeps the budget
and the country caps exact: a multiple-choice knapsack solved by dynamic programming.

After the LP relaxation, an incumbent and reduced-cost fixing (milp.py) a few dozen to
a few hundred columns are left free.  The bound of branch.py moves every row but the
total budget into the objective with fixed LP duals; with a country cap of 1 most of
the remaining gap is the country rows (the LP splits a country between two
proposals), so branch.py needs 10^4-10^5 nodes.  Here only the track rows (counts and
track budgets) are moved into the objective, with multipliers ``y`` (the LP's, then
improved by a few subgradient steps); what is left is

    max  sum_j (merit_j - y.A_j) x_j   s.t.  budget (integers), at most cap_c per country

solved exactly by a dynamic program over the budget room (a country with room for one
more is a multiple-choice group, one with room for several a group with a count
dimension).  Track count rows with few places left (tight track maximums) are kept
exact too, each as a layer dimension of the program that exists only while its own
columns are added (a phase, then reduced to its best count): two tight rows cost the
sum, not the product, of their layers.  A row sharing a column or a country step with
a row already kept is priced instead.  One binding track budget is capped in the
program as well, at no cost: its columns are added first, from the empty set, so
f[c] is then the best of them within c and capping c at the track's room (f[c] =
f[room] above it) keeps the row exact; it stays priced too (a valid Lagrangian
bound of the set so restricted).  A country holding columns of that track and of
others is added later, its columns of the track not counted in the cap (a
relaxation).  Columns whose flip bounds below the incumbent
are fixed (forward and backward programs).  For any y of the right signs
this bounds every set meeting all rows (Lagrangian duality), so pruning with it is
exact; on the benchmark rounds it is within a few scaled units of the optimum, often
equal, and the search ends at the root or after a few nodes.  Branching fixes one
column (0/1) where the program's set breaks a track row or, if it breaks none, where
a multiplier has slack.

When the budget room is large (fine-grained requests), weights and room are divided
by a common factor rounding the weights down and the room down: every set that fits the
real budget fits the scaled one, so the bound stays valid; sets are always checked
against the real budget.  The search gives up after `node_limit` nodes or WORK_LIMIT
of work (`Abort`, with the best set found), and is not tried when one program would
exceed MAX_WORK, so that the caller can fall back to its other methods.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .groupdp_program import NEG, Array, ProgramMixin

MAX_ROOM = 16_384  # budget room of the program (above it weights are scaled down)
WORK_LIMIT = 20_000_000  # columns x room x layers summed over the programs of a search
MAX_WORK = 6_000_000  # ... and of one program: above it the search is not tried
MAX_NODES = 500
SUBGRADIENT_STEPS = 25
MAX_LAYERS = 9  # a count row with at most this many places left is kept exact
last_nodes = 0  # nodes of the last search (diagnostics)


class Abort(Exception):
    """Node limit reached (or one program above MAX_WORK, `too_large`, nothing tried);
    `found` is the best set found (column indices) or None."""

    def __init__(self, found: Array | None, *, too_large: bool = False) -> None:
        super().__init__("program too large" if too_large else "node limit reached")
        self.found, self.too_large = found, too_large


class _Problem(ProgramMixin):
    """One search's problem: the free columns, their groups and rows, the bound and the
    branching (the dynamic program itself: groupdp_program.py)."""

    def __init__(self, merit: ArrayLike, weight: ArrayLike, room: int, group: ArrayLike,
                 group_cap: ArrayLike, rows: ArrayLike, row_upper: ArrayLike,
                 row_lower: ArrayLike, y: Array) -> None:
        self.merit = np.asarray(merit, dtype=np.float64)
        self.k = len(self.merit)
        self.weight = np.asarray(weight, dtype=np.int64)
        self.room = int(room)
        scale = self.scale = max(1, -(-self.room // MAX_ROOM))
        self.w_s = self.weight // scale
        self.room_s = self.room // scale
        self.group = np.asarray(group, dtype=np.int64)
        self.group_cap = np.asarray(group_cap, dtype=np.int64)
        self.rows = np.asarray(rows, dtype=np.float64).reshape(-1, self.k)
        self.row_upper = np.asarray(row_upper, dtype=np.float64)
        self.row_lower = np.asarray(row_lower, dtype=np.float64)
        self.members: dict[int, np.ndarray] = {}
        for g in np.unique(self.group[self.group >= 0]).tolist():
            self.members[g] = np.flatnonzero(self.group == g)
        self.solo = np.flatnonzero(self.group < 0)
        self.group_ids = np.array(sorted(self.members), dtype=np.int64)
        self.grouped = self.group >= 0
        # column -> position of its country in group_ids (for bincount)
        self.group_pos = np.searchsorted(self.group_ids, np.where(self.grouped, self.group, 0))
        self.work = 0  # columns x room x layers of the programs run so far
        # count rows with few places left are kept exact instead of being moved into the
        # objective (tight track maximums): each is a layer dimension of the program
        # while its columns are added, then reduced to its best count.  By multiplier,
        # largest first; a column, and a country step, counts in one such row at most.
        self.layer_rows: list[int] = []
        self.layer_of = np.full(self.k, -1, dtype=np.int64)
        self.layer_upper: dict[int, int] = {}
        self.layer_lower: dict[int, int] = {}
        candidates = [
            r for r in range(len(self.row_upper))
            if np.isfinite(self.row_upper[r]) and 0 <= self.row_upper[r] < MAX_LAYERS
            and np.all((self.rows[r] == 0) | (self.rows[r] == 1)) and y[r] > 0]
        shared = {g for g, members in self.members.items()
                  if self.group_cap[g] < len(members)}  # may become one step
        used_groups: set[int] = set()
        most = 0  # most places of a layer row: the work limit counts every column at it
        for r in sorted(candidates, key=lambda r: -y[r]):
            cols = np.flatnonzero(self.rows[r] == 1)
            groups = set(self.group[cols].tolist()) & shared
            if np.any(self.layer_of[cols] >= 0) or groups & used_groups:
                continue
            used_groups |= groups
            self.layer_rows.append(r)
            self.layer_of[cols] = r
            self.layer_upper[r] = int(self.row_upper[r])
            low = self.row_lower[r]
            self.layer_lower[r] = max(0, math.ceil(low - 1e-9)) if np.isfinite(low) else 0
            most = max(most, self.layer_upper[r])
        self.size = self.k * (most + 1)
        self.in_layer = (self.layer_of >= 0).astype(np.int64)  # a layer within its phase
        self.sub_row = self._sub_budget_row(y)
        self.in_sub = (self.rows[self.sub_row] > 0) if self.sub_row >= 0 else np.zeros(
            self.k, dtype=bool)
        self.phase_of = np.where(self.in_sub, -2, self.layer_of).tolist()

    def _sub_budget_row(self, y: np.ndarray) -> int:
        """A row to keep exact as a sub-budget (-1: none): a track budget, i.e. an upper
        limit on the budget weight of some columns (none in a layer row) that those
        columns exceed.  Its columns are added first, from an empty set, so the program
        only has to cap their budget at the row's room: no extra dimension.  Of several,
        the one with the largest multiplier (the others stay priced)."""
        best, best_y = -1, -math.inf
        for r in range(len(self.row_upper)):
            members = self.rows[r] != 0
            if (not np.isfinite(self.row_upper[r]) or not np.any(members)
                    or np.any(self.rows[r][members] != self.weight[members])
                    or np.any(self.layer_of[members] >= 0)
                    or float(self.weight[members].sum()) <= self.row_upper[r]):
                continue
            if y[r] > best_y:
                best, best_y = r, y[r]
        return best

    # -- the bound -----------------------------------------------------------

    def bound(self, y: np.ndarray, fix: np.ndarray) -> tuple[float, np.ndarray | None]:
        """(Lagrangian bound, the program's set as a 0/1 vector) under the fixings;
        (-inf, None) when the columns fixed at 1 already break the budget or a cap."""
        program = self._program(y, fix)
        if program is None:
            return NEG, None
        return program["value"], program["x"]

    # -- checks --------------------------------------------------------------

    def activity(self, x: np.ndarray) -> np.ndarray:
        return self.rows @ x.astype(np.float64)

    def feasible(self, x: np.ndarray) -> bool:
        if int(self.weight[x].sum()) > self.room:
            return False
        if np.any(self._group_count(x) > self.group_cap[self.group_ids]):
            return False
        act = self.activity(x)
        return bool(np.all(act <= self.row_upper + 1e-9) and np.all(act >= self.row_lower - 1e-9))

    def hopeless(self, fix: np.ndarray) -> bool:
        """No completion of `fix` meets some row's limits (whatever the free columns do)."""
        if not len(self.row_upper):
            return False
        base = self.rows[:, fix == 1].sum(axis=1)
        free = self.rows[:, fix < 0]
        most = base + np.where(free > 0, free, 0.0).sum(axis=1)
        least = base + np.where(free < 0, free, 0.0).sum(axis=1)
        return bool(np.any(most < self.row_lower - 1e-9) or np.any(least > self.row_upper + 1e-9))

    def subgradient(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        act = self.activity(x)
        g = np.zeros(len(y))
        over, under = act > self.row_upper, act < self.row_lower
        g[over] = (act - self.row_upper)[over]
        g[under] = (act - self.row_lower)[under]
        inside = ~over & ~under
        pos, neg = inside & (y > 0), inside & (y < 0)
        g[pos] = (act - self.row_upper)[pos]
        g[neg] = (act - self.row_lower)[neg]
        g[self.layer_rows] = 0.0
        if self.sub_row >= 0:
            g[self.sub_row] = 0.0  # kept exact, not moved into the objective
        return g

    def project(self, y: np.ndarray, old: np.ndarray) -> np.ndarray:
        # a multiplier never crosses zero in one step, and never points at an infinite side
        y = np.where((old > 0) & (y < 0), 0.0, y)
        y = np.where((old < 0) & (y > 0), 0.0, y)
        y = np.where((y > 0) & ~np.isfinite(self.row_upper), 0.0, y)
        y = np.where((y < 0) & ~np.isfinite(self.row_lower), 0.0, y)
        y = y.copy()
        y[self.layer_rows] = 0.0  # kept exact, not moved into the objective
        if self.sub_row >= 0:
            y[self.sub_row] = 0.0
        return y

    def branch_column(self, x: np.ndarray, fix: np.ndarray, y: np.ndarray,
                      profit: np.ndarray) -> tuple[int, int] | None:
        """(column, value to try first), or None when every column is fixed."""
        free = fix < 0
        if int(self.weight[x].sum()) > self.room:  # only when weights were scaled
            pick = np.flatnonzero(x & free)
            if len(pick):
                return int(pick[np.argmin(profit[pick] / np.maximum(self.weight[pick], 1))]), 0
        act = self.activity(x)
        in_row = self.rows != 0
        for r in np.argsort(-(np.maximum(act - self.row_upper, self.row_lower - act))).tolist():
            if act[r] > self.row_upper[r] + 1e-9:
                pick = np.flatnonzero(in_row[r] & x & free)
                if len(pick):
                    return int(pick[np.argmin(profit[pick])]), 0
            elif act[r] < self.row_lower[r] - 1e-9:
                pick = np.flatnonzero(in_row[r] & ~x & free)
                if len(pick):
                    return int(pick[np.argmax(profit[pick])]), 1
        for r in np.argsort(-np.abs(y)).tolist():  # slack where a multiplier is not zero
            if y[r] > 0 and act[r] < self.row_upper[r] or y[r] < 0 and act[r] > self.row_lower[r]:
                pick = np.flatnonzero(in_row[r] & ~x & free)
                if len(pick):
                    return int(pick[np.argmax(profit[pick])]), 1
        pick = np.flatnonzero(free)
        if not len(pick):
            return None
        j = int(pick[np.argmax(np.abs(profit[pick]))])
        return j, int(x[j])


def search(*, merit: ArrayLike, weight: ArrayLike, room: int, group: ArrayLike,
           group_cap: ArrayLike, rows: ArrayLike, row_upper: ArrayLike, row_lower: ArrayLike,
           y: ArrayLike, best: int, tolerance: float, node_limit: int | None = None,
           work_limit: int = WORK_LIMIT, steps: int = SUBGRADIENT_STEPS,
           stop_when_better: bool = False) -> Array | None:
    """The set (indices of the free columns) of merit > `best` with the highest merit,
    or None when no set beats `best`.  A set beats `best` only with merit >= best + 1.

    Free column j: `merit[j]` (integer), `weight[j]` in the budget row (room `room`),
    `group[j]` its country (-1: none) with room for `group_cap[g]` more; `rows` the
    other rows' coefficients (track counts and budgets, one row per line) with residual
    limits `row_upper`/`row_lower` (limits less what the columns fixed at 1 use); `y`
    their starting multipliers (sign: > 0 on an upper limit, < 0 on a lower one).
    Raises `Abort` past `node_limit` nodes (default MAX_NODES) or once the programs
    run add up to `work_limit` (columns x room x layers), or, with `stop_when_better`,
    as soon as a node below the root finds a set closing half the root's gap (so that
    the caller can fix more columns with it and search again, smaller), and
    `Abort(too_large=True)`
    at once when one program would exceed MAX_WORK.
    """
    global last_nodes
    last_nodes = 0
    y = np.asarray(y, dtype=np.float64)
    problem = _Problem(merit, weight, room, group, group_cap, rows, row_upper, row_lower, y)
    k = problem.k
    if problem.size * (problem.room_s + 1) > MAX_WORK:
        raise Abort(None, too_large=True)
    node_limit = MAX_NODES if node_limit is None else node_limit
    y = problem.project(y, y)
    best_value = int(best)
    found: Array | None = None

    def consider(x: Array | None) -> None:
        nonlocal best_value, found
        if x is not None and problem.feasible(x):
            value = int(round(float(problem.merit[x].sum())))
            if value > best_value:
                best_value, found = value, np.flatnonzero(x)

    def beaten(bound: float) -> bool:
        return bound < best_value + 1 - tolerance

    def spent() -> bool:
        return problem.work > work_limit

    root = np.full(k, -1, dtype=np.int8)
    program = problem._program(y, root)
    if program is None:
        return None
    consider(program["x"])
    if beaten(program["value"]):
        return found
    root = problem.fixings(program, root, best_value + 1 - tolerance)
    # improve the multipliers at the root: Polyak steps from the best point so far,
    # halving the step after a step that does not lower the bound; stop when the bound
    # no longer falls by a unit in three steps
    bound, x = problem.bound(y, root)
    consider(x)
    best_y, best_bound, best_x, theta = y, bound, x, 1.0
    history = [bound]
    for _step in range(steps):
        if best_x is None or beaten(best_bound) or theta < 1e-3 or spent():
            break
        if stop_when_better and found is not None and (
                best_value >= (best + best_bound) / 2):
            raise Abort(found)  # closes half the gap already: restart smaller
        if len(history) > 3 and history[-4] - best_bound < 1.0:
            break
        g = problem.subgradient(best_y, best_x)
        norm = float(g @ g)
        if norm == 0.0:
            break
        y = problem.project(best_y + theta * (best_bound - best_value) / norm * g, best_y)
        bound, x = problem.bound(y, root)
        consider(x)
        if x is not None and bound < best_bound - 1e-9:
            best_y, best_bound, best_x = y, bound, x
        else:
            theta /= 2
        history.append(best_bound)
    y = best_y
    # a set closing half the root's gap is worth a restart (with more columns fixed)
    restart_at = (best + best_bound) / 2
    profit = problem.merit - y @ problem.rows if len(y) else problem.merit
    stack = [root]
    nodes = 0
    while stack:
        fix = stack.pop()
        nodes += 1
        last_nodes = nodes
        if nodes > node_limit or spent() or (
                stop_when_better and found is not None and best_value >= restart_at):
            raise Abort(found)
        if problem.hopeless(fix):
            continue
        program = problem._program(y, fix)
        if program is None or beaten(program["value"]):
            continue
        x = program["x"]
        consider(x)
        if beaten(program["value"]):
            continue
        tighter = problem.fixings(program, fix, best_value + 1 - tolerance)
        if np.any(tighter != fix):
            stack.append(tighter)  # the same node with more columns fixed
            continue
        choice = problem.branch_column(x, fix, y, profit)
        if choice is None:
            continue
        j, first = choice
        for value in (1 - first, first):  # the first value is popped first
            child = fix.copy()
            child[j] = value
            stack.append(child)
    return found
