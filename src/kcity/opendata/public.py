"""What the public portfolio pages show: the list with its filters, a project's page, the
years and the world map. Every page reads the one portfolio (`selectors.portfolio`).

Demo cycles' projects (made-up data) are never mixed into the record: the list, the years
and the map count only the real portfolio; the list and the years show the demo projects
apart, each group under the demo banner, and a demo project's own page carries the banner.
The map leaves them out.

A project's page shows what is public: the record's facts and sources; for a project the
platform runs, its status, award, contract value, money paid, the organisations that have
signed its cooperation framework (name and role, never a person or a signed document), the
type and date of its accepted deliverables (never their files) and its follow-on.
"""

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django_countries import countries

from kcity.opendata.public_map import HEIGHT, WIDTH
from kcity.opendata.public_map import countries as map_countries
from kcity.opendata.selectors import SELECTED, filtered, portfolio, real_projects
from kcity.portfolio.models import REGIONS, Programme, SelectedProject, region_of
from kcity.programs.models import Cycle
from kcity.projects.models import (
    Deliverable,
    DeliverableState,
    FollowOn,
    FrameworkParty,
    ProjectState,
)
from kcity.selection.selectors import published_years

PER_PAGE = 25

STATUSES = {SELECTED: gettext_lazy("selected"), **dict(ProjectState.choices)}
TRACKS = dict(SelectedProject._meta.get_field("track_kind").choices)
PROGRAMMES = dict(Programme.choices)
FILTER_LABELS = {
    "year": gettext_lazy("Year"), "track": gettext_lazy("Track"),
    "programme": gettext_lazy("Programme"), "region": gettext_lazy("Region"),
    "country": gettext_lazy("Country"), "status": gettext_lazy("Status"),
}
LIST_FILTERS = ("year", "track", "programme", "region", "country", "status")
MAP_FILTERS = ("year", "track", "region")
URL = re.compile(r"https?://[^\s;]+")


@dataclass
class Filters:
    """The filters a visitor asked for: the valid ones kept (`chosen`), the others ignored
    with a notice each; `choices` feeds the form's drop-downs."""

    chosen: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)
    choices: dict = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.chosen)

    @property
    def fields(self) -> list[dict]:
        """The form's drop-downs: name, label, options and the chosen value."""
        return [{"name": name, "label": FILTER_LABELS[name], "options": options,
                 "value": self.chosen.get(name, "")} for name, options in self.choices.items()]


def _choices(names, years, country_codes) -> dict:
    """Each filter's choices as (value, label) pairs, in the reader's language."""
    all_choices = {
        "year": [(str(y), str(y)) for y in sorted(years)],
        "track": [(k, str(v)) for k, v in TRACKS.items()],
        "programme": [(k, str(v)) for k, v in PROGRAMMES.items()],
        "region": [(k, str(v)) for k, v in REGIONS.items()],
        "country": sorted(((c, countries.name(c)) for c in country_codes), key=lambda t: t[1]),
        "status": [(k, str(v)) for k, v in STATUSES.items()],
    }
    return {name: all_choices[name] for name in names}


def parse_filters(params, names, *, years, country_codes) -> Filters:
    """Read the GET parameters `names`: a value that is not one of the filter's choices is
    ignored and named in a notice (never an error page)."""
    result = Filters(choices=_choices(names, years, country_codes))
    for name in names:
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        value = raw.upper() if name == "country" else raw
        if value in {v for v, _label in result.choices[name]}:
            result.chosen[name] = value
        else:
            result.notices.append(
                _("The filter “%(filter)s” was ignored: “%(value)s” is not one of its choices.")
                % {"filter": FILTER_LABELS[name], "value": raw[:40]})
    return result


def _labelled(rows) -> list:
    """The rows with their status in words (`status_label`)."""
    rows = list(rows)
    for row in rows:
        row.status_label = STATUSES.get(row.status, row.status)
    return rows


def _demo_groups(rows) -> list[dict]:
    """Demo projects grouped by their cycle, each group shown under the demo banner."""
    groups: dict = {}
    for row in rows:
        cycle = row.paperwork.proposal.cycle
        groups.setdefault(cycle.pk, {"cycle": cycle, "rows": []})["rows"].append(row)
    return list(groups.values())


def _years_and_countries() -> tuple[set, set]:
    pairs = set(portfolio(include_demo=True).order_by().values_list("year", "country"))
    return {y for y, _c in pairs}, {c for _y, c in pairs}


