"""Issue 17 item 1: publishing opens the projects; the project lifecycle and its rules."""

import datetime as dt
from types import SimpleNamespace

import pytest
from project_helpers import pdf_upload

from kcity.applications import services as applications
from kcity.applications.models import Proposal
from kcity.applications.models import ProposalState as S
from kcity.core.errors import Refused
from kcity.jobs.models import OutboundEmail
from kcity.projects import lifecycle, services
from kcity.projects.models import PartyRole, Project, ProjectEvent
from kcity.projects.models import ProjectState as P
from kcity.selection import services as selection
from kcity.selection.models import OutcomeKind


def _track(kind, code):
    return SimpleNamespace(track=SimpleNamespace(kind=kind, code=code))


def test_the_deliverable_rule():
    assert services.deliverable_type_for(_track("demonstration", "DEMO")) == \
        "demonstration_report"
    assert services.deliverable_type_for(_track("planning", "CITY")) == "master_plan"
    assert services.deliverable_type_for(_track("planning", "SOLUTION")) == "solution_plan"
    assert services.deliverable_type_for(_track("planning", "PLAN")) == "basic_concept"


def test_planned_dates_the_month_after_to_june_next_year():
    assert services.planned_dates(dt.date(2025, 12, 18)) == (dt.date(2026, 1, 1),
                                                            dt.date(2026, 6, 30))
    assert services.planned_dates(dt.date(2025, 7, 31)) == (dt.date(2025, 8, 1),
                                                           dt.date(2026, 6, 30))


def test_publishing_opens_a_project_per_selected_proposal(published):
    selected = published.outcomes.filter(outcome=OutcomeKind.SELECTED).select_related(
        "proposal__track")
    assert selected.exists()
    assert Project.objects.count() == selected.count()
    for outcome in selected:
        project = outcome.proposal.project
        assert project.state == P.AGREEMENT_PENDING
        assert project.award == outcome.award
        assert project.deliverable_type == services.deliverable_type_for(outcome.proposal)
        assert project.planned_end.month == 6 and project.planned_end.day == 30
        assert project.planned_start.day == 1 and project.planned_start < project.planned_end
        assert project.events.get().action == ProjectEvent.Action.CREATED
    assert not Project.objects.exclude(proposal__in=[o.proposal for o in selected]).exists()


def _planning_project():
    return Project.objects.filter(proposal__track__kind="planning").order_by("pk").first()


def _sign_all(project, staff):
    for role in (PartyRole.MOLIT, PartyRole.HOST_GOVERNMENT):
        party = services.add_party(project=project, by=staff, role=role, name=str(role.label))
        services.sign_party(party=party, by=staff, upload=pdf_upload(),
                            signed_on=dt.date(2025, 1, 2))


def test_start_needs_every_signature(published, staff):
    project = _planning_project()
    with pytest.raises(Refused, match="Every party"):
        lifecycle.transition(project, P.IN_PROGRESS, by=staff)  # no party at all
    molit = services.add_party(project=project, by=staff, role=PartyRole.MOLIT, name="MOLIT")
    host = services.add_party(project=project, by=staff, role=PartyRole.HOST_GOVERNMENT,
                              organisation=project.proposal.organisation)
    services.sign_party(party=molit, by=staff, upload=pdf_upload(),
                        signed_on=dt.date(2025, 1, 2))
    with pytest.raises(Refused, match="Every party"):
        lifecycle.transition(project, P.IN_PROGRESS, by=staff)
    assert Project.objects.get(pk=project.pk).state == P.AGREEMENT_PENDING
    host = services.sign_party(party=host, by=staff, upload=pdf_upload(),
                               signed_on=dt.date(2025, 1, 3))
    assert host.signed_document.proposal_id == project.proposal_id
    assert host.signed_document.detected_type == "pdf"
    mails = OutboundEmail.objects.count()
    started = lifecycle.transition(project, P.IN_PROGRESS, by=staff)
    assert started.state == P.IN_PROGRESS and started.started_at is not None
    event = started.events.get(action=ProjectEvent.Action.MOVED)
    assert (event.from_state, event.to_state, event.actor) == (P.AGREEMENT_PENDING,
                                                               P.IN_PROGRESS, staff)
    assert OutboundEmail.objects.count() == mails + 1


