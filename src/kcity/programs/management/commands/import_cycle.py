from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kcity.programs import config


class Command(BaseCommand):
    help = _("Create a cycle from a configuration file, e.g. next year's call from this year's.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--year", type=int, help=_("Import as this year's draft call, moving every date.")
        )
        parser.add_argument(
            "--replace", action="store_true", help=_("Overwrite a cycle of the same year.")
        )

    def handle(self, *args, file, year, replace, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            raise CommandError(message) from None
        try:
            cycle = config.loads(text, year=year, replace=replace)
        except config.ConfigError as exc:
            raise CommandError("\n" + "\n".join(exc.problems)) from None
        self.stdout.write(
            _("Imported cycle %(year)s with %(n)s tracks.")
            % {"year": cycle.year, "n": cycle.tracks.count()}
        )
