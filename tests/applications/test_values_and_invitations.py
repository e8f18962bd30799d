"""Issue 15, items 5 and 7 on proposals: invisible titles and names are blank, an invited
address's local part is at most 64 characters, an invitation is answered only by the
invited address, and an overseas partner counts once the secretariat has verified it."""

import pytest
from django.core.exceptions import ValidationError

from kcity.accounts import services as accounts_services
from kcity.accounts.models import Organisation, OrgKind, PartnerType, Role, User
from kcity.applications import rules, services
from kcity.applications.models import ConsortiumMember, Proposal
from kcity.applications.models import ProposalState as S
from kcity.core.errors import Refused

INVISIBLE_TITLE = "\u200b\u3164 \ufeff\u2060\u115f\u1160\uffa0\u200c\u200d"


def key():
    return services.new_submit_key()


# ---- titles and names -----------------------------------------------------------------------


def test_an_invisible_title_is_refused_everywhere(client, ready_demo, users, demo_track):
    company = users["company-applicant"]
    client.force_login(company)
    before = Proposal.objects.count()
    response = client.post("/en/proposals/new/", {"track": demo_track.pk, "title": INVISIBLE_TITLE})
    assert "This field is required." in response.content.decode()
    assert Proposal.objects.count() == before
    with pytest.raises(Refused, match="Give the proposal a title"):
        services.create_proposal(by=company, track=demo_track, title=INVISIBLE_TITLE)
    assert Proposal.objects.count() == before

    url = f"/en/proposals/{ready_demo.pk}/edit/"
    response = client.post(url, {"title": INVISIBLE_TITLE, "requested_amount": "1"})
    assert "This field is required." in response.content.decode()
    bad = client.post(f"/en/proposals/{ready_demo.pk}/autosave/",
                      {"title": "\u3164", "requested_amount": "1"})
    assert bad.status_code == 400 and "title" in bad.json()["errors"]
    with pytest.raises(Refused, match="Give the proposal a title"):
        services.update_proposal(proposal=ready_demo, by=company, data={"title": "\u200b"})
    fresh = Proposal.objects.get(pk=ready_demo.pk)
    assert (fresh.title, fresh.requested_amount) == ("Test crosswalk", 400_000_000)


def test_the_model_refuses_an_invisible_title_and_member_name(ready_demo):
    ready_demo.title = "\u3164\u3164"
    with pytest.raises(ValidationError) as exc:
        ready_demo.full_clean()
    assert exc.value.message_dict["title"] == ["This field is required."]
    member = ready_demo.members.first()
    member.invited_name = "\ufeff"
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert "invited_name" in exc.value.message_dict


def test_invitation_name_and_long_local_part_are_refused(client, ready_demo, users):
    company = users["company-applicant"]
    client.force_login(company)
    count = ConsortiumMember.objects.count()
    url = f"/en/proposals/{ready_demo.pk}/members/"
    response = client.post(url, {"name": "\u200b\u3164", "email": "ok@example.org",
                                 "role": "site_host"}, follow=True)
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"name": "ITB", "email": "a" * 65 + "@itb.ac.id",
                                 "role": "site_host"}, follow=True)
    assert "at most 64 characters" in response.content.decode()
    assert ConsortiumMember.objects.count() == count
    with pytest.raises(Refused, match="at most 64 characters"):
        services.invite_member(proposal=ready_demo, by=company, name="ITB",
                               email="a" * 65 + "@itb.ac.id",
                               role="site_host")
    with pytest.raises(Refused, match="name of the invited organisation"):
        services.invite_member(proposal=ready_demo, by=company, name="\u3164", email="b@itb.ac.id",
                               role="site_host")
    assert ConsortiumMember.objects.count() == count
    member = services.invite_member(proposal=ready_demo, by=company, name="ITB",
                                    email="a" * 64 + "@itb.ac.id", role="site_host")
    assert member.pk


# ---- an invitation is bound to its address --------------------------------------------------


def _unanswered(member) -> bool:
    member.refresh_from_db()
    return (member.confirmed_at, member.declined_at, member.organisation_id) == (None, None, None)


def test_only_the_invited_address_answers(client, demo_track, users, stranger):
    company, partner = users["company-applicant"], users["partner"]
    p = services.create_proposal(by=company, track=demo_track, title="Bound invitation")
    member = services.invite_member(proposal=p, by=company, name="UI", email=partner.email,
                                    role="site_host")
    url = f"/en/proposals/invitations/{member.token}/"
    # Someone else with the link is told at once, and offered no buttons.
    client.force_login(stranger)
    page = client.get(url).content.decode()
    assert "only an account with that e-mail address can answer it" in page
    assert "Confirm our participation" not in page
    client.force_login(partner)
    assert "Confirm our participation" in client.get(url).content.decode()
    # Someone else with the link: refused, clearly, whether confirming or declining.
    for answer in ("confirm", "decline"):
        with pytest.raises(Refused, match="only an account with that e-mail address"):
            services.respond_to_invitation(token=member.token, by=stranger,
                                           accept=answer == "confirm")
        client.force_login(stranger)
        page = client.post(url, {"answer": answer}, follow=True).content.decode()
        assert "This invitation was sent to partner@demo.kcitynetwork.kr" in page
        assert _unanswered(member)
    # The lead's own people (not the invited address) are refused too.
    with pytest.raises(Refused):
        services.respond_to_invitation(token=member.token, by=company, accept=True)
    assert _unanswered(member)
    # The invited address confirms.
    client.force_login(partner)
    client.post(url, {"answer": "confirm"})
    member.refresh_from_db()
    assert member.confirmed_at and member.organisation == partner.organisation


