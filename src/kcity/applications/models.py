"""Proposals to a track, their consortium, documents, receipts and audit trail.

A proposal's state only changes through `kcity.applications.lifecycle.transition`; the
models hold data and the database constraints that must hold even under concurrent requests
(one receipt per idempotency key, one active planning proposal per jurisdiction per cycle).
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kcity.accounts.models import Organisation
from kcity.core.text import validate_email_local_part, validate_not_blank
from kcity.programs.models import Cycle, Track

TEXT_MAX = 5000


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
    EVALUATED = "evaluated", _("Evaluated")
    # Selection (kcity.selection): publishing a round's decision sets one of these.
    SELECTED = "selected", _("Selected")
    RESERVE = "reserve", _("Reserve")
    NOT_SELECTED = "not_selected", _("Not selected")


class ProjectType(models.TextChoices):
    NEW_TOWN = "new_town", _("New town")
    INDUSTRIAL_COMPLEX = "industrial_complex", _("Industrial complex")
    HOUSING = "housing", _("Housing block")
    REGENERATION = "urban_regeneration", _("Urban regeneration")
    OTHER = "other", _("Other")


class UrbanProblem(models.TextChoices):
    TRAFFIC = "traffic", _("Traffic")
    ENVIRONMENT = "environment", _("Environment")
    ENERGY = "energy", _("Energy")
    SAFETY = "safety", _("Safety")
    WATER = "water", _("Water")
    OTHER = "other", _("Other")


class ProofKind(models.TextChoices):
    SMART_CHALLENGE = "smart_challenge", _("Smart Challenge")
    OTHER = "other", _("Other demonstration or commercial use in Korea")


class CostCategory(models.TextChoices):
    LABOUR = "labour", _("Labour")
    EQUIPMENT = "equipment", _("Equipment")
    MATERIALS = "materials", _("Materials")
    TRAVEL = "travel", _("Travel")
    SUBCONTRACTING = "subcontracting", _("Subcontracting")
    OTHER = "other", _("Other costs")


money = {"null": True, "blank": True, "validators": [MinValueValidator(0)]}


class Proposal(models.Model):
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="proposals"
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="proposals"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("applicant organisation"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="proposals_created",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_not_blank])
    # One active planning proposal per jurisdiction per cycle: "KR:seoul"-style key, set
    # for planning proposals only (see services.jurisdiction_key).
    jurisdiction = models.CharField(_("jurisdiction"), max_length=160, blank=True, editable=False)

    # Shared content
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    site_readiness = models.TextField(
        _("site readiness (network connectivity, data, land)"), max_length=TEXT_MAX, blank=True
    )
    requested_amount = models.BigIntegerField(_("requested amount (KRW)"), **money)
    matching_funds_evidence = models.TextField(
        _("evidence of matching funds"), max_length=TEXT_MAX, blank=True
    )

    # Planning
    project_type = models.CharField(
        _("project type"), max_length=32, choices=ProjectType.choices, blank=True
    )
    urban_problem = models.CharField(
        _("urban problem addressed"), max_length=32, choices=UrbanProblem.choices, blank=True
    )
    site_and_scale = models.TextField(_("site and scale"), max_length=TEXT_MAX, blank=True)
    national_plan_priority = models.TextField(
        _("priority in national plans"), max_length=TEXT_MAX, blank=True
    )
    korean_company_roles = models.TextField(
        _("expected roles for Korean companies"), max_length=TEXT_MAX, blank=True
    )
    matching_funds_amount = models.BigIntegerField(
        _("matching funds committed (KRW)"), **money
    )

    # An earlier K-City study the proposal builds on (planning and demonstration alike; it
    # earns the selection's prior-planning bonus): a project of the public portfolio where
    # there is one, else a link (a study the portfolio does not list). See cites_prior_study.
    prior_study_project = models.ForeignKey(
        "portfolio.SelectedProject", verbose_name=_("earlier K-City study (portfolio)"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="citing_proposals",
    )
    prior_study_url = models.URLField(_("earlier K-City study (link)"), blank=True)

    # Demonstration
    solution = models.TextField(_("the solution"), max_length=TEXT_MAX, blank=True)
    proof_kind = models.CharField(
        _("proof in Korea"), max_length=32, choices=ProofKind.choices, blank=True
    )
    proof_evidence = models.TextField(
        _("evidence of the proof in Korea"), max_length=TEXT_MAX, blank=True
    )
    demonstration_site = models.TextField(
        _("demonstration site"), max_length=TEXT_MAX, blank=True
    )
    business_plan = models.TextField(_("business plan"), max_length=TEXT_MAX, blank=True)
    market_entry_plan = models.TextField(
        _("market-entry plan"), max_length=TEXT_MAX, blank=True
    )
    budget = models.JSONField(
        _("budget by cost category (KRW)"), default=dict, blank=True,
        help_text=_("Cost category code to integer KRW."),
    )
    matching_cash = models.BigIntegerField(_("matching funds in cash (KRW)"), **money)
    matching_in_kind = models.BigIntegerField(_("matching funds in kind (KRW)"), **money)

    # Screening by the secretariat: checklist item code -> ticked
    screening_checklist = models.JSONField(_("screening checklist"), default=dict, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "jurisdiction"],
                condition=~models.Q(jurisdiction="") & ~models.Q(state="withdrawn"),
                name="one_planning_proposal_per_jurisdiction_per_cycle",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def cites_prior_study(self) -> bool:
        """The one rule for the prior-planning bonus: the proposal cites an earlier K-City
        study, a portfolio project or (for a study the portfolio lacks) a link."""
        return self.prior_study_project_id is not None or bool(self.prior_study_url)

    def budget_amount(self, category: str) -> int:
        value = (self.budget or {}).get(category)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    @property
    def budget_total(self) -> int:
        return sum(self.budget_amount(c) for c in CostCategory.values)

    def latest_submission(self):
        return self.submissions.order_by("-submitted_at", "-pk").first()

    def latest_pre_consultation(self):
        return self.pre_consultations.order_by("-submitted_at", "-pk").first()


class MemberRole(models.TextChoices):
    SITE_HOST = "site_host", _("Overseas partner hosting the site")
    TECHNOLOGY = "technology", _("Technology partner")
    OPERATIONS = "operations", _("Operations and maintenance")
    OTHER = "other", _("Other role")


class ConsortiumMember(models.Model):
    """A member of a demonstration consortium; it counts once it has confirmed."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="members"
    )
    invited_name = models.CharField(
        _("organisation name"), max_length=200, validators=[validate_not_blank]
    )
    email = models.EmailField(_("invited e-mail"), validators=[validate_email_local_part])
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consortium_memberships",
    )
    token = models.CharField(_("invitation token"), max_length=64, unique=True, editable=False)
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "email"], name="one_invitation_per_email_per_proposal"
            )
        ]

    def __str__(self) -> str:
        return self.invited_name


