"""Presentations of demonstration proposals: slots in KST that never overlap on a panel,
what the applicant sees, and presentation scores combined with the paper review by the
track's stage weights (a worked example)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kcity.applications import services as proposals
from kcity.applications.demo import _attach_all, _demonstration
from kcity.applications.models import Proposal
from kcity.applications.models import ProposalState as S
from kcity.applications.rules import MANUAL_CHECKS
from kcity.core.errors import Refused
from kcity.evaluation import presentations, services
from kcity.evaluation.forms import KST
from kcity.evaluation.models import EvaluationEvent, Panel, PanelResult, PresentationSlot
from kcity.jobs.models import OutboundEmail
from kcity.programs.models import Criterion, Track

BANDUNG = "AI bus priority for Bandung"
SURABAYA = "Smart streetlights for Surabaya"


def book_post(panel, date="2027-06-01", time="10:00", minutes=30, presenters="Ji-ho Lee"):
    return {"panel": panel.pk, "date": date, "time": time, "minutes": minutes,
            "presenters": presenters}


def test_secretariat_books_a_slot_in_kst(client, users, open_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    client.force_login(users["secretariat"])
    response = client.post(f"/en/evaluation/proposals/{bandung.pk}/presentation/",
                           book_post(open_panel, presenters="Ji-ho Lee (CEO); Dewi Lestari"),
                           follow=True)
    assert "Presentation booked." in response.content.decode()
    slot = PresentationSlot.objects.get(panel=open_panel, proposal=bandung)
    assert slot.starts_at == dt.datetime(2027, 6, 1, 1, 0, tzinfo=dt.UTC)
    assert (slot.minutes, slot.presenters) == (30, "Ji-ho Lee (CEO); Dewi Lestari")
    event = EvaluationEvent.objects.filter(proposal=bandung, action="presentation_booked").last()
    assert event.detail["starts_at"] == "2027-06-01T01:00:00+00:00"
    assert event.detail["before"] is not None  # the demo had booked it; moved, audited
    assert OutboundEmail.objects.filter(key=f"evaluation:{event.pk}").exists()
    panel_page = client.get(f"/en/evaluation/panels/{open_panel.pk}/").content.decode()
    assert "2027-06-01 10:00" in panel_page

    client.force_login(users["company-applicant"])
    page = client.get(f"/en/evaluation/proposals/{bandung.pk}/").content.decode()
    assert "2027-06-01 10:00 KST, 30 minutes" in page and "Ji-ho Lee (CEO); Dewi Lestari" in page
    assert "Book the presentation" not in page
    client.force_login(users["gov-applicant"])  # a stranger
    assert client.get(f"/en/evaluation/proposals/{bandung.pk}/").status_code == 404


def test_slots_of_a_panel_never_overlap(client, users, open_panel):
    staff = users["secretariat"]
    bandung, surabaya = (Proposal.objects.get(title=t) for t in (BANDUNG, SURABAYA))
    ten = dt.datetime(2027, 6, 1, 10, 0, tzinfo=KST)
    presentations.book_slot(by=staff, panel=open_panel, proposal=bandung, starts_at=ten,
                            minutes=30, presenters="Ji-ho Lee")
    before = PresentationSlot.objects.get(panel=open_panel, proposal=surabaya).starts_at
    with pytest.raises(Refused, match=r"overlaps the presentation of “AI bus priority for "
                                      r"Bandung” \(2027-06-01 10:00 to 2027-06-01 10:30 KST\)"):
        presentations.book_slot(by=staff, panel=open_panel, proposal=surabaya,
                                starts_at=ten + dt.timedelta(minutes=15),
                                minutes=30, presenters="Budi")
    with pytest.raises(Refused, match="overlaps"):  # one that covers the other entirely
        presentations.book_slot(by=staff, panel=open_panel, proposal=surabaya,
                                starts_at=ten - dt.timedelta(minutes=10),
                                minutes=60, presenters="Budi")
    assert PresentationSlot.objects.get(panel=open_panel, proposal=surabaya).starts_at == before
    client.force_login(staff)
    response = client.post(f"/en/evaluation/proposals/{surabaya.pk}/presentation/",
                           book_post(open_panel, time="10:20"), follow=True)
    assert "overlaps the presentation" in response.content.decode()
    # Back to back is fine.
    presentations.book_slot(by=staff, panel=open_panel, proposal=surabaya,
                            starts_at=ten + dt.timedelta(minutes=30), minutes=30,
                            presenters="Budi")


def test_booking_rules(users, open_panel, closed_panel):
    staff = users["secretariat"]
    bandung = Proposal.objects.get(title=BANDUNG)
    later = timezone.now() + dt.timedelta(days=30)
    with pytest.raises(Refused, match="presentation panel"):
        presentations.book_slot(by=staff, panel=closed_panel, proposal=bandung, starts_at=later,
                                minutes=30, presenters="A")
    with pytest.raises(Refused, match="from 5 to 240 minutes"):
        presentations.book_slot(by=staff, panel=open_panel, proposal=bandung, starts_at=later,
                                minutes=300, presenters="A")
    with pytest.raises(Refused, match="Name the presenters"):
        presentations.book_slot(by=staff, panel=open_panel, proposal=bandung, starts_at=later,
                                minutes=30, presenters=" ")
    with pytest.raises(Refused, match="Only the secretariat of this track"):
        presentations.book_slot(by=users["company-applicant"], panel=open_panel, proposal=bandung,
                                starts_at=later, minutes=30, presenters="A")
    late = Proposal.objects.get(title="Smart waste bins for Medan")  # not before the panel
    with pytest.raises(Refused, match="not before this panel"):
        presentations.book_slot(by=staff, panel=open_panel, proposal=late, starts_at=later,
                                minutes=30, presenters="A")


@pytest.fixture
def weighted_track(users, demo):
    """A fresh demonstration track, 40 % paper review and 60 % presentation, plain mean,
    threshold 70, two criteria (60 and 40 points), two eligible proposals."""
    base = Track.objects.get(cycle__year=2028, code="DEMO")
    track = Track.objects.get(pk=base.pk)
    track.pk, track.code, track.order = None, "DEMOX", 9
    track.aggregation, track.min_score_threshold = "mean", 70
    track.stage_weights = {"paper_review": 40, "presentation": 60}
    track.save()
    Criterion.objects.create(track=track, code="impact", weight=60, order=1,
                             name_en="Impact", name_ko="효과")
    Criterion.objects.create(track=track, code="delivery", weight=40, order=2,
                             name_en="Delivery", name_ko="실행")
    company, partner, staff = users["company-applicant"], users["partner"], users["secretariat"]
    for title in ("Strong X", "Weak X"):
        p = _demonstration(track, company, partner, title)
        _attach_all(p, company)
        proposals.submit_proposal(proposal=p, by=company, key=proposals.new_submit_key())
        proposals.save_checklist(proposal=p, by=staff, ticked={c for c,
                                                               _label in MANUAL_CHECKS[track.kind]})
        proposals.screen(proposal=p, by=staff, decision=S.ELIGIBLE)
    return track


def _sheets(panel, points):
    """points: title -> list of (impact, delivery) per seated member, in seat order."""
    members = list(panel.members.filter(active=True).order_by("pk"))
    for proposal in panel.proposals.all():
        for member, (impact, delivery) in zip(members, points[proposal.title], strict=True):
            services.declare(by=member.evaluator, proposal=proposal, has_conflict=False)
            services.save_sheet(by=member.evaluator, panel=panel, proposal=proposal,
                                entries={"impact": (impact, ""), "delivery": (delivery, "")},
                                submit=True)


def test_final_score_is_40_paper_and_60_presentation(client, users, weighted_track):
    """Worked example. Paper review, three experts: Strong X impact 45, 48, 51 (mean 48) and
    delivery 28, 30, 32 (mean 30): stage score 78.00; Weak X 30 and 20 from everyone: 50.00,
    under the threshold of 70, so it stops there. Presentation: Strong X impact 54, 57, 60
    (mean 57), delivery 34, 36, 38 (mean 36): 93.00. Final: 0.4 × 78 + 0.6 × 93 = 87.00."""
    staff = users["secretariat"]
    paper = services.form_panel(by=staff, track=weighted_track, stage="paper_review", size=3,
                                seed=3)
    _sheets(paper, {"Strong X": [("45", "28"), ("48", "30"), ("51", "32")],
                    "Weak X": [("30", "20")] * 3})
    services.close_panel(by=staff, panel=paper)
    strong, weak = (Proposal.objects.get(title=t) for t in ("Strong X", "Weak X"))
    paper_strong = PanelResult.objects.get(panel=paper, proposal=strong)
    assert (paper_strong.stage_score, paper_strong.final_score) == (Decimal("78.00"),
                                                                    Decimal("78.00"))
    assert PanelResult.objects.get(panel=paper, proposal=weak).below_threshold

    presentation = services.form_panel(by=staff, track=weighted_track, stage="presentation",
                                       size=3, seed=4)
    assert list(presentation.proposals.all()) == [strong]
    presentations.book_slot(by=staff, panel=presentation, proposal=strong,
                            starts_at=timezone.now() + dt.timedelta(days=3), minutes=40,
                            presenters="Ji-ho Lee")
    # The members score on the ordinary score sheet page.
    for member, (impact, delivery) in zip(
            presentation.members.filter(active=True).order_by("pk"),
            [("54", "34"), ("57", "36"), ("60", "38")], strict=True):
        client.force_login(member.evaluator)
        client.post(f"/en/evaluation/proposals/{strong.pk}/declare/", {"answer": "none"})
        page = client.get(f"/en/evaluation/panels/{presentation.pk}/proposals/{strong.pk}/")
        assert "Ji-ho Lee" in page.content.decode()  # the slot beside the sheet
        client.post(f"/en/evaluation/panels/{presentation.pk}/proposals/{strong.pk}/", {
            "points_impact": impact, "points_delivery": delivery, "action": "submit"})
    client.force_login(staff)
    client.post(f"/en/evaluation/panels/{presentation.pk}/", {"action": "close"})
    result = PanelResult.objects.get(panel=presentation, proposal=strong)
    assert Panel.objects.get(pk=presentation.pk).is_closed
    assert result.per_criterion == {"impact": "57.00", "delivery": "36.00"}
    assert (result.stage_score, result.final_score) == (Decimal("93.00"), Decimal("87.00"))
    assert not result.below_threshold
    assert Proposal.objects.get(pk=strong.pk).state == S.EVALUATED
