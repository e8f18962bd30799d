"""Issue 15 item 6: the SQLite demo serves a web process and a worker at once. Several
processes (each its own connection, as the portal and `kcity worker` are) run
read-then-write ORM transactions on one file database at the same moment: none fails with
"database is locked" and no update is lost. Runs on a file in tmp (not the test database),
whatever DATABASE_URL the suite itself uses."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow  # starts processes or searches many rounds

SRC = Path(__file__).resolve().parents[2] / "src"
PROCESSES, TRANSACTIONS = 5, 20

WRITER = textwrap.dedent("""
    import os, sys, time
    import django
    django.setup()
    from django.db import OperationalError, connection, transaction
    from kcity.accounts.models import Organisation, OrgKind

    mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    go = float(sys.argv[1])
    while time.time() < go:  # every process starts its writes at the same moment
        time.sleep(0.005)
    failures = []
    for i in range(int(sys.argv[2])):
        try:
            with transaction.atomic():
                # read, then write from what was read (the draft save's pattern): under a
                # deferred transaction two readers cannot both become the writer
                counter = Organisation.objects.get(name_ko="counter")
                Organisation.objects.filter(pk=counter.pk).update(
                    city=str(int(counter.city) + 1))
                Organisation.objects.create(kind=OrgKind.INSTITUTION, name=f"w{os.getpid()}-{i}",
                                            country="KR")
                time.sleep(0.002)  # hold the transaction a moment, as a real save does
        except OperationalError as exc:
            failures.append(str(exc))
    print(mode, len(failures), failures[:1])
""")


SETUP_DRAFT = textwrap.dedent("""
    import django
    django.setup()
    from kcity.applications import services
    from kcity.applications.demo import open_demo_cycle
    from kcity.site.demo import load_accounts, load_cycles

    load_cycles((2026,))
    users = load_accounts()
    track = open_demo_cycle().tracks.get(code="DEMO")
    print(services.create_proposal(
        by=users["company-applicant"], track=track, title="Concurrent drafts"
    ).pk)
""")

FORM_WRITER = textwrap.dedent("""
    import os, sys, time
    import django
    django.setup()
    from django.test import Client
    from kcity.accounts.models import User

    pk, go, count = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    client = Client()
    client.force_login(User.objects.get(username="company-applicant"))
    while time.time() < go:
        time.sleep(0.005)
    bad = []
    for i in range(count):
        try:
            r = client.post(f"/en/proposals/{pk}/autosave/",
                            {"title": f"Draft {os.getpid()} {i}", "requested_amount": "1,000"})
            if r.status_code != 200:
                bad.append(f"{r.status_code} {r.content[:200]!r}")
        except Exception as exc:  # a 500 raised through the test client
            bad.append(f"{type(exc).__name__}: {exc}")
    print(len(bad), bad[:1])
""")


def _env(db: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(DATABASE_URL=f"sqlite:///{db}", KCITY_DATA_DIR=str(db.parent), KCITY_MODE="demo",
               DJANGO_SETTINGS_MODULE="kcity.settings",
               PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]))
    return env


def test_sqlite_options_are_wal_immediate_and_waiting():
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert settings.SQLITE_OPTIONS["timeout"] >= 20
    assert "journal_mode=WAL" in settings.SQLITE_OPTIONS["init_command"]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        for key, value in settings.SQLITE_OPTIONS.items():
            assert settings.DATABASES["default"]["OPTIONS"][key] == value
    else:  # PostgreSQL keeps its own options
        assert "transaction_mode" not in settings.DATABASES["default"].get("OPTIONS", {})


def _migrated(tmp_path) -> dict:
    env = _env(tmp_path / "kcity.sqlite3")
    migrate = subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    return env


def test_concurrent_writers_on_a_file_database_never_see_database_is_locked(tmp_path):
    env = _migrated(tmp_path)
    seed = subprocess.run([sys.executable, "-c", (
        "import django; django.setup(); from kcity.accounts.models import Organisation; "
        "Organisation.objects.create(kind='institution', name='c', name_ko='counter', "
        "city='0', country='KR')")], env=env, capture_output=True, text=True, timeout=120)
    assert seed.returncode == 0, seed.stderr
    go = time.time() + 3  # time for every process to start Django before the writes
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(go), str(TRANSACTIONS)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(PROCESSES)]
    outputs = [w.communicate(timeout=300) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        mode, failures, first = out.split(" ", 2)
        assert mode == "wal"
        assert failures == "0", first  # no "database is locked"
    check = subprocess.run([sys.executable, "-c", (
        "import django; django.setup(); from kcity.accounts.models import Organisation; "
        "print(Organisation.objects.get(name_ko='counter').city, "
        "Organisation.objects.filter(name__startswith='w').count())")],
        env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    total = PROCESSES * TRANSACTIONS
    assert check.stdout.split() == [str(total), str(total)]  # no update lost


def test_concurrent_draft_saves_through_the_form_all_succeed(tmp_path):
    """The report's case: draft saves through the real autosave form, several processes at
    once on one file database; every one answers 200 (none 500 with "database is locked")."""
    env = _migrated(tmp_path)
    setup = subprocess.run([sys.executable, "-c", SETUP_DRAFT], env=env, capture_output=True,
                           text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr
    pk = setup.stdout.split()[-1]
    go = time.time() + 4
    writers = [subprocess.Popen([sys.executable, "-c", FORM_WRITER, pk, str(go), "10"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(PROCESSES)]
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        failures, first = out.strip().split(" ", 1)
        assert failures == "0", first
    check = subprocess.run([sys.executable, "-c", (
        "import django; django.setup(); from kcity.applications.models import Proposal; "
        f"p = Proposal.objects.get(pk={pk}); print(p.title, '|', p.requested_amount)")],
        env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    title, amount = check.stdout.strip().split(" | ")
    assert title.startswith("Draft ") and amount == "1000"
