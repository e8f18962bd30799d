"""`kcity backup OUT` and `kcity restore IN`: the database and the stored files in one archive.

The archive is a tar file:

    manifest.json            format and version, created_at (UTC), database vendor, the
                             migration state (latest applied migration per app, and every
                             applied one), the SHA-256 and size of the dump and of every file
    database/db.pgdump       PostgreSQL: pg_dump's custom format
    database/db.sqlite3      SQLite: a copy made through SQLite's backup API (consistent while
                             the portal writes)
    files/<name>             every file under MEDIA_ROOT (uploads, receipts), by stored name

A backup is written to a temporary file beside OUT and renamed at the end: a failed backup
leaves nothing. A restore reads the whole archive into a staging folder and checks the
manifest and every checksum, the vendor, the migration state and whether the target holds
data before it changes anything; then it puts the files in place, restores the database (in
one transaction on PostgreSQL: pg_restore's script through psql --single-transaction; SQLite's
backup API on SQLite) and puts the old files back if the database restore fails.
"""

import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "kcity-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database/db.pgdump", "sqlite": "database/db.sqlite3"}
FILES_PREFIX = "files/"
# Rows that `migrate` itself writes: a freshly migrated database still counts as empty.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; nothing was changed."""


@dataclasses.dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    created_at: str
    files: int
    file_bytes: int
    dump_bytes: int
    archive_bytes: int
    skipped: tuple[str, ...]  # entries under MEDIA_ROOT that are not regular files


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    source: Path
    vendor: str
    database: str
    created_at: str
    tables: int
    rows: int
    files: int
    file_bytes: int
    replaced: bool  # the target held data (restored with force)
    pending_migrations: tuple[str, ...]  # in this code, not in the archive: run migrate


