"""Every write to a proposal goes through a function here (state changes through
`lifecycle.transition`). Each checks the actor's right and the track rules, writes in one
transaction, and raises `Refused` with clear messages, having written nothing, otherwise.
"""

import hashlib
import re
import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ForeignKey, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.applications import emails, filetypes, lifecycle, receipts, rules
from kcity.applications.models import (
    ConsortiumMember,
    CostCategory,
    Document,
    Outcome,
    PreConsultation,
    Proposal,
    Submission,
)
from kcity.applications.models import ProposalState as S
from kcity.applications.tasks import queue_receipt
from kcity.core import audit
from kcity.core.errors import Refused
from kcity.core.text import is_blank, same_mailbox, validate_email_local_part
from kcity.programs.models import TrackKind

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_submit_key() -> str:
    """The one-time key a submit form carries."""
    return secrets.token_urlsafe(24)


def jurisdiction_key(proposal) -> str:
    if proposal.track.kind != TrackKind.PLANNING or not proposal.city or not proposal.country:
        return ""
    city = " ".join(proposal.city.split()).casefold()
    return f"{proposal.country}:{city}"[:160]


def _jurisdiction_taken(proposal) -> Refused:
    return Refused(
        _(
            "There is already a proposal for %(city)s in the %(year)s cycle: a jurisdiction "
            "may send one planning proposal per cycle."
        )
        % {"city": proposal.city, "year": proposal.cycle.year}
    )


def edit_refusal(*, proposal, by, now=None) -> str | None:
    """The one "may `by` change `proposal` now" rule: why not, or None when they may.
    Who (`permissions.can_edit_proposal`), then the state, then the track's deadline."""
    if not permissions.can_edit_proposal(by, proposal):
        return _("Only the applicant organisation can change this proposal.")
    if proposal.state not in lifecycle.EDITABLE_STATES:
        return _("A proposal that is “%(state)s” cannot be changed.") % {
            "state": proposal.get_state_display()}
    if not rules.accepting_submissions(proposal.track, now):
        return rules.deadline_passed_message(proposal.track)
    return None


def may_edit(*, proposal, by, now=None) -> bool:
    return edit_refusal(proposal=proposal, by=by, now=now) is None


def check_editable(*, proposal, by, now=None) -> None:
    refusal = edit_refusal(proposal=proposal, by=by, now=now)
    if refusal is not None:
        raise Refused(refusal)


def create_proposal(*, by, track, title: str, now=None) -> Proposal:
    if not permissions.can_start_proposal(by):
        raise Refused(_("Only an applicant acting for an organisation can start a proposal."))
    rules.check_may_apply(by.organisation, track)
    rules.check_open_for_new_proposals(track, now)
    if is_blank(title):
        raise Refused(_("Give the proposal a title."))
    title = title.strip()
    return Proposal.objects.create(
        cycle=track.cycle, track=track, organisation=by.organisation, created_by=by,
        title=title[:200],
    )


