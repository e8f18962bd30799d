"""The portfolio and the proposals as tables: CSV (UTF-8 with a byte-order mark, so Excel
reads Korean) and XLSX (openpyxl), one set of columns for both.

`project_table()` is the one portfolio (`selectors.portfolio`): public columns only, real
projects unless demo projects are asked for (then flagged in a `demo` column).
`proposal_table(user)` is what `permissions.visible_proposals` lets that user see: an
applicant its own organisation's (and the consortia it confirmed), the secretariat its
unit's tracks (MOLIT all), an evaluator the proposals it may read; a stranger nothing. It
carries no score, no evaluation and no document.

Money is integer KRW (a number cell with a thousands separator in XLSX); dates and times are
shown in Asia/Seoul. Column headers, and labels such as the status or the region, are in the
language active when the table is written (the request's).
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max, QuerySet
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kcity.applications.models import ProposalState
from kcity.opendata.selectors import SELECTED, portfolio
from kcity.permissions import visible_proposals
from kcity.portfolio.models import REGIONS, Programme
from kcity.projects.models import ProjectState

SEOUL = ZoneInfo("Asia/Seoul")
TEXT, MONEY, NUMBER, DATE, DATETIME = "text", "money", "number", "date", "datetime"
FORMATS = {MONEY: "#,##0", NUMBER: "0", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm"}
TRACK_KINDS = {"planning": _("Planning"), "demonstration": _("Overseas demonstration")}
STATUSES = {SELECTED: _("selected"), **dict(ProjectState.choices)}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # lazy: translated when the table is written
    kind: str
    value: Callable


@dataclass
class Table:
    """Columns and the rows they read (an iterable of objects, consumed once)."""

    name: str  # the file's stem and the sheet's title
    columns: list[Column]
    rows: Iterable

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def values(self) -> Iterator[list]:
        for row in self.rows:
            yield [c.value(row) for c in self.columns]


def seoul(value):
    """A stored (UTC) datetime as a naive Korean wall-clock time; dates unchanged."""
    if isinstance(value, dt.datetime):
        return value.astimezone(SEOUL).replace(tzinfo=None)
    return value


def paperwork_of(record):
    """The project's paperwork (`projects.Project`), or None for a row of the history."""
    try:
        return record.paperwork
    except ObjectDoesNotExist:
        return None


def _money(name):
    def read(row):
        value = getattr(row, name)
        return None if value is None else int(value)
    return read


def _paid(name):
    """Money that exists only for a project with the platform's paperwork (else blank)."""
    def read(row):
        return int(getattr(row, name)) if paperwork_of(row) is not None else None
    return read


def _paperwork(name):
    def read(row):
        work = paperwork_of(row)
        return getattr(work, name) if work is not None else None
    return read


# ---- projects ------------------------------------------------------------------------------

PROJECT_COLUMNS = [
    Column("id", _("ID"), NUMBER, lambda r: r.pk),
    Column("year", _("Year"), NUMBER, lambda r: r.year),
    Column("track", _("Track"), TEXT, lambda r: str(TRACK_KINDS.get(r.track_kind, r.track_kind))),
    Column("programme", _("Programme"), TEXT,
           lambda r: str(dict(Programme.choices).get(r.programme, r.programme))),
    Column("city", _("City"), TEXT, lambda r: r.city),
    Column("country", _("Country code"), TEXT, lambda r: r.country.code),
    Column("country_name", _("Country"), TEXT, lambda r: str(r.country.name)),
    Column("region", _("Region"), TEXT, lambda r: str(REGIONS.get(r.region, ""))),
    Column("title", _("Title"), TEXT, lambda r: r.title),
    Column("korean_partner", _("Korean partner"), TEXT, lambda r: r.korean_partner),
    Column("status", _("Status"), TEXT, lambda r: str(STATUSES.get(r.status, r.status))),
    Column("award", _("Award (KRW)"), MONEY, _money("award")),
    Column("contract_value", _("Contract value (KRW)"), MONEY, _money("contract_value")),
    Column("disbursed", _("Disbursed (KRW)"), MONEY, _paid("disbursed")),
    Column("follow_on_count", _("Follow-ons"), NUMBER,
           lambda r: r.follow_on_count if paperwork_of(r) is not None else None),
    Column("follow_on_amount", _("Follow-on investment (KRW)"), MONEY, _paid("follow_on_amount")),
    Column("planned_start", _("Planned start"), DATE, _paperwork("planned_start")),
    Column("planned_end", _("Planned end"), DATE, _paperwork("planned_end")),
    Column("source", _("Sources"), TEXT, lambda r: r.source),
]
DEMO_COLUMN = Column("demo", _("Demo (made-up data)"), TEXT,
                     lambda r: str(_("yes")) if r.is_demo else "")