def document_path(instance, filename: str) -> str:
    """A random stored name: the applicant's file name is never used as a path."""
    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}.{instance.detected_type}"


class Document(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="documents"
    )
    code = models.SlugField(_("required document"), max_length=64)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=160)
    detected_type = models.CharField(_("detected type"), max_length=8)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "code"], name="one_document_per_code")
        ]

    def __str__(self) -> str:
        return self.original_name


class ProposalEvent(models.Model):
    """The audit trail: every state change, who made it, when (UTC) and why."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_state = models.CharField(_("from"), max_length=16, choices=ProposalState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=ProposalState.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_state} → {self.to_state}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("Awaiting the secretariat")
    INVITE = "invite", _("Full proposal invited")
    ADVISE_CHANGES = "advise_changes", _("Changes advised")
    DECLINE = "decline", _("Declined")


class PreConsultation(models.Model):
    """A concept note for a year-round planning track and the secretariat's answer."""

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="pre_consultations",
    )
    concept_note = models.TextField(_("concept note"), max_length=TEXT_MAX)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_note = models.TextField(_("note to the applicant"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pre-consultation")
        verbose_name_plural = _("pre-consultations")
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal} ({self.get_outcome_display()})"


class Submission(models.Model):
    """One receipt. The idempotency key is unique in the database so a double submit of
    the same form can never create two receipts, whatever the timing."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="submissions"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_sha256 = models.CharField(_("SHA-256 of the content and files"), max_length=64)
    snapshot = models.JSONField(_("submitted content"), default=dict)
    rolled_over_from = models.PositiveSmallIntegerField(
        _("received after the cut-off of cycle"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("submission receipt")
        verbose_name_plural = _("submission receipts")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return self.receipt_number


class ReceiptCounter(models.Model):
    """The last receipt number given in a track (``KCN-<year>-<code>-<nnnn>``).

    A submission takes the next number with one ``UPDATE ... SET last = last + 1`` inside its
    transaction: the row stays locked until that transaction ends, so numbers are unique and,
    since a rolled-back submission rolls its increment back too, without gaps. Only the
    submissions of one track wait for each other, and only for the end of their transaction;
    the unique constraint on ``Submission.receipt_number`` still backs it up."""

    track = models.OneToOneField(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, primary_key=True,
        related_name="+",
    )
    last = models.PositiveIntegerField(_("last receipt number"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self) -> str:
        return f"{self.track_id}: {self.last}"
