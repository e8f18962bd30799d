"""The programme as data: a cycle (programme year) with its tracks and their criteria.

Nothing about a year's rules is written in code: grant ranges, quotas, budgets, deadlines,
who may apply and how proposals are evaluated are fields here, loaded from the shipped
configuration files and edited by the secretariat.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kcity.accounts.models import SecretariatUnit


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Call open")
    CLOSED = "closed", _("Call closed")
    EVALUATION = "evaluation", _("Under evaluation")
    RESULTS = "results", _("Results announced")
    ARCHIVED = "archived", _("Archived")


class TrackKind(models.TextChoices):
    PLANNING = "planning", _("Planning")
    DEMONSTRATION = "demonstration", _("Overseas demonstration")


class IntakeMode(models.TextChoices):
    FIXED = "fixed", _("Fixed window")
    YEAR_ROUND = "year_round", _("Year-round with a cut-off")


class ApplicantType(models.TextChoices):
    FOREIGN_GOVERNMENT = "foreign_government", _("Foreign government (national, regional, city)")
    INTERNATIONAL_ORGANISATION = (
        "international_organisation",
        _("International organisation working with a government"),
    )
    KOREAN_COMPANY = "korean_company", _("Korean company leading a consortium")


class Stage(models.TextChoices):
    PRE_CONSULTATION = "pre_consultation", _("Pre-consultation")
    DOCUMENT_REVIEW = "document_review", _("Document review")
    CONSULTATION_1 = "consultation_1", _("Consultation, round 1")
    CONSULTATION_2 = "consultation_2", _("Consultation, round 2")
    PAPER_REVIEW = "paper_review", _("Paper review")
    PRESENTATION = "presentation", _("Presentation")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (drop the highest and lowest)")
    MEDIAN = "median", _("Median")


def _localised(obj, field: str) -> str:
    """The Korean text when Korean is active and present, else the English one."""
    if (get_language() or "").startswith("ko"):
        return getattr(obj, f"{field}_ko") or getattr(obj, f"{field}_en")
    return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_ko")


money = {"validators": [MinValueValidator(0)]}


class Cycle(models.Model):
    year = models.PositiveSmallIntegerField(_("programme year"), unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.DRAFT
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    total_budget = models.BigIntegerField(
        _("total budget (KRW)"), null=True, blank=True, **money
    )
    max_projects = models.PositiveSmallIntegerField(
        _("most projects in all"), null=True, blank=True
    )
    announced_on = models.DateField(_("call announced on"), null=True, blank=True)
    results_on = models.DateField(_("results announced on"), null=True, blank=True)
    notice_en = models.TextField(_("public notice (English)"), blank=True)
    notice_ko = models.TextField(_("public notice (Korean)"), blank=True)
    notes = models.TextField(
        _("notes on sources"), blank=True, help_text=_("Where the facts come from, doubts.")
    )
    is_demo = models.BooleanField(
        _("demo cycle"), default=False,
        help_text=_("Made-up data for trying the platform: every public page of the cycle says "
                    "so, and its results never count in the programme's record."),
    )

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def title(self) -> str:
        return _localised(self, "title")

    @property
    def notice(self) -> str:
        return _localised(self, "notice")


class Track(models.Model):
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="tracks"
    )
    code = models.SlugField(_("code"), max_length=16)
    kind = models.CharField(_("kind"), max_length=16, choices=TrackKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    purpose_ko = models.TextField(_("purpose (Korean)"), blank=True)
    applicant_types = models.JSONField(
        _("who may apply"),
        default=list,
        help_text=_("A list of: foreign_government, international_organisation, korean_company."),
    )
    grant_min = models.BigIntegerField(_("smallest grant (KRW)"), null=True, blank=True, **money)
    grant_max = models.BigIntegerField(_("largest grant (KRW)"), null=True, blank=True, **money)
    min_projects = models.PositiveSmallIntegerField(_("fewest projects"), default=0)
    max_projects = models.PositiveSmallIntegerField(_("most projects"), null=True, blank=True)
    budget = models.BigIntegerField(_("track budget (KRW)"), null=True, blank=True, **money)
    labour_cost_cap_percent = models.PositiveSmallIntegerField(
        _("labour costs cap (% of grant)"), null=True, blank=True
    )
    intake_mode = models.CharField(
        _("intake mode"), max_length=16, choices=IntakeMode.choices, default=IntakeMode.FIXED
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    deadline = models.DateTimeField(
        _("deadline"), null=True, blank=True, help_text=_("Entered and shown in KST.")
    )
    cutoff = models.DateTimeField(
        _("cut-off for this cycle"),
        null=True,
        blank=True,
        help_text=_("Year-round intake: proposals after this moment roll into the next cycle."),
    )
    stages = models.JSONField(_("evaluation stages"), default=list)
    secretariat = models.CharField(
        _("secretariat"), max_length=8, choices=SecretariatUnit.choices
    )
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    # Evaluation (issue 5): how panel scores combine into a proposal's result.
    aggregation = models.CharField(
        _("aggregation of panel scores"), max_length=16, choices=Aggregation.choices,
        default=Aggregation.TRIMMED_MEAN,
    )
    stage_weights = models.JSONField(
        _("weight of each stage in the final score (%)"), default=dict, blank=True,
        help_text=_("Stage code to percent, e.g. {\"paper_review\": 40, \"presentation\": 60}."),
    )
    min_score_threshold = models.PositiveSmallIntegerField(
        _("lowest final score that can be selected (out of 100)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["cycle", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="unique_track_code_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.cycle.year} {self.code}"

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def purpose(self) -> str:
        return _localised(self, "purpose")

    def clean(self) -> None:
        errors = {}
        if (self.grant_min is not None and self.grant_max is not None
                and self.grant_min > self.grant_max):
            errors["grant_max"] = _("The largest grant must be at least the smallest.")
        if self.max_projects is not None and self.min_projects > self.max_projects:
            errors["max_projects"] = _("The most projects must be at least the fewest.")
        if self.opens_at and self.deadline and self.opens_at >= self.deadline:
            errors["deadline"] = _("The deadline must come after the opening.")
        if self.intake_mode == IntakeMode.YEAR_ROUND and not self.cutoff:
            errors["cutoff"] = _("A year-round track needs its cut-off date.")
        unknown = set(self.applicant_types or []) - set(ApplicantType.values)
        if unknown or not self.applicant_types:
            errors["applicant_types"] = _("Choose from: %(choices)s.") % {
                "choices": ", ".join(ApplicantType.values)
            }
        bad_stages = set(self.stages or []) - set(Stage.values)
        if bad_stages or not self.stages:
            errors["stages"] = _("Choose from: %(choices)s.") % {"choices": ", ".join(Stage.values)}
        if errors:
            raise ValidationError(errors)

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        if self.intake_mode == IntakeMode.YEAR_ROUND:
            return True
        return self.deadline is not None and now <= self.deadline

    def stage_labels(self) -> list[str]:
        labels = dict(Stage.choices)
        return [str(labels.get(s, s)) for s in self.stages]

    def applicant_type_labels(self) -> list[str]:
        labels = dict(ApplicantType.choices)
        return [str(labels.get(a, a)) for a in self.applicant_types]


class Criterion(models.Model):
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.SlugField(_("code"), max_length=32)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("weight (points)"), validators=[MinValueValidator(1)]
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["track", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["track", "code"], name="unique_criterion_per_track")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")


class CycleEvent(models.Model):
    """A cycle's audit trail: every status change (`kcity.programs.lifecycle`), who made it
    and when (UTC)."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=16, choices=CycleStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=CycleStatus.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("cycle event")
        verbose_name_plural = _("cycle events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.from_status} → {self.to_status}"
