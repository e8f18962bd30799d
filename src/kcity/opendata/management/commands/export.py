"""`kcity export KIND -o FILE`: the platform's open data, one kind per entry of `EXPORTS`.

- `ocds`: every procurement's releases in one OCDS 1.1 release package (public tenders only,
  published or later, unless --all);
- `projects`: the public portfolio as a table, CSV (UTF-8 with a byte-order mark) or XLSX by
  the file's suffix, headers in --language;
- `iati`: the portfolio as an IATI 2.03 activity file.

`--demo` adds the demo cycles' made-up projects (marked) to `projects` and `iati`. The file
is written beside its target and renamed at the end, so a failed export leaves nothing."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kcity.opendata import exports, iati
from kcity.projects import ocds


def export_ocds(options, path: Path) -> tuple[bytes, str]:
    if options["demo"]:
        raise CommandError(_("--demo applies to projects and iati, not to ocds."))
    tenders = list(ocds.exported_tenders(public=not options["all"]))
    if not tenders:
        raise CommandError(_("There is no procurement to export (an OCDS package holds at "
                             "least one release)."))
    data = ocds.package(tenders, uri=options["uri"] or f"{ocds.ocid_prefix()}-package.json")
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8"), _("Wrote %(n)s releases to %(path)s.") % {
        "n": len(data["releases"]), "path": path}


def export_projects(options, path: Path) -> tuple[bytes, str]:
    _only_for_ocds(options)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise CommandError(_("Name a .csv or .xlsx file for the projects (not %(name)s).")
                           % {"name": path.name})
    table = exports.project_table(include_demo=options["demo"])
    counted = []

    def rows(source=table.rows):
        for row in source:
            counted.append(1)
            yield row

    table.rows = rows()
    data = b"".join(exports.csv_bytes(table)) if suffix == "csv" else exports.xlsx_bytes(table)
    return data, _("Wrote %(n)s projects to %(path)s.") % {"n": len(counted), "path": path}


def export_iati(options, path: Path) -> tuple[bytes, str]:
    _only_for_ocds(options)
    if path.suffix.lower() != ".xml":
        raise CommandError(_("Name an .xml file for the IATI activities (not %(name)s).")
                           % {"name": path.name})
    root = iati.document(include_demo=options["demo"])
    summary = _("Wrote %(n)s activities to %(path)s.") % {"n": len(root), "path": path}
    return iati.serialise(root), summary


def _only_for_ocds(options):
    if options["all"] or options["uri"]:
        raise CommandError(_("--all and --uri apply to ocds only."))


# kind -> (function(options, path) -> (file content, summary), help)
EXPORTS = {
    "ocds": (export_ocds, "OCDS 1.1 release package of the procurements"),
    "projects": (export_projects, "the public portfolio as CSV or XLSX (by the file's suffix)"),
    "iati": (export_iati, "the public portfolio as an IATI 2.03 activity file"),
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
        parser.add_argument("--demo", action="store_true",
                            help=_("Include the demo cycles' made-up projects, marked"))
        parser.add_argument("--language", choices=("en", "ko"), default="en",
                            help=_("Language of the column headers and labels"))

    def handle(self, *args, kind, output, **options):
        path = Path(output)
        if path.is_dir():
            raise CommandError(_("%(path)s is a folder; name a file.") % {"path": output})
        if not path.parent.exists():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": path.parent})
        with translation.override(options["language"]):
            data, summary = EXPORTS[kind][0](options, path)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
        self.stdout.write(summary)
