"""Receipt numbers, the fingerprint of what was submitted, and the receipt as a PDF."""

import hashlib
import json

from django.template.loader import render_to_string

from kcity.applications.models import Proposal, Submission

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
        content[name] = str(value) if name == "country" else value
    return {
        "proposal": proposal.pk,
        "cycle": proposal.cycle.year,
        "track": proposal.track.code,
        "organisation": proposal.organisation.name,
        "content": content,
        "documents": [
            {"code": d.code, "name": d.original_name, "size": d.size, "sha256": d.sha256}
            for d in proposal.documents.order_by("code")
        ],
        "consortium": [
            {"name": m.organisation.name, "role": m.role}
            for m in proposal.members.filter(confirmed_at__isnull=False)
            .select_related("organisation").order_by("pk")
        ],
    }


def fingerprint(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def next_receipt_number(track) -> str:
    """KCN-<year>-<track code>-<nnnn>; the caller holds the track row's lock, and the
    unique constraint on receipt_number backs it up."""
    prefix = f"KCN-{track.cycle.year}-{track.code.upper()}-"
    count = Submission.objects.filter(receipt_number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


def render_pdf(submission, request=None) -> bytes:
    """The receipt as a PDF (WeasyPrint). Korean text needs a CJK font on the machine
    (Debian's fonts-nanum, installed by dev.py); without it Korean glyphs are blank."""
    from weasyprint import HTML

    html = render_to_string(
        "applications/receipt_pdf.html",
        {"submission": submission, "proposal": submission.proposal},
        request=request,
    )
    return HTML(string=html).write_pdf()
