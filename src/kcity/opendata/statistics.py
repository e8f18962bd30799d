"""The programme's statistics, read from the database: the public statistics page, its charts
and the annual report all count from here.

Projects come from `selectors.counted()` (the record the home page counts, demo cycles never
in it), so the home page and the statistics agree. Applications come from the proposals of
real cycles that were submitted (drafts never count) and are public as counts only. Every
function aggregates in SQL: a fixed number of queries, whatever the number of rows.

Money is what the platform knows: awards, contract values and payments of the projects the
platform opened. The shipped history records no amounts: `money()` says how many of the
counted projects carry none, and nothing is made up for them.
"""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat
from django.utils.translation import get_language
from django_countries import countries

from kcity.applications.models import Proposal, ProposalEvent, ProposalState, Submission
from kcity.opendata.charts import statistics_charts
from kcity.opendata.selectors import counted
from kcity.portfolio.models import REGIONS, Programme, SelectedProject, region_of
from kcity.programs.models import Cycle, CycleEvent, Track
from kcity.projects.delivery_models import Deliverable, Payment
from kcity.projects.models import FollowOn, FollowOnKind, Project, ProjectEvent

TRACK_KINDS = ("planning", "demonstration")


def _korean() -> bool:
    return (get_language() or "").startswith("ko")


def record(*, year: int | None = None, until: int | None = None) -> QuerySet[SelectedProject]:
    """The counted projects as plain rows (no annotations), of one year or up to one."""
    rows = SelectedProject.objects.filter(pk__in=counted().values("pk")).order_by()
    if year is not None:
        rows = rows.filter(year=year)
    if until is not None:
        rows = rows.filter(year__lte=until)
    return rows


def years() -> list[int]:
    """The years with counted projects or with applications of a real cycle."""
    # One query; `order_by()` matters: a model's default ordering would join DISTINCT's
    # columns and send back a row per proposal.
    found = record().values_list("year", flat=True).union(
        _submitted().order_by().values_list("cycle__year", flat=True))
    return sorted(set(found))


def by_year(*, until: int | None = None) -> list[dict]:
    """Per year: projects (and of them planning and demonstration), countries and cities,
    new that year and cumulative (a country counts once, the first year it appears)."""
    rows = record(until=until)
    per_year: list[dict] = [dict(r) for r in
        rows.values("year").annotate(
            projects=Count("pk"),
            planning=Count("pk", filter=Q(track_kind="planning")),
            demonstration=Count("pk", filter=Q(track_kind="demonstration")),
            countries=Count("country", distinct=True),
            cities=Count(Concat("country", Value("|"), "city"), distinct=True),
        ).order_by("year")
    ]
    first_country = [r["first"] for r in rows.values("country").annotate(first=Min("year"))]
    first_city = [r["first"] for r in
                  rows.values("country", "city").annotate(first=Min("year"))]
    total = 0
    for row in per_year:
        total += row["projects"]
        row["cumulative_projects"] = total
        row["cumulative_countries"] = sum(1 for y in first_country if y <= row["year"])
        row["cumulative_cities"] = sum(1 for y in first_city if y <= row["year"])
    return per_year


def by_track(*, year: int | None = None) -> list[dict]:
    """Projects and countries per track kind and programme."""
    programmes = dict(Programme.choices)
    kinds = dict(SelectedProject._meta.get_field("track_kind").flatchoices)
    rows: list[dict] = [dict(r) for r in
        record(year=year).values("track_kind", "programme")
        .annotate(projects=Count("pk"), countries=Count("country", distinct=True))
        .order_by("track_kind", "programme")
    ]
    for row in rows:
        row["kind_label"] = str(kinds.get(row["track_kind"], row["track_kind"]))
        row["programme_label"] = str(programmes.get(row["programme"], row["programme"]))
    return rows


def by_region(*, year: int | None = None, until: int | None = None) -> list[dict]:
    """Projects, countries and cities per region (M49, `portfolio.models.REGIONS`), largest
    first; countries the table does not know are counted under "other"."""
    totals: dict[str, dict] = {}
    for row in (record(year=year, until=until).values("country")
                .annotate(projects=Count("pk"), cities=Count("city", distinct=True))):
        region = region_of(row["country"]) or "other"
        entry = totals.setdefault(region, {"region": region, "projects": 0, "countries": 0,
                                           "cities": 0})
        entry["projects"] += row["projects"]
        entry["countries"] += 1
        entry["cities"] += row["cities"]
    order = list(REGIONS)
    out = sorted(totals.values(), key=lambda r: (-r["projects"], order.index(r["region"])
                                                 if r["region"] in order else len(order)))
    for entry in out:
        entry["label"] = str(REGIONS.get(entry["region"], "")) or "—"
    return out


