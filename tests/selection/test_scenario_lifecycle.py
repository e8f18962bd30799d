"""A scenario's MOVES table (draft -> approved -> published): a move not in it and a wrong
actor are refused with nothing written; each move stamps its history and writes an event;
publishing the decision announces the cycle's results through the cycle's own lifecycle."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from selection_fixtures import *  # noqa: F403
from selection_fixtures import scenario_of

from kcity.core.errors import Refused
from kcity.programs.models import Cycle, CycleEvent, CycleStatus
from kcity.selection import lifecycle, services
from kcity.selection.models import Scenario, ScenarioState, SelectionEvent


def test_a_move_not_in_the_table_is_refused(staff, round):
    scenario = scenario_of(round, "max_merit")
    assert (ScenarioState.DRAFT, ScenarioState.PUBLISHED) not in lifecycle.MOVES
    with pytest.raises(Refused, match="cannot become"):
        lifecycle.transition(scenario, ScenarioState.PUBLISHED, by=staff)
    scenario.refresh_from_db()
    assert scenario.state == ScenarioState.DRAFT and scenario.published_at is None
    assert not SelectionEvent.objects.filter(scenario=scenario,
                                             action="scenario_published").exists()


def test_the_wrong_actor_is_refused(world, round):
    scenario = scenario_of(round, "max_merit")
    for user in (world["gov-applicant"], world["evaluator"]):
        with pytest.raises(Refused, match="Only the secretariat running"):
            lifecycle.transition(scenario, ScenarioState.APPROVED, by=user)
    scenario.refresh_from_db()
    assert scenario.state == ScenarioState.DRAFT and scenario.approved_at is None
    assert lifecycle.allowed_moves(world["gov-applicant"], scenario) == []
    moves = lifecycle.allowed_moves(world["secretariat"], scenario)
    assert [to for to, _move in moves] == [ScenarioState.APPROVED]


def test_each_move_stamps_and_writes_an_event(staff, round):
    scenario = scenario_of(round, "max_merit")
    moment = timezone.now().replace(microsecond=0)
    approved = lifecycle.transition(scenario, ScenarioState.APPROVED, by=staff, now=moment,
                                    note="test")
    assert scenario.state == ScenarioState.DRAFT  # the caller's object is left as it was
    assert approved.state == ScenarioState.APPROVED and approved.is_approved
    assert (approved.approved_by, approved.approved_at) == (staff, moment)
    event = SelectionEvent.objects.get(scenario=scenario, action="scenario_approved")
    assert event.actor == staff and event.round_id == round.pk
    assert event.detail == {"from": "draft", "to": "approved", "note": "test"}
    with pytest.raises(Refused, match="approved already"):
        lifecycle.transition(approved, ScenarioState.APPROVED, by=staff)


def test_approve_and_publish_go_through_the_table(staff, round, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)  # results not yet out
    scenario = services.approve_scenario(by=staff, scenario=scenario_of(round, "max_merit"),
                                         explain=False)
    assert scenario.state == ScenarioState.APPROVED
    services.publish(by=staff, round=round)
    scenario.refresh_from_db()
    assert scenario.state == ScenarioState.PUBLISHED and scenario.published_at is not None
    assert list(SelectionEvent.objects.filter(scenario=scenario).values_list(
        "action", flat=True)) == ["scenario_created", "scenario_approved", "published",
                                  "scenario_published"]
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.RESULTS
    event = CycleEvent.objects.get(cycle=cycle)
    assert (event.from_status, event.to_status, event.actor) == ("open", "results", staff)
    assert event.detail == {"round": round.pk}
    with pytest.raises(Refused, match="Approve a scenario before publishing"):
        services.publish(by=staff, round=round)


def test_the_migration_derives_the_state_from_the_stamps(staff, round):
    migration = importlib.import_module("kcity.selection.migrations.0004_scenario_lifecycle")
    first, second = round.scenarios.order_by("pk")[:2]
    now = timezone.now()
    Scenario.objects.filter(pk=first.pk).update(approved_at=now, published_at=now)
    Scenario.objects.filter(pk=second.pk).update(approved_at=now)
    Scenario.objects.update(state=ScenarioState.DRAFT)
    migration.derive_state(apps, None)
    states = dict(round.scenarios.values_list("pk", "state"))
    assert states == {first.pk: "published", second.pk: "approved"}
