"""Jobs are queued in the transaction of the change: rolled back, they never run; committed,
a submission always has its e-mail and its receipt job, and the worker does them."""

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kcity.applications import services
from kcity.applications.models import ReceiptPDF, Submission
from kcity.jobs import tasks
from kcity.jobs.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


def test_a_job_queued_in_a_rolled_back_transaction_never_runs(ready_proposal, run_worker):
    with pytest.raises(Boom), transaction.atomic():
        tasks.queue_email("test:rolled-back", "django.core.mail.send_mail",
                          subject="never", message="never", from_email=None,
                          recipient_list=["x@example.org"])
        assert DBTaskResult.objects.count() == 1  # queued inside the transaction
        raise Boom
    assert DBTaskResult.objects.count() == 0 and OutboundEmail.objects.count() == 0
    run_worker()
    assert mail.outbox == []


def test_queue_email_refuses_to_run_outside_a_transaction(ready_proposal):
    with pytest.raises(RuntimeError, match="inside the state change"):
        tasks.queue_email("test:autocommit", "django.core.mail.send_mail")
    assert DBTaskResult.objects.count() == 0


def test_a_submission_commits_with_its_email_and_receipt_jobs(
    ready_proposal, applicant, run_worker
):
    submission = services.submit_proposal(proposal=ready_proposal, by=applicant,
                                          key=services.new_submit_key())
    [email] = OutboundEmail.objects.filter(proposal=ready_proposal)
    assert email.key.startswith("state:") and email.sent_at is None
    jobs = {j.task_path: j for j in DBTaskResult.objects.all()}
    assert set(jobs) == {
        "kcity.jobs.tasks.deliver_email", "kcity.applications.tasks.render_receipt"
    }
    assert jobs["kcity.jobs.tasks.deliver_email"].args_kwargs["args"] == [email.pk]
    assert jobs["kcity.applications.tasks.render_receipt"].args_kwargs["args"] == [submission.pk]
    assert mail.outbox == []  # nothing is sent on the request path

    run_worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    [sent] = mail.outbox
    assert submission.receipt_number in sent.subject
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    pdf = ReceiptPDF.objects.get(submission=submission)
    with pdf.file.open("rb") as f:
        assert f.read(4) == b"%PDF"


def test_a_submission_that_fails_late_leaves_no_row_and_no_job(ready_proposal, applicant):
    with (mock.patch("kcity.applications.services.queue_receipt", side_effect=Boom),
          pytest.raises(Boom)):
        services.submit_proposal(proposal=ready_proposal, by=applicant,
                                 key=services.new_submit_key())
    assert not Submission.objects.filter(proposal=ready_proposal).exists()
    assert not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()
    ready_proposal.refresh_from_db()
    assert ready_proposal.state == "draft"


def test_a_failing_email_is_retried_later_with_backoff(ready_proposal, applicant, run_worker):
    services.submit_proposal(proposal=ready_proposal, by=applicant, key=services.new_submit_key())
    with mock.patch("kcity.applications.emails.send_mail", side_effect=OSError("smtp down")):
        run_worker()
    email = OutboundEmail.objects.get()
    assert email.sent_at is None and email.attempts == 1 and "smtp down" in email.last_error
    failed = DBTaskResult.objects.get(task_path="kcity.jobs.tasks.deliver_email",
                                      status=TaskResultStatus.FAILED)
    retry = DBTaskResult.objects.get(task_path="kcity.jobs.tasks.deliver_email",
                                     status=TaskResultStatus.READY)
    assert retry.args_kwargs == {"args": [email.pk], "kwargs": {"attempt": 2}}
    delay = (retry.run_after - failed.finished_at).total_seconds()
    assert tasks.BACKOFF_SECONDS - 1 <= delay <= tasks.BACKOFF_SECONDS + 1
    assert mail.outbox == []
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=failed.finished_at)  # time passes
    run_worker()
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2
