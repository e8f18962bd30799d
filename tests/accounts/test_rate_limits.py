"""Rate limits (django-ratelimit) on registration, password-reset requests and invitation
links: per client address (the lock-out's address) and, for the forms that name an account,
per e-mail address. The request over a limit gets a 429 page in the visitor's language,
changes nothing, and leaves other addresses alone; the count starts again after the window.
"""

import importlib
from unittest import mock

import pytest
from django.core import mail

import kcity.settings as kcity_settings
from kcity.accounts.models import Role, User

PASSWORD = "Seoul-smart-2026!"
RESET = "/en/accounts/password-reset/"
REGISTER = "/en/accounts/register/government/"
HOUR = 3600


def government(n: int, **extra) -> dict:
    return {
        "applicant_type": "government", "name": f"City {n} People's Committee",
        "country": "VN", "gov_level": "local", "city": f"City {n}",
        "first_name": "Linh", "last_name": "Tran", "email": f"linh{n}@city{n}.gov.vn",
        "username": f"linh{n}", "password1": PASSWORD, "password2": PASSWORD, **extra,
    }


@pytest.fixture
def limits(settings):
    settings.KCITY_RATE_LIMITS = {
        "register_ip": "3/h", "register_email": "2/h",
        "password_reset_ip": "4/h", "password_reset_email": "2/h",
        "invitation_ip": "3/h", "login_ip": "4/h",
    }
    return settings.KCITY_RATE_LIMITS


def later(seconds: int):
    """The clock django-ratelimit reads, moved on by `seconds`."""
    import time

    now = time.time()
    return mock.patch("django_ratelimit.core.time.time", return_value=now + seconds)


def test_the_limits_come_from_the_environment(settings, monkeypatch):
    assert settings.KCITY_RATE_LIMITS == {
        "register_ip": "10/h", "register_email": "3/h", "password_reset_ip": "10/h",
        "password_reset_email": "3/h", "invitation_ip": "30/h", "login_ip": "100/h",
    }
    assert "django_ratelimit" in settings.INSTALLED_APPS
    monkeypatch.setenv("KCITY_RATE_REGISTER", "5/15m")
    monkeypatch.setenv("KCITY_RATE_INVITATION", "off")
    try:
        configured = importlib.reload(kcity_settings).KCITY_RATE_LIMITS
    finally:
        monkeypatch.undo()
        importlib.reload(kcity_settings)
    assert configured["register_ip"] == "5/15m" and configured["invitation_ip"] is None
    assert configured["login_ip"] == "100/h"


