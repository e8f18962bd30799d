"""KCITY_CACHE_URL: sessions read from a cache every portal process shares (Redis), written
through to the database, so a log-out ends the session for every process at once."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.redis

CACHED_DB_PREFIX = "django.contrib.sessions.cached_db"


@pytest.fixture
def shared_cache(settings):
    prefix = f"kcity-test-{os.getpid()}"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["KCITY_TEST_REDIS_URL"], "KEY_PREFIX": prefix,
    }}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield prefix
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)  # only this run's keys, not the database
    for name in client.scan_iter(f"{prefix}:*"):
        client.delete(name)


def seen_by_another_process(prefix: str, session_key: str) -> bool:
    """Does a separate process, with its own connection to the cache, find the session?"""
    code = (
        "import django, sys\n"
        "from django.conf import settings\n"
        "settings.configure(CACHES={'default': {'BACKEND': "
        "'django.core.cache.backends.redis.RedisCache', 'LOCATION': sys.argv[1], "
        "'KEY_PREFIX': sys.argv[2]}})\n"
        "django.setup()\n"
        "from django.core.cache import cache\n"
        "print(cache.get(sys.argv[3]) is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, os.environ["KCITY_TEST_REDIS_URL"], prefix,
         CACHED_DB_PREFIX + session_key], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


def test_settings_turn_the_shared_cache_on_only_when_named():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="kcity.settings")
    env.pop("KCITY_CACHE_URL", None)
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.split()
    assert plain[0] == "django.contrib.sessions.backends.db"
    env["KCITY_CACHE_URL"] = os.environ["KCITY_TEST_REDIS_URL"]
    shared = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True).stdout.split()
    assert shared == ["django.contrib.sessions.backends.cached_db",
                      "django.core.cache.backends.redis.RedisCache"]


def test_a_page_reads_the_session_from_the_cache_and_a_logout_ends_it_everywhere(
    shared_cache, client, demo
):
    from django.contrib.sessions.models import Session

    from kcity.accounts.models import User

    client.force_login(User.objects.get(username="company-applicant"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()  # written through
    assert seen_by_another_process(shared_cache, key)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/en/proposals/")
    assert page.status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]  # from the cache
    assert client.post("/en/accounts/logout/").status_code == 302
    assert not seen_by_another_process(shared_cache, key)
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # a copied cookie is dead too
    assert client.get("/en/proposals/").status_code == 302  # to the log-in page
