"""Who may do what: every permission decision of the platform lives in this one module.

Views, the admin, the API and exports ask these functions; none of them checks roles itself.
A function named `can_*` answers yes or no; a function named `visible_*` returns the one
queryset of objects a user may see, so a stranger gets 404 rather than a hint.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from kcity.accounts.models import OrgKind, Role, SecretariatUnit
from kcity.applications.models import Proposal
from kcity.core.models import AuditEntry
from kcity.opendata.report_models import AnnualReport
from kcity.programs.models import Cycle, CycleStatus, Track
from kcity.projects.delivery_models import Deliverable, Payment
from kcity.projects.models import Project
from kcity.projects.procurement_models import (
    PUBLIC_STATES,
    Bid,
    BriefingRegistration,
    Tender,
    TenderState,
)


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


def managed_tracks(user) -> QuerySet:
    """The tracks this secretariat user manages (`can_manage_track` as a queryset): MOLIT
    every track, KIND the planning tracks, KAIA the demonstration tracks, others none. The
    administration scopes its lists with it."""
    unit = secretariat_unit(user)
    if unit is None:
        return Track.objects.none()
    if unit == SecretariatUnit.MOLIT:
        return Track.objects.all()
    return Track.objects.filter(secretariat=unit)


def can_use_admin(user) -> bool:
    return is_secretariat(user) and user.is_staff


def needs_two_factor(user) -> bool:
    """Must this user confirm a log-in with a second factor (when KCITY_REQUIRE_2FA is on)?

    The secretariat (MOLIT, KIND, KAIA: by role or by organisation), evaluators and anyone
    who may enter the administration. Applicants and contractors are offered it, not asked.
    """
    if not _is_active(user):
        return False
    if user.is_staff or user.is_superuser or user.role in {Role.SECRETARIAT, Role.EVALUATOR}:
        return True
    org = user.organisation if user.organisation_id else None
    return bool(org and org.kind == OrgKind.SECRETARIAT)


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


def can_change_roles(user) -> bool:
    """Roles, staff access and permissions change only through the audited service
    (`accounts.services.set_role`), by the secretariat's administrators."""
    return can_use_admin(user)


# ---- the audit trail ------------------------------------------------------------------------


def can_read_audit(user) -> bool:
    """The secretariat searches and exports the audit trail; everyone else gets 404."""
    return secretariat_unit(user) is not None


def visible_audit_entries(user) -> QuerySet:
    """MOLIT reads every entry; KIND and KAIA the entries of their own tracks and the
    programme-wide ones (organisations, roles, cycles, selection), never the other unit's."""
    unit = secretariat_unit(user)
    if unit is None:
        return AuditEntry.objects.none()
    if unit == SecretariatUnit.MOLIT:
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(scope__in=[unit, ""])


def is_evaluator(user) -> bool:
    return _is_active(user) and user.role == Role.EVALUATOR


def is_contractor(user) -> bool:
    return _is_active(user) and user.role == Role.CONTRACTOR


def visible_cycles(user) -> QuerySet:
    """Draft cycles are for the secretariat; everyone sees the published ones."""

    qs = Cycle.objects.all()
    if is_secretariat(user):
        return qs
    return qs.exclude(status=CycleStatus.DRAFT)


def visible_tracks(user) -> QuerySet:

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


def can_edit_proposal(user, proposal) -> bool:
    """Who may change a proposal (its content, consortium and documents): the people of the
    applicant (lead) organisation. A consortium partner or an evaluator who reads it gets no
    edit form (404). When it may change (state, deadline) is `services.edit_refusal`'s."""
    return is_proposal_applicant(user, proposal)


def can_screen_proposal(user, proposal) -> bool:
    """The track's secretariat screens a proposal (KIND planning, KAIA demonstration)."""
    return can_manage_track(user, proposal.track)


