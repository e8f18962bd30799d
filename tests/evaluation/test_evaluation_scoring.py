"""Blind scoring, the bottom-band comment, the audit trail, closing and the ranking,
the lifecycle states and the panel draw as the secretariat runs it."""

from decimal import Decimal

import pytest

from kcity.applications.models import Proposal, ProposalEvent
from kcity.applications.models import ProposalState as S
from kcity.core.errors import Refused
from kcity.evaluation import services
from kcity.evaluation.draw import draw_panel
from kcity.evaluation.models import EvaluationEvent, Panel, PanelResult, PanelStatus, Score

BANDUNG = "AI bus priority for Bandung"
SURABAYA = "Smart streetlights for Surabaya"


def full_sheet(panel, points_ratio=Decimal("0.8"), comment=""):
    return {c.code: (str(c.weight * points_ratio), comment) for c in panel.track.criteria.all()}


def test_bottom_band_needs_a_comment(users, open_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    entries = full_sheet(open_panel)
    entries["business_capability"] = ("9.5", "")  # weight 25: below 10 is the bottom band
    with pytest.raises(Refused, match="needs a comment"):
        services.save_sheet(by=users["evaluator"], panel=open_panel, proposal=bandung,
                            entries=entries)
    assert not Score.objects.filter(sheet__evaluator=users["evaluator"],
                                    sheet__panel=open_panel).exists()
    entries["business_capability"] = ("9.5", "No export references yet.")
    services.save_sheet(by=users["evaluator"], panel=open_panel, proposal=bandung, entries=entries,
                        submit=True)
    entries["business_capability"] = ("10", "")  # 40 % exactly is not the bottom band
    services.save_sheet(by=users["evaluator"], panel=open_panel, proposal=bandung, entries=entries)


@pytest.mark.parametrize("bad, message", [
    ("26", "between 0 and 25"), ("-1", "between 0 and 25"), ("abc", "enter a number"),
    ("", "enter a score"), ("12.345", "two decimals"), ("NaN", "between 0 and 25"),
])
def test_bad_points_are_refused(users, open_panel, bad, message):
    bandung = Proposal.objects.get(title=BANDUNG)
    entries = full_sheet(open_panel)
    entries["business_capability"] = (bad, "comment")
    with pytest.raises(Refused, match=message):
        services.save_sheet(by=users["evaluator"], panel=open_panel, proposal=bandung,
                            entries=entries)


def test_every_score_and_change_is_audited(users, open_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    evaluator = users["evaluator"]
    services.save_sheet(by=evaluator, panel=open_panel, proposal=bandung,
                        entries=full_sheet(open_panel))
    events = EvaluationEvent.objects.filter(actor=evaluator, panel=open_panel, proposal=bandung)
    assert events.filter(action="score_set").count() == 5
    entries = full_sheet(open_panel)
    entries["feasibility"] = ("12.5", "Timeline is tight.")
    services.save_sheet(by=evaluator, panel=open_panel, proposal=bandung, entries=entries,
                        submit=True)
    change = events.get(action="score_changed")
    assert change.detail["criterion"] == "feasibility"
    assert change.detail["points_from"] == "16.00" and change.detail["points_to"] == "12.50"
    assert events.filter(action="sheet_submitted").count() == 1
    services.save_sheet(by=evaluator, panel=open_panel, proposal=bandung, entries=entries,
                        submit=True)  # no change
    assert events.filter(action="score_changed").count() == 1


def test_blind_until_closed(client, users, open_panel):
    """An evaluator never sees other evaluators' scores on an open panel; the secretariat
    follows dispersion and outliers; after closing the members see the scores."""
    bandung = Proposal.objects.get(title=BANDUNG)
    client.force_login(users["evaluator"])
    sheet = client.get(f"/en/evaluation/panels/{open_panel.pk}/proposals/{bandung.pk}/")
    body = sheet.content.decode()
    assert sheet.status_code == 200
    assert "expert-urban" not in body and "dispersion" not in body
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/export.csv").status_code == 404
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/").status_code == 404
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/proposals/{bandung.pk}/summary/"
                      ).status_code == 404

    client.force_login(users["secretariat"])
    page = client.get(f"/en/evaluation/panels/{open_panel.pk}/").content.decode()
    assert "expert-urban" in page and "Std dev" in page and 'id="close-panel"' in page

    services.close_panel(by=users["secretariat"], panel=open_panel)
    client.force_login(users["evaluator"])
    body = client.get(f"/en/evaluation/panels/{open_panel.pk}/proposals/{bandung.pk}/"
                      ).content.decode()
    assert "expert-urban" in body
    export = client.get(f"/en/evaluation/panels/{open_panel.pk}/export.csv")
    assert export.status_code == 200 and "expert-urban" in export.content.decode()


def test_scores_cannot_change_after_closing(users, open_panel):
    services.close_panel(by=users["secretariat"], panel=open_panel)
    with pytest.raises(Refused, match="closed"):
        services.save_sheet(by=users["evaluator"], panel=open_panel,
                            proposal=Proposal.objects.get(title=BANDUNG),
                            entries=full_sheet(open_panel))


def test_only_the_secretariat_closes(users, open_panel):
    with pytest.raises(Refused):
        services.close_panel(by=users["evaluator"], panel=open_panel)
    assert Panel.objects.get(pk=open_panel.pk).status == PanelStatus.OPEN


def test_closing_aggregates_combines_stages_and_flags_threshold(users, open_panel, closed_panel):
    """Presentation panel, trimmed mean: the evaluator scores 100 % everywhere, the three
    demo experts score 0.75, 0.9 and 0.6 of merit; dropping the highest and lowest per
    criterion leaves two sheets."""
    track = open_panel.track
    assert track.aggregation == "trimmed_mean"
    bandung = Proposal.objects.get(title=BANDUNG)
    entries = {c.code: (str(c.weight), "Excellent.") for c in track.criteria.all()}
    services.save_sheet(by=users["evaluator"], panel=open_panel, proposal=bandung, entries=entries,
                        submit=True)
    services.close_panel(by=users["secretariat"], panel=open_panel)
    result = PanelResult.objects.get(panel=open_panel, proposal=bandung)
    # Bandung's merit is 1.0: experts score round(w * 0.75), round(w * 0.9), round(w * 0.6);
    # with the evaluator's w, trimmed per criterion = (round(w*.75) + round(w*.9)) / 2.
    expected = {}
    for c in track.criteria.all():
        values = sorted([Decimal(c.weight), (c.weight * Decimal("0.75")).quantize(Decimal(1)),
                         (c.weight * Decimal("0.9")).quantize(Decimal(1)),
                         (c.weight * Decimal("0.6")).quantize(Decimal(1))])
        expected[c.code] = str(((values[1] + values[2]) / 2).quantize(Decimal("0.01")))
    assert result.per_criterion == expected
    total = sum(Decimal(v) for v in expected.values())
    assert result.stage_score == total  # weights add up to 100
    paper = PanelResult.objects.get(panel=closed_panel, proposal=bandung)
    final = (paper.stage_score * 40 + result.stage_score * 60) / 100
    assert result.final_score == final.quantize(Decimal("0.01"))
    assert result.below_threshold == (result.final_score < 70)
    ranks = list(PanelResult.objects.filter(panel=open_panel).order_by("rank")
                 .values_list("final_score", flat=True))
    assert ranks == sorted(ranks, reverse=True)
    assert Proposal.objects.get(pk=bandung.pk).state == S.EVALUATED
    assert ProposalEvent.objects.filter(proposal=bandung, to_state=S.EVALUATED).exists()


def test_threshold_is_stored_and_stops_the_next_stage(users, closed_panel, open_panel):
    semarang = Proposal.objects.get(title="Flood early warning for Semarang")
    result = PanelResult.objects.get(panel=closed_panel, proposal=semarang)
    assert result.below_threshold and result.final_score < 70
    assert not open_panel.proposals.filter(pk=semarang.pk).exists()
    assert semarang.state == S.EVALUATED


def test_close_refused_without_a_sheet(users, demo_track_panel):
    with pytest.raises(Refused, match="No submitted score sheet"):
        services.close_panel(by=users["secretariat"], panel=demo_track_panel)


@pytest.fixture
def demo_track_panel(users, open_panel):
    """A planning panel where nobody has scored yet (the one eligible planning proposal)."""
    from kcity.applications import services as proposals
    from kcity.applications.demo import _attach_all, _planning
    from kcity.applications.models import Outcome
    from kcity.applications.rules import MANUAL_CHECKS
    from kcity.programs.models import Track

    gov, staff = users["gov-applicant"], users["secretariat"]
    track = Track.objects.get(cycle__year=2028, code="PLAN")
    p = _planning(track, gov, "Da Nang plan", "Da Nang")
    proposals.submit_concept_note(proposal=p, by=gov, text="Concept.")
    proposals.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=staff,
                                      outcome=Outcome.INVITE)
    _attach_all(p, gov)
    proposals.submit_proposal(proposal=p, by=gov, key=proposals.new_submit_key())
    proposals.save_checklist(proposal=p, by=staff, ticked={c for c,
                                                           _label in MANUAL_CHECKS[track.kind]})
    proposals.screen(proposal=p, by=staff, decision=S.ELIGIBLE)
    return services.form_panel(by=staff, track=track, stage="document_review", size=3, seed=5)


