"""What a project's delivery does: the secretariat defines the work plan (milestones and
deliverables with due dates), the contractor submits versions of a deliverable, the
secretariat accepts them or returns them with comments, and records the payments against
accepted deliverables; overdue deliverables are reminded by e-mail once a day.

Services take keyword arguments, the actor as `by=` and the time as `now=`, and return the
fresh object; they raise `Refused` (having written nothing) otherwise. The state of a
deliverable changes only through `delivery_lifecycle.transition`.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.applications.services import delete_stored_file, stored_upload
from kcity.core.errors import Refused
from kcity.core.text import is_blank
from kcity.jobs.models import OutboundEmail
from kcity.projects import delivery_emails, delivery_lifecycle, delivery_selectors
from kcity.projects.models import (
    Deliverable,
    DeliverableState,
    DeliverableSubmission,
    DeliverableType,
    Milestone,
    Payment,
    Project,
    ProjectState,
    ReviewDecision,
)

SEOUL = ZoneInfo("Asia/Seoul")
PLANNING_STATES = {ProjectState.AGREEMENT_PENDING, ProjectState.IN_PROGRESS}
PAYABLE_STATES = {ProjectState.IN_PROGRESS, ProjectState.COMPLETED}


def seoul_today(now=None) -> date:
    """The day it is in Korea (due dates and reminders are Korean days)."""
    return (now or timezone.now()).astimezone(SEOUL).date()


def _check_manager(project, by) -> None:
    if not permissions.can_manage_project(by, project):
        raise Refused(_("Only the secretariat of the project's track can do this."))


def _titles(title_en: str, title_ko: str) -> tuple[str, str]:
    if is_blank(title_en) or is_blank(title_ko):
        raise Refused(_("Give the title in English and in Korean."))
    return title_en.strip(), title_ko.strip()


# ---- the work plan ------------------------------------------------------------------------


def add_milestone(*, project: Project, by, title_en: str, title_ko: str, due_on: date,
                  now=None) -> Milestone:
    _check_manager(project, by)
    if project.state not in PLANNING_STATES:
        raise Refused(_("The work plan of this project can no longer be changed."))
    title_en, title_ko = _titles(title_en, title_ko)
    return Milestone.objects.create(project=project, title_en=title_en, title_ko=title_ko,
                                    due_on=due_on)


def add_deliverable(*, project: Project, by, kind: str, title_en: str, title_ko: str,
                    due_on: date, payment_share: int | None = None,
                    milestone: Milestone | None = None, now=None) -> Deliverable:
    _check_manager(project, by)
    if project.state not in PLANNING_STATES:
        raise Refused(_("The work plan of this project can no longer be changed."))
    if kind not in DeliverableType.values:
        raise Refused(_("Choose one of the deliverable types."))
    title_en, title_ko = _titles(title_en, title_ko)
    if payment_share is not None:
        if isinstance(payment_share, bool) or not isinstance(payment_share, int) \
                or payment_share <= 0:
            raise Refused(_("The payment share is a whole number of won above zero."))
        if payment_share > project.payable_ceiling:
            raise Refused(_("The payment share cannot exceed what the project may be paid."))
    if milestone is not None and milestone.project_id != project.pk:
        raise Refused(_("Choose a milestone of this project."))
    return Deliverable.objects.create(
        project=project, milestone=milestone, kind=kind, title_en=title_en, title_ko=title_ko,
        due_on=due_on, payment_share=payment_share, created_by=by,
    )


# ---- submissions and reviews ----------------------------------------------------------------


def submit_deliverable(*, deliverable: Deliverable, by, upload, note: str = "",
                       now=None) -> DeliverableSubmission:
    """The contractor hands in a version: the file is checked and stored as every upload is
    (`applications.services.stored_upload`), the submission row written and the deliverable
    moved to submitted, in one transaction. Returns the new submission."""
    now = now or timezone.now()
    project = deliverable.project
    if not permissions.is_project_contractor(by, project):
        raise Refused(_("Only the project's contractor can submit a deliverable."))
    if project.state != ProjectState.IN_PROGRESS:
        raise Refused(_("This project is not in progress."))
    if upload is None:
        raise Refused(_("Choose the file to upload."))
    # The shared upload check and storage; the file is kept on the submission, not among
    # the proposal's documents.
    document = stored_upload(proposal=project.proposal, by=by, upload=upload)
    try:
        with transaction.atomic():
            row = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
            number = row.submissions.count() + 1
            submission = DeliverableSubmission(
                deliverable=row, number=number, note=(note or "").strip(), submitted_by=by,
                submitted_at=now, original_name=document.original_name,
                content_type=document.content_type, size=document.size,
                sha256=document.sha256, has_javascript=document.has_javascript,
            )
            submission.file.name = document.file.name
            submission.save()
            delivery_lifecycle.transition(row, DeliverableState.SUBMITTED, by=by, now=now,
                                          locked=True, version=number)
    except Exception:
        delete_stored_file(file=document.file)
        raise
    return submission


def review_deliverable(*, deliverable: Deliverable, by, accept: bool, comment: str = "",
                       now=None) -> DeliverableSubmission:
    """The track's secretariat accepts the latest version, or returns it with comments (the
    contractor then submits again). Returns the reviewed submission."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not accept and not comment:
        raise Refused(_("Say what must change when returning a deliverable."))
    with transaction.atomic():
        row = Deliverable.objects.select_for_update().select_related(
            "project__proposal__track").get(pk=deliverable.pk)
        to = DeliverableState.ACCEPTED if accept else DeliverableState.RETURNED
        delivery_lifecycle.MACHINE.check(row, to, by)
        submission = row.submissions.order_by("-number").first()
        if submission is None or submission.decision:
            raise Refused(_("There is no version waiting for review."))
        submission.decision = ReviewDecision.ACCEPTED if accept else ReviewDecision.RETURNED
        submission.review_comment = comment
        submission.reviewed_by, submission.reviewed_at = by, now
        submission.save(update_fields=["decision", "review_comment", "reviewed_by",
                                       "reviewed_at"])
        delivery_lifecycle.transition(row, to, by=by, now=now, locked=True,
                                      version=submission.number)
    return submission


