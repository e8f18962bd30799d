"""The read-only JSON API (`/api/v1/`), with its OpenAPI document and documentation page.

Public operations read what the public pages show: the one portfolio (`selectors.portfolio`),
the published calls (`visible_cycles` of an anonymous visitor: no draft, whoever asks), the
published results of each year (never a merit or an unpublished round) and the programme's
totals. `/proposals` answers a logged-in user (Django's session) with the proposals
`permissions.visible_proposals` lets them see; anonymous callers get 401, a stranger's
proposal 404.

Every operation is GET, takes `lang` (`en` or `ko`; else the `Accept-Language` header) for
the labels, answers bad parameters with 422 naming the field and unknown ids with 404, both
as JSON. Dates are ISO 8601 with their offset (Asia/Seoul), money integer KRW.
"""

import datetime as dt
from contextlib import nullcontext
from functools import wraps
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.docs import DocsBase
from ninja.security import SessionAuth

from kcity.accounts.security import remember_device
from kcity.applications.models import ProposalState
from kcity.opendata.selectors import SELECTED, filtered, portfolio, programme_totals
from kcity.permissions import (
    needs_two_factor,
    visible_cycles,
    visible_proposal,
    visible_proposals,
)
from kcity.portfolio.models import REGIONS, region_of
from kcity.programs.models import CycleStatus, IntakeMode, Track, TrackKind
from kcity.programs.selectors import STATUS_LABELS, call_end, track_call_status
from kcity.projects.models import ProjectState
from kcity.selection.models import SelectionRound
from kcity.selection.selectors import public_results, published_round

SEOUL = ZoneInfo("Asia/Seoul")
MAX_ID = 2**31 - 1
MAX_PAGE_SIZE = 100

Lang = Literal["en", "ko"]
Region = Literal[tuple(REGIONS)]  # type: ignore[valid-type]
ProjectStatus = Literal[(SELECTED, *ProjectState.values)]  # type: ignore[valid-type]
CallStatus = Literal[tuple(STATUS_LABELS)]  # type: ignore[valid-type]
TrackKindCode = Literal[tuple(TrackKind.values)]  # type: ignore[valid-type]

# Query parameters: absent means any (never null in the document).
ANY = Query(None)
Year = Query(None, ge=2000, le=2100, description="Programme year, e.g. 2024.")
LANG = Query(None, description="Language of the labels (default: the Accept-Language header).")
COUNTRY = Query(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code.")
DEMO = Query(False, description="Include the made-up projects of demo cycles.")
CALL_STATUS = Query(None, description="Only tracks whose call is open, upcoming or closed.")


class Docs(DocsBase):
    """Swagger UI from the portal's own static files (no CDN), started by a script file: the
    Content Security Policy (scripts and styles from the portal only, nothing inline) holds."""

    def render_page(self, request, api, **kwargs):
        return render(request, "opendata/api_docs.html",
                      {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)})


class Session(SessionAuth):
    """The portal's log-in (its session cookie); 401 without it, and for a user who still
    owes the second factor (the pages send them to the code page: `TwoFactorMiddleware`)."""

    def authenticate(self, request, key):
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return None
        if not user.is_verified() and (
            remember_device(request, user)
            or (settings.KCITY_REQUIRE_2FA and needs_two_factor(user))
        ):
            return None
        return user


