"""Two-factor log-in (django-otp): enrolment, the code step, recovery codes, and who is asked.

With KCITY_REQUIRE_2FA (production's default) the secretariat, evaluators and staff must
enrol; anyone who has a device enters a code at every log-in, whatever the setting.
"""

import re
import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

import kcity.settings as kcity_settings
from kcity.accounts import two_factor
from kcity.accounts.models import Organisation, OrgKind, Role, SecretariatUnit, User

PASSWORD = "correct horse battery"
ENROL = "/en/accounts/2fa/enrol/"
STEP = "/en/accounts/2fa/"


def code_at(device, steps_ahead: int) -> str:
    """The code the app shows `steps_ahead` 30-second steps from now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, steps_ahead):06d}"


def fresh(device) -> str:
    """A code for the next time step: later than any code used before in this test."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, 1):06d}"


@pytest.fixture
def required(settings):
    settings.KCITY_REQUIRE_2FA = True


@pytest.fixture
def molit(db):
    org = Organisation.objects.create(kind=OrgKind.SECRETARIAT, name="MOLIT", country="KR",
                                      secretariat_unit=SecretariatUnit.MOLIT)
    return User.objects.create_user(username="staff", password=PASSWORD, organisation=org,
                                    role=Role.SECRETARIAT, is_staff=True)


@pytest.fixture
def applicant(db):
    return User.objects.create_user(username="applicant", password=PASSWORD,
                                    role=Role.APPLICANT)


