"""A project's states and the moves between them: the one state machine of a project.

`MOVES` is the whole table; `transition` is the only code that changes `Project.state` (a
project is created agreement pending when its proposal's selection is published). Every move
is the secretariat's of the project's track (MOLIT: every track) and is recorded as a
`ProjectEvent`. Starting needs the cooperation framework signed by every party; completing
records the rating of the results (required for a planning study); cancelling needs a
reason.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity import permissions
from kcity.core.errors import Refused
from kcity.core.lifecycle import Machine, Move
from kcity.programs.models import TrackKind
from kcity.projects import emails
from kcity.projects.models import Project, ProjectEvent, ResultRating
from kcity.projects.models import ProjectState as P

SECRETARIAT = "secretariat"

MOVES: dict[tuple[str, str], Move] = {
    (P.AGREEMENT_PENDING, P.IN_PROGRESS): Move(
        SECRETARIAT, gettext_lazy("Start the project"), at="started_at"),
    (P.IN_PROGRESS, P.COMPLETED): Move(
        SECRETARIAT, gettext_lazy("Complete the project"), at="completed_at"),
    (P.AGREEMENT_PENDING, P.CANCELLED): Move(SECRETARIAT, gettext_lazy("Cancel the project")),
    (P.IN_PROGRESS, P.CANCELLED): Move(SECRETARIAT, gettext_lazy("Cancel the project")),
}


def may_act(user, project, who: str) -> bool:
    return permissions.can_manage_project(user, project)


def _record(project, move, frm, to, actor, now, detail):
    return ProjectEvent.objects.create(
        project=project, actor=actor, at=now, action=ProjectEvent.Action.MOVED,
        from_state=frm, to_state=to, detail=detail)


def _mail(project, event) -> None:
    # A project cancelled because its proposal withdrew mails no one: the applicant chose it
    # and had the withdrawal's mail.
    if not event.detail.get("withdrawn"):
        emails.queue_state_mail(project, event)


def _cannot(frm, to) -> str:
    labels = dict(P.choices)
    return _("A project that is “%(from)s” cannot become “%(to)s”.") % {
        "from": labels.get(frm, frm), "to": labels.get(to, to)}


MACHINE = Machine(
    model=Project, field="state", moves=MOVES, may=may_act, record=_record, refused=Refused,
    cannot=_cannot, mail=_mail, scope=lambda project: project.proposal.track.secretariat,
    refusals={SECRETARIAT: gettext_lazy("Only the secretariat of this project's track can do "
                                        "this.")},
)


def allowed_moves(user, project) -> list:
    return MACHINE.allowed(user, project)


def framework_signed(project) -> bool:
    """Every party of the cooperation framework has signed (and there is at least one)."""
    parties = list(project.framework_parties.all())
    return bool(parties) and all(p.signed for p in parties)


def _guard(row, to: str, rating: str, reason: str) -> None:
    if to == P.IN_PROGRESS and not framework_signed(row):
        raise Refused(_("Every party of the cooperation framework must sign before the project "
                        "starts."))
    if to == P.COMPLETED:
        if rating and rating not in ResultRating.values:
            raise Refused(_("Choose a rating of the results."))
        if not rating and row.proposal.track.kind == TrackKind.PLANNING:
            raise Refused(_("A planning study needs the rating of its results."))
    if to == P.CANCELLED and not reason:
        raise Refused(_("Give a reason for cancelling the project."))


def transition(project: Project, to_state: str, /, *, by, now=None, rating: str = "",
               reason: str = "", withdrawn: bool = False, locked: bool = False) -> Project:
    """Move a project: lock it, check the move, the actor and the move's conditions, write
    the state (and the rating), its `ProjectEvent` and the mail in one transaction. Returns
    the fresh project; raises Refused (nothing written) otherwise."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        row = project if locked else Project.objects.select_for_update().get(pk=project.pk)
        MACHINE.check(row, to_state, by)
        _guard(row, to_state, rating, reason)
        if to_state == P.COMPLETED and rating:
            row.rating = rating
            row.save(update_fields=["rating"])
        detail = {k: v for k, v in (("rating", rating), ("reason", reason),
                                    ("withdrawn", withdrawn)) if v}
        return MACHINE.transition(row, to_state, by=by, now=now, locked=True, **detail)
