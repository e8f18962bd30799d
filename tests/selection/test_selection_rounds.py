"""A round built from the database, what-if changes through the engine's session, the
comparison of two scenarios, and export/import in the format of selection.md."""

import json
from decimal import Decimal

import pytest
from selection_fixtures import *  # noqa: F403
from selection_fixtures import scenario_of

from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.evaluation.models import PanelResult
from kcity.selection import services, whatif
from kcity.selection.engine.instance import from_data
from kcity.selection.models import SelectionRound

M = 1_000_000


def _by_title(round, fragment):
    p = Proposal.objects.get(cycle=round.cycle, title__startswith=fragment)
    return next(x for x in round.instance["proposals"] if x["id"] == str(p.pk)), p


def test_round_is_built_from_the_database(round, cycle):
    data = round.instance
    from_data(data)  # valid in the format of selection.md
    assert data["cycle"] == "2025" and data["currency"] == "KRW"
    assert data["budget"] == 4_200 * M and data["max_per_country"] == 2
    plan = next(t for t in data["tracks"] if t["code"] == "PLAN")
    track = cycle.tracks.get(code="PLAN")
    assert (plan["min_projects"], plan["max_projects"], plan["grant_max"]) == (
        track.min_projects, track.max_projects, track.grant_max) == (3, 4, 700 * M)
    assert len(data["proposals"]) == Proposal.objects.filter(cycle=cycle).count() == 20
    lima, proposal = _by_title(round, "Smart city master plan for Lima")
    result = PanelResult.objects.get(proposal=proposal)
    assert Decimal(str(lima["score"])) == result.final_score == Decimal("89.0")
    assert lima == {"id": str(proposal.pk), "track": "PLAN", "country": "PE", "score": 89,
                    "request": 700 * M, "matching_funds": False, "prior_planning": True}
    hanoi, _ = _by_title(round, "AI traffic signals for Hanoi")
    assert hanoi["matching_funds"] is True and hanoi["prior_planning"] is False
    # Both policies, answered and stored.
    assert {s.policy for s in round.scenarios.all()} == {"max_merit", "merit_order"}
    for s in round.scenarios.all():
        assert s.result["status"] == "optimal" and s.result["policy"] == s.policy
        cold = whatif.cold_result(whatif.scenario_data(round.instance, s.policy, s.overrides))
        assert s.result["objective"] == cold["objective"]
        assert s.result["awarded"] <= 4_200 * M
    tricycle, _ = _by_title(round, "Electric tricycle sharing")
    assert {"id": tricycle["id"], "reason": "request_out_of_range"} in (
        scenario_of(round, "max_merit").result["not_fundable"])


def test_below_threshold_is_ineligible_and_missing_amount_is_skipped(staff, cycle):
    lima = Proposal.objects.get(cycle=cycle, title__startswith="Smart city master plan for Lima")
    PanelResult.objects.filter(proposal=lima).update(below_threshold=True)
    kisumu = Proposal.objects.get(cycle=cycle,
                                  title__startswith="Smart city master plan for Kisumu")
    Proposal.objects.filter(pk=kisumu.pk).update(requested_amount=None)
    r = services.create_round(by=staff, cycle=cycle, budget=4_000 * M)
    entry = next(p for p in r.instance["proposals"] if p["id"] == str(lima.pk))
    assert entry["eligible"] is False
    assert {"id": str(lima.pk), "reason": "ineligible"} in r.scenarios.first().result[
        "not_fundable"]
    assert [s["id"] for s in r.skipped] == [str(kisumu.pk)]
    assert str(kisumu.pk) not in {p["id"] for p in r.instance["proposals"]}


def test_a_round_needs_a_budget_and_proposals(staff, world):
    from kcity.programs.models import Cycle

    with pytest.raises(Refused, match="no total budget"):
        services.create_round(by=staff, cycle=Cycle.objects.get(year=2026))
    with pytest.raises(Refused, match="no evaluated proposal"):
        services.create_round(by=staff, cycle=Cycle.objects.get(year=2026), budget=10 * M)


def _overrides(scenario, **changes):
    data = whatif.scenario_data(scenario.round.instance, scenario.policy, scenario.overrides)
    base = {
        "budget": data["budget"], "max_per_country": data["max_per_country"],
        "tracks": {t["code"]: {"min_projects": t["min_projects"],
                               "max_projects": t["max_projects"], "budget": t["budget"]}
                   for t in data["tracks"]},
        "include": [], "exclude": [],
    }
    base.update(changes)
    return base