def list_page(params) -> dict:
    """The portfolio list: filtered, paginated; the demo projects that match apart."""
    years, country_codes = _years_and_countries()
    filters = parse_filters(params, LIST_FILTERS, years=years, country_codes=country_codes)
    rows = filtered(portfolio(), **filters.chosen)
    # Pages of ids; then only the page's rows with their per-project sums (a deep page does
    # not compute them for every row its offset skips).
    paginator = Paginator(rows.values_list("pk", flat=True), PER_PAGE)
    raw_page = (params.get("page") or "1").strip()
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= paginator.num_pages:
        filters.notices.append(
            _("There is no page “%(page)s”: the first page is shown.") % {"page": raw_page[:20]})
        raw_page = "1"
    page = paginator.get_page(raw_page)
    page.object_list = _labelled(rows.filter(pk__in=list(page.object_list)))
    demo = filtered(portfolio(include_demo=True).filter(
        paperwork__proposal__cycle__is_demo=True), **filters.chosen)
    return {
        "page": page, "filters": filters, "query": urlencode(filters.chosen),
        "demo_groups": _demo_groups(_labelled(demo)),
    }


def _org_name(organisation) -> str:
    if (get_language() or "").startswith("ko") and organisation.name_ko:
        return organisation.name_ko
    return organisation.name


def sources(text: str) -> list[dict]:
    """The record's sources: each web address a link, anything else as written."""
    items = []
    for part in re.split(r"\s*;\s*|\s+(?=https?://)", text or ""):
        part = part.strip()
        if part:
            link = URL.match(part)
            items.append({"url": link.group(0) if link else "",
                          "rest": part[link.end():].strip() if link else part})
    return items


def project_page(pk: int) -> dict | None:
    """A project's public page, or None (404) for an unknown one."""
    row = (portfolio(include_demo=True).select_related("paperwork__contractor")
           .filter(pk=pk).first())
    if row is None:
        return None
    row.status_label = STATUSES.get(row.status, row.status)
    paperwork = getattr(row, "paperwork", None)
    context = {"project": row, "paperwork": paperwork, "sources": sources(row.source),
               "parties": [], "deliverables": [], "follow_ons": [], "contractor": "",
               "cycle": paperwork.proposal.cycle if paperwork else None,
               "results_year": row.year if row.year in published_years() else None}
    if paperwork is None:
        return context
    if paperwork.contractor_id:
        context["contractor"] = _org_name(paperwork.contractor)
    # Signed parties only, by organisation and role: never a person, never the document.
    context["parties"] = [
        {"role": party.get_role_display(),
         "name": _org_name(party.organisation) if party.organisation_id else party.name,
         "signed_on": party.signed_on}
        for party in FrameworkParty.objects.filter(project=paperwork, signed_on__isnull=False,
                                            signed_document__isnull=False)
        .select_related("organisation").order_by("pk")
    ]
    context["deliverables"] = list(
        Deliverable.objects.filter(project=paperwork, state=DeliverableState.ACCEPTED)
        .only("kind", "accepted_at").order_by("accepted_at", "pk"))
    context["follow_ons"] = list(
        FollowOn.objects.filter(project=paperwork).only("kind", "on", "amount")
        .order_by("on", "pk"))
    return context


def years_page() -> dict:
    """One row per year of the real record: its projects per track and its countries, with
    links to the year's projects in the list (in all and per track) and to its official
    results where a round was published; demo cycles' projects apart, counted per cycle
    under the demo banner. Counted in SQL: the page grows with the years, not the projects."""
    published = set(published_years())
    real = (real_projects().order_by().values("year")
            .annotate(projects=Count("pk"), countries=Count("country", distinct=True),
                      planning=Count("pk", filter=Q(track_kind="planning")),
                      demonstration=Count("pk", filter=Q(track_kind="demonstration")))
            .order_by("-year"))
    demo = (SelectedProject.objects.filter(paperwork__proposal__cycle__is_demo=True)
            .order_by().values("paperwork__proposal__cycle")
            .annotate(projects=Count("pk"), countries=Count("country", distinct=True),
                      planning=Count("pk", filter=Q(track_kind="planning")),
                      demonstration=Count("pk", filter=Q(track_kind="demonstration"))))
    demo = {r["paperwork__proposal__cycle"]: r for r in demo}
    demo_groups = []
    for cycle in Cycle.objects.filter(pk__in=list(demo)).order_by("-year", "pk"):
        demo_groups.append({**demo[cycle.pk], "cycle": cycle,
                            "results_year": cycle.year if cycle.year in published else None})
    return {
        "years": [{**r, "results_year": r["year"] if r["year"] in published else None}
                  for r in real],
        "demo_groups": demo_groups,
    }


