"""Running totals of a selection and the constraint checks of selection.md (1-3)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .instance import Instance, Proposal, Track

# Names of the constraints a proposal can bump into (used in explanations too).
BUDGET = "budget"
TRACK_MAX = "track_max_projects"
TRACK_BUDGET = "track_budget"
COUNTRY_CAP = "max_per_country"
CYCLE_MAX = "max_projects"  # the most projects in all, across tracks


class Tally:
    """Awarded money and counts of a set, to test 'does adding p keep 1, 2 (upper) and 3'."""

    def __init__(self, instance: Instance, proposals: Iterable[Proposal] = ()) -> None:
        self.instance = instance
        self.tracks: dict[str, Track] = {t.code: t for t in instance.tracks}
        self.awarded = 0
        self.count = 0
        self.track_count: Counter[str] = Counter()
        self.track_awarded: Counter[str] = Counter()
        self.country_count: Counter[str] = Counter()
        self.country_members: dict[str, list[str]] = {}
        for proposal in proposals:
            self.add(proposal)

    def add(self, proposal: Proposal) -> None:
        self.awarded += proposal.request
        self.count += 1
        self.track_count[proposal.track] += 1
        self.track_awarded[proposal.track] += proposal.request
        self.country_count[proposal.country] += 1
        self.country_members.setdefault(proposal.country, []).append(proposal.id)

    def remove(self, proposal: Proposal) -> None:
        """Undo `add(proposal)`."""
        self.awarded -= proposal.request
        self.count -= 1
        self.track_count[proposal.track] -= 1
        self.track_awarded[proposal.track] -= proposal.request
        self.country_count[proposal.country] -= 1
        self.country_members[proposal.country].remove(proposal.id)

    def blockers(self, proposal: Proposal) -> list[str]:
        """The upper-limit constraints that adding `proposal` would break, in a fixed order."""
        found = []
        cap = self.instance.max_per_country
        if cap is not None and self.country_count[proposal.country] + 1 > cap:
            found.append(COUNTRY_CAP)
        track = self.tracks[proposal.track]
        if track.max_projects is not None and self.track_count[track.code] + 1 > track.max_projects:
            found.append(TRACK_MAX)
        most = self.instance.max_projects
        if most is not None and self.count + 1 > most:
            found.append(CYCLE_MAX)
        spent = self.track_awarded[track.code] + proposal.request
        if track.budget is not None and spent > track.budget:
            found.append(TRACK_BUDGET)
        if self.awarded + proposal.request > self.instance.budget:
            found.append(BUDGET)
        return found

    def fits(self, proposal: Proposal) -> bool:
        return not self.blockers(proposal)

    def upper_violations(self) -> list[str]:
        """Upper limits (1: budget and cycle maximum, 2-max, 2-budget, 3) the current set
        breaks, as words-free codes."""
        found = []
        cap = self.instance.max_per_country
        if cap is not None and any(n > cap for n in self.country_count.values()):
            found.append(COUNTRY_CAP)
        for track in self.instance.tracks:
            if track.max_projects is not None and self.track_count[track.code] > track.max_projects:
                found.append(TRACK_MAX)
            if track.budget is not None and self.track_awarded[track.code] > track.budget:
                found.append(TRACK_BUDGET)
        most = self.instance.max_projects
        if most is not None and self.count > most:
            found.append(CYCLE_MAX)
        if self.awarded > self.instance.budget:
            found.append(BUDGET)
        return found

    def unmet_minimums(self) -> list[Track]:
        return [t for t in self.instance.tracks if self.track_count[t.code] < t.min_projects]

    def feasible(self) -> bool:
        """Constraints 1-3 hold for the set (constraint 4 is checked by the caller)."""
        return not self.upper_violations() and not self.unmet_minimums()
