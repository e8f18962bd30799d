from django.utils.translation import gettext as _
from django_tasks.signals import task_finished
from django_tasks_db.management.commands import db_worker

from kcity.jobs import worker as heartbeat


class Command(db_worker.Command):
    help = _(
        "Run the background jobs (e-mails, receipt PDFs) with django_tasks_db's worker, "
        "with a heartbeat that hands the jobs of a dead worker to the living."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Reloading kills jobs midway: off unless asked for, also in demo mode.
        parser.set_defaults(reload=False, interval=0.2)

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        done = {"n": 0}

        def count(sender, **kwargs):
            done["n"] += 1

        task_finished.connect(count, weak=False)
        beat = heartbeat.Heartbeat(worker_id, lambda: done["n"])
        heartbeat.beat(worker_id, beat.started_at)
        beat.start()
        try:
            super().handle(*args, **options)
        finally:
            beat.stopping.set()
            task_finished.disconnect(count)
