"""The annual report's background job: the worker renders the PDF once and stores it.

`report_services.request_report` queues it inside the transaction that writes the report's
row. The job is idempotent: a report already rendered is not rendered again. It renders in
the report's language, in a child process when the worker asked for that (`core.pdf`).
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from kcity.core.pdf import html_to_pdf
from kcity.jobs.tasks import retry_later
from kcity.opendata.report import render_html
from kcity.opendata.report_models import AnnualReport

log = logging.getLogger(__name__)


def store_pdf(report: AnnualReport, pdf: bytes, *, now) -> AnnualReport:
    """Save a rendered PDF on its row: the file, its SHA-256, its size and when."""
    report.file.save(report.filename(), ContentFile(pdf), save=False)
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.size = len(pdf)
    report.created_at = now
    report.failure = ""
    report.save(update_fields=["file", "sha256", "size", "created_at", "failure"])
    return report


@task()
def render_report(report_pk: int, attempt: int = 1) -> str:
    report = AnnualReport.objects.get(pk=report_pk)
    if report.ready:
        return "already rendered"
    try:
        html = render_html(year=report.year, language=report.language,
                           public=not report.confidential)
        pdf = html_to_pdf(html)
        with transaction.atomic():
            locked = AnnualReport.objects.select_for_update().get(pk=report_pk)
            if locked.ready:  # another worker rendered it meanwhile
                return "already rendered"
            store_pdf(locked, pdf, now=timezone.now())
        return "rendered"
    except Exception as exc:
        if retry_later(render_report, attempt, report_pk):
            log.warning("annual report %s failed (attempt %s)", report_pk, attempt)
        else:
            AnnualReport.objects.filter(pk=report_pk, created_at__isnull=True).update(
                failure=f"{type(exc).__name__}: {exc}"[:2000])
        raise
