"""A selected proposal carried out as a project: its award, its deliverable, its dates and its
lifecycle (`projects.lifecycle`), and who the contractor is (an evaluator whose organisation
carries out the project is conflicted: `kcity.permissions`). Procurement, the cooperation
framework, deliverables and payments hang off this row."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kcity.accounts.models import Organisation
from kcity.applications.models import Proposal


class ProjectState(models.TextChoices):
    AGREEMENT_PENDING = "agreement_pending", _("agreement pending")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class DeliverableType(models.TextChoices):
    BASIC_CONCEPT = "basic_concept", _("basic concept")
    MASTER_PLAN = "master_plan", _("master plan")
    SOLUTION_PLAN = "solution_plan", _("solution plan")
    FEASIBILITY_STUDY = "feasibility_study", _("feasibility study")
    DEMONSTRATION_REPORT = "demonstration_report", _("demonstration report")


class ResultRating(models.TextChoices):
    GOOD = "good", _("good results")
    SATISFACTORY = "satisfactory", _("satisfactory")
    POOR = "poor", _("poor")


class Project(models.Model):
    proposal = models.OneToOneField(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="project"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ProjectState.choices,
        default=ProjectState.AGREEMENT_PENDING,
    )
    deliverable_type = models.CharField(
        _("deliverable"), max_length=24, choices=DeliverableType.choices
    )
    award = models.BigIntegerField(_("award (KRW)"))
    contract_value = models.BigIntegerField(
        _("contract value (KRW)"), null=True, blank=True,
        help_text=_("Set when the contract with the Korean contractor is signed."),
    )
    contractor = models.ForeignKey(
        Organisation, verbose_name=_("contractor"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="contracted_projects",
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    rating = models.CharField(
        _("rating of the results"), max_length=16, choices=ResultRating.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(award__gt=0), name="project_award_positive",
            ),
            models.CheckConstraint(
                condition=Q(contract_value__isnull=True) | Q(contract_value__lte=models.F("award")),
                name="project_contract_within_award",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="project_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return str(self.proposal)

    @property
    def payable_ceiling(self) -> int:
        """What payments may add up to at most: the contract value once there is one, never
        more than the award."""
        if self.contract_value is None:
            return self.award
        return min(self.award, self.contract_value)
from kcity.projects.procurement_models import *  # noqa: E402,F401,F403
