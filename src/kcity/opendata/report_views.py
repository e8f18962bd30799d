"""Annual reports: the secretariat's list with its "generate" button, and the download of a
rendered report (a public one by anyone, a confidential one by the secretariat only; anyone
else gets 404)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.core.errors import Refused, show_refusal
from kcity.opendata import report_services, statistics
from kcity.opendata.report_models import REPORT_LANGUAGES


def _secretariat_only(request) -> None:
    if not permissions.can_manage_reports(request.user):
        raise Http404


def report_list(request):
    _secretariat_only(request)
    return render(request, "opendata/report_list.html", {
        "reports": permissions.visible_reports(request.user).select_related("requested_by"),
        "years": statistics.years(),
        "languages": REPORT_LANGUAGES,
    })


def report_generate(request):
    _secretariat_only(request)  # before the method: a stranger learns nothing (404)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        report_services.request_report(
            year=request.POST.get("year", ""), language=request.POST.get("language", ""),
            confidential=request.POST.get("confidential") == "on", by=request.user,
            now=timezone.now())
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The report is being generated; it appears here when "
                                    "it is ready."))
    return redirect("opendata:reports")


def report_download(request, pk):
    report = get_object_or_404(permissions.visible_reports(request.user).exclude(file=""),
                               pk=pk, created_at__isnull=False)
    response = FileResponse(report.file.open("rb"), as_attachment=True,
                            filename=report.filename(), content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    if report.confidential:
        response["Cache-Control"] = "private, no-store"
    return response
