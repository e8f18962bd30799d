"""`kcity backup` and `kcity restore`: round trips into fresh instances, and the refusals.

Restores run in subprocesses with their own DATABASE_URL and KCITY_DATA_DIR: a fresh
instance is another SQLite file, or another PostgreSQL database, with its own data folder.
The SQLite tests build their source instance in a subprocess too (`kcity demo --no-serve`),
so they run whatever database the test run uses. Every table is compared row by row (ordered
by every column, the primary key first) and every stored file by SHA-256.
"""

import dataclasses
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.applications.models import Document, Proposal
from kcity.programs.models import Cycle, CycleStatus, Track, TrackKind
from kcity.site import backup

pytestmark = pytest.mark.slow  # starts processes or searches many rounds

ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class Instance:
    """A kcity installation: a database and a data folder (MEDIA_ROOT is data/media)."""

    data: Path
    url: str

    @property
    def media(self) -> Path:
        return self.data / "media"

    @property
    def sqlite_file(self) -> Path:
        return self.data / "kcity.sqlite3"

    def kcity(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DATABASE_URL": self.url,
               "KCITY_DATA_DIR": str(self.data), "KCITY_MODE": "demo"}
        env.pop("SECRET_KEY", None)
        return subprocess.run(
            [sys.executable, "-m", "kcity.cli", *args], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=600,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess:
        result = self.kcity(*args)
        assert result.returncode == 0, result.stderr
        return result


def sqlite_instance(path: Path) -> Instance:
    return Instance(data=path, url=f"sqlite:///{path / 'kcity.sqlite3'}")


def sqlite_tables(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        names = [n for (n,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        tables = {}
        for name in names:
            width = len(db.execute(f'SELECT * FROM "{name}" LIMIT 0').description)
            order = ", ".join(str(i) for i in range(1, width + 1))
            tables[name] = db.execute(f'SELECT * FROM "{name}" ORDER BY {order}').fetchall()
        return tables
    finally:
        db.close()


def postgres_tables(conninfo: dict) -> dict[str, list[tuple]]:
    """Every table of the public schema, ordered by every column, and every sequence's state."""
    with psycopg.connect(**conninfo) as db, db.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                       "ORDER BY table_name")
        tables = {}
        for (name,) in cursor.fetchall():
            cursor.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(sql.Identifier(name)))
            order = sql.SQL(", ").join(
                sql.SQL(str(i)) for i in range(1, len(cursor.description) + 1))
            cursor.execute(sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                sql.Identifier(name), order))
            tables[name] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                            for row in cursor.fetchall()]
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences "
                       "WHERE schemaname = 'public' ORDER BY sequencename")
        tables["(sequences)"] = cursor.fetchall()
        return tables


def file_digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def rewrite_archive(source: Path, target: Path, *, manifest=None, rename=None, data=None):
    """Copy an archive, changing its manifest (a function of it), renaming members or
    replacing a member's bytes; the checksums are kept as they were."""
    with tarfile.open(source) as old, tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as new:
        for member in old:
            content = old.extractfile(member).read()
            if member.name == backup.MANIFEST and manifest is not None:
                content = json.dumps(manifest(json.loads(content))).encode()
            if data and member.name in data:
                content = data[member.name](content)
            info = tarfile.TarInfo((rename or {}).get(member.name, member.name))
            info.size, info.mtime, info.mode = len(content), member.mtime, member.mode
            new.addfile(info, io.BytesIO(content))


def assert_untouched(instance: Instance) -> None:
    """A refused restore into a fresh instance left no database, files or staging behind."""
    assert not instance.sqlite_file.exists()
    assert not instance.media.exists()
    assert not list(instance.data.glob(".kcity-restore-*"))


KOREAN_NAME = "보고서/연차 보고서 2026.txt"


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    """A SQLite instance with the demo's data (organisations, users, cycles, proposals with
    their stored documents, evaluations, a selection) and one more file under a Korean name;
    and its backup."""
    base = tmp_path_factory.mktemp("backup-sqlite")
    source = sqlite_instance(base / "source")
    source.ok("demo", "--no-serve")
    (source.media / KOREAN_NAME).parent.mkdir(parents=True)
    (source.media / KOREAN_NAME).write_text("연차 보고서\n", encoding="utf-8")
    archive = base / "kcity-backup.tar"
    result = source.ok("backup", str(archive))
    assert "Backed up the sqlite database" in result.stdout
    return source, archive


