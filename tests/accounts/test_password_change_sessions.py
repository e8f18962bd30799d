"""A new password ends the user's other sessions and keeps the one that changed it.

Django stores a hash of the password in each session and ends a session whose hash no
longer matches (`get_user`); the change view renews the hash of its own session
(`update_session_auth_hash`). Checked with the sessions in the database, in `cached_db`
(over a local cache, and over Redis when KCITY_TEST_REDIS_URL names one).
"""

import os

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kcity.accounts.models import Role, User

OLD, NEW = "correct horse battery", "staple gun orchard 42"
PROFILE = "/en/accounts/profile/"


@pytest.fixture(params=["db", "cached_db"])
def session_engine(request, settings):
    if request.param == "cached_db":
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"sessions-{os.getpid()}",
        }}
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{request.param}"
    return request.param


@pytest.fixture
def user(db):
    return User.objects.create_user(username="amina", password=OLD, role=Role.APPLICANT,
                                    email="amina@example.org")


def two_sessions(user) -> tuple[Client, Client]:
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert client.post("/en/accounts/login/",
                           {"username": "amina", "password": OLD}).status_code == 302
        assert client.get(PROFILE).status_code == 200
    return here, elsewhere


def test_changing_the_password_ends_the_other_sessions(session_engine, user):
    here, elsewhere = two_sessions(user)
    form = here.get("/en/accounts/password/")
    assert form.status_code == 200
    changed = here.post("/en/accounts/password/", {
        "old_password": OLD, "new_password1": NEW, "new_password2": NEW,
    })
    assert changed.status_code == 302 and changed["Location"] == "/en/accounts/password/done/"
    assert here.get(PROFILE).status_code == 200  # this session goes on
    gone = elsewhere.get(PROFILE)
    assert gone.status_code == 302 and gone["Location"].startswith("/en/accounts/login/")
    # The old password opens nothing; the new one does.
    assert Client().post("/en/accounts/login/",
                         {"username": "amina", "password": OLD}).status_code == 200
    assert Client().post("/en/accounts/login/",
                         {"username": "amina", "password": NEW}).status_code == 302


def test_a_password_reset_ends_every_session(session_engine, user):
    here, elsewhere = two_sessions(user)
    stranger = Client()
    user.refresh_from_db()  # the token covers the last log-in
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = stranger.get(f"/en/accounts/password-reset/{uid}/{token}/")
    assert link.status_code == 302  # Django hides the token behind a session redirect
    done = stranger.post(link["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/en/accounts/password-reset/done/"
    for client in (here, elsewhere):
        assert client.get(PROFILE).status_code == 302


@pytest.mark.redis
def test_over_redis_the_other_sessions_end_too(settings, user):
    prefix = f"kcity-pw-{os.getpid()}"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["KCITY_TEST_REDIS_URL"], "KEY_PREFIX": prefix,
    }}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    here, elsewhere = two_sessions(user)
    here.post("/en/accounts/password/", {
        "old_password": OLD, "new_password1": NEW, "new_password2": NEW,
    })
    assert here.get(PROFILE).status_code == 200
    assert elsewhere.get(PROFILE).status_code == 302
    client = cache._cache.get_client(write=True)  # only this test's keys
    for name in client.scan_iter(f"{prefix}:*"):
        client.delete(name)
