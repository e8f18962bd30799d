"""The annual report to the National Smart City Committee, as a PDF in Korean or English.

What a year's report holds: the year's calls (cycles, tracks, budgets), the applications
received by track and country, the evaluation and selection outcomes (counts), the projects
selected, the projects' progress (status, deliverables), the money (awarded, contracted,
disbursed), follow-on investment and the statistics' charts (the same SVGs as the public
statistics page). The confidential version, for the secretariat, adds an annex with every
submitted proposal: its applicant, its evaluation score and rank and its outcome. The public
version leaves that annex out, and with it the names of applicants not selected.

`report_services.request_report` (the secretariat's "generate" button) writes the report's
row and queues its rendering in the same transaction; the worker renders it once
(`report_tasks`). `render_pdf` renders synchronously (the `kcity report` command).
"""

from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kcity.applications.models import ProposalState
from kcity.core.errors import Refused
from kcity.core.pdf import html_to_pdf
from kcity.evaluation.models import PanelResult
from kcity.opendata import charts, statistics
from kcity.opendata.report_models import REPORT_LANGUAGES
from kcity.programs.models import Cycle

LANGUAGES = [code for code, _name in REPORT_LANGUAGES]
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_request(*, year, language) -> tuple[int, str]:
    """The year and language of a report, or `Refused` saying what is wrong with them: the
    language is ko or en; the year has a real cycle or counted projects."""
    if language not in LANGUAGES:
        raise Refused(_("The report's language must be one of: %(choices)s.")
                      % {"choices": ", ".join(LANGUAGES)})
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        raise Refused(_("The year must be a number, such as 2023.")) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refused(_("The year must be between %(first)s and %(last)s.")
                      % {"first": FIRST_YEAR, "last": LAST_YEAR})
    if not (Cycle.objects.filter(year=year, is_demo=False).exists()
            or statistics.record(year=year).exists()):
        raise Refused(_("There is nothing to report for %(year)s: no cycle of that year and "
                        "no project selected in it.") % {"year": year})
    return year, language


def _proposals(year: int) -> list:
    """The confidential annex: every submitted proposal of the year's real cycle with its
    applicant, state and last evaluation result (final score and rank)."""
    last_result = PanelResult.objects.filter(proposal=OuterRef("pk")).order_by("-panel_id")
    return list(
        statistics._submitted().filter(cycle__year=year)
        .select_related("organisation", "track")
        .annotate(final_score=Subquery(last_result.values("final_score")[:1]),
                  rank=Subquery(last_result.values("rank")[:1]))
        .order_by("track__order", "track__code", F("rank").asc(nulls_last=True), "pk")
    )


def report_context(*, year: int, public: bool) -> dict:
    """Everything the report shows, in the current language."""
    series = statistics.by_year(until=year)
    money_series = [r for r in statistics.money_by_year() if r["year"] <= year]
    applications = statistics.applications(year=year)
    stats: dict[str, Any] = {
        "by_year": series,
        "by_region": statistics.by_region(until=year),
        "money_by_year": money_series,
        "applications": statistics.applications(),
    }
    stats["applications"]["per_cycle"] = [r for r in stats["applications"]["per_cycle"]
                                          if r["year"] <= year]
    this_year = next((r for r in series if r["year"] == year), None)
    cycles = list(Cycle.objects.filter(year=year, is_demo=False).prefetch_related("tracks"))
    return {
        "year": year,
        "public": public,
        "cycles": cycles,
        "this_year": this_year,
        "by_year": series,
        "to_date": series[-1] if series else None,
        "applications": applications,
        "application_total": sum(r["count"] for r in applications["by_track"]),
        "outcomes": statistics.outcomes(year=year),
        "selected": list(statistics.record(year=year).order_by("track_kind", "country", "city")),
        "by_track": statistics.by_track(year=year),
        "by_region": stats["by_region"],
        "progress": statistics.progress(until=year),
        "money_year": statistics.money(year=year),
        "money_to_date": statistics.money(until=year),
        "paid_during": statistics.paid_during(year=year),
        "follow_on": statistics.follow_on(until=year),
        "charts": charts.statistics_charts(stats, embed_css=charts.chart_css()),
        "proposals": [] if public else _proposals(year),
        "states": dict(ProposalState.choices),
    }


def render_html(*, year: int, language: str, public: bool) -> str:
    with translation.override(language):
        return render_to_string("opendata/report_pdf.html",
                                report_context(year=year, public=public))


def render_pdf(*, year: int, language: str, public: bool, isolated: bool | None = None) -> bytes:
    """The report's PDF (checks the year and language first: `Refused` when wrong)."""
    year, language = check_request(year=year, language=language)
    return html_to_pdf(render_html(year=year, language=language, public=public),
                       isolated=isolated)