def test_sqlite_round_trip_into_a_fresh_instance(sqlite_source, tmp_path):
    source, archive = sqlite_source
    target = sqlite_instance(tmp_path / "target")

    result = target.ok("restore", str(archive))

    before = sqlite_tables(source.sqlite_file)
    assert len([t for t, rows in before.items() if rows]) >= 30
    for table in ("accounts_organisation", "accounts_user", "programs_cycle",
                  "applications_proposal", "applications_document"):
        assert before[table], table
    assert sqlite_tables(target.sqlite_file) == before
    files = file_digests(source.media)
    assert len(files) > 10 and KOREAN_NAME in files
    assert file_digests(target.media) == files
    assert "Restored the backup" in result.stdout
    assert f"files: {len(files)}" in result.stdout
    assert "migrations: up to date" in result.stdout


def test_a_sqlite_backup_is_consistent_while_the_portal_writes(sqlite_source, tmp_path):
    """A writer commits one session row after another while `kcity backup` runs: the backup
    succeeds and holds exactly the rows of one moment (a prefix of the writes)."""
    source = sqlite_instance(tmp_path / "busy")
    shutil.copytree(sqlite_source[0].data, source.data)
    stop, written = threading.Event(), []

    def write():
        db = sqlite3.connect(source.sqlite_file, timeout=20)
        while not stop.is_set():
            key = f"busy{len(written):06d}"
            with db:
                db.execute("INSERT INTO django_session VALUES (?, 'x', '2030-01-01 00:00:00')",
                           (key,))
            written.append(key)
        db.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 50:
            time.sleep(0.01)
        source.ok("backup", str(tmp_path / "busy.tar"))
    finally:
        stop.set()
        writer.join()
    target = sqlite_instance(tmp_path / "target")
    target.ok("restore", str(tmp_path / "busy.tar"))

    db = sqlite3.connect(target.sqlite_file)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = [k for (k,) in db.execute(
        "SELECT session_key FROM django_session WHERE session_key LIKE 'busy%' "
        "ORDER BY session_key")]
    db.close()
    assert 50 <= len(restored) < len(written)  # the writer went on during the backup
    assert restored == written[: len(restored)]


