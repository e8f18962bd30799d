"""Keep the Korean and English catalogues complete.

`kcity i18n` extracts the strings (needs GNU gettext), fills the English catalogue with the
source text, compiles both catalogues with polib, and lists any Korean string still missing.
`kcity i18n --check` only reports and exits non-zero when a catalogue is incomplete.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LANGS = ("ko", "en")


def catalogue(lang: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / lang / "LC_MESSAGES" / "django.po"


def missing(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]


class Command(BaseCommand):
    help = "Extract, fill (English), compile and check the message catalogues."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check, **options):
        if not check:
            call_command(
                "makemessages",
                locale=list(LANGS),
                ignore_patterns=[".venv/*", "tests/*", "benchmarks/*"],
                no_obsolete=True,
                verbosity=0,
            )
        problems = []
        for lang in LANGS:
            po = polib.pofile(str(catalogue(lang)))
            if lang == "en" and not check:
                for entry in po:
                    entry.msgstr = entry.msgid
                    if entry.msgid_plural:
                        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                    if entry.fuzzy:
                        entry.flags.remove("fuzzy")
                po.save()
            if not check:
                po.save_as_mofile(str(catalogue(lang).with_suffix(".mo")))
            problems += [f"{lang}: {msgid!r}" for msgid in missing(po)]
        if problems:
            raise CommandError("untranslated:\n" + "\n".join(problems))
        self.stdout.write("catalogues complete: " + ", ".join(LANGS))
