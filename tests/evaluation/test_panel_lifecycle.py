"""A panel's MOVES table (open -> closed): a move not in it and a wrong actor are refused with
nothing written; closing stamps `closed_at` and writes the panel's event; `close_panel`
closes through it."""

import pytest
from django.utils import timezone

from kcity.accounts.models import Organisation, Role, User
from kcity.applications.errors import Refused
from kcity.evaluation import lifecycle
from kcity.evaluation.models import EvaluationEvent, Panel, PanelStatus


def _closings(panel):
    return EvaluationEvent.objects.filter(panel=panel, action="panel_closed")


def test_a_move_not_in_the_table_is_refused(users, closed_panel):
    assert (PanelStatus.CLOSED, PanelStatus.OPEN) not in lifecycle.MOVES
    before = _closings(closed_panel).count()
    with pytest.raises(Refused, match="cannot become"):
        lifecycle.transition(closed_panel, PanelStatus.OPEN, by=users["secretariat"])
    with pytest.raises(Refused, match="closed already"):
        lifecycle.transition(closed_panel, PanelStatus.CLOSED, by=users["secretariat"])
    assert Panel.objects.get(pk=closed_panel.pk).status == PanelStatus.CLOSED
    assert _closings(closed_panel).count() == before


def test_the_wrong_actor_is_refused(users, open_panel):
    kind = User.objects.create_user(  # KIND runs the planning tracks, not this demonstration
        "kind-staff", "k@example.org", "pw-kind-123", role=Role.SECRETARIAT,
        organisation=Organisation.objects.get(secretariat_unit="KIND"))
    for actor in (users["evaluator"], users["gov-applicant"], kind):
        with pytest.raises(Refused, match="Only the secretariat of this track"):
            lifecycle.transition(open_panel, PanelStatus.CLOSED, by=actor)
        assert lifecycle.allowed_moves(actor, open_panel) == []
    panel = Panel.objects.get(pk=open_panel.pk)
    assert panel.status == PanelStatus.OPEN and panel.closed_at is None
    assert not _closings(open_panel).exists()


def test_closing_stamps_and_writes_an_event(users, open_panel):
    staff = users["secretariat"]
    assert [to for to, _move in lifecycle.allowed_moves(staff, open_panel)] == [
        PanelStatus.CLOSED]
    moment = timezone.now().replace(microsecond=0)
    closed = lifecycle.transition(open_panel, PanelStatus.CLOSED, by=staff, now=moment,
                                  method="mean")
    assert open_panel.status == PanelStatus.OPEN  # the caller's object is left as it was
    assert closed.is_closed and closed.closed_at == moment
    event = _closings(open_panel).get()
    assert event.actor == staff
    assert event.detail == {"from": "open", "to": "closed", "method": "mean"}
