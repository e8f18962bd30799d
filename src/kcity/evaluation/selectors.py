"""Reads for the evaluation pages. Proposal lookups start from `kcity.accounts.permissions`
(`assigned_proposals`, `visible_proposals`), so a conflicted or unassigned evaluator finds
nothing and gets 404."""

from kcity.accounts import permissions
from kcity.evaluation import aggregation
from kcity.evaluation.models import (
    PANEL_STATES,
    ConflictDeclaration,
    EvaluationEvent,
    Panel,
    PanelResult,
    ScoreSheet,
)


def assignments(user) -> list[dict]:
    """The evaluator's proposals per panel: to declare, to score, or submitted."""
    assigned = permissions.assigned_proposals(user)
    answered = set(
        ConflictDeclaration.objects.filter(evaluator=user).values_list("proposal_id", flat=True)
    )
    sheets = {
        (s.panel_id, s.proposal_id): s for s in ScoreSheet.objects.filter(evaluator=user)
    }
    rows = []
    panels = Panel.objects.filter(members__evaluator=user, members__active=True).select_related(
        "track__cycle"
    ).distinct().order_by("-track__cycle__year", "track__order", "stage")
    for panel in panels:
        for proposal in panel.proposals.filter(pk__in=assigned.values("pk")).select_related(
            "organisation"
        ).order_by("title"):
            sheet = sheets.get((panel.pk, proposal.pk))
            rows.append({
                "panel": panel, "proposal": proposal,
                "declared": proposal.pk in answered,
                "sheet": sheet,
                "submitted": bool(sheet and sheet.submitted_at),
            })
    return rows


def managed_panels(user):
    return Panel.objects.filter(
        track__in=[t for t in permissions.visible_tracks(user)
                   if permissions.can_manage_track(user, t)]
    ).select_related("track__cycle").order_by("-track__cycle__year", "track__order", "stage")


def panel_for_manager(user, pk):
    panel = Panel.objects.select_related("track__cycle").filter(pk=pk).first()
    if panel is None or not permissions.can_manage_panel(user, panel):
        return None
    return panel


def panel_for_member(user, pk):
    panel = Panel.objects.select_related("track__cycle").filter(pk=pk).first()
    if panel is None or not permissions.sits_on_panel(user, panel):
        return None
    return panel


def visible_panel_proposal(user, panel, proposal_pk):
    return permissions.visible_proposals(user).filter(
        pk=proposal_pk, eval_panels=panel
    ).select_related("organisation", "track__cycle").first()


def panel_proposals(user, panel):
    """The proposals of `panel` that `user` may see: the panel's share of
    `permissions.visible_proposals`. Every table, list and export of a panel (dispersion,
    ranking, proposal list, CSV) is built from this one query, so an evaluator's conflicted
    proposal (or one they have not declared on) appears in none of them."""
    return panel.proposals.filter(pk__in=permissions.visible_proposals(user).values("pk"))


def dispersion_table(user, panel) -> list[dict]:
    """Per proposal `user` may see and criterion: each evaluator's score, std dev, range,
    outliers. Only for those `permissions.can_see_panel_scores` allows."""
    from kcity.evaluation.services import counted_sheets

    criteria = list(panel.track.criteria.order_by("order", "code"))
    table = []
    for proposal in panel_proposals(user, panel).select_related("organisation").order_by(
            "title"):
        sheets = list(counted_sheets(panel, proposal).select_related("evaluator"))
        rows = []
        for criterion in criteria:
            points = {}
            for sheet in sheets:
                for score in sheet.scores.all():
                    if score.criterion_id == criterion.pk:
                        points[sheet.evaluator.username] = score.points
            flagged = aggregation.outliers(points, criterion.weight)
            rows.append({
                "criterion": criterion,
                "scores": [(name, value, name in flagged)
                           for name, value in sorted(points.items())],
                **aggregation.dispersion(list(points.values())),
                "outliers": sorted(flagged),
            })
        table.append({"proposal": proposal, "sheets": len(sheets), "rows": rows})
    return table


def ranking(user, panel):
    return PanelResult.objects.filter(
        panel=panel, proposal__in=panel_proposals(user, panel).values("pk")
    ).select_related(
        "proposal__organisation"
    ).order_by("rank")


