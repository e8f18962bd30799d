"""Pages in both languages, who reaches the secretariat pages, and the applicant's results."""

import pytest

from kcity.accounts.models import Organisation, Role, User
from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.evaluation import services
from kcity.evaluation.models import Panel


def test_pages_speak_korean(client, users, open_panel):
    client.force_login(users["evaluator"])
    body = client.get("/ko/evaluation/").content.decode()
    assert "나의 평가 배정" in body and "AI bus priority for Bandung" in body
    client.force_login(users["secretariat"])
    body = client.get(f"/ko/evaluation/panels/{open_panel.pk}/").content.decode()
    assert "평가위원회 마감" in body and "표준편차" in body


def test_nav_link_for_evaluators(client, users):
    client.force_login(users["evaluator"])
    assert 'href="/en/evaluation/"' in client.get("/en/").content.decode()
    client.force_login(users["company-applicant"])
    assert 'href="/en/evaluation/"' not in client.get("/en/").content.decode()


def test_only_the_tracks_secretariat_manages_its_panels(client, users, open_panel):
    """KIND runs the planning tracks: the demonstration panel is not theirs (404)."""
    kind = User.objects.create_user(
        "kind-staff", "k@example.org", "pw-kind-123", role=Role.SECRETARIAT,
        organisation=Organisation.objects.get(secretariat_unit="KIND"),
    )
    client.force_login(kind)
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/").status_code == 404
    assert client.post(f"/en/evaluation/panels/{open_panel.pk}/",
                       {"action": "close"}).status_code == 404
    assert client.get(f"/en/evaluation/panels/{open_panel.pk}/export.csv").status_code == 404
    assert f"/en/evaluation/panels/{open_panel.pk}/" not in client.get(
        "/en/evaluation/panels/").content.decode()
    assert not Panel.objects.get(pk=open_panel.pk).is_closed


def test_secretariat_draws_a_panel_from_the_page(client, users, open_panel):
    client.force_login(users["secretariat"])
    track = open_panel.track
    services_count = Panel.objects.count()
    response = client.post("/en/evaluation/panels/", {
        "track": track.pk, "stage": "presentation", "size": 3, "seed": 9,
    }, follow=True)
    assert "has a panel already" in response.content.decode()
    assert Panel.objects.count() == services_count
    response = client.post("/en/evaluation/panels/", {
        "track": track.pk, "stage": "document_review", "size": 3, "seed": 9,
    }, follow=True)
    assert "no such stage" in response.content.decode()


def test_applicant_lists_released_results_and_downloads_the_pdf(client, users, closed_panel):
    client.force_login(users["company-applicant"])
    body = client.get("/en/evaluation/").content.decode()
    bandung = Proposal.objects.get(title="AI bus priority for Bandung")
    assert f"/en/evaluation/panels/{closed_panel.pk}/proposals/{bandung.pk}/summary/" in body
    pdf = client.get(f"/en/evaluation/panels/{closed_panel.pk}/proposals/{bandung.pk}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    summary = client.get(f"/en/evaluation/panels/{closed_panel.pk}/proposals/{bandung.pk}/summary/")
    text = summary.content.decode()
    assert "expert-" not in text and "Hyun-woo" not in text  # comments are not signed
    assert "strong" in text  # the panel's comments are there


def test_release_is_refused_while_open(users, open_panel):
    with pytest.raises(Refused, match="Close the panel"):
        services.release_results(by=users["secretariat"], panel=open_panel)


def test_secretariat_reads_the_evaluation_records_in_the_admin(client, users, open_panel):
    client.force_login(users["secretariat"])
    for model in ["panel", "expertprofile", "conflictdeclaration", "evaluationevent",
                  "consultationround", "presentationslot"]:
        assert client.get(f"/en/admin/evaluation/{model}/").status_code == 200, model
    assert client.get(f"/en/admin/evaluation/panel/{open_panel.pk}/change/").status_code == 200
    slot = open_panel.slots.first()
    assert client.get(f"/en/admin/evaluation/presentationslot/{slot.pk}/change/"
                      ).status_code == 200
