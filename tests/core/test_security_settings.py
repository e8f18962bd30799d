"""Production's security settings: `check --deploy` finds nothing with the README's
environment; HSTS, the HTTPS redirect, secure cookies, framing and the 2FA requirement."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import kcity.settings as kcity_settings

SRC = Path(__file__).resolve().parents[2] / "src"  # this checkout's code, not an installed one
README_ENV = {
    "KCITY_MODE": "production",
    "ALLOWED_HOSTS": "portal.example",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example",
}
SETTINGS = [
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "X_FRAME_OPTIONS",
    "KCITY_REQUIRE_2FA", "KCITY_TRUSTED_PROXIES", "SILENCED_SYSTEM_CHECKS", "DEBUG",
]


def production(tmp_path, code: str, **extra: str) -> subprocess.CompletedProcess:
    # A clean environment: not the test run's database, nor the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE (check --deploy rightly refuses it).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KCITY_", "DJANGO_"))
           and k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}}
    env.update(README_ENV, SECRET_KEY=secrets.token_urlsafe(60), KCITY_DATA_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'kcity.sqlite3'}",
               DJANGO_SETTINGS_MODULE="kcity.settings",
               PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])))
    env.update(extra)
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code],
                          env=env, capture_output=True, text=True, timeout=120)


def read_settings(tmp_path, **extra: str) -> dict:
    code = ("from django.conf import settings; import json\n"
            f"print(json.dumps({{n: getattr(settings, n, None) for n in {SETTINGS!r}}}))")
    result = production(tmp_path, code, **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_finds_no_issue_with_the_readme_settings(tmp_path):
    result = production(tmp_path, "from django.core.management import call_command\n"
                                  "call_command('check', deploy=True)")
    assert result.returncode == 0, result.stderr
    # Two silenced: without KCITY_CACHE_URL the rate-limit counts are per process
    # (django_ratelimit.E003 and W001, explained in settings and the README).
    assert "System check identified no issues (2 silenced)." in result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_with_a_shared_cache_the_rate_limits_raise_no_check(tmp_path):
    result = production(tmp_path, "from django.core.management import call_command\n"
                                  "call_command('check', deploy=True)",
                        KCITY_CACHE_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    # Django's RedisCache (atomic INCR) is supported in fact, not on django-ratelimit's list.
    assert "no issues (1 silenced)" in result.stdout + result.stderr
    values = read_settings(tmp_path, KCITY_CACHE_URL="redis://127.0.0.1:6379/0")
    assert values["SILENCED_SYSTEM_CHECKS"] == ["django_ratelimit.W001"]


def test_production_settings(tmp_path):
    values = read_settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["KCITY_REQUIRE_2FA"] is True
    assert values["KCITY_TRUSTED_PROXIES"] == 1
    assert values["SILENCED_SYSTEM_CHECKS"] == ["django_ratelimit.W001", "django_ratelimit.E003"]


def test_behind_a_redirecting_proxy_the_redirect_can_be_turned_off(tmp_path):
    values = read_settings(tmp_path, KCITY_SSL_REDIRECT="0", KCITY_HSTS_PRELOAD="0")
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_PRELOAD"] is False
    assert values["SILENCED_SYSTEM_CHECKS"] == [
        "django_ratelimit.W001", "django_ratelimit.E003", "security.W008", "security.W021"]
    result = production(tmp_path, "from django.core.management import call_command\n"
                                  "call_command('check', deploy=True)",
                        KCITY_SSL_REDIRECT="0", KCITY_HSTS_PRELOAD="0")
    assert "no issues (4 silenced)" in result.stdout + result.stderr


def test_plain_http_is_redirected_but_the_health_check_answers(tmp_path):
    code = ("from django.test import Client\n"
            "c = Client(HTTP_HOST='portal.example')\n"
            "secure = c.get('/healthz', secure=True)\n"
            "print(c.get('/healthz').status_code, c.get('/en/accounts/login/').status_code,"
            " secure.status_code, repr(secure['Strict-Transport-Security']))")
    result = production(tmp_path, code)
    assert result.returncode == 0, result.stderr
    healthz, page, secure, hsts = result.stdout.split(maxsplit=3)
    assert page == "301"  # plain HTTP is sent to HTTPS
    assert healthz in {"200", "503"}  # answered, not redirected (503: no tables here)
    assert secure in {"200", "503"}
    assert hsts.strip() == "'max-age=31536000; includeSubDomains; preload'"


def test_the_demo_applies_the_content_security_policy_but_asks_no_second_factor(settings):
    if not kcity_settings.PRODUCTION:
        assert kcity_settings.KCITY_REQUIRE_2FA is False
        assert kcity_settings.KCITY_TRUSTED_PROXIES == 0
    assert "csp.middleware.CSPMiddleware" in kcity_settings.MIDDLEWARE
