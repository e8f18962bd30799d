"""What an uploaded file really is, decided from its bytes, never from its name.

Allowed: PDF, DOCX, XLSX, PPTX (zip packages recognised by their [Content_Types].xml and
main part), HWP (an OLE compound file carrying the "HWP Document File" header stream),
HWPX (a zip whose `mimetype` entry says application/hwp+zip), JPEG and PNG.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HWP_SIGNATURE = b"HWP Document File"
HWP_HEADER_STREAM = "FileHeader".encode("utf-16-le")


@dataclass(frozen=True)
class FileType:
    code: str  # also the stored file's extension
    content_type: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
PNG = FileType("png", "image/png", "PNG")
JPEG = FileType("jpg", "image/jpeg", "JPEG")
HWP = FileType("hwp", "application/x-hwp", "HWP")
HWPX = FileType("hwpx", "application/hwp+zip", "HWPX")
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
)
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
PPTX = FileType(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"
)
ALLOWED = (PDF, DOCX, XLSX, PPTX, HWP, HWPX, JPEG, PNG)

# Office package: main part -> (type, content type that [Content_Types].xml must declare)
OFFICE_PARTS = {
    "word/document.xml": (DOCX, b"wordprocessingml.document.main"),
    "xl/workbook.xml": (XLSX, b"spreadsheetml.sheet.main"),
    "ppt/presentation.xml": (PPTX, b"presentationml.presentation.main"),
}


def _zip_type(fileobj) -> FileType | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    if entry.read(64).strip() == b"application/hwp+zip":
                        return HWPX
            if "[Content_Types].xml" not in names:
                return None
            with archive.open("[Content_Types].xml") as entry:
                content_types = entry.read(256 * 1024)
            for part, (filetype, declared) in OFFICE_PARTS.items():
                if part in names and declared in content_types:
                    return filetype
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    return None


def _is_hwp(data: bytes) -> bool:
    # An OLE compound file whose directory names the FileHeader stream and whose header
    # stream begins with the HWP signature (small streams sit verbatim in the mini-stream).
    return HWP_HEADER_STREAM in data and HWP_SIGNATURE in data


def detect(fileobj) -> FileType | None:
    """The allowed type of a (seekable) file object, or None when it is none of them."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    found = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head == b"\x89PNG\r\n\x1a\n":
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"PK\x03\x04"):
        found = _zip_type(fileobj)
    elif head == OLE_MAGIC:
        found = HWP if _is_hwp(fileobj.read()) else None
    fileobj.seek(0)
    return found


UNSAFE = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


def sanitise_name(name: str, max_length: int = 150) -> str:
    """A display name safe to show and to send back in Content-Disposition: no folders,
    no control characters, no leading dots; `../../etc/passwd` becomes `passwd`."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"_+", "_", name)
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1] + "." + ext
        else:
            name = name[:max_length]
    return name or "document"
