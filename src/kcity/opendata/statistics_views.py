"""The public statistics page: the programme's figures, charts and tables, per year or in
all; the public annual reports once rendered."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.core.errors import Refused, show_refusal
from kcity.opendata import statistics


def _year(request, years: list[int]) -> int | None:
    raw = (request.GET.get("year") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in years:
        raise Refused(_("There are no statistics for the year %(year)s; showing every year.")
                      % {"year": raw[:8]})
    return int(raw)


def statistics_page(request):
    stamp = statistics.fingerprint()
    years = statistics.page_years(stamp=stamp)
    try:
        year = _year(request, years)
    except Refused as exc:
        show_refusal(request, exc)
        year = None
    stats = statistics.page(year=year, known_years=years, stamp=stamp)
    reports = (permissions.visible_reports(request.user)
               .filter(confidential=False, created_at__isnull=False)
               .order_by("-year", "language", "-created_at"))
    return render(request, "opendata/statistics.html", {
        **stats, "reports": reports,
    })
