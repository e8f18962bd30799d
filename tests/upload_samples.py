"""Valid and hostile upload files, built here with pypdf, Pillow and zipfile (no fixtures on
disk), for the upload-rule tests of proposals and consultations."""

import io
import os
import struct
import warnings
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from kcity.applications.demo import blank_pdf

CONTENT_TYPES = {
    "word/document.xml": "wordprocessingml.document.main",
    "xl/workbook.xml": "spreadsheetml.sheet.main",
    "ppt/presentation.xml": "presentationml.presentation.main",
}


def pdf() -> bytes:
    return blank_pdf()


def _pdf_with(key: str, value) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer._root_object[NameObject(key)] = value
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_launch() -> bytes:
    """A PDF whose OpenAction launches a program."""
    return _pdf_with("/OpenAction", DictionaryObject({
        NameObject("/S"): NameObject("/Launch"),
        NameObject("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
    }))


def pdf_js_open_action() -> bytes:
    return _pdf_with("/OpenAction", DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('hello');"),
    }))


def pdf_js_names() -> bytes:
    """JavaScript in the document's /Names tree (runs when the file opens)."""
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert(1);")})
    return _pdf_with("/Names", DictionaryObject({NameObject("/JavaScript"): DictionaryObject({
        NameObject("/Names"): ArrayObject([TextStringObject("start"), action])})}))


def image(fmt: str, size=(16, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, fmt)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A complete, tiny PNG whose header claims width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _png_chunk(b"IEND", b""))


def package(main_part: str = "word/document.xml", main_xml: str = "<w:document xmlns:w='w'/>",
            extra=(), compression=zipfile.ZIP_DEFLATED) -> bytes:
    """An Office Open XML package (DOCX by default) with extra (name, bytes) entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{main_part}" ContentType="application/vnd.openxmlformats-'
            f'officedocument.{CONTENT_TYPES[main_part]}+xml"/></Types>',
        )
        archive.writestr(main_part, main_xml)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**kwargs) -> bytes:
    return package("word/document.xml", **kwargs)


def xlsx(shared_strings: str = "<sst><si><t>Budget</t></si></sst>") -> bytes:
    return package("xl/workbook.xml", "<workbook/>",
                   extra=[("xl/sharedStrings.xml", shared_strings)])


def pptx() -> bytes:
    return package("ppt/presentation.xml", "<p:presentation xmlns:p='p'/>")


def hwpx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        archive.writestr("Contents/section0.xml", "<hs:sec xmlns:hs='urn:hwpml'/>")
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A DOCX with a 60 MB entry of zeros (compressed about 1000 to 1)."""
    return docx(extra=[("word/media/image1.bin", b"\0" * (60 * 1024 * 1024))])


def zip_too_big_in_total(entries: int, entry_size: int) -> bytes:
    """A DOCX of incompressible entries, stored: each ratio is 1, only the total is large."""
    return docx(extra=[(f"word/media/{i}.bin", os.urandom(entry_size)) for i in range(entries)],
                compression=zipfile.ZIP_STORED)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + ']><w:document xmlns:w="w">&lol9;</w:document>'
)
EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   '<w:document xmlns:w="w">&x;</w:document>')
QUADRATIC = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "' + "A" * 50_000 + '">]><sst>'
             + "<si><t>" + "&a;" * 2_000 + "</t></si></sst>")


def duplicate_entries() -> bytes:
    buffer = io.BytesIO(docx())
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        archive.writestr("word/document.xml", "<w:document xmlns:w='w'>second</w:document>")
    return buffer.getvalue()


def _dir_entry(name: str, kind: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + b"\0" * 36
            + struct.pack("<IQ", start, size))


def hwp(signature: bytes = b"HWP Document File", byte_order: int = 0xFFFE,
        stream: str = "FileHeader") -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) as HWP 5 writes it: a root
    entry whose mini stream holds the 256-byte FileHeader stream starting with the HWP
    signature. Sectors: 0 FAT, 1 directory, 2 mini FAT, 3 mini stream."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, byte_order, 9, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 4096)  # FAT sectors, directory, -, cutoff
    struct.pack_into("<IIII", header, 0x3C, 2, 1, end, 0)  # mini FAT at 2, no DIFAT
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, end, end, *([free] * 124))
    root = bytearray(_dir_entry("Root Entry", 5, 3, 256))
    struct.pack_into("<I", root, 76, 1)  # its child: the stream entry
    directory = bytes(root) + _dir_entry(stream, 2, 0, 256) + b"\0" * 256
    minifat = struct.pack("<128I", 1, 2, 3, end, *([free] * 124))
    ministream = (signature.ljust(32, b"\0") + struct.pack("<I", 0x05000300)).ljust(512, b"\0")
    return bytes(header) + fat + directory + minifat + ministream


# Hostile uploads both upload forms (proposal documents, revised documents) must refuse:
# (name as sent, builder, refusal code).
HOSTILE = [
    ("plan.hwp", docx, "name-mismatch"),
    ("plan.docx", pdf, "name-mismatch"),
    ("plan.pdf", lambda: b"%PDF-1.7\n", "pdf-broken"),
    ("plan.pdf", lambda: pdf()[:300], "pdf-broken"),
    ("site.png", lambda: image("PNG")[:-30], "image-broken"),
    ("plan.pdf", pdf_launch, "pdf-launch"),
    ("plan.docx", zip_bomb, "zip-bomb"),
    ("plan.docx", lambda: docx(main_xml=BILLION_LAUGHS), "xml-entities"),
    ("plan.docx", duplicate_entries, "zip-duplicate"),
    ("plan.docx", lambda: docx(extra=[("../evil", b"x")]), "zip-entry-name"),
    ("site.png", lambda: png_claiming(100_000, 100_000), "image-pixels"),
    ("proposal.pdf.exe", pdf, "name-executable"),
    ("proposal.pdf:evil.exe", pdf, "name-colon"),
    ("file.pdf\0.exe", pdf, "name-characters"),
    ("plan\u202egpj.pdf", pdf, "name-characters"),
    ("../../etc/passwd", pdf, "name-path"),
    (".htaccess", pdf, "name-stem"),
    ("proposal", pdf, "name-extension"),
]


def multipart(fields: dict, filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body written by hand, so that a file name reaches the server
    exactly as sent (NUL, folders, CP949 bytes): (body, content type)."""
    boundary = b"----kcityTestBoundary7MA4YWxk"
    body = b""
    for key, value in fields.items():
        body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="'
                 + key.encode() + b'"\r\n\r\n' + value.encode() + b"\r\n")
    body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; '
             b'filename="' + filename + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
             + content + b"\r\n--" + boundary + b"--\r\n")
    return body, "multipart/form-data; boundary=" + boundary.decode()
