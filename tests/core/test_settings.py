"""Production mode refuses to start without a real secret; demo mode keeps a generated one."""

import os
import subprocess
import sys


def run_settings(env: dict) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    full = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "KCITY_MODE"}}
    full.update(env, DJANGO_SETTINGS_MODULE="kcity.settings")
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True)


def test_production_refuses_without_secret_key(tmp_path):
    result = run_settings({"KCITY_MODE": "production", "KCITY_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "needs a real SECRET_KEY" in result.stderr


def test_production_refuses_an_insecure_key(tmp_path):
    result = run_settings(
        {"KCITY_MODE": "production", "SECRET_KEY": "django-insecure-" + "x" * 60,
         "KCITY_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0


def test_production_runs_with_debug_off(tmp_path):
    key = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2
    result = run_settings(
        {"KCITY_MODE": "production", "SECRET_KEY": key, "KCITY_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_demo_generates_and_keeps_a_secret(tmp_path):
    first = run_settings({"KCITY_MODE": "demo", "KCITY_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    run_settings({"KCITY_MODE": "demo", "KCITY_DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == key


def test_unknown_mode_is_refused(tmp_path):
    result = run_settings({"KCITY_MODE": "staging", "KCITY_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "KCITY_MODE" in result.stderr
