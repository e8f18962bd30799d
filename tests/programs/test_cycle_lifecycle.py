"""A cycle's MOVES table (draft -> open -> closed -> evaluation -> results -> archived): a move
not in it and a wrong actor are refused with nothing written; each move writes a
`CycleEvent`; the administration shows the status read-only and moves it by actions."""

import pytest
from django.utils import timezone

from kcity.accounts.models import Organisation, Role, User
from kcity.core.errors import Refused
from kcity.programs import lifecycle
from kcity.programs.models import Cycle, CycleEvent, CycleStatus
from kcity.site.demo import load_accounts, load_cycles


@pytest.fixture
def world(db):
    load_cycles((2026,))
    return load_accounts()


@pytest.fixture
def cycle(world):
    return Cycle.objects.get(year=2026)


def test_a_move_not_in_the_table_is_refused(world, cycle):
    assert cycle.status == CycleStatus.RESULTS
    for to in (CycleStatus.OPEN, CycleStatus.DRAFT, CycleStatus.RESULTS):
        with pytest.raises(Refused, match="cannot become"):
            lifecycle.transition(cycle, to, by=world["secretariat"])
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.RESULTS
    assert not CycleEvent.objects.exists()


def test_the_wrong_actor_is_refused(world, cycle):
    kind = User.objects.create_user(  # KIND runs the planning tracks only
        "kind-staff", "k@example.org", "pw-kind-123", role=Role.SECRETARIAT,
        organisation=Organisation.objects.get(secretariat_unit="KIND"))
    for actor in (kind, world["gov-applicant"], world["evaluator"]):
        with pytest.raises(Refused, match="Only the secretariat running every track"):
            lifecycle.transition(cycle, CycleStatus.ARCHIVED, by=actor)
        assert lifecycle.allowed_moves(actor, cycle) == []
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.RESULTS
    assert not CycleEvent.objects.exists()


def test_each_move_writes_an_event(world, cycle):
    staff = world["secretariat"]
    moment = timezone.now().replace(microsecond=0)
    archived = lifecycle.transition(cycle, CycleStatus.ARCHIVED, by=staff, now=moment)
    assert cycle.status == CycleStatus.RESULTS  # the caller's object is left as it was
    assert archived.status == CycleStatus.ARCHIVED
    event = CycleEvent.objects.get()
    assert (event.cycle, event.actor, event.at) == (cycle, staff, moment)
    assert (event.from_status, event.to_status) == ("results", "archived")


def test_a_call_opens_closes_and_reopens(world, cycle):
    from kcity.applications.demo import open_demo_cycle

    demo = open_demo_cycle()  # a 2028 demo call from 2026's configuration, opened
    assert demo.status == CycleStatus.OPEN
    assert open_demo_cycle().status == CycleStatus.OPEN  # again: idempotent, no second move
    staff = world["secretariat"]
    for to in (CycleStatus.CLOSED, CycleStatus.OPEN, CycleStatus.CLOSED,
               CycleStatus.EVALUATION, CycleStatus.RESULTS):
        demo = lifecycle.transition(demo, to, by=staff)
    assert list(CycleEvent.objects.filter(cycle=demo).values_list("from_status", "to_status")
                ) == [("draft", "open"), ("open", "closed"), ("closed", "open"),
                      ("open", "closed"), ("closed", "evaluation"), ("evaluation", "results")]


def test_the_administration_moves_the_status_by_actions(client, world, cycle):
    client.force_login(world["secretariat"])
    page = client.get(f"/en/admin/programs/cycle/{cycle.pk}/change/").content.decode()
    assert 'name="status"' not in page  # read-only
    response = client.post("/en/admin/programs/cycle/", {
        "action": "move_to_archived", "_selected_action": [cycle.pk]}, follow=True)
    assert response.status_code == 200
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.ARCHIVED
    client.post("/en/admin/programs/cycle/", {
        "action": "move_to_open", "_selected_action": [cycle.pk]}, follow=True)
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.ARCHIVED
    assert CycleEvent.objects.filter(cycle=cycle).count() == 1
