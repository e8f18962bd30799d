"""Organisations and the people who act for them.

Every user belongs to (at most) one organisation and has one role; what a role may do is
decided in `kcity.accounts.permissions`, nowhere else.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kcity.core.text import (
    normalise_brn,
    validate_business_registration_number,
    validate_email_local_part,
    validate_not_blank,
)


class OrgKind(models.TextChoices):
    FOREIGN_GOVERNMENT = "foreign_government", _("Foreign government")
    KOREAN_COMPANY = "korean_company", _("Korean company")
    PARTNER = "partner", _("International partner organisation")
    CONTRACTOR = "contractor", _("Consultant / contractor")
    INSTITUTION = "institution", _("Research or expert institution")
    SECRETARIAT = "secretariat", _("Secretariat (MOLIT, KIND, KAIA)")


class GovLevel(models.TextChoices):
    CENTRAL = "central", _("Central (national) government")
    REGIONAL = "regional", _("Regional government")
    LOCAL = "local", _("Local (city) government")


class PartnerType(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    UNIVERSITY = "university", _("University")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    PRIVATE_COMPANY = "private_company", _("Private company")


class SecretariatUnit(models.TextChoices):
    MOLIT = "MOLIT", _("MOLIT (Ministry of Land, Infrastructure and Transport)")
    KIND = "KIND", _("KIND (planning secretariat)")
    KAIA = "KAIA", _("KAIA (demonstration secretariat)")


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200, validators=[validate_not_blank])
    name_ko = models.CharField(_("name in Korean"), max_length=200, blank=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    gov_level = models.CharField(
        _("level of government"), max_length=16, choices=GovLevel.choices, blank=True
    )
    partner_type = models.CharField(
        _("type of partner"), max_length=32, choices=PartnerType.choices, blank=True
    )
    business_registration_number = models.CharField(
        _("business registration number"),
        max_length=12,
        blank=True,
        validators=[validate_business_registration_number],
    )
    secretariat_unit = models.CharField(
        _("secretariat unit"), max_length=8, choices=SecretariatUnit.choices, blank=True
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business_registration_number"],
                condition=~models.Q(business_registration_number=""),
                name="unique_business_registration_number",
                violation_error_message=_(
                    "An organisation with this business registration number is already "
                    "registered."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def clean(self) -> None:
        # One stored form (NNN-NN-NNNNN, ASCII digits), so the uniqueness check that follows
        # in full_clean sees 1234567890, 123-45-67890 and full-width digits as one company.
        self.business_registration_number = normalise_brn(self.business_registration_number)
        errors = {}
        if self.kind == OrgKind.FOREIGN_GOVERNMENT and not self.gov_level:
            errors["gov_level"] = _("A foreign government needs its level (central or local).")
        if self.kind == OrgKind.KOREAN_COMPANY:
            if not self.business_registration_number:
                errors["business_registration_number"] = _(
                    "A Korean company needs its business registration number."
                )
            if self.country and self.country.code != "KR":
                errors["country"] = _("A Korean company is registered in Korea (KR).")
        if self.kind == OrgKind.PARTNER and not self.partner_type:
            errors["partner_type"] = _("Say what kind of partner this organisation is.")
        if self.kind == OrgKind.SECRETARIAT and not self.secretariat_unit:
            errors["secretariat_unit"] = _("Say which secretariat unit this is.")
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat staff")
    APPLICANT = "applicant", _("Applicant")
    EVALUATOR = "evaluator", _("Evaluator")
    CONTRACTOR = "contractor", _("Contractor")


class User(AbstractUser):
    # Django's field, with RFC 5321's limit on the local part (the admin enters addresses too).
    email = models.EmailField(
        _("email address"), blank=True, validators=[validate_email_local_part]
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("en", _("English")), ("ko", _("Korean"))],
        default="en",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