def money(*, year: int | None = None, until: int | None = None) -> dict:
    """Awarded, contracted and disbursed KRW of the counted projects (of one year's
    selection), with how many projects have the platform's paperwork and how many, from the
    shipped history, have no recorded amounts."""
    rows = record(year=year, until=until)
    totals = rows.aggregate(
        projects=Count("pk"),
        platform=Count("paperwork"),
        contracted=Count("paperwork__contract_value"),
        award=Sum("paperwork__award"),
        contract_value=Sum("paperwork__contract_value"),
    )
    disbursed = Payment.objects.filter(project__record__in=rows).aggregate(
        total=Sum("amount"), count=Count("pk"))
    return {
        "projects": totals["projects"],
        "platform_projects": totals["platform"],
        "history_projects": totals["projects"] - totals["platform"],
        "contracted_projects": totals["contracted"],
        "award": totals["award"] or 0,
        "contract_value": totals["contract_value"] or 0,
        "disbursed": disbursed["total"] or 0,
        "payments": disbursed["count"],
    }


def money_by_year() -> list[dict]:
    """Per selection year: awarded, contracted and disbursed KRW (years with platform
    projects only: the history has no amounts)."""
    rows = record()
    per_year = {
        r["year"]: r for r in rows.filter(paperwork__isnull=False).values("year").annotate(
            platform=Count("paperwork"), award=Sum("paperwork__award"),
            contract_value=Sum("paperwork__contract_value"),
        ).order_by("year")
    }
    paid = dict(
        Payment.objects.filter(project__record__in=rows).values("project__record__year")
        .annotate(total=Sum("amount")).values_list("project__record__year", "total")
    )
    return [
        {"year": y, "platform": r["platform"], "award": r["award"] or 0,
         "contract_value": r["contract_value"] or 0, "disbursed": paid.get(y) or 0}
        for y, r in sorted(per_year.items())
    ]


def paid_during(*, year: int) -> int:
    """KRW paid during a calendar year to the counted projects, whatever their year."""
    return Payment.objects.filter(project__record__in=record(), paid_on__year=year).aggregate(
        total=Sum("amount"))["total"] or 0


def follow_on(*, year: int | None = None, until: int | None = None) -> dict:
    """Follow-on investment of the counted projects: count and KRW, in all and per kind
    (an amount not recorded counts as a follow-on without an amount)."""
    labels = dict(FollowOnKind.choices)
    projects = record(year=year, until=until)
    rows = (FollowOn.objects.filter(project__record__in=projects).values("kind")
            .annotate(count=Count("pk"), total=Sum("amount"),
                      without_amount=Count("pk", filter=Q(amount__isnull=True)))
            .order_by("kind"))
    kinds = [{"kind": r["kind"], "count": r["count"], "amount": r["total"] or 0,
              "without_amount": r["without_amount"],
              "label": str(labels.get(r["kind"], r["kind"]))} for r in rows]
    return {
        "count": sum(k["count"] for k in kinds),
        "amount": sum(k["amount"] for k in kinds),
        "without_amount": sum(k["without_amount"] for k in kinds),
        "kinds": kinds,
    }


def _submitted() -> QuerySet[Proposal]:
    """Proposals of real cycles that were submitted (any state but draft)."""
    return Proposal.objects.filter(cycle__is_demo=False).exclude(state=ProposalState.DRAFT)


def applications(*, year: int | None = None) -> dict:
    """Applications received (submitted proposals of real cycles) per cycle: by track and
    by country, counts only."""
    rows = _submitted().order_by()
    if year is not None:
        rows = rows.filter(cycle__year=year)
    korean = _korean()
    # One pass over the proposals, grouped by track and country (a few hundred rows however
    # many proposals); the tracks, a small table, are read apart.
    counts = list(rows.values_list("track", "country").annotate(count=Count("pk")))
    track_rows = Track.objects.filter(pk__in={t for t, _c, _n in counts}).select_related("cycle")
    info = {t.pk: t for t in track_rows}
    per_track: dict[int, int] = {}
    per_country: dict[tuple, int] = {}
    for track, country, count in counts:
        per_track[track] = per_track.get(track, 0) + count
        key = (info[track].cycle.year, country or "")
        per_country[key] = per_country.get(key, 0) + count
    by_track: list[dict[str, Any]] = [
        {"year": t.cycle.year, "code": t.code, "kind": t.kind,
         "name": t.name_ko if korean else t.name_en, "count": per_track[t.pk]}
        for t in sorted(info.values(), key=lambda t: (t.cycle.year, t.order, t.code))
    ]
    names = dict(countries)
    by_country: list[dict[str, Any]] = sorted(
        ({"year": y, "country": c, "country_name": str(names.get(c, c)) if c else "",
          "count": n} for (y, c), n in per_country.items()),
        key=lambda r: (r["year"], -r["count"], r["country"]),
    )
    per_cycle: dict[int, dict] = {}
    for row in by_track:
        cycle = per_cycle.setdefault(row["year"], {"year": row["year"], "count": 0,
                                                   "planning": 0, "demonstration": 0})
        cycle["count"] += row["count"]
        if row["kind"] in TRACK_KINDS:
            cycle[row["kind"]] += row["count"]
    for row in by_country:
        per_cycle[row["year"]]["countries"] = per_cycle[row["year"]].get("countries", 0) + 1
    return {"by_track": by_track, "by_country": by_country,
            "per_cycle": [per_cycle[y] for y in sorted(per_cycle)]}


