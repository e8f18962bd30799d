"""The track rules, enforced by the services whatever the browser sends."""

import datetime as dt

import pytest
from django.core import mail

from kcity.applications import services
from kcity.applications.demo import _attach_all, _planning
from kcity.applications.models import Outcome, Proposal, Submission
from kcity.applications.models import ProposalState as S
from kcity.core.errors import Refused
from kcity.programs.models import Cycle, CycleStatus


def key():
    return services.new_submit_key()


def test_who_may_apply(users, plan_track, demo_track, foreign_company):
    with pytest.raises(Refused, match="cannot apply"):
        services.create_proposal(by=users["company-applicant"], track=plan_track, title="x")
    with pytest.raises(Refused, match="cannot apply"):
        services.create_proposal(by=users["gov-applicant"], track=demo_track, title="x")
    with pytest.raises(Refused, match="cannot apply"):
        services.create_proposal(by=users["partner"], track=plan_track, title="x")  # a university
    with pytest.raises(Refused, match="cannot apply"):
        services.create_proposal(by=foreign_company, track=demo_track, title="x")
    assert services.create_proposal(by=users["company-applicant"], track=demo_track, title="ok").pk


def test_international_organisation_may_apply_to_planning(users, plan_track):
    org = users["partner"].organisation
    org.partner_type = "international_organisation"
    org.save()
    assert services.create_proposal(by=users["partner"], track=plan_track,
                                    title="IO plan").track == plan_track


def test_requested_amount_must_be_inside_the_range(ready_demo, users):
    company = users["company-applicant"]
    services.update_proposal(proposal=ready_demo, by=company,
                             data={"requested_amount": 500_000_000})
    with pytest.raises(Refused) as exc:
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    assert any("above this track's largest grant" in m for m in exc.value.messages)
    services.update_proposal(proposal=ready_demo, by=company, data={"requested_amount": 0})
    with pytest.raises(Refused, match="more than zero"):
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    assert not Submission.objects.filter(proposal=ready_demo).exists()


def test_labour_at_most_the_tracks_cap(ready_demo, users):
    company = users["company-applicant"]
    # 400M requested; 40 % cap = 160M. 160M passes, 160M + 1 KRW fails.
    services.update_proposal(proposal=ready_demo, by=company, data={
        "budget_labour": 160_000_001, "budget_equipment": 189_999_999,
    })
    with pytest.raises(Refused) as exc:
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    assert any("Labour costs" in m and "40 %" in m for m in exc.value.messages)
    services.update_proposal(proposal=ready_demo, by=company, data={
        "budget_labour": 160_000_000, "budget_equipment": 190_000_000,
    })
    assert services.submit_proposal(proposal=ready_demo, by=company, key=key()).receipt_number


def test_budget_must_add_up_to_the_requested_amount(ready_demo, users):
    company = users["company-applicant"]
    services.update_proposal(proposal=ready_demo, by=company, data={"budget_travel": 10})
    with pytest.raises(Refused, match="adds up to"):
        services.submit_proposal(proposal=ready_demo, by=company, key=key())


def test_every_required_document_must_be_attached(ready_demo, users):
    ready_demo.documents.filter(code="partner_loi").delete()
    with pytest.raises(Refused) as exc:
        services.submit_proposal(proposal=ready_demo, by=users["company-applicant"], key=key())
    assert any("Letter of intent from the overseas partner" in m for m in exc.value.messages)
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.DRAFT


def test_consortium_needs_a_confirmed_overseas_public_partner(
    ready_demo, users, foreign_company
):
    company = users["company-applicant"]
    ready_demo.members.all().delete()
    member = services.invite_member(proposal=ready_demo, by=company, name="PT Private Tech",
                                    email="pt@example.org", role="technology")
    services.respond_to_invitation(token=member.token, by=foreign_company, accept=True)
    with pytest.raises(Refused, match="foreign private company alone is not enough"):
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    uni = services.invite_member(proposal=ready_demo, by=company, name="UI",
                                 email=users["partner"].email,
                                 role="site_host")
    with pytest.raises(Refused, match="confirmed its participation"):  # invited, not confirmed
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    services.respond_to_invitation(token=uni.token, by=users["partner"], accept=True)
    assert services.submit_proposal(proposal=ready_demo, by=company, key=key())


def test_unverified_organisation_cannot_submit(ready_demo, users):
    org = ready_demo.organisation
    org.verified_at = None
    org.save()
    with pytest.raises(Refused, match="not been verified"):
        services.submit_proposal(proposal=ready_demo, by=users["company-applicant"], key=key())


