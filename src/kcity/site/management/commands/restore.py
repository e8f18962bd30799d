"""`kcity restore IN [--force]`: a `kcity backup` archive back into the database and
MEDIA_ROOT, after checking it whole (see site/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from kcity.site.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `kcity backup` archive: checks the manifest and every checksum, the database "
        "vendor and the migration state first; refuses a target that holds data unless --force. "
        "Stop the portal and the workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="IN", help="the archive `kcity backup` wrote")
        parser.add_argument(
            "--force", action="store_true",
            help="replace a database and files that already hold data",
        )

    def handle(self, *args, source, force, **options):
        try:
            result = restore_backup(source=source, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        replaced = " (replacing what was there)" if result.replaced else ""
        self.stdout.write(
            f"Restored the backup of {result.created_at} from {result.source}{replaced}:\n"
            f"  database {result.database} ({result.vendor}): {result.tables} tables, "
            f"{result.rows} rows\n"
            f"  files: {result.files} ({result.file_bytes} bytes)"
        )
        if result.pending_migrations:
            self.stdout.write(
                f"  {len(result.pending_migrations)} migrations of this code are not applied "
                "in the backup: run `kcity migrate`."
            )
        else:
            self.stdout.write("  migrations: up to date with this code.")
