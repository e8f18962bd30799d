"""Why each fundable proposal was not selected, and the smallest change that helps.

For each reserve proposal the explanation gives, as data and words, the
constraints that adding it to the selection would break (country cap with the
selected proposals holding the country, track maximum, track budget, total
budget and by how much) and, for each kind of limit, the smallest change of that
limit alone that brings it in, every one verified by re-solving with the change:

* the total budget: always tried;
* its track's budget, the country cap and its track's maximum: tried when that
  limit is among what stops it.

max_merit, "brings it in" means: with the change some optimal selection
contains it, i.e. ``forced(x) >= best(x)`` where ``best(x)`` is the optimum with
the limit at x and ``forced(x)`` the optimum with the proposal forced in; both are
non-decreasing in x.  Before any re-solve, dominance rules out what can never
work: K proposals of its track and country with a strictly higher merit and a
request no larger keep it out of every optimal set under a cap of K, whatever the
budgets and track limits (likewise K of its track under a track maximum of K
when there is no cap).  The smallest money increase (total or track budget) is
found exactly by alternating two re-solves: ``cheapest(v)`` = the least award
(under that limit) of a selection containing it with merit >= v, the limit
ignored, and ``best(b)``.  Starting at v = the optimum now, every limit below
``cheapest(v)`` cannot work; if at that limit the optimum is no more than the
merit of that cheapest selection, done, else v rises strictly to the optimum
there and the loop repeats (it ends because v takes finitely many values).  Each
``best`` solve answers a whole interval of limits (an optimal set of award a found
at b is optimal on [a, b]), kept for every proposal.  For a count limit (cap,
track maximum) the same alternation bisects: with v = best(current), the smallest
k with ``forced(k) >= v`` is found by bisection (that predicate is monotone); no k
below it works; at it either ``forced(k) >= best(k)`` or v rises to best(k) and
the search goes on above k.  Above the largest count of the unlimited optima
neither optimum changes, which bounds the search, so the answer is exact.

merit_order: the walk is not monotone in a limit, so values are not bisected.
For money, the walk records every step refused by that limit alone and the limit
at which that step would pass; the walk at any limit below the smallest such
value (among steps up to the proposal's last turn) is the same up to that turn,
so the search jumps from one such value to the next and the first at which the
proposal is selected is the exact smallest increase (`MAX_WALKS` walks at most;
past that None is reported).  For a count limit every value is tried up to the
number of fundable proposals of the country or track (above it the limit binds
nothing), so that answer is exact too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import messages
from .analysis import Analysis, analyse
from .instance import Instance, Proposal
from .merit_order import blocker_details, walk
from .milp import MeritModel
from .tally import Tally

MAX_WALKS = 5000
CORE_COLS = 300  # from this many columns re-solves take the LP path (as what-ifs do)


def explain(instance: Instance, result: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per reserve proposal of `result`, in ranking order."""
    analysis = analyse(instance)
    by_id = {p.id: p for p in analysis.ranking}
    selected = [by_id[i] for i in result["selected"]]
    changer: _MeritOrderChanges | _MaxMeritChanges | None
    if instance.policy == "merit_order":
        blocked = walk(analysis).blocked
        changer = _MeritOrderChanges(analysis)
    else:
        tally = Tally(instance, selected)
        blocked = {pid: blocker_details(tally, by_id[pid]) for pid in result["reserve"]}
        changer = _MaxMeritChanges(analysis, selected) if result["status"] == "optimal" else None
    entries = []
    for pid in result["reserve"]:
        proposal = by_id[pid]
        details = blocked.get(pid, [])
        changes = changer.changes(proposal, details) if changer is not None else []
        increase = next((c["increase"] for c in changes if c["change"] == "budget"), None)
        entries.append({
            "id": pid,
            "blocked_by": details,
            "budget_increase": increase,
            "changes": changes,
            "text": describe(instance, details, changes, result["status"]),
        })
    return entries


def describe(
    instance: Instance, details: list[dict], changes: list[dict], status: str
) -> str:
    """The explanation of one proposal in words (all strings come from `messages`)."""
    reasons = []
    for item in details:
        kind = item["constraint"]
        if kind == "max_per_country":
            reasons.append(messages.blocked_by_country(item["country"], item["cap"],
                                                       item["held_by"]))
        elif kind == "track_max_projects":
            reasons.append(messages.blocked_by_track_max(item["track"], item["max"]))
        elif kind == "track_budget":
            reasons.append(messages.blocked_by_track_budget(item["track"], item["short_by"]))
        else:
            reasons.append(messages.blocked_by_budget(item["short_by"]))
    if not reasons:
        reasons.append(messages.no_gain() if status == "optimal" else messages.not_reached())
    words = [messages.not_selected(reasons)]
    budget = [c for c in changes if c["change"] == "budget"]
    words.append(messages.change_budget(budget[0]["increase"]) if budget
                 else messages.change_none())
    for change in changes:
        if change["change"] == "track_budget":
            words.append(messages.change_track_budget(change["track"], change["increase"]))
        elif change["change"] == "max_per_country":
            words.append(messages.change_cap(change["to"]))
        elif change["change"] == "track_max_projects":
            words.append(messages.change_track_max(change["track"], change["to"]))
    return " ".join(words)


