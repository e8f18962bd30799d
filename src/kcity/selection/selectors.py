"""Reads of the selection: rounds a user may see, the tables of the selection screen, the
comparison of two scenarios and the public results. Nothing here writes."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from kcity import permissions
from kcity.applications.models import Proposal
from kcity.core.money import format_krw
from kcity.selection import whatif
from kcity.selection.engine import messages as engine_messages
from kcity.selection.models import Outcome, OutcomeKind, Scenario, SelectionRound


def reason_label(code: str) -> str:
    return {
        "unknown_track": _("unknown track"),
        "ineligible": _("ineligible or below the track's threshold"),
        "below_min_score": _("below the lowest score"),
        "request_out_of_range": _("request outside the track's grant range"),
        "excluded": _("excluded"),
    }.get(code, code)


def status_label(status: str) -> str:
    return {
        "optimal": _("optimal"),
        "feasible": _("feasible (time limit reached)"),
        "infeasible": _("infeasible"),
    }.get(status, status)


def reason_text(code: str, values: dict) -> str:
    """A reason of the engine (its code and values) in the user's language: the engine's
    template of that code, translated, with money in the reader's format and a not-fundable
    code in words."""
    template = engine_messages.REASONS.get(code) or engine_messages.BLOCKERS[code]
    words = {}
    for name, value in values.items():
        if name in engine_messages.MONEY:
            words[name] = format_krw(value)
        elif name == "reason":
            words[name] = reason_label(value)
        elif isinstance(value, list):
            words[name] = ", ".join(str(v) for v in value)
        else:
            words[name] = str(value)
    return _(template).format(**words)


def scenario_reason(scenario) -> str:
    """Why the scenario is infeasible, in the user's language (from its stored code); a
    result whose reason has no code (not made by this engine) keeps its own words."""
    if scenario.reason_code:
        return reason_text(scenario.reason_code, scenario.reason_values)
    return scenario.result.get("reason", "")


def visible_rounds(user):
    return SelectionRound.objects.filter(
        cycle__in=permissions.selection_cycles(user)).select_related("cycle", "created_by")


def round_for(user, pk) -> SelectionRound | None:
    return visible_rounds(user).filter(pk=pk).first()


def scenario_for(user, pk) -> Scenario | None:
    return Scenario.objects.filter(round__in=visible_rounds(user), pk=pk).select_related(
        "round__cycle", "approved_by").first()


def selection_cycles(user):
    """Cycles this user runs, with how many proposals are evaluated now."""
    from django.db.models import Count, Q

    return permissions.selection_cycles(user).annotate(
        evaluated=Count("proposals", filter=Q(proposals__state="evaluated"))
    ).order_by("-year")


def proposals_of(round) -> dict[str, Proposal]:
    ids = [int(p["id"]) for p in round.instance["proposals"] if p["id"].isdigit()]
    found = Proposal.objects.filter(pk__in=ids).select_related("organisation", "track")
    return {str(p.pk): p for p in found}


def merits(data: dict) -> dict[str, Decimal]:
    bonus = data.get("bonus") or {}
    mf, pp = Decimal(str(bonus.get("matching_funds", 0))), Decimal(str(bonus.get(
        "prior_planning", 0)))
    return {p["id"]: Decimal(str(p["score"])) + (mf if p.get("matching_funds") else 0)
            + (pp if p.get("prior_planning") else 0) for p in data["proposals"]}


def _rows(round, data: dict) -> list[dict]:
    """The round's proposals, best merit first, with what the screen shows of each."""
    titles = proposals_of(round)
    merit = merits(data)
    rows = []
    for p in data["proposals"]:
        proposal = titles.get(p["id"])
        rows.append({
            "id": p["id"], "title": proposal.title if proposal else p["id"],
            "proposal": proposal, "track": p["track"], "country": p["country"],
            "score": p["score"], "merit": merit[p["id"]], "request": p["request"],
            "matching_funds": p.get("matching_funds", False),
            "prior_planning": p.get("prior_planning", False),
            "eligible": p.get("eligible", True),
        })
    rows.sort(key=lambda r: (-r["merit"], -Decimal(str(r["score"])), r["request"], r["id"]))
    return rows


