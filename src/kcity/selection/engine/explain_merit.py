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

from typing import Any

from .analysis import Analysis
from .explain_bounds import CheapestLP, WorkLimit, limits_to_try
from .explain_count import CountMixin, dominators
from .explain_money import MoneyMixin
from .explain_solves import Money, settle
from .instance import Proposal
from .milp import MeritModel

EXACT_SHARE = 0.6  # of the time for the exact money rounds (then count limits: COUNT_SHARE)
PASS_ROUNDS = 2  # exact rounds per money search and pass
MAX_ROUNDS = 60  # exact rounds of one money search at most
LP_ROUNDS = 20  # solve-free rounds of one money search at most
# `cheapest` MILPs: HiGHS's sub-MIP heuristics and presolve cost more than they save
# on these models (60 proposals: 27 ms a solve instead of 62; same optima)
CHEAPEST_OPTIONS = {"presolve": "off", "mip_heuristic_run_rins": False,
                    "mip_heuristic_run_rens": False,
                    "mip_heuristic_run_root_reduced_cost": False,
                    "mip_heuristic_run_zi_round": False, "mip_heuristic_run_shifting": False}
PROBES = (1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1)  # shared best() up to the top


class MaxMeritChanges(MoneyMixin, CountMixin):
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
        self._money: dict[tuple[str, str | None], Money] = {}
        self._counts: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._planned: list[tuple[Proposal, list[str]]] = []
        self.solves = 0  # re-solves so far (diagnostics)
        self._dominators = dominators(analysis, self.fast)

    def plan(self, proposal: Proposal, details: list[dict[str, Any]]) -> None:
        limits = ["budget", *limits_to_try(details)]
        self._planned.append((proposal, limits))
        for limit in limits:
            if limit in ("budget", "track_budget"):
                track = None if limit == "budget" else proposal.track
                search = Money(proposal, track, self._current(track), self.optimum)
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
                settle(search.result, "increase", value - self._current(search.track))
        for (pid, limit), change in self._counts.items():
            if change and "to_at_least" in change and "to" not in change and (
                    not self.work.spent()):
                self._count_at_top(self._by_id[pid], limit, change)