def log_in(client, user):
    response = client.post("/en/accounts/login/",
                           {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(ENROL, {"token": code_at(device, 0), "next": "/en/proposals/screening/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    return device, codes


@pytest.mark.parametrize("path", [
    "/en/accounts/profile/", "/en/proposals/screening/", "/en/admin/", "/ko/admin/",
    "/en/selection/", "/en/evaluation/",
])
def test_the_secretariat_without_a_device_is_sent_to_enrolment_from_every_page(
    client, required, molit, path
):
    log_in(client, molit)
    response = client.get(path)
    assert response.status_code == 302
    assert re.match(r"^/(en|ko)/accounts/2fa/enrol/\?next=", response["Location"])
    # Log-out and the language switch still answer.
    assert client.post("/i18n/setlang/", {"language": "ko", "next": "/"}).status_code == 302
    assert client.post("/en/accounts/logout/").status_code == 302


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.SECRETARIAT])
def test_evaluators_and_secretariat_roles_need_it(client, required, db, role):
    user = User.objects.create_user(username="u", password=PASSWORD, role=role)
    log_in(client, user)
    assert client.get("/en/accounts/profile/")["Location"].startswith(ENROL)


def test_an_applicant_is_not_asked(client, required, applicant):
    log_in(client, applicant)
    assert client.get("/en/accounts/profile/").status_code == 200
    assert client.get("/en/proposals/").status_code == 200


def test_enrolment_shows_a_qr_code_and_the_secret_and_then_ten_codes_once(
    client, required, molit
):
    log_in(client, molit)
    page = client.get(ENROL + "?next=/en/proposals/screening/")
    text = page.content.decode()
    device = TOTPDevice.objects.get(user=molit)
    assert not device.confirmed
    assert '<svg' in text and 'class="segno"' in text
    assert two_factor.secret_text(device) in text
    again = client.get(ENROL).content.decode()
    assert again.count(two_factor.secret_text(device)) == 1  # the same device, not a new one
    wrong = client.post(ENROL, {"token": "000000" if code_at(device, 0) != "000000" else "111111"})
    assert wrong.status_code == 200 and "This code is not right" in wrong.content.decode()
    assert client.get("/en/proposals/screening/").status_code == 302  # still not through
    # django-otp throttles after a wrong code: even the right one waits a second.
    throttled = client.post(ENROL, {"token": code_at(device, 0)})
    assert "Too many wrong codes" in throttled.content.decode()
    time.sleep(1.1)

    done = client.post(ENROL, {"token": code_at(device, 0), "next": "/en/proposals/screening/"})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"] and "no-store" in page["Cache-Control"]
    assert 'href="/en/proposals/screening/"' in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    stored = StaticToken.objects.filter(device__user=molit).values_list("token", flat=True)
    assert sorted(stored) == sorted(codes)
    # Verified in this session: every page and the admin open.
    assert client.get("/en/proposals/screening/").status_code == 200
    assert client.get("/en/admin/").status_code == 200
    # The codes are not shown again, and enrolling again starts a new device.
    again = client.get(ENROL)
    assert not any(c in again.content.decode() for c in codes)


def test_log_in_with_a_device_asks_for_the_code(client, required, molit):
    log_in(client, molit)
    device, _codes = enrol(client, molit)
    client.post("/en/accounts/logout/")

    log_in(client, molit)
    page = client.get("/en/proposals/screening/")
    assert page["Location"] == STEP + "?next=%2Fen%2Fproposals%2Fscreening%2F"
    # The enrolment page cannot replace the device with the password alone.
    assert client.get(ENROL)["Location"].startswith(STEP)
    assert client.get("/en/admin/")["Location"].startswith(STEP)
    wrong = client.post(STEP, {"otp_token": "12345x", "next": "/en/proposals/screening/"})
    assert wrong.status_code == 200 and "This code is not right" in wrong.content.decode()
    ok = client.post(STEP, {"otp_token": fresh(device), "next": "/en/proposals/screening/"})
    assert ok.status_code == 302 and ok["Location"] == "/en/proposals/screening/"
    assert client.get("/en/proposals/screening/").status_code == 200
    assert client.get("/en/admin/").status_code == 200


def test_a_recovery_code_works_once(client, required, molit):
    log_in(client, molit)
    _device, codes = enrol(client, molit)
    client.post("/en/accounts/logout/")

    log_in(client, molit)
    used = client.post(STEP, {"otp_token": codes[3], "next": "/en/accounts/profile/"})
    assert used.status_code == 302 and used["Location"] == "/en/accounts/profile/"
    assert client.get("/en/accounts/profile/").status_code == 200
    assert StaticToken.objects.filter(device__user=molit).count() == 9
    client.post("/en/accounts/logout/")

    log_in(client, molit)
    again = client.post(STEP, {"otp_token": codes[3]})
    assert again.status_code == 200 and "This code is not right" in again.content.decode()
    assert client.get("/en/accounts/profile/").status_code == 302
    throttled = client.post(STEP, {"otp_token": codes[4]})
    assert "Too many wrong codes" in throttled.content.decode()
    time.sleep(1.1)
    assert client.post(STEP, {"otp_token": codes[4]}).status_code == 302


def test_without_the_requirement_2fa_is_offered_and_a_device_still_asks(client, settings, molit):
    settings.KCITY_REQUIRE_2FA = False  # the demo
    log_in(client, molit)
    assert client.get("/en/admin/").status_code == 200  # the demo's secretariat log-in
    profile = client.get("/en/accounts/profile/").content.decode()
    assert 'id="two-factor-link"' in profile
    device, _codes = enrol(client, molit)
    client.post("/en/accounts/logout/")
    log_in(client, molit)
    assert client.get("/en/accounts/profile/")["Location"].startswith(STEP)
    assert client.post(STEP, {"otp_token": fresh(device)}).status_code == 302
    assert client.get("/en/accounts/profile/").status_code == 200


def test_an_applicant_may_enrol_and_is_then_asked(client, required, applicant):
    log_in(client, applicant)
    device, codes = enrol(client, applicant)
    assert len(codes) == 10
    other = Client()
    log_in(other, applicant)
    assert other.get("/en/proposals/")["Location"].startswith(STEP)


def test_a_code_from_another_users_device_is_refused(client, required, molit, applicant):
    log_in(client, applicant)
    applicant_device, _ = enrol(client, applicant)
    staff = Client()
    log_in(staff, molit)
    enrol(staff, molit)
    staff.post("/en/accounts/logout/")
    log_in(staff, molit)
    refused = staff.post(STEP, {"otp_token": fresh(applicant_device),
                                "otp_device": applicant_device.persistent_id})
    assert refused.status_code == 200
    assert staff.get("/en/accounts/profile/").status_code == 302


def test_the_production_settings_require_it_and_the_demo_does_not(settings):
    assert kcity_settings.KCITY_REQUIRE_2FA == kcity_settings.PRODUCTION
    assert settings.MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") == (
        settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
    assert settings.MIDDLEWARE.index("kcity.accounts.middleware.TwoFactorMiddleware") == (
        settings.MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1
    )