api = NinjaAPI(
    title="K-City Network open data",
    version="1.0.0",
    description=(
        "Read-only data of the K-City Network Global Cooperation Program: the portfolio of "
        "selected projects since 2020, the calls for proposals, published selection results "
        "and the programme's totals; with a portal log-in, your own proposals. Money is "
        "integer KRW; times are ISO 8601 with their offset (Asia/Seoul). Labels follow `lang` "
        "(en, ko) or the Accept-Language header. Errors are JSON: `{\"detail\": \"...\"}` "
        "(401, 404) or `{\"detail\": [{\"loc\": [...], \"msg\": \"...\", \"type\": \"...\"}]}` "
        "(422: the parameter named in `loc`)."
    ),
    urls_namespace="api",
    docs=Docs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# ---- errors ---------------------------------------------------------------------------------


class Message(Schema):
    detail: str


class Problem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Problems(Schema):
    detail: list[Problem]


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    # The log-in is checked before the operation (and its `lang`) runs.
    lang = request.GET.get("lang")
    with translation.override(lang) if lang in ("en", "ko") else nullcontext():
        message = _("Log in to the portal first.")
    return api.create_response(request, {"detail": message}, status=401)


def _not_found(message: str) -> HttpError:
    return HttpError(404, message)


def translated(view):
    """Run the operation in the language of its `lang` parameter (if given)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        lang = kwargs.get("lang")
        with translation.override(lang) if lang else nullcontext():
            return view(request, *args, **kwargs)

    return wrapper


def _seoul(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value, SEOUL) if value else None


def _page(rows, page: int, page_size: int) -> dict:
    start = (page - 1) * page_size
    return {"count": rows.count(), "page": page, "page_size": page_size,
            "items": list(rows[start:start + page_size])}


PAGE = Query(1, ge=1, le=100_000, description="Page number, from 1.")
PAGE_SIZE = Query(20, ge=1, le=MAX_PAGE_SIZE,
                  description=f"Rows per page (at most {MAX_PAGE_SIZE}).")
PUBLIC = {"tags": ["public"]}


# ---- projects -------------------------------------------------------------------------------


class ProjectOut(Schema):
    id: int
    year: int
    track: str = Field(description="Track kind: planning or demonstration.")
    track_label: str
    programme: str
    programme_label: str
    title: str
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    country_name: str
    region: str
    region_label: str
    korean_partner: str
    status: str = Field(description="'selected' for the record before the platform; else the "
                                    "platform project's state.")
    status_label: str
    award: int | None = Field(description="Grant awarded (KRW).")
    contract_value: int | None = Field(description="Contract value (KRW).")
    disbursed: int = Field(description="Paid so far (KRW).")
    follow_on_amount: int = Field(description="Follow-on investment reported (KRW).")
    follow_on_count: int
    is_demo: bool = Field(description="Made-up data of a demo cycle.")


class ProjectDetail(ProjectOut):
    source: str


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProjectOut]


_PROJECT_STATUS_LABELS = {SELECTED: gettext_lazy("selected"), **dict(ProjectState.choices)}


def _project(row, detail=False) -> dict:
    region = region_of(row.country.code)
    out = {
        "id": row.pk, "year": row.year, "track": row.track_kind,
        "track_label": str(row.get_track_kind_display()), "programme": row.programme,
        "programme_label": str(row.get_programme_display()), "title": row.title,
        "city": row.city, "country": row.country.code, "country_name": str(row.country.name),
        "region": region, "region_label": str(REGIONS.get(region, "")),
        "korean_partner": row.korean_partner, "status": row.status,
        "status_label": str(_PROJECT_STATUS_LABELS.get(row.status, row.status)),
        "award": row.award, "contract_value": row.contract_value, "disbursed": row.disbursed,
        "follow_on_amount": row.follow_on_amount, "follow_on_count": row.follow_on_count,
        "is_demo": row.is_demo,
    }
    if detail:
        out["source"] = row.source
    return out


@api.get("/projects", response={200: ProjectPage, 422: Problems}, **PUBLIC,
         summary="The portfolio of selected projects", operation_id="list_projects")
@translated
def list_projects(
    request,
    year: int = Year,
    track: TrackKindCode = ANY,
    region: Region = ANY,
    country: str = COUNTRY,
    status: ProjectStatus = ANY,
    demo: bool = DEMO,
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
    lang: Lang = LANG,
):
    """Every project the programme selected (the record since 2020 and the platform's own),
    oldest year first, filtered by any of the parameters."""
    rows = filtered(portfolio(include_demo=demo), year=year, track=track, region=region,
                    country=(country or "").upper(), status=status)
    # The page's ids first, then only those rows with their per-project sums: a deep page
    # does not compute them for every row its offset skips.
    result = _page(rows.values_list("pk", flat=True), page, page_size)
    result["items"] = [_project(row) for row in rows.filter(pk__in=result["items"])]
    return result


@api.get("/projects/{id}", response={200: ProjectDetail, 404: Message, 422: Problems},
         **PUBLIC, summary="One project", operation_id="get_project")
@translated
def get_project(request, id: int = Path(..., ge=1, le=MAX_ID), lang: Lang = LANG):
    row = portfolio(include_demo=True).filter(pk=id).first()
    if row is None:
        raise _not_found(_("No project with this id."))
    return _project(row, detail=True)


# ---- calls ----------------------------------------------------------------------------------


class CriterionOut(Schema):
    code: str
    name: str
    weight: int


class TrackOut(Schema):
    code: str
    kind: str
    kind_label: str
    name: str
    purpose: str
    applicant_types: list[str] = Field(description="foreign_government, "
                                       "international_organisation, korean_company.")
    applicant_type_labels: list[str]
    stages: list[str] = Field(description="The evaluation stages, in order.")
    stage_labels: list[str]
    grant_min: int | None = Field(description="Smallest grant (KRW).")
    grant_max: int | None = Field(description="Largest grant (KRW).")
    budget: int | None = Field(description="Track budget (KRW).")
    min_projects: int
    max_projects: int | None
    intake_mode: str = Field(description="fixed or year_round.")
    intake_mode_label: str
    opens_at: dt.datetime | None
    deadline: dt.datetime | None
    cutoff: dt.datetime | None
    call_status: str = Field(description="open, upcoming or closed.")
    call_status_label: str
    call_ends_at: dt.datetime | None
    criteria: list[CriterionOut]


class CallOut(Schema):
    year: int
    title: str
    status: str
    status_label: str
    is_demo: bool
    total_budget: int | None = Field(description="Total budget (KRW).")
    max_projects: int | None
    announced_on: dt.date | None
    results_on: dt.date | None
    tracks: list[TrackOut]


def _public_cycles():
    """The published cycles, as an anonymous visitor sees them (never a draft, whoever asks)."""
    tracks = Track.objects.order_by("order", "code").prefetch_related("criteria")
    return (visible_cycles(AnonymousUser()).order_by("-year")
            .prefetch_related(Prefetch("tracks", queryset=tracks)))


def _track(track, now) -> dict:
    status = track_call_status(track, now)
    kinds, modes = dict(TrackKind.choices), dict(IntakeMode.choices)
    return {
        "code": track.code, "kind": track.kind, "kind_label": str(kinds.get(track.kind, "")),
        "name": track.name, "purpose": track.purpose,
        "applicant_types": list(track.applicant_types or []),
        "applicant_type_labels": track.applicant_type_labels(),
        "stages": list(track.stages or []), "stage_labels": track.stage_labels(),
        "grant_min": track.grant_min, "grant_max": track.grant_max, "budget": track.budget,
        "min_projects": track.min_projects, "max_projects": track.max_projects,
        "intake_mode": track.intake_mode,
        "intake_mode_label": str(modes.get(track.intake_mode, track.intake_mode)),
        "opens_at": _seoul(track.opens_at), "deadline": _seoul(track.deadline),
        "cutoff": _seoul(track.cutoff), "call_status": status,
        "call_status_label": str(STATUS_LABELS[status]),
        "call_ends_at": _seoul(call_end(track)),
        "criteria": [{"code": c.code, "name": c.name, "weight": c.weight}
                     for c in track.criteria.all()],
    }


def _call(cycle, tracks) -> dict:
    return {
        "year": cycle.year, "title": cycle.title, "status": cycle.status,
        "status_label": str(dict(CycleStatus.choices).get(cycle.status, "")),
        "is_demo": cycle.is_demo, "total_budget": cycle.total_budget,
        "max_projects": cycle.max_projects, "announced_on": cycle.announced_on,
        "results_on": cycle.results_on, "tracks": tracks,
    }


@api.get("/calls", response={200: list[CallOut], 422: Problems}, **PUBLIC,
         summary="Calls for proposals", operation_id="list_calls")
@translated
def list_calls(
    request,
    status: CallStatus = CALL_STATUS,
    lang: Lang = LANG,
):
    """Every published cycle, newest first, with its tracks' public facts: who may apply,
    grant ranges, budgets, quotas, opening and deadline (KST), criteria and weights."""
    now = timezone.now()
    calls = []
    for cycle in _public_cycles():
        tracks = [_track(t, now) for t in cycle.tracks.all()]
        if status:
            tracks = [t for t in tracks if t["call_status"] == status]
            if not tracks:
                continue
        calls.append(_call(cycle, tracks))
    return calls


@api.get("/calls/{year}", response={200: CallOut, 404: Message, 422: Problems}, **PUBLIC,
         summary="One year's call", operation_id="get_call")
@translated
def get_call(request, year: int = Path(..., ge=2000, le=2100, example=2026), lang: Lang = LANG):
    cycle = _public_cycles().filter(year=year).first()
    if cycle is None:
        raise _not_found(_("No published call for this year."))
    now = timezone.now()
    return _call(cycle, [_track(t, now) for t in cycle.tracks.all()])


# ---- results --------------------------------------------------------------------------------


class RoundOut(Schema):
    year: int
    title: str
    is_demo: bool
    published_at: dt.datetime


class SelectedOut(Schema):
    track: str
    track_name: str
    title: str
    city: str
    country: str
    country_name: str
    applicant: str
    award: int | None = Field(description="Grant awarded (KRW).")


class ReserveOut(Schema):
    rank: int | None
    track: str
    track_name: str
    title: str
    country: str
    country_name: str


class ResultsOut(RoundOut):
    selected_count: int
    awarded: int = Field(description="Total awarded (KRW).")
    not_selected_count: int
    selected: list[SelectedOut]
    reserve: list[ReserveOut]
    withdrawn: list[str] = Field(description="Titles withdrawn after selection.")


def _round(round) -> dict:
    return {"year": round.cycle.year, "title": round.cycle.title,
            "is_demo": round.cycle.is_demo, "published_at": _seoul(round.published_at)}


@api.get("/results", response={200: list[RoundOut], 422: Problems}, **PUBLIC,
         summary="Years with published selection results", operation_id="list_results")
@translated
def list_results(request, lang: Lang = LANG):
    rounds = (SelectionRound.objects.filter(published_at__isnull=False)
              .select_related("cycle").order_by("-cycle__year", "-published_at"))
    latest = {}
    for round in rounds:
        latest.setdefault(round.cycle.year, round)
    return [_round(r) for r in latest.values()]


@api.get("/results/{year}", response={200: ResultsOut, 404: Message, 422: Problems},
         **PUBLIC, summary="One year's published results", operation_id="get_results")
@translated
def get_results(request, year: int = Path(..., ge=2000, le=2100, example=2027), lang: Lang = LANG):
    """The published decision: the selected projects with their awards, the reserve list in
    rank order, withdrawals. No scores: they stay with the secretariat and the applicants."""
    round = published_round(year)
    if round is None:
        raise _not_found(_("No published results for this year."))
    data = public_results(round)

    def place(o) -> dict:
        p = o.proposal
        return {"track": p.track.code, "track_name": p.track.name, "title": p.title,
                "country": p.country.code, "country_name": str(p.country.name)}

    return {
        **_round(round),
        "selected_count": data["selected_count"], "awarded": data["awarded"],
        "not_selected_count": data["not_selected_count"],
        "selected": [{**place(o), "city": o.proposal.city,
                      "applicant": o.proposal.organisation.name, "award": o.award}
                     for group in data["by_track"] for o in group["outcomes"]],
        "reserve": [{**place(o), "rank": o.reserve_rank} for o in data["reserve"]],
        "withdrawn": [o.proposal.title for o in data["withdrawn"]],
    }


# ---- statistics -----------------------------------------------------------------------------


class YearTotals(Schema):
    year: int
    projects: int
    countries: int
    cities: int
    cumulative_projects: int
    cumulative_countries: int
    cumulative_cities: int


class Statistics(Schema):
    projects: int
    countries: int
    cities: int
    years: list[YearTotals]


@api.get("/statistics", response={200: Statistics, 422: Problems}, **PUBLIC,
         summary="The programme's totals per year", operation_id="statistics")
@translated
def statistics(request, lang: Lang = LANG):
    """The record the programme reports: projects, countries and cities per year and
    cumulative (demo cycles never count)."""
    totals = programme_totals()
    return {key: totals[key] for key in ("projects", "countries", "cities", "years")}


# ---- the logged-in user's proposals ---------------------------------------------------------


class ProposalOut(Schema):
    id: int
    title: str
    year: int
    track: str
    track_name: str
    state: str
    state_label: str
    requested_amount: int | None = Field(description="Requested grant (KRW).")
    city: str
    country: str
    updated_at: dt.datetime


class ProposalPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProposalOut]


def _proposal(p) -> dict:
    return {
        "id": p.pk, "title": p.title, "year": p.cycle.year, "track": p.track.code,
        "track_name": p.track.name, "state": p.state,
        "state_label": str(dict(ProposalState.choices).get(p.state, p.state)),
        "requested_amount": p.requested_amount, "city": p.city,
        "country": p.country.code or "", "updated_at": _seoul(p.updated_at),
    }


MINE = {"tags": ["your proposals"], "auth": Session()}


@api.get("/proposals", response={200: ProposalPage, 401: Message, 422: Problems}, **MINE,
         summary="The proposals you may see", operation_id="list_proposals")
@translated
def list_proposals(request, page: int = PAGE, page_size: int = PAGE_SIZE,
                   lang: Lang = LANG):
    """Your organisation's proposals and those it joined as a confirmed consortium member
    (the secretariat: its tracks'), most recently changed first. Log in to the portal first."""
    rows = (visible_proposals(request.auth).select_related("cycle", "track")
            .order_by("-updated_at", "-pk"))
    result = _page(rows, page, page_size)
    result["items"] = [_proposal(p) for p in result["items"]]
    return result


@api.get("/proposals/{id}", response={200: ProposalOut, 401: Message, 404: Message,
                                      422: Problems}, **MINE, summary="One of your proposals",
         operation_id="get_proposal")
@translated
def get_proposal(request, id: int = Path(..., ge=1, le=MAX_ID), lang: Lang = LANG):
    proposal = visible_proposal(request.auth, id, select_related=("cycle", "track"))
    if proposal is None:
        raise _not_found(_("No proposal with this id among yours."))
    return _proposal(proposal)
