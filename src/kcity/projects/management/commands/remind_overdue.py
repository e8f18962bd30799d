"""`kcity remind_overdue`: e-mail the contractor of every overdue deliverable (both
languages), at most once per deliverable per Korean day; running it twice a day is safe."""

from django.core.management.base import BaseCommand

from kcity.projects import delivery


class Command(BaseCommand):
    help = "Queue a reminder for every overdue deliverable (once per deliverable per day)."

    def handle(self, *args, **options):
        reminded = delivery.remind_overdue()
        self.stdout.write(f"{len(reminded)} reminder(s) queued.")