def project_rows(*, include_demo: bool = False) -> QuerySet:
    """The portfolio as the exports read it: one query (money annotated, paperwork joined)."""
    return portfolio(include_demo=include_demo)


def project_table(*, include_demo: bool = False) -> Table:
    columns = PROJECT_COLUMNS + ([DEMO_COLUMN] if include_demo else [])
    rows = project_rows(include_demo=include_demo).iterator(chunk_size=500)
    return Table("kcity-projects", columns, rows)


# ---- proposals -----------------------------------------------------------------------------

def _track_name(row) -> str:
    return row.track.name_ko if get_language() == "ko" and row.track.name_ko else row.track.name_en


PROPOSAL_COLUMNS = [
    Column("id", _("ID"), NUMBER, lambda r: r.pk),
    Column("year", _("Year"), NUMBER, lambda r: r.cycle.year),
    Column("track", _("Track"), TEXT, _track_name),
    Column("title", _("Title"), TEXT, lambda r: r.title),
    Column("organisation", _("Applicant organisation"), TEXT, lambda r: r.organisation.name),
    Column("city", _("City"), TEXT, lambda r: r.city),
    Column("country", _("Country code"), TEXT, lambda r: r.country.code if r.country else ""),
    Column("state", _("Status"), TEXT,
           lambda r: str(dict(ProposalState.choices).get(r.state, r.state))),
    Column("requested_amount", _("Requested amount (KRW)"), MONEY, _money("requested_amount")),
    Column("matching_funds_amount", _("Matching funds committed (KRW)"), MONEY,
           _money("matching_funds_amount")),
    Column("created_at", _("Created (KST)"), DATETIME, lambda r: seoul(r.created_at)),
    Column("submitted_at", _("Last submitted (KST)"), DATETIME,
           lambda r: seoul(r.last_submitted_at)),
]


def proposal_rows(user) -> QuerySet:
    """The proposals `user` may see (`permissions.visible_proposals`), oldest first."""
    return (visible_proposals(user).select_related("cycle", "track", "organisation")
            .annotate(last_submitted_at=Max("submissions__submitted_at"))
            .order_by("cycle__year", "pk"))


def proposal_table(user) -> Table:
    return Table("kcity-proposals", PROPOSAL_COLUMNS, proposal_rows(user).iterator(chunk_size=500))


# ---- writers -------------------------------------------------------------------------------

BOM = "\ufeff"


class _Line:
    """A file-like object whose write() returns what was written (for streaming)."""

    def write(self, value):
        return value


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_lines(table: Table, *, language: str | None = None) -> Iterator[str]:
    """The table as CSV lines, the first starting with the byte-order mark. Written in
    `language` (default: the active one), even when consumed after the request's end."""
    language = language or get_language()
    writer = csv.writer(_Line())
    with translation.override(language):
        yield BOM + writer.writerow(table.headers())
        for values in table.values():
            yield writer.writerow([_cell_text(v) for v in values])


def csv_bytes(table: Table, *, language: str | None = None) -> Iterator[bytes]:
    for line in csv_lines(table, language=language):
        yield line.encode("utf-8")


def xlsx_bytes(table: Table, *, language: str | None = None) -> bytes:
    """The table as one XLSX workbook (write-only: rows go straight to the file)."""
    language = language or get_language()
    book = Workbook(write_only=True)
    with translation.override(language):
        sheet = book.create_sheet(title=table.name[:31])
        bold = Font(bold=True)
        head = []
        for header in table.headers():
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        kinds = [c.kind for c in table.columns]
        for values in table.values():
            row = []
            for kind, value in zip(kinds, values, strict=True):
                cell = WriteOnlyCell(sheet, value=value)
                if kind in FORMATS and value is not None:
                    cell.number_format = FORMATS[kind]
                row.append(cell)
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
