"""Procurement of a project's Korean contractor or consultant: the tender (public bid notice),
briefing registrations, sealed bids, the bid evaluation committee and its technical scores,
the contract, and the audit trail. The tender's lifecycle is `projects.procurement_lifecycle`;
what may be seen is `kcity.permissions` (procurement section); the writes are
`projects.procurement`.

The ceiling never exceeds the project's award: that crosses two tables, so the service checks
it with the project row locked (`procurement.draft_tender`/`update_tender`)."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kcity.accounts.models import Organisation

__all__ = [
    "Bid", "BriefingRegistration", "CommitteeMember", "Contract", "TechnicalScore", "Tender",
    "TenderEvent", "TenderState",
]


class TenderState(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("open for bids")
    CLOSED = "closed", _("closed for bids")
    EVALUATED = "evaluated", _("bids evaluated")
    AWARDED = "awarded", _("awarded")
    CANCELLED = "cancelled", _("cancelled")


PUBLIC_STATES = (TenderState.PUBLISHED, TenderState.CLOSED, TenderState.EVALUATED,
                 TenderState.AWARDED, TenderState.CANCELLED)


def procurement_path(instance, filename: str) -> str:
    return f"procurement/{secrets.token_hex(16)}/{filename}"


class StoredFile(models.Model):
    """The fields of an upload stored through `applications.services.stored_upload` (the one
    upload check of the platform)."""

    file = models.FileField(_("file"), upload_to=procurement_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=160)
    detected_type = models.CharField(_("detected type"), max_length=8)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    has_javascript = models.BooleanField(_("contains JavaScript"), default=False)

    class Meta:
        abstract = True


class Tender(models.Model):
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
        related_name="tenders",
    )
    state = models.CharField(_("state"), max_length=12, choices=TenderState.choices,
                             default=TenderState.DRAFT)
    scope_en = models.TextField(_("scope (English)"))
    scope_ko = models.TextField(_("scope (Korean)"))
    ceiling = models.BigIntegerField(_("ceiling (KRW)"))
    notice_date = models.DateField(_("notice published on"))
    briefing_at = models.DateTimeField(_("briefing session"), null=True, blank=True)
    briefing_place = models.CharField(_("briefing place"), max_length=200, blank=True)
    bid_deadline = models.DateTimeField(_("bid deadline"))
    evaluation_date = models.DateField(_("bid evaluation on"))
    award_date = models.DateField(_("award on"))
    consortia_allowed = models.BooleanField(_("consortia may bid"), default=False)
    technical_weight = models.PositiveSmallIntegerField(
        _("technical weight"), validators=[MaxValueValidator(100)])
    price_weight = models.PositiveSmallIntegerField(
        _("price weight"), validators=[MaxValueValidator(100)])
    committee_seed = models.BigIntegerField(_("committee draw seed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-bid_deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ceiling__gt=0), name="tender_ceiling_positive"),
            models.CheckConstraint(
                condition=Q(technical_weight__lte=100) & Q(price_weight__lte=100)
                & Q(technical_weight=100 - F("price_weight")),
                name="tender_weights_sum_to_100",
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES and self.published_at is not None


class TenderEvent(models.Model):
    """The procurement audit trail: every move, registration, bid, score and the award."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", _("Tender drafted")
        UPDATED = "updated", _("Tender changed")
        PUBLISHED = "published", _("Bid notice published")
        CLOSED = "closed", _("Closed for bids")
        EVALUATED = "evaluated", _("Bids evaluated")
        AWARDED = "awarded", _("Contract awarded")
        CANCELLED = "cancelled", _("Tender cancelled")
        REGISTERED = "registered", _("Registered for the briefing session")
        BID = "bid", _("Bid submitted")
        COMMITTEE_DRAWN = "committee_drawn", _("Evaluation committee drawn")
        SCORED = "scored", _("Technical score entered")

    tender = models.ForeignKey(Tender, verbose_name=_("tender"), on_delete=models.CASCADE,
                               related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("procurement event")
        verbose_name_plural = _("procurement events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_action_display()


class BriefingRegistration(models.Model):
    tender = models.ForeignKey(Tender, verbose_name=_("tender"), on_delete=models.CASCADE,
                               related_name="registrations")
    organisation = models.ForeignKey(Organisation, verbose_name=_("company"),
                                     on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                      on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered at"))
    attendees = models.PositiveSmallIntegerField(
        _("attendees"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("briefing registration")
        verbose_name_plural = _("briefing registrations")
        constraints = [models.UniqueConstraint(fields=["tender", "organisation"],
                                               name="one_briefing_registration_per_company")]

    def __str__(self) -> str:
        return str(self.organisation)


class Bid(StoredFile):
    """A sealed bid: its price and technical proposal are seen by nobody but the bidder
    before the deadline (`permissions.visible_bids`)."""

    tender = models.ForeignKey(Tender, verbose_name=_("tender"), on_delete=models.PROTECT,
                               related_name="bids")
    organisation = models.ForeignKey(Organisation, verbose_name=_("bidder"),
                                     on_delete=models.PROTECT, related_name="bids")
    price = models.BigIntegerField(_("price (KRW)"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "organisation"], name="one_bid_per_company"),
            models.CheckConstraint(condition=Q(price__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class CommitteeMember(models.Model):
    tender = models.ForeignKey(Tender, verbose_name=_("tender"), on_delete=models.CASCADE,
                               related_name="committee")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("evaluator"),
                                  on_delete=models.PROTECT, related_name="tender_seats")

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [models.UniqueConstraint(fields=["tender", "evaluator"],
                                               name="one_seat_per_tender")]

    def __str__(self) -> str:
        return str(self.evaluator)


class TechnicalScore(models.Model):
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE,
                            related_name="scores")
    member = models.ForeignKey(CommitteeMember, verbose_name=_("member"),
                               on_delete=models.CASCADE, related_name="scores")
    points = models.DecimalField(_("technical score (0-100)"), max_digits=5, decimal_places=2)
    scored_at = models.DateTimeField(_("scored at"))

    class Meta:
        verbose_name = _("technical score")
        verbose_name_plural = _("technical scores")
        constraints = [
            models.UniqueConstraint(fields=["bid", "member"], name="one_score_per_member"),
            models.CheckConstraint(condition=Q(points__gte=0) & Q(points__lte=100),
                                   name="technical_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.bid}: {self.points}"


class Contract(StoredFile):
    tender = models.OneToOneField(Tender, verbose_name=_("tender"), on_delete=models.PROTECT,
                                  related_name="contract")
    bid = models.OneToOneField(Bid, verbose_name=_("winning bid"), on_delete=models.PROTECT,
                               related_name="contract")
    supplier = models.ForeignKey(Organisation, verbose_name=_("contractor"),
                                 on_delete=models.PROTECT, related_name="procurement_contracts")
    value = models.BigIntegerField(_("contract value (KRW)"))
    signed_on = models.DateField(_("signed on"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="contract_value_positive"),
            models.CheckConstraint(condition=Q(end__gte=F("start")),
                                   name="contract_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.value:,} KRW"
