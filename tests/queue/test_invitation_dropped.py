"""Issue 15 item 6: an invitation whose consortium member was removed before the worker sent
it is dropped quietly (logged at info, the job completes, no retry), not raised and retried
eight times with tracebacks."""

import logging

import pytest
from django.core import mail
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kcity.applications import services
from kcity.applications.models import ConsortiumMember
from kcity.jobs.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


def test_invitation_of_a_removed_member_is_dropped_quietly(ready_proposal, applicant,
                                                           run_worker, caplog):
    member = services.invite_member(proposal=ready_proposal, by=applicant, name="Late partner",
                                    email="late@example.org", role="site_host")
    email = OutboundEmail.objects.get(key=f"invitation:{member.pk}")
    services.remove_member(member=member, by=applicant)
    assert not ConsortiumMember.objects.filter(pk=member.pk).exists()

    with caplog.at_level(logging.INFO):
        run_worker()
    [job] = DBTaskResult.objects.all()  # no second attempt queued
    assert job.task_path == "kcity.jobs.tasks.deliver_email"
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == "dropped"
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1
    assert email.last_error.startswith("dropped: consortium member")
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert [r.levelno for r in dropped] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_invitation_of_a_present_member_is_still_sent(ready_proposal, applicant, run_worker):
    member = services.invite_member(proposal=ready_proposal, by=applicant, name="Partner",
                                    email="present@example.org", role="site_host")
    run_worker()
    [sent] = mail.outbox
    assert sent.to == ["present@example.org"] and member.token in sent.body
    assert OutboundEmail.objects.get(key=f"invitation:{member.pk}").sent_at is not None
