"""The project pages: parse input, call one service, render. Every page and download looks
the project up through `kcity.permissions.visible_projects` (a stranger gets 404)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity import permissions
from kcity.accounts.models import Organisation
from kcity.core import audit
from kcity.core.errors import Refused, show_refusal
from kcity.projects import lifecycle, selectors, services
from kcity.projects.models import FollowOnKind, PartyRole, ResultRating, Training


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
        "party_roles": PartyRole.choices,
        "training_kinds": Training.Kind.choices,
        "follow_on_kinds": FollowOnKind.choices,
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
    audit.record(action=audit.Action.DOWNLOAD, obj=document, by=request.user,
                 scope=project.proposal.track.secretariat, project=project.pk)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name,
        content_type="application/octet-stream" if document.has_javascript
        else document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _date(value: str):
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise Refused(_("Give the dates as dates.")) from None


def _amount(value: str):
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    if not value.isdigit():
        raise Refused(_("Give amounts as whole KRW."))
    return int(value)


@login_required
@require_POST
def add_party(request, pk):
    project = _project(request, pk)
    org_pk = request.POST.get("organisation", "")
    organisation = None
    if org_pk.isdigit():
        organisation = Organisation.objects.filter(pk=int(org_pk)).first()
    try:
        services.add_party(project=project, by=request.user, role=request.POST.get("role", ""),
                           organisation=organisation, name=request.POST.get("name", ""))
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def sign_party(request, pk, party_pk):
    project = _project(request, pk)
    party = get_object_or_404(project.framework_parties, pk=party_pk)
    upload = request.FILES.get("document")
    try:
        if upload is None:
            raise Refused(_("Attach the signed document."))
        services.sign_party(party=party, by=request.user, upload=upload,
                            signed_on=_date(request.POST.get("signed_on", "")))
    except Refused as exc:  # an UploadRefused too: the file's check says why
        show_refusal(request, exc)
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def record_training(request, pk):
    project = _project(request, pk)
    post = request.POST
    try:
        shares = {role: amount for role in PartyRole.values
                  if (amount := _amount(post.get(f"share_{role}", ""))) is not None}
        participants = _amount(post.get("participants", "")) or 0
        services.record_training(
            project=project, by=request.user, kind=post.get("kind", ""),
            title=post.get("title", ""), starts_on=_date(post.get("starts_on", "")),
            ends_on=_date(post.get("ends_on", "")), participants=participants,
            place=post.get("place", ""), online=bool(post.get("online")), cost_shares=shares)
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def record_follow_on(request, pk):
    project = _project(request, pk)
    post = request.POST
    proposal = None
    if post.get("proposal", "").isdigit():
        # Only a proposal this user may see can be linked.
        proposal = permissions.visible_proposals(request.user).filter(
            pk=int(post["proposal"])).first()
    try:
        services.record_follow_on(
            project=project, by=request.user, kind=post.get("kind", ""),
            on=_date(post.get("on", "")), proposal=proposal,
            partners=post.get("partners", ""), amount=_amount(post.get("amount", "")))
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("projects:detail", pk=project.pk)
