"""Count limits (the country cap, a track's maximum, the cycle's maximum) of the
max_merit explanations: bisection with the alternation described in explain.py, and the
dominance that rules values out without a solve."""

from __future__ import annotations

from typing import Any

from .analysis import Analysis
from .explain_bounds import with_limit
from .explain_solves import ChangesBase, settle
from .instance import Instance, Proposal
from .milp import MeritModel

COUNT_SHARE = 0.8  # of the time, up to which count limits are searched (explain_merit.py)


class CountMixin(ChangesBase):
    """The smallest count limit that puts a proposal in an optimal set."""

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
                settle(change, "to", max(low, forced_top, best_top))
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

    def _count_at_top(self, proposal: Proposal, limit: str, change: dict[str, Any]) -> None:
        track = proposal.track
        key = (limit, track if limit == "track_max_projects" else None)
        unlimited = with_limit(self.instance, limit, None, track)
        top_forced = self._unlimited(unlimited, key, limit, track, proposal)
        top_best = self._unlimited(unlimited, key, limit, track, None)
        if top_forced is not None and top_best is not None and top_forced[1] >= top_best[1]:
            settle(change, "to", max(change["to_at_least"], top_forced[0], top_best[0]))

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


def dominators(analysis: Analysis, model: MeritModel) -> dict[str, tuple[int, int]]:
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
