"""Submission (idempotent, receipt on screen, by e-mail and PDF), the lifecycle, screening."""

import threading

import pytest
from django.core import mail
from django.db import connection

from kcity.applications import lifecycle, services
from kcity.applications.models import Proposal, ProposalEvent, Submission
from kcity.applications.models import ProposalState as S
from kcity.core.errors import Refused


def test_double_submit_yields_one_receipt(
    client, ready_demo, users, django_capture_on_commit_callbacks
):
    client.force_login(users["company-applicant"])
    page = client.get(f"/en/proposals/{ready_demo.pk}/submit/")
    key = page.context["key"]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/en/proposals/{ready_demo.pk}/submit/", {"key": key})
        second = client.post(f"/en/proposals/{ready_demo.pk}/submit/", {"key": key})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Submission.objects.filter(proposal=ready_demo).count() == 1
    submission = Submission.objects.get(proposal=ready_demo)
    assert submission.receipt_number.startswith("KCN-2028-DEMO-")
    assert len(submission.content_sha256) == 64
    receipt = client.get(first["Location"])
    assert submission.receipt_number in receipt.content.decode()
    assert len(mail.outbox) == 1 and submission.receipt_number in mail.outbox[0].subject
    assert submission.content_sha256 in mail.outbox[0].body
    pdf = client.get(f"/en/proposals/{ready_demo.pk}/receipts/{submission.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert ProposalEvent.objects.filter(proposal=ready_demo, to_state=S.SUBMITTED).count() == 1


def test_a_forged_or_missing_key_is_refused(client, ready_demo, users):
    client.force_login(users["company-applicant"])
    response = client.post(f"/en/proposals/{ready_demo.pk}/submit/", {"key": "../x"},
                           follow=True)
    assert "This form has expired" in response.content.decode()
    assert not Submission.objects.exists() or not ready_demo.submissions.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_posts_make_one_submission(ready_demo, users):
    key = services.new_submit_key()
    results, errors = [], []
    barrier = threading.Barrier(4)

    def post():
        try:
            barrier.wait()
            results.append(services.submit_proposal(proposal=ready_demo,
                                                    by=users["company-applicant"], key=key))
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r.pk for r in results}) == 1 and len(results) == 4
    assert Submission.objects.filter(proposal=ready_demo).count() == 1
    assert ProposalEvent.objects.filter(proposal=ready_demo, to_state=S.SUBMITTED).count() == 1