# ---------------------------------------------------------------- helpers


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _stored_files(root: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """(archive name, path) of every regular file under root, sorted; and what was skipped."""
    files, skipped = [], []
    if not root.is_dir():
        return files, skipped
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(relative)
            else:
                files.append((relative, path))
        for name in dirs:
            if (Path(folder) / name).is_symlink():
                skipped.append((Path(folder) / name).relative_to(root).as_posix())
    return files, skipped


def _database_label() -> str:
    name = connection.settings_dict.get("NAME") or ""
    return str(name)


def _applied_migrations() -> set[tuple[str, str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return set()
    return set(recorder.applied_migrations())


def _latest_per_app(applied: set[tuple[str, str]]) -> dict[str, str]:
    """The latest applied migration of each app: the one with most applied ancestors in its
    own app (the migration graph's order), by name where the graph does not know it."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    latest: dict[str, tuple] = {}
    for app, name in applied:
        if (app, name) in graph.nodes:
            depth = sum(1 for a, _ in graph.forwards_plan((app, name)) if a == app)
        else:
            depth = 0
        key = (depth, name)
        if app not in latest or key > latest[app]:
            latest[app] = key
    return {app: latest[app][1] for app in sorted(latest)}


def _tool(name: str) -> str:
    executable = shutil.which(name)
    if executable is None:
        raise BackupError(
            f"{name} was not found on PATH; install PostgreSQL's client tools "
            "(Debian: postgresql-client) in the server's version or newer."
        )
    return executable


def _postgres_command(tool: str, options: list[str]) -> tuple[list[str], dict[str, str]]:
    """A PostgreSQL client tool's command line and environment for the Django connection
    (host, port, user; the password, SSL settings and service through the environment)."""
    args, env = PostgresClient.settings_to_cmd_args_env(connection.settings_dict, [])
    return [_tool(tool), *options, *args[1:]], {**os.environ, **(env or {})}


def _run(command: list[str], env: dict[str, str], what: str, **kwargs) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()
        raise BackupError(f"{what} failed (exit {completed.returncode}): {detail}")


# ---------------------------------------------------------------- backup


def _dump_database(target: Path) -> None:
    if connection.in_atomic_block:
        # SQLite's backup retries for ever while this connection holds a write transaction
        # (BEGIN IMMEDIATE); pg_dump would not see its uncommitted rows.
        raise BackupError("a backup runs outside any transaction; this one was called inside one")
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # One step under a read lock: a consistent copy while the portal writes.
            connection.connection.backup(copy)
        finally:
            copy.close()
    elif vendor == "postgresql":
        command, env = _postgres_command(
            "pg_dump", ["--format=custom", "--no-password", f"--file={target}"]
        )
        _run(command, env, "pg_dump")
    else:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")


class _HashingReader(io.RawIOBase):
    """A file read through, its SHA-256 computed on the way."""

    def __init__(self, f):
        self.f = f
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.f.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _add_member(archive: tarfile.TarFile, name: str, path: Path, sha256: str, size: int,
                mtime: float) -> None:
    """Add a file, checking while it is read that it is still the file that was hashed."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    with open(path, "rb") as f:
        reader = _HashingReader(f)
        try:
            archive.addfile(info, reader)
        except OSError as error:  # tarfile: "unexpected end of data" when a file shrank
            raise BackupError(f"{name} changed while it was being backed up: {error}") from None
        if f.read(1) or reader.digest.hexdigest() != sha256:
            raise BackupError(f"{name} changed while it was being backed up; run the backup again")


def create_backup(*, out, now=None) -> BackupResult:
    """Write the database and every stored file to the archive `out` (which must not exist)."""
    out = Path(out)
    now = now or timezone.now()
    media = _media_root()
    if out.exists() or out.is_symlink():
        raise BackupError(f"{out} already exists; choose another name (nothing was written)")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist (nothing was written)")
    if out.resolve().is_relative_to(media.resolve()):
        raise BackupError(f"{out} is inside MEDIA_ROOT ({media}); write the backup elsewhere")
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")

    database = connection.settings_dict["NAME"]
    if (vendor == "sqlite" and not connection.creation.is_in_memory_db(database)
            and not Path(database).is_file()):
        raise BackupError(f"the database {database} does not exist; check DATABASE_URL "
                              "and KCITY_DATA_DIR (nothing was written)")
    with tempfile.TemporaryDirectory(prefix=".kcity-backup-", dir=out.parent) as work:
        dump = Path(work) / Path(DUMP_NAMES[vendor]).name
        try:
            applied = _applied_migrations()
            if not applied:
                raise BackupError(
                    f"the database {_database_label()} has no kcity tables (never migrated); "
                    "check DATABASE_URL (nothing was written)"
                )
            _dump_database(dump)
            if _applied_migrations() != applied:
                raise BackupError("a migration ran during the backup; run the backup again")
        except DatabaseError as error:
            raise BackupError(
                f"cannot read the database {_database_label()}: {error} (nothing was written)"
            ) from None
        dump_sha, dump_size = _sha256_file(dump)
        # The files after the dump: an upload is stored before its row commits, so every file
        # a dumped row names is there (unless deleted meanwhile).
        stored, skipped = _stored_files(media)
        entries = []
        for name, path in stored:
            mtime = path.stat().st_mtime
            sha, size = _sha256_file(path)
            entries.append({"path": name, "sha256": sha, "size": size, "mtime": mtime})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "database": {
                "vendor": vendor,
                "path": DUMP_NAMES[vendor],
                "sha256": dump_sha,
                "size": dump_size,
            },
            "migrations": _latest_per_app(applied),
            "applied_migrations": sorted([app, name] for app, name in applied),
            "files": [{k: e[k] for k in ("path", "sha256", "size")} for e in entries],
        }
        data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o644
            archive.addfile(info, io.BytesIO(data))
            _add_member(archive, DUMP_NAMES[vendor], dump, dump_sha, dump_size, now.timestamp())
            for e in entries:
                _add_member(archive, FILES_PREFIX + e["path"], media / e["path"], e["sha256"],
                            e["size"], e["mtime"])
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        # Same folder: the archive appears whole or not at all, and never over another file
        # (a hard link fails if OUT appeared meanwhile; rename where links are unsupported).
        try:
            os.link(partial, out)
        except FileExistsError:
            raise BackupError(f"{out} appeared while the backup ran; it was left as it is "
                              "(nothing was written)") from None
        except OSError:
            os.replace(partial, out)
        folder = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a crash
        finally:
            os.close(folder)
    return BackupResult(
        path=out, vendor=vendor, created_at=manifest["created_at"], files=len(entries),
        file_bytes=sum(e["size"] for e in entries), dump_bytes=dump_size,
        archive_bytes=out.stat().st_size, skipped=tuple(skipped),
    )


# ---------------------------------------------------------------- restore


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name) and not path.is_absolute() and ".." not in path.parts
        and posixpath.normpath(name) == name and "\\" not in name and "\0" not in name
    )


