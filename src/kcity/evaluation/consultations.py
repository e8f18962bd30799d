"""Services of the planning consultations (rounds 1 and 2 with the applying government).

The track's secretariat schedules a round (stored in UTC, entered in KST), records the
minutes and the questions to the applicant after the meeting; between round 1 and round 2
the applicant uploads revised documents, which the round-2 record lists and the panel reads.
Round 2 cannot be scheduled before round 1 has minutes. Each function checks the actor's
right through `kcity.permissions`, writes with its `EvaluationEvent` and the
applicant's e-mail in one transaction with the proposal's row locked, and raises `Refused`,
having written nothing, otherwise. The consultation panels (`consultation_1`,
`consultation_2`) close only once the round they score has its minutes.
"""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.applications.models import Document, Proposal
from kcity.applications.services import stored_upload
from kcity.core.errors import Refused
from kcity.evaluation import emails
from kcity.evaluation.audit import audit, iso
from kcity.evaluation.models import PANEL_STATES, ConsultationRound, EvaluationEvent
from kcity.programs.models import TrackKind

Action = EvaluationEvent.Action
ROUNDS = (1, 2)
TEXT_LIMIT = 10_000
REVISED_PREFIX = "revised-r1-"  # revised after round 1: revised-r1-1, revised-r1-2, ...
REVISED_RE = re.compile(r"^revised-r1-(\d+)$")


def stage_of(number: int) -> str:
    """The track stage (and panel) a consultation round feeds."""
    return f"consultation_{number}"


def is_consulted(proposal) -> bool:
    """Planning proposals in a track with consultation stages have consultation rounds."""
    track = proposal.track
    return track.kind == TrackKind.PLANNING and any(
        stage_of(n) in (track.stages or []) for n in ROUNDS
    )


def _locked(proposal) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("track").get(
        pk=proposal.pk)


def _check_proposal(proposal, number: int | None = None) -> None:
    if not is_consulted(proposal):
        raise Refused(_("Only planning proposals have consultation rounds."))
    if proposal.state not in PANEL_STATES:
        raise Refused(_("Only an eligible proposal or one under evaluation is consulted."))
    if number is not None and stage_of(number) not in (proposal.track.stages or []):
        raise Refused(_("This track has no consultation round %(round)s.") % {"round": number})


def _check_secretariat(actor, proposal) -> None:
    if not permissions.can_screen_proposal(actor, proposal):
        raise Refused(_("Only the secretariat of this track can do this."))


def _clean(text: str, message: str | None = None) -> str:
    text = (text or "").strip()
    if message and not text:
        raise Refused(message)
    if len(text) > TEXT_LIMIT:
        raise Refused(_("Keep each text under %(limit)s characters.") % {"limit": TEXT_LIMIT})
    return text


def schedule_round(
    *, by, proposal, number: int, scheduled_at, agenda: str, participants: str
) -> ConsultationRound:
    """Schedule (or move) round 1 or 2. `scheduled_at` is an aware datetime (entered in KST).
    A round whose minutes are recorded has taken place and no longer moves."""
    _check_secretariat(by, proposal)
    if number not in ROUNDS:
        raise Refused(_("Choose round 1 or round 2."))
    _check_proposal(proposal, number)
    if scheduled_at is None or timezone.is_naive(scheduled_at):
        raise Refused(_("Give the date and time of the meeting (KST)."))
    agenda = _clean(agenda, _("Write the agenda of the meeting."))
    participants = _clean(participants, _("List the participants."))
    with transaction.atomic():
        proposal = _locked(proposal)
        _check_proposal(proposal, number)
        rounds = {r.round: r for r in proposal.consultations.select_for_update()}
        if number == 2:
            first = rounds.get(1)
            if first is None or not first.minutes:
                raise Refused(_("Round 2 can be scheduled only once the minutes of round 1 "
                                "are recorded."))
            if scheduled_at <= first.scheduled_at:
                raise Refused(_("Round 2 must come after round 1."))
        current = rounds.get(number) or ConsultationRound(proposal=proposal, round=number)
        if current.minutes:
            raise Refused(_("This round has taken place: its minutes are recorded."))
        before = {
            "scheduled_at": iso(current.scheduled_at),
            "agenda": current.agenda, "participants": current.participants,
        }
        current.scheduled_at, current.agenda, current.participants = (
            scheduled_at, agenda, participants)
        current.save()
        event = audit(Action.CONSULTATION_SCHEDULED, by, proposal=proposal, round=number,
                       scheduled_at=iso(scheduled_at), agenda=agenda,
                       participants=participants, before=before)
        emails.queue_event_mail(proposal, event)
    return current


