"""`kcity backup OUT`: the database and every stored file in one archive (see site/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from kcity.site.backup import BackupError, create_backup


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


class Command(BaseCommand):
    help = (
        "Write the database (pg_dump custom format, or SQLite's backup API) and every stored "
        "file to one tar archive with a manifest of SHA-256 checksums. OUT must not exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT", help="the archive to write, e.g. kcity.tar")

    def handle(self, *args, out, **options):
        try:
            result = create_backup(out=out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for name in result.skipped:
            self.stderr.write(f"warning: {name} under MEDIA_ROOT is not a regular file; skipped")
        self.stdout.write(
            f"Backed up the {result.vendor} database ({_size(result.dump_bytes)} dump) and "
            f"{result.files} files ({_size(result.file_bytes)}) to {result.path} "
            f"({_size(result.archive_bytes)}, created {result.created_at})."
        )