def _with_limit(instance: Instance, limit: str, value: int | None, track: str | None) -> Instance:
    """`instance` with one limit changed: budget, track_budget, max_per_country or
    track_max_projects (of `track`)."""
    if limit == "budget":
        return replace(instance, budget=value)
    if limit == "max_per_country":
        return replace(instance, max_per_country=value)
    field = "budget" if limit == "track_budget" else "max_projects"
    return replace(instance, tracks=tuple(
        replace(t, **{field: value}) if t.code == track else t for t in instance.tracks))


def _limits_to_try(details: list[dict]) -> list[str]:
    kinds = {d["constraint"] for d in details}
    return [k for k in ("track_budget", "max_per_country", "track_max_projects") if k in kinds]


# -- merit_order ---------------------------------------------------------------


class _MeritOrderChanges:
    """Smallest single-limit changes that put a proposal in the walk (re-walks)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.instance = analysis.instance

    def _walk(self, instance: Instance):
        # fundability and ranking do not depend on budgets, quotas or the cap
        return walk(replace(self.analysis, instance=instance))

    def changes(self, proposal: Proposal, details: list[dict]) -> list[dict]:
        out = []
        increase = self.money(proposal, None)
        if increase is not None:
            out.append({"change": "budget", "increase": increase})
        track = self.analysis.tracks[proposal.track]
        for limit in _limits_to_try(details):
            if limit == "track_budget":
                increase = self.money(proposal, track.code)
                if increase is not None:
                    out.append({"change": limit, "track": track.code, "increase": increase})
            else:
                value = self.count(proposal, limit)
                if value is not None:
                    out.append({"change": limit, "to": value} if limit == "max_per_country"
                               else {"change": limit, "track": track.code, "to": value})
        return out

    def money(self, proposal: Proposal, track: str | None) -> int | None:
        """Smallest increase of the total budget (track None) or of `track`'s budget."""
        current = self.instance.budget if track is None else self.analysis.tracks[track].budget
        limit = "budget" if track is None else "track_budget"
        value = current
        for _walk in range(MAX_WALKS):
            done = self._walk(_with_limit(self.instance, limit, value, track))
            if proposal.id in done.selected:
                return value - current
            turn = done.last_step.get(proposal.id)
            needed = [need for step, which, need in done.money_steps
                      if which == track and (turn is None or step <= turn)]
            if not needed:
                return None  # no larger value changes the walk up to its last turn
            value = min(needed)
        return None

    def count(self, proposal: Proposal, limit: str) -> int | None:
        """Smallest country cap (or its track's maximum) at which the walk selects it."""
        track = proposal.track
        if limit == "max_per_country":
            current = self.instance.max_per_country
            top = sum(p.country == proposal.country for p in self.analysis.ranking)
        else:
            current = self.analysis.tracks[track].max_projects
            top = sum(p.track == track for p in self.analysis.ranking)
        for value in range(current + 1, top + 1):
            done = self._walk(_with_limit(self.instance, limit, value, track))
            if proposal.id in done.selected:
                return value
        return None


# -- max_merit -----------------------------------------------------------------


