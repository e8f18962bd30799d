"""The public notice of a cycle's results as a PDF (WeasyPrint), in the current language.
Korean needs a CJK font on the machine (Debian's fonts-nanum, installed by dev.py).

The notice is the same for every reader, and WeasyPrint takes 0.1-1 s of CPU: it is rendered
once per published round and language and kept (`kcity.core.rendered`), versioned by the
HTML it is made from, so a change of what it shows (a replacement published after a
withdrawal, a corrected title) renders it afresh at the next request."""

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import translation

from kcity.core.models import RenderedFile
from kcity.core.pdf import html_to_pdf
from kcity.core.rendered import digest, get_or_render
from kcity.selection import selectors


def render_pdf(context: dict, request=None) -> bytes:
    return html_to_pdf(notice_html(context, request=request))


def notice_html(context: dict, request=None) -> str:
    return render_to_string("selection/notice_pdf.html", context, request=request)


def stored_pdf(*, round, language: str, now: datetime) -> RenderedFile:
    """The notice of the published `round` in `language`, rendered only when the kept one
    shows something else (or there is none)."""
    with translation.override(language):
        html = notice_html(selectors.public_results(round))
        return get_or_render(
            key=f"selection.notice:round={round.pk}:lang={language}", version=digest(html),
            render=lambda: html_to_pdf(html), content_type="application/pdf", now=now,
        )
