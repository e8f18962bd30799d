"""Every write of a procurement goes through a function here (a tender's state through
`procurement_lifecycle.transition`): keyword arguments, the actor as `by=`, the time as
`now=`, the fresh object returned, `Refused` with a clear message and nothing written
otherwise.

The rules: the ceiling never exceeds the project's award (checked with the project row
locked); only verified Korean companies register and bid, before the deadline the server
reads from its own clock; a bid's price is at most the ceiling and its technical proposal
passes the platform's one upload check (`applications.services.stored_upload`); the
committee is drawn from the expert pool like a proposal panel, never seating an evaluator
whose organisation bids; the award goes to the best combined score (ties: lower price) and
sets the project's contractor and contract value (`set_project_contractor`)."""

import datetime as dt
import functools
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.applications.services import stored_upload
from kcity.core.errors import Refused
from kcity.evaluation.draw import draw_panel
from kcity.evaluation.services import expert_pool
from kcity.projects import procurement_lifecycle as lifecycle
from kcity.projects.models import Project, ProjectState
from kcity.projects.procurement_models import (
    Bid,
    BriefingRegistration,
    CommitteeMember,
    Contract,
    TechnicalScore,
    Tender,
    TenderEvent,
)
from kcity.projects.procurement_models import TenderState as T
from kcity.projects.procurement_selectors import ranking

OPEN_PROJECT_STATES = (ProjectState.AGREEMENT_PENDING, ProjectState.IN_PROGRESS)
TENDER_FIELDS = (
    "scope_en", "scope_ko", "ceiling", "notice_date", "briefing_at", "briefing_place",
    "bid_deadline", "evaluation_date", "award_date", "consortia_allowed", "technical_weight",
    "price_weight",
)


def _krw(value, label) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Refused(_("%(label)s must be a whole, positive amount of won.") % {"label": label})
    return value


def _check_manager(actor, project) -> None:
    if not permissions.can_manage_procurement(actor, project):
        raise Refused(_("Only the secretariat of this project's track can do this."))


def _check_terms(project: Project, fields: dict) -> None:
    """The tender's terms against the project, read under the project's row lock."""
    ceiling = _krw(fields["ceiling"], _("The ceiling"))
    if ceiling > project.award:
        raise Refused(_("The ceiling (%(ceiling)s KRW) is above the project's award "
                        "(%(award)s KRW).") % {"ceiling": f"{ceiling:,}",
                                               "award": f"{project.award:,}"})
    tech, price = fields["technical_weight"], fields["price_weight"]
    if any(isinstance(w, bool) or not isinstance(w, int) or w < 0 for w in (tech, price)) \
            or tech + price != 100:
        raise Refused(_("The technical and price weights are whole numbers that add up to 100."))
    if not (fields["scope_en"] or "").strip() or not (fields["scope_ko"] or "").strip():
        raise Refused(_("Describe the scope in English and in Korean."))
    deadline = fields["bid_deadline"]
    if timezone.is_naive(deadline):
        raise Refused(_("The bid deadline needs a time zone."))
    if fields["notice_date"] > deadline.date():
        raise Refused(_("The bid notice is published before the bid deadline."))
    if fields["evaluation_date"] < deadline.astimezone(dt.UTC).date():
        raise Refused(_("The bids are evaluated after the bid deadline."))
    if fields["award_date"] < fields["evaluation_date"]:
        raise Refused(_("The contract is awarded after the evaluation."))
    briefing = fields.get("briefing_at")
    if briefing is not None and briefing >= deadline:
        raise Refused(_("The briefing session is held before the bid deadline."))


