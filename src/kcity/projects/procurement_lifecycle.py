"""A tender's states and the moves between them: the one state machine of a tender.

draft -> published (the public bid notice) -> closed (for bids, at or after the deadline) ->
evaluated (every committee member scored every bid) -> awarded (the contract signed); any
state before the award may be cancelled. Every move is the secretariat's (of the project's
track), stamps its time, writes a `TenderEvent` and, once bids exist, queues a mail to the
bidders, in one transaction with the tender row locked. The rules around a move (the deadline,
the scores, the contract) are checked by `projects.procurement` before it calls `transition`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity import permissions
from kcity.core.errors import Refused
from kcity.core.lifecycle import Machine, Move
from kcity.jobs.tasks import queue_email
from kcity.projects.procurement_models import Tender, TenderEvent
from kcity.projects.procurement_models import TenderState as T

SECRETARIAT = "secretariat"

MOVES: dict[tuple[str, str], Move] = {
    (T.DRAFT, T.PUBLISHED): Move(SECRETARIAT, gettext_lazy("Publish the bid notice"),
                                 at="published_at"),
    (T.PUBLISHED, T.CLOSED): Move(SECRETARIAT, gettext_lazy("Close for bids"), at="closed_at"),
    (T.CLOSED, T.EVALUATED): Move(SECRETARIAT, gettext_lazy("Finish the evaluation"),
                                  at="evaluated_at"),
    (T.EVALUATED, T.AWARDED): Move(SECRETARIAT, gettext_lazy("Award the contract"),
                                   at="awarded_at"),
    (T.DRAFT, T.CANCELLED): Move(SECRETARIAT, gettext_lazy("Cancel"), at="cancelled_at"),
    (T.PUBLISHED, T.CANCELLED): Move(SECRETARIAT, gettext_lazy("Cancel"), at="cancelled_at"),
    (T.CLOSED, T.CANCELLED): Move(SECRETARIAT, gettext_lazy("Cancel"), at="cancelled_at"),
    (T.EVALUATED, T.CANCELLED): Move(SECRETARIAT, gettext_lazy("Cancel"), at="cancelled_at"),
}

ACTIONS = {
    T.PUBLISHED: TenderEvent.Action.PUBLISHED,
    T.CLOSED: TenderEvent.Action.CLOSED,
    T.EVALUATED: TenderEvent.Action.EVALUATED,
    T.AWARDED: TenderEvent.Action.AWARDED,
    T.CANCELLED: TenderEvent.Action.CANCELLED,
}


def may_act(user, tender, who: str) -> bool:
    return permissions.can_manage_procurement(user, tender)


def _record(tender, move, frm, to, actor, now, detail):
    return TenderEvent.objects.create(tender=tender, action=ACTIONS[to], actor=actor, at=now,
                                      detail={"from": frm, "to": to, **detail})


def _mail(tender, event) -> None:
    """The bidders hear of the close, the award and a cancellation."""
    if event.action in (TenderEvent.Action.CLOSED, TenderEvent.Action.AWARDED,
                        TenderEvent.Action.CANCELLED) and tender.bids.exists():
        queue_email(f"procurement:{event.pk}",
                    "kcity.projects.procurement_emails.send_tender_mail", event_pk=event.pk)


def _cannot(frm, to) -> str:
    labels = dict(T.choices)
    return _("A tender that is “%(from)s” cannot become “%(to)s”.") % {
        "from": labels.get(frm, frm), "to": labels.get(to, to)}


MACHINE = Machine(
    model=Tender, field="state", moves=MOVES, may=may_act, record=_record, refused=Refused,
    cannot=_cannot, mail=_mail, scope=lambda tender: tender.project.proposal.track.secretariat,
    refusals={SECRETARIAT: gettext_lazy(
        "Only the secretariat of this project's track can do this.")},
)


def allowed_moves(user, tender) -> list[tuple[str, Move]]:
    return MACHINE.allowed(user, tender)


def transition(tender: Tender, to_state: str, /, *, by, now=None, locked: bool = False,
               **detail) -> Tender:
    """Move a tender: lock it, check the move and the actor, write the state and its stamp,
    its `TenderEvent` and the bidders' mail, in one transaction. Returns the fresh tender."""
    return MACHINE.transition(tender, to_state, by=by, now=now, locked=locked, **detail)