def test_a_bad_file_is_not_a_signature(published, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = _planning_project()
    party = services.add_party(project=project, by=staff, role=PartyRole.MOLIT, name="MOLIT")
    with pytest.raises(Refused):
        services.sign_party(party=party, by=staff, signed_on=dt.date(2025, 1, 2),
                            upload=SimpleUploadedFile("signed.pdf", b"not a pdf at all"))
    party.refresh_from_db()
    assert not party.signed


def test_completion_needs_a_rating_for_a_planning_study(published, staff):
    project = _planning_project()
    _sign_all(project, staff)
    project = lifecycle.transition(project, P.IN_PROGRESS, by=staff)
    with pytest.raises(Refused, match="rating"):
        lifecycle.transition(project, P.COMPLETED, by=staff)
    done = lifecycle.transition(project, P.COMPLETED, by=staff, rating="good")
    assert (done.state, done.rating) == (P.COMPLETED, "good") and done.completed_at
    with pytest.raises(Refused, match="cannot become"):
        lifecycle.transition(done, P.CANCELLED, by=staff, reason="late")


def test_cancelling_needs_a_reason_and_the_secretariat(published, staff, world, kaia_user):
    project = _planning_project()
    with pytest.raises(Refused, match="reason"):
        lifecycle.transition(project, P.CANCELLED, by=staff, reason="  ")
    for stranger in (world["gov-applicant"], world["contractor"], kaia_user):
        with pytest.raises(Refused, match="Only the secretariat"):
            lifecycle.transition(project, P.CANCELLED, by=stranger, reason="No.")
    gone = lifecycle.transition(project, P.CANCELLED, by=staff, reason="The city withdrew.")
    assert gone.state == P.CANCELLED
    assert gone.events.get(to_state=P.CANCELLED).detail == {"reason": "The city withdrew."}


def test_an_extension_is_an_audited_event(published, staff, world):
    project = _planning_project()
    later = project.planned_end + dt.timedelta(days=90)
    with pytest.raises(Refused, match="reason"):
        services.extend(project=project, by=staff, planned_end=later, reason="")
    with pytest.raises(Refused, match="later"):
        services.extend(project=project, by=staff, planned_end=project.planned_end,
                        reason="Rain.")
    with pytest.raises(Refused):
        services.extend(project=project, by=world["gov-applicant"], planned_end=later,
                        reason="Rain.")
    extended = services.extend(project=project, by=staff, planned_end=later,
                               reason="The rainy season.")
    assert extended.planned_end == later and extended.state == P.AGREEMENT_PENDING
    event = extended.events.get(action=ProjectEvent.Action.EXTENDED)
    assert event.detail["reason"] == "The rainy season."
    assert event.detail["to_end"] == later.isoformat()


def _selected_with_applicant(round):
    return next(o.proposal for o in round.outcomes.filter(outcome=OutcomeKind.SELECTED)
                .select_related("proposal__organisation")
                if o.proposal.organisation.members.exists())


def test_withdrawal_only_while_the_agreement_is_pending(published, staff):
    proposal = _selected_with_applicant(published)
    applicant = proposal.organisation.members.get()
    _sign_all(proposal.project, staff)
    lifecycle.transition(proposal.project, P.IN_PROGRESS, by=staff)
    with pytest.raises(Refused, match="agreement is pending"):
        applications.withdraw(proposal=proposal, by=applicant, reason="Changed our mind.")
    assert Proposal.objects.get(pk=proposal.pk).state == S.SELECTED


def test_withdrawal_and_replacement_while_pending(published, staff,
                                                  django_capture_on_commit_callbacks):
    proposal = _selected_with_applicant(published)
    applicant = proposal.organisation.members.get()
    with django_capture_on_commit_callbacks(execute=True):
        applications.withdraw(proposal=proposal, by=applicant, reason="The city council changed.")
    replacement = selection.propose_replacement(by=staff, round=published)
    selection.approve_scenario(by=staff, scenario=replacement, explain=False)
    with django_capture_on_commit_callbacks(execute=True):
        selection.publish(by=staff, round=published)
    cancelled = Project.objects.get(proposal=proposal)
    assert cancelled.state == P.CANCELLED
    assert cancelled.events.get(to_state=P.CANCELLED).detail == {
        "reason": "The proposal was withdrawn.", "withdrawn": True}
    assert not OutboundEmail.objects.filter(key__startswith="project-state:").exists()
    new = [int(i) for i in replacement.result["selected"]
           if not Project.objects.filter(proposal_id=int(i), state=P.CANCELLED).exists()]
    opened = Project.objects.filter(proposal_id__in=new)
    assert opened.count() == len(new)
    assert set(opened.values_list("state", flat=True)) == {P.AGREEMENT_PENDING}


def test_no_replacement_once_the_project_started(published, staff,
                                                 django_capture_on_commit_callbacks):
    proposal = _selected_with_applicant(published)
    applicant = proposal.organisation.members.get()
    with django_capture_on_commit_callbacks(execute=True):
        applications.withdraw(proposal=proposal, by=applicant, reason="The city council changed.")
    _sign_all(proposal.project, staff)
    lifecycle.transition(proposal.project, P.IN_PROGRESS, by=staff)
    with pytest.raises(Refused, match="agreement is\\s+pending|agreement is pending"):
        selection.propose_replacement(by=staff, round=published)
