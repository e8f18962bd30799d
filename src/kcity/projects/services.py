"""Every write of the projects core goes through a function here: keyword arguments only,
the actor as `by=`, the time as `now=`, the fresh object returned, `Refused` (nothing
written) otherwise. State changes go through `kcity.projects.lifecycle.transition` only."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.applications.services import delete_stored_file, stored_upload
from kcity.core.errors import Refused
from kcity.portfolio.models import SelectedProject
from kcity.programs.models import TrackKind
from kcity.projects import lifecycle
from kcity.projects.models import (
    DeliverableType,
    FollowOn,
    FollowOnKind,
    FrameworkParty,
    PartyRole,
    Project,
    ProjectEvent,
    ProjectState,
    Training,
)

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
Action = ProjectEvent.Action


def deliverable_type_for(proposal) -> str:
    """The one rule for a project's deliverable: a demonstration track delivers a
    demonstration report; a planning track a master plan (smart city development planning,
    track CITY), a solution plan (smart solution planning, track SOLUTION) or, for the
    combined planning track, a basic concept."""
    track = proposal.track
    if track.kind == TrackKind.DEMONSTRATION:
        return DeliverableType.DEMONSTRATION_REPORT
    code = (track.code or "").upper()
    if code.startswith("CITY"):
        return DeliverableType.MASTER_PLAN
    if code.startswith("SOLUTION"):
        return DeliverableType.SOLUTION_PLAN
    return DeliverableType.BASIC_CONCEPT


def planned_dates(results_on: dt.date) -> tuple[dt.date, dt.date]:
    """A project starts the first of the month after the results and is planned to end by
    30 June of the next year."""
    start = (results_on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return start, dt.date(results_on.year + 1, 6, 30)


def _check(by, project) -> None:
    if not permissions.can_manage_project(by, project):
        raise Refused(_("Only the secretariat of this project's track can do this."))


def _event(project, by, now, action, **detail) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, actor=by, at=now, action=action,
                                       detail=detail)


def _lock(project) -> Project:
    return Project.objects.select_for_update().select_related("proposal__track").get(
        pk=project.pk)


def _public_record(proposal) -> SelectedProject:
    """A new row of the public portfolio for a selected proposal (the public facts only)."""
    kind = proposal.track.kind
    return SelectedProject.objects.create(
        year=proposal.cycle.year, track_kind=kind, programme=kind, city=proposal.city,
        country=proposal.country or proposal.organisation.country, title=proposal.title,
        korean_partner=(proposal.organisation.name if kind == TrackKind.DEMONSTRATION else ""),
    )


def open_project(*, by, proposal, award: int, now=None) -> Project:
    """The project of a selected proposal, created agreement pending when its selection (or
    replacement) is published; called by `kcity.selection.services.publish` in its
    transaction. A proposal that has a project already keeps it."""
    now = now or timezone.now()
    existing = Project.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    if not award or award <= 0:
        raise Refused(_("A project needs a positive award."))
    start, end = planned_dates(timezone.localtime(now, SEOUL).date())
    with transaction.atomic():
        project = Project.objects.create(
            proposal=proposal, award=int(award), deliverable_type=deliverable_type_for(proposal),
            planned_start=start, planned_end=end, record=_public_record(proposal))
        _event(project, by, now, Action.CREATED, award=int(award),
               planned_start=start.isoformat(), planned_end=end.isoformat())
    return project


def cancel_for_withdrawal(*, by, proposal, now=None) -> Project | None:
    """A withdrawn selected proposal's pending project is cancelled when its replacement is
    published."""
    project = Project.objects.filter(proposal=proposal).first()
    if project is None or project.state != ProjectState.AGREEMENT_PENDING:
        return project
    return lifecycle.transition(project, ProjectState.CANCELLED, by=by, now=now,
                                reason=_("The proposal was withdrawn."), withdrawn=True)


def extend(*, project, by, planned_end: dt.date, reason: str, now=None) -> Project:
    """Move the planned end later, with a reason (an audited event, not a state)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        row = _lock(project)
        _check(by, row)
        if row.state not in (ProjectState.AGREEMENT_PENDING, ProjectState.IN_PROGRESS):
            raise Refused(_("Only a pending or running project can be extended."))
        if not reason:
            raise Refused(_("Give a reason for the extension."))
        if planned_end <= row.planned_end:
            raise Refused(_("An extension moves the planned end later."))
        old = row.planned_end
        row.planned_end = planned_end
        row.save(update_fields=["planned_end"])
        _event(row, by, now, Action.EXTENDED, reason=reason, from_end=old.isoformat(),
               to_end=planned_end.isoformat())
    return row