def test_return_and_resubmit(client, ready_demo, users, django_capture_on_commit_callbacks):
    company, staff = users["company-applicant"], users["secretariat"]
    first = services.submit_proposal(proposal=ready_demo, by=company, key=services.new_submit_key())
    with pytest.raises(Refused, match="Give a reason"):
        services.screen(proposal=ready_demo, by=staff, decision=S.RETURNED, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.screen(proposal=ready_demo, by=staff, decision=S.RETURNED, reason="Sign the LOI.")
    assert "Sign the LOI." in mail.outbox[-1].body
    client.force_login(company)
    detail = client.get(f"/en/proposals/{ready_demo.pk}/").content.decode()
    assert "Sign the LOI." in detail and "Returned for correction" in detail
    services.update_proposal(proposal=ready_demo, by=company,
                             data={"title": "Test crosswalk, corrected"})
    second = services.submit_proposal(proposal=ready_demo, by=company,
                                      key=services.new_submit_key())
    assert second.receipt_number != first.receipt_number
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.SUBMITTED
    moves = list(ready_demo.events.values_list("from_state", "to_state", "actor__username"))
    assert moves == [
        (S.DRAFT, S.SUBMITTED, "company-applicant"),
        (S.SUBMITTED, S.RETURNED, "secretariat"),
        (S.RETURNED, S.SUBMITTED, "company-applicant"),
    ]


def test_screening_eligible_needs_the_checklist(ready_demo, users):
    company, staff = users["company-applicant"], users["secretariat"]
    services.submit_proposal(proposal=ready_demo, by=company, key=services.new_submit_key())
    with pytest.raises(Refused, match="checklist is not complete"):
        services.screen(proposal=ready_demo, by=staff, decision=S.ELIGIBLE)
    services.save_checklist(proposal=ready_demo, by=staff, ticked={"loi_signed", "proof_credible",
                                                "budget_consistent"})
    services.screen(proposal=ready_demo, by=staff, decision=S.ELIGIBLE)
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.ELIGIBLE


def test_screening_page_ineligible_with_reason(client, ready_demo, users):
    services.submit_proposal(proposal=ready_demo, by=users["company-applicant"],
                             key=services.new_submit_key())
    client.force_login(users["secretariat"])
    url = f"/en/proposals/screening/{ready_demo.pk}/"
    empty = client.post(url, {"action": "decision", "decision": "ineligible", "reason": ""},
                        follow=True)
    assert "Give a reason" in empty.content.decode()
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.SUBMITTED
    client.post(url, {"action": "decision", "decision": "ineligible", "reason": "No LOI."})
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.INELIGIBLE
    client.force_login(users["company-applicant"])
    assert "No LOI." in client.get(f"/en/proposals/{ready_demo.pk}/").content.decode()


def test_kind_does_not_screen_demonstration(client, ready_demo, users, kind_staff):
    services.submit_proposal(proposal=ready_demo, by=users["company-applicant"],
                             key=services.new_submit_key())
    with pytest.raises(Refused, match="Only the secretariat of this track"):
        lifecycle.transition(ready_demo, S.ELIGIBLE, by=kind_staff)
    client.force_login(kind_staff)
    assert client.get(f"/en/proposals/screening/{ready_demo.pk}/").status_code == 404
    listing = client.get("/en/proposals/screening/").content.decode()
    assert "Test crosswalk" not in listing and "Hai Phong smart city master plan" in listing


def test_refused_moves_say_why_and_write_nothing(ready_demo, users):
    company = users["company-applicant"]
    with pytest.raises(Refused, match="cannot become"):
        lifecycle.transition(ready_demo, S.ELIGIBLE, by=users["secretariat"])
    services.submit_proposal(proposal=ready_demo, by=company, key=services.new_submit_key())
    with pytest.raises(Refused, match="Only the secretariat"):
        lifecycle.transition(ready_demo, S.ELIGIBLE, by=company)
    with pytest.raises(Refused, match="Only the applicant"):
        lifecycle.transition(ready_demo, S.WITHDRAWN, by=users["partner"])
    assert ready_demo.events.count() == 1


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_a_transition_on_a_row_said_locked_needs_the_callers_transaction(ready_demo, users):
    # locked=True skips the lock: outside a transaction nothing would hold it.
    with pytest.raises(RuntimeError, match="transaction"):
        lifecycle.transition(ready_demo, S.WITHDRAWN, by=users["company-applicant"], locked=True)
    assert ready_demo.events.count() == 0
    assert Proposal.objects.get(pk=ready_demo.pk).state == ready_demo.state


def test_withdraw_and_reopen(client, ready_demo, users):
    company = users["company-applicant"]
    services.submit_proposal(proposal=ready_demo, by=company, key=services.new_submit_key())
    client.force_login(company)
    client.post(f"/en/proposals/{ready_demo.pk}/reopen/")
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.DRAFT
    client.post(f"/en/proposals/{ready_demo.pk}/withdraw/", {"reason": "Changed plans."})
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.WITHDRAWN
    with pytest.raises(Refused, match="cannot be changed"):
        services.update_proposal(proposal=ready_demo, by=company, data={"title": "again"})


def test_demo_has_a_proposal_in_every_state(demo):
    """The open 2028 demo call holds every intake and evaluation state; the selection states
    are on the 2027 demo cycle, whose round the selection demo runs and publishes."""
    selection_states = {S.SELECTED, S.RESERVE, S.NOT_SELECTED}
    states = set(Proposal.objects.filter(cycle__year=2028).values_list("state", flat=True))
    assert states == set(S.values) - selection_states  # evaluation adds its two states
    published = set(Proposal.objects.filter(cycle__year=2027).values_list("state", flat=True))
    assert published == selection_states
