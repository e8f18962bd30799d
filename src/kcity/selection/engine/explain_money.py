"""Money limits (the total budget, a track's budget) of the max_merit explanations: the
alternation of ``cheapest`` and ``best`` described in explain.py."""

from __future__ import annotations

from collections.abc import Iterable

from .explain_bounds import with_limit
from .explain_solves import ChangesBase, Money
from .instance import Instance, Proposal
from .tally import Tally

FILLS = 3  # known sets filled greedily for a cheap lower bound of best()


class MoneyMixin(ChangesBase):
    """The smallest increase of a money limit that puts a proposal in an optimal set."""

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

    def _lp_round(self, search: Money) -> bool:
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

    def _round(self, search: Money) -> None:
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
