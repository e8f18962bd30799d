"""Why each fundable proposal was not selected, and the smallest change that helps.

For each reserve proposal the explanation gives, as data and words, the
constraints that adding it to the selection would break (country cap with the
selected proposals holding the country, track maximum, track budget, total
budget and by how much) and, for each kind of limit, the smallest change of that
limit alone that brings it in, every one verified by re-solving with the change:

* the total budget: always tried;
* its track's budget, the country cap, its track's maximum and the cycle's maximum
  (`max_projects`, the most projects in all): tried when that limit is among what
  stops it.

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

max_merit work is bounded (`seconds`, CPU time, default `DEFAULT_SECONDS`; None: no
limit) and shared out in passes (explain_merit.py).  The LP relaxation of
``cheapest`` and sets already known (filled greedily) move the alternation without
a solve when they can (explain_bounds.py).  A search the limit stops keeps what it
proved: its change has ``"exact": false``, ``increase_at_least`` / ``to_at_least``
(no smaller value works) and, where one was found and verified, ``increase`` /
``to`` (a value that works: an upper bound); the entry has ``"exact": false`` and
``budget_increase`` None.  Exact changes are as before (no ``exact`` key).

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
from .explain_bounds import WorkLimit, limits_to_try, with_limit
from .explain_merit import MaxMeritChanges
from .instance import Instance, Proposal
from .merit_order import Walk, blocker_details, walk
from .tally import Tally

MAX_WALKS = 5000
DEFAULT_SECONDS = 120.0  # CPU seconds of max_merit search per explain run (None: no limit)


def explain(instance: Instance, result: dict[str, Any], *,
            seconds: float | None = DEFAULT_SECONDS) -> list[dict[str, Any]]:
    """One entry per reserve proposal of `result`, in ranking order.

    `seconds` bounds the CPU time of the max_merit searches: a smallest change not
    proven within it is reported bounded (``"exact": false``, see `_MaxMeritChanges`).
    """
    analysis = analyse(instance)
    by_id = {p.id: p for p in analysis.ranking}
    selected = [by_id[i] for i in result["selected"]]
    changer: _MeritOrderChanges | MaxMeritChanges | None
    if instance.policy == "merit_order":
        blocked = walk(analysis).blocked
        changer = _MeritOrderChanges(analysis)
    else:
        tally = Tally(instance, selected)
        blocked = {pid: blocker_details(tally, by_id[pid]) for pid in result["reserve"]}
        changer = (MaxMeritChanges(analysis, selected, WorkLimit(seconds))
                   if result["status"] == "optimal" else None)
    if isinstance(changer, MaxMeritChanges):  # searched together: work is shared out
        for pid in result["reserve"]:
            changer.plan(by_id[pid], blocked.get(pid, []))
        changer.run()
    entries = []
    for pid in result["reserve"]:
        details = blocked.get(pid, [])
        if isinstance(changer, MaxMeritChanges):
            changes = changer.changes(by_id[pid])
        else:
            changes = changer.changes(by_id[pid], details) if changer is not None else []
        increase = next((c["increase"] for c in changes
                         if c["change"] == "budget" and c.get("exact", True)), None)
        entry = {
            "id": pid,
            "blocked_by": details,
            "budget_increase": increase,
            "changes": changes,
            "reasons": [r.as_dict() for r in reasons_of(details, result["status"])],
            "text": describe(instance, details, changes, result["status"]),
        }
        if not all(c.get("exact", True) for c in changes):
            entry["exact"] = False
        entries.append(entry)
    return entries


def reasons_of(details: list[dict[str, Any]], status: str) -> list[messages.Reason]:
    """Why it is not selected, as codes and values: what adding it would break or, when
    nothing would, that it adds no merit (or was not reached in time)."""
    reasons = [messages.blocked_by(item) for item in details]
    if not reasons:
        reasons.append(messages.no_gain() if status == "optimal" else messages.not_reached())
    return reasons


def describe(
    instance: Instance, details: list[dict[str, Any]], changes: list[dict[str, Any]],
    status: str
) -> str:
    """The explanation of one proposal in words (all strings come from `messages`)."""
    words = [messages.not_selected([r.text() for r in reasons_of(details, status)])]
    budget = [c for c in changes if c["change"] == "budget"]
    words.append(_change_words(budget[0]) if budget else messages.change_none())
    words.extend(_change_words(c) for c in changes if c["change"] != "budget")
    return " ".join(words)


def _change_words(change: dict[str, Any]) -> str:
    kind, track = change["change"], change.get("track")
    if change.get("exact", True):
        if kind == "budget":
            return messages.change_budget(change["increase"])
        if kind == "track_budget":
            return messages.change_track_budget(change["track"], change["increase"])
        if kind == "max_per_country":
            return messages.change_cap(change["to"])
        if kind == "max_projects":
            return messages.change_cycle_max(change["to"])
        return messages.change_track_max(change["track"], change["to"])
    if kind in ("budget", "track_budget"):
        return messages.change_money_bounded(track, change["increase_at_least"],
                                             change.get("increase"))
    if kind == "max_projects":
        return messages.change_cycle_max_bounded(change["to_at_least"], change.get("to"))
    return messages.change_count_bounded(track, change["to_at_least"], change.get("to"))


# -- merit_order ---------------------------------------------------------------


class _MeritOrderChanges:
    """Smallest single-limit changes that put a proposal in the walk (re-walks)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.instance = analysis.instance

    def _walk(self, instance: Instance) -> Walk:
        # fundability and ranking do not depend on budgets, quotas or the cap
        return walk(replace(self.analysis, instance=instance))

    def changes(self, proposal: Proposal, details: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        increase = self.money(proposal, None)
        if increase is not None:
            out.append({"change": "budget", "increase": increase})
        track = self.analysis.tracks[proposal.track]
        for limit in limits_to_try(details):
            if limit == "track_budget":
                increase = self.money(proposal, track.code)
                if increase is not None:
                    out.append({"change": limit, "track": track.code, "increase": increase})
            else:
                value = self.count(proposal, limit)
                if value is not None:
                    out.append({"change": limit, "to": value}
                           if limit in ("max_per_country", "max_projects")
                           else {"change": limit, "track": track.code, "to": value})
        return out

    def money(self, proposal: Proposal, track: str | None) -> int | None:
        """Smallest increase of the total budget (track None) or of `track`'s budget."""
        current = self.instance.budget if track is None else self.analysis.tracks[track].budget
        assert current is not None  # tried only when that limit stops it
        limit = "budget" if track is None else "track_budget"
        value = current
        for _walk in range(MAX_WALKS):
            done = self._walk(with_limit(self.instance, limit, value, track))
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
        """Smallest country cap (or its track's maximum, or the cycle's) at which the walk
        selects it."""
        track = proposal.track
        current: int | None
        if limit == "max_per_country":
            current = self.instance.max_per_country
            top = sum(p.country == proposal.country for p in self.analysis.ranking)
        elif limit == "max_projects":
            current = self.instance.max_projects
            top = len(self.analysis.ranking)
        else:
            current = self.analysis.tracks[track].max_projects
            top = sum(p.track == track for p in self.analysis.ranking)
        assert current is not None  # tried only when that limit stops it
        for value in range(current + 1, top + 1):
            done = self._walk(with_limit(self.instance, limit, value, track))
            if proposal.id in done.selected:
                return value
        return None