def set_contractor(*, project, by, contractor, contract_value: int | None = None,
                   now=None) -> Project:
    """Record the Korean contractor (and the contract value, within the award)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _lock(project)
        _check(by, row)
        if contract_value is not None:
            row.check_contract_value(contract_value)
        row.contractor, row.contract_value = contractor, contract_value
        row.save(update_fields=["contractor", "contract_value"])
        _event(row, by, now, Action.CONTRACTOR, contractor=contractor.pk,
               contract_value=contract_value)
    return row


# ---- cooperation framework ------------------------------------------------------------------


def add_party(*, project, by, role: str, organisation=None, name: str = "",
              now=None) -> FrameworkParty:
    name = (name or "").strip()
    with transaction.atomic():
        row = _lock(project)
        _check(by, row)
        if role not in PartyRole.values:
            raise Refused(_("Choose the party's role."))
        if organisation is None and not name:
            raise Refused(_("Name the party or choose its organisation."))
        if row.state != ProjectState.AGREEMENT_PENDING:
            raise Refused(_("The framework can change only while the agreement is pending."))
        return FrameworkParty.objects.create(project=row, role=role, organisation=organisation,
                                             name=name)


def sign_party(*, party, by, upload, signed_on: dt.date, now=None) -> FrameworkParty:
    """Record a party's signature: the signed document goes through the applications'
    upload check and storage (`stored_upload`), filed with the proposal's documents."""
    now = now or timezone.now()
    project = party.project
    _check(by, project)
    document = stored_upload(proposal=project.proposal, by=by, upload=upload,
                             code=f"framework-{party.pk}")
    try:
        with transaction.atomic():
            row = _lock(project)
            party = FrameworkParty.objects.select_for_update().get(pk=party.pk, project=row)
            if row.state != ProjectState.AGREEMENT_PENDING:
                raise Refused(_("The framework can change only while the agreement is "
                                "pending."))
            if party.signed_document_id is not None:
                raise Refused(_("This party has signed already."))
            if signed_on > timezone.localtime(now, SEOUL).date():
                raise Refused(_("The signing date cannot be in the future."))
            document.save()
            party.signed_document, party.signed_on = document, signed_on
            party.save(update_fields=["signed_document", "signed_on"])
            _event(row, by, now, Action.SIGNED, party=party.pk, role=party.role,
                   signed_on=signed_on.isoformat())
    except Exception:
        delete_stored_file(file=document.file)
        raise
    return party


# ---- capacity building and follow-on --------------------------------------------------------


def record_training(*, project, by, kind: str, title: str, starts_on: dt.date,
                    ends_on: dt.date, participants: int, place: str = "", online: bool = False,
                    cost_shares: dict | None = None, now=None) -> Training:
    now = now or timezone.now()
    shares = {str(k): v for k, v in (cost_shares or {}).items()}
    if kind not in Training.Kind.values:
        raise Refused(_("Choose a training or a seminar."))
    if not (title or "").strip():
        raise Refused(_("Give the training a title."))
    if ends_on < starts_on:
        raise Refused(_("A training ends on or after its first day."))
    if not online and not (place or "").strip():
        raise Refused(_("Give the place, or mark the training online."))
    if participants < 0:
        raise Refused(_("The number of participants cannot be negative."))
    if any(k not in PartyRole.values or not isinstance(v, int) or isinstance(v, bool) or v < 0
           for k, v in shares.items()):
        raise Refused(_("Cost shares are whole KRW amounts per party role."))
    with transaction.atomic():
        row = _lock(project)
        _check(by, row)
        training = Training.objects.create(
            project=row, kind=kind, title=title.strip(), starts_on=starts_on, ends_on=ends_on,
            place=(place or "").strip(), online=online, participants=participants,
            cost_shares=shares)
        _event(row, by, now, Action.TRAINING, training=training.pk, participants=participants)
    return training


def record_follow_on(*, project, by, kind: str, on: dt.date, proposal=None,
                     partners: str = "", amount: int | None = None, now=None) -> FollowOn:
    now = now or timezone.now()
    if kind not in FollowOnKind.values:
        raise Refused(_("Choose what the project led to."))
    if amount is not None and amount < 0:
        raise Refused(_("The amount cannot be negative."))
    if kind == FollowOnKind.DEMONSTRATION_PROPOSAL and (
            proposal is None or proposal.track.kind != TrackKind.DEMONSTRATION):
        raise Refused(_("Link the demonstration proposal this project led to."))
    with transaction.atomic():
        row = _lock(project)
        _check(by, row)
        if proposal is not None and proposal.pk == row.proposal_id:
            raise Refused(_("A project cannot lead to its own proposal."))
        if proposal is not None and FollowOn.objects.filter(project=row,
                                                            proposal=proposal).exists():
            raise Refused(_("This follow-on is recorded already."))
        follow_on = FollowOn.objects.create(
            project=row, kind=kind, on=on, proposal=proposal, partners=(partners or "").strip(),
            amount=amount)
        _event(row, by, now, Action.FOLLOW_ON, follow_on=follow_on.pk, kind=kind)
    return follow_on
