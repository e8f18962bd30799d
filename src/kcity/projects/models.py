"""A selected proposal carried out as a project: its award, its deliverable, its dates and its
lifecycle (`projects.lifecycle`), and who the contractor is (an evaluator whose organisation
carries out the project is conflicted: `kcity.permissions`). Procurement, the cooperation
framework, deliverables and payments hang off this row."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kcity.accounts.models import Organisation
from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.portfolio.models import SelectedProject


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
    record = models.OneToOneField(
        SelectedProject, verbose_name=_("public record"), on_delete=models.PROTECT,
        related_name="paperwork",
        help_text=_("The project's row in the public portfolio."),
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

    def check_contract_value(self, value: int) -> None:
        """The one rule for a contract value: positive, within the award, and not below what
        has been paid already (the payments' ceiling would fall under them)."""
        if not 0 < value <= self.award:
            raise Refused(_("The contract value must be positive and within the award."))
        paid = self.payments.aggregate(total=models.Sum("amount"))["total"] or 0
        if value < paid:
            raise Refused(_("The contract value cannot fall below the %(paid)s KRW already "
                            "paid.") % {"paid": f"{paid:,}"})

    @property
    def payable_ceiling(self) -> int:
        """What payments may add up to at most: the contract value once there is one, never
        more than the award."""
        if self.contract_value is None:
            return self.award
        return min(self.award, self.contract_value)


class ProjectEvent(models.Model):
    """The audit trail of a project: each move of its lifecycle, each extension of its planned
    end, each signature of its cooperation framework."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        MOVED = "moved", _("state changed")
        EXTENDED = "extended", _("planned end extended")
        SIGNED = "signed", _("framework signed")
        TRAINING = "training", _("training recorded")
        FOLLOW_ON = "follow_on", _("follow-on recorded")
        CONTRACTOR = "contractor", _("contractor recorded")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action} {self.at:%Y-%m-%d}"


class PartyRole(models.TextChoices):
    MOLIT = "molit", _("Ministry of Land, Infrastructure and Transport")
    HOST_GOVERNMENT = "host_government", _("Host government")
    SECRETARIAT = "secretariat", _("Secretariat (KIND/KAIA)")
    KOREAN_COMPANY = "korean_company", _("Korean company")
    CONSULTANT = "consultant", _("Consultant")
    DEVELOPMENT_BANK = "development_bank", _("Development bank")


class FrameworkParty(models.Model):
    """A party to the project's cooperation framework; the project starts only once every
    party has signed."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE,
        related_name="framework_parties",
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    signed_document = models.ForeignKey(
        "applications.Document", verbose_name=_("signed document"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("framework party")
        verbose_name_plural = _("framework parties")
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(name=""),
                name="framework_party_named",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation) if self.organisation_id else self.name

    @property
    def signed(self) -> bool:
        return self.signed_on is not None and self.signed_document_id is not None


class Training(models.Model):
    """An invitation training or seminar for host-government officials."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("invitation training")
        SEMINAR = "seminar", _("seminar")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="trainings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    participants = models.PositiveIntegerField(_("participants"))
    cost_shares = models.JSONField(
        _("cost shares (KRW per party)"), default=dict, blank=True,
        help_text=_("A party's role mapped to its share in KRW."),
    )

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="training_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(online=True) | ~Q(place=""), name="training_place_or_online",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def total_cost(self) -> int:
        return sum(int(v) for v in (self.cost_shares or {}).values())


class FollowOnKind(models.TextChoices):
    DEMONSTRATION_PROPOSAL = "demonstration_proposal", _("demonstration proposal")
    PPP = "ppp", _("public-private partnership")
    MOLIT_INVESTMENT = "molit_investment", _("MOLIT investment")
    MDB_INVESTMENT = "mdb_investment", _("development bank investment")


class FollowOn(models.Model):
    """What a project led to."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="follow_ons"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=FollowOnKind.choices)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="prior_projects",
    )
    partners = models.TextField(_("partners"), blank=True)
    amount = models.BigIntegerField(_("amount (KRW)"), null=True, blank=True)
    on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("follow-on")
        verbose_name_plural = _("follow-ons")
        ordering = ["on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="follow_on_amount_not_negative",
            ),
            models.UniqueConstraint(
                fields=["project", "proposal"], name="follow_on_once_per_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} → {self.get_kind_display()}"


from kcity.projects.delivery_models import *  # noqa: E402,F401,F403  (delivery: its own module)
from kcity.projects.procurement_models import *  # noqa: E402,F401,F403