def test_the_address_is_compared_without_case(demo_track, users):
    company, partner = users["company-applicant"], users["partner"]
    partner.email = "Partner@Demo.KCityNetwork.kr"
    partner.save(update_fields=["email"])
    p = services.create_proposal(by=company, track=demo_track, title="Case test")
    member = services.invite_member(proposal=p, by=company, name="UI",
                                    email="PARTNER@demo.kcitynetwork.KR",
                                    role="site_host")
    assert member.email == "partner@demo.kcitynetwork.kr"  # stored lower-cased
    services.respond_to_invitation(token=member.token, by=partner, accept=True)
    member.refresh_from_db()
    assert member.confirmed_at is not None


def test_the_invitation_page_in_korean_refuses_in_korean(client, demo_track, users, stranger):
    company = users["company-applicant"]
    p = services.create_proposal(by=company, track=demo_track, title="Korean refusal")
    member = services.invite_member(proposal=p, by=company, name="UI", email="x@ui.ac.id",
                                    role="site_host")
    client.force_login(stranger)
    page = client.post(f"/ko/proposals/invitations/{member.token}/", {"answer": "confirm"},
                       follow=True).content.decode()
    assert "x@ui.ac.id" in page and "이메일" in page
    assert _unanswered(member)


# ---- the overseas partner must be verified --------------------------------------------------


def _institution_user(**org) -> User:
    organisation = Organisation.objects.create(
        kind=OrgKind.PARTNER, name="Institut Teknologi Bandung", country="ID", city="Bandung",
        partner_type=PartnerType.UNIVERSITY, **org,
    )
    return User.objects.create_user("itb", "ayu@itb.ac.id", "pw-itb-12345",
                                    organisation=organisation, role=Role.APPLICANT)


def test_an_unverified_overseas_partner_does_not_count_until_verified(
    client, ready_demo, users
):
    company = users["company-applicant"]
    ready_demo.members.all().delete()
    itb = _institution_user()
    member = services.invite_member(proposal=ready_demo, by=company, name="ITB", email=itb.email,
                                    role="site_host")
    services.respond_to_invitation(token=member.token, by=itb, accept=True)
    member.refresh_from_db()
    assert member.confirmed_at and not rules.qualifying_consortium_member(member)
    message = "has not verified it yet"
    with pytest.raises(Refused, match=message):
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.DRAFT
    checklist = {c["code"]: c["ok"] for c in rules.checklist(ready_demo)}
    assert checklist["consortium"] is False
    client.force_login(company)
    page = client.get(f"/en/proposals/{ready_demo.pk}/submit/").content.decode()
    assert "Institut Teknologi Bandung has confirmed, but the secretariat has not" in page

    accounts_services.verify_organisations(organisations=[itb.organisation],
                                           by=users["secretariat"])
    assert rules.consortium_problems(Proposal.objects.get(pk=ready_demo.pk)) == []
    assert services.submit_proposal(proposal=ready_demo, by=company, key=key())
    assert Proposal.objects.get(pk=ready_demo.pk).state == S.SUBMITTED


def test_a_self_registered_public_institution_joins_and_counts_once_verified(
    client, ready_demo, users
):
    company = users["company-applicant"]
    ready_demo.members.all().delete()
    response = client.post("/en/accounts/register/institution/", {
        "partner_type": "public_institution", "name": "Bandung Smart City Agency",
        "country": "ID", "city": "Bandung", "first_name": "Sari", "last_name": "Wulan",
        "email": "sari@bandung.go.id", "username": "sari",
        "password1": "Seoul-smart-2026!", "password2": "Seoul-smart-2026!",
    })
    assert response.status_code == 302
    sari = User.objects.get(username="sari")
    member = services.invite_member(proposal=ready_demo, by=company,
                                    name="Bandung Smart City Agency",
                                    email="Sari@Bandung.go.id", role="site_host")
    page = client.post(f"/en/proposals/invitations/{member.token}/", {"answer": "confirm"},
                       follow=True)
    assert page.status_code == 200
    member.refresh_from_db()
    assert member.organisation == sari.organisation
    with pytest.raises(Refused, match="has not verified it yet"):
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    accounts_services.verify_organisations(organisations=[sari.organisation],
                                           by=users["secretariat"])
    assert services.submit_proposal(proposal=ready_demo, by=company, key=key())
    # It does not lead a proposal of its own.
    with pytest.raises(Refused, match="cannot apply"):
        services.create_proposal(by=sari, track=ready_demo.track, title="Our own")


def test_an_unverified_foreign_government_partner_does_not_count(ready_demo, users, stranger):
    company = users["company-applicant"]
    ready_demo.members.all().delete()
    member = services.invite_member(proposal=ready_demo, by=company, name="Another City",
                                    email=stranger.email, role="site_host")
    services.respond_to_invitation(token=member.token, by=stranger, accept=True)
    with pytest.raises(Refused, match="Another City has confirmed"):
        services.submit_proposal(proposal=ready_demo, by=company, key=key())
    Organisation.objects.filter(pk=stranger.organisation_id).update(
        verified_at=users["secretariat"].date_joined
    )
    assert services.submit_proposal(proposal=ready_demo, by=company, key=key())


def test_the_member_model_refuses_a_long_local_part(ready_demo):
    member = ready_demo.members.first()
    member.email = "m" * 65 + "@ui.ac.id"
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert "at most 64" in exc.value.message_dict["email"][0]
