"""Reads of the public portfolio that the lower floors need (the public pages, statistics and
exports read `kcity.opendata.selectors`)."""

from kcity.portfolio.models import SelectedProject


def earlier_studies(year: int):
    """The studies a proposal of the `year` cycle may cite as an earlier K-City study: the
    planning projects of the public portfolio selected before that year."""
    return SelectedProject.objects.filter(track_kind="planning", year__lt=year).order_by(
        "year", "track_kind", "country", "city")
