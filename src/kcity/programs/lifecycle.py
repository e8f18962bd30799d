"""A cycle's statuses and the moves between them: the one state machine of a cycle.

`MOVES` is the whole table; `transition` is the only code that changes `Cycle.status` (a
cycle is created in draft, or with the status its configuration file records). Each move is
made by a secretariat unit that manages every track of the cycle (MOLIT in practice) and is
recorded as a `CycleEvent`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity import permissions
from kcity.core.errors import Refused
from kcity.core.lifecycle import Machine, Move
from kcity.programs.models import Cycle, CycleEvent
from kcity.programs.models import CycleStatus as C

SECRETARIAT = "secretariat"

MOVES: dict[tuple[str, str], Move] = {
    (C.DRAFT, C.OPEN): Move(SECRETARIAT, gettext_lazy("Open the call")),
    (C.OPEN, C.DRAFT): Move(SECRETARIAT, gettext_lazy("Take the call back to draft")),
    (C.OPEN, C.CLOSED): Move(SECRETARIAT, gettext_lazy("Close the call")),
    (C.CLOSED, C.OPEN): Move(SECRETARIAT, gettext_lazy("Reopen the call")),
    (C.CLOSED, C.EVALUATION): Move(SECRETARIAT, gettext_lazy("Start the evaluation")),
    # Publishing a selection round announces the results (kcity.selection.services.publish),
    # whether or not the call was formally closed first.
    (C.OPEN, C.RESULTS): Move(SECRETARIAT, gettext_lazy("Announce the results")),
    (C.CLOSED, C.RESULTS): Move(SECRETARIAT, gettext_lazy("Announce the results")),
    (C.EVALUATION, C.RESULTS): Move(SECRETARIAT, gettext_lazy("Announce the results")),
    (C.RESULTS, C.ARCHIVED): Move(SECRETARIAT, gettext_lazy("Archive")),
}


def may_act(user, cycle, who: str) -> bool:
    return permissions.can_run_selection(user, cycle)


def _record(cycle, move, frm, to, actor, now, detail):
    return CycleEvent.objects.create(cycle=cycle, actor=actor, at=now, from_status=frm,
                                     to_status=to, detail=detail)


def _cannot(frm, to) -> str:
    labels = dict(C.choices)
    return _("A cycle that is “%(from)s” cannot become “%(to)s”.") % {
        "from": labels.get(frm, frm), "to": labels.get(to, to)}


MACHINE = Machine(
    model=Cycle, field="status", moves=MOVES, may=may_act, record=_record, refused=Refused,
    cannot=_cannot,
    refusals={SECRETARIAT: gettext_lazy(
        "Only the secretariat running every track of this cycle can do this.")},
)


def allowed_moves(user, cycle) -> list[tuple[str, Move]]:
    return MACHINE.allowed(user, cycle)


def transition(
    cycle: Cycle, to_status: str, /, *, by, now=None, locked: bool = False, **detail
) -> Cycle:
    """Move a cycle: lock it, check the move and the actor, write the status and its
    `CycleEvent`, in one transaction. Returns the fresh cycle; raises Refused otherwise."""
    return MACHINE.transition(cycle, to_status, by=by, now=now, locked=locked, **detail)
