"""Every write of the selection goes through a function here.

Each checks the actor's right (`kcity.permissions.can_run_selection`), writes in
one transaction with the round row locked and its audit record (`SelectionEvent`), and
raises `Refused` with a clear message, having written nothing, otherwise. Proposal states
move through `kcity.applications.lifecycle.transition` only (which records the proposal's
event and queues the applicant's e-mail in the same transaction), scenario states through
`kcity.selection.lifecycle.transition` and the cycle's status through
`kcity.programs.lifecycle.transition`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kcity import permissions
from kcity.applications import lifecycle
from kcity.applications.models import Proposal
from kcity.applications.models import ProposalState as S
from kcity.core import audit as trail
from kcity.core.errors import Refused
from kcity.evaluation import services as evaluation
from kcity.programs import lifecycle as cycle_lifecycle
from kcity.programs.models import Cycle, CycleStatus
from kcity.projects import selectors as project_selectors
from kcity.projects import services as projects
from kcity.projects.models import ProjectState
from kcity.selection import building, selectors, tasks, whatif
from kcity.selection import lifecycle as scenario_lifecycle
from kcity.selection.engine.errors import InstanceError
from kcity.selection.engine.instance import from_data, loads
from kcity.selection.models import (
    Outcome,
    OutcomeKind,
    Policy,
    Scenario,
    ScenarioKind,
    ScenarioState,
    SelectionEvent,
    SelectionRound,
)

Action = SelectionEvent.Action


def _check(actor, cycle) -> None:
    if not permissions.can_run_selection(actor, cycle):
        raise Refused(_("Only the secretariat running this cycle's selection can do this."))


def _audit(action, actor, round, scenario=None, **detail):
    event = SelectionEvent.objects.create(
        action=action, actor=actor, round=round, scenario=scenario, detail=detail
    )
    trail.record(action=trail.Action.SELECTION, obj=scenario or round, by=actor, to=action,
                 event=action, round=round.pk, **detail)
    return event


def _lock(round) -> SelectionRound:
    return SelectionRound.objects.select_for_update().get(pk=round.pk)


def _compute(scenario: Scenario) -> None:
    """Answer the scenario (through the cached engine session) and store result and why."""
    data = whatif.scenario_data(scenario.round.instance, scenario.policy, scenario.overrides)
    try:
        answer = whatif.answer(("scenario", scenario.pk), data)
    except InstanceError as exc:
        raise Refused(_("The engine refused the scenario: %(error)s") % {"error": exc}) from None
    scenario.result = whatif.exchange(answer)
    scenario.reason_code = answer.get("reason_code", "")
    scenario.reason_values = answer.get("reason_values", {})
    scenario.explanations = []  # asked for separately: they take the engine many re-solves
    scenario.explanations_requested_at = None  # a job still running finds the result changed


def explain_scenario(*, by, scenario: Scenario, now=None) -> Scenario:
    """Queue the worker's job that explains why each reserve proposal was not selected and
    the smallest change that selects it (stored with the scenario; approving a scenario
    queues it too). Asking again while it runs changes nothing."""
    _check(by, scenario.round.cycle)
    with transaction.atomic():
        _lock(scenario.round)
        scenario = Scenario.objects.select_for_update().select_related("round").get(
            pk=scenario.pk)
        if scenario.result.get("status") not in ("optimal", "feasible"):
            raise Refused(_("An infeasible scenario has nothing to explain."))
        _queue_explanations(scenario, now)
    return scenario


def _queue_explanations(scenario: Scenario, now=None) -> None:
    if scenario.explanations or scenario.explanations_requested_at is not None:
        return
    if not scenario.result.get("reserve"):
        return
    scenario.explanations_requested_at = now or timezone.now()
    scenario.save(update_fields=["explanations_requested_at"])
    tasks.explain_scenario.enqueue(scenario.pk, tasks.result_key(scenario.result))


def _new_scenario(actor, round, name, policy, overrides=None, kind=ScenarioKind.DECISION):
    scenario = Scenario.objects.create(
        round=round, name=name[:120], policy=policy, overrides=overrides or {}, kind=kind,
        created_by=actor,
    )
    _compute(scenario)
    scenario.save(update_fields=["result", "reason_code", "reason_values", "explanations",
                                 "explanations_requested_at"])
    _audit(Action.SCENARIO_CREATED, actor, round, scenario, name=scenario.name, policy=policy,
           overrides=scenario.overrides)
    return scenario


def _base_scenarios(actor, round) -> None:
    """Both policies side by side on the round as it stands."""
    _new_scenario(actor, round, str(Policy.MAX_MERIT.label), Policy.MAX_MERIT)
    _new_scenario(actor, round, str(Policy.MERIT_ORDER.label), Policy.MERIT_ORDER)


def create_round(
    *, by, cycle, budget: int | None = None, max_per_country: int | None = None,
    bonus_matching_funds=0, bonus_prior_planning=0
) -> SelectionRound:
    """A round from the cycle's evaluated proposals, with a scenario for each policy."""
    _check(by, cycle)
    if budget is None and building.default_budget(cycle) is None:
        raise Refused(_("The cycle has no total budget: give the round's budget."))
    data, skipped = building.build_instance(
        cycle, budget=budget, max_per_country=max_per_country,
        bonus_matching_funds=bonus_matching_funds, bonus_prior_planning=bonus_prior_planning)
    data = whatif.jsonable(data)
    if not data["proposals"]:
        raise Refused(_("The cycle has no evaluated proposal to select from."))
    try:
        from_data(data)
    except InstanceError as exc:
        raise Refused(str(exc)) from None
    with transaction.atomic():
        round = SelectionRound.objects.create(cycle=cycle, instance=data, skipped=skipped,
                                              created_by=by)
        _audit(Action.ROUND_CREATED, by, round, proposals=len(data["proposals"]),
               skipped=[s["id"] for s in skipped])
        _base_scenarios(by, round)
    return round


