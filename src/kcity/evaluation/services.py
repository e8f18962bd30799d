"""Every write of the evaluation goes through a function here.

Each checks the actor's right (through `kcity.permissions`), writes in one
transaction with its audit record (`EvaluationEvent`), and raises `Refused` with clear
messages, having written nothing, otherwise. Proposal states move through
`kcity.applications.lifecycle.transition` only, a panel's status through
`kcity.evaluation.lifecycle.transition`.
"""

import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.accounts.models import Role, User
from kcity.applications import lifecycle
from kcity.applications.models import ProposalState as S
from kcity.core.errors import Refused
from kcity.evaluation import aggregation
from kcity.evaluation import lifecycle as panel_lifecycle
from kcity.evaluation.audit import audit
from kcity.evaluation.consultations import unminuted
from kcity.evaluation.draw import draw_panel
from kcity.evaluation.models import (
    PANEL_STATES,
    ConflictDeclaration,
    EvaluationEvent,
    Panel,
    PanelMember,
    PanelResult,
    PanelStatus,
    Score,
    ScoreSheet,
)

Action = EvaluationEvent.Action
BOTTOM_BAND = Decimal("0.4")  # below 40 % of a criterion's weight a comment is required


def check_manager(*, by, panel_or_track):
    track = getattr(panel_or_track, "track", panel_or_track)
    if not permissions.can_manage_track(by, track):
        raise Refused(_("Only the secretariat of this track can do this."))


def expert_pool():
    """Active evaluators with an expert profile, as (user, fields)."""
    users = User.objects.filter(role=Role.EVALUATOR, is_active=True, expert_profile__isnull=False)
    return [(u, list(u.expert_profile.fields)) for u in users.select_related("expert_profile")]


def pool_conflicts(users, proposals) -> set:
    """Experts whose organisation applies to, or is in a consortium of, any of the proposals:
    they can take no seat on the panel at all."""
    return {u.pk for u in users for p in proposals if permissions.automatic_conflict(u, p)}


def form_panel(*, by, track, stage: str, size: int, seed: int | None = None) -> Panel:
    """Draw a panel for one stage of a track and put the track's proposals before it."""
    check_manager(by=by, panel_or_track=track)
    if stage not in (track.stages or []):
        raise Refused(_("This track has no such stage."))
    if size < 1:
        raise Refused(_("A panel needs at least one expert."))
    if Panel.objects.filter(track=track, stage=stage).exists():
        raise Refused(_("This stage of the track has a panel already."))
    # A proposal an earlier stage put under the threshold cannot be selected: it stops there.
    below = PanelResult.objects.filter(panel__track=track, below_threshold=True).values(
        "proposal_id")
    proposals = list(
        track.proposals.filter(state__in=PANEL_STATES).exclude(pk__in=below).order_by("pk")
    )
    if not proposals:
        raise Refused(_("The track has no eligible proposal to evaluate."))
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    pool = expert_pool()
    conflicts = pool_conflicts([u for u, _f in pool], proposals)
    keys = [(u.pk, fields) for u, fields in pool]
    drawn = draw_panel(keys, size, seed, conflicts)
    if len(drawn) < size:
        raise Refused(
            _("Only %(count)s experts are eligible and free of conflicts; the panel needs "
              "%(size)s.") % {"count": len(drawn), "size": size}
        )
    with transaction.atomic():
        panel = Panel.objects.create(track=track, stage=stage, size=size, seed=seed)
        for pk in drawn:
            PanelMember.objects.create(panel=panel, evaluator_id=pk)
        panel.proposals.set(proposals)
        for proposal in proposals:
            if proposal.state != S.UNDER_EVALUATION:
                lifecycle.transition(proposal, S.UNDER_EVALUATION, by=by)
        # Pool and conflicts are recorded so anyone can run draw_panel again with the seed.
        audit(Action.PANEL_FORMED, by, panel=panel, seed=seed, size=size, drawn=drawn,
               pool=sorted(keys, key=lambda k: k[0]), conflicts=sorted(conflicts))
    return panel


def replace_member(
    *, by, member: PanelMember, reason: str, seed: int | None = None, now=None
):
    """Take a member off an open panel (with a reason) and draw a replacement."""
    panel = member.panel
    check_manager(by=by, panel_or_track=panel)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give the reason for replacing this member."))
    if panel.is_closed:
        raise Refused(_("The panel is closed."))
    if not member.active:
        raise Refused(_("This member has been replaced already."))
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    seated = set(panel.members.values_list("evaluator_id", flat=True))
    pool = [(u, f) for u, f in expert_pool() if u.pk not in seated]
    conflicts = pool_conflicts([u for u, _f in pool], list(panel.proposals.all()))
    keys = [(u.pk, f) for u, f in pool]
    drawn = draw_panel(keys, 1, seed, conflicts)
    if not drawn:
        raise Refused(_("No other eligible expert is free of conflicts."))
    with transaction.atomic():
        new = PanelMember.objects.create(panel=panel, evaluator_id=drawn[0])
        member.active = False
        member.removed_at = now or timezone.now()
        member.replacement_reason = reason
        member.replaced_by = new
        member.save()
        audit(Action.MEMBER_REPLACED, by, panel=panel, removed=member.evaluator_id,
               added=drawn[0], reason=reason, seed=seed, pool=sorted(keys, key=lambda k: k[0]),
               conflicts=sorted(conflicts))
    return new