class _MaxMeritChanges:
    """Smallest single-limit changes putting a proposal in an optimal set (exact re-solves)."""

    def __init__(self, analysis: Analysis, selected: list[Proposal]) -> None:
        self.analysis = analysis
        self.instance = analysis.instance
        self.model = MeritModel(analysis, reduce=False)
        self.model.add_merit_row()
        # optima (maximise merit): a model without the merit row (HiGHS presolve is not
        # slowed by it; MeritModel.solve picks its exact path by size), cached per
        # limit value and forced proposal
        self.fast = MeritModel(analysis, reduce=False)
        self.optimum = self.model.scaled_merit(selected)
        self._best: dict[tuple, Any] = {}
        self.everything = sum(p.request for p in analysis.ranking)
        self.selected = selected
        self._intervals: dict[tuple, list[tuple[int, int, int]]] = {}
        self.solves = 0  # re-solves so far (diagnostics)
        self._dominators = _dominators(analysis, self.fast)

    def changes(self, proposal: Proposal, details: list[dict]) -> list[dict]:
        out = []
        increase = self.money(proposal, None)
        if increase is not None:
            out.append({"change": "budget", "increase": increase})
        track = proposal.track
        for limit in _limits_to_try(details):
            if limit == "track_budget":
                increase = self.money(proposal, track)
                if increase is not None:
                    out.append({"change": limit, "track": track, "increase": increase})
            else:
                value = self.count(proposal, limit)
                if value is not None:
                    out.append({"change": limit, "to": value} if limit == "max_per_country"
                               else {"change": limit, "track": track, "to": value})
        return out

    # -- solving with one limit changed ----------------------------------------

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
        try:
            outcome = model.solve()
            return outcome.chosen if outcome.status == "optimal" else None
        finally:
            model.maximise_merit()
            model.h.changeRowBounds(model.merit_row, -float("inf"), float("inf"))
            model.apply(self.instance)

    def _value(self, instance: Instance, key: tuple, forced: Proposal | None = None,
               hint: list[Proposal] | None = None):
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
            outcome = model.solve(hint=hint, core=len(model.cols) >= CORE_COLS)
        finally:
            model.apply(self.instance)
        if outcome.status not in ("optimal", "infeasible"):
            raise RuntimeError(f"explanation: no proven optimum ({outcome.status})")
        return None if outcome.status == "infeasible" else outcome.chosen

    def money(self, proposal: Proposal, track: str | None) -> int | None:
        """Smallest increase of the total budget (track None) or of `track`'s budget."""
        limit = "budget" if track is None else "track_budget"
        current = self.instance.budget if track is None else self.analysis.tracks[track].budget
        if self._never_below(proposal, None) is None:
            return None
        free = _with_limit(self.instance, limit,
                           max(self.everything, current) if track is None else None, track)
        target = self.optimum
        while True:  # `target` rises strictly each round and takes finitely many values
            chosen = self._solve(free, forced=proposal, floor=target,
                                 cheapest_of="" if track is None else track)
            if chosen is None:
                return None
            cheapest = sum(p.request for p in chosen if track is None or p.track == track)
            trial = max(current, cheapest)  # no value below `trial` works
            best = self._best_money(limit, track, trial)
            if best <= self.fast.scaled_merit(chosen):  # `chosen` is valid at `trial`
                return trial - current
            # if some set with it reaches `best` at `trial`, the next round finds
            # one costing no more than `trial` and returns `trial`
            target = best

    def _best_money(self, limit: str, track: str | None, value: int) -> int:
        """The optimum with the total budget (or `track`'s budget) at `value` >= now.

        An optimal set found at value b with award a (of the limit) is optimal at every
        value in [a, b] (valid there, and the optimum does not fall as the limit
        rises), so each solve answers an interval, shared by all proposals."""
        intervals = self._intervals.get((limit, track))
        if intervals is None:
            award = sum(p.request for p in self.selected if track is None or p.track == track)
            current = (self.instance.budget if track is None
                       else self.analysis.tracks[track].budget)
            intervals = self._intervals[(limit, track)] = [(award, current, self.optimum)]
        for low, high, best in intervals:
            if low <= value <= high:
                return best
        chosen = self._optimum(_with_limit(self.instance, limit, value, track), None,
                               hint=self.selected)
        assert chosen is not None  # valid at the current limit, so at any larger one
        award = sum(p.request for p in chosen if track is None or p.track == track)
        best = self.fast.scaled_merit(chosen)
        intervals.append((award, value, best))
        return best

    def count(self, proposal: Proposal, limit: str) -> int | None:
        """Smallest country cap (or its track's maximum) with it in an optimal set.

        ``forced(k)`` (the optimum with it in, cap or maximum k) and ``best(k)`` are
        both non-decreasing in k, and the answer is the smallest k > current with
        ``forced(k) >= best(k)``.  With v = best(current): below the smallest k with
        ``forced(k) >= v`` (found by bisection, the predicate being monotone) no k
        works, since ``best(k) >= v`` there; at that k either it works or v rises
        strictly to best(k) and the search goes on above k.  From the largest count
        of the unlimited forced optimum up, ``forced`` is constant (= its value).
        """
        track = proposal.track
        current = (self.instance.max_per_country if limit == "max_per_country"
                   else self.analysis.tracks[track].max_projects)
        key = (limit, track if limit != "max_per_country" else None)
        never = self._never_below(proposal, limit)
        if never is None:
            return None
        unlimited = _with_limit(self.instance, limit, None, track)
        top_forced = self._unlimited(unlimited, key, limit, track, proposal)
        if top_forced is None:
            return None
        top_best = self._unlimited(unlimited, key, limit, track, None)
        assert top_best is not None  # the round is feasible at the current limit
        forced_top, forced_value = top_forced
        best_top, best_value = top_best

        def value(k: int, forced: Proposal | None) -> int | None:
            top, at_top = (forced_top, forced_value) if forced else (best_top, best_value)
            if k >= top:
                return at_top  # the unlimited optimum is feasible at k
            return self._value(_with_limit(self.instance, limit, k, track), (*key, k), forced,
                               hint=None if forced else self.selected)

        target = self.optimum
        low = max(current + 1, never)
        while forced_value >= target:
            high = max(low, forced_top)  # forced(high) == forced_value >= target
            while low < high:
                middle = (low + high) // 2
                got = value(middle, proposal)
                if got is not None and got >= target:
                    high = middle
                else:
                    low = middle + 1
            forced = value(low, proposal)
            best = value(low, None)
            assert forced is not None and best is not None and forced >= target
            if forced >= best:
                return low
            target, low = best, low + 1
        return None

    def _unlimited(self, unlimited: Instance, key: tuple, limit: str, track: str,
                   forced: Proposal | None) -> tuple[int, int] | None:
        """(largest count under the limit, optimal value) of an optimum of `unlimited`
        (with `forced` in); None when infeasible."""
        cache_key = (*key, "top", None if forced is None else forced.id)
        if cache_key not in self._best:
            chosen = self._optimum(unlimited, forced, hint=None if forced else self.selected)
            if chosen is None:
                self._best[cache_key] = None
            else:
                if limit == "max_per_country":
                    counts: dict[str, int] = {}
                    for p in chosen:
                        counts[p.country] = counts.get(p.country, 0) + 1
                    top = max(counts.values(), default=0)
                else:
                    top = sum(p.track == track for p in chosen)
                self._best[cache_key] = (top, self.fast.scaled_merit(chosen))
        return self._best[cache_key]

    def _never_below(self, proposal: Proposal, limit: str | None) -> int | None:
        """A value of `limit` (a count limit, or None for a money limit) below which the
        proposal is in no optimal set, by dominance; None: in none whatever the value.

        If K proposals of its track and country have a strictly higher (scaled) merit and
        a request no larger, a set holding it under a country cap of K misses one of
        them, and swapping it for that one keeps every constraint and raises the merit.
        Without a cap the same holds with K proposals of its track under a track
        maximum of K.  Budgets and the other limits do not matter to the swap.
        """
        same_country, same_track = self._dominators[proposal.id]
        cap = self.instance.max_per_country
        maximum = self.analysis.tracks[proposal.track].max_projects
        if limit == "max_per_country":
            bar = same_country + 1
            if cap is None and maximum is not None and same_track >= maximum:
                return None
            return bar
        if cap is not None and same_country >= cap:
            return None
        if limit == "track_max_projects":
            return same_track + 1 if cap is None else 1
        if cap is None and maximum is not None and same_track >= maximum:
            return None
        return 0