def summary(panel, proposal) -> dict:
    """Aggregated score per criterion with the panel's comments (not who wrote them)."""
    from kcity.evaluation.services import counted_sheets

    result = PanelResult.objects.filter(panel=panel, proposal=proposal).first()
    criteria = list(panel.track.criteria.order_by("order", "code"))
    comments: dict[int, list[str]] = {c.pk: [] for c in criteria}
    for sheet in counted_sheets(panel, proposal):
        for score in sheet.scores.all():
            if score.comment:
                comments.setdefault(score.criterion_id, []).append(score.comment)
    per = result.per_criterion if result else {}
    return {
        "panel": panel, "proposal": proposal, "result": result,
        "rows": [
            {"criterion": c, "score": per.get(c.code), "comments": comments.get(c.pk, [])}
            for c in criteria
        ],
    }


def panel_events(panel):
    return EvaluationEvent.objects.filter(panel=panel).select_related("actor").order_by("-at")


# ---- consultations and presentations --------------------------------------------------------

FOLLOWED_STATES = (*PANEL_STATES, "selected", "reserve", "not_selected")


def visible_proposal(user, pk):
    """`permissions.visible_proposal` (the one rule of who sees a proposal) with what the
    consultation and presentation pages read."""
    return permissions.visible_proposal(user, pk, select_related=("organisation", "track__cycle"))


def _rounds(proposal) -> list[dict]:
    from kcity.evaluation.consultations import ROUNDS, stage_of

    found = {r.round: r for r in proposal.consultations.prefetch_related("revised_documents")}
    stages = proposal.track.stages or []
    return [{"number": n, "round": found.get(n),
             "documents": list(found[n].revised_documents.order_by("code"))
             if n in found else []}
            for n in ROUNDS if stage_of(n) in stages]


def proposal_overview(user, proposal) -> dict:
    """The consultation rounds (planning) or presentation slot (demonstration) of a proposal
    already found through `permissions.visible_proposals`, and what this user may do there.
    The minutes are for the secretariat and the panel; the applicant sees the schedule,
    agenda, participants and the questions."""
    from kcity.evaluation.consultations import is_consulted

    manages = permissions.can_screen_proposal(user, proposal)
    applicant = permissions.is_proposal_applicant(user, proposal)
    rounds = _rounds(proposal) if is_consulted(proposal) else []
    by_number = {r["number"]: r["round"] for r in rounds}
    first, second = by_number.get(1), by_number.get(2)
    return {
        "proposal": proposal, "rounds": rounds, "manages": manages,
        "show_minutes": manages or permissions.is_evaluator(user),
        "can_upload": applicant and proposal.state in PANEL_STATES and 2 in by_number
        and bool(first and first.minutes) and not (second and second.minutes),
        "slots": list(proposal.presentation_slots.select_related("panel__track")),
        "presentation_panels": proposal.eval_panels.filter(stage="presentation"),
    }


def followed_proposals(user) -> list[dict]:
    """The proposals whose consultations or presentation this user follows."""
    from kcity.evaluation.consultations import is_consulted

    rows = []
    proposals = permissions.visible_proposals(user).filter(
        state__in=FOLLOWED_STATES).select_related("organisation", "track__cycle").order_by(
        "-track__cycle__year", "track__order", "title")
    for proposal in proposals:
        if is_consulted(proposal):
            rows.append({"proposal": proposal, "rounds": _rounds(proposal), "slots": []})
        elif "presentation" in (proposal.track.stages or []):
            rows.append({"proposal": proposal, "rounds": [],
                         "slots": list(proposal.presentation_slots.all())})
    return rows


def sheet_extras(panel, proposal) -> dict:
    """What a consultation or presentation panel reads beside its score sheet."""
    extras = {"rounds": [], "slot": None}
    if panel.stage.startswith("consultation_"):
        number = int(panel.stage.rsplit("_", 1)[1])
        extras["rounds"] = [r for r in _rounds(proposal) if r["number"] <= number]
    elif panel.stage == "presentation":
        extras["slot"] = panel.slots.filter(proposal=proposal).first()
    return extras
