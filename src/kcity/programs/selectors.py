"""Reads for the public call pages: which calls are open, upcoming or closed, and a notice.

Everything here starts from `visible_cycles`/`visible_tracks`, so a draft cycle never
reaches the public. The classification takes `now` as a parameter so that tests (and a
preview of a future day) can fix the time.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kcity.core.money import format_krw
from kcity.permissions import visible_cycles, visible_tracks
from kcity.programs.models import Criterion, Cycle, IntakeMode, Track

OPEN, UPCOMING, CLOSED = "open", "upcoming", "closed"
STATUSES = (OPEN, UPCOMING, CLOSED)
STATUS_LABELS = {
    OPEN: gettext_lazy("Open"),
    UPCOMING: gettext_lazy("Upcoming"),
    CLOSED: gettext_lazy("Closed"),
}


def call_end(track: Track) -> dt.datetime | None:
    """When the track stops taking proposals for its cycle.

    A fixed window ends at its deadline; a year-round track keeps taking proposals, but
    those after the cut-off roll into the next cycle, so for this cycle's call it ends there.
    """
    return track.cutoff if track.intake_mode == IntakeMode.YEAR_ROUND else track.deadline


def track_call_status(track: Track, now: dt.datetime) -> str:
    if track.opens_at and now < track.opens_at:
        return UPCOMING
    end = call_end(track)
    if end is None:
        # Without an end date only a year-round track is still taking proposals.
        return OPEN if track.intake_mode == IntakeMode.YEAR_ROUND and track.opens_at else CLOSED
    return OPEN if now <= end else CLOSED


@dataclass
class CallEntry:
    """One track's call, as listed on /calls/."""

    track: Track
    status: str
    end: dt.datetime | None

    @property
    def cycle(self) -> Cycle:
        return self.track.cycle

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


_LAST = dt.datetime.max.replace(tzinfo=dt.UTC)
_FIRST = dt.datetime.min.replace(tzinfo=dt.UTC)


def public_calls(user, now: dt.datetime | None = None) -> dict[str, list[CallEntry]]:
    """The tracks of every published cycle, grouped as open, upcoming and closed.

    Open calls come soonest-ending first, upcoming ones soonest-opening first, and closed
    ones most recent first.
    """
    now = now or timezone.now()
    groups: dict[str, list[CallEntry]] = {status: [] for status in STATUSES}
    tracks = visible_tracks(user).select_related("cycle")
    for track in tracks:
        status = track_call_status(track, now)
        groups[status].append(CallEntry(track=track, status=status, end=call_end(track)))
    groups[OPEN].sort(key=lambda e: (e.end or _LAST, e.track.order))
    groups[UPCOMING].sort(key=lambda e: (e.track.opens_at or _LAST, e.track.order))
    groups[CLOSED].sort(key=lambda e: (e.end or _FIRST, e.cycle.year, -e.track.order), reverse=True)
    return groups


def published_cycle(user, year: int) -> QuerySet:
    """The cycle of that year if the user may see it (a queryset, for get_object_or_404)."""
    return (
        visible_cycles(user)
        .filter(year=year)
        .prefetch_related(
            Prefetch(
                "tracks",
                queryset=Track.objects.order_by("order", "code").prefetch_related(
                    Prefetch("criteria", queryset=Criterion.objects.order_by("order", "code"))
                ),
            )
        )
    )


def grant_range(track: Track) -> str:
    low, high = track.grant_min, track.grant_max
    if low is None and high is None:
        return _("Set by the secretariat for each project")
    if low is None or low == 0:
        return _("Up to %(max)s") % {"max": format_krw(high)}
    if high is None:
        return _("At least %(min)s") % {"min": format_krw(low)}
    if low == high:
        return format_krw(high)
    return _("%(min)s to %(max)s") % {"min": format_krw(low), "max": format_krw(high)}


def project_count(track: Track) -> str:
    low, high = track.min_projects or 0, track.max_projects
    if high is None:
        return _("At least %(min)d") % {"min": low} if low else _("Not fixed in the call")
    if low == high:
        return str(high)
    if not low:
        return _("Up to %(max)d") % {"max": high}
    return _("%(min)d to %(max)d") % {"min": low, "max": high}


def _localised_document(doc: dict) -> str:
    english, korean = doc.get("name_en") or "", doc.get("name_ko") or ""
    if (get_language() or "").startswith("ko"):
        return korean or english or doc.get("code", "")
    return english or korean or doc.get("code", "")


@dataclass
class TrackNotice:
    """A track as the notice shows it: its own fields plus the wording computed from them."""

    track: Track
    status: str
    end: dt.datetime | None
    grant_range: str
    project_count: str
    documents: list[str]
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)


def cycle_notice(cycle: Cycle, now: dt.datetime | None = None) -> list[TrackNotice]:
    """The tracks of a cycle (fetched with `published_cycle`) worded for the notice page."""
    now = now or timezone.now()
    return [
        TrackNotice(
            track=track,
            status=track_call_status(track, now),
            end=call_end(track),
            grant_range=grant_range(track),
            project_count=project_count(track),
            documents=[_localised_document(d) for d in track.required_documents or []],
            criteria=list(track.criteria.all()),
        )
        for track in cycle.tracks.all()
    ]