def draft_tender(*, project: Project, by, now=None, **fields) -> Tender:
    """The secretariat drafts a tender from the scope agreed with the host government."""
    now = now or timezone.now()
    unknown = set(fields) - set(TENDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown tender fields: {sorted(unknown)}")
    fields.setdefault("briefing_at", None)
    fields.setdefault("briefing_place", "")
    fields.setdefault("consortia_allowed", False)
    _check_manager(by, project)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.state not in OPEN_PROJECT_STATES:
            raise Refused(_("Only a project awaiting its agreement or in progress is procured."))
        if locked.tenders.exclude(state=T.CANCELLED).exists():
            raise Refused(_("This project already has a tender."))
        _check_terms(locked, fields)
        tender = Tender.objects.create(project=locked, created_by=by, created_at=now, **fields)
        TenderEvent.objects.create(tender=tender, action=TenderEvent.Action.DRAFTED, actor=by,
                                   at=now, detail={"ceiling": tender.ceiling})
    return tender


def update_tender(*, tender: Tender, by, now=None, **fields) -> Tender:
    """Change a draft's terms (a published notice is not changed)."""
    now = now or timezone.now()
    _check_manager(by, tender.project)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=tender.project_id)
        row = Tender.objects.select_for_update().get(pk=tender.pk)
        if row.state != T.DRAFT:
            raise Refused(_("Only a draft tender can be changed."))
        terms = {name: fields.get(name, getattr(row, name)) for name in TENDER_FIELDS}
        _check_terms(project, terms)
        for name, value in terms.items():
            setattr(row, name, value)
        row.save(update_fields=list(TENDER_FIELDS))
        TenderEvent.objects.create(tender=row, action=TenderEvent.Action.UPDATED, actor=by,
                                   at=now, detail={"fields": sorted(fields)})
    return row


def publish_tender(*, tender: Tender, by, now=None) -> Tender:
    now = now or timezone.now()
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=tender.project_id)
        row = Tender.objects.select_for_update().get(pk=tender.pk)
        lifecycle.MACHINE.check(row, T.PUBLISHED, by)
        _check_terms(project, {name: getattr(row, name) for name in TENDER_FIELDS})
        if row.bid_deadline <= now:
            raise Refused(_("The bid deadline has passed: set a later one before publishing."))
        return lifecycle.transition(row, T.PUBLISHED, by=by, now=now, locked=True)


def _check_bidder(actor) -> None:
    if not permissions.can_bid(actor):
        raise Refused(_("Only a verified Korean company can take part in a tender."))


def register_for_briefing(*, tender: Tender, by, attendees: int = 1,
                          now=None) -> BriefingRegistration:
    now = now or timezone.now()
    _check_bidder(by)
    if isinstance(attendees, bool) or not isinstance(attendees, int) or not 1 <= attendees <= 5:
        raise Refused(_("Between one and five people from a company attend the briefing."))
    with transaction.atomic():
        row = Tender.objects.select_for_update().get(pk=tender.pk)
        if row.state != T.PUBLISHED or row.briefing_at is None:
            raise Refused(_("This tender has no briefing session open for registration."))
        if now >= row.briefing_at:
            raise Refused(_("The briefing session has taken place."))
        registration, created = BriefingRegistration.objects.update_or_create(
            tender=row, organisation_id=by.organisation_id,
            defaults={"registered_by": by, "registered_at": now, "attendees": attendees})
        TenderEvent.objects.create(tender=row, action=TenderEvent.Action.REGISTERED, actor=by,
                                   at=now, detail={"organisation": by.organisation_id,
                                                   "attendees": attendees})
    return registration


def _stored(tender, actor, upload, code):
    """The upload through the platform's one check; its fields for a `StoredFile` row."""
    if upload is None:
        raise Refused(_("Attach the document."))
    document = stored_upload(proposal=tender.project.proposal, by=actor, upload=upload,
                             code=code)  # UploadRefused
    return {"file": document.file.name, "original_name": document.original_name,
            "detected_type": document.detected_type, "content_type": document.content_type,
            "size": document.size, "sha256": document.sha256,
            "has_javascript": document.has_javascript}


def _delete_file(name: str | None) -> None:
    if name:
        Bid._meta.get_field("file").storage.delete(name)


