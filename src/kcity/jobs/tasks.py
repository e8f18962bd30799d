"""The background jobs: e-mails and receipt PDFs, queued in the caller's transaction.

`queue_email` and `queue_receipt` must be called inside the transaction that makes the state
change: the e-mail row and its job (a django_tasks_db row) commit or roll back with it. The
worker (`kcity worker`) runs the jobs; a failed job is queued again with exponential backoff
up to `MAX_ATTEMPTS`; each job is idempotent (an e-mail whose row is marked sent is not sent
again; a receipt already rendered is not rendered again), so a job done twice after a worker
died sends nothing twice.
"""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django_tasks import task

from kcity.jobs.models import OutboundEmail, ReceiptPDF

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 5  # 5 s, 10 s, 20 s, ... capped at one hour


class Dropped(Exception):
    """Raised by an e-mail handler when the mail's cause is gone (e.g. the consortium member
    was removed before the invitation went out): the job ends quietly, without a retry, and
    the e-mail's row says why it was not sent."""


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_SECONDS * 2 ** (attempt - 1), 3600))


def retry_later(job, attempt: int, *args) -> bool:
    """Queue `job` again after the backoff; False when the attempts are used up or the backend
    cannot defer (the immediate backend of the tests reports the failure instead)."""
    backend = job.get_backend()
    if attempt >= MAX_ATTEMPTS or not backend.supports_defer:
        return False
    job.using(run_after=timezone.now() + backoff(attempt)).enqueue(*args, attempt=attempt + 1)
    return True


def queue_email(key: str, handler: str, *, proposal=None, **params) -> OutboundEmail:
    """Record an e-mail and queue its job, in the current transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_email must be called inside the state change's transaction")
    email = OutboundEmail.objects.create(key=key, handler=handler, params=params,
                                         proposal=proposal)
    deliver_email.enqueue(email.pk)
    return email


@task()
def deliver_email(email_pk: int, attempt: int = 1) -> str:
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.select_for_update().get(pk=email_pk)
            if email.sent_at is not None:
                return "already sent"
            import_string(email.handler)(**email.params)
            email.sent_at = timezone.now()
            email.attempts += 1
            email.last_error = ""
            email.save(update_fields=["sent_at", "attempts", "last_error"])
            return "sent"
    except Dropped as exc:
        OutboundEmail.objects.filter(pk=email_pk, sent_at__isnull=True).update(
            attempts=attempt, last_error=f"dropped: {exc}"[:2000])
        log.info("e-mail %s dropped: %s", email_pk, exc)
        return "dropped"
    except Exception as exc:
        OutboundEmail.objects.filter(pk=email_pk, sent_at__isnull=True).update(
            attempts=attempt, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        if retry_later(deliver_email, attempt, email_pk):
            log.warning("e-mail %s failed (attempt %s), retrying: %s", email_pk, attempt, exc)
        raise


def queue_receipt(submission) -> None:
    """Queue the rendering of a submission's receipt PDF, in the current transaction."""
    render_receipt.enqueue(submission.pk)


@task()
def render_receipt(submission_pk: int, attempt: int = 1) -> str:
    from kcity.applications import receipts
    from kcity.applications.models import Submission

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
