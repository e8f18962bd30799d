import logging
import os
import sys

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _
from django_tasks.signals import task_finished
from django_tasks_db.management.commands import db_worker

from kcity.core import pdf
from kcity.jobs import worker as heartbeat

log = logging.getLogger(__name__)


class RecyclingWorker(db_worker.Worker):
    """The library's worker loop, which also stops (between two jobs) once this process's
    resident memory passes `max_memory_kb` (WeasyPrint's font and layout caches grow with
    the receipts it renders)."""

    def __init__(self, *, max_memory_kb: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.max_memory_kb = max_memory_kb
        self.recycle_reason = None
        self.stopped_by_signal = False

    def shutdown(self, signum, frame) -> None:
        self.stopped_by_signal = True
        super().shutdown(signum, frame)

    def run_task(self, db_task_result) -> None:
        super().run_task(db_task_result)
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            self.recycle_reason = f"{self._run_tasks} jobs"
        elif self.max_memory_kb and heartbeat.rss_kb() > self.max_memory_kb:
            self.recycle_reason = f"{heartbeat.rss_kb() // 1024} MB"
            self.running = False


class Command(db_worker.Command):
    help = _(
        "Run the background jobs (e-mails, receipt PDFs) with django_tasks_db's worker, "
        "with a heartbeat that hands the jobs of a dead worker to the living."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--max-jobs", type=int, default=settings.KCITY_WORKER_MAX_JOBS,
            help=_("start afresh (same process id, new memory) after this many jobs; 0: never"),
        )
        parser.add_argument(
            "--max-memory", type=int, default=settings.KCITY_WORKER_MAX_MEMORY_MB,
            help=_("start afresh after a job that leaves more than this many MB resident; "
                   "0: never"),
        )
        parser.add_argument(
            "--no-isolate-pdf", dest="isolate_pdf", action="store_false",
            help=_("render PDFs in this process instead of a short-lived child process"),
        )
        # Reloading kills jobs midway: off unless asked for, also in demo mode.
        parser.set_defaults(reload=False, interval=0.2)

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        done = {"n": 0}

        def count(sender, **kwargs):
            done["n"] += 1

        self.configure_logging(options["verbosity"])
        if options["isolate_pdf"]:
            pdf.isolate_renders()  # WeasyPrint's caches grow in children, not here
        task_finished.connect(count, weak=False)
        beat = heartbeat.Heartbeat(worker_id, lambda: done["n"])
        heartbeat.beat(worker_id, beat.started_at)
        beat.start()
        max_jobs = options["max_jobs"] or options["max_tasks"]
        worker = RecyclingWorker(
            queue_names=options["queue_name"].split(","), interval=options["interval"],
            batch=options["batch"], backend_name=options["backend_name"],
            startup_delay=options["startup_delay"], max_tasks=max_jobs or None,
            worker_id=worker_id,
            excluded_queue_names=[q for q in (options["exclude_queues"] or "").split(",") if q],
            max_memory_kb=(options["max_memory"] or 0) * 1024,
        )
        try:
            if options["reload"]:
                if os.environ.get(db_worker.DJANGO_AUTORELOAD_ENV) == "true":
                    worker.configure_signals()
                db_worker.run_with_reloader(worker.run)
            else:
                worker.configure_signals()
                worker.run()
        finally:
            beat.stopping.set()
            beat.join(timeout=5)
            task_finished.disconnect(count)
        if worker.recycle_reason and not worker.stopped_by_signal and not options["batch"]:
            self.recycle(worker_id, worker.recycle_reason)

    def recycle(self, worker_id: str, reason: str) -> None:
        """Replace this process by a fresh `kcity worker` with the same arguments and worker
        id (exec: same process id, so a supervisor or the benchmark sees one worker whose
        memory drops). Only when started as `kcity worker`; otherwise just return."""
        if sys.argv[1:2] != ["worker"]:
            return
        log.warning("worker %s starts afresh after %s", worker_id, reason)
        argv = [sys.executable, "-m", "kcity.cli", *sys.argv[1:]]
        if not any(a == "--worker-id" or a.startswith("--worker-id=") for a in argv):
            argv += ["--worker-id", worker_id]
        connections.close_all()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)
