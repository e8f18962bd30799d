"""Conflicts are enforced everywhere a proposal can be reached: assignment list, proposal
page, document download, score sheet, summary page and PDF, CSV export."""

import pytest

from kcity import permissions
from kcity.accounts.models import Role, User
from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.evaluation import selectors, services
from kcity.evaluation.models import ExpertProfile, Panel, PresentationSlot

SEMARANG = "Flood early warning for Semarang"
BANDUNG = "AI bus priority for Bandung"


def urls(panel, proposal):
    doc = proposal.documents.first()
    return [
        f"/en/proposals/{proposal.pk}/",
        f"/en/proposals/{proposal.pk}/documents/{doc.pk}/",
        f"/en/evaluation/panels/{panel.pk}/proposals/{proposal.pk}/",
        f"/en/evaluation/panels/{panel.pk}/proposals/{proposal.pk}/summary/",
        f"/en/evaluation/panels/{panel.pk}/proposals/{proposal.pk}/summary.pdf",
    ]


def test_declared_conflict_is_404_everywhere(client, users, closed_panel):
    semarang = Proposal.objects.get(title=SEMARANG)
    client.force_login(users["evaluator"])
    for url in urls(closed_panel, semarang):
        assert client.get(url).status_code == 404, url
    export = client.get(f"/en/evaluation/panels/{closed_panel.pk}/export.csv")
    assert export.status_code == 200
    body = export.content.decode()
    assert SEMARANG not in body and BANDUNG in body
    assert SEMARANG not in client.get("/en/evaluation/").content.decode()
    assert not permissions.visible_proposals(users["evaluator"]).filter(pk=semarang.pk).exists()


