"""The contractor of a proposal's project is conflicted: its evaluators are never drawn
and find nothing (404) on the proposal's pages and downloads."""

import datetime as dt

import pytest

from kcity import permissions
from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.evaluation import services
from kcity.evaluation.models import EvaluationEvent, ExpertProfile, PanelMember
from kcity.portfolio.models import SelectedProject
from kcity.projects.models import Project

CAN_THO = "Can Tho delta smart city plan"


@pytest.fixture
def contractor_expert(demo):
    org = Organisation.objects.create(kind=OrgKind.CONTRACTOR, name="Hanbit Engineering",
                                      country="KR")
    user = User.objects.create_user("contractor-expert", "ce@example.org", "pw-ce-12345",
                                    organisation=org, role=Role.EVALUATOR)
    ExpertProfile.objects.create(user=user, fields=["urban_planning"])
    can_tho = Proposal.objects.get(title=CAN_THO)
    Project.objects.create(proposal=can_tho, contractor=org, deliverable_type="master_plan",
                           award=500_000_000, planned_start=dt.date(2027, 7, 1),
                           planned_end=dt.date(2028, 6, 30),
                           record=SelectedProject.objects.create(
                               year=2027, track_kind="planning", programme="planning",
                               city="Can Tho", country="VN", title=CAN_THO))
    return user


def test_contractor_is_conflicted_and_never_drawn(users, contractor_expert):
    can_tho = Proposal.objects.get(title=CAN_THO)
    staff = users["secretariat"]
    assert permissions.automatic_conflict(contractor_expert, can_tho)
    assert not permissions.automatic_conflict(users["evaluator"], can_tho)
    assert can_tho in permissions.conflicted_proposals(contractor_expert)
    with pytest.raises(Refused, match="Only 5 experts are eligible"):
        services.form_panel(by=staff, track=can_tho.track, stage="document_review", size=6, seed=1)
    panel = services.form_panel(by=staff, track=can_tho.track, stage="document_review", size=5,
                                seed=1)
    event = EvaluationEvent.objects.get(panel=panel, action="panel_formed")
    assert contractor_expert.pk in event.detail["conflicts"]
    assert contractor_expert.pk not in event.detail["drawn"]
    assert not panel.members.filter(evaluator=contractor_expert).exists()


def test_contractor_seated_before_the_contract_sees_nothing(client, users, contractor_expert):
    """Seated by hand (say before the project was contracted), the contractor's expert still
    finds nothing: 404 on the pages and the downloads, and cannot declare its way in."""
    can_tho = Proposal.objects.get(title=CAN_THO)
    panel = services.form_panel(by=users["secretariat"], track=can_tho.track,
                                stage="document_review", size=5, seed=1)
    PanelMember.objects.create(panel=panel, evaluator=contractor_expert)
    doc = can_tho.documents.first()
    client.force_login(contractor_expert)
    assert CAN_THO not in client.get("/en/evaluation/").content.decode()
    assert client.post(f"/en/evaluation/proposals/{can_tho.pk}/declare/",
                       {"answer": "none"}).status_code == 404
    for url in [f"/en/proposals/{can_tho.pk}/", f"/en/proposals/{can_tho.pk}/documents/{doc.pk}/",
                f"/en/evaluation/panels/{panel.pk}/proposals/{can_tho.pk}/",
                f"/en/evaluation/proposals/{can_tho.pk}/"]:
        assert client.get(url).status_code == 404, url
    with pytest.raises(Refused, match="not assigned to you"):
        services.declare(by=contractor_expert, proposal=can_tho, has_conflict=False)
