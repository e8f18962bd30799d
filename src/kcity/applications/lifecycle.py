"""A proposal's states and the moves between them: the one state machine of a proposal.

`MOVES` is the whole table: each allowed (from, to) move says who may make it, whether a
reason is required (the applicant sees it) and whether it is only possible while the track
still takes submissions. `transition` is the only code that changes `Proposal.state`.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity import permissions
from kcity.applications.emails import queue_state_mail
from kcity.applications.models import Proposal, ProposalEvent
from kcity.applications.models import ProposalState as S
from kcity.applications.rules import accepting_submissions
from kcity.core import audit
from kcity.core.errors import Refused

APPLICANT = "applicant"
SECRETARIAT = "secretariat"


@dataclass(frozen=True)
class Move:
    who: str
    label: str | Promise  # lazily translated
    reason_required: bool = False
    while_open: bool = False  # only while the track still takes submissions


MOVES: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.SUBMITTED): Move(APPLICANT, gettext_lazy("Submit")),
    (S.RETURNED, S.SUBMITTED): Move(APPLICANT, gettext_lazy("Resubmit")),
    (S.SUBMITTED, S.DRAFT): Move(APPLICANT, gettext_lazy("Reopen to edit"), while_open=True),
    (S.DRAFT, S.WITHDRAWN): Move(APPLICANT, gettext_lazy("Withdraw")),
    (S.SUBMITTED, S.WITHDRAWN): Move(APPLICANT, gettext_lazy("Withdraw")),
    (S.RETURNED, S.WITHDRAWN): Move(APPLICANT, gettext_lazy("Withdraw")),
    (S.ELIGIBLE, S.WITHDRAWN): Move(APPLICANT, gettext_lazy("Withdraw")),
    (S.SUBMITTED, S.RETURNED): Move(
        SECRETARIAT, gettext_lazy("Return for correction"), reason_required=True, while_open=True
    ),
    (S.SUBMITTED, S.ELIGIBLE): Move(SECRETARIAT, gettext_lazy("Mark eligible")),
    (S.SUBMITTED, S.INELIGIBLE): Move(
        SECRETARIAT, gettext_lazy("Mark ineligible"), reason_required=True
    ),
    # Evaluation (kcity.evaluation): a panel takes the proposal, closing it records the result.
    (S.ELIGIBLE, S.UNDER_EVALUATION): Move(SECRETARIAT, gettext_lazy("Send to evaluation")),
    (S.UNDER_EVALUATION, S.EVALUATED): Move(SECRETARIAT, gettext_lazy("Record the evaluation")),
    (S.EVALUATED, S.UNDER_EVALUATION): Move(SECRETARIAT, gettext_lazy("Send to the next stage")),
    # Selection (kcity.selection): publishing the approved scenario of a round decides each
    # evaluated proposal; a replacement after a withdrawal takes a proposal off the reserve.
    (S.EVALUATED, S.SELECTED): Move(SECRETARIAT, gettext_lazy("Select")),
    (S.EVALUATED, S.RESERVE): Move(SECRETARIAT, gettext_lazy("Put on the reserve list")),
    (S.EVALUATED, S.NOT_SELECTED): Move(SECRETARIAT, gettext_lazy("Do not select")),
    (S.RESERVE, S.SELECTED): Move(SECRETARIAT, gettext_lazy("Select from the reserve list")),
    (S.SELECTED, S.WITHDRAWN): Move(APPLICANT, gettext_lazy("Withdraw")),
    (S.RESERVE, S.WITHDRAWN): Move(APPLICANT, gettext_lazy("Withdraw")),
}

EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})


def may_act(user, proposal, who: str) -> bool:
    if who == APPLICANT:
        return permissions.is_proposal_applicant(user, proposal)
    return permissions.can_screen_proposal(user, proposal)


def allowed_moves(user, proposal) -> list[tuple[str, Move]]:
    """The moves this user could try now (for buttons); `transition` still decides."""
    return [
        (to, move)
        for (frm, to), move in MOVES.items()
        if frm == proposal.state and may_act(user, proposal, move.who)
    ]


def check(*, proposal, to_state: str, by, reason: str = "", now=None) -> Move:
    """Raise Refused with a clear message unless `by` may move `proposal` to `to_state`."""

    labels = dict(S.choices)
    move = MOVES.get((proposal.state, to_state))
    if move is None:
        raise Refused(
            _("A proposal that is “%(from)s” cannot become “%(to)s”.")
            % {"from": labels.get(proposal.state, proposal.state),
               "to": labels.get(to_state, to_state)}
        )
    if not may_act(by, proposal, move.who):
        if move.who == APPLICANT:
            raise Refused(_("Only the applicant organisation can do this."))
        raise Refused(_("Only the secretariat of this track can do this."))
    if proposal.state == S.SELECTED and to_state == S.WITHDRAWN:
        # A selected proposal withdraws (and is replaced) only while its project's
        # agreement is pending (the project, through its reverse accessor: projects sit
        # above applications).
        project = type(proposal).project.related.related_model.objects.filter(
            proposal_id=proposal.pk).values_list("state", flat=True).first()
        if project not in (None, "agreement_pending"):
            raise Refused(_("A selected proposal can be withdrawn only while its project's "
                            "agreement is pending."))
    if move.reason_required and not reason.strip():
        raise Refused(_("Give a reason: the applicant will see it."))
    if move.while_open and not accepting_submissions(proposal.track, now):
        raise Refused(_("The deadline of this track has passed."))
    return move


def transition(
    proposal: Proposal, to_state: str, /, *, by, reason: str = "", now=None, locked: bool = False
):
    """Move a proposal: lock it, check the move and the actor's right, write the new state
    and the audit record, and queue the e-mail, all in one transaction.

    Returns the fresh proposal (the caller's object is left as it was). Raises Refused
    (nothing written) when the move is not allowed. `locked=True` says the caller already
    holds this row's lock in the current transaction and passes the row as read under it (the
    submission does), so it is not locked and read a second time.
    """
    reason = (reason or "").strip()
    if locked:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("transition(locked=True) needs the caller's transaction")
        return _write_move(proposal, to_state, by, reason, now)
    with transaction.atomic():
        row = Proposal.objects.select_for_update().get(pk=proposal.pk)
        return _write_move(row, to_state, by, reason, now)


def _write_move(locked: Proposal, to_state: str, actor, reason: str, now) -> Proposal:

    check(proposal=locked, to_state=to_state, by=actor, reason=reason, now=now)
    event = ProposalEvent.objects.create(
        proposal=locked, actor=actor, from_state=locked.state, to_state=to_state,
        reason=reason,
    )
    audit.record(action=audit.Action.STATE_CHANGE, obj=locked, by=actor, frm=locked.state,
                 to=to_state, now=now, scope=locked.track.secretariat, reason=reason)
    locked.state = to_state
    locked.save(update_fields=["state", "updated_at"])
    queue_state_mail(locked, event)
    return locked