def test_what_if_changes_equal_cold_solves(staff, round):
    scenario = scenario_of(round, "max_merit")
    first = scenario.result["selected"][0]
    reserve = scenario.result["reserve"][0]
    steps = [
        {"budget": 3_500 * M},
        {"budget": 3_500 * M, "max_per_country": 1},
        {"budget": 3_500 * M, "max_per_country": None},
        {"tracks": {"PLAN": {"min_projects": 2, "max_projects": 2, "budget": None},
                    "DEMO": {"min_projects": 5, "max_projects": 6, "budget": 2_000 * M}}},
        {"exclude": [first]},
        {"include": [reserve]},
    ]
    for changes in steps:
        overrides = _overrides(scenario, **changes)
        scenario = services.update_scenario(by=staff, scenario=scenario, overrides=overrides)
        scenario.refresh_from_db()
        assert scenario.overrides == overrides
        data = whatif.scenario_data(round.instance, "max_merit", overrides)
        cold = whatif.cold_result(data)
        assert scenario.result["status"] == cold["status"]
        assert scenario.result["objective"] == cold["objective"]
        assert scenario.result["awarded"] <= data["budget"]
    assert reserve in scenario.result["selected"]
    plan = scenario.result["by_track"]["PLAN"]
    assert plan["count"] == 2 and scenario.result["by_track"]["DEMO"]["awarded"] <= 2_000 * M
    assert round.events.filter(action="scenario_changed").count() == len(steps)


def test_what_if_budget_cut_changes_the_selection(staff, round):
    scenario = scenario_of(round, "merit_order")
    before = scenario.result
    scenario = services.update_scenario(
        by=staff, scenario=scenario, overrides=_overrides(scenario, budget=3_000 * M)
    )
    assert scenario.result["awarded"] <= 3_000 * M < before["awarded"]
    assert len(scenario.result["selected"]) < len(before["selected"])
    # merit_order is unique: the stored answer is exactly the cold solve.
    data = whatif.scenario_data(round.instance, "merit_order", scenario.overrides)
    assert scenario.result == whatif.cold_result(data)


def test_bad_what_if_is_refused_and_nothing_changes(staff, round):
    scenario = scenario_of(round, "max_merit")
    before = (scenario.overrides, scenario.result)
    with pytest.raises(Refused, match="not a proposal of this round"):
        services.update_scenario(
            by=staff, scenario=scenario, overrides=_overrides(scenario, include=["999999"])
        )
    with pytest.raises(Refused, match="both included and excluded"):
        first = scenario.result["selected"][0]
        services.update_scenario(
            by=staff, scenario=scenario,
            overrides=_overrides(scenario, include=[first], exclude=[first]),
        )
    with pytest.raises(Refused, match="budget"):
        services.update_scenario(
            by=staff, scenario=scenario, overrides=_overrides(scenario, budget=-1)
        )
    scenario.refresh_from_db()
    assert (scenario.overrides, scenario.result) == before


