"""The open-data downloads: the page that lists them and one view per file.

Projects (CSV, XLSX), the IATI activity file and the procurements' OCDS package are public;
the proposals' tables need a log-in and hold only what `permissions.visible_proposals`
shows the user (a stranger gets the log-in page, a user the proposals they may see)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kcity.core.errors import Refused, show_refusal
from kcity.opendata import exports, iati
from kcity.projects import ocds

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _include_demo(request) -> bool:
    value = request.GET.get("demo", "0")
    if value not in ("0", "1"):
        raise Refused(_("“demo” is 1 (include the demo cycles' made-up projects) or 0."))
    return value == "1"


def _download(table, fmt: str):
    """The table as a CSV (streamed) or XLSX attachment, headers in the request's language."""
    language = get_language()
    filename = f"{table.name}-{language}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_bytes(table, language=language),
                                         content_type=CONTENT_TYPES["csv"])
    else:
        response = HttpResponse(exports.xlsx_bytes(table, language=language),
                                content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Language"] = language
    return response


@require_GET
def index(request):
    tenders = list(ocds.exported_tenders(public=True))
    return render(request, "opendata/open_data.html", {
        "tenders": tenders, "iati_org_ref": iati.org_ref(),
    })


@require_GET
def projects(request, fmt):
    try:
        include_demo = _include_demo(request)
    except Refused as exc:
        show_refusal(request, exc)
        return redirect("exports:index")
    return _download(exports.project_table(include_demo=include_demo), fmt)


@require_GET
@login_required
def proposals(request, fmt):
    return _download(exports.proposal_table(request.user), fmt)


@require_GET
def iati_activities(request):
    try:
        include_demo = _include_demo(request)
    except Refused as exc:
        show_refusal(request, exc)
        return redirect("exports:index")
    response = HttpResponse(iati.xml_bytes(include_demo=include_demo),
                            content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kcity-iati-activities.xml"'
    return response


@require_GET
def ocds_package(request):
    """Every public procurement's releases in one OCDS release package (drafts never)."""
    tenders = list(ocds.exported_tenders(public=True))
    if not tenders:
        raise Http404(_("No procurement has been published yet."))
    package = ocds.package(tenders, uri=request.build_absolute_uri(), now=timezone.now())
    response = HttpResponse(json.dumps(package, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ocds.ocid_prefix()}-package.json"'
    return response
