"""Small test files for proposal tests."""

import io
import struct
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


def _dir_entry(name: str, kind: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + b"\0" * 16
            + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))


def hwp_ole(signature: bytes = b"HWP Document File") -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) as HWP 5 writes it: a root
    entry whose mini stream holds the 256-byte FileHeader stream starting with the HWP
    signature. Sectors: 0 FAT, 1 directory, 2 mini FAT, 3 mini stream."""
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 4096)  # FAT sectors, dir, txn, cutoff
    struct.pack_into("<IIII", header, 0x3C, 2, 1, end, 0)  # mini FAT at 2, no DIFAT
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sect, end, end, end, *([free] * 124))
    directory = (_dir_entry("Root Entry", 5, 3, 256) + _dir_entry("FileHeader", 2, 0, 256)
                 + b"\0" * 256)
    # the root's child is the FileHeader entry (child id at offset 76 of the root entry)
    directory = directory[:76] + struct.pack("<I", 1) + directory[80:]
    minifat = struct.pack("<128I", 1, 2, 3, end, *([free] * 124))
    ministream = (signature.ljust(32, b"\0") + struct.pack("<I", 0x05000300)).ljust(512, b"\0")
    return bytes(header) + fat + directory + minifat + ministream
