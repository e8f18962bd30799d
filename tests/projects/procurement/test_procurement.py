"""The procurement rules, one test each: the ceiling, who bids and when, sealed bids, the
committee's conflicts, the scoring and the award, the contract's bounds, the upload rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from procurement_helpers import NOW, after_deadline, make_bidder, pdf, terms

import upload_samples as s
from kcity import permissions
from kcity.accounts.models import OrgKind, Role, User
from kcity.core.errors import Refused
from kcity.evaluation.models import ExpertProfile
from kcity.jobs.models import OutboundEmail
from kcity.projects import procurement, procurement_lifecycle
from kcity.projects.models import Project
from kcity.projects.procurement_emails import send_tender_mail
from kcity.projects.procurement_models import Bid, Tender, TenderEvent
from kcity.projects.procurement_selectors import own_bid, project_contractor, ranking

pytestmark = pytest.mark.django_db


def test_ceiling_never_above_the_award(project, staff):
    with pytest.raises(Refused, match="above the project's award"):
        procurement.draft_tender(project=project, by=staff, now=NOW,
                                 **terms(ceiling=project.award + 1))
    tender = procurement.draft_tender(project=project, by=staff, now=NOW,
                                      **terms(ceiling=project.award))
    assert tender.ceiling == project.award
    with pytest.raises(Refused, match="above the project's award"):
        procurement.update_tender(tender=tender, by=staff, now=NOW, ceiling=project.award + 1)
    assert Tender.objects.get(pk=tender.pk).ceiling == project.award


def test_weights_add_up_to_100_in_the_service_and_the_database(project, staff):
    with pytest.raises(Refused, match="add up to 100"):
        procurement.draft_tender(project=project, by=staff, now=NOW,
                                 **terms(technical_weight=70, price_weight=20))
    tender = procurement.draft_tender(project=project, by=staff, now=NOW, **terms())
    with pytest.raises(IntegrityError), transaction.atomic():
        Tender.objects.filter(pk=tender.pk).update(price_weight=50)


def test_only_the_secretariat_drafts_and_publishes(project, users, bidders):
    with pytest.raises(Refused, match="secretariat"):
        procurement.draft_tender(project=project, by=bidders[0], now=NOW, **terms())
    tender = procurement.draft_tender(project=project, by=users["secretariat"], now=NOW,
                                      **terms())
    with pytest.raises(Refused, match="secretariat"):
        procurement.publish_tender(tender=tender, by=users["evaluator"], now=NOW)
    published = procurement.publish_tender(tender=tender, by=users["secretariat"], now=NOW)
    assert published.state == "published" and published.published_at == NOW
    assert TenderEvent.objects.filter(tender=tender, action="published").exists()


def test_bids_only_from_verified_korean_companies(published, demo):
    for name, user, kw in [
        ("unverified", "u1", {"verified": False}),
        ("foreign", "u2", {"country": "VN"}),
        ("institute", "u3", {"kind": OrgKind.INSTITUTION}),
    ]:
        person = make_bidder(name, user, **kw)
        with pytest.raises(Refused, match="verified Korean company"):
            procurement.submit_bid(tender=published, by=person, price=1_000, proposal_file=pdf(),
                                   now=NOW)
        with pytest.raises(Refused, match="verified Korean company"):
            procurement.register_for_briefing(tender=published, by=person, now=NOW)
    assert not Bid.objects.filter(tender=published).exists()


def test_briefing_registration(published, bidders):
    registration = procurement.register_for_briefing(tender=published, by=bidders[0], attendees=2,
                                                     now=NOW)
    assert registration.organisation_id == bidders[0].organisation_id
    with pytest.raises(Refused, match="taken place"):
        procurement.register_for_briefing(tender=published, by=bidders[1],
                                          now=published.briefing_at)
    assert list(permissions.visible_registrations(bidders[1])) == []


def test_bids_only_before_the_deadline_and_at_most_the_ceiling(published, bidders):
    with pytest.raises(Refused, match="does not take bids"):
        procurement.submit_bid(tender=published, by=bidders[0], price=1_000, proposal_file=pdf(),
                               now=published.bid_deadline)
    with pytest.raises(Refused, match="above the ceiling"):
        procurement.submit_bid(tender=published, by=bidders[0], price=published.ceiling + 1,
                               proposal_file=pdf(), now=NOW)
    bid = procurement.submit_bid(tender=published, by=bidders[0], price=published.ceiling,
                                 proposal_file=pdf(), now=NOW)
    again = procurement.submit_bid(tender=published, by=bidders[0], price=1_000,
                                   proposal_file=pdf(),
                                   now=NOW + dt.timedelta(days=1))
    assert again.pk == bid.pk and Bid.objects.get(tender=published).price == 1_000


def test_draft_tender_takes_no_bids(project, staff, bidders):
    tender = procurement.draft_tender(project=project, by=staff, now=NOW, **terms())
    with pytest.raises(Refused, match="does not take bids"):
        procurement.submit_bid(tender=tender, by=bidders[0], price=1_000, proposal_file=pdf(),
                               now=NOW)


def test_bids_are_sealed_until_the_deadline(with_bids, bidders, staff, users):
    before = with_bids.bid_deadline - dt.timedelta(seconds=1)
    assert list(permissions.visible_bids(staff, now=before).filter(tender=with_bids)) == []
    mine = list(permissions.visible_bids(bidders[0], now=before).filter(tender=with_bids))
    assert [b.organisation_id for b in mine] == [bidders[0].organisation_id]
    assert own_bid(bidders[1], with_bids).organisation_id == bidders[1].organisation_id
    assert list(permissions.visible_bids(users["evaluator"], now=before)
                .filter(tender=with_bids)) == []
    assert permissions.visible_bids(staff, now=with_bids.bid_deadline).filter(
        tender=with_bids).count() == 2
    # the audit trail does not carry prices
    assert all("price" not in e.detail for e in TenderEvent.objects.filter(action="bid"))


def test_closing_only_at_the_deadline(with_bids, staff):
    mails = OutboundEmail.objects.filter(handler__endswith="send_tender_mail")
    before = mails.count()
    with pytest.raises(Refused, match="until the deadline"):
        procurement.close_bids(tender=with_bids, by=staff, now=with_bids.bid_deadline
                               - dt.timedelta(minutes=1))
    closed = procurement.close_bids(tender=with_bids, by=staff, now=with_bids.bid_deadline)
    assert closed.state == "closed"
    # the bidders hear of it, in the same transaction
    assert mails.count() == before + 1


@pytest.fixture
def pool_with_bidder_expert(demo, bidders):
    """An evaluator in the pool whose organisation bids."""
    expert = User.objects.create_user("bidder-expert", "be@example.org", "pw-be-12345",
                                      organisation=bidders[0].organisation, role=Role.EVALUATOR)
    ExpertProfile.objects.create(user=expert, fields=["urban_planning"])
    return expert


def test_a_member_whose_organisation_bids_is_never_drawn(with_bids, staff,
                                                          pool_with_bidder_expert):
    closed = procurement.close_bids(tender=with_bids, by=staff, now=after_deadline(with_bids))
    # The experts a committee of this project may seat apart from the bidders' own: those of
    # the proposal's organisations (lead, consortium) never sit on it either.
    proposal = with_bids.project.proposal
    pool = sum(1 for u in User.objects.filter(role=Role.EVALUATOR, expert_profile__isnull=False)
               if not permissions.automatic_conflict(u, proposal))
    for seed in range(12):
        members = procurement.draw_committee(tender=closed, by=staff, size=pool - 1, seed=seed,
                                             now=after_deadline(with_bids))
        assert pool_with_bidder_expert.pk not in {m.evaluator_id for m in members}
    with pytest.raises(Refused, match="eligible"):
        procurement.draw_committee(tender=closed, by=staff, size=pool, seed=1,
                                   now=after_deadline(with_bids))
    event = TenderEvent.objects.filter(action="committee_drawn").last()
    assert pool_with_bidder_expert.pk in event.detail["conflicts"]


def _score_all(tender, staff, points):
    """points: {bidder organisation id: [score per member]}"""
    members = procurement.draw_committee(tender=tender, by=staff, size=2, seed=7,
                                         now=after_deadline(tender))
    for bid in tender.bids.all():
        for member, value in zip(members, points[bid.organisation_id], strict=True):
            procurement.score_bid(bid=bid, by=member.evaluator, points=value,
                                  now=after_deadline(tender))
    return members


def test_scoring_and_award_to_the_best_combined_score(with_bids, staff, bidders):
    tender = procurement.close_bids(tender=with_bids, by=staff, now=after_deadline(with_bids))
    a, b = bidders[0].organisation_id, bidders[1].organisation_id
    # a: technical 90, price 400 M; b: technical 80, price 300 M (the lowest)
    members = _score_all(tender, staff, {a: [92, 88], b: [78, 82]})
    with pytest.raises(Refused, match="committee"):
        procurement.score_bid(bid=tender.bids.first(), by=bidders[0], points=100,
                              now=after_deadline(tender))
    with pytest.raises(Refused, match="0 to 100"):
        procurement.score_bid(bid=tender.bids.first(), by=members[0].evaluator, points=101)
    rows = ranking(tender)
    # a: 90*0.8 + 300/400*20 = 72 + 15 = 87; b: 80*0.8 + 20 = 84
    assert [(r["bid"].organisation_id, r["combined"]) for r in rows] == [
        (a, Decimal("87.00")), (b, Decimal("84.00"))]
    assert rows[1]["price_score"] == Decimal("20.00")
    tender = procurement.finish_evaluation(tender=tender, by=staff, now=after_deadline(tender, 2))
    contract = procurement.award_contract(
        tender=tender, by=staff, value=400_000_000, signed_on=dt.date(2027, 10, 15),
        start=dt.date(2027, 11, 1), end=dt.date(2028, 9, 30), contract_file=pdf("contract.pdf"),
        now=after_deadline(tender, 14))
    assert contract.supplier_id == a
    project = Project.objects.get(pk=tender.project_id)
    assert project_contractor(project).pk == a and project.contract_value == 400_000_000
    assert Tender.objects.get(pk=tender.pk).state == "awarded"


def test_ties_go_to_the_lower_price(with_bids, staff, bidders):
    tender = procurement.close_bids(tender=with_bids, by=staff, now=after_deadline(with_bids))
    a, b = bidders[0].organisation_id, bidders[1].organisation_id
    # a: 400 M -> price score 15; b: 300 M -> 20. Technical a 85 -> 68+15 = 83; b 78.75 -> 63+20
    _score_all(tender, staff, {a: [85, 85], b: [78.75, 78.75]})
    rows = ranking(tender)
    assert rows[0]["combined"] == rows[1]["combined"] == Decimal("83.00")
    assert rows[0]["bid"].organisation_id == b


def test_evaluation_needs_every_score(with_bids, staff):
    tender = procurement.close_bids(tender=with_bids, by=staff, now=after_deadline(with_bids))
    members = procurement.draw_committee(tender=tender, by=staff, size=2, seed=3,
                                         now=after_deadline(tender))
    procurement.score_bid(bid=tender.bids.first(), by=members[0].evaluator, points=50)
    with pytest.raises(Refused, match="Every committee member"):
        procurement.finish_evaluation(tender=tender, by=staff)


@pytest.fixture
def evaluated(with_bids, staff, bidders):
    tender = procurement.close_bids(tender=with_bids, by=staff, now=after_deadline(with_bids))
    _score_all(tender, staff, {bidders[0].organisation_id: [90, 90],
                               bidders[1].organisation_id: [60, 60]})
    return procurement.finish_evaluation(tender=tender, by=staff, now=after_deadline(tender, 2))


def test_contract_value_bounds(evaluated, staff):
    dates = {"signed_on": dt.date(2027, 10, 15), "start": dt.date(2027, 11, 1),
             "end": dt.date(2028, 9, 30)}
    with pytest.raises(Refused, match="at most the ceiling"):
        procurement.award_contract(tender=evaluated, by=staff, value=evaluated.ceiling + 1,
                                   contract_file=pdf("contract.pdf"), **dates)
    with pytest.raises(Refused, match="ends after it starts"):
        procurement.award_contract(tender=evaluated, by=staff, value=1_000, contract_file=pdf(),
                                   **{**dates, "end": dt.date(2027, 10, 1)})
    with pytest.raises(Refused, match="positive"):
        procurement.award_contract(tender=evaluated, by=staff, value=0, contract_file=pdf(),
                                   **dates)
    assert Project.objects.get(pk=evaluated.project_id).contractor_id is None
    # and the database holds the project's own bound
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=evaluated.project_id).update(contract_value=10**12)


@pytest.mark.parametrize(("name", "data", "code"), [
    ("proposal.pdf", lambda: b"MZ\x90\x00 an executable", "type"),
    ("proposal.pdf", s.pdf_launch, "pdf-launch"),
    ("proposal.pdf.exe", s.pdf, "name-executable"),
    ("proposal.pdf", lambda: b"", "empty"),
])
def test_technical_proposals_pass_the_upload_rules(published, bidders, name, data, code):
    upload = SimpleUploadedFile(name, data(), "application/pdf")
    with pytest.raises(Refused) as refused:
        procurement.submit_bid(tender=published, by=bidders[0], price=1_000, proposal_file=upload,
                               now=NOW)
    assert getattr(refused.value, "code", None) == code
    assert not Bid.objects.filter(tender=published).exists()


def test_every_state_change_goes_through_the_machine(published, staff):
    assert {(f, t) for f, t in procurement_lifecycle.MOVES} >= {
        ("draft", "published"), ("published", "closed"), ("closed", "evaluated"),
        ("evaluated", "awarded")}
    with pytest.raises(Refused, match="cannot become"):
        procurement_lifecycle.transition(published, "awarded", by=staff)
    with pytest.raises(Refused, match="why"):
        procurement.cancel_tender(tender=published, by=staff, reason=" ")
    cancelled = procurement.cancel_tender(tender=published, by=staff, reason="Scope changed")
    assert cancelled.state == "cancelled" and cancelled.cancelled_at is not None


def test_bidders_are_mailed_in_their_language(with_bids, staff, bidders, mailoutbox):
    bidders[0].preferred_language = "ko"
    bidders[0].save(update_fields=["preferred_language"])
    procurement.close_bids(tender=with_bids, by=staff, now=after_deadline(with_bids))
    event = TenderEvent.objects.get(tender=with_bids, action="closed")
    email = OutboundEmail.objects.get(key=f"procurement:{event.pk}")
    send_tender_mail(**email.params)
    by_address = {m.to[0]: m for m in mailoutbox}
    assert "입찰 공고" in by_address[bidders[0].email].subject
    assert "Bid notice" in by_address[bidders[1].email].subject
    assert f"/procurement/{with_bids.pk}/" in by_address[bidders[1].email].body
