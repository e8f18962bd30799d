"""A job whose worker died is handed to a living worker, done again, and sends once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kcity.applications import services
from kcity.jobs import tasks, worker
from kcity.jobs.models import OutboundEmail, WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)


def _claim_as_dead_worker(job, seconds_ago=60):
    job.claim("dead-worker")
    DBTaskResult.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    WorkerHeartbeat.objects.create(
        worker_id="dead-worker", host="h", pid=1, started_at=timezone.now(),
        seen_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_a_job_claimed_by_a_dead_worker_is_done_again(ready_proposal, applicant, run_worker):
    services.submit_proposal(proposal=ready_proposal, by=applicant, key=services.new_submit_key())
    job = DBTaskResult.objects.get(task_path="kcity.jobs.tasks.deliver_email")
    _claim_as_dead_worker(job)
    run_worker()  # the library's loop alone leaves a RUNNING job alone
    assert mail.outbox == []
    assert worker.requeue_orphans() == 1
    run_worker("second-worker")
    assert len(mail.outbox) == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.worker_ids == ["dead-worker", "second-worker"]


def test_a_job_that_died_after_sending_does_not_send_twice(
    ready_proposal, applicant, run_worker
):
    services.submit_proposal(proposal=ready_proposal, by=applicant, key=services.new_submit_key())
    job = DBTaskResult.objects.get(task_path="kcity.jobs.tasks.deliver_email")
    _claim_as_dead_worker(job)
    # The dead worker had sent the e-mail and committed it, then died before the library
    # recorded the job as done.
    assert tasks.deliver_email.call(*job.args_kwargs["args"]) == "sent"
    assert len(mail.outbox) == 1
    assert worker.requeue_orphans() == 1
    run_worker("second-worker")
    assert len(mail.outbox) == 1  # the idempotency key: sent once
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL and job.return_value == "already sent"


def test_a_live_workers_job_is_left_alone(ready_proposal, applicant):
    services.submit_proposal(proposal=ready_proposal, by=applicant, key=services.new_submit_key())
    job = DBTaskResult.objects.get(task_path="kcity.jobs.tasks.deliver_email")
    job.claim("live-worker")
    DBTaskResult.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(minutes=5)
    )
    worker.beat("live-worker", timezone.now())
    assert worker.requeue_orphans() == 0
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


@pytest.mark.postgres  # the test database of SQLite is in memory, not shared with a process
def test_a_sigkilled_kcity_worker_hands_its_job_over(ready_proposal, applicant, run_worker):
    """The real `kcity worker` claims the job and is SIGKILLed mid-job (its e-mail backend
    hangs); its heartbeat stops, the job is handed over, done again, and sent once."""
    from django.conf import settings

    import kcity

    db = settings.DATABASES["default"]
    env = dict(
        os.environ, PYTHONPATH=str(Path(kcity.__file__).resolve().parents[1]),
        KCITY_WORKER_HEARTBEAT="0.2", KCITY_MODE="demo",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        EMAIL_BACKEND="kcity.jobs.testing_mail.HangingBackend",
    )
    services.submit_proposal(proposal=ready_proposal, by=applicant, key=services.new_submit_key())
    DBTaskResult.objects.filter(task_path="kcity.applications.tasks.render_receipt").delete()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcity.cli", "worker", "--worker-id", "sub-worker",
         "--no-startup-delay"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(
            worker_id="sub-worker"
        ).exists():
            time.sleep(0.1)
        first = WorkerHeartbeat.objects.get(worker_id="sub-worker")
        assert first.pid == proc.pid and first.rss_kb > 0
        while time.monotonic() < deadline and not DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING
        ).exists():
            time.sleep(0.1)
        job = DBTaskResult.objects.get(status=TaskResultStatus.RUNNING)
        assert job.worker_ids == ["sub-worker"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert mail.outbox == [] and OutboundEmail.objects.get().sent_at is None
    later = timezone.now() + timedelta(seconds=worker.DEAD_AFTER_SECONDS + 1)
    assert worker.requeue_orphans(now=later) == 1
    run_worker("second-worker")
    run_worker("third-worker")
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().sent_at is not None
