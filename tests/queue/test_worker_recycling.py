"""A `kcity worker` starts afresh (same process id, fresh memory) after --max-jobs jobs or
once a job leaves it above --max-memory MB, between two jobs, losing none."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kcity.jobs import tasks
from kcity.jobs.management.commands.worker import RecyclingWorker
from kcity.jobs.models import OutboundEmail, WorkerHeartbeat

# The real worker loop closes a connection left in a transaction: transactional tests.
pytestmark = pytest.mark.django_db(transaction=True)


def _queue_mails(n):
    with transaction.atomic():
        for i in range(n):
            tasks.queue_email(f"recycle-test:{i}", "django.core.mail.send_mail",
                              subject=f"Test {i}", message="Body", from_email=None,
                              recipient_list=[f"r{i}@example.org"])


def _worker(**kwargs):
    return RecyclingWorker(queue_names=["default"], interval=0, batch=True,
                           backend_name="default", startup_delay=False, worker_id="w",
                           excluded_queue_names=[], **kwargs)


def test_the_worker_stops_between_jobs_when_memory_passes_the_limit():
    _queue_mails(3)
    worker = _worker(max_tasks=None, max_memory_kb=1)  # any process is above 1 kB
    worker.run()
    assert worker.recycle_reason.endswith("MB")
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == [TaskResultStatus.READY] * 2 + [TaskResultStatus.SUCCESSFUL]
    _worker(max_tasks=None, max_memory_kb=0).run()  # the next one does the rest
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_the_worker_counts_jobs_for_max_jobs():
    _queue_mails(3)
    worker = _worker(max_tasks=2, max_memory_kb=0)
    worker.run()
    assert worker.recycle_reason == "2 jobs"
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.postgres  # the test database of SQLite is in memory, not shared with a process
def test_kcity_worker_execs_afresh_with_the_same_pid_and_loses_no_job():
    from django.conf import settings

    import kcity

    db = settings.DATABASES["default"]
    env = dict(
        os.environ, PYTHONPATH=str(Path(kcity.__file__).resolve().parents[1]),
        KCITY_WORKER_HEARTBEAT="0.2", KCITY_MODE="demo",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    _queue_mails(7)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcity.cli", "worker", "--worker-id", "recycling-worker",
         "--no-startup-delay", "--max-jobs", "2", "--max-memory", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    starts = set()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            beat = WorkerHeartbeat.objects.filter(worker_id="recycling-worker").first()
            if beat is not None:
                assert beat.pid == proc.pid  # exec: the same process, started afresh
                starts.add(beat.started_at)
            if not OutboundEmail.objects.filter(sent_at__isnull=True).exists():
                break
            time.sleep(0.05)
        assert proc.poll() is None  # still running after its recycles
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
    jobs = DBTaskResult.objects.all()
    assert [j.status for j in jobs] == [TaskResultStatus.SUCCESSFUL] * 7
    assert all(j.worker_ids == ["recycling-worker"] for j in jobs)
    assert len(starts) >= 3  # 7 jobs at 2 per life: at least four lives, three seen at least
