"""Issue 17 items 3 and 4: trainings counted per year; a completed study rated good that led
to a demonstration proposal (a FollowOn) gives that proposal prior planning in the round."""

import datetime as dt
from decimal import Decimal

import pytest
from test_project_rules import _sign_all

from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.projects import lifecycle, selectors, services
from kcity.projects.models import FollowOnKind, Project, Training
from kcity.projects.models import ProjectState as P
from kcity.selection import selectors as selection_selectors
from kcity.selection import services as selection

M = 1_000_000


def _entry(round, proposal):
    return next(p for p in round.instance["proposals"] if p["id"] == str(proposal.pk))


def test_trainings_per_year(published, staff):
    first, second = Project.objects.order_by("pk")[:2]
    services.record_training(project=first, by=staff, kind=Training.Kind.TRAINING,
                             title="Invitation training", starts_on=dt.date(2025, 9, 1),
                             ends_on=dt.date(2025, 9, 5), place="Sejong", participants=12,
                             cost_shares={"molit": 30 * M, "host_government": 5 * M})
    services.record_training(project=second, by=staff, kind=Training.Kind.SEMINAR,
                             title="Seminar", starts_on=dt.date(2025, 11, 3),
                             ends_on=dt.date(2025, 11, 3), online=True, participants=40)
    t = services.record_training(project=first, by=staff, kind=Training.Kind.SEMINAR,
                                 title="Closing seminar", starts_on=dt.date(2026, 3, 2),
                                 ends_on=dt.date(2026, 3, 2), place="Hanoi",
                                 participants=25, cost_shares={"secretariat": 2 * M})
    assert t.total_cost == 2 * M
    assert selectors.trainings_per_year() == [
        {"year": 2025, "trainings": 2, "participants": 52},
        {"year": 2026, "trainings": 1, "participants": 25},
    ]
    assert selectors.trainings_per_year(Project.objects.filter(pk=second.pk)) == [
        {"year": 2025, "trainings": 1, "participants": 40}]
    assert first.events.filter(action="training").count() == 2
    with pytest.raises(Refused, match="place"):
        services.record_training(project=first, by=staff, kind="seminar", title="x",
                                 starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 2),
                                 participants=3)
    with pytest.raises(Refused, match="KRW"):
        services.record_training(project=first, by=staff, kind="seminar", title="x",
                                 starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 2),
                                 online=True, participants=3, cost_shares={"molit": 1.5})


def test_a_good_study_gives_its_demonstration_prior_planning(staff, cycle):
    """A completed study led to a demonstration proposal still to be selected: once the
    study is rated good, the proposal's prior planning reaches the selection instance."""
    planning = Proposal.objects.filter(cycle=cycle, track__kind="planning").order_by("pk")[0]
    study = services.open_project(by=staff, proposal=planning, award=500 * M)
    demo = Proposal.objects.filter(cycle=cycle, track__kind="demonstration",
                                   state="evaluated").order_by("pk").first()
    assert demo is not None and not demo.cites_prior_study()
    round_before = selection.create_round(by=staff, cycle=cycle, budget=4_200 * M,
                                          bonus_prior_planning=1)
    assert _entry(round_before, demo)["prior_planning"] is False

    services.record_follow_on(project=study, by=staff, on=dt.date(2026, 3, 1), proposal=demo,
                              kind=FollowOnKind.DEMONSTRATION_PROPOSAL, partners="Hanoi")
    # Not yet: the study is not completed.
    pending = selection.create_round(by=staff, cycle=cycle, budget=4_200 * M,
                                     bonus_prior_planning=1)
    assert _entry(pending, demo)["prior_planning"] is False
    _sign_all(study, staff)
    study = lifecycle.transition(study, P.IN_PROGRESS, by=staff)
    study = lifecycle.transition(study, P.COMPLETED, by=staff, rating="satisfactory")
    satisfactory = selection.create_round(by=staff, cycle=cycle, budget=4_200 * M,
                                          bonus_prior_planning=1)
    assert _entry(satisfactory, demo)["prior_planning"] is False
    type(study).objects.filter(pk=study.pk).update(rating="good")
    after = selection.create_round(by=staff, cycle=cycle, budget=4_200 * M, bonus_prior_planning=1)
    assert _entry(after, demo)["prior_planning"] is True
    assert selection_selectors.merits(after.instance)[str(demo.pk)] == (
        selection_selectors.merits(round_before.instance)[str(demo.pk)] + Decimal(1))


def test_follow_on_rules(published, staff):
    study = Project.objects.filter(proposal__track__kind="planning").order_by("pk").first()
    with pytest.raises(Refused, match="demonstration proposal"):
        services.record_follow_on(project=study, by=staff, on=dt.date(2026, 3, 1),
                                  kind=FollowOnKind.DEMONSTRATION_PROPOSAL)
    with pytest.raises(Refused, match="negative"):
        services.record_follow_on(project=study, by=staff, on=dt.date(2026, 3, 1),
                                  kind=FollowOnKind.MDB_INVESTMENT, amount=-1)
    made = services.record_follow_on(project=study, by=staff, on=dt.date(2026, 3, 1),
                                     kind=FollowOnKind.MDB_INVESTMENT, amount=9 * M,
                                     partners="ADB")
    assert made.amount == 9 * M and study.events.filter(action="follow_on").exists()
