"""Registration forms: they check the input and hand the service plain field values.

Field names are the model's own (name, country, city, username, email, ...), so an error
the service raises for a model field lands next to the right input.
"""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from kcity.accounts.models import (
    GovLevel,
    Organisation,
    OrgKind,
    PartnerType,
    Role,
    User,
)
from kcity.core.text import (
    MailboxField,
    VisibleCharField,
    normalise_brn,
    validate_business_registration_number,
)

GOVERNMENT = "government"
INTERNATIONAL_ORGANISATION = "international_organisation"


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# Lazy, so the rules are listed in the language of the request.
_password_rules = lazy(password_validation.password_validators_help_text_html, str)


def _country_choices():
    # A callable, so the names follow the language of each request.
    return [("", "---------")] + [(c.code, c.name) for c in countries if c.code != "KR"]


class PersonForm(forms.Form):
    """The person registering: the same for every kind of applicant."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels stand above their inputs, like login's
        super().__init__(*args, **kwargs)

    first_name = VisibleCharField(label=_("First name"), max_length=_max(User, "first_name"))
    last_name = VisibleCharField(label=_("Last name"), max_length=_max(User, "last_name"))
    email = MailboxField(
        label=_("E-mail address"),
        max_length=_max(User, "email"),
        help_text=_("We write to this address when your organisation is verified."),
    )
    username = forms.CharField(
        label=_("User name"),
        max_length=_max(User, "username"),
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only; you log in with it."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_password_rules(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def person(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("username", "first_name", "last_name", "email")}


class GovernmentRegistrationForm(PersonForm):
    """A foreign government official, or an international organisation working with one."""

    applicant_type = forms.ChoiceField(
        label=_("You apply for"),
        choices=[
            (GOVERNMENT, _("A foreign government (national, regional or city)")),
            (
                INTERNATIONAL_ORGANISATION,
                _("An international organisation working with a government"),
            ),
        ],
        widget=forms.RadioSelect,
        initial=GOVERNMENT,
    )
    name = VisibleCharField(
        label=_("Name of the government or organisation"),
        max_length=_max(Organisation, "name"),
        help_text=_("For example: Hai Phong City People's Committee."),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_choices,
        help_text=_("For an international organisation: the country of the government."),
    )
    gov_level = forms.ChoiceField(
        label=_("Level of government"),
        choices=[("", "---------")] + list(GovLevel.choices),
        required=False,
        help_text=_("Only for a government."),
    )
    city = VisibleCharField(
        label=_("City or region"),
        max_length=_max(Organisation, "city"),
        required=False,
        help_text=_("Needed for a regional or city government."),
    )
    field_order = ["applicant_type", "name", "country", "gov_level", "city"]

    def clean(self):
        data = super().clean()
        if data.get("applicant_type") == GOVERNMENT:
            level = data.get("gov_level")
            if not level:
                self.add_error("gov_level", _("Choose the level of your government."))
            elif level != GovLevel.CENTRAL and not data.get("city"):
                self.add_error("city", _("Enter the city or region you govern."))
        return data

    def registration(self) -> dict:
        data = self.cleaned_data
        organisation = {"name": data["name"], "country": data["country"], "city": data["city"]}
        if data["applicant_type"] == GOVERNMENT:
            kind = OrgKind.FOREIGN_GOVERNMENT
            organisation["gov_level"] = data["gov_level"]
        else:
            kind = OrgKind.PARTNER
            organisation["partner_type"] = PartnerType.INTERNATIONAL_ORGANISATION
        return {
            "kind": kind,
            "organisation": organisation,
            "person": self.person(),
            "password": data["password1"],
        }


class InstitutionRegistrationForm(PersonForm):
    """An overseas public institution or university: it joins demonstration consortia as the
    overseas partner and does not lead proposals (rules.applicant_type gives it no applicant
    type)."""

    partner_type = forms.ChoiceField(
        label=_("Your organisation is"),
        choices=[
            (PartnerType.PUBLIC_INSTITUTION, _("An overseas public institution")),
            (PartnerType.UNIVERSITY, _("An overseas university")),
        ],
        widget=forms.RadioSelect,
        initial=PartnerType.PUBLIC_INSTITUTION,
    )
    name = VisibleCharField(
        label=_("Name of the institution or university"),
        max_length=_max(Organisation, "name"),
        help_text=_("For example: Universitas Indonesia."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices)
    city = VisibleCharField(
        label=_("City"), max_length=_max(Organisation, "city"), required=False
    )
    field_order = ["partner_type", "name", "country", "city"]

    def registration(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": OrgKind.PARTNER,
            "organisation": {
                "name": data["name"],
                "country": data["country"],
                "city": data["city"],
                "partner_type": data["partner_type"],
            },
            "person": self.person(),
            "password": data["password1"],
        }


class CompanyRegistrationForm(PersonForm):
    """A Korean company, identified by its business registration number."""

    name = VisibleCharField(
        label=_("Company name (English)"), max_length=_max(Organisation, "name")
    )
    name_ko = VisibleCharField(
        label=_("Company name (Korean)"), max_length=_max(Organisation, "name_ko"), required=False
    )
    business_registration_number = forms.CharField(
        label=_("Business registration number"),
        max_length=32,  # as typed: spaces and full-width digits go before the check
        help_text=_("NNN-NN-NNNNN, as on the certificate of business registration."),
    )
    city = VisibleCharField(
        label=_("City"), max_length=_max(Organisation, "city"), required=False
    )
    field_order = ["name", "name_ko", "business_registration_number", "city"]

    def clean_business_registration_number(self) -> str:
        value = normalise_brn(self.cleaned_data["business_registration_number"])
        validate_business_registration_number(value)
        return value

    def registration(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": OrgKind.KOREAN_COMPANY,
            "organisation": {
                "name": data["name"],
                "name_ko": data["name_ko"],
                "business_registration_number": data["business_registration_number"],
                "city": data["city"],
            },
            "person": self.person(),
            "password": data["password1"],
        }


class RoleForm(forms.Form):
    """A user's role and access, changed only through `services.set_role` (audited)."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_staff = forms.BooleanField(label=_("May use the administration (staff)"), required=False)
    is_superuser = forms.BooleanField(label=_("Superuser (every permission)"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=Group.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, may_grant_superuser: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_grant_superuser:
            self.fields["is_superuser"].disabled = True