def managed_proposals(user) -> QuerySet:
    """The proposals of the tracks this secretariat user manages."""

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
    sees the proposal it joined; the secretariat sees the proposals of its tracks; an
    evaluator sees the proposals of the panels they sit on, not conflicted and once they have
    declared no conflict.
    """

    if not _is_active(user):
        return Proposal.objects.none()
    if is_secretariat(user):
        return managed_proposals(user)
    if is_evaluator(user):
        # An evaluator reads a proposal only once they have stated they have no conflict.
        return assigned_proposals(user).filter(
            conflict_declarations__evaluator=user, conflict_declarations__has_conflict=False
        )
    if not is_applicant(user) or user.organisation_id is None:
        return Proposal.objects.none()

    return Proposal.objects.filter(
        Q(organisation_id=user.organisation_id)
        | Q(
            members__organisation_id=user.organisation_id,
            members__confirmed_at__isnull=False,
        )
    ).distinct()


def visible_proposal(user, pk, select_related=(), only=()):
    """The one proposal `pk` if `user` may see it, else None (the caller answers 404).

    Same answer as `visible_proposals(user).filter(pk=pk)`, cheaper on the hot path: an
    applicant's own organisation's proposal is found by primary key and organisation (no
    join, no DISTINCT); only when that misses (a consortium member's proposal, a stranger's)
    does the lookup fall back to `visible_proposals`. `only` names the columns to read when
    the caller needs few (the submission reads the row again under its lock).
    """

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    def narrowed(qs):
        if select_related:  # select_related() with no names would join every relation
            qs = qs.select_related(*select_related)
        # No ORDER BY (one row by primary key): each compiled column costs on the hot path.
        return next(iter(qs.only(*only) if only else qs), None)

    # The applicant branch of `visible_proposals`, taken only where that function would take
    # it (a superuser is secretariat first, whatever their role).
    if is_applicant(user) and not is_secretariat(user) and user.organisation_id is not None:
        own = narrowed(Proposal.objects.filter(pk=pk, organisation_id=user.organisation_id))
        if own is not None:
            return own
    return narrowed(visible_proposals(user).filter(pk=pk))


# ---- evaluation -----------------------------------------------------------------------------


def automatic_conflict(user, proposal) -> bool:
    """The evaluator's organisation applies, is in the consortium (invited or confirmed) or
    is the contractor of the proposal's project."""

    org = getattr(user, "organisation_id", None)
    if org is None:
        return False
    return (
        org == proposal.organisation_id
        or proposal.members.filter(organisation_id=org).exists()
        or Project.objects.filter(proposal_id=proposal.pk, contractor_id=org).exists()
    )


def conflicted_proposals(user) -> QuerySet:
    """The proposals this evaluator must never see: automatic and declared conflicts."""

    q = Q(conflict_declarations__evaluator=user, conflict_declarations__has_conflict=True)
    if user.organisation_id is not None:
        q |= Q(organisation_id=user.organisation_id)
        q |= Q(members__organisation_id=user.organisation_id)
        q |= Q(project__contractor_id=user.organisation_id)
    return Proposal.objects.filter(q)


def assigned_proposals(user) -> QuerySet:
    """Proposals of the panels where this evaluator holds an active seat, minus conflicts.

    The assignment list shows only their title and applicant (to declare a conflict);
    `visible_proposals` opens the content after a declaration of no conflict.
    """

    if not is_evaluator(user):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(
            eval_panels__members__evaluator=user, eval_panels__members__active=True
        )
        .exclude(pk__in=conflicted_proposals(user).values("pk"))
        .distinct()
    )


def can_manage_panel(user, panel) -> bool:
    return can_manage_track(user, panel.track)


def sits_on_panel(user, panel) -> bool:
    return is_evaluator(user) and panel.members.filter(evaluator=user, active=True).exists()


def can_see_panel_scores(user, panel) -> bool:
    """Blind scoring: the secretariat follows the scores (dispersion, outliers) while the
    panel is open; its evaluators see each other's scores only once it is closed."""
    if can_manage_panel(user, panel):
        return True
    return panel.is_closed and sits_on_panel(user, panel)


def can_see_evaluation_summary(user, panel, proposal) -> bool:
    """For a proposal already found through `visible_proposals`: the secretariat at any time
    after closing, the panel's evaluators after closing, the applicant once released."""
    if not panel.is_closed:
        return False
    if can_manage_panel(user, panel) or sits_on_panel(user, panel):
        return True
    return panel.results_released and is_proposal_applicant(user, proposal)


# ---- selection ------------------------------------------------------------------------------


def can_run_selection(user, cycle) -> bool:
    """A round chooses across all the tracks of a cycle under one budget, so only a
    secretariat unit that manages every track of the cycle runs it (MOLIT in practice)."""
    if secretariat_unit(user) is None:
        return False
    return all(can_manage_track(user, track) for track in cycle.tracks.all())


def selection_cycles(user) -> QuerySet:
    """The cycles whose selection this user runs; a stranger's lookups find nothing (404)."""

    unit = secretariat_unit(user)
    if unit is None:
        return Cycle.objects.none()
    if unit == SecretariatUnit.MOLIT:
        return Cycle.objects.all()
    others = [u for u in SecretariatUnit.values if u != unit]
    return Cycle.objects.exclude(tracks__secretariat__in=others)


# ---- projects -------------------------------------------------------------------------------


def can_manage_project(user, project) -> bool:
    """The secretariat of the project's track (MOLIT: every track) runs the project: its
    moves, framework, work plan, reviews and payments."""
    return can_manage_track(user, project.proposal.track)


def _acts_for_a_company(user) -> bool:
    """A contractor's or applicant's account (an evaluator of the same company is not one)."""
    return (_is_active(user) and not user.is_superuser
            and user.role in {Role.CONTRACTOR, Role.APPLICANT})


