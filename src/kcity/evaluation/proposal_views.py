"""Consultation and presentation pages of one proposal: each view parses input, calls one
service and redirects. The proposal is found through `permissions.visible_proposals`, so a
stranger or a conflicted evaluator gets 404; the services decide who may change what."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity.core.errors import Refused, show_form_errors, show_refusal
from kcity.evaluation import consultations, forms, presentations, selectors


def _proposal(request, pk):
    proposal = selectors.visible_proposal(request.user, pk)
    if proposal is None:
        raise Http404
    return proposal


@login_required
def followed(request):
    return render(request, "evaluation/followed.html",
                  {"rows": selectors.followed_proposals(request.user)})


def _page(request, proposal, upload_form=None, status=200):
    context = selectors.proposal_overview(request.user, proposal)
    context.update({
        "schedule_form": forms.ScheduleForm(),
        "upload_form": upload_form or forms.RevisedDocumentForm(),
        "slot_form": forms.SlotForm(panels=context["presentation_panels"]),
    })
    return render(request, "evaluation/proposal.html", context, status=status)


@login_required
def proposal_page(request, pk):
    return _page(request, _proposal(request, pk))


@login_required
@require_POST
def schedule(request, pk):
    proposal = _proposal(request, pk)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("evaluation:proposal", proposal.pk)
    data = form.cleaned_data
    try:
        consultations.schedule_round(by=request.user, proposal=proposal, number=data["round"],
                                     scheduled_at=form.starts_at(),
                                     agenda=data["agenda"], participants=data["participants"])
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Consultation round %(round)s scheduled.")
                         % {"round": data["round"]})
    return redirect("evaluation:proposal", proposal.pk)


@login_required
@require_POST
def minutes(request, pk):
    proposal = _proposal(request, pk)
    form = forms.MinutesForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("evaluation:proposal", proposal.pk)
    data = form.cleaned_data
    try:
        consultations.record_minutes(by=request.user, proposal=proposal, number=data["round"],
                                     minutes=data["minutes"],
                                     questions=data["questions"])
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Minutes and questions recorded."))
    return redirect("evaluation:proposal", proposal.pk)


@login_required
@require_POST
def revised_document(request, pk):
    proposal = _proposal(request, pk)
    form = forms.RevisedDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = consultations.upload_revised_document(by=request.user, proposal=proposal,
                                                             upload=form.cleaned_data["file"])
        except Refused as exc:
            for message in exc.messages:  # shown on the upload form
                form.add_error("file", message)
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": document.original_name})
            return redirect("evaluation:proposal", proposal.pk)
    messages.error(request, _("The file was not attached: see the upload form below."))
    return _page(request, proposal, upload_form=form, status=400)


@login_required
@require_POST
def book(request, pk):
    proposal = _proposal(request, pk)
    form = forms.SlotForm(request.POST, panels=proposal.eval_panels.filter(stage="presentation"))
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("evaluation:proposal", proposal.pk)
    data = form.cleaned_data
    try:
        presentations.book_slot(by=request.user, panel=data["panel"], proposal=proposal,
                                starts_at=form.starts_at(),
                                minutes=data["minutes"], presenters=data["presenters"])
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Presentation booked."))
    return redirect("evaluation:proposal", proposal.pk)
