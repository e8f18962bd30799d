"""The public notice of a cycle's results as a PDF (WeasyPrint), in the current language.
Korean needs a CJK font on the machine (Debian's fonts-nanum, installed by dev.py)."""

from django.template.loader import render_to_string


def render_pdf(context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("selection/notice_pdf.html", context, request=request)
    return HTML(string=html).write_pdf()