def test_registration_is_limited_per_address_in_both_languages(client, db, limits):
    for n in range(3):
        response = client.post(REGISTER, government(n), REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302, response.content.decode()[:500]
        client.logout()
    assert User.objects.filter(username__startswith="linh").count() == 3
    over = client.post(REGISTER, government(3), REMOTE_ADDR="203.0.113.7")
    assert over.status_code == 429 and int(over["Retry-After"]) > 0
    page = over.content.decode()
    assert 'id="rate-limited"' in page and "Too many requests" in page
    assert not User.objects.filter(username="linh3").exists()  # nothing was written
    ko = client.post(REGISTER.replace("/en/", "/ko/"), government(4), REMOTE_ADDR="203.0.113.7")
    assert ko.status_code == 429 and 'lang="ko"' in ko.content.decode()
    assert "요청이 너무 많습니다" in ko.content.decode()
    # Another address registers as usual; the page itself still opens for a GET.
    other = client.post(REGISTER, government(5), REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 302 and User.objects.filter(username="linh5").exists()
    client.logout()
    assert client.get(REGISTER, REMOTE_ADDR="203.0.113.7").status_code == 200
    # After the window the address may register again.
    with later(HOUR + 60):
        again = client.post(REGISTER, government(6), REMOTE_ADDR="203.0.113.7")
    assert again.status_code == 302 and User.objects.filter(username="linh6").exists()


def test_registration_is_limited_per_email_address_from_any_address(client, db, limits):
    # The same mailbox tried from three addresses: the third try is refused, whatever the
    # form says about the first ones (a duplicate e-mail is a form error, not a 302).
    tries = []
    for n in range(1, 4):
        tries.append(client.post(REGISTER, government(n, email="victim@city.gov.vn"),
                                 REMOTE_ADDR=f"192.0.2.{n}"))
        client.logout()
    assert [r.status_code for r in tries] == [302, 200, 429]
    assert User.objects.filter(email="victim@city.gov.vn").count() == 1
    assert client.post(REGISTER, government(9), REMOTE_ADDR="192.0.2.3").status_code == 302


def test_behind_a_proxy_the_forwarded_client_is_counted(client, db, limits, settings):
    settings.KCITY_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"  # every request comes through the same proxy
    for n in range(3):
        response = client.post(REGISTER, government(n), REMOTE_ADDR=proxy,
                               HTTP_X_FORWARDED_FOR=f"forged, 203.0.113.{n}")
        assert response.status_code == 302
        client.logout()
    # Three clients, one each: none is limited, although the proxy carried all of them.
    response = client.post(REGISTER, government(7), REMOTE_ADDR=proxy,
                           HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert response.status_code == 302


def test_password_reset_is_limited_per_email_and_per_address(
        client, db, limits, django_capture_on_commit_callbacks):
    User.objects.create_user(username="amina", email="amina@city.gov.vn", password=PASSWORD,
                             role=Role.APPLICANT)
    with django_capture_on_commit_callbacks(execute=True):
        # One mailbox however it is typed (core.text.same_mailbox).
        sent = [client.post(RESET, {"email": typed}, REMOTE_ADDR=f"192.0.2.{n}")
                for n, typed in enumerate(
                    ["amina@city.gov.vn", "AMINA@city.gov.vn", " amina@CITY.gov.vn "], 1)]
    assert [r.status_code for r in sent] == [302, 302, 429]
    assert len(mail.outbox) == 2  # the third request sent nothing
    assert "Too many requests" in sent[2].content.decode()
    # The address limit counts every e-mail address: the fifth from one address is refused.
    for n in range(4):
        assert client.post(RESET, {"email": f"x{n}@example.org"},
                           REMOTE_ADDR="203.0.113.9").status_code == 302
    assert client.post(RESET, {"email": "x9@example.org"},
                       REMOTE_ADDR="203.0.113.9").status_code == 429
    assert client.post(RESET, {"email": "x9@example.org"},
                       REMOTE_ADDR="203.0.113.10").status_code == 302
    with later(HOUR + 60):
        assert client.post(RESET, {"email": "amina@city.gov.vn"},
                           REMOTE_ADDR="192.0.2.1").status_code == 302


def test_an_invitation_link_is_limited_per_address(client, db, limits):
    user = User.objects.create_user(username="partner", email="p@example.org",
                                    password=PASSWORD, role=Role.APPLICANT)
    client.force_login(user)
    guesses = [client.get(f"/en/proposals/invitations/guess-{n}/", REMOTE_ADDR="203.0.113.5")
               for n in range(4)]
    assert [r.status_code for r in guesses] == [404, 404, 404, 429]
    assert 'id="rate-limited"' in guesses[3].content.decode()
    assert client.get("/en/proposals/invitations/guess-9/",
                      REMOTE_ADDR="203.0.113.6").status_code == 404
    with later(HOUR + 60):
        assert client.get("/en/proposals/invitations/guess-9/",
                          REMOTE_ADDR="203.0.113.5").status_code == 404


def test_log_in_attempts_are_limited_per_address_whatever_the_account(client, db, limits):
    for name in ("amina", "bo-ra"):
        User.objects.create_user(username=name, password=PASSWORD, role=Role.APPLICANT)
    login = "/en/accounts/login/"
    # Two wrong passwords for each of two accounts: under the lock-out's 5 per account.
    for name in ("amina", "bo-ra", "amina", "bo-ra"):
        assert client.post(login, {"username": name, "password": "wrong"},
                           REMOTE_ADDR="203.0.113.8").status_code == 200
    over = client.post(login, {"username": "amina", "password": PASSWORD},
                       REMOTE_ADDR="203.0.113.8")
    assert over.status_code == 429 and 'id="rate-limited"' in over.content.decode()
    assert "_auth_user_id" not in client.session  # not logged in
    assert client.get(login, REMOTE_ADDR="203.0.113.8").status_code == 200  # the form opens
    ok = client.post(login, {"username": "amina", "password": PASSWORD},
                     REMOTE_ADDR="198.51.100.8")
    assert ok.status_code == 302
    client.logout()
    with later(HOUR + 60):
        again = client.post(login, {"username": "bo-ra", "password": PASSWORD},
                            REMOTE_ADDR="203.0.113.8")
    assert again.status_code == 302


def test_a_limit_can_be_turned_off(client, db, settings):
    settings.KCITY_RATE_LIMITS = {**settings.KCITY_RATE_LIMITS, "password_reset_ip": None,
                                  "password_reset_email": None}
    for n in range(15):
        assert client.post(RESET, {"email": "same@example.org"},
                           REMOTE_ADDR="203.0.113.1").status_code == 302, n
