"""Writes for accounts: registering an applicant and verifying organisations.

Registration creates the organisation and its first user together or not at all; the
organisation stays pending (`verified_at` empty) until the secretariat verifies it, and
`permissions.can_apply` keeps its people from submitting until then.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kcity.accounts.models import Organisation, OrgKind, PartnerType, Role, User
from kcity.core import audit
from kcity.core.errors import Refused
from kcity.core.text import is_blank, validate_email_local_part
from kcity.jobs.tasks import queue_email
from kcity.permissions import can_change_roles, can_verify_organisations

# Kinds of organisation an applicant may register by themselves.
SELF_REGISTERED_KINDS = (OrgKind.FOREIGN_GOVERNMENT, OrgKind.KOREAN_COMPANY, OrgKind.PARTNER)
# A partner registering itself: an international organisation (working with a government),
# or an overseas public institution or university (a demonstration consortium's partner).
SELF_REGISTERED_PARTNER_TYPES = (
    PartnerType.INTERNATIONAL_ORGANISATION,
    PartnerType.PUBLIC_INSTITUTION,
    PartnerType.UNIVERSITY,
)
OVERSEAS_PARTNER_TYPES = (PartnerType.PUBLIC_INSTITUTION, PartnerType.UNIVERSITY)


def _duplicates(org: Organisation, user: User) -> dict[str, str]:
    errors = {}
    brn = org.business_registration_number
    if brn and Organisation.objects.filter(business_registration_number=brn).exists():
        errors["business_registration_number"] = _(
            "A company with this business registration number is already registered. "
            "It cannot be registered twice: ask a colleague who has an account to have "
            "the secretariat add you to it."
        )
    if (
        not brn
        and Organisation.objects.filter(
            kind=org.kind, name__iexact=org.name, country=org.country, city__iexact=org.city
        ).exists()
    ):
        errors["name"] = _(
            "This organisation is already registered. Ask a colleague who has an account, "
            "or the secretariat, to add you to it."
        )
    if User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = _("This user name is taken; choose another.")
    if User.objects.filter(email__iexact=user.email).exists():
        errors["email"] = _(
            "An account with this e-mail address exists already. Log in, or reset its password."
        )
    return errors


def _check(org: Organisation, user: User) -> None:
    """Every problem at once, keyed by field; uniqueness is checked with readable messages."""
    errors: dict[str, list] = {}
    for obj, exclude in ((org, ["verified_at"]), (user, ["organisation", "password"])):
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if not user.email:
        errors.setdefault("email", []).append(_("Enter your e-mail address."))
    else:
        try:
            validate_email_local_part(user.email)
        except ValidationError as exc:
            errors.setdefault("email", []).extend(exc.messages)
    for name in ("first_name", "last_name"):
        if is_blank(getattr(user, name)):
            errors.setdefault(name, []).append(_("This field is required."))
    if org.kind == OrgKind.PARTNER and org.partner_type in OVERSEAS_PARTNER_TYPES and (
        org.country == "KR"  # a Country compares equal to its code
    ):
        errors.setdefault("country", []).append(
            _("An overseas public institution or university is registered outside Korea.")
        )
    for name, message in _duplicates(org, user).items():
        errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)


def register_applicant(
    *, kind: str, organisation: dict, person: dict, password: str, language: str = "en"
) -> User:
    """Create a pending organisation and its first applicant user, in one transaction.

    `organisation` holds Organisation fields, `person` holds username, first_name,
    last_name and email. Raises ValidationError (keyed by those field names) and writes
    nothing when anything is wrong, including a company or user that already exists.
    """
    if kind not in SELF_REGISTERED_KINDS:
        raise ValidationError(_("This kind of organisation cannot register itself."))
    if kind == OrgKind.PARTNER and organisation.get("partner_type") not in (
        SELF_REGISTERED_PARTNER_TYPES
    ):
        raise ValidationError(
            {"partner_type": _("This kind of partner cannot register itself.")}
        )
    org = Organisation(kind=kind, **organisation)
    if kind == OrgKind.KOREAN_COMPANY:
        org.country = "KR"
    user = User(
        role=Role.APPLICANT,
        preferred_language="ko" if (language or "").startswith("ko") else "en",
        **person,
    )
    user.set_password(password)
    _check(org, user)
    try:
        with transaction.atomic():
            org.save()
            user.organisation = org
            user.save()
            _queue_tell_secretariat(org)
    except IntegrityError as exc:
        # Two people registering the same company or user name at the same moment.
        raise ValidationError(
            _("The same organisation or user name was registered just now. Please try again.")
        ) from exc
    return user


def _absolute(site_url: str, name: str) -> str:
    return site_url.rstrip("/") + reverse(name) if site_url else ""


def _queue_tell_secretariat(org: Organisation) -> None:
    """Inside the registration's transaction: one e-mail job per secretariat member."""

    staff = User.objects.filter(role=Role.SECRETARIAT, is_active=True).exclude(email="")
    for member in staff.order_by("pk"):
        queue_email(f"org-registered:{org.pk}:{member.pk}",
                    "kcity.accounts.services.tell_secretariat_member",
                    org_pk=org.pk, member_pk=member.pk)


