"""A panel's statuses and the moves between them: the one state machine of a panel.

`MOVES` is the whole table; `transition` is the only code that changes `Panel.status` (a
panel is formed open). Each move is made by the track's secretariat and recorded as an
`EvaluationEvent` of the panel (with the from and to statuses in its detail).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity import permissions
from kcity.core.errors import Refused
from kcity.core.lifecycle import Machine, Move
from kcity.evaluation.models import EvaluationEvent, Panel
from kcity.evaluation.models import PanelStatus as P

SECRETARIAT = "secretariat"

MOVES: dict[tuple[str, str], Move] = {
    (P.OPEN, P.CLOSED): Move(SECRETARIAT, gettext_lazy("Close the panel"), at="closed_at"),
}

# The audit action of each move.
ACTIONS = {
    (P.OPEN, P.CLOSED): EvaluationEvent.Action.PANEL_CLOSED,
}


def may_act(user, panel, who: str) -> bool:
    return permissions.can_manage_panel(user, panel)


def _record(panel, move, frm, to, actor, now, detail):
    return EvaluationEvent.objects.create(
        action=ACTIONS[(frm, to)], actor=actor, panel=panel,
        detail={"from": frm, "to": to, **detail},
    )


def _cannot(frm, to) -> str:
    labels = dict(P.choices)
    if (frm, to) == (P.CLOSED, P.CLOSED):
        return _("The panel is closed already.")
    return _("A panel that is “%(from)s” cannot become “%(to)s”.") % {
        "from": labels.get(frm, frm), "to": labels.get(to, to)}


MACHINE = Machine(
    model=Panel, field="status", moves=MOVES, may=may_act, record=_record, refused=Refused,
    cannot=_cannot, scope=lambda panel: panel.track.secretariat,
    refusals={SECRETARIAT: gettext_lazy("Only the secretariat of this track can do this.")},
)


def allowed_moves(user, panel) -> list[tuple[str, Move]]:
    return MACHINE.allowed(user, panel)


def transition(
    panel: Panel, to_status: str, /, *, by, now=None, locked: bool = False, **detail
) -> Panel:
    """Move a panel: lock it, check the move and the actor, write the status (and the move's
    stamp, `closed_at`) and its audit event, in one transaction. Returns the fresh panel;
    raises Refused otherwise. `detail` goes into the event."""
    return MACHINE.transition(panel, to_status, by=by, now=now, locked=locked, **detail)
