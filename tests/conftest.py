"""Shared fixtures. The database is whatever DATABASE_URL names (SQLite by default)."""

import shutil
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"  # vendored specs, standards and facts


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


# A test that asks for none of these, and carries no database, browser or `slow` marker (set on
# the modules that start processes or search many random rounds), is in the fast tier.
SLOW_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "client", "admin_client",
                 "live_server", "browser", "page", "context"}
SLOW_MARKERS = ("django_db", "browser", "postgres", "redis", "slow")


def _mark_fast_tier(items) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if not fixtures & SLOW_FIXTURES and not any(
            item.get_closest_marker(m) for m in SLOW_MARKERS
        ):
            item.add_marker(pytest.mark.fast)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run only against PostgreSQL, those marked `redis` only when
    KCITY_TEST_REDIS_URL names a Redis (CI sets it); they are deselected elsewhere. Tests
    that need no database, browser or server are marked `fast` (the fast tier)."""
    import os

    _mark_fast_tier(items)
    unmet = set() if _on_postgres() else {"postgres"}
    if not os.environ.get("KCITY_TEST_REDIS_URL"):
        unmet.add("redis")
    if not unmet:
        return
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(m) for m in unmet) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in often; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request to a /ko/ page leaves Korean
    active in the thread (LocaleMiddleware), which later tests' messages would be in."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counts live in the (per-process) cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def jobs_after_commit(settings):
    """Background jobs run in-process once their transaction commits (capture the commit with
    django_capture_on_commit_callbacks to see their e-mails); tests/queue/ uses the database
    backend and the real worker."""
    settings.TASKS = {"default": {"BACKEND": "kcity.jobs.backends.AfterCommitBackend"}}


# Loading the demo runs the real services (scoring, a selection round, publishing): seconds
# per test. The first test per database loads it; later ones get the same rows back.
_DEMO_SNAPSHOT: dict = {}
_PERSISTENT = {("contenttypes", "contenttype"), ("auth", "permission")}  # made by migrate


def _demo_models():
    from django.apps import apps

    return [
        m for m in apps.get_models(include_auto_created=True)
        if (m._meta.app_label, m._meta.model_name) not in _PERSISTENT
        and m._meta.managed and not m._meta.proxy
    ]


def _restore_demo(rows: dict) -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with transaction.atomic():  # foreign keys are checked at the end (deferred)
        for model, values in rows.items():
            model._base_manager.bulk_create([model(**v) for v in values], batch_size=500)
        sql = connection.ops.sequence_reset_sql(no_style(), list(rows))
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)


def _migrated_rows() -> tuple:
    """Content types and permissions as migrate made them: a transactional test's flush
    makes them again with other keys, and the snapshot's references would point nowhere."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return (
        tuple(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model")),
        tuple(Permission.objects.order_by("pk").values_list("pk", "content_type", "codename")),
    )


def _demo_files(rows: dict) -> list[str]:
    """The names of the files the demo's rows point at (uploads, receipts)."""
    from django.db.models import FileField

    names = []
    for model, values in rows.items():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                names += [v[field.attname] for v in values if v[field.attname]]
    return names


def _copy_files(names: list[str], source: Path, target: Path) -> None:
    for name in names:
        if (source / name).is_file() and source.resolve() != target.resolve():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target / name)


@pytest.fixture
def demo(db, settings, tmp_path_factory):
    """The demo data, as `kcity demo` loads it."""
    from django.db import connection

    from kcity.site.demo import load_demo

    models = _demo_models()
    cached = _DEMO_SNAPSHOT.get((connection.vendor, _migrated_rows()))
    empty = not any(m._base_manager.exists() for m in models)
    if cached is None or not empty:  # a test that made rows first gets the real loader
        result = load_demo()
        if empty:
            rows = {m: v for m in models if (v := list(m._base_manager.values()))}
            files = _demo_files(rows)
            media = tmp_path_factory.mktemp("demo-media")
            _copy_files(files, Path(settings.MEDIA_ROOT), media)
            _DEMO_SNAPSHOT[(connection.vendor, _migrated_rows())] = (result, rows, files, media)
        return result
    result, rows, files, media = cached
    _restore_demo(rows)
    _copy_files(files, media, Path(settings.MEDIA_ROOT))
    return result


@pytest.fixture
def docs_dir() -> Path:
    """The project's vendored material (docs/): the exchange format, the open-data
    standards and the programme's public facts; missing is a failure, never a skip."""
    assert DOCS.is_dir(), f"the vendored material is missing at {DOCS}"
    return DOCS
