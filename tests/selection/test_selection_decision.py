"""Approving a scenario freezes it; publishing moves the proposals, mails the applicants,
shows the public results in Korean and English and makes the PDF notice; a withdrawal is
replaced from the reserve under the same rules; strangers get 404."""

import pytest
from django.core import mail
from django.utils import translation
from selection_fixtures import *  # noqa: F403
from selection_fixtures import scenario_of

from kcity.accounts.models import Organisation, OrgKind, Role, SecretariatUnit, User
from kcity.applications import services as applications
from kcity.applications.models import Proposal, ProposalEvent
from kcity.applications.models import ProposalState as S
from kcity.core.errors import Refused
from kcity.jobs.models import OutboundEmail
from kcity.selection import services, whatif
from kcity.selection.models import Outcome, SelectionEvent

M = 1_000_000


def test_approve_freezes_the_scenario(staff, round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the worker explains it after
        scenario = services.approve_scenario(by=staff, scenario=scenario_of(round, "max_merit"))
    assert scenario.approved_by == staff and scenario.approved_at is not None
    scenario.refresh_from_db()
    assert [e["id"] for e in scenario.explanations] == scenario.result["reserve"]
    assert SelectionEvent.objects.filter(action="scenario_approved", scenario=scenario).exists()
    with pytest.raises(Refused, match="approved already"):
        services.approve_scenario(by=staff, scenario=scenario)
    with pytest.raises(Refused, match="can no longer change"):
        services.update_scenario(by=staff, scenario=scenario, overrides={"budget": 1})
    with pytest.raises(Refused, match="decision is approved already|waits to be published"):
        services.approve_scenario(by=staff, scenario=scenario_of(round, "merit_order"))
    scenario.refresh_from_db()
    assert scenario.overrides == {} and scenario.approved_by == staff


def test_infeasible_scenario_cannot_be_approved(staff, round):
    scenario = services.update_scenario(by=staff, scenario=scenario_of(round, "max_merit"),
                                        overrides={
        "budget": 100 * M})
    assert scenario.result["status"] == "infeasible"
    with pytest.raises(Refused, match="infeasible"):
        services.approve_scenario(by=staff, scenario=scenario)


def test_an_infeasible_scenario_says_why_in_the_readers_language(client, staff, round):
    scenario = services.update_scenario(by=staff, scenario=scenario_of(round, "max_merit"),
                                        overrides={
        "budget": 100 * M})
    reason = scenario.result["reason"]
    assert reason.startswith("budget: ") and "KRW" in reason  # stored in the format's words
    client.force_login(staff)
    en = client.get(f"/en/selection/scenarios/{scenario.pk}/").content.decode()
    assert f'id="reason">{reason}<' in en.replace("&#x27;", "'")
    assert 'id="status">infeasible<' in en
    ko = client.get(f"/ko/selection/scenarios/{scenario.pk}/").content.decode()
    assert 'id="status">실행 불가<' in ko and "infeasible<" not in ko
    assert 'id="reason">예산: 1억 원' in ko and "KRW" not in ko.split('id="reason">')[1][:300]
    listing = client.get(f"/ko/selection/rounds/{round.pk}/").content.decode()
    assert "실행 불가" in listing and "최적" in listing


def test_publish_needs_an_approved_scenario(staff, round):
    with pytest.raises(Refused, match="Approve a scenario"):
        services.publish(by=staff, round=round)
    assert not Outcome.objects.exists()


def _publish(staff, round, capture, policy="max_merit"):
    scenario = services.approve_scenario(by=staff, scenario=scenario_of(round, policy),
                                         explain=False)
    with capture(execute=True):
        services.publish(by=staff, round=round)
    round.refresh_from_db()
    return scenario


def test_publish_moves_states_mails_and_shows_results(
        client, staff, round, cycle, monkeypatch, django_capture_on_commit_callbacks):
    from kcity.evaluation import services as evaluation

    released = []
    monkeypatch.setattr(evaluation, "release_cycle_results",
                        lambda *, by, cycle: released.append((by, cycle)), raising=False)
    scenario = _publish(staff, round, django_capture_on_commit_callbacks)
    result = scenario.result
    assert round.published_at is not None and round.published_by == staff
    states = dict(Proposal.objects.filter(cycle=cycle).values_list("pk", "state"))
    assert {states[int(i)] for i in result["selected"]} == {S.SELECTED}
    assert [states[int(i)] for i in result["reserve"]] == [S.RESERVE] * len(result["reserve"])
    assert {states[int(i["id"])] for i in result["not_fundable"]} == {S.NOT_SELECTED}
    assert len(result["selected"]) > 0 and len(result["reserve"]) > 0
    # Every move through the lifecycle, with its event and one e-mail per proposal.
    events = ProposalEvent.objects.filter(proposal__cycle=cycle, from_state=S.EVALUATED)
    assert events.count() == len(states) == 20
    emails = OutboundEmail.objects.filter(proposal__cycle=cycle)
    assert emails.count() == 20 and emails.filter(sent_at__isnull=False).count() == 20
    assert sorted(emails.values_list("proposal_id", flat=True)) == sorted(states)
    # The demo log-ins' proposals have people to mail: one e-mail each, to them.
    selected = _with_applicant(result["selected"])
    to_applicant = [m for m in mail.outbox if selected.title in m.subject]
    assert len(to_applicant) == 1
    assert to_applicant[0].to == [selected.organisation.members.get().email]
    recipient = selected.organisation.members.get()
    with translation.override(recipient.preferred_language):  # mail speaks the reader's language
        assert str(S.SELECTED.label) in to_applicant[0].subject
    reserved = _with_applicant(result["reserve"] + [i["id"] for i in result["not_fundable"]])
    assert len([m for m in mail.outbox if reserved.title in m.subject]) == 1
    # The reserve ranks follow the result's ranking; awards are the requests.
    reserve = Outcome.objects.filter(round=round, outcome="reserve").order_by("reserve_rank")
    assert [str(o.proposal_id) for o in reserve] == result["reserve"]
    assert sum(o.award for o in Outcome.objects.filter(outcome="selected")) == result["awarded"]
    assert released == [(staff, cycle)]

    en = client.get("/en/results/2025/").content.decode()
    assert "2025 K-City Network Global Cooperation Program" in en and "Reserve list" in en
    assert selected.title in en and f"{selected.requested_amount:,} KRW" in en
    assert "Electric tricycle sharing" not in en  # not fundable: not named in public
    ko = client.get("/ko/results/2025/").content.decode()
    assert 'lang="ko"' in ko and "2025년 K-City Network" in ko and selected.title in ko
    assert "억 원" in ko
    for lang in ("en", "ko"):
        pdf = client.get(f"/{lang}/results/2025/notice.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    assert client.get("/en/results/2026/").status_code == 404
    with pytest.raises(Refused, match="Approve a scenario"):
        services.publish(by=staff, round=round)


def test_publish_is_all_or_nothing(staff, round, cycle, django_capture_on_commit_callbacks):
    scenario = services.approve_scenario(by=staff, scenario=scenario_of(round, "max_merit"),
                                         explain=False)
    last = Proposal.objects.get(pk=int(scenario.result["reserve"][-1]))
    # Sent back to evaluation after the approval: publishing must move nobody.
    Proposal.objects.filter(pk=last.pk).update(state=S.UNDER_EVALUATION)
    with pytest.raises(Refused, match="no longer evaluated"):
        services.publish(by=staff, round=round)
    assert not Outcome.objects.exists()
    assert not Proposal.objects.filter(cycle=cycle, state=S.SELECTED).exists()


def test_replacement_takes_the_best_reserve_under_the_rules(
        staff, round, cycle, django_capture_on_commit_callbacks):
    scenario = _publish(staff, round, django_capture_on_commit_callbacks, policy="merit_order")
    gone = _with_applicant(scenario.result["selected"])
    with django_capture_on_commit_callbacks(execute=True):
        applications.withdraw(proposal=gone, by=gone.organisation.members.get(),
                              reason="The city council changed.")
    gone.refresh_from_db()
    assert gone.state == S.WITHDRAWN
    replacement = services.propose_replacement(by=staff, round=round)
    still = [i for i in scenario.result["selected"] if i != str(gone.pk)]
    assert replacement.kind == "replacement" and replacement.policy == "merit_order"
    assert sorted(replacement.overrides["include"]) == sorted(still)
    assert replacement.overrides["exclude"] == [str(gone.pk)]
    new = [i for i in replacement.result["selected"] if i not in still]
    assert new, "a reserve proposal takes the freed place"
    # Under merit order the replacement is the highest-ranked reserve proposal that fits.
    data = whatif.scenario_data(round.instance, "merit_order", replacement.overrides)
    assert replacement.result == whatif.cold_result(data)
    fits = _first_fitting_reserve(data, scenario.result["reserve"], still)
    assert new[0] == fits
    with pytest.raises(Refused, match="decision is approved already|published already"):
        services.approve_scenario(by=staff, scenario=scenario_of(round, "max_merit"))
    services.approve_scenario(by=staff, scenario=replacement, explain=False)
    before = OutboundEmail.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(by=staff, round=round)
    taken = Proposal.objects.get(pk=int(new[0]))
    assert taken.state == S.SELECTED
    assert ProposalEvent.objects.filter(proposal=taken, from_state=S.RESERVE,
                                        to_state=S.SELECTED).exists()
    assert OutboundEmail.objects.count() == before + len(new)
    outcomes = {str(o.proposal_id): o for o in Outcome.objects.filter(round=round)}
    assert outcomes[str(gone.pk)].outcome == "withdrawn"
    assert outcomes[new[0]].outcome == "selected" and outcomes[new[0]].award
    ranks = [outcomes[i].reserve_rank for i in replacement.result["reserve"]
             if outcomes[i].outcome == "reserve"]
    assert ranks == list(range(1, len(ranks) + 1))
    with pytest.raises(Refused, match="No selected proposal of this round has withdrawn"):
        services.propose_replacement(by=staff, round=round)


def _with_applicant(ids):
    """The first of these proposals whose organisation has a log-in (a demo applicant)."""
    return next(p for p in (Proposal.objects.get(pk=int(i)) for i in ids)
                if p.organisation.members.exists())


def _first_fitting_reserve(data, reserve, still):
    """By hand: the first reserve proposal (ranking order) that fits every upper limit
    beside the proposals still selected."""
    by_id = {p["id"]: p for p in data["proposals"]}
    tracks = {t["code"]: t for t in data["tracks"]}
    chosen = [by_id[i] for i in still]
    for pid in reserve:
        p = by_id[pid]
        same_track = [c for c in chosen if c["track"] == p["track"]]
        track = tracks[p["track"]]
        if sum(c["request"] for c in chosen) + p["request"] > data["budget"]:
            continue
        if track["max_projects"] is not None and len(same_track) + 1 > track["max_projects"]:
            continue
        if track["budget"] is not None and sum(c["request"] for c in same_track) + p[
                "request"] > track["budget"]:
            continue
        cap = data["max_per_country"]
        if cap is not None and sum(c["country"] == p["country"] for c in chosen) + 1 > cap:
            continue
        return pid
    return None


@pytest.fixture
def strangers(world):
    kind = Organisation.objects.create(kind=OrgKind.SECRETARIAT, name="KIND test",
                                       secretariat_unit=SecretariatUnit.KIND, country="KR")
    kind_user = User.objects.create_user("kind-staff", "k@example.org", "x", role=Role.SECRETARIAT,
                                         organisation=kind)
    return {"applicant": world["gov-applicant"], "evaluator": world["evaluator"],
            "kind": kind_user}


@pytest.mark.parametrize("who", ["applicant", "evaluator", "kind"])
def test_strangers_get_404(client, strangers, staff, round, who):
    scenario = scenario_of(round, "max_merit")
    client.force_login(strangers[who])
    for url in ["/en/selection/", f"/en/selection/rounds/{round.pk}/",
                f"/en/selection/scenarios/{scenario.pk}/",
                f"/en/selection/rounds/{round.pk}/export.json",
                f"/en/selection/scenarios/{scenario.pk}/export.json"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/en/selection/scenarios/{scenario.pk}/approve/").status_code == 404
    assert client.post(f"/en/selection/rounds/{round.pk}/publish/").status_code == 404
    with pytest.raises(Refused):
        services.approve_scenario(by=strangers[who], scenario=scenario)
    scenario.refresh_from_db()
    assert not scenario.is_approved


def test_anonymous_is_sent_to_log_in(client, round):
    response = client.get(f"/en/selection/rounds/{round.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_screens_render_for_the_secretariat(client, staff, round):
    client.force_login(staff)
    scenario = scenario_of(round, "max_merit")
    index = client.get("/en/selection/").content.decode()
    assert f"/selection/rounds/{round.pk}/" in index
    page = client.get(f"/en/selection/rounds/{round.pk}/").content.decode()
    assert "Maximum total merit" in page and "Down the merit order" in page
    screen = client.get(f"/en/selection/scenarios/{scenario.pk}/").content.decode()
    assert 'id="other-status"' in screen and "Answer again" in screen
    # The what-if form posts the whole parameter set and the engine answers again.
    form = {"budget": "3000000000", "max_per_country": "1"}
    for t in round.instance["tracks"]:
        form.update({f"min_{t['code']}": t["min_projects"],
                     f"max_{t['code']}": t["max_projects"] or ""})
    response = client.post(f"/en/selection/scenarios/{scenario.pk}/", form)
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.overrides["budget"] == 3_000 * M and scenario.overrides["max_per_country"] == 1
    assert scenario.result["awarded"] <= 3_000 * M
    countries = [p["country"] for p in round.instance["proposals"]
                 if p["id"] in scenario.result["selected"]]
    assert len(countries) == len(set(countries))
    ko = client.get(f"/ko/selection/scenarios/{scenario.pk}/")
    assert ko.status_code == 200