def declare(*, by, proposal, has_conflict: bool, reason: str = ""):
    """The evaluator's answer when shown a proposal's title and applicant. A conflict,
    once declared, stands; a statement of no conflict can later become a conflict."""
    if not permissions.assigned_proposals(by).filter(pk=proposal.pk).exists():
        raise Refused(_("This proposal is not assigned to you."))
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise Refused(_("Say why you have a conflict of interest."))
    with transaction.atomic():
        declaration, created = ConflictDeclaration.objects.get_or_create(
            evaluator=by, proposal=proposal,
            defaults={"has_conflict": has_conflict, "reason": reason},
        )
        if not created:
            if not has_conflict or declaration.has_conflict:
                raise Refused(_("You have answered for this proposal already."))
            declaration.has_conflict, declaration.reason = True, reason
            declaration.save()
        action = Action.CONFLICT_DECLARED if has_conflict else Action.NO_CONFLICT
        audit(action, by, proposal=proposal, reason=reason)
    return declaration


def _parse_points(raw, criterion, errors) -> Decimal | None:
    try:
        points = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.append(_("%(criterion)s: enter a number of points.") % {"criterion": criterion.name})
        return None
    if not points.is_finite() or points < 0 or points > criterion.weight:
        errors.append(_("%(criterion)s: the score must be between 0 and %(weight)s.")
                      % {"criterion": criterion.name, "weight": criterion.weight})
        return None
    if points != points.quantize(Decimal("0.01")):
        errors.append(_("%(criterion)s: use at most two decimals.") % {"criterion": criterion.name})
        return None
    return points.quantize(Decimal("0.01"))


def check_sheet_access(*, by, panel, proposal) -> None:
    if not permissions.sits_on_panel(by, panel):
        raise Refused(_("You do not sit on this panel."))
    if not panel.proposals.filter(pk=proposal.pk).exists():
        raise Refused(_("This proposal is not before this panel."))
    if not permissions.visible_proposals(by).filter(pk=proposal.pk).exists():
        raise Refused(_("Declare whether you have a conflict of interest first."))


def save_sheet(
    *, by, panel, proposal, entries: dict, submit: bool = False, now=None
) -> ScoreSheet:
    """Write an evaluator's scores: `entries` maps criterion code to (points, comment).

    Every criterion needs a score from 0 to its weight; a score in the bottom band (below
    40 % of the weight) needs a comment. Each new or changed score is audited.
    """
    check_sheet_access(by=by, panel=panel, proposal=proposal)
    closed = Refused(_("The panel is closed: scores can no longer change."))
    if panel.is_closed:
        raise closed
    errors, parsed = [], {}
    for criterion in panel.track.criteria.order_by("order", "code"):
        raw, comment = entries.get(criterion.code, ("", ""))
        comment = (comment or "").strip()
        if raw in (None, ""):
            errors.append(_("%(criterion)s: enter a score.") % {"criterion": criterion.name})
            continue
        points = _parse_points(raw, criterion, errors)
        if points is None:
            continue
        if points < BOTTOM_BAND * criterion.weight and not comment:
            errors.append(_("%(criterion)s: a score below %(limit)s needs a comment.") % {
                "criterion": criterion.name, "limit": aggregation.q(BOTTOM_BAND * criterion.weight)
            })
            continue
        parsed[criterion] = (points, comment)
    if errors:
        raise Refused(*errors)
    with transaction.atomic():
        # The panel's row lock orders this save against closing: no score lands after it.
        if Panel.objects.select_for_update().get(pk=panel.pk).is_closed:
            raise closed
        sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
            panel=panel, proposal=proposal, evaluator=by
        )
        for criterion, (points, comment) in parsed.items():
            score = Score.objects.filter(sheet=sheet, criterion=criterion).first()
            if score is None:
                Score.objects.create(sheet=sheet, criterion=criterion, points=points,
                                     comment=comment)
                audit(Action.SCORE_SET, by, panel=panel, proposal=proposal,
                       criterion=criterion.code, points=str(points), comment=comment)
            elif score.points != points or score.comment != comment:
                audit(Action.SCORE_CHANGED, by, panel=panel, proposal=proposal,
                       criterion=criterion.code, points_from=str(score.points),
                       points_to=str(points), comment_from=score.comment, comment_to=comment)
                score.points, score.comment = points, comment
                score.save()
        if submit and sheet.submitted_at is None:
            sheet.submitted_at = now or timezone.now()
            audit(Action.SHEET_SUBMITTED, by, panel=panel, proposal=proposal)
        sheet.save()
    return sheet


