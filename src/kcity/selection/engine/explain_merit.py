"""max_merit explanations: the smallest single-limit changes (see explain.py), searched
under a work limit.

Work is shared out in passes, so no proposal starves the others: (1) for every
money search, rounds that need no solve (the LP bound of ``cheapest`` and greedy
sets); (2) round-robin `PASS_ROUNDS` exact rounds each, until `EXACT_SHARE` of the
time; (3) count limits, until `COUNT_SHARE`; (4) `finish`: values proven to work
for what is left.  A search stopped early keeps what it proved: a lower bound (no
smaller value works) and, where found, a value that works (an upper bound); that
change has ``"exact": false``, ``increase_at_least`` / ``to_at_least`` and
``increase`` / ``to`` when known.  Both are exact when they meet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .analysis import Analysis
from .explain_bounds import CheapestLP, WorkLimit, limits_to_try, with_limit
from .instance import Instance, Proposal
from .milp import MeritModel
from .tally import Tally

EXACT_SHARE = 0.6  # of the time for the exact money rounds
COUNT_SHARE = 0.8  # ... then count limits; the rest finds upper bounds
PASS_ROUNDS = 2  # exact rounds per money search and pass
MAX_ROUNDS = 60  # exact rounds of one money search at most
LP_ROUNDS = 20  # solve-free rounds of one money search at most
# `cheapest` MILPs: HiGHS's sub-MIP heuristics and presolve cost more than they save
# on these models (60 proposals: 27 ms a solve instead of 62; same optima)
CHEAPEST_OPTIONS = {"presolve": "off", "mip_heuristic_run_rins": False,
                    "mip_heuristic_run_rens": False,
                    "mip_heuristic_run_root_reduced_cost": False,
                    "mip_heuristic_run_zi_round": False, "mip_heuristic_run_shifting": False}
FILLS = 3  # known sets filled greedily for a cheap lower bound of best()
PROBES = (1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1)  # shared best() up to the top


class _Money:
    """State of one money search: no value below `lower` works, best() >= `target`
    from `lower` up; `result` once done (None: no value works)."""

    def __init__(self, proposal: Proposal, track: str | None, current: int, optimum: int):
        self.proposal, self.track = proposal, track
        self.lower, self.target = current, optimum
        self.rounds = 0
        self.done = False
        self.result: dict[str, Any] | None = None


class MaxMeritChanges:
    """Smallest single-limit changes putting a proposal in an optimal set (re-solves)."""

    def __init__(self, analysis: Analysis, selected: list[Proposal], work: WorkLimit) -> None:
        self.analysis = analysis
        self.instance = analysis.instance
        self.work = work
        self.model = MeritModel(analysis, reduce=False)
        self.model.add_merit_row()
        for option, value in CHEAPEST_OPTIONS.items():
            self.model.h.setOptionValue(option, value)
        self.lp = CheapestLP(analysis)
        # optima (maximise merit): a model without the merit row, taking the LP path
        # (exact, 2-3x faster than HiGHS alone even at 60 columns), cached per limit value
        self.fast = MeritModel(analysis, reduce=False)
        self.optimum = self.model.scaled_merit(selected)
        self._best: dict[tuple[Any, ...], int | None] = {}  # optima per limit value
        # (largest count, optimum) of the optima with a count limit lifted
        self._tops: dict[tuple[Any, ...], tuple[int, int] | None] = {}
        self.everything = sum(p.request for p in analysis.ranking)
        self.selected = selected
        # per money limit (track or None): (award, limit value, optimum, ids of that set)
        self._intervals: dict[str | None, list[tuple[int, int, int, frozenset[str]]]] = {}
        # per money limit: (award, merit, ids) of sets found by `cheapest`, valid from award
        self._pool: dict[str | None, list[tuple[int, int, frozenset[str]]]] = {}
        self._by_id = {p.id: p for p in analysis.ranking}
        self._scaled = {p.id: int(self.fast.merit[self.fast.col[p.id]]) for p in analysis.ranking}
        self._money: dict[tuple[str, str | None], _Money] = {}
        self._counts: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._planned: list[tuple[Proposal, list[str]]] = []
        self.solves = 0  # re-solves so far (diagnostics)
        self._dominators = _dominators(analysis, self.fast)

    # -- the passes ----------------------------------------------------------------

    def plan(self, proposal: Proposal, details: list[dict[str, Any]]) -> None:
        limits = ["budget", *limits_to_try(details)]
        self._planned.append((proposal, limits))
        for limit in limits:
            if limit in ("budget", "track_budget"):
                track = None if limit == "budget" else proposal.track
                search = _Money(proposal, track, self._current(track), self.optimum)
                if self._never_below(proposal, None) is None:
                    search.done = True
                self._money[(proposal.id, track)] = search

    def run(self) -> None:
        searches = list(self._money.values())
        for search in searches:
            while not search.done and search.rounds < LP_ROUNDS and not self.work.spent(
                    EXACT_SHARE) and self._lp_round(search):
                search.rounds += 1
        for search in searches:
            search.rounds = 0
        while True:
            open_ = [s for s in searches if not s.done and s.rounds < MAX_ROUNDS]
            if not open_ or self.work.spent(EXACT_SHARE):
                break
            for search in open_:
                for _round in range(PASS_ROUNDS):
                    if search.done or self.work.spent(EXACT_SHARE):
                        break
                    self._round(search)
                    search.rounds += 1
        for search in searches:
            if not search.done:
                search.result = {"exact": False,
                                 "increase_at_least": search.lower - self._current(search.track)}
        for proposal, limits in self._planned:
            for limit in limits:
                if limit in ("max_per_country", "track_max_projects", "max_projects"):
                    self._counts[(proposal.id, limit)] = self.count(proposal, limit)
        self.finish()

    def changes(self, proposal: Proposal) -> list[dict[str, Any]]:
        """The changes found for `proposal` (after `run`), in the order of explain.py."""
        out = []
        limits = next(limits for p, limits in self._planned if p.id == proposal.id)
        for limit in limits:
            track = None if limit in ("budget", "max_per_country", "max_projects") else (
                proposal.track)
            if limit in ("budget", "track_budget"):
                change = self._money[(proposal.id, track)].result
            else:
                change = self._counts[(proposal.id, limit)]
            if change is not None:
                out.append({"change": limit, **({} if track is None else {"track": track}),
                            **change})
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

    # -- money: total budget or a track budget -----------------------------------

    def _current(self, track: str | None) -> int:
        value = self.instance.budget if track is None else self.analysis.tracks[track].budget
        assert value is not None  # searched only when that limit stops it
        return value

    def _free(self, track: str | None) -> Instance:
        """The instance with that money limit ignored."""
        if track is None:
            return with_limit(self.instance, "budget",
                              max(self.everything, self.instance.budget), None)
        return with_limit(self.instance, "track_budget", None, track)

    def _award(self, chosen: Iterable[Proposal], track: str | None) -> int:
        return sum(p.request for p in chosen if track is None or p.track == track)

    def _lp_round(self, search: _Money) -> bool:
        """A round without solves: the LP bound L of ``cheapest(target)`` (no set with
        it and merit >= target costs less, so no value below L works) and, if a known
        set valid at L beats the target, the target rises to it.  False: no progress."""
        bound = self.lp.bound(self._free(search.track), search.proposal, search.target,
                              search.track)
        if bound is None or bound <= search.lower:
            return False
        search.lower = bound
        known = self._known(search.track, bound)
        if known <= search.target:
            return False
        search.target = known
        return True

    def _round(self, search: _Money) -> None:
        """One exact round of the alternation (explain.py): ``cheapest(target)`` = c
        (none: no value works); no value below c works; if best(c) <= the merit of
        that set it works at c, else the target rises to best(c) (or to a known set
        valid at c that beats it)."""
        if self._lp_round(search):
            return
        track, current = search.track, self._current(search.track)
        chosen = self._solve(self._free(track), forced=search.proposal, floor=search.target,
                             cheapest_of="" if track is None else track)
        if chosen is None:
            search.done, search.result = True, None
            return
        merit, award = self.fast.scaled_merit(chosen), self._award(chosen, track)
        self._pool.setdefault(track, []).append((award, merit, frozenset(p.id for p in chosen)))
        search.lower = max(search.lower, current, award)
        known = self._known(track, search.lower)
        best = known if known > merit else self._best_money(track, search.lower)
        if best <= merit:  # `chosen` is optimal at `lower`
            search.done, search.result = True, {"increase": search.lower - current}
            return
        # if some set with it reaches `best` at `lower`, the next round finds one
        # costing no more than `lower` and ends there
        search.target = best

    def _known(self, track: str | None, value: int) -> int:
        """The merit of a valid set at `value` (so <= best()): the sets seen so far
        valid there, the best few filled greedily with what still fits."""
        sets = [(best, ids) for low, _high, best, ids in self._intervals.get(track, [])
                if low <= value]
        sets += [(merit, ids) for award, merit, ids in self._pool.get(track, [])
                 if award <= value]
        sets.sort(key=lambda pair: -pair[0])
        known = sets[0][0] if sets else self.optimum
        limit = "budget" if track is None else "track_budget"
        instance = with_limit(self.instance, limit, value, track)
        for merit, ids in sets[:FILLS]:
            tally = Tally(instance, (self._by_id[i] for i in ids))
            for p in self.analysis.ranking:  # merit high first
                if p.id not in ids and self._scaled[p.id] > 0 and tally.fits(p):
                    tally.add(p)
                    merit += self._scaled[p.id]
            known = max(known, merit)
        return known

    def _best_money(self, track: str | None, value: int) -> int:
        """The optimum with the total budget (or `track`'s budget) at `value` >= now.

        An optimal set found at value b with award a (of the limit) is optimal at every
        value in [a, b] (valid there, and the optimum does not fall as the limit
        rises), so each solve answers an interval, shared by all proposals."""
        intervals = self._intervals.get(track)
        if intervals is None:
            intervals = self._intervals[track] = [
                (self._award(self.selected, track), self._current(track), self.optimum,
                 frozenset(p.id for p in self.selected))]
        for low, high, best, _ids in intervals:
            if low <= value <= high:
                return best
        limit = "budget" if track is None else "track_budget"
        chosen = self._optimum(with_limit(self.instance, limit, value, track), None,
                               hint=self.selected)
        assert chosen is not None  # valid at the current limit, so at any larger one
        best = self.fast.scaled_merit(chosen)
        intervals.append((self._award(chosen, track), value, best,
                          frozenset(p.id for p in chosen)))
        return best

    # -- upper bounds of what was left bounded ------------------------------------

    def finish(self) -> None:
        """Values proven to work, while the work limit allows: shared optima at a few
        values up to the top (an optimal set found at b with award a holds each of its
        proposals at a), then per search ``cheapest(best(top))`` (a set with it and
        the top optimum is optimal at its own award); for counts, the largest counts
        of both unlimited optima.  Each is verified by the optimum there."""
        bounded = [s for s in self._money.values() if s.result and "increase_at_least"
                   in s.result]
        for track in dict.fromkeys(s.track for s in bounded):
            current = self._current(track)
            top = max(current, self._award(self.analysis.ranking, track))
            for share in PROBES:
                if self.work.spent():
                    break
                self._best_money(track, current + int((top - current) * share))
        for search in bounded:
            value = self._known_to_work(search.proposal, search.track)
            if value is None and not self.work.spent():
                value = self._cheapest_at_top(search.proposal, search.track)
            if value is not None:
                assert search.result is not None  # bounded: it has a result
                _settle(search.result, "increase", value - self._current(search.track))
        for (pid, limit), change in self._counts.items():
            if change and "to_at_least" in change and "to" not in change and (
                    not self.work.spent()):
                self._count_at_top(self._by_id[pid], limit, change)

    def _known_to_work(self, proposal: Proposal, track: str | None) -> int | None:
        """The least limit value at which an optimal set found so far holds it."""
        values = [low for low, _high, _best, ids in self._intervals.get(track, [])
                  if proposal.id in ids]
        return max(self._current(track), min(values)) if values else None

    def _cheapest_at_top(self, proposal: Proposal, track: str | None) -> int | None:
        current = self._current(track)
        top = max(current, self._award(self.analysis.ranking, track))
        target = self._best_money(track, top)
        chosen = self._solve(self._free(track), forced=proposal, floor=target,
                             cheapest_of="" if track is None else track)
        if chosen is None:
            return None
        value = max(current, self._award(chosen, track))
        # verified: the optimum there is no more than the merit of `chosen`
        return value if self._best_money(track, value) <= self.fast.scaled_merit(chosen) else None

    def _count_at_top(self, proposal: Proposal, limit: str, change: dict[str, Any]) -> None:
        track = proposal.track
        key = (limit, track if limit == "track_max_projects" else None)
        unlimited = with_limit(self.instance, limit, None, track)
        top_forced = self._unlimited(unlimited, key, limit, track, proposal)
        top_best = self._unlimited(unlimited, key, limit, track, None)
        if top_forced is not None and top_best is not None and top_forced[1] >= top_best[1]:
            _settle(change, "to", max(change["to_at_least"], top_forced[0], top_best[0]))

    # -- count limits: country cap, track maximum -------------------------------

    def count(self, proposal: Proposal, limit: str) -> dict[str, Any] | None:
        """Smallest country cap (or its track's maximum, or the cycle's) with it in an
        optimal set.

        ``forced(k)`` (the optimum with it in, cap or maximum k) and ``best(k)`` are
        both non-decreasing in k, and the answer is the smallest k > current with
        ``forced(k) >= best(k)``.  With v = best(current): below the smallest k with
        ``forced(k) >= v`` (found by bisection, the predicate being monotone) no k
        works, since ``best(k) >= v`` there; at that k either it works or v rises
        strictly to best(k) and the search goes on above k.  From the largest count
        of the unlimited forced optimum up, ``forced`` is constant (= its value).
        `low` is always a proven lower bound, so the search can stop anywhere; then
        the largest counts of both unlimited optima are a value proven to work when
        the forced one is optimal unlimited.
        """
        track = proposal.track
        current = (self.instance.max_per_country if limit == "max_per_country"
                   else self.instance.max_projects if limit == "max_projects"
                   else self.analysis.tracks[track].max_projects)
        assert current is not None  # tried only when that limit stops it
        key = (limit, track if limit == "track_max_projects" else None)
        never = self._never_below(proposal, limit)
        if never is None:
            return None
        low = max(current + 1, never)
        if self.work.spent(COUNT_SHARE):
            return {"exact": False, "to_at_least": low}
        unlimited = with_limit(self.instance, limit, None, track)
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
            return self._value(with_limit(self.instance, limit, k, track), (*key, k), forced,
                               hint=None if forced else self.selected)

        def bounded() -> dict[str, Any]:
            change = {"exact": False, "to_at_least": low}
            if forced_value >= best_value:  # both unlimited optima feasible there
                _settle(change, "to", max(low, forced_top, best_top))
            return change

        target = self.optimum
        while forced_value >= target:
            high = max(low, forced_top)  # forced(high) == forced_value >= target
            while low < high:
                if self.work.spent(COUNT_SHARE):
                    return bounded()
                middle = (low + high) // 2
                got = value(middle, proposal)
                if got is not None and got >= target:
                    high = middle
                else:
                    low = middle + 1
            if self.work.spent(COUNT_SHARE):
                return bounded()
            forced = value(low, proposal)
            best = value(low, None)
            assert forced is not None and best is not None and forced >= target
            if forced >= best:
                return {"to": low}
            target, low = best, low + 1
        return None

    def _unlimited(self, unlimited: Instance, key: tuple[Any, ...], limit: str, track: str,
                   forced: Proposal | None) -> tuple[int, int] | None:
        """(largest count under the limit, optimal value) of an optimum of `unlimited`
        (with `forced` in); None when infeasible."""
        cache_key = (*key, "top", None if forced is None else forced.id)
        if cache_key not in self._tops:
            chosen = self._optimum(unlimited, forced, hint=None if forced else self.selected)
            if chosen is None:
                self._tops[cache_key] = None
            else:
                if limit == "max_per_country":
                    counts: dict[str, int] = {}
                    for p in chosen:
                        counts[p.country] = counts.get(p.country, 0) + 1
                    top = max(counts.values(), default=0)
                elif limit == "max_projects":
                    top = len(chosen)
                else:
                    top = sum(p.track == track for p in chosen)
                self._tops[cache_key] = (top, self.fast.scaled_merit(chosen))
        return self._tops[cache_key]

    def _never_below(self, proposal: Proposal, limit: str | None) -> int | None:
        """A value of `limit` (a count limit, or None for a money limit) below which the
        proposal is in no optimal set, by dominance; None: in none whatever the value.

        If K proposals of its track and country have a strictly higher (scaled) merit and
        a request no larger, a set holding it under a country cap of K misses one of
        them, and swapping it for that one keeps every constraint and raises the merit.
        Without a cap the same holds with K proposals of its track under a track
        maximum of K.  Under a cycle maximum of M (the most projects in all) a set holding
        it has at most M-1 others, so M proposals of its track and country are enough.
        Budgets and the other limits do not matter to the swap.
        """
        same_country, same_track = self._dominators[proposal.id]
        cap = self.instance.max_per_country
        maximum = self.analysis.tracks[proposal.track].max_projects
        most = self.instance.max_projects
        if limit == "max_projects":
            if cap is not None and same_country >= cap:
                return None
            if cap is None and maximum is not None and same_track >= maximum:
                return None
            return same_country + 1
        if most is not None and same_country >= most:
            return None
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


def _settle(change: dict[str, Any], key: str, value: int) -> None:
    """Record a value proven to work; exact when no smaller one does."""
    if value > change[f"{key}_at_least"]:
        change[key] = value
        return
    kept = {k: change[k] for k in ("change", "track") if k in change}
    change.clear()
    change.update(kept, **{key: value})


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
