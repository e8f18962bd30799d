"""The applications' background job: a submission's receipt PDF, rendered by the worker.

`queue_receipt` is called inside the submission's transaction, so the job commits or rolls
back with it; the job is idempotent (a receipt already rendered is not rendered again).
"""

import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import translation
from django_tasks import task

from kcity.applications import receipts
from kcity.applications.models import ReceiptPDF, Submission
from kcity.jobs.tasks import retry_later

log = logging.getLogger(__name__)


def queue_receipt(submission) -> None:
    """Queue the rendering of a submission's receipt PDF, in the current transaction."""
    render_receipt.enqueue(submission.pk)


@task()
def render_receipt(submission_pk: int, attempt: int = 1) -> str:
    if ReceiptPDF.objects.filter(submission_id=submission_pk).exists():
        return "already rendered"
    try:
        submission = Submission.objects.select_related(
            "proposal__track__cycle", "submitted_by"
        ).get(pk=submission_pk)
        lang = (submission.submitted_by.preferred_language if submission.submitted_by
                else "") or "en"
        with translation.override(lang):
            pdf = receipts.render_pdf(submission)
        receipt = ReceiptPDF(submission=submission, language=lang)
        receipt.file.save(f"{submission.receipt_number}.pdf", ContentFile(pdf), save=False)
        try:
            with transaction.atomic():
                receipt.save()
        except IntegrityError:  # another worker rendered it meanwhile (unique submission)
            receipt.file.storage.delete(receipt.file.name)
            return "already rendered"
        return "rendered"
    except Exception:
        if retry_later(render_receipt, attempt, submission_pk):
            log.warning("receipt of submission %s failed (attempt %s)", submission_pk, attempt)
        raise
