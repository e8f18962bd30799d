"""The project pages: parse input, call one service, render. Every page and download looks
the project up through `kcity.permissions.visible_projects` (a stranger gets 404)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity import permissions
from kcity.core.errors import Refused, show_refusal
from kcity.projects import lifecycle, selectors, services
from kcity.projects.models import ResultRating


def _project(request, pk):
    return get_object_or_404(
        selectors.project_list(permissions.visible_projects(request.user)), pk=pk)


@login_required
def project_list(request):
    projects = selectors.project_list(permissions.visible_projects(request.user))
    return render(request, "projects/list.html", {
        "projects": projects,
        "trainings": selectors.trainings_per_year(projects),
    })


@login_required
def project_detail(request, pk):
    project = _project(request, pk)
    manage = permissions.can_manage_project(request.user, project)
    return render(request, "projects/detail.html", {
        "project": project,
        "proposal": project.proposal,
        "manage": manage,
        "moves": lifecycle.allowed_moves(request.user, project) if manage else [],
        "ratings": ResultRating.choices,
        "framework_signed": lifecycle.framework_signed(project),
        **selectors.project_story(project),
    })


@login_required
@require_POST
def move(request, pk):
    project = _project(request, pk)
    try:
        lifecycle.transition(project, request.POST.get("to", ""), by=request.user,
                             rating=request.POST.get("rating", ""),
                             reason=request.POST.get("reason", ""))
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def extend(request, pk):
    project = _project(request, pk)
    try:
        end = dt.date.fromisoformat(request.POST.get("planned_end", ""))
    except ValueError:
        show_refusal(request, Refused(_("Give the new planned end as a date.")))
        return redirect("projects:detail", pk=project.pk)
    try:
        services.extend(project=project, by=request.user, planned_end=end,
                        reason=request.POST.get("reason", ""))
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("projects:detail", pk=project.pk)


@login_required
def framework_document(request, pk, party_pk):
    project = _project(request, pk)
    party = get_object_or_404(project.framework_parties.exclude(signed_document=None),
                              pk=party_pk)
    document = party.signed_document
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name,
        content_type="application/octet-stream" if document.has_javascript
        else document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
