from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kcity.programs import config
from kcity.programs.models import Cycle


class Command(BaseCommand):
    help = _("Write a cycle's configuration (tracks, criteria, deadlines) as a JSON file.")

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", help=_("File to write (default: standard output)"))

    def handle(self, *args, year, output, **options):
        try:
            cycle = Cycle.objects.get(year=year)
        except Cycle.DoesNotExist:
            raise CommandError(_("There is no cycle %(year)s.") % {"year": year}) from None
        text = config.dumps(cycle)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            self.stdout.write(text, ending="")
