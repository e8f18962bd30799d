"""Reads for the proposal pages; every one starts from `permissions.visible_proposals` (or
its one-proposal form, `permissions.visible_proposal`)."""

from django.db.models import Exists, OuterRef, Q

from kcity import permissions
from kcity.applications import rules
from kcity.applications.models import Document
from kcity.applications.models import ProposalState as S
from kcity.programs.models import Track


def my_proposals(user):
    return (
        permissions.visible_proposals(user)
        .select_related("track__cycle", "organisation")
        .order_by("-updated_at")
    )


def tracks_open_to(user):
    """The tracks this applicant's organisation may apply to now."""
    if not permissions.can_start_proposal(user):
        return Track.objects.none()
    tracks = permissions.visible_tracks(user).select_related("cycle").order_by(
        "-cycle__year", "order"
    )
    ids = [
        t.pk
        for t in tracks
        if rules.may_apply(user.organisation, t)
        and rules.track_has_opened(t)
        and rules.accepting_submissions(t)
    ]
    return Track.objects.filter(pk__in=ids).select_related("cycle").order_by(
        "-cycle__year", "order"
    )


def screening_queue(user, state: str = ""):
    """The secretariat's proposals: submitted and later, plus drafts with a concept note."""
    qs = permissions.managed_proposals(user).filter(
        ~Q(state=S.DRAFT) | Q(pre_consultations__isnull=False)
    )
    if state:
        qs = qs.filter(state=state)
    scripted = Document.objects.filter(proposal=OuterRef("pk"), has_javascript=True)
    return qs.select_related("track__cycle", "organisation").annotate(
        has_scripted_document=Exists(scripted)
    ).distinct().order_by(
        "track__cycle__year", "track__order", "pk"
    )


DETAIL_RELATED = ("track__cycle", "organisation", "created_by")


def proposal_for(user, pk: int, related=DETAIL_RELATED, only=()):
    """The proposal `pk` if `user` may see it (`permissions.visible_proposal`), else None."""
    return permissions.visible_proposal(user, pk, select_related=related, only=only)