def test_the_manifest_lists_the_migrations_and_every_checksum(sqlite_source):
    source, archive = sqlite_source
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
        dump = tar.extractfile("database/db.sqlite3").read()
    assert names[0] == "manifest.json"
    assert names[1] == "database/db.sqlite3"
    assert manifest["format"] == "kcity-backup" and manifest["format_version"] == 1
    assert manifest["created_at"].endswith("Z")
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["database"]["sha256"] == hashlib.sha256(dump).hexdigest()
    db = sqlite3.connect(source.sqlite_file)
    latest = dict(db.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app"))
    db.close()
    assert manifest["migrations"] == latest
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == file_digests(source.media)
    assert sorted(names[2:]) == sorted("files/" + f["path"] for f in manifest["files"])


def test_a_freshly_migrated_database_counts_as_empty(sqlite_source, tmp_path):
    source, archive = sqlite_source
    target = sqlite_instance(tmp_path / "target")
    target.ok("migrate", "--no-input")

    target.ok("restore", str(archive))

    assert sqlite_tables(target.sqlite_file) == sqlite_tables(source.sqlite_file)
    assert file_digests(target.media) == file_digests(source.media)


def _first_file(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        return next(n for n in tar.getnames() if n.startswith("files/"))


def _flip_last_byte(content: bytes) -> bytes:
    return content[:-1] + bytes([content[-1] ^ 0xFF])


@pytest.mark.parametrize("damage", ["file", "dump", "truncated", "missing file"])
def test_a_damaged_archive_is_refused_before_anything_changes(sqlite_source, tmp_path, damage):
    _, archive = sqlite_source
    damaged = tmp_path / "damaged.tar"
    member = _first_file(archive)
    if damage == "file":
        rewrite_archive(archive, damaged, data={member: _flip_last_byte})
        expected = f"{member}: checksum mismatch"
    elif damage == "dump":
        rewrite_archive(archive, damaged, data={"database/db.sqlite3": _flip_last_byte})
        expected = "database/db.sqlite3: checksum mismatch"
    elif damage == "truncated":
        content = archive.read_bytes()
        damaged.write_bytes(content[: len(content) // 2])
        expected = "damaged"
    else:
        rewrite_archive(archive, damaged, rename={member: "files/elsewhere.pdf"})
        expected = f"{member}: in the manifest but missing from the archive"
    target = sqlite_instance(tmp_path / "target")

    result = target.kcity("restore", str(damaged))

    assert result.returncode == 1
    assert expected in result.stderr
    assert "nothing was restored" in result.stderr
    assert_untouched(target)


def test_a_backup_of_another_vendor_is_refused(sqlite_source, tmp_path):
    _, archive = sqlite_source
    postgres_like = tmp_path / "postgres.tar"

    def as_postgres(manifest):
        manifest["database"].update(vendor="postgresql", path="database/db.pgdump")
        return manifest

    rewrite_archive(archive, postgres_like, manifest=as_postgres,
                    rename={"database/db.sqlite3": "database/db.pgdump"})
    target = sqlite_instance(tmp_path / "target")

    result = target.kcity("restore", str(postgres_like))

    assert result.returncode == 1
    assert "is a postgresql backup and this database is sqlite" in result.stderr
    assert_untouched(target)


def test_a_backup_from_newer_code_is_refused(sqlite_source, tmp_path):
    _, archive = sqlite_source
    newer = tmp_path / "newer.tar"

    def from_the_future(manifest):
        manifest["migrations"]["accounts"] = "0999_future"
        manifest["applied_migrations"].append(["accounts", "0999_future"])
        return manifest

    rewrite_archive(archive, newer, manifest=from_the_future)
    target = sqlite_instance(tmp_path / "target")

    result = target.kcity("restore", str(newer))

    assert result.returncode == 1
    assert "does not know its migrations accounts.0999_future" in result.stderr
    assert_untouched(target)


@pytest.fixture
def restored_target(sqlite_source, tmp_path):
    """A target that a restore filled, then changed: one renamed organisation, one more file."""
    _, archive = sqlite_source
    target = sqlite_instance(tmp_path / "target")
    target.ok("restore", str(archive))
    db = sqlite3.connect(target.sqlite_file)
    with db:
        db.execute("UPDATE accounts_organisation SET name = 'Changed after the backup' "
                   "WHERE id = (SELECT MIN(id) FROM accounts_organisation)")
    db.close()
    (target.media / "added-after.txt").write_text("new")
    return target


def test_a_target_with_data_is_replaced_only_with_force(sqlite_source, restored_target):
    source, archive = sqlite_source
    target = restored_target
    tables, files = sqlite_tables(target.sqlite_file), file_digests(target.media)

    refused = target.kcity("restore", str(archive))

    assert refused.returncode == 1
    assert "holds data" in refused.stderr and "--force" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert sqlite_tables(target.sqlite_file) == tables
    assert file_digests(target.media) == files

    forced = target.ok("restore", str(archive), "--force")

    assert "replacing what was there" in forced.stdout
    assert sqlite_tables(target.sqlite_file) == sqlite_tables(source.sqlite_file)
    assert file_digests(target.media) == file_digests(source.media)


def test_a_target_with_a_newer_migration_state_is_refused_even_with_force(
    sqlite_source, restored_target
):
    _, archive = sqlite_source
    target = restored_target
    db = sqlite3.connect(target.sqlite_file)
    with db:
        db.execute("INSERT INTO django_migrations (app, name, applied) "
                   "VALUES ('accounts', '0999_future', '2030-01-01 00:00:00')")
    db.close()
    tables, files = sqlite_tables(target.sqlite_file), file_digests(target.media)

    result = target.kcity("restore", str(archive), "--force")

    assert result.returncode == 1
    assert "newer migration state" in result.stderr
    assert "accounts.0999_future" in result.stderr
    assert sqlite_tables(target.sqlite_file) == tables
    assert file_digests(target.media) == files


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    target = sqlite_instance(tmp_path / "target")
    not_a_tar = tmp_path / "notes.txt"
    not_a_tar.write_text("hello")

    missing = target.kcity("restore", str(tmp_path / "nowhere.tar"))
    not_tar = target.kcity("restore", str(not_a_tar))

    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert not_tar.returncode == 1 and "not a kcity backup" in not_tar.stderr
    assert_untouched(target)


def test_backup_refuses_a_database_that_is_not_there_or_never_migrated(tmp_path):
    missing = sqlite_instance(tmp_path / "missing")
    unmigrated = sqlite_instance(tmp_path / "unmigrated")
    unmigrated.data.mkdir()
    sqlite3.connect(unmigrated.sqlite_file).close()

    no_file = missing.kcity("backup", str(tmp_path / "a.tar"))
    never = unmigrated.kcity("backup", str(tmp_path / "b.tar"))

    assert no_file.returncode == 1 and "does not exist; check DATABASE_URL" in no_file.stderr
    assert not missing.sqlite_file.exists()
    assert never.returncode == 1 and "never migrated" in never.stderr
    assert not (tmp_path / "a.tar").exists() and not (tmp_path / "b.tar").exists()
    assert not list(tmp_path.glob(".kcity-backup-*"))


# ------------------------------------------------------------ in-process backup


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "proposals" / "1").mkdir(parents=True)
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / "media" / "proposals" / "1" / name).write_bytes(b"%PDF-1.4 " + name.encode())
    return tmp_path / "media"


def test_backup_refuses_an_existing_file_and_a_missing_folder(db, media, tmp_path):
    existing = tmp_path / "kept.tar"
    existing.write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(existing))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "no-such-folder" / "b.tar"))
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", str(media / "b.tar"))

    assert existing.read_bytes() == b"an older backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.tar", "media"]