def test_same_evaluator_reaches_a_proposal_without_conflict(client, users, closed_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    client.force_login(users["evaluator"])
    for url in urls(closed_panel, bandung):
        assert client.get(url).status_code == 200, url
    assert client.get(urls(closed_panel, bandung)[-1])["Content-Type"] == "application/pdf"


def test_automatically_conflicted_expert_is_never_drawn_and_sees_nothing(client, users):
    # Universitas Indonesia is in every demo demonstration consortium (its expert may sit
    # on a planning panel, as on the demo 2027 cycle's)
    ui = users["expert-ui"]
    demonstration = Panel.objects.filter(track__kind="demonstration")
    assert demonstration.count() >= 4
    assert not demonstration.filter(members__evaluator=ui).exists()
    bandung = Proposal.objects.get(title=BANDUNG)
    assert permissions.automatic_conflict(ui, bandung)
    assert not permissions.assigned_proposals(ui).filter(track__kind="demonstration").exists()
    client.force_login(ui)
    for panel in demonstration:
        for url in urls(panel, bandung):
            assert client.get(url).status_code == 404, url
        assert client.get(f"/en/evaluation/panels/{panel.pk}/export.csv").status_code == 404


def test_unassigned_evaluator_gets_404(client, outsider, open_panel, closed_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    client.force_login(outsider)
    for panel in (open_panel, closed_panel):
        for url in urls(panel, bandung):
            assert client.get(url).status_code == 404, url
        assert client.get(f"/en/evaluation/panels/{panel.pk}/export.csv").status_code == 404
    assert client.post(f"/en/evaluation/proposals/{bandung.pk}/declare/",
                       {"answer": "none"}).status_code == 404
    assert "No proposals are assigned to you" in client.get("/en/evaluation/").content.decode()
    with pytest.raises(Refused):
        services.declare(by=outsider, proposal=bandung, has_conflict=False)


def test_content_opens_only_after_the_declaration(client, users, open_panel):
    """A newly drawn member first sees title and applicant, then declares."""
    staff = users["secretariat"]
    member = open_panel.members.get(evaluator__username="expert-finance")
    fresh = User.objects.create_user("fresh", "f@example.org", "x-pass-123", role=Role.EVALUATOR,
                                     organisation=users["evaluator"].organisation)
    ExpertProfile.objects.create(user=fresh, fields=["finance"])
    new = services.replace_member(by=staff, member=member,
                                  reason="On leave for the presentations.", seed=1)
    assert new.evaluator == fresh
    bandung = Proposal.objects.get(title=BANDUNG)
    client.force_login(fresh)
    page = client.get("/en/evaluation/").content.decode()
    assert BANDUNG in page and "Hanbit Smart Mobility" in page
    assert client.get(f"/en/proposals/{bandung.pk}/").status_code == 404
    sheet_url = f"/en/evaluation/panels/{open_panel.pk}/proposals/{bandung.pk}/"
    assert client.get(sheet_url).status_code == 404
    # declaring a conflict needs a reason
    client.post(f"/en/evaluation/proposals/{bandung.pk}/declare/", {"answer": "conflict"})
    assert client.get(sheet_url).status_code == 404
    client.post(f"/en/evaluation/proposals/{bandung.pk}/declare/", {"answer": "none"})
    assert client.get(sheet_url).status_code == 200
    assert client.get(f"/en/proposals/{bandung.pk}/").status_code == 200
    # a later conflict closes it again, for good
    client.post(f"/en/evaluation/proposals/{bandung.pk}/declare/",
                {"answer": "conflict", "reason": "My sister works at Hanbit."})
    assert client.get(sheet_url).status_code == 404
    assert client.get(f"/en/proposals/{bandung.pk}/").status_code == 404
    with pytest.raises(Refused):
        services.declare(by=fresh, proposal=bandung, has_conflict=False)


def test_applicant_sees_the_summary_only_once_released(client, users, closed_panel, open_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    client.force_login(users["company-applicant"])
    assert closed_panel.results_released
    url = f"/en/evaluation/panels/{closed_panel.pk}/proposals/{bandung.pk}/summary/"
    page = client.get(url)
    assert page.status_code == 200 and "Evaluation summary" in page.content.decode()
    assert client.get(f"/en/evaluation/panels/{closed_panel.pk}/export.csv").status_code == 404
    Panel.objects.filter(pk=closed_panel.pk).update(results_released=False)
    assert client.get(url).status_code == 404
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/proposals/{bandung.pk}/summary/"
                      ).status_code == 404
    client.force_login(users["gov-applicant"])
    Panel.objects.filter(pk=closed_panel.pk).update(results_released=True)
    assert client.get(url).status_code == 404  # someone else's proposal


def _sheet_points(proposal, panel):
    """The score strings ("username: points") the dispersion table would show for it."""
    return {f"{s.evaluator.username}: {score.points}"
            for s in services.counted_sheets(panel, proposal).select_related("evaluator")
            for score in s.scores.all()}


def test_closed_panel_sheet_leaves_out_the_conflicted_proposal(client, users, closed_panel):
    """The closed panel's score sheet shows the dispersion table only for the proposals the
    evaluator may see: the conflicted one's title and scores are absent, the others there."""
    evaluator = users["evaluator"]
    semarang = Proposal.objects.get(title=SEMARANG)
    bandung = Proposal.objects.get(title=BANDUNG)
    assert closed_panel.is_closed
    assert closed_panel.proposals.filter(pk=semarang.pk).exists()
    client.force_login(evaluator)
    page = client.get(f"/en/evaluation/panels/{closed_panel.pk}/proposals/{bandung.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="dispersion"' in body
    assert SEMARANG not in body
    shown = [block["proposal"] for block in page.context["table"]]
    assert semarang not in shown and bandung in shown
    others = closed_panel.proposals.exclude(pk=semarang.pk)
    assert set(shown) == set(others) and len(shown) >= 2
    for other in others:
        assert other.title in body
    # the scores shown are exactly the other proposals' (none of the conflicted one's rows)
    for block in page.context["table"]:
        shown_scores = {f"{name}: {value}" for row in block["rows"]
                        for name, value, _f in row["scores"]}
        assert shown_scores == _sheet_points(block["proposal"], closed_panel)
    assert _sheet_points(semarang, closed_panel)
    # the secretariat still sees every proposal of the panel
    client.force_login(users["secretariat"])
    panel_page = client.get(f"/en/evaluation/panels/{closed_panel.pk}/")
    assert {b["proposal"] for b in panel_page.context["table"]} == set(closed_panel.proposals.all())
    assert SEMARANG in panel_page.content.decode()


def test_panel_selectors_give_an_evaluator_only_visible_proposals(users, closed_panel):
    evaluator = users["evaluator"]
    semarang = Proposal.objects.get(title=SEMARANG)
    assert semarang not in selectors.panel_proposals(evaluator, closed_panel)
    assert not selectors.ranking(evaluator, closed_panel).filter(proposal=semarang).exists()
    assert selectors.ranking(evaluator, closed_panel).exists()
    assert selectors.ranking(users["secretariat"], closed_panel).filter(proposal=semarang).exists()


def test_panel_page_lists_and_slots_come_from_the_same_selector(client, users, open_panel):
    client.force_login(users["secretariat"])
    page = client.get(f"/en/evaluation/panels/{open_panel.pk}/")
    assert page.status_code == 200
    slots = PresentationSlot.objects.filter(panel=open_panel)
    assert slots.exists()
    assert set(page.context["slots"]) == set(slots)
    assert set(page.context["proposals"]) == set(open_panel.proposals.all())
    # an evaluator of the panel never reaches the manager's page
    client.force_login(users["evaluator"])
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/").status_code == 404
