"""Services of the demonstration presentations: one slot per proposal on the track's
presentation panel, never overlapping another slot of that panel.

The panel's row is locked while a slot is written, so two bookings at the same moment are
checked one after the other and cannot overlap. The presentation itself is scored on the
panel's ordinary score sheet; closing the panel combines it with the paper review by the
track's stage weights (`services.close_panel`).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity.core.errors import Refused
from kcity.evaluation import emails
from kcity.evaluation.audit import audit, iso
from kcity.evaluation.models import EvaluationEvent, Panel, PresentationSlot
from kcity.evaluation.services import check_manager
from kcity.programs.models import Stage

Action = EvaluationEvent.Action
SHORTEST, LONGEST = 5, 240  # minutes


def ends_at(slot) -> dt.datetime:
    return slot.starts_at + dt.timedelta(minutes=slot.minutes)


def _kst(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def book_slot(*, by, panel, proposal, starts_at, minutes: int, presenters: str):
    """Book (or move) the proposal's presentation. `starts_at` is aware (entered in KST)."""
    check_manager(by=by, panel_or_track=panel)
    if panel.stage != Stage.PRESENTATION:
        raise Refused(_("Presentations are booked on a presentation panel."))
    if starts_at is None or timezone.is_naive(starts_at):
        raise Refused(_("Give the date and time of the presentation (KST)."))
    if not isinstance(minutes, int) or not SHORTEST <= minutes <= LONGEST:
        raise Refused(_("A presentation lasts from %(min)s to %(max)s minutes.")
                      % {"min": SHORTEST, "max": LONGEST})
    presenters = (presenters or "").strip()
    if not presenters:
        raise Refused(_("Name the presenters."))
    if len(presenters) > 2000:
        raise Refused(_("Keep the list of presenters under 2000 characters."))
    end = starts_at + dt.timedelta(minutes=minutes)
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        if panel.is_closed:
            raise Refused(_("The panel is closed."))
        if not panel.proposals.filter(pk=proposal.pk).exists():
            raise Refused(_("This proposal is not before this panel."))
        others = panel.slots.exclude(proposal=proposal).select_related("proposal")
        for other in others.order_by("starts_at"):
            if other.starts_at < end and starts_at < ends_at(other):
                raise Refused(
                    _("This slot overlaps the presentation of “%(title)s” (%(start)s to "
                      "%(end)s KST); choose another time.")
                    % {"title": other.proposal.title, "start": _kst(other.starts_at),
                       "end": _kst(ends_at(other))}
                )
        slot = panel.slots.filter(proposal=proposal).first()
        before = None
        if slot is None:
            slot = PresentationSlot(panel=panel, proposal=proposal)
        else:
            before = {"starts_at": iso(slot.starts_at), "minutes": slot.minutes,
                      "presenters": slot.presenters}
        slot.starts_at, slot.minutes, slot.presenters = starts_at, minutes, presenters
        slot.save()
        event = audit(Action.PRESENTATION_BOOKED, by, panel=panel, proposal=proposal,
                       starts_at=iso(starts_at), minutes=minutes, presenters=presenters,
                       before=before)
        emails.queue_event_mail(proposal, event)
    return slot
