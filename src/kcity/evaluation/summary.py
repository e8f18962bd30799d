"""The evaluation summary as a PDF (WeasyPrint), like the submission receipt."""

from django.template.loader import render_to_string


def render_pdf(context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("evaluation/summary_pdf.html", context, request=request)
    return HTML(string=html).write_pdf()
