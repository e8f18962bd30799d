"""Reads for the public pages."""

from kcity.portfolio.history import yearly_totals
from kcity.portfolio.models import SelectedProject


def public_projects():
    return SelectedProject.objects.all().order_by("year", "track_kind", "country", "city")


def earlier_studies(year: int):
    """The studies a proposal of the `year` cycle may cite as an earlier K-City study: the
    planning projects of the public portfolio selected before that year."""
    return public_projects().filter(track_kind="planning", year__lt=year)


def programme_totals() -> dict:
    projects = list(public_projects())
    years = yearly_totals(projects)
    last = years[-1] if years else {}
    return {
        "years": years,
        "projects": last.get("cumulative_projects", 0),
        "countries": last.get("cumulative_countries", 0),
        "cities": last.get("cumulative_cities", 0),
        "project_list": projects,
    }