def _dominators(analysis: Analysis, model: MeritModel) -> dict[str, tuple[int, int]]:
    """Per proposal: how many proposals of its track and country, and of its track,
    have a strictly higher scaled merit and a request no larger."""
    merit = {p.id: int(model.merit[model.col[p.id]]) for p in analysis.ranking}
    groups: dict[tuple[str, str | None], list[Proposal]] = {}
    for p in analysis.ranking:
        groups.setdefault((p.track, p.country), []).append(p)
        groups.setdefault((p.track, None), []).append(p)
    found: dict[tuple[str, str | None], int] = {}
    for (_track, country), members in groups.items():
        # by merit high first; a Fenwick tree over request ranks counts, for each
        # proposal, the strictly better ones already seen with a request no larger
        requests = sorted({p.request for p in members})
        rank = {r: i + 1 for i, r in enumerate(requests)}
        tree = [0] * (len(requests) + 1)
        members = sorted(members, key=lambda p: -merit[p.id])
        start = 0
        while start < len(members):
            end = start
            while end < len(members) and merit[members[end].id] == merit[members[start].id]:
                end += 1
            for p in members[start:end]:  # equal merits do not dominate each other
                i, total = rank[p.request], 0
                while i > 0:
                    total += tree[i]
                    i -= i & -i
                found[(p.id, country)] = total
            for p in members[start:end]:
                i = rank[p.request]
                while i < len(tree):
                    tree[i] += 1
                    i += i & -i
            start = end
    return {p.id: (found[(p.id, p.country)], found[(p.id, None)]) for p in analysis.ranking}
