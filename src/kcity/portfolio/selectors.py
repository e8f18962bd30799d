"""Reads for the public pages.

The record counts the real programme only: the shipped history (`SelectedProject`, from
kcity_projects.csv) and, for a year the history does not cover yet, the projects selected in
the published rounds of real cycles. A demo cycle's results (`Cycle.is_demo`) never count.
"""

from kcity.applications.models import ProposalState
from kcity.portfolio.history import yearly_totals
from kcity.portfolio.models import SelectedProject
from kcity.programs.models import TrackKind
from kcity.selection.models import Outcome, OutcomeKind


def published_projects() -> list[SelectedProject]:
    """Unsaved SelectedProject rows for the selected proposals of published rounds of real
    cycles whose year the history does not cover."""
    covered = set(SelectedProject.objects.values_list("year", flat=True).distinct())
    outcomes = (
        Outcome.objects.filter(outcome=OutcomeKind.SELECTED, round__published_at__isnull=False,
                               round__cycle__is_demo=False)
        .exclude(round__cycle__year__in=covered)
        .exclude(proposal__state=ProposalState.WITHDRAWN)
        .select_related("round__cycle", "proposal__track", "proposal__organisation")
    )
    return [
        SelectedProject(
            year=o.round.cycle.year, track_kind=o.proposal.track.kind,
            programme=o.proposal.track.kind, city=o.proposal.city,
            country=o.proposal.country or o.proposal.organisation.country,
            title=o.proposal.title,
            korean_partner=(o.proposal.organisation.name
                            if o.proposal.track.kind == TrackKind.DEMONSTRATION else ""),
        )
        for o in outcomes
    ]


def public_projects():
    """The shipped history (a queryset: forms choose cited studies from it)."""
    return SelectedProject.objects.all().order_by("year", "track_kind", "country", "city")


def record_projects() -> list[SelectedProject]:
    """The record the home page counts: the history plus published real rounds."""
    rows = list(public_projects()) + published_projects()
    return sorted(rows, key=lambda p: (p.year, p.track_kind, str(p.country), p.city))


def earlier_studies(year: int):
    """The studies a proposal of the `year` cycle may cite as an earlier K-City study: the
    planning projects of the public portfolio selected before that year."""
    return public_projects().filter(track_kind="planning", year__lt=year)


def programme_totals() -> dict:
    projects = record_projects()
    years = yearly_totals(projects)
    last = years[-1] if years else {}
    return {
        "years": years,
        "projects": last.get("cumulative_projects", 0),
        "countries": last.get("cumulative_countries", 0),
        "cities": last.get("cumulative_cities", 0),
        "project_list": projects,
    }
