"""An exact depth-first branch-and-bound for the columns reduced-cost fixing leaves free.

After the LP relaxation, an incumbent and reduced-cost fixing (milp.py), only a
few dozen columns of a 1,000-proposal round are usually still free, and the
question is whether some 0/1 choice of them beats the incumbent.  HiGHS answers it
but needs 50-300 ms even for 30 free columns (root cuts, heuristics, restarts);
this search answers it in 5-100 ms on such rounds (10,000-75,000 nodes).

Bound (valid for any multipliers, hence exact whatever the LP's accuracy): every
row but the total budget is moved into the objective with the LP's row duals
``y`` (a Lagrangian relaxation), the total budget is kept as a knapsack and that
knapsack is relaxed to its LP (Dantzig's bound: items by profit/weight, the last
one fractional; Martello-Toth's U2 was tried and saved under 1 % of the nodes).
Items are branched on in that same order, include first (Horowitz-Sahni).  Every
row is checked exactly in integers when a column is set to 1, and lower limits
(track minimums) when a set is recorded; a node is also cut when the track
minimums cannot be reached with the columns left.

The search gives up after `node_limit` nodes (`Abort`) so that an unlucky round
falls back to HiGHS instead of running for long in Python.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

from numpy.typing import NDArray

NODE_LIMIT = 100_000


class Abort(Exception):
    """The node limit was reached before the search ended; nothing is proven.

    `best` and `chosen` hold the best set found so far (chosen None: none better
    than the `best` given), still a valid set, so a heuristic caller can use it.
    """

    def __init__(self, best: int, chosen: list[int] | None) -> None:
        super().__init__("node limit reached")
        self.best, self.chosen = best, chosen
        self.found: NDArray[Any] | None = None  # the chosen set as model columns (milp)


def search(
    *,
    merit: Sequence[int],
    rows_of: Sequence[Sequence[tuple[int, int]]],
    profit: Sequence[float],
    weight: Sequence[int],
    budget_row: int,
    activity: list[int],
    upper: Sequence[float],
    lower: Sequence[float],
    base_bound: float,
    best: int,
    tolerance: float,
    node_limit: int = NODE_LIMIT,
) -> tuple[int, list[int] | None]:
    """Best value above `best` of a 0/1 choice of the free columns, and the chosen columns.

    Free column j has objective `merit[j]` (integer), row entries `rows_of[j]`
    (row, integer coefficient, budget row included), Lagrangian profit
    `profit[j]` (merit minus the dual-weighted entries of the rows other than the
    budget) and budget `weight[j]`.  `activity` is each row's activity of the
    columns fixed at 1, `upper`/`lower` the rows' limits.  Values are relative to
    the columns fixed at 1: `best` is the incumbent's merit minus theirs, and
    `base_bound` the Lagrangian constant plus their profit minus their merit.  A
    set beats `best` only with value >= best + 1 (integral objective).

    Returns (best, columns) with columns None when nothing better than the given
    `best` exists; raises `Abort` (with the best set so far) past `node_limit` nodes.
    """
    k = len(merit)
    # profit/weight order; non-positive profits last (they never raise the bound)
    order = sorted(range(k), key=lambda j: (
        profit[j] <= 0, -(profit[j] / weight[j]) if weight[j] > 0 else -math.inf))
    pos_prefix_w, pos_prefix_p = [0], [0.0]
    n_positive = 0
    for j in order:
        if profit[j] <= 0:
            break
        n_positive += 1
        pos_prefix_w.append(pos_prefix_w[-1] + weight[j])
        pos_prefix_p.append(pos_prefix_p[-1] + profit[j])
    act = list(activity)
    if any(a > u for a, u in zip(act, upper, strict=True)):
        return best, None  # the columns fixed at 1 already break a row: nothing better here
    # rows whose lower limit is not yet met by the fixed columns: what is left must reach it
    need = [r for r in range(len(act)) if lower[r] > -math.inf and act[r] < lower[r]]
    need_left = {r: [0] * (k + 1) for r in need}
    for p in range(k - 1, -1, -1):
        entries = dict(rows_of[order[p]])
        for r in need:
            need_left[r][p] = need_left[r][p + 1] + entries.get(r, 0)
    ordered_rows = [rows_of[j] for j in order]
    ordered_merit = [merit[j] for j in order]
    ordered_profit = [profit[j] for j in order]
    best_value, nodes = best, 0
    chosen_now: list[int] | None = None
    taken: list[int] = []
    budget_cap = upper[budget_row]

    def knapsack_bound(p: int, room: float) -> float:
        """Dantzig's bound of the positive-profit items from position p within `room`."""
        if p >= n_positive or room <= 0:
            return 0.0
        base_w, base_p = pos_prefix_w[p], pos_prefix_p[p]
        q = bisect.bisect_right(pos_prefix_w, base_w + room, lo=p) - 1  # items p..q-1 fit
        value = pos_prefix_p[q] - base_p
        if q < n_positive:
            used = pos_prefix_w[q] - base_w
            j = order[q]
            value += profit[j] * (room - used) / weight[j]
        return value

    def minimums_met() -> bool:
        return all(act[r] >= lower[r] for r in need)

    def visit(p: int, gained: int, lagrangian: float) -> None:
        nonlocal best_value, chosen_now, nodes
        nodes += 1
        if nodes > node_limit:
            raise Abort(best_value, chosen_now)
        if gained > best_value and minimums_met():
            best_value, chosen_now = gained, [order[i] for i in taken]
        if p == k:
            return
        room = budget_cap - act[budget_row]
        cut = best_value + 1 - tolerance - base_bound - lagrangian
        if knapsack_bound(p, room) < cut:
            return
        for r in need:
            if act[r] + need_left[r][p] < lower[r]:
                return
        entries = ordered_rows[p]
        if all(act[r] + v <= upper[r] for r, v in entries):
            for r, v in entries:
                act[r] += v
            taken.append(p)
            visit(p + 1, gained + ordered_merit[p], lagrangian + ordered_profit[p])
            taken.pop()
            for r, v in entries:
                act[r] -= v
        visit(p + 1, gained, lagrangian)

    visit(0, 0, 0.0)
    return best_value, chosen_now
