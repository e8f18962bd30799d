"""A selected proposal carried out as a project. A later issue grows this model (milestones,
payments, reports); for now it records who the contractor is, because an evaluator whose
organisation carries out the project is conflicted (`kcity.permissions`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kcity.accounts.models import Organisation
from kcity.applications.models import Proposal


class Project(models.Model):
    proposal = models.OneToOneField(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="project"
    )
    contractor = models.ForeignKey(
        Organisation, verbose_name=_("contractor"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="contracted_projects",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return str(self.proposal)