# ---- payments -------------------------------------------------------------------------------


def record_payment(*, deliverable: Deliverable, by, amount: int, paid_on: date,
                   now=None) -> Payment:
    """A payment against an accepted deliverable. The project row is locked, then the
    payments summed, so two payments recorded at once are checked one after the other: the
    project's payments never add up to more than its payable ceiling (the contract value,
    never the award). A deliverable carries one payment, or payments up to its share when it
    has one. PostgreSQL checks the ceiling once more (a trigger, migration 0005)."""
    now = now or timezone.now()
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Refused(_("The amount is a whole number of won above zero."))
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related(
            "proposal__track").get(pk=deliverable.project_id)
        _check_manager(project, by)
        if project.state not in PAYABLE_STATES:
            raise Refused(_("This project cannot be paid."))
        row = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
        if row.state != DeliverableState.ACCEPTED:
            raise Refused(_("Only an accepted deliverable can be paid."))
        on_deliverable = row.payments.aggregate(total=Sum("amount"))["total"] or 0
        if row.payment_share is None:
            if on_deliverable:
                raise Refused(_("This deliverable has been paid already."))
        elif on_deliverable + amount > row.payment_share:
            raise Refused(_("Payments for this deliverable cannot exceed its share of "
                            "%(share)s KRW.") % {"share": f"{row.payment_share:,}"})
        paid = project.payments.aggregate(total=Sum("amount"))["total"] or 0
        if paid + amount > project.payable_ceiling:
            raise Refused(_("This payment would bring the project's payments to %(total)s "
                            "KRW, above what it may be paid (%(ceiling)s KRW).") % {
                "total": f"{paid + amount:,}", "ceiling": f"{project.payable_ceiling:,}"})
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    project=project, deliverable=row, amount=amount, paid_on=paid_on,
                    recorded_by=by, recorded_at=now,
                )
        except IntegrityError as exc:  # the PostgreSQL trigger (check_violation)
            raise Refused(_("The database refused this payment: the project's payments "
                            "would exceed what it may be paid.")) from exc
    return payment


# ---- reminders ------------------------------------------------------------------------------


def remind_overdue(*, now=None) -> list[Deliverable]:
    """Queue a reminder (both languages) to the contractor of every overdue deliverable,
    once per deliverable per Korean day: the e-mail's key names the deliverable and the day,
    so running this again the same day queues nothing. Returns the deliverables reminded
    now. The worker and `kcity remind_overdue` both call this."""
    day = seoul_today(now)
    reminded = []
    for deliverable in delivery_selectors.overdue_deliverables(today=day):
        key = delivery_emails.reminder_key(deliverable, day)
        if OutboundEmail.objects.filter(key=key).exists():
            continue
        try:
            with transaction.atomic():
                delivery_emails.queue_reminder_mail(deliverable, day)
        except IntegrityError:  # queued by a run at the same moment
            continue
        reminded.append(deliverable)
    return reminded
