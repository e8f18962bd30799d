"""A scenario's states and the moves between them: the one state machine of a scenario.

`MOVES` is the whole table: a scenario is made in draft (the secretariat changes its
parameters), approved (frozen: the round's decision or a replacement) and published. Each
move is made by the secretariat running the cycle's selection, stamps its history fields
(`approved_by`/`approved_at`, `published_at`) and is recorded as a `SelectionEvent` of the
scenario. `transition` is the only code that changes `Scenario.state`; the rules about the
round (one decision, replacements after publication) stay in `kcity.selection.services`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity import permissions
from kcity.core import audit as trail
from kcity.core.errors import Refused
from kcity.core.lifecycle import Machine, Move
from kcity.selection.models import Scenario, SelectionEvent
from kcity.selection.models import ScenarioState as S

SECRETARIAT = "secretariat"

MOVES: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.APPROVED): Move(SECRETARIAT, gettext_lazy("Approve"), at="approved_at",
                                by="approved_by"),
    (S.APPROVED, S.PUBLISHED): Move(SECRETARIAT, gettext_lazy("Publish"), at="published_at"),
}

# The audit action of each move.
ACTIONS = {
    (S.DRAFT, S.APPROVED): SelectionEvent.Action.SCENARIO_APPROVED,
    (S.APPROVED, S.PUBLISHED): SelectionEvent.Action.SCENARIO_PUBLISHED,
}


def may_act(user, scenario, who: str) -> bool:
    return permissions.can_run_selection(user, scenario.round.cycle)


def _record(scenario, move, frm, to, actor, now, detail):
    event = SelectionEvent.objects.create(
        action=ACTIONS[(frm, to)], actor=actor, round_id=scenario.round_id, scenario=scenario,
        detail={"from": frm, "to": to, **detail},
    )
    # Approving and publishing are the selection decisions (the machine also records the
    # state change itself).
    trail.record(action=trail.Action.SELECTION, obj=scenario, by=actor, frm=frm, to=to,
                 now=now, event=event.action, round=scenario.round_id, **detail)
    return event


def _cannot(frm, to) -> str:
    if frm != S.DRAFT and to == S.APPROVED:
        return _("This scenario is approved already.")
    labels = dict(S.choices)
    return _("A scenario that is “%(from)s” cannot become “%(to)s”.") % {
        "from": labels.get(frm, frm), "to": labels.get(to, to)}


MACHINE = Machine(
    model=Scenario, field="state", moves=MOVES, may=may_act, record=_record, refused=Refused,
    cannot=_cannot,
    refusals={SECRETARIAT: gettext_lazy(
        "Only the secretariat running this cycle's selection can do this.")},
)


def allowed_moves(user, scenario) -> list[tuple[str, Move]]:
    return MACHINE.allowed(user, scenario)


def transition(
    scenario: Scenario, to_state: str, /, *, by, now=None, locked: bool = False, **detail
) -> Scenario:
    """Move a scenario: lock it, check the move and the actor, write the state, its history
    stamps and its `SelectionEvent`, in one transaction. Returns the fresh scenario; raises
    Refused otherwise. `detail` goes into the event."""
    return MACHINE.transition(scenario, to_state, by=by, now=now, locked=locked, **detail)