def outcomes(*, year: int) -> list[dict]:
    """Submitted proposals of a real cycle per track and state: how many were screened out,
    evaluated, selected, placed on the reserve list or not selected (counts only)."""
    labels = dict(ProposalState.choices)
    korean = _korean()
    rows = (_submitted().filter(cycle__year=year).order_by()
            .values("track__code", "track__order", "track__name_en", "track__name_ko", "state")
            .annotate(count=Count("pk")).order_by("track__order", "track__code", "state"))
    return [
        {"code": r["track__code"], "name": r["track__name_ko"] if korean else r["track__name_en"],
         "state": r["state"], "label": str(labels.get(r["state"], r["state"])),
         "count": r["count"]}
        for r in rows
    ]


def progress(*, year: int | None = None, until: int | None = None) -> dict:
    """The platform projects of the counted record (of one selection year, or up to one):
    how many per status, and their deliverables per state."""
    projects = Project.objects.filter(record__in=record(year=year, until=until))
    states = dict(Project._meta.get_field("state").flatchoices)
    status = [
        {"state": r["state"], "label": str(states.get(r["state"], r["state"])),
         "count": r["count"]}
        for r in projects.order_by().values("state").annotate(count=Count("pk")).order_by("state")
    ]
    deliverable_states = dict(Deliverable._meta.get_field("state").flatchoices)
    deliverables = [
        {"state": r["state"], "label": str(deliverable_states.get(r["state"], r["state"])),
         "count": r["count"]}
        for r in Deliverable.objects.filter(project__in=projects).order_by().values("state")
        .annotate(count=Count("pk")).order_by("state")
    ]
    return {"projects": status, "deliverables": deliverables,
            "project_count": sum(s["count"] for s in status),
            "deliverable_count": sum(d["count"] for d in deliverables)}


def overview(*, year: int | None = None, known_years: list[int] | None = None) -> dict:
    """Everything the statistics page shows (breakdowns of one year when `year` is given;
    the yearly series always cover every year); `known_years`: `years()` if the caller has
    already asked for it."""
    series = by_year()
    shown = [r for r in series if year is None or r["year"] <= year]
    last = shown[-1] if shown else {}
    return {
        "year": year,
        "years": years() if known_years is None else known_years,
        "by_year": series,
        "projects": last.get("cumulative_projects", 0) if year is None
        else next((r["projects"] for r in series if r["year"] == year), 0),
        "countries": last.get("cumulative_countries", 0) if year is None
        else next((r["countries"] for r in series if r["year"] == year), 0),
        "cities": last.get("cumulative_cities", 0) if year is None
        else next((r["cities"] for r in series if r["year"] == year), 0),
        "by_track": by_track(year=year),
        "by_region": by_region(year=year),
        "money": money(year=year),
        "money_by_year": money_by_year(),
        "follow_on": follow_on(year=year),
        "applications": applications(year=year),
    }


# ---- the page, kept while the data stays the same ---------------------------------------------

# The tables the statistics count from (and the logs of their changes): a row added, removed or
# changed through a service or the admin moves their count or largest id, and so the
# fingerprint. The service logs each change of state (proposal, project, cycle events).
FINGERPRINT_TABLES = (SelectedProject, Project, ProjectEvent, Payment, FollowOn, Proposal,
                      ProposalEvent, Submission, Cycle, CycleEvent, Track, LogEntry)
CACHE_SECONDS = 24 * 3600  # a key names the data it was computed from: never stale, only unused


def fingerprint() -> str:
    """The data's state in ONE query: each table's row count and largest id."""
    qn = connection.ops.quote_name
    parts = [f"(SELECT COUNT(*) FROM {qn(m._meta.db_table)}), "
             f"(SELECT MAX({qn(str(m._meta.pk.column))}) FROM {qn(m._meta.db_table)})"
             for m in FINGERPRINT_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return "-".join(str(v) for v in cursor.fetchone())


def _kept(name: str, stamp: str, build):
    key = f"opendata:statistics:{name}:{get_language() or ''}:{stamp}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def page_years(*, stamp: str) -> list[int]:
    """`years()`, kept while the fingerprint `stamp` holds."""
    return _kept("years", stamp, years)


def page(*, year: int | None, known_years: list[int], stamp: str) -> dict:
    """What the statistics page shows (`overview`) with its charts as SVG, computed once per
    fingerprint `stamp`, language and year: any change of the data changes the fingerprint,
    so the next request shows it."""
    def build() -> dict:
        stats = overview(year=year, known_years=known_years)
        return {**stats, "charts": statistics_charts(stats)}

    return _kept(f"page:{year or 'all'}", stamp, build)
