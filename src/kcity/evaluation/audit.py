"""The evaluation's audit record: one event row per decision, written by the services in the
decision's transaction (panels, conflicts, scores, consultations, presentations), and the
same decision in the platform's audit trail (kcity.core.audit)."""

import datetime as dt

from kcity.core import audit as trail
from kcity.evaluation.models import EvaluationEvent

Action = EvaluationEvent.Action

# Each evaluation event's kind in the platform's audit trail.
TRAIL_ACTIONS = {
    Action.PANEL_FORMED: trail.Action.PANEL,
    Action.MEMBER_REPLACED: trail.Action.PANEL,
    Action.CONFLICT_DECLARED: trail.Action.CONFLICT,
    Action.NO_CONFLICT: trail.Action.CONFLICT,
    Action.SCORE_SET: trail.Action.SCORE,
    Action.SCORE_CHANGED: trail.Action.SCORE,
    Action.SHEET_SUBMITTED: trail.Action.SCORE,
}


def _from_to(action, detail) -> tuple[str, str]:
    if action == Action.SCORE_SET:
        return "", detail.get("points", "")
    if action == Action.SCORE_CHANGED:
        return detail.get("points_from", ""), detail.get("points_to", "")
    if action == Action.MEMBER_REPLACED:
        return detail.get("removed", ""), detail.get("added", "")
    if action in (Action.CONFLICT_DECLARED, Action.NO_CONFLICT):
        return "", action
    return "", ""


def audit(action, actor, *, panel=None, proposal=None, **detail) -> EvaluationEvent:
    event = EvaluationEvent.objects.create(
        action=action, actor=actor, panel=panel, proposal=proposal, detail=detail
    )
    frm, to = _from_to(action, detail)
    track = (panel or proposal).track if (panel or proposal) is not None else None
    extra = {"panel": panel.pk} if panel is not None and proposal is not None else {}
    trail.record(
        action=TRAIL_ACTIONS.get(action, trail.Action.EVALUATION), obj=proposal or panel,
        object_type="" if (proposal or panel) else "evaluation.evaluationevent",
        object_id="" if (proposal or panel) else event.pk,
        by=actor, frm=frm, to=to, scope=track.secretariat if track else "",
        event=action, **extra, **detail,
    )
    return event


def iso(moment) -> str | None:
    """A moment for the audit record, in UTC like every stored time."""
    return moment.astimezone(dt.UTC).isoformat() if moment else None
