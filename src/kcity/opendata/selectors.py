"""The one portfolio: every public page, statistic and export reads it from here.

`portfolio()` is the set of public projects: the rows of `portfolio.SelectedProject`, whether
shipped history (a project without the platform's paperwork) or opened by the platform when a
round was published (a project with its paperwork: `Project`, reached as `paperwork`). Each row
comes annotated with what the public may know of it: its status, award, money paid, follow-on
investment and whether it belongs to a demo cycle.

`counted()` is the record the programme reports ("41 projects in 23 countries by 2023"): the
portfolio less demo projects, less platform projects of a year the shipped history already
covers (the history is then the record), less selected proposals withdrawn before their work
began.
"""

from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from kcity.applications.models import ProposalState
from kcity.portfolio.history import yearly_totals
from kcity.portfolio.models import REGION_OF, SelectedProject
from kcity.projects.delivery_models import Payment
from kcity.projects.models import FollowOn

# A past project's status: the history records the selection, not the work's progress.
SELECTED = "selected"


def _per_project(model, aggregate):
    """A subquery: `aggregate` over `model`'s rows of the row's paperwork (0 when none)."""
    rows = (model.objects.filter(project=OuterRef("paperwork")).order_by()
            .values("project").annotate(total=aggregate).values("total"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def real_projects() -> QuerySet[SelectedProject]:
    """The public projects less demo cycles' ones, plain rows (no annotations): what the
    pages that count per year or per country aggregate in SQL."""
    return SelectedProject.objects.exclude(paperwork__proposal__cycle__is_demo=True)


def portfolio(*, include_demo: bool = False) -> QuerySet[SelectedProject]:
    """Every public project, oldest year first, annotated with `status`, `award`,
    `contract_value`, `disbursed`, `follow_on_amount`, `follow_on_count` and `is_demo`.
    Demo cycles' projects only when asked for (the public pages show them under a banner;
    the record never counts them)."""
    rows = (
        SelectedProject.objects.select_related("paperwork__proposal__cycle")
        .annotate(
            status=Coalesce(F("paperwork__state"), Value(SELECTED), output_field=CharField()),
            award=F("paperwork__award"),
            contract_value=F("paperwork__contract_value"),
            disbursed=_per_project(Payment, Sum("amount")),
            follow_on_amount=_per_project(FollowOn, Sum("amount")),
            follow_on_count=_per_project(FollowOn, Count("pk")),
            is_demo=Case(When(paperwork__proposal__cycle__is_demo=True, then=Value(True)),
                         default=Value(False), output_field=BooleanField()),
        )
        .order_by("year", "track_kind", "country", "city", "pk")
    )
    if not include_demo:
        rows = rows.exclude(paperwork__proposal__cycle__is_demo=True)
    return rows


def filtered(rows: QuerySet[SelectedProject], *, year: int | str | None = None,
             track: str = "", programme: str = "", region: str = "", country: str = "",
             status: str = "") -> QuerySet[SelectedProject]:
    """`rows` (of `portfolio()`) narrowed by what is given: the public pages' filters and the
    API's parameters are this one function."""
    if year not in (None, ""):
        rows = rows.filter(year=int(year))
    if track:
        rows = rows.filter(track_kind=track)
    if programme:
        rows = rows.filter(programme=programme)
    if region:
        rows = rows.filter(country__in=[c for c, r in REGION_OF.items() if r == region])
    if country:
        rows = rows.filter(country=country)
    if status:
        rows = rows.filter(Q(status=status))  # the annotation of portfolio()
    return rows


def counted() -> QuerySet[SelectedProject]:
    """The programme's record (see the module's docstring)."""
    history_years = SelectedProject.objects.filter(paperwork__isnull=True).values("year")
    return portfolio().exclude(
        Q(paperwork__isnull=False) & Q(year__in=history_years)
    ).exclude(paperwork__proposal__state=ProposalState.WITHDRAWN)


class _Place(NamedTuple):
    year: int
    country: str
    city: str


def programme_totals() -> dict:
    """The record's figures: per year and cumulative projects, countries and cities."""
    places = [_Place(*row) for row in counted().values_list("year", "country", "city")]
    years = yearly_totals(places)
    last = years[-1] if years else {}
    return {
        "years": years,
        "projects": last.get("cumulative_projects", 0),
        "countries": last.get("cumulative_countries", 0),
        "cities": last.get("cumulative_cities", 0),
        "latest_year": last.get("year"),
    }


def home_figures() -> dict:
    """The home page: the record's figures and the latest year's projects (the whole list is
    the portfolio's, page by page)."""
    totals = programme_totals()
    year = totals["latest_year"]
    return {**totals, "latest": list(counted().filter(year=year)) if year else []}