def _marker_radius(count: int) -> float:
    return round(5 + 3 * math.sqrt(count), 1) if count else 0


@lru_cache(maxsize=8)
def _named_shapes(language: str) -> tuple[dict, list]:
    """The country names in `language` and, per shape of the map, its ISO code ("" for none)
    and name: worked out once per language and process."""
    names = dict(countries)
    shapes = []
    for shape in map_countries():
        code = (countries.alpha2(shape.numeric) if shape.numeric else "") or ""
        shapes.append((code, str(names.get(code, shape.name)) if code else shape.name))
    return names, shapes


TOOLTIP_TITLES = 3  # a marker's tooltip names at most this many of the country's projects


def _marker_title(name: str, count: int, rows: list) -> str:
    """A marker's tooltip: the country, its count and its latest few projects."""
    lines = [f"{name}: " + ngettext("%(counter)s project", "%(counter)s projects", count)
             % {"counter": count}]
    lines += [f"{r.year} · {r.city} · {r.title or r.get_programme_display()}" for r in rows]
    if rows and count > len(rows):
        more = count - len(rows)
        lines.append(ngettext("and %(counter)s more", "and %(counter)s more", more)
                     % {"counter": more})
    return "\n".join(lines)


def map_page(params) -> dict:
    """The world map of the real portfolio: every country drawn, those with projects
    highlighted, a marker per country with its count and a few of its projects' titles, and
    beside it a table of one row per country (its count and a link to its projects in the
    list). The filters (year, track, region) are applied here; `opendata/map.js` asks this
    page again as they change and swaps the map and table in place. Counted in SQL (per
    country, year and track; a few titles per country): the page grows with the countries,
    not the projects."""
    groups = list(real_projects().order_by().values_list("country", "year", "track_kind")
                  .annotate(n=Count("pk")))
    filters = parse_filters(params, MAP_FILTERS, years={y for _c, y, _t, _n in groups},
                            country_codes=set())
    chosen = filters.chosen
    total: dict[str, int] = {}
    shown: dict[str, int] = {}
    for code, year, track, n in groups:
        total[code] = total.get(code, 0) + n
        if (("year" not in chosen or str(year) == chosen["year"])
                and ("track" not in chosen or track == chosen["track"])
                and ("region" not in chosen or region_of(code) == chosen["region"])):
            shown[code] = shown.get(code, 0) + n
    titles: dict[str, list] = {}
    if shown:
        latest = (filtered(real_projects(), **chosen).annotate(
            rank=Window(RowNumber(), partition_by=F("country"),
                        order_by=[F("year").desc(), F("pk").desc()]))
            .filter(rank__lte=TOOLTIP_TITLES).order_by("country", "-year", "-pk"))
        for row in latest:
            titles.setdefault(row.country.code, []).append(row)
    names, shapes = _named_shapes(get_language() or "")
    paths, markers, drawn = [], [], set()
    for shape, (code, name) in zip(map_countries(), shapes, strict=True):
        classes = "country" + (" has-projects" if code in total else "") + (
            " is-shown" if code in shown else "")
        paths.append(f'<path d="{shape.path}" class="{classes}"'
                     + (f' data-country="{code}"' if code else "")
                     + f"><title>{escape(name)}</title></path>")
        if code in total and code not in drawn:
            drawn.add(code)
            count = shown.get(code, 0)
            markers.append({"code": code, "x": shape.x, "y": shape.y, "count": count,
                            "r": _marker_radius(count),
                            "title": _marker_title(name, count, titles.get(code, []))})
    markers.sort(key=lambda m: -total[m["code"]])  # small markers drawn on top
    query = urlencode(chosen)
    table = sorted(({"code": code, "name": names.get(code, code), "count": n,
                     "region": REGIONS.get(region_of(code), ""),
                     "query": urlencode({**chosen, "country": code})}
                    for code, n in shown.items()), key=lambda r: (-r["count"], r["name"]))
    return {
        "filters": filters, "shapes": mark_safe("\n".join(paths)),  # noqa: S308 (escaped)
        "markers": markers, "table": table,
        "query": query, "unmapped": sorted(names.get(c, c) for c in total if c not in drawn),
        "width": WIDTH, "height": HEIGHT, "shown_count": sum(shown.values()),
    }
