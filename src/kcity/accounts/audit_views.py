"""The audit trail for the secretariat: search (who, action, object, days), page through,
export the rows found as CSV. Anyone else gets 404; each secretariat unit reads what
`permissions.visible_audit_entries` gives it."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kcity import permissions
from kcity.accounts.audit_forms import AuditFilterForm
from kcity.core.errors import show_form_errors

PAGE_SIZE = 50
CSV_HEADER = ["at (KST)", "user", "action", "object type", "object id", "object", "from", "to",
              "ip", "secretariat unit", "detail"]


def _entries(request):
    if not permissions.can_read_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    entries = permissions.visible_audit_entries(request.user)
    if form.is_bound:
        if form.is_valid():
            entries = form.filter(entries)
        else:
            show_form_errors(request, form)
            entries = entries.none()
    return form, entries.order_by("-at", "-pk")


@login_required
def audit_list(request):
    form, entries = _entries(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_list.html",
                  {"form": form, "page": page, "query": query.urlencode()})


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def audit_export(request):
    form, entries = _entries(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="kcity-audit-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")  # so spreadsheet programs read the Korean text as UTF-8
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for e in entries.iterator(chunk_size=2000):
        writer.writerow([_cell(v) for v in (
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.action,
            e.object_type, e.object_id, e.object_repr, e.from_value, e.to_value, e.ip or "",
            e.scope, e.detail)])
    return response
