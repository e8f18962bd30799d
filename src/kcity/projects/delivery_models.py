"""A project's delivery: the work plan (milestones and deliverables with due dates), each
deliverable's submissions and reviews (the full history), its audit events and the payments
tied to accepted deliverables.

Imported at the end of `kcity.projects.models` so Django finds the models; it names the
project by its label ("projects.Project") and reads the deliverable types from the project's
own field, so the two modules do not import each other. The deliverable's lifecycle is
`kcity.projects.delivery_lifecycle`; the payment ceiling is kept by
`kcity.projects.delivery.record_payment` (a locked sum) and, on PostgreSQL, by a trigger
(migration 0005)."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = ["Deliverable", "DeliverableEvent", "DeliverableState", "DeliverableSubmission",
           "Milestone", "Payment", "ReviewDecision"]


def deliverable_types():
    """The deliverable types of a project (`projects.models.DeliverableType`)."""
    return apps.get_model("projects", "Project")._meta.get_field("deliverable_type").choices


def _localised_title(row) -> str:
    """The title in the reader's language (Korean or English)."""
    return row.title_ko if (get_language() or "").startswith("ko") else row.title_en


class DeliverableState(models.TextChoices):
    PENDING = "pending", _("pending")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")


class Milestone(models.Model):
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE,
        related_name="milestones",
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return _localised_title(self)


class Deliverable(models.Model):
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE,
        related_name="deliverables",
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="deliverables",
    )
    kind = models.CharField(_("type"), max_length=24, choices=deliverable_types)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    due_on = models.DateField(_("due on"))
    payment_share = models.BigIntegerField(
        _("payment share (KRW)"), null=True, blank=True,
        help_text=_("At most this much may be paid against this deliverable."),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=DeliverableState.choices,
        default=DeliverableState.PENDING,
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_share__isnull=True) | Q(payment_share__gt=0),
                name="deliverable_share_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return _localised_title(self)


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("returned")


class DeliverableSubmission(models.Model):
    """One version the contractor handed in, and the secretariat's review of it."""

    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.CASCADE,
        related_name="submissions",
    )
    number = models.PositiveIntegerField(_("version"))
    # The file, checked and stored as every upload is (applications.services.stored_upload),
    # kept here rather than among the proposal's documents (which evaluators read).
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=160)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    has_javascript = models.BooleanField(_("contains JavaScript"), default=False)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=ReviewDecision.choices, blank=True
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deliverable submission")
        verbose_name_plural = _("deliverable submissions")
        ordering = ["deliverable", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "number"],
                                    name="one_submission_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} v{self.number}"


class DeliverableEvent(models.Model):
    """The audit trail of a deliverable: every move, who made it and when (UTC)."""

    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.CASCADE,
        related_name="events",
    )
    from_state = models.CharField(_("from"), max_length=12)
    to_state = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deliverable event")
        verbose_name_plural = _("deliverable events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.from_state} → {self.to_state}"


class Payment(models.Model):
    """A payment against an accepted deliverable. The payments of a project never add up to
    more than its payable ceiling (the contract value, never above the award)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
        related_name="payments",
    )
    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("deliverable"), on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.BigIntegerField(_("amount (KRW)"))
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.amount:,} KRW"
