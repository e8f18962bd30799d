"""The public notice of a cycle's results as a PDF (WeasyPrint), in the current language.
Korean needs a CJK font on the machine (Debian's fonts-nanum, installed by dev.py)."""

from django.template.loader import render_to_string

from kcity.core.pdf import html_to_pdf


def render_pdf(context: dict, request=None) -> bytes:
    html = render_to_string("selection/notice_pdf.html", context, request=request)
    return html_to_pdf(html)