def submit_bid(*, tender: Tender, by, price: int, proposal_file, now=None) -> Bid:
    """A verified Korean company's sealed bid (one per company; a new one before the
    deadline replaces it)."""
    now = now or timezone.now()
    _check_bidder(by)
    price = _krw(price, _("The price"))
    row = Tender.objects.get(pk=tender.pk)
    if row.state != T.PUBLISHED or now >= row.bid_deadline:
        raise Refused(_("This tender does not take bids (the deadline has passed or it is "
                        "not open)."))
    if price > row.ceiling:
        raise Refused(_("The price is above the ceiling of %(ceiling)s KRW.")
                      % {"ceiling": f"{row.ceiling:,}"})
    stored = _stored(row, by, proposal_file, "technical-proposal")
    try:
        with transaction.atomic():
            row = Tender.objects.select_for_update().get(pk=tender.pk)
            if row.state != T.PUBLISHED or now >= row.bid_deadline:
                raise Refused(_("This tender does not take bids (the deadline has passed or "
                                "it is not open)."))
            old = Bid.objects.select_for_update().filter(
                tender=row, organisation_id=by.organisation_id).first()
            if old is not None:
                transaction.on_commit(functools.partial(_delete_file, old.file.name))
                for name, value in stored.items():
                    setattr(old, name, value)
                old.price, old.submitted_by, old.submitted_at = price, by, now
                old.save()
                bid = old
            else:
                bid = Bid.objects.create(tender=row, organisation_id=by.organisation_id,
                                         price=price, submitted_by=by, submitted_at=now,
                                         **stored)
            # The audit row names the bidder, never the price (sealed until the deadline).
            TenderEvent.objects.create(tender=row, action=TenderEvent.Action.BID, actor=by,
                                       at=now, detail={"organisation": by.organisation_id})
    except Exception:
        _delete_file(stored["file"])
        raise
    return bid


def close_bids(*, tender: Tender, by, now=None) -> Tender:
    now = now or timezone.now()
    with transaction.atomic():
        row = Tender.objects.select_for_update().get(pk=tender.pk)
        lifecycle.MACHINE.check(row, T.CLOSED, by)
        if now < row.bid_deadline:
            raise Refused(_("Bids are taken until the deadline; close the tender after it."))
        return lifecycle.transition(row, T.CLOSED, by=by, now=now, locked=True,
                                    bids=row.bids.count())


def committee_conflicts(users, tender) -> set:
    """Evaluators whose organisation bids on the tender, or who are conflicted with the
    project's proposal (`permissions.automatic_conflict`): never drawn."""
    bidders = set(tender.bids.values_list("organisation_id", flat=True))
    proposal = tender.project.proposal
    return {u.pk for u in users
            if (u.organisation_id and u.organisation_id in bidders)
            or permissions.automatic_conflict(u, proposal)}


def draw_committee(*, tender: Tender, by, size: int = 3, seed: int | None = None,
                   now=None) -> list[CommitteeMember]:
    """Draw the bid evaluation committee from the expert pool with the panels' draw."""
    now = now or timezone.now()
    _check_manager(by, tender.project)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 15:
        raise Refused(_("A committee has between one and fifteen members."))
    seed = seed if seed is not None else secrets.randbelow(2**31)
    with transaction.atomic():
        row = Tender.objects.select_for_update().get(pk=tender.pk)
        if row.state != T.CLOSED:
            raise Refused(_("The committee is drawn once the tender is closed for bids."))
        if TechnicalScore.objects.filter(member__tender=row).exists():
            raise Refused(_("The committee has started scoring; it is not drawn again."))
        pool = expert_pool()
        by_pk = {user.pk: user for user, _fields in pool}
        conflicts = committee_conflicts(by_pk.values(), row)
        drawn = draw_panel([(user.pk, fields) for user, fields in pool], size, seed, conflicts)
        if len(drawn) < size:
            raise Refused(_("Only %(n)s experts are eligible for this committee.")
                          % {"n": len(drawn)})
        row.committee.all().delete()
        members = [CommitteeMember.objects.create(tender=row, evaluator=by_pk[pk])
                   for pk in drawn]
        row.committee_seed = seed
        row.save(update_fields=["committee_seed"])
        TenderEvent.objects.create(
            tender=row, action=TenderEvent.Action.COMMITTEE_DRAWN, actor=by, at=now,
            detail={"seed": seed, "drawn": drawn, "conflicts": sorted(conflicts)})
    return members


