"""The delivery pages of a project: the work plan and each deliverable's history, the
contractor's upload form, the secretariat's review and payment forms, the overdue list. A
user outside the project (not its track's secretariat, contractor or host government) gets
404; the host government reads, it does not act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity import permissions
from kcity.core import audit
from kcity.core.errors import Refused, show_form_errors, show_refusal
from kcity.projects import delivery, delivery_forms, delivery_lifecycle, delivery_selectors
from kcity.projects.models import DeliverableState, DeliverableSubmission


def _project(request, pk):
    return get_object_or_404(
        permissions.visible_projects(request.user).select_related(
            "proposal__track", "proposal__organisation", "contractor"), pk=pk)


def _deliverable(request, pk):
    return get_object_or_404(
        permissions.visible_deliverables(request.user).select_related(
            "project__proposal__track", "project__contractor"), pk=pk)


def _managed(request, project):
    if not permissions.can_manage_project(request.user, project):
        raise Http404
    return project


@login_required
def overview(request):
    """The projects this user follows, and for the secretariat the overdue deliverables."""
    projects = permissions.visible_projects(request.user).select_related(
        "proposal", "contractor").order_by("pk")
    overdue = delivery_selectors.overdue_for(request.user, today=delivery.seoul_today())
    return render(request, "projects/delivery/overview.html",
                  {"projects": projects, "overdue": overdue})


@login_required
def project_detail(request, pk):
    project = _project(request, pk)
    manages = permissions.can_manage_project(request.user, project)
    contractor = permissions.is_project_contractor(request.user, project)
    data = delivery_selectors.project_delivery(project)
    rows = []
    for d in data.deliverables:
        moves = dict(delivery_lifecycle.allowed_moves(request.user, d))
        rows.append({
            "d": d,
            "can_submit": contractor and DeliverableState.SUBMITTED in moves,
            "can_review": manages and DeliverableState.ACCEPTED in moves,
        })
    accepted = [d for d in data.deliverables if d.state == DeliverableState.ACCEPTED]
    return render(request, "projects/delivery/project.html", {
        "project": project, "data": data, "rows": rows, "manages": manages,
        "contractor": contractor,
        "milestone_form": delivery_forms.MilestoneForm() if manages else None,
        "deliverable_form": delivery_forms.DeliverableForm(milestones=data.milestones)
        if manages else None,
        "submission_form": delivery_forms.SubmissionForm(),
        "review_form": delivery_forms.ReviewForm(),
        "payment_form": delivery_forms.PaymentForm(deliverables=accepted)
        if manages and accepted else None,
    })


@login_required
@require_POST
def add_milestone(request, pk):
    project = _managed(request, _project(request, pk))
    form = delivery_forms.MilestoneForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        try:
            delivery.add_milestone(project=project, by=request.user, **form.cleaned_data)
            messages.success(request, _("The milestone was added."))
        except Refused as exc:
            show_refusal(request, exc)
    return redirect("delivery:project", project.pk)


@login_required
@require_POST
def add_deliverable(request, pk):
    project = _managed(request, _project(request, pk))
    form = delivery_forms.DeliverableForm(request.POST,
                                          milestones=list(project.milestones.all()))
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        data = dict(form.cleaned_data)
        milestone_pk = data.pop("milestone")
        milestone = project.milestones.filter(pk=milestone_pk).first() if milestone_pk else None
        try:
            delivery.add_deliverable(project=project, by=request.user, milestone=milestone,
                                     **data)
            messages.success(request, _("The deliverable was added to the work plan."))
        except Refused as exc:
            show_refusal(request, exc)
    return redirect("delivery:project", project.pk)


@login_required
@require_POST
def submit(request, pk):
    deliverable = _deliverable(request, pk)
    if not permissions.is_project_contractor(request.user, deliverable.project):
        raise Http404
    form = delivery_forms.SubmissionForm(request.POST, request.FILES)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        try:
            delivery.submit_deliverable(deliverable=deliverable, by=request.user,
                                        upload=form.cleaned_data["file"],
                                        note=form.cleaned_data["note"])
            messages.success(request, _("The deliverable was submitted for review."))
        except Refused as exc:
            show_refusal(request, exc)
    return redirect("delivery:project", deliverable.project_id)


@login_required
@require_POST
def review(request, pk):
    deliverable = _deliverable(request, pk)
    _managed(request, deliverable.project)
    form = delivery_forms.ReviewForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        accept = form.cleaned_data["decision"] == "accept"
        try:
            delivery.review_deliverable(deliverable=deliverable, by=request.user, accept=accept,
                                        comment=form.cleaned_data["comment"])
            messages.success(request, _("The deliverable was accepted.") if accept
                             else _("The deliverable was returned to the contractor."))
        except Refused as exc:
            show_refusal(request, exc)
    return redirect("delivery:project", deliverable.project_id)


@login_required
@require_POST
def record_payment(request, pk):
    project = _managed(request, _project(request, pk))
    accepted = list(project.deliverables.filter(state=DeliverableState.ACCEPTED))
    form = delivery_forms.PaymentForm(request.POST, deliverables=accepted)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        deliverable = project.deliverables.get(pk=form.cleaned_data["deliverable"])
        try:
            delivery.record_payment(deliverable=deliverable, by=request.user,
                                    amount=form.cleaned_data["amount"],
                                    paid_on=form.cleaned_data["paid_on"])
            messages.success(request, _("The payment was recorded."))
        except Refused as exc:
            show_refusal(request, exc)
    return redirect("delivery:project", project.pk)


@login_required
def download(request, pk):
    """A submitted version's file, for the people who may see the project."""
    submission = get_object_or_404(DeliverableSubmission.objects.filter(
        deliverable__in=permissions.visible_deliverables(request.user))
        .select_related("deliverable__project__proposal__track"), pk=pk)
    audit.record(action=audit.Action.DOWNLOAD, obj=submission, by=request.user,
                 scope=submission.deliverable.project.proposal.track.secretariat,
                 deliverable=submission.deliverable_id)
    response = FileResponse(
        submission.file.open("rb"), as_attachment=True, filename=submission.original_name,
        content_type="application/octet-stream" if submission.has_javascript
        else submission.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
