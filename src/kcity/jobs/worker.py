"""The worker's heartbeat and the hand-over of jobs whose worker died.

django_tasks_db marks a job RUNNING when a worker claims it and never looks at it again; a
worker killed mid-job leaves it RUNNING for ever. Each `kcity worker` therefore refreshes a
heartbeat row every `HEARTBEAT_SECONDS` from a thread, and puts back to READY every RUNNING
job whose last worker has not been seen for `DEAD_AFTER_SECONDS`; the jobs are idempotent,
so doing one again sends nothing twice.
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kcity.jobs.models import WorkerHeartbeat

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = float(os.environ.get("KCITY_WORKER_HEARTBEAT", "2"))
DEAD_AFTER_SECONDS = float(os.environ.get("KCITY_WORKER_DEAD_AFTER", "10"))


def rss_kb() -> int:
    """This process's resident memory (Linux), 0 where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def beat(worker_id: str, started_at, tasks_done: int = 0) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(),
                  "started_at": started_at, "seen_at": now, "rss_kb": rss_kb(),
                  "tasks_done": tasks_done},
    )


def requeue_orphans(now=None) -> int:
    """Put back to READY the RUNNING jobs whose worker is not alive; returns how many."""
    now = now or timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(
            seen_at__gte=now - timedelta(seconds=DEAD_AFTER_SECONDS)
        ).values_list("worker_id", flat=True)
    )
    grace = now - timedelta(seconds=DEAD_AFTER_SECONDS)
    handed = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=grace
        )
        for job in running:
            last = job.worker_ids[-1] if job.worker_ids else None
            if last in alive:
                continue
            job.status = TaskResultStatus.READY
            job.started_at = None
            job.save(update_fields=["status", "started_at"])
            handed += 1
    if handed:
        log.warning("handed %s job(s) of dead workers back to the queue", handed)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return handed


class Heartbeat(threading.Thread):
    """Runs beside the library's worker loop, on its own database connection."""

    def __init__(self, worker_id: str, counter):
        super().__init__(daemon=True, name="kcity-heartbeat")
        self.worker_id, self.counter = worker_id, counter
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    close_old_connections()
                    beat(self.worker_id, self.started_at, self.counter())
                    requeue_orphans()
                except Exception:  # noqa: BLE001 (the database may be away for a while)
                    log.exception("worker heartbeat failed")
                self.stopping.wait(HEARTBEAT_SECONDS)
        finally:
            connection.close()
