"""Selection pages: each view parses input, calls one service and renders or redirects.

Rounds and scenarios are found through `selectors` (which ask
`kcity.permissions`): anyone but the secretariat running the cycle gets 404.
The public results page and its PDF notice are open to everyone.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity.core import rendered
from kcity.core.errors import Refused, show_refusal
from kcity.selection import forms, notice, selectors, services, whatif


def _round(request, pk):
    round = selectors.round_for(request.user, pk)
    if round is None:
        raise Http404
    return round


def _scenario(request, pk):
    scenario = selectors.scenario_for(request.user, pk)
    if scenario is None:
        raise Http404
    return scenario


@login_required
def index(request):
    cycles = selectors.selection_cycles(request.user)
    if not cycles.exists():
        raise Http404
    form = forms.RoundForm(request.POST or None, cycles=cycles)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            round = services.create_round(
                by=request.user, cycle=c["cycle"], budget=c["budget"],
                max_per_country=c["max_per_country"],
                bonus_matching_funds=c["bonus_matching_funds"],
                bonus_prior_planning=c["bonus_prior_planning"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Round created with both policies."))
            return redirect("selection:round", round.pk)
    return render(request, "selection/index.html", {
        "form": form, "import_form": forms.ImportForm(), "cycles": cycles,
        "rounds": selectors.visible_rounds(request.user),
    })


@login_required
@require_POST
def import_round(request):
    if not selectors.selection_cycles(request.user).exists():
        raise Http404
    form = forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a round file."))
        return redirect("selection:index")
    try:
        round = services.import_round(by=request.user, text=form.cleaned_data["file"].read())
    except Refused as exc:
        show_refusal(request, exc)
        return redirect("selection:index")
    messages.success(request, _("Round imported."))
    return redirect("selection:round", round.pk)


@login_required
def round_detail(request, pk):
    round = _round(request, pk)
    scenarios = list(round.scenarios.select_related("approved_by"))
    form = forms.ScenarioForm(request.POST or None, scenarios=round.scenarios.all())
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            scenario = services.add_scenario(by=request.user, round=round, name=c["name"],
                                             policy=c["policy"],
                                             copy_from=c["copy_from"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            return redirect("selection:scenario", scenario.pk)
    return render(request, "selection/round.html", {
        "round": round, "scenarios": scenarios, "form": form,
        "compare_form": forms.CompareForm(scenarios=round.scenarios.all()),
        "rows": selectors.round_table(round, scenarios),
        "withdrawn": services.withdrawn_selected(round) if round.is_published else [],
        "events": round.events.select_related("actor", "scenario"),
        "outcomes": round.outcomes.select_related("proposal") if round.is_published else [],
    })


@login_required
def scenario_detail(request, pk):
    scenario = _scenario(request, pk)
    screen = selectors.scenario_screen(scenario)
    form = forms.WhatIfForm(request.POST or None, data_instance=screen["data"],
                            rows=screen["rows"])
    for row in screen["rows"]:
        row["fixed_field"] = form.fixed_field(row["id"])
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_scenario(by=request.user, scenario=scenario,
                                         overrides=form.overrides())
            except Refused as exc:
                show_refusal(request, exc)
            else:
                messages.success(request, _("Scenario answered again."))
                return redirect("selection:scenario", scenario.pk)
        else:
            messages.error(request, _("Nothing was changed: correct the fields marked below."))
    return render(request, "selection/scenario.html", {
        "scenario": scenario, "round": scenario.round, "form": form, **screen,
    })


@login_required
@require_POST
def approve(request, pk):
    scenario = _scenario(request, pk)
    try:
        services.approve_scenario(by=request.user, scenario=scenario)
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Scenario approved: it is frozen."))
    return redirect("selection:scenario", scenario.pk)


@login_required
@require_POST
def explain(request, pk):
    scenario = _scenario(request, pk)
    try:
        scenario = services.explain_scenario(by=request.user, scenario=scenario)
    except Refused as exc:
        show_refusal(request, exc)
    else:
        if scenario.explanations_pending:
            messages.info(request, _("The explanations are being computed; they appear here "
                                     "when they are ready."))
    return redirect("selection:scenario", scenario.pk)


@login_required
@require_POST
def publish(request, pk):
    round = _round(request, pk)
    try:
        services.publish(by=request.user, round=round)
    except Refused as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Results published: the applicants are being notified."))
    return redirect("selection:round", round.pk)


@login_required
@require_POST
def replacement(request, pk):
    round = _round(request, pk)
    try:
        scenario = services.propose_replacement(by=request.user, round=round)
    except Refused as exc:
        show_refusal(request, exc)
        return redirect("selection:round", round.pk)
    return redirect("selection:scenario", scenario.pk)


@login_required
def compare(request, pk):
    round = _round(request, pk)
    form = forms.CompareForm(request.GET or None, scenarios=round.scenarios.all())
    if not form.is_valid():
        messages.error(request, _("Choose two scenarios of this round."))
        return redirect("selection:round", round.pk)
    a, b = form.cleaned_data["a"], form.cleaned_data["b"]
    return render(request, "selection/compare.html", {
        "round": round, "a": a, "b": b, **selectors.compare(a, b)})


def _json_download(data: dict, name: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export_round(request, pk):
    round = _round(request, pk)
    return _json_download(round.instance, f"round-{round.cycle.year}-{round.pk}.json")


@login_required
def export_scenario(request, pk):
    scenario = _scenario(request, pk)
    data = whatif.scenario_data(scenario.round.instance, scenario.policy, scenario.overrides)
    return _json_download(data, f"round-{scenario.round.cycle.year}-scenario-{scenario.pk}.json")


# ---- public ---------------------------------------------------------------------------------


def results(request, year):
    round = selectors.published_round(year)
    if round is None:
        raise Http404
    return render(request, "selection/results.html", selectors.public_results(round))


# The notice is kept once rendered (selection.notice.stored_pdf); readers revalidate it
# with its ETag or Last-Modified every few minutes, as a replacement may change it.
NOTICE_MAX_AGE = 300


def results_pdf(request, year):
    round = selectors.published_round(year)
    if round is None:
        raise Http404
    lang = translation.get_language() or "en"
    stored = notice.stored_pdf(round=round, language=lang, now=timezone.now())
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="kcity-results-{year}-{lang}.pdf"'
    response["ETag"] = rendered.etag(stored)
    response["Last-Modified"] = http_date(stored.rendered_at.timestamp())
    patch_cache_control(response, public=True, max_age=NOTICE_MAX_AGE)
    return get_conditional_response(request, etag=response["ETag"],
                                    last_modified=int(stored.rendered_at.timestamp()),
                                    response=response)