def test_fixed_deadline_one_second_before_and_after(ready_demo, users, demo_track):
    company = users["company-applicant"]
    deadline = demo_track.deadline
    with pytest.raises(Refused) as exc:
        services.submit_proposal(proposal=ready_demo, by=company, key=key(),
                                 now=deadline + dt.timedelta(seconds=1))
    assert "submissions are no longer accepted" in exc.value.messages[0]
    assert "KST" in exc.value.messages[0]
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.DRAFT
    receipt = services.submit_proposal(proposal=ready_demo, by=company, key=key(),
                                       now=deadline - dt.timedelta(seconds=1))
    assert receipt.submitted_at == deadline - dt.timedelta(seconds=1)
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.SUBMITTED


def test_fixed_deadline_is_refused_through_the_page(ready_demo, users, demo_track, client):
    demo_track.deadline = demo_track.opens_at + dt.timedelta(seconds=1)
    demo_track.save()
    client.force_login(users["company-applicant"])
    response = client.post(f"/en/proposals/{ready_demo.pk}/submit/", {"key": key()},
                           follow=True)
    assert "submissions are no longer accepted" in response.content.decode()
    assert not Submission.objects.filter(proposal=ready_demo).exists()


def test_pre_consultation_gate(plan_track, users, django_capture_on_commit_callbacks):
    gov, staff = users["gov-applicant"], users["secretariat"]
    p = _planning(plan_track, gov, "Hue plan", "Hue")
    _attach_all(p, gov)
    with pytest.raises(Refused, match="concept note first"):
        services.submit_proposal(proposal=p, by=gov, key=key())
    services.submit_concept_note(proposal=p, by=gov, text="First idea.")
    with pytest.raises(Refused, match="concept note first"):
        services.submit_proposal(proposal=p, by=gov, key=key())
    with pytest.raises(Refused, match="reason"):
        services.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=staff,
                                         outcome=Outcome.ADVISE_CHANGES)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=staff,
                                         outcome=Outcome.ADVISE_CHANGES, note="Narrow the site.")
    assert "Narrow the site." in mail.outbox[-1].body
    with pytest.raises(Refused, match="concept note first"):
        services.submit_proposal(proposal=p, by=gov, key=key())
    with pytest.raises(Refused, match="Only the secretariat"):
        services.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=gov,
                                         outcome=Outcome.INVITE)
    services.submit_concept_note(proposal=p, by=gov, text="Second idea, one district.")
    services.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=staff,
                                     outcome=Outcome.INVITE)
    assert services.submit_proposal(proposal=p, by=gov,
                                    key=key()).receipt_number.startswith("KCN-2028-PLAN-")


def test_after_the_cutoff_a_proposal_rolls_into_the_next_cycle(
    ready_plan, users, plan_track, django_capture_on_commit_callbacks
):
    gov = users["gov-applicant"]
    assert not Cycle.objects.filter(year=2029).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        receipt = services.submit_proposal(proposal=ready_plan, by=gov, key=key(),
                                           now=plan_track.cutoff + dt.timedelta(seconds=1))
    ready_plan.refresh_from_db()
    assert ready_plan.cycle.year == 2029 and ready_plan.track.code == "PLAN"
    assert Cycle.objects.get(year=2029).status == CycleStatus.DRAFT
    assert Cycle.objects.get(year=2029).is_demo  # rolled over from the demo call
    assert receipt.rolled_over_from == 2028
    assert receipt.receipt_number == "KCN-2029-PLAN-0001"
    assert "accepted into the 2029 cycle" in mail.outbox[0].body


def test_at_the_cutoff_a_proposal_stays_in_this_cycle(ready_plan, users, plan_track):
    receipt = services.submit_proposal(proposal=ready_plan, by=users["gov-applicant"], key=key(),
                                       now=plan_track.cutoff)
    assert receipt.rolled_over_from is None
    assert Proposal.objects.get(pk=ready_plan.pk).cycle.year == 2028


def test_one_planning_proposal_per_jurisdiction_per_cycle(plan_track, users):
    gov = users["gov-applicant"]  # the demo already has a Haiphong proposal in 2028
    p = services.create_proposal(by=gov, track=plan_track, title="Second Haiphong plan")
    with pytest.raises(Refused, match="one planning proposal per cycle"):
        services.update_proposal(proposal=p, by=gov, data={"city": " HAIPHONG ", "country": "VN"})
    assert Proposal.objects.get(pk=p.pk).city == ""
    # a withdrawn proposal does not hold the jurisdiction (the demo's Cat Hai is withdrawn)
    services.update_proposal(proposal=p, by=gov, data={"city": "Cat Hai", "country": "VN"})
