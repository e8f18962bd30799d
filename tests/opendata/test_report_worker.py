"""The annual report's job on the real database queue: queued in the transaction that writes
the report's row (rolled back, nothing is left), rendered once by the worker, in a child
process as `kcity worker` renders PDFs."""

import hashlib

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from stats_world import YEAR, build_world

from kcity.core import pdf
from kcity.opendata.report_models import AnnualReport
from kcity.opendata.report_services import request_report

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def database_jobs(settings, tmp_path, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(pdf, "_isolate_by_default", True)  # as the worker sets it


def run_worker() -> None:
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="report-worker",
           excluded_queue_names=[]).run()


def test_the_report_is_queued_with_its_row_and_rendered_once_by_the_worker():
    world = build_world(history=False)
    with pytest.raises(Boom), transaction.atomic():
        request_report(year=YEAR, language="en", confidential=True, by=world["secretariat"],
                       now=timezone.now())
        assert DBTaskResult.objects.count() == 1
        raise Boom
    assert not AnnualReport.objects.exists() and not DBTaskResult.objects.exists()

    report = request_report(year=YEAR, language="ko", confidential=False,
                            by=world["secretariat"], now=timezone.now())
    [job] = DBTaskResult.objects.all()
    assert job.task_path == "kcity.opendata.report_tasks.render_report"
    assert job.args_kwargs["args"] == [report.pk]
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    report.refresh_from_db()
    assert report.ready and report.language == "ko" and not report.confidential
    data = report.file.open("rb").read()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == report.sha256
    assert report.size == len(data)
    first = report.created_at
    from kcity.opendata.report_tasks import render_report

    render_report.enqueue(report.pk)  # a job done twice renders nothing new
    run_worker()
    report.refresh_from_db()
    assert report.created_at == first and AnnualReport.objects.count() == 1
