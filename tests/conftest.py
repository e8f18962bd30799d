"""Shared fixtures. The database is whatever DATABASE_URL names (SQLite by default)."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run only against PostgreSQL; they are deselected elsewhere."""
    if _on_postgres():
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in often; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def jobs_after_commit(settings):
    """Background jobs run in-process once their transaction commits (capture the commit with
    django_capture_on_commit_callbacks to see their e-mails); tests/queue/ uses the database
    backend and the real worker."""
    settings.TASKS = {"default": {"BACKEND": "kcity.jobs.backends.AfterCommitBackend"}}


@pytest.fixture
def demo(db):
    from kcity.core.demo import load_demo

    return load_demo()


@pytest.fixture
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"the shared material is missing at {SHARED}"
    return SHARED
