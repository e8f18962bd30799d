"""A cycle's evaluated proposals as a selection instance in the format of selection.md.

Where the database has no field the format needs, it is derived (see `build_instance`):

* `id`: the proposal's primary key as a string, so an exported round imports back;
* `score`: the final score of the proposal's last closed panel (`PanelResult.final_score`,
  which already combines the stages by the track's weights);
* `eligible`: false when any closed panel put the proposal below its track's threshold
  (the spec's `below_min_score` would need one threshold for all tracks; thresholds are
  per track here, so `min_score` stays 0 and the threshold shows as `ineligible`);
* `matching_funds`: the host commits matching funds (planning: an amount > 0; demonstration:
  cash or in kind > 0);
* `prior_planning`: the proposal cites an earlier K-City study, planning or demonstration
  alike (`Proposal.cites_prior_study`: a portfolio project, else a link), or is the
  follow-on of a completed platform study rated good (`projects.selectors.credited_by_follow_on`);
* `country`: the proposal's country, else its organisation's;
* `max_projects`: the cycle's most projects in all (`Cycle.max_projects`, null: no cap);
* `budget`: the cycle's total budget, else the sum of the track budgets when every track has
  one; otherwise the secretariat must give one when it creates the round.

A proposal without a positive requested amount or a country cannot be put in the format;
it is left out and listed as skipped.
"""

from __future__ import annotations

from decimal import Decimal

from kcity.applications.models import Proposal
from kcity.applications.models import ProposalState as S
from kcity.evaluation.models import PanelResult, PanelStatus
from kcity.projects import selectors as project_selectors


def proposal_id(pk: int) -> str:
    return str(pk)


def default_budget(cycle) -> int | None:
    if cycle.total_budget is not None:
        return int(cycle.total_budget)
    budgets = [t.budget for t in cycle.tracks.all()]
    if budgets and all(b is not None for b in budgets):
        return int(sum(budgets))
    return None


def _number(value: Decimal) -> int | float:
    """A score as a JSON number: 88.50 -> 88.5, 90.00 -> 90 (the engine reads it exactly)."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _matching(p: Proposal) -> bool:
    amounts = [p.matching_funds_amount, p.matching_cash, p.matching_in_kind]
    return any((a or 0) > 0 for a in amounts)


def evaluated_proposals(cycle):
    return (
        Proposal.objects.filter(cycle=cycle, state=S.EVALUATED)
        .select_related("track", "organisation")
        .order_by("track__order", "track__code", "pk")
    )


def build_instance(cycle, *, budget: int | None = None, policy: str = "max_merit",
                   max_per_country: int | None = None, bonus_matching_funds=0,
                   bonus_prior_planning=0) -> tuple[dict, list[dict]]:
    """(instance dict, skipped proposals [{id, title, reason}]) for `cycle` as it is now."""
    tracks = list(cycle.tracks.order_by("order", "code"))
    results: dict[int, list[PanelResult]] = {}
    for r in (
        PanelResult.objects.filter(proposal__cycle=cycle, panel__status=PanelStatus.CLOSED)
        .select_related("panel").order_by("panel__closed_at", "panel_id")
    ):
        results.setdefault(r.proposal_id, []).append(r)
    proposals, skipped = [], []
    candidates = list(evaluated_proposals(cycle))
    # A demonstration proposal that a completed study rated good led to (a project's
    # follow-on) has prior planning as surely as one that cites the study itself.
    credited = project_selectors.credited_by_follow_on(p.pk for p in candidates)
    for p in candidates:
        country = str(p.country or p.organisation.country or "")
        if not p.requested_amount or p.requested_amount <= 0:
            skipped.append({"id": proposal_id(p.pk), "title": p.title, "reason": "no_request"})
            continue
        if len(country) != 2:
            skipped.append({"id": proposal_id(p.pk), "title": p.title, "reason": "no_country"})
            continue
        own = results.get(p.pk, [])
        entry = {
            "id": proposal_id(p.pk),
            "track": p.track.code,
            "country": country,
            "score": _number(own[-1].final_score) if own else 0,
            "request": int(p.requested_amount),
            "matching_funds": _matching(p),
            "prior_planning": p.cites_prior_study() or p.pk in credited,
        }
        if not own or any(r.below_threshold for r in own):
            entry["eligible"] = False
        proposals.append(entry)
    instance = {
        "cycle": str(cycle.year),
        "currency": "KRW",
        "budget": int(budget if budget is not None else default_budget(cycle) or 0),
        "policy": policy,
        "min_score": 0,
        "max_per_country": max_per_country,
        "max_projects": cycle.max_projects,
        "bonus": {"matching_funds": bonus_matching_funds, "prior_planning": bonus_prior_planning},
        "tracks": [
            {
                "code": t.code,
                "min_projects": t.min_projects,
                "max_projects": t.max_projects,
                "budget": t.budget,
                "grant_min": t.grant_min,
                "grant_max": t.grant_max,
            }
            for t in tracks
        ],
        "proposals": proposals,
    }
    return instance, skipped