def tell_secretariat_member(*, org_pk: int, member_pk: int) -> None:
    """The worker's side: tell one secretariat member about a new organisation."""
    org = Organisation.objects.get(pk=org_pk)
    for member in User.objects.filter(pk=member_pk):
        with translation.override(member.preferred_language or "en"):
            subject = _("New organisation to verify: %(name)s") % {"name": org.name}
            body = render_to_string(
                "accounts/email/organisation_registered.txt", {"org": org, "user": member}
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [member.email])


def verify_organisations(
    *, organisations: Iterable[Organisation], by: User, site_url: str = "", now=None
) -> int:
    """Mark the pending organisations verified and tell their people by e-mail.

    Already verified organisations are left as they are (their date stays the first one).
    `site_url` (e.g. "https://portal.example/") makes the e-mail's links absolute.
    Returns how many organisations were verified now.
    """

    if not can_verify_organisations(by):
        raise PermissionError("only the secretariat verifies organisations")
    ids = [o.pk for o in organisations]
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            Organisation.objects.select_for_update()
            .filter(pk__in=ids, verified_at__isnull=True)
            .order_by("pk")
        )
        Organisation.objects.filter(pk__in=[o.pk for o in pending]).update(verified_at=now)
        for org in pending:
            audit.record(action=audit.Action.VERIFICATION, obj=org, by=by, now=now,
                         frm="", to=now.isoformat(), field="verified_at")
        members = list(
            User.objects.filter(organisation__in=pending, is_active=True)
            .exclude(email="")
            .select_related("organisation")
        )

        stamp = now.strftime("%Y%m%dT%H%M%S%f")
        for member in members:
            queue_email(f"org-verified:{member.organisation_id}:{member.pk}:{stamp}",
                        "kcity.accounts.services.tell_member_verified",
                        member_pk=member.pk, site_url=site_url)
    return len(pending)


def tell_member_verified(*, member_pk: int, site_url: str) -> None:
    """The worker's side: tell one person that their organisation is verified."""
    for member in User.objects.filter(pk=member_pk).select_related("organisation"):
        with translation.override(member.preferred_language or "en"):
            context = {
                "user": member,
                "org": member.organisation,
                "calls_url": _absolute(site_url, "programs:call_list"),
                "login_url": _absolute(site_url, "accounts:login"),
            }
            subject = _("Your organisation is verified on the K-City Network portal")
            body = render_to_string("accounts/email/organisation_verified.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [member.email])


def verify_organisation(*, organisation: Organisation, by: User, site_url: str = "",
                        now=None) -> Organisation:
    """Verify one pending organisation (audited, its people told); the fresh row."""
    verify_organisations(organisations=[organisation], by=by, site_url=site_url, now=now)
    return Organisation.objects.get(pk=organisation.pk)


def set_role(*, account: User, by: User, role: str, is_staff: bool | None = None,
             is_superuser: bool | None = None, is_active: bool | None = None,
             groups: Iterable[Group] | None = None, now=None) -> User:
    """Change `account`'s role (and staff, superuser and active flags, and groups): the one
    way these change by hand, each change an audit entry naming `by`. Only the secretariat's
    administrators change roles, only a superuser grants or takes superuser, and nobody
    changes their own."""
    if not can_change_roles(by):
        raise Refused(_("Only the secretariat's administrators change roles."))
    if by.pk == account.pk:
        raise Refused(_("You cannot change your own role or access."))
    if role not in Role.values:
        raise Refused(_("Choose a role."))
    if is_superuser is not None and is_superuser != account.is_superuser and not by.is_superuser:
        raise Refused(_("Only a superuser grants or takes superuser access."))
    with transaction.atomic(), audit.acting(by):
        row = User.objects.select_for_update().get(pk=account.pk)
        row.role = role
        for name, value in (("is_staff", is_staff), ("is_superuser", is_superuser),
                            ("is_active", is_active)):
            if value is not None:
                setattr(row, name, bool(value))
        row.save(update_fields=["role", "is_staff", "is_superuser", "is_active"])
        if groups is not None:
            row.groups.set(list(groups))
    return row