def test_form_panel_records_a_reproducible_draw(users, demo_track_panel):
    panel = demo_track_panel
    event = EvaluationEvent.objects.get(panel=panel, action="panel_formed")
    pool = [(k, f) for k, f in event.detail["pool"]]
    again = draw_panel(pool, panel.size, panel.seed, event.detail["conflicts"])
    assert again == event.detail["drawn"]
    assert sorted(again) == sorted(panel.members.values_list("evaluator_id", flat=True))
    assert Proposal.objects.get(title="Da Nang plan").state == S.UNDER_EVALUATION
    with pytest.raises(Refused, match="has a panel already"):
        services.form_panel(by=users["secretariat"], track=panel.track, stage="document_review",
                            size=3)


def test_draw_excludes_the_consortium_member(users, open_panel, closed_panel):
    for panel in (open_panel, closed_panel):
        event = EvaluationEvent.objects.get(panel=panel, action="panel_formed")
        assert users["expert-ui"].pk in event.detail["conflicts"]
        assert users["expert-ui"].pk not in event.detail["drawn"]


def test_too_few_experts_is_refused(users, demo_track_panel):
    from kcity.programs.models import Track

    track = Track.objects.get(cycle__year=2028, code="PLAN")
    with pytest.raises(Refused, match="Only .* experts are eligible"):
        services.form_panel(by=users["secretariat"], track=track, stage="consultation_1", size=50)


