"""Issue 15 item 10: only those who may edit a proposal get its edit form. A consortium
partner, an evaluator and another applicant who open `.../edit/` (GET or POST) or the
autosave get 404; the owner gets the form. One rule decides: `permissions.can_edit_proposal`
(who), inside `services.edit_refusal` (who, state, deadline)."""

from kcity import permissions
from kcity.applications import services
from kcity.applications.models import Proposal

BANDUNG = "AI bus priority for Bandung"  # on the demo's closed panel; the evaluator declared


def test_partner_and_other_applicant_get_404_owner_gets_the_form(client, ready_demo, users):
    edit = f"/en/proposals/{ready_demo.pk}/edit/"
    autosave = f"/en/proposals/{ready_demo.pk}/autosave/"
    partner = users["partner"]
    # the partner reads the proposal (confirmed consortium member) but may not change it
    assert permissions.visible_proposals(partner).filter(pk=ready_demo.pk).exists()
    assert not permissions.can_edit_proposal(partner, ready_demo)
    for who in ("partner", "gov-applicant"):
        client.force_login(users[who])
        assert client.get(edit).status_code == 404, who
        assert client.post(edit, {"title": "Hijacked", "requested_amount": "1"}
                           ).status_code == 404, who
        assert client.post(autosave, {"title": "Hijacked", "requested_amount": "1"}
                           ).status_code == 404, who
    assert Proposal.objects.get(pk=ready_demo.pk).title == "Test crosswalk"
    client.force_login(partner)
    detail = client.get(f"/en/proposals/{ready_demo.pk}/")
    assert detail.status_code == 200 and edit not in detail.content.decode()
    assert detail.context["editable"] is False

    owner = users["company-applicant"]
    assert services.may_edit(proposal=ready_demo, by=owner)
    client.force_login(owner)
    page = client.get(edit)
    assert page.status_code == 200 and 'name="title"' in page.content.decode()
    assert edit in client.get(f"/en/proposals/{ready_demo.pk}/").content.decode()
    saved = client.post(edit, {"title": "Owner's title", "requested_amount": "400,000,000"})
    assert saved.status_code == 302
    assert Proposal.objects.get(pk=ready_demo.pk).title == "Owner's title"


def test_evaluator_who_reads_the_proposal_gets_no_edit_form(client, users):
    evaluator = users["evaluator"]
    bandung = Proposal.objects.get(title=BANDUNG)
    assert permissions.visible_proposals(evaluator).filter(pk=bandung.pk).exists()
    client.force_login(evaluator)
    assert client.get(f"/en/proposals/{bandung.pk}/").status_code == 200
    assert client.get(f"/en/proposals/{bandung.pk}/edit/").status_code == 404
    assert client.post(f"/en/proposals/{bandung.pk}/edit/",
                       {"title": "Hijacked", "requested_amount": "1"}).status_code == 404
    assert Proposal.objects.get(pk=bandung.pk).title == BANDUNG
    assert services.edit_refusal(proposal=bandung, by=evaluator) == (
        "Only the applicant organisation can change this proposal.")
