"""The delivery rules: who submits and reviews, the review loop's history, acceptance gates
payments, the payable ceiling (the contract value, never the award), a deliverable's own
payment limit, the overdue list and its reminders, and that only a lifecycle move writes a
state."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from delivery_world import pdf
from kcity.applications.demo import DEMO_PDF
from kcity.core.errors import Refused
from kcity.jobs.models import OutboundEmail
from kcity.projects import delivery, delivery_selectors, procurement, services
from kcity.projects.models import DeliverableEvent, DeliverableState, Payment

NOW = dt.datetime(2031, 6, 1, 3, 0, tzinfo=dt.UTC)


def plan(world, *, share=None, due=dt.date(2031, 5, 1), title="Master plan"):
    return delivery.add_deliverable(
        project=world["project"], by=world["kind"], kind="master_plan", title_en=title,
        title_ko="마스터플랜", due_on=due, payment_share=share)


def submitted(world, deliverable, note="v"):
    return delivery.submit_deliverable(deliverable=deliverable, by=world["contractor"],
                                       upload=pdf(), note=note, now=NOW)


def accepted(world, **kw):
    d = plan(world, **kw)
    submitted(world, d)
    delivery.review_deliverable(deliverable=d, by=world["kind"], accept=True, now=NOW)
    d.refresh_from_db()
    return d


def test_only_the_tracks_secretariat_defines_the_work_plan(world):
    for who in ("kaia", "contractor", "host"):
        with pytest.raises(Refused, match="secretariat"):
            delivery.add_deliverable(
                project=world["project"], by=world[who], kind="master_plan", title_en="X",
                title_ko="엑스", due_on=dt.date(2031, 5, 1))
        with pytest.raises(Refused, match="secretariat"):
            delivery.add_milestone(project=world["project"], by=world[who], title_en="M",
                                   title_ko="엠", due_on=dt.date(2031, 5, 1))
    m = delivery.add_milestone(project=world["project"], by=world["kind"], title_en="Phase 1",
                               title_ko="1단계", due_on=dt.date(2031, 5, 1))
    d = plan(world)
    assert (m.project, d.state, d.created_by) == (world["project"], "pending", world["kind"])
    with pytest.raises(Refused, match="English and in Korean"):
        delivery.add_deliverable(project=world["project"], by=world["kind"], kind="master_plan",
                                 title_en="Only English", title_ko=" ", due_on=dt.date(2031, 5, 1))
    with pytest.raises(Refused, match="deliverable types"):
        delivery.add_deliverable(project=world["project"], by=world["kind"], kind="novel",
                                 title_en="X", title_ko="엑스", due_on=dt.date(2031, 5, 1))


def test_only_the_contractor_submits(world):
    d = plan(world)
    for who in ("kind", "host", "other_contractor"):
        with pytest.raises(Refused, match="contractor"):
            delivery.submit_deliverable(deliverable=d, by=world[who], upload=pdf(), now=NOW)
    d.refresh_from_db()
    assert d.state == "pending" and not d.submissions.exists()
    s = submitted(world, d, note="First draft")
    d.refresh_from_db()
    assert d.state == "submitted"
    assert (s.number, s.note, s.submitted_by, s.submitted_at) == (
        1, "First draft", world["contractor"], NOW)
    assert (s.original_name, s.content_type) == ("plan.pdf", "application/pdf")
    assert s.file.read() == DEMO_PDF and len(s.sha256) == 64
    assert not world["project"].proposal.documents.exists()  # not among the proposal's


def test_a_refused_file_is_refused_as_for_proposals(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    d = plan(world)
    bad = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(Refused):
        delivery.submit_deliverable(deliverable=d, by=world["contractor"], upload=bad, now=NOW)
    d.refresh_from_db()
    assert d.state == "pending" and not d.submissions.exists()


def test_only_the_tracks_secretariat_reviews_and_the_loop_keeps_its_history(
        world, django_capture_on_commit_callbacks):
    d = plan(world)
    submitted(world, d, note="v1")
    for who in ("kaia", "contractor", "host"):
        with pytest.raises(Refused, match="secretariat"):
            delivery.review_deliverable(deliverable=d, by=world[who], accept=True, now=NOW)
    with pytest.raises(Refused, match="what must change"):
        delivery.review_deliverable(deliverable=d, by=world["kind"], accept=False, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.review_deliverable(deliverable=d, by=world["kind"], accept=False,
                                    comment="Add the traffic model.", now=NOW)
    d.refresh_from_db()
    assert d.state == "returned"
    assert "Add the traffic model." in mail.outbox[-1].body
    assert "is now: returned." in mail.outbox[-1].body  # the state's label, not a blank
    assert mail.outbox[-1].subject.endswith(": returned")
    assert mail.outbox[-1].to == ["d-contractor@example.org"]
    with pytest.raises(Refused, match="cannot become"):  # nothing waits for review
        delivery.review_deliverable(deliverable=d, by=world["kind"], accept=True, now=NOW)
    submitted(world, d, note="v2")
    delivery.review_deliverable(deliverable=d, by=world["kind"], accept=True, now=NOW)
    d.refresh_from_db()
    assert (d.state, d.accepted_at) == ("accepted", NOW)
    history = list(d.submissions.values_list("number", "note", "decision", "review_comment",
                                             "reviewed_by"))
    assert history == [(1, "v1", "returned", "Add the traffic model.", world["kind"].pk),
                       (2, "v2", "accepted", "", world["kind"].pk)]
    assert list(DeliverableEvent.objects.filter(deliverable=d).values_list(
        "from_state", "to_state")) == [("pending", "submitted"), ("submitted", "returned"),
                                       ("returned", "submitted"), ("submitted", "accepted")]
    with pytest.raises(Refused, match="cannot become"):
        submitted(world, d)


def test_mails_carry_both_languages(world, django_capture_on_commit_callbacks):
    d = plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        submitted(world, d)
    message = mail.outbox[-1]
    assert message.to == ["d-kind@example.org"]
    assert "마스터플랜" in message.body and "Master plan" in message.body


def test_acceptance_gates_payments(world):
    d = plan(world)
    with pytest.raises(Refused, match="accepted deliverable"):
        delivery.record_payment(deliverable=d, by=world["kind"], amount=1_000,
                                paid_on=dt.date(2031, 6, 2), now=NOW)
    submitted(world, d)
    with pytest.raises(Refused, match="accepted deliverable"):
        delivery.record_payment(deliverable=d, by=world["kind"], amount=1_000,
                                paid_on=dt.date(2031, 6, 2), now=NOW)
    delivery.review_deliverable(deliverable=d, by=world["kind"], accept=True, now=NOW)
    for who in ("kaia", "contractor", "host"):
        with pytest.raises(Refused):
            delivery.record_payment(deliverable=d, by=world[who], amount=1_000,
                                    paid_on=dt.date(2031, 6, 2), now=NOW)
    for amount in (0, -5, 10.5, True):
        with pytest.raises(Refused, match="whole number"):
            delivery.record_payment(deliverable=d, by=world["kind"], amount=amount,
                                    paid_on=dt.date(2031, 6, 2), now=NOW)
    p = delivery.record_payment(deliverable=d, by=world["kind"], amount=100_000_000,
                                paid_on=dt.date(2031, 6, 2), now=NOW)
    assert (p.amount, p.recorded_by, p.project) == (100_000_000, world["kind"], world["project"])


def test_a_deliverable_carries_one_payment_or_up_to_its_share(world):
    single = accepted(world, title="A")
    delivery.record_payment(deliverable=single, by=world["kind"], amount=1_000,
                            paid_on=dt.date(2031, 6, 2), now=NOW)
    with pytest.raises(Refused, match="paid already"):
        delivery.record_payment(deliverable=single, by=world["kind"], amount=1_000,
                                paid_on=dt.date(2031, 6, 3), now=NOW)
    shared = accepted(world, title="B", share=50_000_000)
    delivery.record_payment(deliverable=shared, by=world["kind"], amount=30_000_000,
                            paid_on=dt.date(2031, 6, 2), now=NOW)
    with pytest.raises(Refused, match="share"):
        delivery.record_payment(deliverable=shared, by=world["kind"], amount=20_000_001,
                                paid_on=dt.date(2031, 6, 3), now=NOW)
    delivery.record_payment(deliverable=shared, by=world["kind"], amount=20_000_000,
                            paid_on=dt.date(2031, 6, 3), now=NOW)
    assert Payment.objects.filter(deliverable=shared).count() == 2


def test_the_ceiling_is_the_contract_value_never_the_award(world):
    project = world["project"]
    assert (project.award, project.contract_value, project.payable_ceiling) == (
        500_000_000, 400_000_000, 400_000_000)
    first = accepted(world, title="A")
    second = accepted(world, title="B")
    delivery.record_payment(deliverable=first, by=world["kind"], amount=300_000_000,
                            paid_on=dt.date(2031, 6, 2), now=NOW)
    # 150 million more would fit the award (500) but not the contract (400).
    with pytest.raises(Refused, match="above what it may be paid"):
        delivery.record_payment(deliverable=second, by=world["kind"], amount=150_000_000,
                                paid_on=dt.date(2031, 6, 3), now=NOW)
    delivery.record_payment(deliverable=second, by=world["kind"], amount=100_000_000,
                            paid_on=dt.date(2031, 6, 3), now=NOW)
    assert sum(Payment.objects.values_list("amount", flat=True)) == 400_000_000


def test_the_contract_value_never_falls_below_what_was_paid(world):
    project = world["project"]
    delivery.record_payment(deliverable=accepted(world), by=world["kind"], amount=300_000_000,
                            paid_on=dt.date(2031, 6, 2), now=NOW)
    for value in (299_999_999, 0, project.award + 1):
        with pytest.raises(Refused):
            services.set_contractor(project=project, by=world["kind"],
                                    contractor=project.contractor, contract_value=value, now=NOW)
        with pytest.raises(Refused):
            procurement.set_project_contractor(project=project, contractor=project.contractor,
                                               contract_value=value)
    project.refresh_from_db()
    assert project.contract_value == 400_000_000
    services.set_contractor(project=project, by=world["kind"], contractor=project.contractor,
                            contract_value=300_000_000, now=NOW)
    project.refresh_from_db()
    assert project.payable_ceiling == 300_000_000


@pytest.mark.postgres
def test_postgres_refuses_a_payment_above_the_ceiling_written_past_the_service(world):
    from django.db import DatabaseError, transaction

    d = accepted(world)
    Payment.objects.create(project=world["project"], deliverable=d, amount=400_000_000,
                           paid_on=dt.date(2031, 6, 2), recorded_by=world["kind"],
                           recorded_at=NOW)
    with pytest.raises(DatabaseError, match="payable ceiling"), transaction.atomic():
        Payment.objects.create(project=world["project"], deliverable=d, amount=1,
                               paid_on=dt.date(2031, 6, 2), recorded_by=world["kind"],
                               recorded_at=NOW)
    with pytest.raises(DatabaseError, match="payable ceiling"), transaction.atomic():
        Payment.objects.filter(deliverable=d).update(amount=400_000_001)
    assert sum(Payment.objects.values_list("amount", flat=True)) == 400_000_000


def test_overdue_list_and_reminders_once_per_day(world, django_capture_on_commit_callbacks):
    late = plan(world, title="Late", due=dt.date(2031, 5, 1))
    plan(world, title="Not yet", due=dt.date(2031, 7, 1))
    done = accepted(world, title="Done", due=dt.date(2031, 4, 1))
    today = delivery.seoul_today(NOW)
    assert list(delivery_selectors.overdue_for(world["kind"], today=today)) == [late]
    assert not delivery_selectors.overdue_for(world["kaia"], today=today).exists()
    assert not delivery_selectors.overdue_for(world["contractor"], today=today).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.remind_overdue(now=NOW) == [late]
    assert delivery.remind_overdue(now=NOW + dt.timedelta(hours=5)) == []  # same Korean day
    keys = list(OutboundEmail.objects.filter(key__startswith="deliverable-overdue:")
                .values_list("key", flat=True))
    assert keys == [f"deliverable-overdue:{late.pk}:2031-06-01"]
    reminder = mail.outbox[-1]
    assert reminder.to == ["d-contractor@example.org"]
    assert "2031-05-01" in reminder.body and "마스터플랜" in reminder.body
    assert "Late" in reminder.subject
    assert done.state == "accepted"
    # The next Korean day (UTC 15:00 is midnight in Seoul) reminds again.
    assert delivery.remind_overdue(now=dt.datetime(2031, 6, 1, 15, 0, tzinfo=dt.UTC)) == [late]


def test_remind_overdue_command_is_idempotent(world, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    plan(world, title="Late", due=timezone.localdate() - dt.timedelta(days=3))
    call_command("remind_overdue")
    call_command("remind_overdue")
    assert OutboundEmail.objects.filter(key__startswith="deliverable-overdue:").count() == 1


def test_states_change_only_through_the_machine(world):
    d = plan(world)
    assert d.state == DeliverableState.PENDING
    with pytest.raises(Refused, match="cannot become"):
        delivery.review_deliverable(deliverable=d, by=world["kind"], accept=True, now=NOW)


def test_the_worker_job_reminds_once_a_day(world, django_capture_on_commit_callbacks):
    from kcity.projects.delivery_tasks import remind_overdue_job

    plan(world, title="Late", due=timezone.localdate() - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        remind_overdue_job.enqueue()
    with django_capture_on_commit_callbacks(execute=True):
        remind_overdue_job.enqueue()
    assert OutboundEmail.objects.filter(key__startswith="deliverable-overdue:").count() == 1
    assert len([m for m in mail.outbox if "Late" in m.subject]) == 1
