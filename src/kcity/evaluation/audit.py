"""The evaluation's audit record: one event row per decision, written by the services in the
decision's transaction (panels, conflicts, scores, consultations, presentations)."""

import datetime as dt

from kcity.evaluation.models import EvaluationEvent


def audit(action, actor, *, panel=None, proposal=None, **detail) -> EvaluationEvent:
    return EvaluationEvent.objects.create(
        action=action, actor=actor, panel=panel, proposal=proposal, detail=detail
    )


def iso(moment) -> str | None:
    """A moment for the audit record, in UTC like every stored time."""
    return moment.astimezone(dt.UTC).isoformat() if moment else None
