"""Helpers of the projects tests (a module of its own: `conftest` names clash across
test folders)."""


def pdf_upload(name="signed.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kcity.applications.demo import DEMO_PDF

    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")