def _read_manifest(archive: tarfile.TarFile, source: Path) -> dict:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError:
        raise BackupError(f"{source} has no {MANIFEST}: not a kcity backup") from None
    f = archive.extractfile(member)
    if f is None:
        raise BackupError(f"{source}: {MANIFEST} is not a file")
    try:
        manifest = json.loads(f.read())
    except ValueError as error:
        raise BackupError(f"{source}: {MANIFEST} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: {MANIFEST} is not a kcity backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{source} has format version {manifest.get('format_version')!r}; this kcity "
            f"reads version {FORMAT_VERSION}"
        )
    try:
        database = manifest["database"]
        expected = {database["path"]: (database["sha256"], int(database["size"]))}
        for entry in manifest["files"]:
            path = entry["path"]
            if not isinstance(path, str) or not _safe_name(path):
                raise BackupError(f"{source}: unsafe file name in the manifest: {path!r}")
            expected[FILES_PREFIX + path] = (entry["sha256"], int(entry["size"]))
        if database["path"] != DUMP_NAMES.get(database["vendor"]):
            raise BackupError(f"{source}: the manifest names an unknown database dump")
        for key in ("migrations", "applied_migrations", "created_at"):
            manifest[key]  # noqa: B018 - present, or the manifest is incomplete
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"{source}: the manifest is incomplete ({error!r})") from None
    if len(expected) != len(manifest["files"]) + 1:
        raise BackupError(f"{source}: the manifest lists a file twice")
    manifest["_expected"] = expected
    return manifest


def _stage(archive: tarfile.TarFile, manifest: dict, staging: Path, source: Path) -> None:
    """Extract every member into staging, checking each against the manifest."""
    expected = manifest["_expected"]
    seen = set()
    problems = []
    for member in archive:
        name = member.name
        if name == MANIFEST:
            continue
        if name not in expected:
            problems.append(f"{name}: in the archive but not in the manifest")
            continue
        if not member.isreg():
            problems.append(f"{name}: not a regular file")
            continue
        if name in seen:
            problems.append(f"{name}: twice in the archive")
            continue
        seen.add(name)
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        reader = archive.extractfile(member)
        with open(target, "wb") as f:
            while chunk := reader.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                f.write(chunk)
        os.utime(target, (member.mtime, member.mtime))
        sha, wanted_size = expected[name]
        if size != wanted_size or digest.hexdigest() != sha:
            problems.append(f"{name}: checksum mismatch (the archive is damaged)")
    problems += [f"{name}: in the manifest but missing from the archive"
                 for name in sorted(set(expected) - seen)]
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BackupError(f"{source} failed verification; nothing was restored:\n  {shown}{more}")


def _table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _check_migrations(manifest: dict) -> None:
    archived = {(app, name) for app, name in manifest["applied_migrations"]}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"].items()
               if app in loader.migrated_apps and (app, name) not in loader.disk_migrations]
    if unknown:
        raise BackupError(
            "the archive comes from a newer kcity: this code does not know its migrations "
            f"{', '.join(sorted(unknown))}; install that version, then restore"
        )
    newer = sorted(f"{app}.{name}" for app, name in _applied_migrations() - archived
                   if app in loader.migrated_apps)
    if newer:
        shown = ", ".join(newer[:5]) + (f" and {len(newer) - 5} more" if len(newer) > 5 else "")
        raise BackupError(
            f"the database {_database_label()} has a newer migration state than the archive "
            f"({shown} are applied here, not in the backup); restore into an empty database, "
            "then run `kcity migrate`"
        )


def _check_sqlite(dump: Path) -> None:
    copy = sqlite3.connect(dump)
    try:
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        check = str(error)
    finally:
        copy.close()
    if check != "ok":
        raise BackupError(f"the SQLite dump fails its integrity check ({check}); nothing was "
                          "changed")


def _restore_sqlite(dump: Path) -> None:
    copy = sqlite3.connect(dump)
    try:
        connection.ensure_connection()
        # SQLite's backup API replaces the whole database in one step, under a lock.
        copy.backup(connection.connection)
    finally:
        copy.close()


def _postgres_script(dump: Path) -> Path:
    """pg_restore's SQL script of the dump (no connection: objects get the restoring user as
    owner, and no grants). Written before anything changes: a dump pg_restore cannot read
    stops the restore here."""
    script = dump.with_suffix(".sql")
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
         dict(os.environ), "pg_restore (reading the dump; nothing was changed)")
    return script