def score_bid(*, bid: Bid, by, points, now=None) -> TechnicalScore:
    """A committee member's technical score (0-100) of one bid, until the evaluation ends."""
    now = now or timezone.now()
    try:
        value = Decimal(str(points)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise Refused(_("A technical score is a number from 0 to 100.")) from exc
    if not Decimal(0) <= value <= Decimal(100):
        raise Refused(_("A technical score is a number from 0 to 100."))
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=bid.tender_id)
        member = CommitteeMember.objects.filter(tender=tender, evaluator=by).first()
        if member is None:
            raise Refused(_("Only a member of this tender's committee scores its bids."))
        if tender.state != T.CLOSED:
            raise Refused(_("Bids are scored while the tender is closed for bids."))
        score, _created = TechnicalScore.objects.update_or_create(
            bid_id=bid.pk, member=member, defaults={"points": value, "scored_at": now})
        TenderEvent.objects.create(tender=tender, action=TenderEvent.Action.SCORED, actor=by,
                                   at=now, detail={"bid": bid.pk, "points": str(value)})
    return score


def finish_evaluation(*, tender: Tender, by, now=None) -> Tender:
    now = now or timezone.now()
    with transaction.atomic():
        row = Tender.objects.select_for_update().get(pk=tender.pk)
        lifecycle.MACHINE.check(row, T.EVALUATED, by)
        members = row.committee.count()
        bids = row.bids.count()
        if not members or not bids:
            raise Refused(_("A tender is evaluated by its committee, with at least one bid."))
        if TechnicalScore.objects.filter(bid__tender=row).count() != members * bids:
            raise Refused(_("Every committee member scores every bid first."))
        ranked = ranking(row)
        return lifecycle.transition(
            row, T.EVALUATED, by=by, now=now, locked=True,
            ranking=[{"bid": r["bid"].pk, "combined": str(r["combined"])} for r in ranked])


def set_project_contractor(*, project: Project, contractor, contract_value: int) -> Project:
    """The project's contractor and contract value from an awarded tender, written under the
    project's row lock (`services.set_contractor` records one chosen otherwise; both follow
    `Project.check_contract_value`)."""
    with transaction.atomic():
        row = Project.objects.select_for_update().get(pk=project.pk)
        row.check_contract_value(contract_value)
        row.contractor = contractor
        row.contract_value = contract_value
        row.save(update_fields=["contractor", "contract_value"])
    return row


def award_contract(*, tender: Tender, by, value: int, signed_on: dt.date, start: dt.date,
                   end: dt.date, contract_file, now=None) -> Contract:
    """Award the tender to the best combined score and record the signed contract: the
    project's contractor and contract value follow."""
    now = now or timezone.now()
    _check_manager(by, tender.project)
    value = _krw(value, _("The contract value"))
    if end < start:
        raise Refused(_("The contract ends after it starts."))
    row = Tender.objects.select_related("project").get(pk=tender.pk)
    if row.state != T.EVALUATED:
        raise Refused(_("A tender is awarded once its bids are evaluated."))
    stored = _stored(row, by, contract_file, "contract")
    try:
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=row.project_id)
            row = Tender.objects.select_for_update().get(pk=tender.pk)
            lifecycle.MACHINE.check(row, T.AWARDED, by)
            if value > row.ceiling or value > project.award:
                raise Refused(_("The contract value is at most the ceiling (%(ceiling)s KRW) "
                                "and the project's award (%(award)s KRW).")
                              % {"ceiling": f"{row.ceiling:,}", "award": f"{project.award:,}"})
            best = ranking(row)[0]["bid"]
            contract = Contract.objects.create(
                tender=row, bid=best, supplier_id=best.organisation_id, value=value,
                signed_on=signed_on, start=start, end=end, signed_by=by, created_at=now,
                **stored)
            set_project_contractor(project=project, contractor=best.organisation,
                                   contract_value=value)
            lifecycle.transition(row, T.AWARDED, by=by, now=now, locked=True, bid=best.pk,
                                 value=value)
    except IntegrityError as exc:
        _delete_file(stored["file"])
        raise Refused(_("This tender has a contract already.")) from exc
    except Exception:
        _delete_file(stored["file"])
        raise
    return contract


def cancel_tender(*, tender: Tender, by, reason: str = "", now=None) -> Tender:
    if not (reason or "").strip():
        raise Refused(_("Say why the tender is cancelled."))
    return lifecycle.transition(tender, T.CANCELLED, by=by, now=now, reason=reason.strip())
