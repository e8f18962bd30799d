"""Small test files for proposal tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from kcity.applications.demo import DEMO_PDF as PDF


def pdf(name="file.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office_zip(main_part: str, declared: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/{main_part}" ContentType="application/'
            f'vnd.openxmlformats-officedocument.{declared}+xml"/></Types>',
        )
        z.writestr(main_part, "<x/>")
    return buffer.getvalue()

