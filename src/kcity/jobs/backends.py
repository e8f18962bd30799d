"""A task backend for the tests: each job runs in-process right after its transaction
commits (as a worker would first see it), and never when the transaction rolls back."""

from functools import partial

from django.db import transaction
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.utils import get_random_id


class AfterCommitBackend(ImmediateBackend):
    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None,
            started_at=None, last_attempted_at=None, finished_at=None, args=args,
            kwargs=kwargs, backend=self.alias, errors=[], worker_ids=[],
        )
        transaction.on_commit(partial(self._execute_task, result))
        return result
