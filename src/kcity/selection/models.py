"""Selection rounds: a cycle's evaluated proposals as an engine instance, the scenarios the
secretariat tries on it, the approved decision and the published outcome of each proposal.

Rows change only through `kcity.selection.services`: an approved scenario is frozen there
(and read-only in the administration); the stored instance and overrides always let the
stored result be recomputed by the engine.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kcity.applications.models import Proposal
from kcity.programs.models import Cycle


class SelectionRound(models.Model):
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="selection_rounds"
    )
    # The round in the exchange format of selection.md (ids are proposal primary keys).
    instance = models.JSONField(_("instance (selection.md format)"))
    source = models.CharField(_("source"), max_length=16, default="database")
    # Evaluated proposals the format cannot hold (no requested amount or country).
    skipped = models.JSONField(_("proposals left out"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cycle.year} #{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ScenarioKind(models.TextChoices):
    DECISION = "decision", _("Decision")
    REPLACEMENT = "replacement", _("Replacement after a withdrawal")


class Policy(models.TextChoices):
    MAX_MERIT = "max_merit", _("Maximum total merit")
    MERIT_ORDER = "merit_order", _("Down the merit order")


class ScenarioState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Scenario(models.Model):
    round = models.ForeignKey(
        SelectionRound, verbose_name=_("selection round"), on_delete=models.CASCADE,
        related_name="scenarios",
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ScenarioKind.choices, default=ScenarioKind.DECISION
    )
    policy = models.CharField(_("policy"), max_length=16, choices=Policy.choices)
    # Changes only through kcity.selection.lifecycle.transition, which also stamps the
    # approved_* and published_at history below.
    state = models.CharField(
        _("state"), max_length=16, choices=ScenarioState.choices, default=ScenarioState.DRAFT
    )
    # budget, max_per_country, tracks {code: {min_projects, max_projects, budget}},
    # include [ids], exclude [ids]: applied over the round's instance.
    overrides = models.JSONField(_("parameter overrides"), default=dict, blank=True)
    result = models.JSONField(_("result (selection.md format)"), default=dict, blank=True)
    explanations = models.JSONField(_("explanations"), default=list, blank=True)
    # Set while the worker computes the explanations (they take the engine many re-solves).
    explanations_requested_at = models.DateTimeField(
        _("explanations requested at"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["round", "created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        """Approved, and perhaps published since: frozen."""
        return self.state != ScenarioState.DRAFT

    @property
    def explanations_pending(self) -> bool:
        """Asked for and not yet stored by the worker's job."""
        return self.explanations_requested_at is not None and not self.explanations


class OutcomeKind(models.TextChoices):
    SELECTED = "selected", _("Selected")
    RESERVE = "reserve", _("Reserve")
    NOT_SELECTED = "not_selected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn after selection")


class Outcome(models.Model):
    """A proposal's published outcome in a round (what the public results page shows)."""

    round = models.ForeignKey(
        SelectionRound, verbose_name=_("selection round"), on_delete=models.CASCADE,
        related_name="outcomes",
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT,
        related_name="selection_outcomes",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=OutcomeKind.choices)
    reserve_rank = models.PositiveSmallIntegerField(_("rank on the reserve list"), null=True,
                                                    blank=True)
    award = models.BigIntegerField(_("award (KRW)"), null=True, blank=True)
    merit = models.DecimalField(_("merit"), max_digits=7, decimal_places=2)
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["round", "outcome", "reserve_rank", "-merit", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "proposal"], name="one_outcome_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.outcome}"


class SelectionEvent(models.Model):
    """The selection audit trail."""

    class Action(models.TextChoices):
        ROUND_CREATED = "round_created", _("Round created")
        ROUND_IMPORTED = "round_imported", _("Round imported")
        SCENARIO_CREATED = "scenario_created", _("Scenario created")
        SCENARIO_CHANGED = "scenario_changed", _("Scenario changed")
        SCENARIO_APPROVED = "scenario_approved", _("Scenario approved")
        SCENARIO_PUBLISHED = "scenario_published", _("Scenario published")
        PUBLISHED = "published", _("Results published")
        REPLACEMENT_PUBLISHED = "replacement_published", _("Replacement published")

    round = models.ForeignKey(
        SelectionRound, verbose_name=_("selection round"), on_delete=models.CASCADE,
        related_name="events",
    )
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("selection event")
        verbose_name_plural = _("selection events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
