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


def can_apply(user) -> bool:
    """May this user submit proposals at all? An active applicant of a verified organisation.

    Registration creates the organisation pending; only the secretariat's verification lets
    its people submit. Which track a verified applicant may enter is the track's own rule.
    """
    if not is_applicant(user) or not user.organisation_id:
        return False
    return user.organisation.verified_at is not None


def can_verify_organisations(user) -> bool:
    """Verifying an applicant organisation is a secretariat decision."""
    return is_secretariat(user)


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


# ---- proposals ------------------------------------------------------------------------------


def can_start_proposal(user) -> bool:
    """An applicant acting for an organisation; the track rules decide the rest."""
    return is_applicant(user) and user.organisation_id is not None


def is_proposal_applicant(user, proposal) -> bool:
    """People of the applicant (lead) organisation act for the proposal."""
    return (
        is_applicant(user)
        and user.organisation_id is not None
        and user.organisation_id == proposal.organisation_id
    )


def can_screen_proposal(user, proposal) -> bool:
    """The track's secretariat screens a proposal (KIND planning, KAIA demonstration)."""
    return can_manage_track(user, proposal.track)


def managed_proposals(user) -> QuerySet:
    """The proposals of the tracks this secretariat user manages."""
    from kcity.applications.models import Proposal

    unit = secretariat_unit(user)
    if unit is None:
        return Proposal.objects.none()
    qs = Proposal.objects.all()
    if unit != SecretariatUnit.MOLIT:
        qs = qs.filter(track__secretariat=unit)
    return qs


def visible_proposals(user) -> QuerySet:
    """Every proposal page and download starts here: a stranger's lookup finds nothing (404).

    The applicant organisation sees its proposals; a consortium member that has confirmed
    sees the proposal it joined; the secretariat sees the proposals of its tracks.
    """
    from kcity.applications.models import Proposal

    if not _is_active(user):
        return Proposal.objects.none()
    if is_secretariat(user):
        return managed_proposals(user)
    if not is_applicant(user) or user.organisation_id is None:
        return Proposal.objects.none()
    from django.db.models import Q

    return Proposal.objects.filter(
        Q(organisation_id=user.organisation_id)
        | Q(
            members__organisation_id=user.organisation_id,
            members__confirmed_at__isnull=False,
        )
    ).distinct()
