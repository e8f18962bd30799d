"""Fixtures for the queue tests: the real database backend of django_tasks_db, run by the
library's worker loop in this process (batch mode: every due job, then return)."""

import pytest
from django_tasks_db.management.commands.db_worker import Worker

from kcity.accounts.models import User
from kcity.applications.demo import _attach_all, _demonstration
from kcity.programs.models import Track


@pytest.fixture(autouse=True)
def database_jobs(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_worker():
    def run(worker_id: str = "test-worker") -> None:
        Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
               startup_delay=False, max_tasks=None, worker_id=worker_id,
               excluded_queue_names=[]).run()

    return run


@pytest.fixture
def applicant(demo):
    return User.objects.get(username="company-applicant")


@pytest.fixture
def ready_proposal(demo, applicant):
    from django_tasks_db.models import DBTaskResult

    from kcity.jobs.models import OutboundEmail

    track = Track.objects.get(cycle__year=2028, code="DEMO")
    proposal = _demonstration(track, applicant, User.objects.get(username="partner"),
                              "Queue test crosswalk")
    _attach_all(proposal, applicant)
    # The jobs the demo and the invitation queued are not this test's business.
    DBTaskResult.objects.all().delete()
    OutboundEmail.objects.all().delete()
    return proposal
