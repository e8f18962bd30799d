"""A deliverable's states and the moves between them: the one state machine of a deliverable.

`MOVES` is the whole table: a deliverable is pending until the contractor submits a version;
the secretariat of the project's track accepts it or returns it with comments, and the
contractor submits again (as often as it takes). Each move is recorded as a
`DeliverableEvent` and mailed (`delivery_emails`) in the move's transaction. `transition` is
the only code that changes `Deliverable.state`; the submission and review rows are written by
`kcity.projects.delivery`, in the same transaction (`locked=True`).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity import permissions
from kcity.core.errors import Refused
from kcity.core.lifecycle import Machine, Move
from kcity.projects import delivery_emails
from kcity.projects.models import Deliverable, DeliverableEvent
from kcity.projects.models import DeliverableState as D

CONTRACTOR = "contractor"
SECRETARIAT = "secretariat"

MOVES: dict[tuple[str, str], Move] = {
    (D.PENDING, D.SUBMITTED): Move(CONTRACTOR, gettext_lazy("Submit")),
    (D.RETURNED, D.SUBMITTED): Move(CONTRACTOR, gettext_lazy("Submit again")),
    (D.SUBMITTED, D.RETURNED): Move(SECRETARIAT, gettext_lazy("Return with comments")),
    (D.SUBMITTED, D.ACCEPTED): Move(SECRETARIAT, gettext_lazy("Accept"), at="accepted_at"),
}


def may_act(user, deliverable, who: str) -> bool:
    if who == CONTRACTOR:
        return permissions.is_project_contractor(user, deliverable.project)
    return permissions.can_manage_project(user, deliverable.project)


def _record(deliverable, move, frm, to, actor, now, detail):
    return DeliverableEvent.objects.create(
        deliverable=deliverable, from_state=frm, to_state=to, actor=actor, at=now,
        detail=detail,
    )


def _mail(deliverable, event) -> None:
    delivery_emails.queue_move_mail(deliverable, event)


def _cannot(frm, to) -> str:
    labels = dict(D.choices)
    return _("A deliverable that is “%(from)s” cannot become “%(to)s”.") % {
        "from": labels.get(frm, frm), "to": labels.get(to, to)}


MACHINE = Machine(
    model=Deliverable, field="state", moves=MOVES, may=may_act, record=_record,
    refused=Refused, cannot=_cannot, mail=_mail,
    scope=lambda deliverable: deliverable.project.proposal.track.secretariat,
    refusals={
        CONTRACTOR: gettext_lazy("Only the project's contractor can submit a deliverable."),
        SECRETARIAT: gettext_lazy("Only the secretariat of the project's track can review it."),
    },
)


def allowed_moves(user, deliverable) -> list[tuple[str, Move]]:
    return MACHINE.allowed(user, deliverable)


def transition(deliverable: Deliverable, to_state: str, /, *, by, now=None, locked: bool = False,
               **detail) -> Deliverable:
    """Move a deliverable: lock it, check the move and the actor, write the state, its
    `DeliverableEvent` and its e-mail in one transaction. Returns the fresh deliverable;
    raises Refused otherwise."""
    return MACHINE.transition(deliverable, to_state, by=by, now=now, locked=locked, **detail)
