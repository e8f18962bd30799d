"""Evaluation pages: each view parses input, calls one service and renders or redirects.

Proposals are found through `kcity.permissions` (via selectors): a proposal an
evaluator is conflicted with or not assigned to answers 404 on every page and download.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity import permissions
from kcity.core import audit
from kcity.core.errors import Refused, show_refusal
from kcity.evaluation import forms, selectors, services, summary
from kcity.evaluation.models import Panel, PanelMember, PanelResult


@login_required
def index(request):
    """Evaluators: their assignments. Secretariat: the panels. Applicants: released results."""
    user = request.user
    if permissions.is_secretariat(user):
        return redirect("evaluation:panels")
    if permissions.is_evaluator(user):
        return render(request, "evaluation/assignments.html",
                      {"rows": selectors.assignments(user)})
    results = [
        r for r in PanelResult.objects.filter(
            proposal__in=permissions.visible_proposals(user), panel__results_released=True
        ).select_related("panel__track__cycle", "proposal")
        if permissions.can_see_evaluation_summary(user, r.panel, r.proposal)
    ]
    return render(request, "evaluation/results.html", {"results": results})


@login_required
@require_POST
def declare(request, pk):
    proposal = permissions.assigned_proposals(request.user).filter(pk=pk).first()
    if proposal is None:
        raise Http404
    form = forms.DeclarationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you have a conflict of interest."))
        return redirect("evaluation:index")
    conflict = form.cleaned_data["answer"] == "conflict"
    try:
        services.declare(by=request.user, proposal=proposal, has_conflict=conflict,
                         reason=form.cleaned_data["reason"])
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Conflict declared: the proposal is closed to you.")
                         if conflict else _("Thank you: the proposal is open for scoring."))
    return redirect("evaluation:index")


def _member_context(request, panel_pk, pk):
    panel = selectors.panel_for_member(request.user, panel_pk)
    proposal = selectors.visible_panel_proposal(request.user, panel, pk) if panel else None
    if proposal is None:
        raise Http404
    return panel, proposal


@login_required
def score_sheet(request, panel_pk, pk):
    panel, proposal = _member_context(request, panel_pk, pk)
    criteria = list(panel.track.criteria.order_by("order", "code"))
    entries = None
    if request.method == "POST":
        entries = forms.sheet_entries(request.POST, criteria)
        try:
            services.save_sheet(by=request.user, panel=panel, proposal=proposal, entries=entries,
                                submit=request.POST.get("action") == "submit")
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Score sheet submitted.")
                             if request.POST.get("action") == "submit" else _("Scores saved."))
            return redirect("evaluation:sheet", panel.pk, proposal.pk)
    sheet = proposal.score_sheets.filter(panel=panel, evaluator=request.user).first()
    saved = {s.criterion_id: s for s in sheet.scores.all()} if sheet else {}
    rows = []
    for c in criteria:
        if entries is not None:
            points, comment = entries[c.code]
        else:
            score = saved.get(c.pk)
            points, comment = (score.points, score.comment) if score else ("", "")
        rows.append({"criterion": c, "points": points, "comment": comment,
                     "band": services.BOTTOM_BAND * c.weight})
    return render(request, "evaluation/sheet.html", {
        "panel": panel, "proposal": proposal, "rows": rows, "sheet": sheet,
        "documents": proposal.documents.order_by("code"),
        "can_see_scores": permissions.can_see_panel_scores(request.user, panel),
        "table": selectors.dispersion_table(request.user, panel) if panel.is_closed else [],
        "show_minutes": True,
        **selectors.sheet_extras(panel, proposal),
    })


@login_required
def panel_list(request):
    if not permissions.is_secretariat(request.user):
        raise Http404
    tracks = permissions.visible_tracks(request.user).select_related("cycle").order_by(
        "-cycle__year", "order")
    tracks = tracks.filter(pk__in=[t.pk for t in tracks
                                   if permissions.can_manage_track(request.user, t)])
    form = forms.PanelForm(request.POST or None, tracks=tracks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            panel = services.form_panel(by=request.user, track=data["track"], stage=data["stage"],
                                        size=data["size"],
                                        seed=data["seed"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Panel drawn with seed %(seed)s.") % {"seed": panel.seed})
            return redirect("evaluation:panel", panel.pk)
    return render(request, "evaluation/panels.html",
                  {"panels": selectors.managed_panels(request.user), "form": form})


@login_required
def panel_detail(request, pk):
    panel = selectors.panel_for_manager(request.user, pk)
    if panel is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "replace":
                form = forms.ReplaceForm(request.POST)
                if not form.is_valid():
                    raise Refused(_("Give the reason for replacing this member."))
                member = get_object_or_404(PanelMember, panel=panel,
                                           pk=form.cleaned_data["member"])
                services.replace_member(by=request.user, member=member,
                                        reason=form.cleaned_data["reason"])
                messages.success(request, _("Member replaced; the replacement was drawn."))
            elif action == "close":
                services.close_panel(by=request.user, panel=panel)
                messages.success(request, _("Panel closed; the ranking is below."))
            elif action == "release":
                services.release_results(by=request.user, panel=panel)
                messages.success(request, _("Results released to the applicants."))
        except Refused as exc:
            show_refusal(request, exc)
        return redirect("evaluation:panel", panel.pk)
    proposals = selectors.panel_proposals(request.user, panel)
    return render(request, "evaluation/panel.html", {
        "panel": panel,
        "members": panel.members.select_related("evaluator__organisation",
                                                "evaluator__expert_profile"),
        "table": selectors.dispersion_table(request.user, panel),
        "ranking": selectors.ranking(request.user, panel),
        "events": selectors.panel_events(panel)[:50],
        "replace_form": forms.ReplaceForm(),
        "proposals": proposals.select_related("organisation").order_by("title"),
        "slots": panel.slots.filter(proposal__in=proposals.values("pk")).select_related(
            "proposal").order_by("starts_at"),
    })


def _summary_context(request, panel_pk, pk):
    proposal = permissions.visible_proposals(request.user).filter(
        pk=pk, eval_panels__pk=panel_pk).first()
    panel = proposal.eval_panels.filter(pk=panel_pk).select_related("track__cycle").first() \
        if proposal else None
    if panel is None or not permissions.can_see_evaluation_summary(request.user, panel, proposal):
        raise Http404
    return selectors.summary(panel, proposal)


@login_required
def summary_page(request, panel_pk, pk):
    return render(request, "evaluation/summary.html", _summary_context(request, panel_pk, pk))


@login_required
def summary_pdf(request, panel_pk, pk):
    context = _summary_context(request, panel_pk, pk)
    response = HttpResponse(summary.render_pdf(context, request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{pk}-{panel_pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def panel_export(request, pk):
    """The panel's scores as CSV: the secretariat at any time, members once closed; rows only
    for proposals the user may see, so a conflicted evaluator's export leaves them out."""
    panel = get_object_or_404(Panel.objects.select_related("track__cycle"), pk=pk)
    if not permissions.can_see_panel_scores(request.user, panel):
        raise Http404
    audit.record(action=audit.Action.DOWNLOAD, obj=panel, by=request.user,
                 scope=panel.track.secretariat, export="scores.csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="panel-{panel.pk}-scores.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    writer = csv.writer(response)
    writer.writerow(["proposal", "title", "evaluator", "criterion", "points", "comment"])
    for proposal in selectors.panel_proposals(request.user, panel).order_by("pk"):
        for sheet in services.counted_sheets(panel, proposal).select_related("evaluator"):
            for score in sheet.scores.all():
                writer.writerow([proposal.pk, proposal.title, sheet.evaluator.username,
                                 score.criterion.code, score.points, score.comment])
    return response