def import_round(*, by, text: str | bytes) -> SelectionRound:
    """A round from a file in the format of selection.md (for instance one exported here).

    The engine validates it (a bad file names the field); its cycle must exist and its
    proposal ids must be proposals of that cycle, since publishing moves them."""
    try:
        raw = loads(text)
        instance = from_data(raw)
    except InstanceError as exc:
        raise Refused(_("The file is not a valid selection round: %(error)s") % {"error": exc}
                      ) from None
    data = whatif.jsonable(raw)
    cycle = Cycle.objects.filter(year=int(instance.cycle)).first() if instance.cycle.isdigit() \
        else None
    if cycle is None:
        raise Refused(_("cycle: there is no cycle %(cycle)s.") % {"cycle": instance.cycle})
    _check(by, cycle)
    known = {building.proposal_id(pk) for pk in Proposal.objects.filter(cycle=cycle)
             .values_list("pk", flat=True)}
    for index, proposal in enumerate(instance.proposals):
        if proposal.id not in known:
            raise Refused(_("proposals[%(index)s].id: “%(id)s” is not a proposal of cycle "
                            "%(cycle)s.") % {"index": index, "id": proposal.id,
                                             "cycle": cycle.year})
    codes = set(cycle.tracks.values_list("code", flat=True))
    for index, track in enumerate(instance.tracks):
        if track.code not in codes:
            raise Refused(_("tracks[%(index)s].code: cycle %(cycle)s has no track “%(code)s”.")
                          % {"index": index, "code": track.code, "cycle": cycle.year})
    with transaction.atomic():
        round = SelectionRound.objects.create(cycle=cycle, instance=data, source="import",
                                              created_by=by)
        _audit(Action.ROUND_IMPORTED, by, round, proposals=len(instance.proposals))
        _base_scenarios(by, round)
    return round