def test_replacing_a_member_needs_a_reason_and_is_audited(client, users, open_panel, outsider):
    member = open_panel.members.get(evaluator__username="expert-ict")
    with pytest.raises(Refused, match="reason"):
        services.replace_member(by=users["secretariat"], member=member, reason="  ")
    client.force_login(users["secretariat"])
    client.post(f"/en/evaluation/panels/{open_panel.pk}/",
                {"action": "replace", "member": member.pk, "reason": "Fell ill."})
    member.refresh_from_db()
    assert not member.active and member.replacement_reason == "Fell ill."
    assert member.replaced_by.evaluator == outsider
    event = EvaluationEvent.objects.get(panel=open_panel, action="member_replaced")
    assert event.detail["reason"] == "Fell ill." and event.detail["added"] == outsider.pk
    # the replaced member's sheets no longer count; the member loses access
    client.force_login(users["expert-ict"])
    bandung = Proposal.objects.get(title=BANDUNG)
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/proposals/{bandung.pk}/"
                      ).status_code == 404
    assert not services.counted_sheets(open_panel, bandung).filter(
        evaluator=users["expert-ict"]).exists()


def test_score_sheet_page_round_trip(client, users, open_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    url = f"/en/evaluation/panels/{open_panel.pk}/proposals/{bandung.pk}/"
    client.force_login(users["evaluator"])
    data = {"action": "submit"}
    for c in open_panel.track.criteria.all():
        data[f"points_{c.code}"] = str(c.weight - 3)
        data[f"comment_{c.code}"] = ""
    data["points_feasibility"] = "5"
    response = client.post(url, data, follow=True)
    assert "needs a comment" in response.content.decode()
    data["comment_feasibility"] = "No maintenance plan."
    response = client.post(url, data, follow=True)
    assert "Score sheet submitted." in response.content.decode()
    sheet = bandung.score_sheets.get(panel=open_panel, evaluator=users["evaluator"])
    assert sheet.submitted_at is not None
    assert sheet.scores.get(criterion__code="feasibility").comment == "No maintenance plan."


def test_closing_through_the_page_shows_the_ranking(client, users, open_panel):
    client.force_login(users["secretariat"])
    response = client.post(f"/en/evaluation/panels/{open_panel.pk}/", {"action": "close"},
                           follow=True)
    body = response.content.decode()
    assert "Aggregated ranking" in body and SURABAYA in body and BANDUNG in body
    assert Panel.objects.get(pk=open_panel.pk).is_closed
    assert EvaluationEvent.objects.filter(panel=open_panel, action="panel_closed").exists()
