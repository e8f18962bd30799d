"""The delivery's background job: the overdue reminders, as the worker runs them.

`remind_overdue_job.enqueue()` (from a scheduler, or `kcity remind_overdue` run by cron)
queues one reminder per overdue deliverable per Korean day; run twice, it queues nothing
more (the e-mail's idempotency key)."""

from django_tasks import task

from kcity.projects import delivery


@task()
def remind_overdue_job() -> int:
    return len(delivery.remind_overdue())