def test_explanations_are_computed_by_the_worker_and_name_the_binding_limit(
    staff, round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        scenario = services.explain_scenario(by=staff, scenario=scenario_of(round, "merit_order"))
    # The request only queues the job: the page says they are being computed.
    assert scenario.explanations == [] and scenario.explanations_requested_at is not None
    assert len(queued) == 1
    # a second click queues nothing more
    again = services.explain_scenario(by=staff, scenario=scenario)
    assert again.explanations_requested_at == scenario.explanations_requested_at
    queued[0]()  # the worker runs the job
    scenario.refresh_from_db()
    assert scenario.explanations_requested_at is None
    assert [e["id"] for e in scenario.explanations] == scenario.result["reserve"]
    kinds = {b["constraint"] for e in scenario.explanations for b in e["blocked_by"]}
    assert kinds & {"budget", "max_per_country", "track_max_projects"}


def test_explanations_of_a_result_changed_meanwhile_are_not_stored(
    staff, round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        scenario = services.explain_scenario(by=staff, scenario=scenario_of(round, "max_merit"))
    changed = services.update_scenario(
        by=staff, scenario=scenario, overrides=_overrides(scenario, budget=3_000 * M)
    )
    assert changed.explanations_requested_at is None
    queued[0]()  # the job of the earlier result finds another result
    changed.refresh_from_db()
    assert changed.explanations == [] and changed.explanations_requested_at is None


def test_explanations_that_fail_for_good_give_the_button_back(
    staff, round, monkeypatch, django_capture_on_commit_callbacks
):
    from kcity.selection import tasks

    with django_capture_on_commit_callbacks():
        scenario = services.explain_scenario(by=staff, scenario=scenario_of(round, "max_merit"))

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(whatif, "explanations", broken)
    with pytest.raises(RuntimeError, match="solver crashed"):  # no retry on this backend
        tasks.explain_scenario.call(scenario.pk, tasks.result_key(scenario.result))
    scenario.refresh_from_db()
    assert scenario.explanations == [] and scenario.explanations_requested_at is None


def test_the_scenario_page_shows_the_work_in_progress_then_the_answers(
    client, staff, round, django_capture_on_commit_callbacks
):
    scenario = scenario_of(round, "merit_order")
    url = f"/en/selection/scenarios/{scenario.pk}/"
    with django_capture_on_commit_callbacks() as queued:
        answer = _login(client, staff).post(f"{url}explain/", follow=True)
    page = answer.content.decode()
    assert 'id="explaining"' in page and 'http-equiv="refresh"' in page
    assert "being computed" in page and 'id="explain"' not in page
    queued[0]()
    page = client.get(url).content.decode()
    assert 'id="explaining"' not in page and 'http-equiv="refresh"' not in page
    assert "Not selected:" in page


def test_compare_lists_the_proposals_that_differ(staff, round):
    from kcity.selection import selectors

    a, b = scenario_of(round, "max_merit"), scenario_of(round, "merit_order")
    b = services.update_scenario(by=staff, scenario=b, overrides=_overrides(b, budget=3_000 * M))
    diff = selectors.compare(a, b)
    differ = set(a.result["selected"]) ^ set(b.result["selected"])
    assert differ and {r["id"] for r in diff["rows"]} == differ
    for row in diff["rows"]:
        assert (row["a"]["kind"] == "selected") == (row["id"] in a.result["selected"])
    assert [t["awarded"] for t in diff["totals"]] == [a.result["awarded"], b.result["awarded"]]


def _login(client, user):
    client.force_login(user)
    return client


def test_compare_page(client, staff, round):
    a, b = scenario_of(round, "max_merit"), scenario_of(round, "merit_order")
    page = _login(client, staff).get(f"/en/selection/rounds/{round.pk}/compare/",
                                     {"a": a.pk, "b": b.pk})
    assert page.status_code == 200
    assert "compared with" in page.content.decode()


def test_export_then_import_round_trip(client, staff, round):
    _login(client, staff)
    scenario = services.update_scenario(
        by=staff, scenario=scenario_of(round, "max_merit"),
        overrides=_overrides(scenario_of(round, "max_merit"), budget=3_800 * M,
                   exclude=[round.instance["proposals"][0]["id"]]))
    exported = client.get(f"/en/selection/scenarios/{scenario.pk}/export.json")
    assert exported.status_code == 200 and exported["Content-Type"].startswith(
        "application/json")
    data = json.loads(exported.content)
    from_data(data)  # the spec format
    assert data["budget"] == 3_800 * M and data["fixed"] == {
        "exclude": [round.instance["proposals"][0]["id"]]}
    upload = _file(exported.content)
    response = client.post("/en/selection/import/", {"file": upload})
    imported = SelectionRound.objects.exclude(pk=round.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/selection/rounds/{imported.pk}/")
    assert imported.instance == data and imported.source == "import"
    same = imported.scenarios.get(policy="max_merit")
    assert same.result["objective"] == scenario.result["objective"]
    # The exported round itself imports back to the same instance.
    raw = client.get(f"/en/selection/rounds/{round.pk}/export.json").content
    services.import_round(by=staff, text=raw)
    assert SelectionRound.objects.order_by("-pk").first().instance == round.instance


def _file(content, name="round.json"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/json")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["proposals"][3].update(request=-5), "proposals[3].request: must be a positive"),
    (lambda d: d.update(policy="lottery"), "policy: must be one of"),
    (lambda d: d["proposals"][1].update(id=d["proposals"][0]["id"]), "proposals[1].id: duplicate"),
    (lambda d: d["proposals"][2].update(id="PLAN-99"),
     "proposals[2].id: “PLAN-99” is not a proposal of cycle 2025"),
    (lambda d: d.update(cycle="1999"), "cycle: there is no cycle 1999"),
    (lambda d: d["tracks"][0].update(code="CITY"), "tracks[0].code: cycle 2025 has no track"),
])
def test_invalid_import_names_the_field_and_writes_nothing(client, staff, round, change,
                                                           message):
    data = json.loads(json.dumps(round.instance))
    change(data)
    before = (SelectionRound.objects.count(), round.scenarios.count())
    response = _login(client, staff).post(
        "/en/selection/import/", {"file": _file(json.dumps(data).encode())}, follow=True)
    text = response.content.decode()
    assert message in text
    assert (SelectionRound.objects.count(), round.scenarios.count()) == before


def test_import_of_broken_json(staff, round):
    with pytest.raises(Refused, match="invalid JSON at line 1"):
        services.import_round(by=staff, text=b"{not json")
    assert SelectionRound.objects.count() == 1


def test_the_cycles_most_projects_reaches_the_round_the_pages_and_the_what_ifs(
        client, staff, cycle):
    """Cycle.max_projects is the instance's max_projects (selection.md 1.1): it binds both
    policies, the round and scenario pages show it, and the what-if form changes it."""
    uncapped = services.create_round(by=staff, cycle=cycle, budget=4_200 * M, max_per_country=2)
    most = len(scenario_of(uncapped, "max_merit").result["selected"]) - 1
    cycle.max_projects = most
    cycle.save(update_fields=["max_projects"])
    r = services.create_round(by=staff, cycle=cycle, budget=4_200 * M, max_per_country=2)
    assert r.instance["max_projects"] == most
    for s in r.scenarios.all():
        assert s.result["status"] == "optimal" and len(s.result["selected"]) <= most
        cold = whatif.cold_result(whatif.scenario_data(r.instance, s.policy, s.overrides))
        assert s.result["objective"] == cold["objective"]
    page = _login(client, staff).get(f"/en/selection/rounds/{r.pk}/").content.decode()
    assert f'Most projects in all: <span id="round-max-projects">{most}</span>' in page
    scenario = scenario_of(r, "max_merit")
    url = f"/en/selection/scenarios/{scenario.pk}/"
    page = client.get(url).content.decode()
    assert f'name="max_projects" value="{most}"' in page
    form = {"budget": 4_200 * M, "max_per_country": 2, "max_projects": 3}
    for t in r.instance["tracks"]:
        form.update({f"min_{t['code']}": 0, f"max_{t['code']}": t["max_projects"] or "",
                     f"budget_{t['code']}": t["budget"] or ""})
    client.post(url, form, follow=True)
    scenario.refresh_from_db()
    assert scenario.overrides["max_projects"] == 3
    assert len(scenario.result["selected"]) == 3
    data = whatif.scenario_data(r.instance, "max_merit", scenario.overrides)
    assert data["max_projects"] == 3
    assert scenario.result["objective"] == whatif.cold_result(data)["objective"]
    # no cap: the what-if form's empty field
    form["max_projects"] = ""
    client.post(url, form, follow=True)
    scenario.refresh_from_db()
    assert scenario.overrides["max_projects"] is None
    assert len(scenario.result["selected"]) > most


def test_a_round_of_a_cycle_without_a_cap_has_none(round):
    assert round.instance["max_projects"] is None
    assert all(len(s.result["selected"]) > 0 for s in round.scenarios.all())


def test_an_infeasible_scenario_stores_its_reason_code_and_the_page_translates_it(
        client, staff, round):
    scenario = scenario_of(round, "max_merit")
    scenario = services.update_scenario(
        by=staff, scenario=scenario, overrides=_overrides(scenario, budget=10 * M)
    )
    scenario.refresh_from_db()
    assert scenario.result["status"] == "infeasible"
    assert scenario.reason_code == "budget_too_small"
    assert scenario.reason_values["budget"] == 10 * M
    assert "reason_code" not in scenario.result  # the result stays in the exchange format
    assert all(set(item) == {"id", "reason"} for item in scenario.result["not_fundable"])
    page = _login(client, staff).get(f"/ko/selection/scenarios/{scenario.pk}/")
    text = page.content.decode()
    assert "예산: 1,000만 원(으)로는" in text or "예산: 1000만 원(으)로는" in text


def test_the_migration_fills_codes_of_rows_stored_with_words_only(staff, round):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("kcity.selection.migrations.0003_structured_reasons")
    scenario = scenario_of(round, "max_merit")
    scenario = services.update_scenario(
        by=staff, scenario=scenario, overrides=_overrides(scenario, budget=10 * M)
    )
    code, values = scenario.reason_code, scenario.reason_values
    other = scenario_of(round, "merit_order")
    old_entries = [{"id": "1", "blocked_by": [{"constraint": "budget", "short_by": 5 * M}]},
                   {"id": "2", "blocked_by": []}]
    Scenario = type(scenario)
    Scenario.objects.filter(pk=scenario.pk).update(reason_code="", reason_values={})
    Scenario.objects.filter(pk=other.pk).update(explanations=old_entries)
    migration.fill(apps, None)
    scenario.refresh_from_db()
    other.refresh_from_db()
    assert (scenario.reason_code, scenario.reason_values) == (code, values)
    assert [e["reasons"] for e in other.explanations] == [
        [{"code": "budget", "values": {"short": 5 * M}}], [{"code": "no_gain", "values": {}}]]