def is_project_contractor(user, project) -> bool:
    """People of the contractor organisation submit the deliverables."""
    return (_acts_for_a_company(user) and project.contractor_id is not None
            and user.organisation_id == project.contractor_id)


def is_project_host(user, project) -> bool:
    """People of the host government (the proposal's organisation) follow the progress."""
    return (is_applicant(user) and user.organisation_id is not None
            and user.organisation_id == project.proposal.organisation_id)


def visible_projects(user) -> QuerySet:
    """Every project page, delivery page and download starts here; a stranger's lookup finds
    nothing (404).

    The secretariat sees the projects of its tracks (MOLIT all); the contractor organisation
    its own projects; the host government (the proposal's applicant organisation) and the
    consortium members that confirmed their own projects. Evaluators see none, even of their
    own company."""
    if not _is_active(user):
        return Project.objects.none()
    if is_secretariat(user):
        unit = secretariat_unit(user)
        if unit is None:
            return Project.objects.none()
        if unit == SecretariatUnit.MOLIT:
            return Project.objects.all()
        return Project.objects.filter(proposal__track__secretariat=unit)
    org = user.organisation_id
    if org is None or not _acts_for_a_company(user):
        return Project.objects.none()
    q = Q(contractor_id=org)
    if is_applicant(user):
        q |= Q(proposal__organisation_id=org)
        q |= Q(proposal__members__organisation_id=org,
               proposal__members__confirmed_at__isnull=False)
    return Project.objects.filter(
        pk__in=Project.objects.filter(q).values("pk")).order_by("-created_at", "pk")


def visible_deliverables(user) -> QuerySet:
    return Deliverable.objects.filter(project__in=visible_projects(user))


def visible_payments(user) -> QuerySet:
    return Payment.objects.filter(project__in=visible_projects(user))


# ---- procurement (projects) -----------------------------------------------------------------
# Tenders, briefing registrations and sealed bids: one queryset per model.

def can_manage_procurement(user, tender_or_project) -> bool:
    """The secretariat that runs the project (`can_manage_project`) runs its procurement."""
    return can_manage_project(user, getattr(tender_or_project, "project", tender_or_project))


def can_bid(user) -> bool:
    """A person of a verified Korean company or contractor (country KR)."""
    if not _is_active(user) or not user.organisation_id:
        return False
    org = user.organisation
    return (org.kind in (OrgKind.KOREAN_COMPANY, OrgKind.CONTRACTOR)
            and org.country == "KR" and org.verified_at is not None)


def visible_tenders(user) -> QuerySet:
    """Anyone, anonymous included, sees published tenders (and what came after, a tender
    cancelled after its notice included); the secretariat of the track also sees its drafts
    and the drafts it cancelled."""
    public = Q(state__in=PUBLIC_STATES, published_at__isnull=False)
    unit = secretariat_unit(user)
    if unit == SecretariatUnit.MOLIT:
        return Tender.objects.all()
    if unit is not None:
        return Tender.objects.filter(public | Q(project__proposal__track__secretariat=unit))
    return Tender.objects.filter(public)


def visible_bids(user, now=None) -> QuerySet:
    """A bidder sees its own organisation's bids; the track's secretariat and the tender's
    committee see bids only once the deadline has passed (bids are sealed until then)."""
    now = now or timezone.now()
    if not _is_active(user):
        return Bid.objects.none()
    opened = Q(tender__bid_deadline__lte=now) & ~Q(tender__state=TenderState.DRAFT)
    rule = Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    unit = secretariat_unit(user)
    if unit == SecretariatUnit.MOLIT:
        rule |= opened
    elif unit is not None:
        rule |= opened & Q(tender__project__proposal__track__secretariat=unit)
    if is_evaluator(user):
        rule |= opened & Q(tender__committee__evaluator=user)
    return Bid.objects.filter(rule).distinct()


def visible_registrations(user) -> QuerySet:
    """A company sees its own briefing registrations; the track's secretariat sees all."""
    if not _is_active(user):
        return BriefingRegistration.objects.none()
    rule = Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    unit = secretariat_unit(user)
    if unit == SecretariatUnit.MOLIT:
        return BriefingRegistration.objects.all()
    if unit is not None:
        rule |= Q(tender__project__proposal__track__secretariat=unit)
    return BriefingRegistration.objects.filter(rule)


# ---- annual reports (opendata) ----------------------------------------------------------------

def can_manage_reports(user) -> bool:
    """The secretariat (any unit) lists every annual report and asks for new ones."""
    return secretariat_unit(user) is not None


def visible_reports(user) -> QuerySet:
    """The secretariat sees every report, confidential or not, rendered or pending; everyone
    else the public reports once rendered."""
    if can_manage_reports(user):
        return AnnualReport.objects.all()
    return AnnualReport.objects.filter(confidential=False, created_at__isnull=False)
