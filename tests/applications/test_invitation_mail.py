"""The consortium invitation reaches the invitee in a language they read: the account's
language when the address has one, else English and Korean in one mail."""

import pytest
from django.core import mail

from kcity.accounts.models import User
from kcity.applications import services


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    def _invite(proposal, actor, email):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            member = services.invite_member(proposal=proposal, by=actor, name="Invitee",
                                            email=email,
                                            role="site_host")
        assert len(mail.outbox) == 1, "one mail per invitation, whatever the languages"
        return member, mail.outbox[0]
    return _invite


def test_an_unknown_address_gets_english_and_korean_in_one_mail(demo_track, users, invite):
    company = users["company-applicant"]
    p = services.create_proposal(by=company, track=demo_track, title="Smart crossing")
    member, sent = invite(p, company, "nobody-yet@example.org")
    assert sent.to == ["nobody-yet@example.org"]
    assert "invites you to a consortium" in sent.subject
    assert "컨소시엄에 초청합니다" in sent.subject
    assert sent.subject.count("[K-City Network]") == 1
    assert "To confirm your participation, log in and open:" in sent.body
    assert "참여를 확인하려면 로그인한 뒤 다음 주소를 여세요:" in sent.body
    assert f"/en/proposals/invitations/{member.token}/" in sent.body
    assert f"/ko/proposals/invitations/{member.token}/" in sent.body
    assert "Only an account registered with this address (nobody-yet@example.org)" in sent.body
    assert "이 주소(nobody-yet@example.org)로 가입한 계정만" in sent.body
    assert "Smart crossing" in sent.body


def test_an_address_with_a_korean_account_gets_korean_only(demo_track, users, invite):
    company, partner = users["company-applicant"], users["partner"]
    User.objects.filter(pk=partner.pk).update(preferred_language="ko")
    p = services.create_proposal(by=company, track=demo_track, title="Smart crossing")
    member, sent = invite(p, company, partner.email.upper())
    assert "컨소시엄에 초청합니다" in sent.subject and "invites you" not in sent.subject
    assert "참여를 확인하려면" in sent.body and "To confirm" not in sent.body
    assert f"/ko/proposals/invitations/{member.token}/" in sent.body
    assert "/en/proposals/" not in sent.body


def test_an_address_with_an_english_account_gets_english_only(demo_track, users, invite):
    company, partner = users["company-applicant"], users["partner"]
    User.objects.filter(pk=partner.pk).update(preferred_language="en")
    p = services.create_proposal(by=company, track=demo_track, title="Smart crossing")
    member, sent = invite(p, company, partner.email)
    assert "invites you to a consortium" in sent.subject and "초청" not in sent.subject
    assert f"/en/proposals/invitations/{member.token}/" in sent.body
    assert "/ko/proposals/" not in sent.body
