"""`kcity report YEAR --lang ko|en [--public] -o FILE.pdf`: the annual report, rendered now.

Without `--public` the confidential version (the secretariat's, with the annex of every
proposal). A year with nothing to report, or a language other than ko and en, is an error:
a message and a non-zero exit code, no file written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kcity.core.errors import Refused
from kcity.opendata.report import LANGUAGES, render_pdf


class Command(BaseCommand):
    help = "Render the annual report of a year as a PDF (Korean or English)."

    def add_arguments(self, parser):
        parser.add_argument("year", help="the programme year, e.g. 2023")
        parser.add_argument("--lang", required=True, help=f"one of: {', '.join(LANGUAGES)}")
        parser.add_argument("--public", action="store_true",
                            help="the public version (no per-proposal evaluation details)")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")

    def handle(self, *args, year, lang, public, output, **options):
        try:
            pdf = render_pdf(year=year, language=lang, public=public)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        path = Path(output)
        try:
            path.write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc}") from None
        kind = "public" if public else "confidential"
        self.stdout.write(f"wrote {path} ({len(pdf):,} bytes, {lang}, {kind})")
