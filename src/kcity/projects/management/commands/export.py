"""`kcity export KIND -o FILE`: the platform's open-data exports, one kind per entry of
`EXPORTS` (issue 18 adds `iati` and `projects` there). `ocds`: every procurement's releases
in one OCDS 1.1 release package (public tenders only, published or later, unless --all)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kcity.projects import ocds


def export_ocds(options) -> dict:
    tenders = list(ocds.exported_tenders(public=not options["all"]))
    if not tenders:
        raise CommandError(_("There is no procurement to export (an OCDS package holds at "
                             "least one release)."))
    return ocds.package(tenders, uri=options["uri"] or f"{ocds.ocid_prefix()}-package.json")


# kind -> (function(options) -> JSON-ready data, help)
EXPORTS = {
    "ocds": (export_ocds, "OCDS 1.1 release package of the procurements"),
}


class Command(BaseCommand):
    help = _("Export open data: %(kinds)s.") % {"kinds": ", ".join(EXPORTS)}

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(EXPORTS), help=_("What to export"))
        parser.add_argument("-o", "--output", required=True,
                            help=_("File to write (must not be a folder)"))
        parser.add_argument("--all", action="store_true",
                            help=_("Include tenders that are not public yet (drafts)"))
        parser.add_argument("--uri", default="", help=_("The package's own URI"))

    def handle(self, *args, kind, output, **options):
        path = Path(output)
        if path.is_dir():
            raise CommandError(_("%(path)s is a folder; name a file.") % {"path": output})
        if not path.parent.exists():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": path.parent})
        data = EXPORTS[kind][0](options)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        releases = len(data.get("releases", ()))
        self.stdout.write(_("Wrote %(n)s releases to %(path)s.") % {"n": releases,
                                                                      "path": output})
