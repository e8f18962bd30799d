"""Experts, conflicts, panels, score sheets, consultations, presentations and the audit trail.

Models hold data and the constraints that must hold under concurrent requests (one sheet per
evaluator, proposal and panel; one score per criterion; one active seat per evaluator). Every
write goes through `kcity.evaluation.services`; who sees what is decided in
`kcity.accounts.permissions`.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kcity.applications.models import Document, Proposal, ProposalState
from kcity.programs.models import Criterion, Stage, Track


class ExpertProfile(models.Model):
    """An evaluator in the expert pool; the affiliation is the user's organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.CASCADE,
        related_name="expert_profile",
    )
    fields = models.JSONField(_("fields of expertise"), default=list, blank=True)
    countries = models.JSONField(_("countries worked in (ISO codes)"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def affiliation(self):
        return self.user.organisation


class ConflictDeclaration(models.Model):
    """The evaluator's answer when first shown a proposal's title and applicant.

    `has_conflict=False` is the evaluator's statement of no conflict, which opens the content;
    `has_conflict=True` (with a reason) closes the proposal to this evaluator for good.
    """

    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.CASCADE,
        related_name="conflict_declarations",
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
        related_name="conflict_declarations",
    )
    has_conflict = models.BooleanField(_("conflict of interest"))
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict declaration")
        verbose_name_plural = _("conflict declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "proposal"], name="one_declaration_per_evaluator_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} / {self.proposal}"


# The proposal states in which a panel takes a proposal, and its consultations go on.
PANEL_STATES = (ProposalState.ELIGIBLE, ProposalState.UNDER_EVALUATION, ProposalState.EVALUATED)


class PanelStatus(models.TextChoices):
    OPEN = "open", _("Open for scoring")
    CLOSED = "closed", _("Closed")


class Panel(models.Model):
    """The experts who evaluate one stage of one track, drawn with a recorded seed."""

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="panels"
    )
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices)
    size = models.PositiveSmallIntegerField(
        _("number of experts"), validators=[MinValueValidator(1)]
    )
    seed = models.BigIntegerField(_("draw seed"), null=True, blank=True)
    # Changes only through kcity.evaluation.lifecycle.transition.
    status = models.CharField(
        _("status"), max_length=8, choices=PanelStatus.choices, default=PanelStatus.OPEN
    )
    proposals = models.ManyToManyField(
        Proposal, verbose_name=_("proposals"), related_name="eval_panels", blank=True
    )
    results_released = models.BooleanField(_("results released to applicants"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        ordering = ["track", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["track", "stage"], name="one_panel_per_track_stage")
        ]

    def __str__(self) -> str:
        return f"{self.track} · {self.get_stage_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status == PanelStatus.CLOSED


class PanelMember(models.Model):
    """A seat on a panel. A replaced member keeps its row (inactive) with the reason."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="members"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.PROTECT,
        related_name="panel_seats",
    )
    active = models.BooleanField(_("active"), default=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    replacement_reason = models.TextField(_("reason for replacement"), blank=True)
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("replaced by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["panel", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "evaluator"], condition=models.Q(active=True),
                name="one_active_seat_per_evaluator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel}: {self.evaluator}"


class ScoreSheet(models.Model):
    """One evaluator's scores for one proposal on one panel; submitted sheets still change
    until the panel closes, and every change is audited."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="sheets"
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="score_sheets"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.PROTECT,
        related_name="score_sheets",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "proposal", "evaluator"], name="one_sheet_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} / {self.proposal} / {self.evaluator}"


class Score(models.Model):
    sheet = models.ForeignKey(
        ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class PanelResult(models.Model):
    """A proposal's aggregated result on a closed panel, and its final score so far."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="results"
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="eval_results"
    )
    per_criterion = models.JSONField(_("aggregated score per criterion"), default=dict)
    stage_score = models.DecimalField(_("stage score (out of 100)"), max_digits=6, decimal_places=2)
    final_score = models.DecimalField(_("final score (out of 100)"), max_digits=6, decimal_places=2)
    below_threshold = models.BooleanField(_("below the track's threshold"), default=False)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("panel result")
        verbose_name_plural = _("panel results")
        ordering = ["panel", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "proposal"], name="one_result_per_panel")
        ]

    def __str__(self) -> str:
        return f"{self.panel} #{self.rank}: {self.proposal}"


class EvaluationEvent(models.Model):
    """The evaluation audit trail: scores, score changes, panel changes, conflicts,
    consultations and presentations."""

    class Action(models.TextChoices):
        PANEL_FORMED = "panel_formed", _("Panel formed")
        MEMBER_REPLACED = "member_replaced", _("Member replaced")
        CONFLICT_DECLARED = "conflict_declared", _("Conflict declared")
        NO_CONFLICT = "no_conflict", _("No conflict declared")
        SCORE_SET = "score_set", _("Score entered")
        SCORE_CHANGED = "score_changed", _("Score changed")
        SHEET_SUBMITTED = "sheet_submitted", _("Score sheet submitted")
        PANEL_CLOSED = "panel_closed", _("Panel closed")
        RESULTS_RELEASED = "results_released", _("Results released")
        CYCLE_RESULTS_RELEASED = "cycle_results_released", _("Results of the cycle released")
        CONSULTATION_SCHEDULED = "consultation_scheduled", _("Consultation scheduled")
        CONSULTATION_RECORDED = "consultation_recorded", _("Consultation minutes recorded")
        REVISED_DOCUMENT = "revised_document", _("Revised document uploaded")
        PRESENTATION_BOOKED = "presentation_booked", _("Presentation booked")

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="events",
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="eval_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


class ConsultationRound(models.Model):
    """A planning consultation with the applying government (round 1 or 2)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
        related_name="consultations",
    )
    round = models.PositiveSmallIntegerField(_("round"), choices=[(1, "1"), (2, "2")])
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    participants = models.TextField(_("participants"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    questions = models.TextField(_("questions to the applicant"), blank=True)
    revised_documents = models.ManyToManyField(
        Document, verbose_name=_("revised documents uploaded before this round"), blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")
        ordering = ["proposal", "round"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="one_consultation_round")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} · {self.round}"


class PresentationSlot(models.Model):
    """A demonstration proposal's presentation to the panel."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="slots"
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
        related_name="presentation_slots",
    )
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=30)
    presenters = models.TextField(_("presenters"), blank=True)

    class Meta:
        verbose_name = _("presentation slot")
        verbose_name_plural = _("presentation slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "proposal"], name="one_slot_per_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} @ {self.starts_at:%Y-%m-%d %H:%M}"
