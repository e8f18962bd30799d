"""Receipt numbers, the fingerprint of what was submitted, and the receipt as a PDF."""

import hashlib
import json
import re

from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string

from kcity.applications import rules
from kcity.applications.models import Proposal, ReceiptCounter, Submission
from kcity.core.pdf import html_to_pdf

CONTENT_FIELDS = [
    f.name
    for f in Proposal._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name not in {
        "id", "cycle", "track", "organisation", "created_by", "state", "jurisdiction",
        "screening_checklist", "created_at", "updated_at",
    }
]


def snapshot(proposal) -> dict:
    """What the applicant submitted: content, files (by SHA-256) and confirmed members."""
    content = {}
    for name in CONTENT_FIELDS:
        value = getattr(proposal, name)
        if name == "country":
            value = str(value)
        elif name == "prior_study_project" and value is not None:
            # the cited portfolio study as the applicant saw it, not only its row number
            value = {"id": value.pk, "year": value.year, "city": value.city,
                     "country": str(value.country), "title": value.title}
        content[name] = value
    return {
        "proposal": proposal.pk,
        "cycle": proposal.cycle.year,
        "track": proposal.track.code,
        "organisation": proposal.organisation.name,
        "content": content,
        "documents": [
            {"code": d.code, "name": d.original_name, "size": d.size, "sha256": d.sha256}
            for d in sorted(proposal.documents.all(), key=lambda d: d.code)
        ],
        "consortium": [
            {"name": m.organisation.name, "role": m.role}
            for m in sorted(rules.members_with_organisations(proposal), key=lambda m: m.pk)
            if m.confirmed_at is not None
        ],
    }


def fingerprint(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def receipt_prefix(track) -> str:
    return f"KCN-{track.cycle.year}-{track.code.upper()}-"


def _highest_number(prefix: str) -> int:
    numbers = Submission.objects.filter(receipt_number__startswith=prefix).values_list(
        "receipt_number", flat=True
    )
    return max(
        (int(n[len(prefix):]) for n in numbers if re.fullmatch(r"\d+", n[len(prefix):])),
        default=0,
    )


def next_receipt_number(track) -> str:
    """KCN-<year>-<track code>-<nnnn> from the track's `ReceiptCounter` row.

    Must run inside the submission's transaction: the increment locks the counter row until
    that transaction ends (so two submissions never get the same number, and a rolled-back
    one gives its number back: no gaps). Call it as late in the transaction as possible; the
    unique constraint on receipt_number backs it up."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_receipt_number must run inside the submission's transaction")
    prefix = receipt_prefix(track)
    number = _increment(track.pk)
    if number is None:
        # The track's first receipt (or a track from before the counters): start the row
        # at the highest number given so far; a concurrent first submission may create it
        # meanwhile, which get_or_create absorbs.
        ReceiptCounter.objects.get_or_create(
            track_id=track.pk, defaults={"last": _highest_number(prefix)}
        )
        number = _increment(track.pk)
    return f"{prefix}{number:04d}"


def _increment(track_pk) -> int | None:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ReceiptCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last = last + 1 WHERE track_id = %s RETURNING last",
                [track_pk],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    # Elsewhere (SQLite: one writer at a time anyway) in two statements.
    updated = ReceiptCounter.objects.filter(track_id=track_pk).update(last=F("last") + 1)
    if not updated:
        return None
    return ReceiptCounter.objects.filter(track_id=track_pk).values_list("last", flat=True)[0]


def render_pdf(submission, request=None) -> bytes:
    """The receipt as a PDF (WeasyPrint). Korean text needs a CJK font on the machine
    (Debian's fonts-nanum, installed by dev.py); without it Korean glyphs are blank."""
    html = render_to_string(
        "applications/receipt_pdf.html",
        {"submission": submission, "proposal": submission.proposal},
        request=request,
    )
    return html_to_pdf(html)
