"""The evaluation summary as a PDF (WeasyPrint), like the submission receipt."""

from django.template.loader import render_to_string

from kcity.core.pdf import html_to_pdf


def render_pdf(context: dict, request=None) -> bytes:
    html = render_to_string("evaluation/summary_pdf.html", context, request=request)
    return html_to_pdf(html)