def record_minutes(
    *, by, proposal, number: int, minutes: str, questions: str, now=None
) -> ConsultationRound:
    """After the meeting: its minutes (for the secretariat and the panel) and the questions
    the applicant answers with revised documents. A correction is audited with the old text."""
    _check_secretariat(by, proposal)
    minutes = _clean(minutes, _("Write the minutes of the meeting."))
    questions = _clean(questions)
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _locked(proposal)
        _check_proposal(proposal, number)
        current = proposal.consultations.select_for_update().filter(round=number).first()
        if current is None or current.scheduled_at is None:
            raise Refused(_("Schedule the round before recording its minutes."))
        if current.scheduled_at > now:
            raise Refused(_("The minutes are recorded after the meeting."))
        later = proposal.consultations.filter(round__gt=number).exclude(minutes="").exists()
        if later:
            raise Refused(_("A later round has taken place: these minutes no longer change."))
        before = {"minutes": current.minutes, "questions": current.questions}
        current.minutes, current.questions = minutes, questions
        current.save(update_fields=["minutes", "questions"])
        event = audit(Action.CONSULTATION_RECORDED, by, proposal=proposal, round=number,
                       minutes=minutes, questions=questions, before=before)
        emails.queue_event_mail(proposal, event)
    return current


def upload_revised_document(*, by, proposal, upload) -> Document:
    """The applicant's revised document between round 1 (minutes recorded) and round 2 (not
    yet held). Stored like every proposal document (`stored_upload`: name and structure
    checked by `filetypes.inspect`, SHA-256, random path) under its own code
    `revised-r1-<n>`, and listed on round 2."""
    if not permissions.is_proposal_applicant(by, proposal):
        raise Refused(_("Only the applicant organisation can do this."))
    _check_proposal(proposal, 2)
    document = stored_upload(proposal=proposal, by=by,
                             upload=upload)  # its code is given under the lock
    try:
        with transaction.atomic():
            locked = _locked(proposal)
            _check_proposal(locked, 2)
            first = locked.consultations.filter(round=1).first()
            if first is None or not first.minutes:
                raise Refused(_("Revised documents are uploaded after round 1 has taken "
                                "place."))
            second, _created = ConsultationRound.objects.select_for_update().get_or_create(
                proposal=locked, round=2)
            if second.minutes:
                raise Refused(_("Round 2 has taken place: no more revised documents."))
            taken = [int(m.group(1)) for code in locked.documents.values_list("code", flat=True)
                     if (m := REVISED_RE.match(code))]
            document.code = f"{REVISED_PREFIX}{max(taken, default=0) + 1}"
            document.save()
            second.revised_documents.add(document)
            event = audit(Action.REVISED_DOCUMENT, by, proposal=locked, round=2,
                           document=document.pk, code=document.code,
                           name=document.original_name, sha256=document.sha256)
            emails.queue_event_mail(locked, event)
    except Exception:
        if document.file.name:  # a stored file always has its name
            document.file.storage.delete(document.file.name)
        raise
    return document


def unminuted(panel) -> list:
    """For a consultation panel: its proposals whose round has no minutes yet."""
    if not panel.stage.startswith("consultation_"):
        return []
    number = int(panel.stage.rsplit("_", 1)[1])
    done = ConsultationRound.objects.filter(round=number).exclude(minutes="").values(
        "proposal_id")
    return list(panel.proposals.exclude(pk__in=done).order_by("pk"))
