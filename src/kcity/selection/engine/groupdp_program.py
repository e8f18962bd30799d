"""The dynamic program of groupdp.py: a multiple-choice knapsack over the budget room,
countries with room for one more as choice groups, with room for several as count groups,
tight count rows as layer dimensions (one phase each) and one track budget kept exact as a
sub-budget; the forward and backward programs give the bound and the column fixings."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

NEG = -math.inf
Array = NDArray[Any]
Stages = list[tuple[Any, ...]] | None  # what a program records to recover its set


class ProgramMixin:
    """The program's part of groupdp._Problem (its state is set up there)."""

    k: int
    merit: Array
    weight: Array
    room: int
    scale: int
    w_s: Array
    room_s: int
    group_cap: Array
    rows: Array
    row_upper: Array
    row_lower: Array
    members: dict[int, Array]
    solo: Array
    group_ids: Array
    grouped: Array
    group_pos: Array
    work: int
    layer_rows: list[int]
    layer_of: Array
    layer_upper: dict[int, int]
    layer_lower: dict[int, int]
    in_layer: Array
    sub_row: int
    in_sub: Array
    phase_of: list[int]

    def constant(self, y: Array) -> float:
        up = np.where(np.isfinite(self.row_upper), self.row_upper, 0.0)
        lo = np.where(np.isfinite(self.row_lower), self.row_lower, 0.0)
        return float(np.where(y > 0, y * up, y * lo).sum())

    def _program(self, y: Array, fix: Array) -> dict[str, Any] | None:
        profit = self.merit - y @ self.rows if len(y) else self.merit.copy()
        ones = fix == 1
        if int(self.weight[ones].sum()) > self.room:
            return None
        room = self.room_s - int(self.w_s[ones].sum())
        places: dict[int, int] = {}
        lows: dict[int, int] = {}
        for r in self.layer_rows:
            taken = int((self.layer_of[ones] == r).sum())
            places[r] = self.layer_upper[r] - taken
            lows[r] = max(0, self.layer_lower[r] - taken)
            if lows[r] > places[r]:
                return None
        sub_room = room
        if self.sub_row >= 0:
            # scaled weights are rounded down: sets within the row's room stay within it
            left = self.row_upper[self.sub_row] - float(self.weight[ones & self.in_sub].sum())
            if left < 0:
                return None
            sub_room = min(room, int(math.floor(left + 1e-9)) // self.scale)
        base = self.constant(y) + float(profit[ones].sum())
        open_ = (fix < 0) & (profit > 0)
        for r in self.layer_rows:
            if lows[r] > 0:  # a count the row must reach may need columns of no profit
                open_ |= (fix < 0) & (self.layer_of == r)
        # one phase per layer row (its columns' steps), after the steps of no layer row:
        # the layers exist only during their phase (less work than all rows at once)
        # first the steps of the sub-budget row's columns alone (phase -2), then its cap
        phases: dict[int, list[tuple[Any, ...]]] = {
            -2: [], -1: [], **{r: [] for r in self.layer_rows}}
        for j in self.solo[open_[self.solo]].tolist():
            phases[self.phase_of[j]].append(("item", j))
        # countries' room left and open columns counted at once (a loop over every
        # country per node was most of a node's time)
        left = self.group_cap[self.group_ids] - self._group_count(ones)
        if np.any(left < 0):
            return None
        busy = (left > 0) & (self._group_count(open_) > 0)
        for g, cap in zip(self.group_ids[busy].tolist(), left[busy].tolist(), strict=True):
            members = self.members[g]
            candidates = members[open_[members]]
            if cap >= len(candidates):
                for j in candidates.tolist():
                    phases[self.phase_of[j]].append(("item", j))
            else:
                step = ("choice" if cap == 1 else "count", candidates, cap)
                phases[self._phase(candidates)].append(step)
        f = np.zeros((1, room + 1))
        stages: list[tuple[Any, ...]] = []
        work = 0
        for r, steps in phases.items():
            if r >= 0:
                counted = sum(int(self.in_layer[s[1]]) if s[0] == "item"
                              else min(s[2], int(self.in_layer[s[1]].sum())) for s in steps)
                layers = min(places[r], counted)
                if lows[r] > layers:
                    return None
                if layers > 0:  # (with none, its columns cannot be added: one layer)
                    stages.append(("open", f))
                    f = np.vstack([f, np.full((layers, room + 1), NEG)])
            for step in steps:
                if step[0] == "item":
                    f = self._item(f, int(step[1]), float(profit[step[1]]), stages)
                    work += f.size
                elif step[0] == "choice":
                    f = self._choice(f, step[1], profit, stages)
                    work += f.size * len(step[1])
                else:
                    f = self._count(f, step[1], profit, step[2], stages)
                    work += f.size * len(step[1]) * step[2]
            if r == -2 and sub_room < room:  # f[., c]: best within c, so cap c at the room
                stages.append(("clamp", f, sub_room))
                f = f.copy()
                f[:, sub_room + 1:] = f[:, sub_room:sub_room + 1]
            if f.shape[0] > 1:
                stages.append(("close", f, lows[r]))
                f = f[lows[r]:].max(axis=0, keepdims=True)
        self.work += work
        value = float(f[0, room])
        if value == NEG:
            return None
        x = ones.copy()
        self._recover(stages, 0, room, x, profit)
        return {"value": base + value, "x": x, "base": base, "f": f, "stages": stages,
                "room": room, "profit": profit, "open": open_, "work": work}

    def _group_count(self, chosen: np.ndarray) -> np.ndarray:
        """How many `chosen` columns each country (in group_ids order) holds."""
        chosen = np.asarray(chosen, dtype=bool)
        return np.bincount(self.group_pos[chosen & self.grouped], minlength=len(self.group_ids))

    def _phase(self, columns: np.ndarray) -> int:
        """The phase of a step over `columns`: -2 if all are in the sub-budget row.  A
        country also holding other columns is added later, its sub-budget columns not
        capped by the row's room (a relaxation: the bound stays valid)."""
        if len(columns) == 1:
            return self.phase_of[int(columns[0])]
        if self.sub_row >= 0 and np.all(self.in_sub[columns]):
            return -2
        return int(self.layer_of[columns].max())

    def _best_with(self, before: Array, j: int, p: float, reach: Array) -> float:
        """max over (t, c) of (`before` with column j added)[t, c] + reach[t, c]."""
        w, r = int(self.w_s[j]), int(self.in_layer[j])
        rows, cols = before.shape
        if w >= cols or r >= rows:
            return NEG
        return p + float(np.max(before[: rows - r, : cols - w] + reach[r:, w:]))

    def _add(self, dst: Array, src: Array, j: int, p: float) -> None:
        """dst = max(dst, src with column j added), in place."""
        w, r = int(self.w_s[j]), int(self.in_layer[j])
        rows, cols = src.shape
        if w < cols and r < rows:
            np.maximum(dst[r:, w:], src[: rows - r, : cols - w] + p, out=dst[r:, w:])

    def _item(self, f: Array, j: int, p: float, stages: Stages) -> Array:
        new = f.copy()
        self._add(new, f, j, p)
        if stages is not None:
            stages.append(("item", f, j, p))
        return new

    def _choice(self, f: Array, candidates: Array, profit: Array, stages: Stages) -> Array:
        new = f.copy()
        for j in candidates.tolist():
            self._add(new, f, j, profit[j])
        if stages is not None:
            stages.append(("choice", f, candidates, new))
        return new

    def _count(self, f: Array, candidates: Array, profit: Array, cap: int,
               stages: Stages) -> Array:
        h = [f] + [np.full(f.shape, NEG) for _ in range(cap)]
        history = [h]
        for j in candidates.tolist():
            p = profit[j]
            nh = [h[0]]
            for t in range(1, cap + 1):
                cur = h[t].copy()
                self._add(cur, h[t - 1], j, p)
                nh.append(cur)
            h = nh
            history.append(h)
        new: Array = np.max(np.stack(h), axis=0)
        if stages is not None:
            stages.append(("count", f, candidates, history))
        return new

    def _recover(self, stages: list[tuple[Any, ...]], t: int, c: int, x: Array,
                 profit: Array) -> None:
        for stage in reversed(stages):
            kind, before = stage[0], stage[1]
            if kind == "clamp":
                c = min(c, stage[2])
            elif kind == "close":  # the count of the row's phase, among those reaching its low
                low = stage[2]
                t = low + int(np.argmax(before[low:, c]))
            elif kind == "open":
                t = 0
            elif kind == "item":
                j, p = stage[2], stage[3]
                w, r = int(self.w_s[j]), int(self.in_layer[j])
                if w <= c and r <= t and before[t - r, c - w] + p > before[t, c]:
                    x[j] = True
                    t, c = t - r, c - w
            elif kind == "choice":
                candidates, new = stage[2], stage[3]
                if new[t, c] > before[t, c]:
                    for j in candidates.tolist():
                        w, r = int(self.w_s[j]), int(self.in_layer[j])
                        if w <= c and r <= t and before[t - r, c - w] + profit[j] == new[t, c]:
                            x[j] = True
                            t, c = t - r, c - w
                            break
            else:
                candidates, history = stage[2], stage[3]
                last = history[-1]
                taken = int(np.argmax([arr[t, c] for arr in last]))
                for i in range(len(candidates) - 1, -1, -1):
                    if taken == 0:
                        break
                    if history[i + 1][taken][t, c] != history[i][taken][t, c]:
                        j = int(candidates[i])
                        x[j] = True
                        t, c = t - int(self.in_layer[j]), c - int(self.w_s[j])
                        taken -= 1

    def fixings(self, program: dict[str, Any], fix: Array, cutoff: float) -> Array:
        """`fix` with every free column fixed whose other value bounds below `cutoff`
        (the bound of each one-column change from forward and backward programs, the
        layer rows' lower limits ignored there), for the node whose program is `program`."""
        self.work += 2 * program["work"]
        stages, profit, x = program["stages"], program["profit"], program["x"]
        base, final = program["base"], program["f"]
        new = fix.copy()
        # after[t, c]: best of the later stages with at most t columns of the current
        # phase's layer row and at most c budget.  Kept as that running maximum over t
        # (not "exactly t"): the stages only shift and take maxima, which commute with it,
        # so it needs no accumulate per stage.
        after = np.zeros((1, final.shape[1]))
        for stage in reversed(stages):
            kind, before = stage[0], stage[1]
            if kind == "close":  # back into a phase: the later phases count none of its row
                after = np.repeat(after, before.shape[0], axis=0)
                continue
            if kind == "open":  # out of a phase, back to one layer: the best of all counts
                after = after[-1:]
                continue
            if kind == "clamp":  # the earlier stages may use at most the row's room
                after = after.copy()
                after[:, : after.shape[1] - 1 - stage[2]] = NEG
                continue
            # reach[t, c]: best of the later stages with at most layers - t more layer
            # columns and room - c more budget
            reach = after[::-1, ::-1]
            members = [stage[2]] if kind == "item" else (
                stage[2].tolist() if kind == "choice" else [])  # count groups: left free
            for j in members:
                if x[j]:
                    without = before
                    if len(members) > 1:
                        without = before.copy()
                        for i in members:
                            if i != j:
                                self._add(without, before, i, profit[i])
                    if base + float(np.max(without + reach)) < cutoff:
                        new[j] = 1
                elif base + self._best_with(before, j, profit[j], reach) < cutoff:
                    new[j] = 0
            after = self._apply(stage, after, profit)
        # columns outside the program (profit <= 0): with them the rest is at most `final`
        room = program["room"]
        for j in np.flatnonzero((fix < 0) & ~program["open"]).tolist():
            w = int(self.w_s[j])
            if w > room or base + float(profit[j]) + float(final[:, room - w].max()) < cutoff:
                new[j] = 0
        return new

    def _apply(self, stage: tuple[Any, ...], f: Array, profit: Array) -> Array:
        kind = stage[0]
        if kind == "item":
            return self._item(f, stage[2], stage[3], None)
        if kind == "choice":
            return self._choice(f, stage[2], profit, None)
        cap = len(stage[3][0]) - 1
        return self._count(f, stage[2], profit, cap, None)