def mark(result: dict, pid: str) -> dict:
    """How a result treats one proposal: {kind: selected|reserve|not_fundable, label}."""
    if pid in result.get("selected", []):
        return {"kind": "selected", "label": _("Selected")}
    if pid in result.get("reserve", []):
        rank = result["reserve"].index(pid) + 1
        return {"kind": "reserve", "label": _("Reserve %(rank)s") % {"rank": rank}}
    for item in result.get("not_fundable", []):
        if item["id"] == pid:
            return {"kind": "not_fundable", "label": reason_label(item["reason"])}
    return {"kind": "", "label": "—"}


def round_table(round, scenarios) -> list[dict]:
    rows = _rows(round, round.instance)
    for row in rows:
        row["marks"] = [mark(s.result, row["id"]) for s in scenarios]
    return rows


def other_policy(scenario) -> str:
    return "merit_order" if scenario.policy == "max_merit" else "max_merit"


def scenario_screen(scenario) -> dict:
    """The scenario under its policy and, side by side, the same parameters under the other
    policy (answered by the engine now, not stored)."""
    round = scenario.round
    data = whatif.scenario_data(round.instance, scenario.policy, scenario.overrides)
    other = whatif.scenario_data(round.instance, other_policy(scenario), scenario.overrides)
    other_result = whatif.answer(("scenario", scenario.pk), other)
    rows = _rows(round, data)
    include = set(scenario.overrides.get("include", (data.get("fixed") or {}).get("include", [])))
    exclude = set(scenario.overrides.get("exclude", (data.get("fixed") or {}).get("exclude", [])))
    titles = {r["id"]: r["title"] for r in rows}
    why = {e["id"]: explanation_text(e, titles) for e in scenario.explanations}
    for row in rows:
        row["mark"] = mark(scenario.result, row["id"])
        row["other"] = mark(other_result, row["id"])
        row["fixed"] = "include" if row["id"] in include else (
            "exclude" if row["id"] in exclude else "")
        row["why"] = why.get(row["id"], "")
    return {"data": data, "rows": rows, "other_result": other_result,
            "other_policy": other_policy(scenario), "tracks": data["tracks"]}


def explanation_text(entry: dict, titles: dict[str, str]) -> str:
    """The engine's explanation data of one reserve proposal, in the user's language."""
    words = []
    for reason in entry["reasons"]:
        code, values = reason["code"], reason["values"]
        if code == "max_per_country":
            held = ", ".join(titles.get(i, i) for i in values["held_by"])
            words.append(_("country %(country)s already has %(cap)s project(s) (%(held)s)")
                         % {"country": values["country"], "cap": values["cap"], "held": held})
        elif code == "track_max_projects":
            words.append(_("track %(track)s is full at %(max)s projects")
                         % {"track": values["track"], "max": values["maximum"]})
        elif code == "track_budget":
            words.append(_("track %(track)s's budget is short by %(amount)s")
                         % {"track": values["track"], "amount": format_krw(values["short"])})
        elif code == "max_projects":
            words.append(_("the cycle is full at %(max)s projects in all")
                         % {"max": values["maximum"]})
        elif code == "budget":
            words.append(_("the budget is short by %(amount)s")
                         % {"amount": format_krw(values["short"])})
        elif code == "no_gain":
            words.append(_("the selected set has more merit without it"))
        else:
            words.append(reason_text(code, values))
    text = _("Not selected: %(reasons)s.") % {"reasons": "; ".join(words)}
    works, bounds = [], []  # changes proven to select it; bounds only (time ran out)
    for change in entry.get("changes", []):
        said = _change_text(change)
        if said:
            (bounds if _bound_only(change) else works).append(said)
    if works and any(c.get("exact") is False for c in entry.get("changes", [])):
        text += " " + _("Changes that select it: %(changes)s.") % {
            "changes": _(" or ").join(works)}
    elif works:
        text += " " + _("Smallest change that selects it: %(changes)s.") % {
            "changes": _(" or ").join(works)}
    elif not bounds:
        text += " " + _("No single change of a limit selects it.")
    if bounds:
        text += " " + _("Not determined in the time allowed: %(bounds)s.") % {
            "bounds": "; ".join(bounds)}
    return text


def _bound_only(change: dict) -> bool:
    return change.get("exact") is False and "increase" not in change and (
        change.get("to") is None)


