"""Who may do what: every permission decision of the platform lives in this one module.

Views, the admin, the API and exports ask these functions; none of them checks roles itself.
A function named `can_*` answers yes or no; a function named `visible_*` returns the one
queryset of objects a user may see, so a stranger gets 404 rather than a hint.
"""

from django.db.models import QuerySet

from kcity.accounts.models import OrgKind, Role, SecretariatUnit


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_secretariat(user) -> bool:
    """Secretariat staff: MOLIT, KIND or KAIA people (and superusers)."""
    if not _is_active(user):
        return False
    return user.is_superuser or user.role == Role.SECRETARIAT


def secretariat_unit(user) -> str | None:
    if not is_secretariat(user):
        return None
    if user.is_superuser and not user.organisation_id:
        return SecretariatUnit.MOLIT
    org = user.organisation
    return org.secretariat_unit if org and org.kind == OrgKind.SECRETARIAT else None


def can_manage_track(user, track) -> bool:
    """MOLIT manages every track; KIND the planning tracks; KAIA the demonstration tracks."""
    unit = secretariat_unit(user)
    if unit is None:
        return False
    return unit == SecretariatUnit.MOLIT or unit == track.secretariat


def can_use_admin(user) -> bool:
    return is_secretariat(user) and user.is_staff


def is_applicant(user) -> bool:
    return _is_active(user) and user.role == Role.APPLICANT


def is_evaluator(user) -> bool:
    return _is_active(user) and user.role == Role.EVALUATOR


def is_contractor(user) -> bool:
    return _is_active(user) and user.role == Role.CONTRACTOR


def visible_cycles(user) -> QuerySet:
    """Draft cycles are for the secretariat; everyone sees the published ones."""
    from kcity.programs.models import Cycle, CycleStatus

    qs = Cycle.objects.all()
    if is_secretariat(user):
        return qs
    return qs.exclude(status=CycleStatus.DRAFT)


def visible_tracks(user) -> QuerySet:
    from kcity.programs.models import Track

    return Track.objects.filter(cycle__in=visible_cycles(user))
