"""Procurement pages: the public bid notices (anyone, both languages), the secretariat's
drafting, publishing, committee and award pages, the bidders' briefing registration and bid
pages, the committee's scores, and the public OCDS download. Each view parses input, calls
one service and renders or redirects; tenders and bids are found through `kcity.permissions`
(404 otherwise)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity import permissions
from kcity.core import audit
from kcity.core.errors import Refused, show_form_errors, show_refusal
from kcity.projects import ocds, procurement, procurement_forms, procurement_lifecycle
from kcity.projects import procurement_selectors as selectors
from kcity.projects.models import Project
from kcity.projects.procurement_models import CommitteeMember
from kcity.projects.procurement_models import TenderState as T


def _tender(user, pk):
    return get_object_or_404(selectors.public_tenders(user), pk=pk)


def _managed(user, pk):
    tender = _tender(user, pk)
    if not permissions.can_manage_procurement(user, tender):
        raise Http404
    return tender


def notices(request):
    return render(request, "projects/procurement/list.html",
                  {"tenders": selectors.public_tenders(request.user),
                   "now": timezone.now()})


def notice(request, pk):
    tender = _tender(request.user, pk)
    user = request.user
    context = {
        "tender": tender, "now": timezone.now(),
        "can_manage": permissions.can_manage_procurement(user, tender),
        "can_bid": permissions.can_bid(user) and tender.state == T.PUBLISHED
        and timezone.now() < tender.bid_deadline,
        "own_bid": selectors.own_bid(user, tender),
        "registered": permissions.visible_registrations(user).filter(
            tender=tender, organisation_id=getattr(user, "organisation_id", None)).first(),
        "sits": user.is_authenticated
        and CommitteeMember.objects.filter(tender=tender, evaluator=user).exists(),
        "registration_form": procurement_forms.RegistrationForm(),
    }
    return render(request, "projects/procurement/detail.html", context)


def ocds_download(request, pk):
    tender = get_object_or_404(ocds.exported_tenders(public=True), pk=pk)
    package = ocds.package([tender], uri=request.build_absolute_uri())
    response = HttpResponse(json.dumps(package, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{ocds.ocid(tender)}.json"'
    return response


@login_required
@require_POST
def register(request, pk):
    tender = _tender(request.user, pk)
    form = procurement_forms.RegistrationForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        try:
            procurement.register_for_briefing(tender=tender, by=request.user,
                                              attendees=form.cleaned_data["attendees"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("You are registered for the briefing session."))
    return redirect("procurement:detail", tender.pk)


@login_required
def bid(request, pk):
    tender = _tender(request.user, pk)
    if not permissions.can_bid(request.user):
        raise Http404
    form = procurement_forms.BidForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                procurement.submit_bid(tender=tender, by=request.user,
                                       price=form.cleaned_data["price"],
                                       proposal_file=form.cleaned_data["technical_proposal"])
            except Refused as exc:
                show_refusal(request, exc)
            else:
                messages.success(request, _("Your bid is submitted and sealed until the "
                                            "deadline."))
                return redirect("procurement:detail", tender.pk)
        else:
            show_form_errors(request, form)
    return render(request, "projects/procurement/bid.html",
                  {"tender": tender, "form": form,
                   "own_bid": selectors.own_bid(request.user, tender)})


@login_required
def bid_document(request, pk, bid_pk):
    tender = _tender(request.user, pk)
    found = get_object_or_404(permissions.visible_bids(request.user).filter(tender=tender),
                              pk=bid_pk)
    audit.record(action=audit.Action.DOWNLOAD, obj=found, by=request.user,
                 scope=tender.project.proposal.track.secretariat, tender=tender.pk)
    return FileResponse(found.file.open("rb"), as_attachment=True,
                        filename=found.original_name, content_type=found.content_type)


@login_required
def draft(request, project_pk):
    project = get_object_or_404(Project.objects.select_related("proposal__track"),
                                pk=project_pk)
    if not permissions.can_manage_procurement(request.user, project):
        raise Http404
    form = procurement_forms.TenderForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                tender = procurement.draft_tender(project=project, by=request.user,
                                                  **form.cleaned_data)
            except Refused as exc:
                show_refusal(request, exc)
            else:
                messages.success(request, _("The tender is drafted."))
                return redirect("procurement:manage", tender.pk)
        else:
            show_form_errors(request, form)
    return render(request, "projects/procurement/form.html", {"project": project, "form": form})


@login_required
def edit(request, pk):
    tender = _managed(request.user, pk)
    form = procurement_forms.TenderForm(request.POST or None, instance=None,
                                        initial={f: getattr(tender, f)
                                                 for f in procurement.TENDER_FIELDS})
    if request.method == "POST":
        if form.is_valid():
            try:
                procurement.update_tender(tender=tender, by=request.user, **form.cleaned_data)
            except Refused as exc:
                show_refusal(request, exc)
            else:
                messages.success(request, _("The tender is changed."))
                return redirect("procurement:manage", tender.pk)
        else:
            show_form_errors(request, form)
    return render(request, "projects/procurement/form.html",
                  {"project": tender.project, "form": form, "tender": tender})


@login_required
def manage(request, pk):
    user = request.user
    tender = _tender(user, pk)
    managing = permissions.can_manage_procurement(user, tender)
    seat = CommitteeMember.objects.filter(tender=tender, evaluator=user).first() \
        if user.is_authenticated else None
    if not managing and seat is None:
        raise Http404
    bids = permissions.visible_bids(user).filter(tender=tender)
    opened = timezone.now() >= tender.bid_deadline
    rows = selectors.ranking(tender) if opened and managing else []
    scores = {s.bid_id: s.points for s in seat.scores.all()} if seat else {}
    return render(request, "projects/procurement/manage.html", {
        "tender": tender, "managing": managing, "seat": seat, "bids": bids, "rows": rows,
        "scores": scores, "opened": opened,
        "moves": procurement_lifecycle.allowed_moves(user, tender) if managing else [],
        "registrations": permissions.visible_registrations(user).filter(tender=tender)
        .select_related("organisation"),
        "committee": tender.committee.select_related("evaluator"),
        "committee_form": procurement_forms.CommitteeForm(),
        "score_form": procurement_forms.ScoreForm(),
        "award_form": procurement_forms.AwardForm(),
        "cancel_form": procurement_forms.CancelForm(),
    })


@login_required
@require_POST
def move(request, pk, to):
    tender = _managed(request.user, pk)
    try:
        if to == T.PUBLISHED:
            procurement.publish_tender(tender=tender, by=request.user)
        elif to == T.CLOSED:
            procurement.close_bids(tender=tender, by=request.user)
        elif to == T.EVALUATED:
            procurement.finish_evaluation(tender=tender, by=request.user)
        elif to == T.CANCELLED:
            form = procurement_forms.CancelForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            procurement.cancel_tender(tender=tender, by=request.user, reason=reason)
        else:
            raise Http404
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("procurement:manage", tender.pk)


@login_required
@require_POST
def committee(request, pk):
    tender = _managed(request.user, pk)
    form = procurement_forms.CommitteeForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        try:
            procurement.draw_committee(tender=tender, by=request.user,
                                       size=form.cleaned_data["size"],
                                       seed=form.cleaned_data["seed"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("The committee is drawn."))
    return redirect("procurement:manage", tender.pk)


@login_required
@require_POST
def score(request, pk, bid_pk):
    tender = _tender(request.user, pk)
    found = get_object_or_404(permissions.visible_bids(request.user).filter(tender=tender),
                              pk=bid_pk)
    form = procurement_forms.ScoreForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        try:
            procurement.score_bid(bid=found, by=request.user, points=form.cleaned_data["points"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Score saved."))
    return redirect("procurement:manage", tender.pk)


@login_required
@require_POST
def award(request, pk):
    tender = _managed(request.user, pk)
    form = procurement_forms.AwardForm(request.POST, request.FILES)
    if not form.is_valid():
        show_form_errors(request, form)
    else:
        data = form.cleaned_data
        try:
            procurement.award_contract(tender=tender, by=request.user, value=data["value"],
                                       signed_on=data["signed_on"], start=data["start"],
                                       end=data["end"], contract_file=data["contract"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("The contract is awarded."))
    return redirect("procurement:manage", tender.pk)