def add_scenario(
    *, by, round, name: str, policy: str, copy_from: Scenario | None = None
) -> Scenario:
    _check(by, round.cycle)
    if policy not in Policy.values:
        raise Refused(_("Choose a policy."))
    if not name.strip():
        raise Refused(_("Give the scenario a name."))
    with transaction.atomic():
        round = _lock(round)
        overrides = dict(copy_from.overrides) if copy_from is not None else {}
        return _new_scenario(by, round, name.strip(), policy, overrides)


def _check_overrides(round, overrides: dict) -> None:
    base = round.instance
    codes = {t["code"] for t in base["tracks"]}
    ids = {p["id"] for p in base["proposals"]}
    unknown = set(overrides) - set(whatif.OVERRIDE_KEYS)
    if unknown:
        raise Refused(_("Unknown parameter: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    for code in overrides.get("tracks") or {}:
        if code not in codes:
            raise Refused(_("tracks: the round has no track “%(code)s”.") % {"code": code})
    for key in ("include", "exclude"):
        for pid in overrides.get(key) or []:
            if pid not in ids:
                raise Refused(_("fixed.%(list)s: “%(id)s” is not a proposal of this round.")
                              % {"list": key, "id": pid})
    both = set(overrides.get("include") or []) & set(overrides.get("exclude") or [])
    if both:
        raise Refused(_("A proposal cannot be both included and excluded: %(ids)s.")
                      % {"ids": ", ".join(sorted(both))})
    data = whatif.scenario_data(base, "max_merit", overrides)
    try:
        from_data(data)
    except InstanceError as exc:
        raise Refused(str(exc)) from None


def update_scenario(*, by, scenario: Scenario, overrides: dict) -> Scenario:
    """What-if: set the scenario's parameters and answer it again. Refused once approved."""
    _check(by, scenario.round.cycle)
    with transaction.atomic():
        _lock(scenario.round)
        scenario = Scenario.objects.select_for_update().select_related("round").get(
            pk=scenario.pk)
        if scenario.is_approved:
            raise Refused(_("This scenario is approved: it can no longer change."))
        _check_overrides(scenario.round, overrides)
        before = scenario.overrides
        scenario.overrides = overrides
        _compute(scenario)
        scenario.save(update_fields=["overrides", "result", "reason_code", "reason_values",
                                     "explanations",
                                     "explanations_requested_at", "updated_at"])
        _audit(Action.SCENARIO_CHANGED, by, scenario.round, scenario, before=before,
               after=overrides)
    return scenario


def approve_scenario(*, by, scenario: Scenario, explain: bool = True, now=None) -> Scenario:
    """The secretariat's decision: the scenario is frozen (approved_by, approved_at).

    A round has one approved decision; after publication only a replacement scenario can
    be approved, and only while no other replacement waits for publication."""
    _check(by, scenario.round.cycle)
    with transaction.atomic():
        round = _lock(scenario.round)
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if scenario.is_approved:
            raise Refused(_("This scenario is approved already."))
        if scenario.result.get("status") not in ("optimal", "feasible"):
            raise Refused(_("An infeasible scenario cannot be approved."))
        pending = round.scenarios.filter(state=ScenarioState.APPROVED)
        if pending.exists():
            raise Refused(_("Another scenario of this round is approved and waits to be "
                            "published."))
        if scenario.kind == ScenarioKind.DECISION and round.scenarios.filter(
                kind=ScenarioKind.DECISION).exclude(state=ScenarioState.DRAFT).exists():
            raise Refused(_("This round's decision is approved already."))
        if scenario.kind == ScenarioKind.REPLACEMENT and not round.is_published:
            raise Refused(_("A replacement needs the published results of the round."))
        if scenario.kind == ScenarioKind.DECISION and round.is_published:
            raise Refused(_("The results of this round are published already."))
        if explain:
            _queue_explanations(scenario, now)
        scenario = scenario_lifecycle.transition(
            scenario, ScenarioState.APPROVED, by=by, now=now, locked=True,
            selected=scenario.result["selected"], awarded=scenario.result["awarded"])
    return scenario


def _proposals(round, ids) -> dict[str, Proposal]:
    found = {
        building.proposal_id(p.pk): p
        for p in Proposal.objects.filter(cycle=round.cycle, pk__in=[int(i) for i in ids
                                                                    if str(i).isdigit()])
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise Refused(_("Not proposals of this cycle: %(ids)s.") % {"ids": ", ".join(missing)})
    return found


def publish(*, by, round, now=None) -> SelectionRound:
    """Announce the approved scenario: each proposal of the round moves to selected, reserve
    (ranked) or not selected, the applicants are mailed (by `transition`), the evaluation
    summaries are released and the public results page shows the outcome. After the first
    publication, a later approved replacement scenario is published by `publish` too."""
    _check(by, round.cycle)
    with transaction.atomic():
        round = _lock(round)
        scenario = round.scenarios.filter(state=ScenarioState.APPROVED).first()
        if scenario is None:
            raise Refused(_("Approve a scenario before publishing."))
        if scenario.kind == ScenarioKind.REPLACEMENT:
            _publish_replacement(by, round, scenario)
        else:
            _publish_decision(by, round, scenario, now)
        scenario_lifecycle.transition(scenario, ScenarioState.PUBLISHED, by=by, now=now)
    return round


def _publish_decision(actor, round, scenario, now=None) -> None:
    data = whatif.scenario_data(round.instance, scenario.policy, scenario.overrides)
    result = scenario.result
    merit = selectors.merits(data)
    request = {p["id"]: p["request"] for p in data["proposals"]}
    ids = [p["id"] for p in data["proposals"]]
    proposals = _proposals(round, ids)
    wrong = [p.title for p in proposals.values() if p.state != S.EVALUATED]
    if wrong:
        raise Refused(_("These proposals are no longer evaluated: %(titles)s.")
                      % {"titles": "; ".join(wrong)})
    plan: list[tuple[str, str, int | None]]
    plan = [(pid, OutcomeKind.SELECTED, None) for pid in result["selected"]]
    plan += [(pid, OutcomeKind.RESERVE, rank) for rank, pid in enumerate(result["reserve"], 1)]
    plan += [(item["id"], OutcomeKind.NOT_SELECTED, None) for item in result["not_fundable"]]
    for pid, outcome, rank in plan:
        lifecycle.transition(proposals[pid], outcome, by=actor)
        Outcome.objects.create(
            round=round, proposal=proposals[pid], outcome=outcome, reserve_rank=rank,
            award=request[pid] if outcome == OutcomeKind.SELECTED else None,
            merit=merit[pid], scenario=scenario)
        if outcome == OutcomeKind.SELECTED:
            projects.open_project(by=actor, proposal=proposals[pid], award=request[pid], now=now)
    round.published_at, round.published_by = now or timezone.now(), actor
    round.save(update_fields=["published_at", "published_by"])
    cycle = round.cycle
    if cycle.status not in (CycleStatus.RESULTS, CycleStatus.ARCHIVED):
        cycle = cycle_lifecycle.transition(cycle, CycleStatus.RESULTS, by=actor, round=round.pk)
    _release_evaluation(actor, cycle)
    _audit(Action.PUBLISHED, actor, round, scenario, selected=result["selected"],
           reserve=result["reserve"], awarded=result["awarded"])


def _release_evaluation(actor, cycle) -> None:
    """The evaluation summaries go to the applicants with the results (when the evaluation
    app offers it)."""

    release = getattr(evaluation, "release_cycle_results", None)
    if release is not None:
        release(by=actor, cycle=cycle)


# ---- replacement after a withdrawal ---------------------------------------------------------


def withdrawn_selected(round) -> list[Outcome]:
    return list(round.outcomes.filter(outcome=OutcomeKind.SELECTED, proposal__state=S.WITHDRAWN)
                .select_related("proposal"))


def propose_replacement(*, by, round) -> Scenario:
    """Ask the engine for the replacement under the same rules: the approved decision's
    parameters, the still-selected proposals fixed in, the withdrawn ones (and any
    proposal no longer on the reserve list) fixed out."""
    _check(by, round.cycle)
    with transaction.atomic():
        round = _lock(round)
        if not round.is_published:
            raise Refused(_("A replacement needs the published results of the round."))
        gone = withdrawn_selected(round)
        if not gone:
            raise Refused(_("No selected proposal of this round has withdrawn."))
        started = [o.proposal.title for o in gone
                   if project_selectors.project_state(o.proposal) not in
                   (None, ProjectState.AGREEMENT_PENDING)]
        if started:
            raise Refused(_("A proposal is replaced only while its project's agreement is "
                            "pending: %(titles)s.") % {"titles": "; ".join(started)})
        decision = round.scenarios.filter(kind=ScenarioKind.DECISION).exclude(
            state=ScenarioState.DRAFT).get()
        outcomes = list(round.outcomes.select_related("proposal"))
        keep = [building.proposal_id(o.proposal_id) for o in outcomes
                if o.outcome == OutcomeKind.SELECTED and o.proposal.state == S.SELECTED]
        out = [building.proposal_id(o.proposal_id) for o in outcomes
               if o.outcome in (OutcomeKind.SELECTED, OutcomeKind.RESERVE)
               and o.proposal.state not in (S.SELECTED, S.RESERVE)]
        out += [pid for pid in decision.overrides.get("exclude", []) if pid not in out]
        overrides = {**decision.overrides, "include": keep, "exclude": out}
        titles = ", ".join(o.proposal.title for o in gone)
        return _new_scenario(by, round, _("Replacement for %(titles)s") % {"titles": titles},
                             decision.policy, overrides, kind=ScenarioKind.REPLACEMENT)


def _publish_replacement(actor, round, scenario) -> None:
    result = scenario.result
    outcomes = {building.proposal_id(o.proposal_id): o
                for o in round.outcomes.select_related("proposal")}
    request = {p["id"]: p["request"] for p in round.instance["proposals"]}
    new = [pid for pid in result["selected"] if outcomes[pid].outcome == OutcomeKind.RESERVE]
    for pid in new:
        outcome = outcomes[pid]
        lifecycle.transition(outcome.proposal, S.SELECTED, by=actor)
        outcome.outcome, outcome.reserve_rank, outcome.award = (
            OutcomeKind.SELECTED, None, request[pid])
        outcome.scenario = scenario
        outcome.save(update_fields=["outcome", "reserve_rank", "award", "scenario"])
        projects.open_project(by=actor, proposal=outcome.proposal, award=request[pid])
    gone = withdrawn_selected(round)
    for outcome in gone:
        projects.cancel_for_withdrawal(by=actor, proposal=outcome.proposal)
    left = round.outcomes.filter(outcome=OutcomeKind.RESERVE, proposal__state=S.WITHDRAWN)
    for outcome in [*gone, *left]:
        outcome.outcome, outcome.award, outcome.reserve_rank = OutcomeKind.WITHDRAWN, None, None
        outcome.scenario = scenario
        outcome.save(update_fields=["outcome", "award", "reserve_rank", "scenario"])
    reserve = [pid for pid in result["reserve"] if outcomes[pid].outcome == OutcomeKind.RESERVE]
    for rank, pid in enumerate(reserve, 1):
        Outcome.objects.filter(pk=outcomes[pid].pk).update(reserve_rank=rank)
    _audit(Action.REPLACEMENT_PUBLISHED, actor, round, scenario, selected=new,
           withdrawn=[building.proposal_id(o.proposal_id) for o in gone])
