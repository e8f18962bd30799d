"""Who can be funded, their merit and the ranking (selection.md, "Who can be funded")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .instance import Instance, Proposal, Track

# Reason codes in the order the spec checks them.
UNKNOWN_TRACK = "unknown_track"
INELIGIBLE = "ineligible"
BELOW_MIN_SCORE = "below_min_score"
REQUEST_OUT_OF_RANGE = "request_out_of_range"
EXCLUDED = "excluded"


@dataclass(frozen=True)
class Analysis:
    """The instance with fundability decided: what every policy starts from."""

    instance: Instance
    tracks: dict[str, Track]
    merit: dict[str, Decimal]
    ranking: list[Proposal]  # fundable proposals, best first
    rank: dict[str, int]  # id -> position in `ranking`
    not_fundable: list[tuple[str, str]]  # (id, reason) in input order
    reasons: dict[str, str]  # id -> reason, for the not fundable
    not_fundable_values: dict[str, dict[str, Any]]  # id -> the values of its reason


def merit_of(instance: Instance, proposal: Proposal) -> Decimal:
    """Score plus the bonuses the proposal earns."""
    merit = proposal.score
    if proposal.matching_funds:
        merit += instance.bonus_matching_funds
    if proposal.prior_planning:
        merit += instance.bonus_prior_planning
    return merit


def unfundable_reason(
    instance: Instance, tracks: dict[str, Track], excluded: set[str], proposal: Proposal
) -> str | None:
    """The first reason code that applies, or None when the proposal is fundable."""
    track = tracks.get(proposal.track)
    if track is None:
        return UNKNOWN_TRACK
    if not proposal.eligible:
        return INELIGIBLE
    if proposal.score < instance.min_score:
        return BELOW_MIN_SCORE
    if (track.grant_min is not None and proposal.request < track.grant_min) or (
        track.grant_max is not None and proposal.request > track.grant_max
    ):
        return REQUEST_OUT_OF_RANGE
    if proposal.id in excluded:
        return EXCLUDED
    return None


def unfundable_values(instance: Instance, tracks: dict[str, Track], proposal: Proposal,
                      reason: str) -> dict[str, Any]:
    """The values of a reason code (what the words of the reason name)."""
    if reason == UNKNOWN_TRACK:
        return {"track": proposal.track}
    if reason == BELOW_MIN_SCORE:
        return {"score": _number(proposal.score), "min_score": _number(instance.min_score)}
    if reason == REQUEST_OUT_OF_RANGE:
        track = tracks[proposal.track]
        return {"request": proposal.request, "grant_min": track.grant_min,
                "grant_max": track.grant_max}
    return {}  # ineligible, excluded: nothing more to say


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def ranking_key(merit: Decimal, proposal: Proposal) -> tuple[Decimal, Decimal, int, str]:
    """Merit high first, then score high first, then request low first, then id."""
    return (-merit, -proposal.score, proposal.request, proposal.id)


def analyse(instance: Instance) -> Analysis:
    """Split proposals into fundable (ranked) and not fundable (with reason)."""
    tracks = {t.code: t for t in instance.tracks}
    excluded = set(instance.exclude)
    merit: dict[str, Decimal] = {}
    fundable: list[Proposal] = []
    not_fundable: list[tuple[str, str]] = []
    values: dict[str, dict[str, Any]] = {}
    for proposal in instance.proposals:
        reason = unfundable_reason(instance, tracks, excluded, proposal)
        if reason is None:
            merit[proposal.id] = merit_of(instance, proposal)
            fundable.append(proposal)
        else:
            not_fundable.append((proposal.id, reason))
            values[proposal.id] = unfundable_values(instance, tracks, proposal, reason)
    fundable.sort(key=lambda p: ranking_key(merit[p.id], p))
    return Analysis(
        instance=instance,
        tracks=tracks,
        merit=merit,
        ranking=fundable,
        rank={p.id: i for i, p in enumerate(fundable)},
        not_fundable=not_fundable,
        reasons=dict(not_fundable),
        not_fundable_values=values,
    )