def test_a_failed_backup_leaves_no_archive(transactional_db, media, tmp_path, monkeypatch):
    calls = []
    add_member = backup._add_member

    def failing(archive, name, *args):
        calls.append(name)
        if len(calls) == 3:  # the dump and one file written, the second file fails
            raise OSError("disk full")
        add_member(archive, name, *args)

    monkeypatch.setattr(backup, "_add_member", failing)
    out = tmp_path / "out" / "kcity.tar"
    out.parent.mkdir()

    with pytest.raises(OSError, match="disk full"):
        backup.create_backup(out=out)

    assert len(calls) == 3
    assert list(out.parent.iterdir()) == []


def test_a_backup_inside_a_transaction_is_refused_not_left_waiting(db, media, tmp_path):
    """SQLite's backup would wait for ever on the caller's own open write transaction."""
    with pytest.raises(backup.BackupError, match="transaction"):
        backup.create_backup(out=tmp_path / "kcity.tar")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


# ------------------------------------------------------------ PostgreSQL


@pytest.fixture
def restore_database():
    """An empty PostgreSQL database beside the test database (DATABASE_URL's name + _restore)."""
    base = settings.DATABASES["default"]
    name = f"{_configured_name()}_restore_{os.getpid()}"
    conninfo = {k: v for k, v in {
        "host": base["HOST"], "port": base["PORT"], "user": base["USER"],
        "password": base["PASSWORD"],
    }.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name, {**conninfo, "dbname": name}
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def _configured_name() -> str:
    """The database DATABASE_URL names (the test database is test_ + it)."""
    name = settings.DATABASES["default"]["NAME"]
    return name.removeprefix("test_")


def _postgres_url(name: str) -> str:
    base = settings.DATABASES["default"]
    auth = quote(base["USER"], safe="") + (
        f":{quote(base['PASSWORD'], safe='')}" if base["PASSWORD"] else "")
    return f"postgres://{auth}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/{name}"


def _make_data() -> None:
    """An organisation, users, a cycle with a track, a proposal with a stored document."""
    org = Organisation.objects.create(
        kind=OrgKind.FOREIGN_GOVERNMENT, name="Hai Phong People's Committee",
        name_ko="하이퐁 인민위원회", country="VN", city="Hai Phong", gov_level="local",
    )
    applicant = User.objects.create_user("hai-phong", "hp@example.org", "pw-hai-phong-1",
                                         organisation=org, role=Role.APPLICANT)
    User.objects.create_user("secretariat-2", "s2@example.org", "pw-secretariat-2",
                             role=Role.SECRETARIAT)
    cycle = Cycle.objects.create(year=2031, status=CycleStatus.OPEN, title_en="K-City 2031",
                                 title_ko="2031년 K-City 네트워크", total_budget=3_000_000_000)
    track = Track.objects.create(cycle=cycle, code="PLAN", kind=TrackKind.PLANNING,
                                 name_en="Planning", name_ko="계획 수립",
                                 required_documents=[{"code": "application"}])
    proposal = Proposal.objects.create(
        cycle=cycle, track=track, organisation=org, created_by=applicant,
        title="Smart flood sensing", city="Hai Phong", requested_amount=650_000_000,
        budget={"labour": 150_000_000, "equipment": 200_000_000},
    )
    content = b"%PDF-1.4\n% the application form\n%%EOF\n"
    document = Document(
        proposal=proposal, code="application", original_name="신청서.pdf", detected_type="pdf",
        content_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=applicant,
    )
    document.file.save("application.pdf", ContentFile(content))


@pytest.mark.postgres
def test_postgresql_round_trip_into_a_fresh_database(
    transactional_db, media, tmp_path, restore_database
):
    _make_data()
    archive = tmp_path / "kcity-backup.tar"

    result = backup.create_backup(out=archive)

    assert result.vendor == "postgresql" and result.files == 3
    name, conninfo = restore_database
    target = Instance(data=tmp_path / "target", url=_postgres_url(name))
    restored = target.ok("restore", str(archive))

    source_conninfo = {**conninfo, "dbname": connection.settings_dict["NAME"]}
    before = postgres_tables(source_conninfo)
    assert before["applications_document"] and before["accounts_organisation"]
    assert postgres_tables(conninfo) == before
    files = file_digests(Path(settings.MEDIA_ROOT))
    assert len(files) == 3
    assert file_digests(target.media) == files
    assert f"database {name} (postgresql)" in restored.stdout

    # Into the same database again: refused without --force, replaced with it.
    with psycopg.connect(**conninfo) as db:
        db.execute("UPDATE applications_proposal SET title = 'changed'")
        db.execute("CREATE TABLE left_over (x int)")
    refused = target.kcity("restore", str(archive))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert postgres_tables(conninfo)["applications_proposal"] != before["applications_proposal"]
    target.ok("restore", str(archive), "--force")
    after = postgres_tables(conninfo)
    assert after == before  # the left-over table is gone too

    # A PostgreSQL backup does not go into SQLite.
    lite = sqlite_instance(tmp_path / "lite")
    wrong = lite.kcity("restore", str(archive))
    assert wrong.returncode == 1
    assert "is a postgresql backup and this database is sqlite" in wrong.stderr
    assert_untouched(lite)


@pytest.mark.postgres
def test_an_unreadable_postgresql_dump_leaves_the_target_as_it_was(
    transactional_db, media, tmp_path, restore_database
):
    """Checksums pass (the manifest is rewritten to match) but pg_restore cannot read the
    dump: refused before the database or the files change."""
    _make_data()
    archive = tmp_path / "kcity-backup.tar"
    backup.create_backup(out=archive)
    name, conninfo = restore_database
    target = Instance(data=tmp_path / "target", url=_postgres_url(name))
    target.ok("restore", str(archive))
    before, files = postgres_tables(conninfo), file_digests(target.media)
    garbled = tmp_path / "garbled.tar"
    junk = b"PGDMP" + b"\0" * 200

    def matching(manifest):
        manifest["database"].update(sha256=hashlib.sha256(junk).hexdigest(), size=len(junk))
        return manifest

    rewrite_archive(archive, garbled, manifest=matching,
                    data={"database/db.pgdump": lambda _: junk})

    result = target.kcity("restore", str(garbled), "--force")

    assert result.returncode == 1
    assert "nothing was changed" in result.stderr
    assert postgres_tables(conninfo) == before
    assert file_digests(target.media) == files
    assert not list(target.data.glob(".kcity-restore-*"))
    shutil.rmtree(target.data)


@pytest.mark.postgres
def test_a_restore_that_fails_midway_leaves_the_database_and_files_as_they_were(
    transactional_db, media, tmp_path, restore_database
):
    """The dump is fine but the target has a type that takes a table's name: psql stops at
    CREATE TABLE, after the old tables were dropped; one transaction, so they come back, and
    the old files are put back."""
    _make_data()
    archive = tmp_path / "kcity-backup.tar"
    backup.create_backup(out=archive)
    name, conninfo = restore_database
    with psycopg.connect(**conninfo) as db:
        db.execute("CREATE TABLE kept (note text)")
        db.execute("INSERT INTO kept VALUES ('data from before')")
        db.execute("CREATE TYPE accounts_user AS (x int)")
    target = Instance(data=tmp_path / "target", url=_postgres_url(name))
    (target.media / "old").mkdir(parents=True)
    (target.media / "old" / "file.txt").write_text("old file")
    before = postgres_tables(conninfo)

    result = target.kcity("restore", str(archive), "--force")

    assert result.returncode == 1
    assert "psql" in result.stderr and "accounts_user" in result.stderr
    assert "the database was not changed" in result.stderr
    assert postgres_tables(conninfo) == before
    assert before["kept"] == [("data from before",)]
    assert file_digests(target.media) == {
        "old/file.txt": hashlib.sha256(b"old file").hexdigest()
    }
    assert not list(target.data.glob(".kcity-restore-*"))