def update_proposal(*, proposal, by, data: dict, now=None) -> Proposal:
    """Save the content fields in `data` (cleaned form data); budget fields are named
    `budget_<category>`."""
    if "title" in data and is_blank(data["title"]):
        raise Refused(_("Give the proposal a title."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        check_editable(proposal=locked, by=by, now=now)
        budget = dict(locked.budget or {})
        for key, value in data.items():
            if key.startswith("budget_"):
                category = key.removeprefix("budget_")
                if category in CostCategory.values:
                    if value is None:
                        budget.pop(category, None)
                    else:
                        budget[category] = value
            elif key in receipts.CONTENT_FIELDS:
                if value is None and not Proposal._meta.get_field(key).null:
                    value = ""
                setattr(locked, key, value)
        locked.budget = budget
        locked.jurisdiction = jurisdiction_key(locked)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise _jurisdiction_taken(locked) from None
    return locked


# ---- consortium -----------------------------------------------------------------------------


def invite_member(*, proposal, by, name: str, email: str, role: str, now=None):
    check_editable(proposal=proposal, by=by, now=now)
    if proposal.track.kind != TrackKind.DEMONSTRATION:
        raise Refused(_("Only demonstration proposals have a consortium."))
    if is_blank(name):
        raise Refused(_("Give the name of the invited organisation."))
    email = (email or "").strip().lower()
    try:
        validate_email_local_part(email)
    except ValidationError as exc:
        raise Refused(*exc.messages) from None
    if proposal.members.filter(email=email).exists():
        raise Refused(_("%(email)s has been invited already.") % {"email": email})
    with transaction.atomic():
        member = ConsortiumMember.objects.create(
            proposal=proposal, invited_name=name.strip(), email=email, role=role,
            token=secrets.token_urlsafe(32),
        )
        emails.queue_invitation_mail(member)
    return member


def remove_member(*, member, by, now=None) -> None:
    check_editable(proposal=member.proposal, by=by, now=now)
    member.delete()


def respond_to_invitation(*, token: str, by, accept: bool, now=None) -> ConsortiumMember:
    now = now or timezone.now()
    with transaction.atomic():
        member = (
            ConsortiumMember.objects.select_for_update()
            .select_related("proposal")
            .filter(token=token)
            .first()
        )
        if member is None:
            raise Refused(_("This invitation link is not valid."))
        if not permissions.can_start_proposal(by):
            raise Refused(_("Log in with an applicant account of the invited organisation."))
        if not same_mailbox(by.email, member.email):
            # The link alone does not bind an organisation: the invited address must be the
            # account's, or anyone who sees the link could join (or decline) for the partner.
            raise Refused(
                _(
                    "This invitation was sent to %(email)s: only an account with that e-mail "
                    "address can answer it. Log in with that account, or ask the lead "
                    "applicant to invite your address."
                )
                % {"email": member.email}
            )
        if by.organisation_id == member.proposal.organisation_id:
            raise Refused(_("The lead applicant cannot answer its own invitation."))
        if member.confirmed_at or member.declined_at:
            raise Refused(_("This invitation has been answered already."))
        if member.proposal.state not in lifecycle.EDITABLE_STATES:
            raise Refused(_("This proposal can no longer be changed."))
        if accept:
            member.organisation = by.organisation
            member.confirmed_at, member.confirmed_by = now, by
        else:
            member.declined_at = now
        member.save()
    return member


# ---- documents ------------------------------------------------------------------------------


def stored_upload(*, proposal, by, upload, code: str = "") -> Document:
    """An uploaded file checked (not empty, not too large, its name and its structure by
    `filetypes.inspect`), hashed and written under a random path, as an unsaved `Document`:
    the caller saves it in its transaction and deletes the file when that fails. The one
    way every upload is stored (proposal documents, consultation revised documents)."""
    limit = settings.KCITY_MAX_UPLOAD_BYTES
    if upload.size == 0:
        raise filetypes.UploadRefused("empty", _("The file is empty."))
    if upload.size > limit:
        raise filetypes.UploadRefused(
            "size",
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_000_000, 1), "limit": limit // 1_000_000},
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    # The name as the browser sent it (kcity.core.uploads keeps it before Django strips
    # folders and control characters from it), so that such names are refused, not mended.
    found = filetypes.inspect(getattr(upload, "sent_name", upload.name), data)
    document = Document(
        proposal=proposal, code=code, original_name=found.name,
        detected_type=found.filetype.code, content_type=found.filetype.content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by=by,
        has_javascript=filetypes.FLAG_JAVASCRIPT in found.flags,
    )
    document.file.save(found.filetype.code, ContentFile(data), save=False)
    return document


def upload_document(*, proposal, by, code: str, upload, now=None) -> Document:
    check_editable(proposal=proposal, by=by, now=now)
    allowed_codes = {d.get("code") for d in proposal.track.required_documents or []}
    if code not in allowed_codes:
        raise Refused(_("Choose one of the documents this track asks for."))
    document = stored_upload(proposal=proposal, by=by, upload=upload, code=code)
    try:
        with transaction.atomic():
            old = list(proposal.documents.select_for_update().filter(code=code))
            for previous in old:
                previous.delete()
                transaction.on_commit(partial(delete_stored_file, file=previous.file))
            document.save()
    except Exception:
        delete_stored_file(file=document.file)
        raise
    return document


def delete_stored_file(*, file) -> None:
    """Remove a stored upload's file (when the transaction that was to keep it failed)."""
    if file.name:  # a stored file always has its name
        file.storage.delete(file.name)


# ---- pre-consultation -----------------------------------------------------------------------


def submit_concept_note(*, proposal, by, text: str, now=None) -> PreConsultation:
    check_editable(proposal=proposal, by=by, now=now)
    if not rules.needs_pre_consultation(proposal.track):
        raise Refused(_("This track does not take concept notes."))
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write the concept note."))
    latest = proposal.latest_pre_consultation()
    if latest is not None:
        if latest.outcome == Outcome.PENDING:
            raise Refused(_("Your concept note is with the secretariat already."))
        if latest.outcome == Outcome.INVITE:
            raise Refused(_("You are invited already: complete and submit the full proposal."))
        if latest.outcome == Outcome.DECLINE:
            raise Refused(_("The secretariat has declined this concept note."))
    return PreConsultation.objects.create(proposal=proposal, concept_note=text, submitted_by=by)


def decide_pre_consultation(*, pre_consultation, by, outcome: str, note: str = "", now=None):
    if not permissions.can_screen_proposal(by, pre_consultation.proposal):
        raise Refused(_("Only the secretariat of this track can do this."))
    if outcome not in {Outcome.INVITE, Outcome.ADVISE_CHANGES, Outcome.DECLINE}:
        raise Refused(_("Choose an outcome."))
    note = (note or "").strip()
    if outcome != Outcome.INVITE and not note:
        raise Refused(_("Give a reason: the applicant will see it."))
    with transaction.atomic():
        pc = PreConsultation.objects.select_for_update().get(pk=pre_consultation.pk)
        if pc.outcome != Outcome.PENDING:
            raise Refused(_("This concept note has been answered already."))
        pc.outcome, pc.outcome_note = outcome, note
        pc.decided_by, pc.decided_at = by, now or timezone.now()
        pc.save()
        emails.queue_pre_consultation_mail(pc)
    return pc


# ---- submission -----------------------------------------------------------------------------


def _same_receipt(existing: Submission, proposal) -> Submission:
    if existing.proposal_id != proposal.pk:
        raise Refused(_("This form has been used already; reload the page."))
    return existing


def submit_proposal(*, proposal, by, key: str, now=None) -> Submission:
    """Submit (or resubmit after a return). The same key always yields the same receipt:
    a double click or a retry finds the submission the first request made.

    One transaction: lock the proposal row (only it: not its track or organisation, so
    submissions to one track do not queue behind each other), check (when the move is refused,
    e.g. the proposal is already submitted, look for the key), change the state (event, e-mail
    row and job through `lifecycle.transition`), then, last, take the receipt number from the
    track's counter row, write the submission and queue its PDF. The counter row is the only
    lock shared by a track's submissions, held from that point to the commit. The unique
    idempotency key is what guarantees exactly-once; the look-up under the proposal lock only
    turns the loser of a race into the winner's receipt without an error.
    """
    if not KEY_RE.match(key or ""):
        raise Refused(_("This form has expired; reload the page and submit again."))
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = (
                Proposal.objects.select_for_update(of=("self",))
                .select_related("track__cycle", "organisation")
                .prefetch_related("documents", Prefetch(
                    "members", ConsortiumMember.objects.select_related("organisation")))
                .get(pk=proposal.pk)
            )
            if locked.cycle_id == locked.track.cycle_id:  # always, but after a roll-over
                Proposal.cycle.field.set_cached_value(locked, locked.track.cycle)
            try:
                lifecycle.check(proposal=locked, to_state=S.SUBMITTED, by=by,
                                now=now)  # before the rules
            except Refused:
                # Already submitted: a retry, or the other request committed meanwhile. Only
                # then is the key looked up (a key reused after a return is caught below).
                existing = Submission.objects.filter(idempotency_key=key).first()
                if existing is not None:
                    return _same_receipt(existing, proposal)
                raise
            rules.check_deadline(locked.track, now)
            problems = rules.submission_problems(locked)
            if problems:
                raise Refused(*problems)
            rolled_over_from = None
            if rules.after_cutoff(locked.track, now):
                rolled_over_from = locked.cycle.year
                locked.track = rules.next_cycle_track(locked.track)
                locked.cycle = locked.track.cycle
                locked.jurisdiction = jurisdiction_key(locked)
                locked.save(update_fields=["track", "cycle", "jurisdiction", "updated_at"])
            data = receipts.snapshot(locked)
            lifecycle.transition(locked, S.SUBMITTED, by=by, now=now, locked=True)
            submission = Submission.objects.create(
                proposal=locked, idempotency_key=key,
                receipt_number=receipts.next_receipt_number(locked.track), submitted_at=now,
                submitted_by=by, content_sha256=receipts.fingerprint(data), snapshot=data,
                rolled_over_from=rolled_over_from,
            )
            queue_receipt(submission)  # the PDF, rendered by the worker
    except IntegrityError:
        existing = Submission.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_receipt(existing, proposal)
        raise _jurisdiction_taken(proposal) from None
    _copy_fields(locked, proposal)  # the caller's object as stored, without a re-fetch
    return submission


def _copy_fields(source: Proposal, target: Proposal) -> None:
    if source is target:
        return
    for field in Proposal._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for name in ("track", "cycle", "organisation"):
        relation = Proposal._meta.get_field(name)
        assert isinstance(relation, ForeignKey)
        if relation.is_cached(source):
            relation.set_cached_value(target, relation.get_cached_value(source))


# ---- screening ------------------------------------------------------------------------------


def save_checklist(*, proposal, by, ticked: set[str]) -> Proposal:
    if not permissions.can_screen_proposal(by, proposal):
        raise Refused(_("Only the secretariat of this track can do this."))
    if proposal.state != S.SUBMITTED:
        raise Refused(_("Only a submitted proposal is screened."))
    codes = {c for c, _label in rules.MANUAL_CHECKS.get(proposal.track.kind, [])}
    before = dict(proposal.screening_checklist or {})
    after = {c: c in ticked for c in sorted(codes)}
    with transaction.atomic():
        proposal.screening_checklist = after
        proposal.save(update_fields=["screening_checklist", "updated_at"])
        for code in sorted(codes):
            if bool(before.get(code)) != after[code]:
                audit.record(action=audit.Action.CHECKLIST, obj=proposal, by=by,
                             frm="ticked" if before.get(code) else "",
                             to="ticked" if after[code] else "",
                             scope=proposal.track.secretariat, item=code)
    return proposal


SCREENING_DECISIONS = (S.RETURNED, S.ELIGIBLE, S.INELIGIBLE)


def screen(*, proposal, by, decision: str, reason: str = "", now=None) -> Proposal:
    """Return for correction, or mark eligible (every checklist item met) or ineligible."""
    if decision not in SCREENING_DECISIONS:
        raise Refused(_("Choose a decision."))
    if decision == S.ELIGIBLE and permissions.can_screen_proposal(by, proposal):
        unmet = [item["label"] for item in rules.checklist(proposal) if not item["ok"]]
        if unmet:
            raise Refused(
                _("The eligibility checklist is not complete: %(items)s.")
                % {"items": "; ".join(unmet)}
            )
    return lifecycle.transition(proposal, decision, by=by, reason=reason, now=now)


def withdraw(*, proposal, by, reason: str = "", now=None) -> Proposal:
    return lifecycle.transition(proposal, S.WITHDRAWN, by=by, reason=reason, now=now)


def reopen(*, proposal, by, now=None) -> Proposal:
    return lifecycle.transition(proposal, S.DRAFT, by=by, now=now)