def counted_sheets(panel, proposal):
    """The sheets that count: submitted by an active member without a declared conflict."""
    conflicted = ConflictDeclaration.objects.filter(
        proposal=proposal, has_conflict=True
    ).values("evaluator_id")
    active = panel.members.filter(active=True).values("evaluator_id")
    return (
        ScoreSheet.objects.filter(panel=panel, proposal=proposal, submitted_at__isnull=False,
                                  evaluator_id__in=active)
        .exclude(evaluator_id__in=conflicted)
        .prefetch_related("scores__criterion")
    )


def compute_results(panel) -> list[dict]:
    """Aggregated score per criterion, stage score and final score for each proposal."""
    track = panel.track
    weights = {c.code: c.weight for c in track.criteria.all()}
    rows = []
    for proposal in panel.proposals.order_by("pk"):
        by_criterion: dict[str, list] = {}
        for sheet in counted_sheets(panel, proposal):
            for score in sheet.scores.all():
                by_criterion.setdefault(score.criterion.code, []).append(score.points)
        per = {c: str(aggregation.aggregate(v, track.aggregation)) for c, v in by_criterion.items()}
        stage = aggregation.stage_score(per, weights) if by_criterion else None
        rows.append({"proposal": proposal, "per_criterion": per, "stage_score": stage})
    return rows


def close_panel(*, by, panel, now=None) -> Panel:
    """Close the panel: aggregate with the track's method, combine the stages into the final
    score, flag proposals under the threshold, rank, and move the proposals on."""
    check_manager(by=by, panel_or_track=panel)
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        if panel.is_closed:
            raise Refused(_("The panel is closed already."))

        waiting = unminuted(panel)
        if waiting:
            raise Refused(_("The consultation round this panel scores has no minutes yet for: "
                            "%(titles)s.") % {"titles": ", ".join(p.title for p in waiting)})
        rows = compute_results(panel)
        missing = [r["proposal"].title for r in rows if r["stage_score"] is None]
        if missing:
            raise Refused(_("No submitted score sheet yet for: %(titles)s.")
                          % {"titles": ", ".join(missing)})
        track = panel.track
        for row in rows:
            earlier = PanelResult.objects.filter(
                proposal=row["proposal"], panel__track=track, panel__status=PanelStatus.CLOSED
            ).exclude(panel=panel).select_related("panel")
            stages = {r.panel.stage: r.stage_score for r in earlier}
            stages[panel.stage] = row["stage_score"]
            row["final"] = aggregation.combine_stages(stages, track.stage_weights or {})
        rows.sort(key=lambda r: (-r["final"], -r["stage_score"], r["proposal"].pk))
        threshold = track.min_score_threshold
        for rank, row in enumerate(rows, start=1):
            PanelResult.objects.create(
                panel=panel, proposal=row["proposal"], per_criterion=row["per_criterion"],
                stage_score=row["stage_score"], final_score=row["final"], rank=rank,
                below_threshold=threshold is not None and row["final"] < threshold,
            )
        panel = panel_lifecycle.transition(
            panel, PanelStatus.CLOSED, by=by, now=now, locked=True, method=track.aggregation,
            ranking=[[r["proposal"].pk, str(r["final"])] for r in rows])
        for row in rows:
            proposal = row["proposal"]
            still_open = proposal.eval_panels.filter(status=PanelStatus.OPEN).exists()
            if proposal.state == S.UNDER_EVALUATION and not still_open:
                lifecycle.transition(proposal, S.EVALUATED, by=by)
    return panel


def release_results(*, by, panel) -> Panel:
    """One panel's results to its applicants (the secretariat's page); when the cycle's
    results are announced, `release_cycle_results` releases every closed panel at once."""
    check_manager(by=by, panel_or_track=panel)
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        if not panel.is_closed:
            raise Refused(_("Close the panel before releasing its results."))
        panel.results_released = True
        panel.save(update_fields=["results_released"])
        audit(Action.RESULTS_RELEASED, by, panel=panel)
    return panel


def release_cycle_results(*, by, cycle) -> list[Panel]:
    """Results announced: every closed panel of the cycle is released to its applicants, who
    may then read their evaluation summaries. The actor must manage every track of the cycle
    that has a closed panel (MOLIT, or the one secretariat running them all). Idempotent: a
    panel released already is left as it is, and a call that releases nothing writes
    nothing. Open panels are not released; they are listed in the audit record."""
    with transaction.atomic():
        panels = list(
            Panel.objects.select_for_update(of=("self",)).filter(track__cycle=cycle)
            .select_related("track").order_by("pk")
        )
        closed = [p for p in panels if p.is_closed]
        foreign = sorted({p.track.code for p in closed
                          if not permissions.can_manage_track(by, p.track)})
        if foreign or not permissions.secretariat_unit(by):
            raise Refused(_("Only the secretariat running every track of the cycle can "
                            "announce its results."))
        released = [p for p in closed if not p.results_released]
        for panel in released:
            panel.results_released = True
            panel.save(update_fields=["results_released"])
            audit(Action.RESULTS_RELEASED, by, panel=panel, cycle=cycle.year)
        if released:
            audit(Action.CYCLE_RESULTS_RELEASED, by, cycle=cycle.year,
                   panels=[p.pk for p in released],
                   still_open=[p.pk for p in panels if not p.is_closed])
    return released
