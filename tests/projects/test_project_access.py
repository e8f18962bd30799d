"""Issue 17 item 5: the project list, page and download go through `visible_projects`:
the secretariat of the track (MOLIT all), the contractor, the host government and the
confirmed consortium members; everyone else gets 404. Both languages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from project_helpers import pdf_upload

from kcity import permissions
from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.applications.models import ConsortiumMember
from kcity.projects import services
from kcity.projects.models import PartyRole, Project


def _url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


@pytest.fixture
def setup(published, staff, world):
    """A planning project with a contractor, a confirmed and an invited member and a signed
    framework party."""
    project = Project.objects.filter(proposal__track__kind="planning").order_by("pk").first()
    contractor = world["contractor"]
    project = services.set_contractor(project=project, by=staff,
                                      contractor=contractor.organisation)
    party = services.add_party(project=project, by=staff, role=PartyRole.MOLIT, name="MOLIT")
    party = services.sign_party(party=party, by=staff, upload=pdf_upload(),
                                signed_on=dt.date(2025, 1, 2))

    def applicant(name):
        org = Organisation.objects.create(kind=OrgKind.KOREAN_COMPANY, name=name, country="KR",
                                          verified_at=timezone.now())
        return User.objects.create_user(username=name, password="x", role=Role.APPLICANT,
                                        organisation=org)

    member, invited, stranger = applicant("member"), applicant("invited"), applicant("stranger")
    ConsortiumMember.objects.create(
        proposal=project.proposal, invited_name="Member", email="m@example.org",
        role="technology", organisation=member.organisation, confirmed_at=timezone.now(),
        token="member-token")
    ConsortiumMember.objects.create(
        proposal=project.proposal, invited_name="Invited", email="i@example.org",
        role="technology", organisation=invited.organisation, token="invited-token")
    host = User.objects.create_user(username="host", password="x", role=Role.APPLICANT,
                                    organisation=project.proposal.organisation)
    return {"project": project, "party": party, "contractor": contractor, "host": host,
            "member": member, "invited": invited, "stranger": stranger}


def _sees(client, user, project, party) -> tuple[bool, bool, bool]:
    client.force_login(user)
    listed = project.proposal.title in client.get(_url("projects:list")).content.decode()
    page = client.get(_url("projects:detail", project.pk)).status_code
    download = client.get(_url("projects:framework_document", project.pk, party.pk))
    assert page in (200, 404) and download.status_code in (200, 404)
    client.logout()
    return listed, page == 200, download.status_code == 200


def test_who_sees_a_planning_project(client, setup, staff, world, kind_user, kaia_user):
    project, party = setup["project"], setup["party"]
    for user in (staff, kind_user, setup["contractor"], setup["host"], setup["member"]):
        assert _sees(client, user, project, party) == (True, True, True), user.username
    for user in (kaia_user, setup["invited"], setup["stranger"], world["evaluator"]):
        assert _sees(client, user, project, party) == (False, False, False), user.username
        assert not permissions.visible_projects(user).filter(pk=project.pk).exists()


def test_a_stranger_is_sent_to_log_in(client, setup):
    response = client.get(_url("projects:detail", setup["project"].pk))
    assert response.status_code == 302 and "login" in response["Location"]
    assert permissions.visible_projects(None).count() == 0


def test_the_page_in_both_languages(client, setup, staff):
    project = setup["project"]
    client.force_login(staff)
    english = client.get(_url("projects:detail", project.pk, lang="en")).content.decode()
    for words in ("Cooperation framework", "No tender yet.", "No deliverable yet.",
                  "No payment yet.", "Audit trail", "Capacity building", "Follow-on"):
        assert words in english
    assert project.proposal.title in english
    korean = client.get(_url("projects:detail", project.pk, lang="ko")).content.decode()
    for words in ("협력", "입찰", "감사 기록"):
        assert words in korean
    assert "No tender yet." not in korean
    listing = client.get(_url("projects:list", lang="ko")).content.decode()
    assert project.proposal.title in listing and "사업" in listing


def test_the_secretariat_moves_the_project_from_its_page(client, setup, staff):
    project = setup["project"]
    client.force_login(staff)
    response = client.post(_url("projects:move", project.pk),
                           {"to": "cancelled", "reason": "The host withdrew."})
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).state == "cancelled"


def test_others_cannot_move_it(client, setup):
    project = setup["project"]
    client.force_login(setup["host"])
    client.post(_url("projects:move", project.pk), {"to": "cancelled", "reason": "No."})
    assert Project.objects.get(pk=project.pk).state == "agreement_pending"
    client.force_login(setup["stranger"])
    response = client.post(_url("projects:move", project.pk), {"to": "cancelled",
                                                               "reason": "No."})
    assert response.status_code == 404


def test_the_secretariat_records_from_the_page(client, setup, staff):
    project = setup["project"]
    client.force_login(staff)
    client.post(_url("projects:add_party", project.pk), {"role": "consultant",
                                                          "name": "Hana Engineering"})
    party = project.framework_parties.get(role="consultant")
    client.post(_url("projects:sign_party", project.pk, party.pk),
                {"signed_on": "2025-01-05", "document": pdf_upload()})
    party.refresh_from_db()
    assert party.signed and party.signed_on == dt.date(2025, 1, 5)
    client.post(_url("projects:record_training", project.pk), {
        "kind": "seminar", "title": "Kick-off seminar", "starts_on": "2025-02-03",
        "ends_on": "2025-02-03", "online": "1", "participants": "30",
        "share_molit": "1000000"})
    training = project.trainings.get()
    assert (training.participants, training.online, training.cost_shares) == (
        30, True, {"molit": 1_000_000})
    client.post(_url("projects:record_follow_on", project.pk), {
        "kind": "ppp", "on": "2026-05-01", "partners": "City and Korean investors",
        "amount": "2000000000"})
    assert project.follow_ons.get().amount == 2_000_000_000
    page = client.get(_url("projects:detail", project.pk)).content.decode()
    assert "Kick-off seminar" in page and "City and Korean investors" in page


def test_others_cannot_record(client, setup):
    project = setup["project"]
    client.force_login(setup["host"])
    response = client.post(_url("projects:add_party", project.pk),
                           {"role": "consultant", "name": "Mine"})
    assert response.status_code == 302
    assert not project.framework_parties.filter(role="consultant").exists()
    client.force_login(setup["stranger"])
    response = client.post(_url("projects:record_training", project.pk), {
        "kind": "seminar", "title": "x", "starts_on": "2025-02-03", "ends_on": "2025-02-03",
        "online": "1", "participants": "3"})
    assert response.status_code == 404 and not project.trainings.exists()