def _restore_postgres(script: Path) -> None:
    """Drop every relation and function in the schemas Django uses, then run pg_restore's
    script, all through psql in one transaction: the old database stays if anything fails."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(current_schemas(false)) "
            "AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') "
            # Tables first: their owned sequences and dependent views go with them.
            "ORDER BY position(c.relkind IN 'rpfmvS'), c.relname"
        )
        relations = cursor.fetchall()
        # Functions the migrations made (e.g. the payments' ceiling trigger), not those of
        # an extension: the dump creates them again.
        cursor.execute(
            "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = ANY(current_schemas(false)) AND NOT EXISTS ("
            "SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') "
            "ORDER BY p.proname"
        )
        functions = cursor.fetchall()
    kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW",
             "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    quote = connection.ops.quote_name
    drops = [f"DROP {kinds[kind]} IF EXISTS {quote(schema)}.{quote(name)} CASCADE;"
             for schema, name, kind in relations]
    drops += [f"DROP FUNCTION IF EXISTS {quote(schema)}.{quote(name)}({args}) CASCADE;"
              for schema, name, args in functions]
    connection.close()  # psql must not wait for this connection's locks
    preamble = script.with_name("preamble.sql")
    preamble.write_text("\n".join(drops) + "\n")
    psql, env = _postgres_command(
        "psql", ["-X", "-q", "--no-password", "--single-transaction",
                 "--set=ON_ERROR_STOP=1", f"--file={preamble}", f"--file={script}",
                 "--output=/dev/null"]
    )
    _run(psql, env, "psql (the database was not changed: one transaction)")


def _swap_in(staged: Path, media: Path, keep: Path) -> None:
    """Put the staged files at MEDIA_ROOT, moving the current ones to keep."""
    if media.exists():
        os.replace(media, keep)
    if staged.exists():
        os.replace(staged, media)
    else:
        media.mkdir()


def _swap_back(staged: Path, media: Path, keep: Path) -> None:
    if media.exists():
        os.replace(media, staged)
    if keep.exists():
        os.replace(keep, media)


def restore_backup(*, source, force=False) -> RestoreResult:
    """Restore the archive `source` into the configured database and MEDIA_ROOT.

    Everything is checked first (manifest, every checksum, vendor, migration state, whether
    the target holds data); a target with data is replaced only with force."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    vendor = connection.vendor
    media = _media_root()
    media.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = tarfile.open(source, "r:*")  # noqa: SIM115 (closed by the `with` below)
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{source} is not a kcity backup (not a tar archive: {error})") from None
    with archive, tempfile.TemporaryDirectory(prefix=".kcity-restore-", dir=media.parent) as work:
        staging = Path(work)
        try:
            manifest = _read_manifest(archive, source)
            archived_vendor = manifest["database"]["vendor"]
            if archived_vendor != vendor:
                raise BackupError(
                    f"{source} is a {archived_vendor} backup and this database is {vendor}: "
                    "a backup restores only into the same database vendor"
                )
            _stage(archive, manifest, staging, source)
        except (tarfile.TarError, EOFError, zlib.error) as error:
            raise BackupError(f"{source} is damaged ({error}); nothing was restored") from None
        try:
            _check_migrations(manifest)
            rows = _table_rows()
        except DatabaseError as error:
            raise BackupError(
                f"cannot read the database {_database_label()}: {error}".strip()
            ) from None
        data_tables = sorted(t for t, n in rows.items() if n and t not in BOOKKEEPING_TABLES)
        present, _ = _stored_files(media)
        if (data_tables or present) and not force:
            held = []
            if data_tables:
                held.append(f"the database {_database_label()} holds data "
                            f"({len(data_tables)} tables with rows, e.g. {data_tables[0]})")
            if present:
                held.append(f"{media} holds {len(present)} files")
            raise BackupError(
                f"{' and '.join(held)}; a restore replaces all of it. Run again with --force "
                "to overwrite it (nothing was changed)."
            )
        staged_files = staging / FILES_PREFIX.rstrip("/")
        keep = staging / "replaced-media"
        dump = staging / manifest["database"]["path"]
        script = _postgres_script(dump) if vendor == "postgresql" else None
        if script is None:
            _check_sqlite(dump)
        _swap_in(staged_files, media, keep)
        try:
            if script is None:
                _restore_sqlite(dump)
            else:
                _restore_postgres(script)
        except BaseException:
            _swap_back(staged_files, media, keep)
            raise
        connection.close()
        restored = _table_rows()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return RestoreResult(
        source=source, vendor=vendor, database=_database_label(),
        created_at=manifest["created_at"], tables=len(restored), rows=sum(restored.values()),
        files=len(manifest["files"]), file_bytes=sum(int(e["size"]) for e in manifest["files"]),
        replaced=bool(data_tables or present),
        pending_migrations=tuple(f"{m.app_label}.{m.name}" for m, _ in pending),
    )
