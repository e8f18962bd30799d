"""The secretariat's one action on annual reports: ask for one (the "generate" button)."""

from django.db import transaction
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.core.errors import Refused
from kcity.opendata.report import check_request
from kcity.opendata.report_models import AnnualReport
from kcity.opendata.report_tasks import render_report


def request_report(*, year, language, confidential: bool, by, now) -> AnnualReport:
    """The secretariat asks for a report: its row, and its rendering queued by the worker in
    the same transaction. A report of the same kind still being rendered is not asked twice."""
    if not permissions.can_manage_reports(by):
        raise Refused(_("Only the secretariat can generate annual reports."))
    year, language = check_request(year=year, language=language)
    with transaction.atomic():
        pending = AnnualReport.objects.select_for_update().filter(
            year=year, language=language, confidential=confidential, created_at__isnull=True,
            failure="")
        if pending.exists():
            raise Refused(_("This report is already being generated."))
        report = AnnualReport.objects.create(year=year, language=language,
                                             confidential=confidential, requested_by=by,
                                             requested_at=now)
        render_report.enqueue(report.pk)
    return report
