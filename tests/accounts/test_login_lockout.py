"""Passwords hashed with Argon2; repeated wrong passwords lock an account (django-axes).

Policy (settings.AXES_LOCKOUT_PARAMETERS): five wrong passwords for one account from one
address lock that account at that address for 15 minutes. The same address may still log
in to other accounts, and the same account from another address: a stranger cannot lock a
user out by guessing on purpose.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.test import RequestFactory
from django.utils import timezone

import kcity.settings as kcity_settings
from kcity.accounts.models import Role, User
from kcity.accounts.security import client_ip

LOGIN = "/en/accounts/login/"
PASSWORD = "correct horse battery"


@pytest.fixture
def users(db):
    return [
        User.objects.create_user(username=name, password=PASSWORD, role=Role.APPLICANT)
        for name in ("amina", "bo-ra")
    ]


def log_in(client, username, password, address="203.0.113.7", path=LOGIN, **extra):
    return client.post(path, {"username": username, "password": password},
                       REMOTE_ADDR=address, **extra)


def test_the_production_hashers_put_argon2_first_and_upgrade_a_pbkdf2_hash(client, settings, db):
    settings.PASSWORD_HASHERS = kcity_settings.PASSWORD_HASHERS  # not the tests' fast MD5
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in settings.PASSWORD_HASHERS
    old = User.objects.create(username="since-2024", role=Role.APPLICANT,
                              password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert old.password.startswith("pbkdf2_sha256$")
    response = log_in(client, "since-2024", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/en/accounts/profile/"
    old.refresh_from_db()
    assert old.password.startswith("argon2$argon2id$")
    assert old.check_password(PASSWORD)
    new = User.objects.create_user(username="new", password=PASSWORD)
    assert new.password.startswith("argon2$")


def test_the_lockout_settings(settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_five_wrong_passwords_lock_the_account_until_the_cool_off(client, users):
    for attempt in range(4):
        response = log_in(client, "amina", "wrong")
        assert response.status_code == 200, attempt  # the form again, with its error
        assert "Please enter a correct" in response.content.decode()
    fifth = log_in(client, "amina", "wrong")
    assert fifth.status_code == 429
    # The right password is refused too, with a page that says when to try again.
    locked = log_in(client, "amina", PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many attempts" in page and "Try again in 15 minutes, after" in page
    assert "_auth_user_id" not in client.session
    assert client.get("/en/accounts/profile/").status_code == 302  # not logged in

    # Policy: another account from the same address, and this account from another
    # address, still log in.
    other = log_in(client.__class__(), "bo-ra", PASSWORD)
    assert other.status_code == 302
    elsewhere = log_in(client.__class__(), "amina", PASSWORD, address="198.51.100.20")
    assert elsewhere.status_code == 302

    # After the cool-off the right password works again and resets the count.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, "amina", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="amina", ip_address="203.0.113.7").exists()


def test_the_lockout_page_is_in_korean_too(client, users):
    for _ in range(5):
        log_in(client, "amina", "wrong", path="/ko/accounts/login/")
    page = log_in(client, "amina", PASSWORD, path="/ko/accounts/login/")
    assert page.status_code == 429
    text = page.content.decode()
    assert '<html lang="ko">' in text and "15분" in text and "Too many attempts" not in text


def test_a_good_log_in_resets_the_count(client, users):
    for _ in range(4):
        log_in(client, "amina", "wrong")
    assert log_in(client, "amina", PASSWORD).status_code == 302
    client.post("/en/accounts/logout/")
    for _ in range(4):
        assert log_in(client, "amina", "wrong").status_code == 200
    assert log_in(client, "amina", PASSWORD).status_code == 302


def test_forwarded_for_is_believed_only_from_trusted_proxies(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.2",
                          HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    settings.KCITY_TRUSTED_PROXIES = 0  # the demo: anyone can send the header
    assert client_ip(request) == "10.0.0.2"
    settings.KCITY_TRUSTED_PROXIES = 1  # one proxy: it appended the client's address
    assert client_ip(request) == "198.51.100.9"
    settings.KCITY_TRUSTED_PROXIES = 2
    assert client_ip(request) == "1.2.3.4"
    settings.KCITY_TRUSTED_PROXIES = 3  # fewer hops than proxies: not through them
    assert client_ip(request) == "10.0.0.2"


def test_behind_a_proxy_each_client_address_counts_apart(client, users, settings):
    settings.KCITY_TRUSTED_PROXIES = 1
    for _ in range(5):
        log_in(client, "amina", "wrong", address="10.0.0.2",
               HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert log_in(client, "amina", PASSWORD, address="10.0.0.2",
                  HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # A forged left-hand entry does not escape: the proxy's own entry is the one read.
    assert log_in(client, "amina", PASSWORD, address="10.0.0.2",
                  HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").status_code == 429
    assert log_in(client, "amina", PASSWORD, address="10.0.0.2",
                  HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 302