def _change_text(change: dict) -> str:
    """One change in words. A change the engine could not prove smallest within its time
    (``exact: false``) gives what is proven: a value that works, if one was found, and the
    least value that could."""
    kind, exact = change["change"], change.get("exact", True)
    if kind in ("budget", "track_budget"):
        amounts = {"track": change.get("track", ""),
                   "most": format_krw(change["increase"]) if "increase" in change else "",
                   "least": format_krw(change.get("increase_at_least", 0))}
        if exact:
            return (_("raise the budget by %(most)s") if kind == "budget" else
                    _("raise track %(track)s's budget by %(most)s")) % amounts
        if "increase" in change:
            return (_("raise the budget by %(most)s (the smallest such increase is at least "
                      "%(least)s)") if kind == "budget" else
                    _("raise track %(track)s's budget by %(most)s (the smallest such increase "
                      "is at least %(least)s)")) % amounts
        return (_("no budget increase below %(least)s selects it") if kind == "budget" else
                _("no increase of track %(track)s's budget below %(least)s selects it")
                ) % amounts
    if kind in ("max_per_country", "track_max_projects"):
        counts = {"track": change.get("track", ""), "to": change.get("to"),
                  "least": change.get("to_at_least")}
        if exact:
            return (_("allow %(to)s projects per country") if kind == "max_per_country" else
                    _("allow %(to)s projects in track %(track)s")) % counts
        if change.get("to") is not None:
            return (_("allow %(to)s projects per country (the smallest such cap is at least "
                      "%(least)s)") if kind == "max_per_country" else
                    _("allow %(to)s projects in track %(track)s (the smallest such maximum is "
                      "at least %(least)s)")) % counts
        return (_("no country cap below %(least)s selects it") if kind == "max_per_country"
                else _("no maximum of track %(track)s below %(least)s selects it")) % counts
    if kind == "max_projects":
        counts = {"to": change.get("to"), "least": change.get("to_at_least")}
        if exact:
            return _("allow %(to)s projects in all") % counts
        if change.get("to") is not None:
            return _("allow %(to)s projects in all (the smallest such maximum is at least "
                     "%(least)s)") % counts
        return _("no maximum of the cycle below %(least)s projects selects it") % counts
    return ""


def compare(a: Scenario, b: Scenario) -> dict:
    """Which proposals the two scenarios select differently, and their totals."""
    round = a.round
    titles = proposals_of(round)
    rows = []
    for row in _rows(round, round.instance):
        ma, mb = mark(a.result, row["id"]), mark(b.result, row["id"])
        if (ma["kind"] == "selected") != (mb["kind"] == "selected"):
            row.update(a=ma, b=mb)
            rows.append(row)
    return {
        "rows": rows, "titles": titles,
        "totals": [
            {"scenario": s, "count": len(s.result.get("selected", [])),
             "awarded": s.result.get("awarded", 0), "objective": s.result.get("objective"),
             "status": s.result.get("status"), "by_track": s.result.get("by_track", {})}
            for s in (a, b)
        ],
    }


# ---- public results -------------------------------------------------------------------------


def published_round(year: int) -> SelectionRound | None:
    return (SelectionRound.objects.filter(cycle__year=year, published_at__isnull=False)
            .select_related("cycle").order_by("-published_at").first())


def public_results(round) -> dict:
    outcomes = list(
        Outcome.objects.filter(round=round).select_related("proposal__track",
                                                           "proposal__organisation")
    )
    selected = sorted((o for o in outcomes if o.outcome == OutcomeKind.SELECTED),
                      key=lambda o: (o.proposal.track.order, o.proposal.track.code, -o.merit))
    by_track: dict = {}
    for o in selected:
        by_track.setdefault(o.proposal.track, []).append(o)
    reserve = sorted((o for o in outcomes if o.outcome == OutcomeKind.RESERVE),
                     key=lambda o: o.reserve_rank or 0)
    return {
        "round": round, "cycle": round.cycle,
        "by_track": [{"track": t, "outcomes": rows} for t, rows in by_track.items()],
        "reserve": reserve,
        "selected_count": len(selected),
        "awarded": sum(o.award or 0 for o in selected),
        "not_selected_count": sum(o.outcome == OutcomeKind.NOT_SELECTED for o in outcomes),
        "withdrawn": [o for o in outcomes if o.outcome == OutcomeKind.WITHDRAWN],
    }


def published_years() -> list[int]:
    return sorted(set(SelectionRound.objects.filter(published_at__isnull=False)
                      .values_list("cycle__year", flat=True)), reverse=True)
