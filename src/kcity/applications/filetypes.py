"""What an uploaded file is, decided from its structure (never from its first bytes or its
name alone), and whether its name may be kept.

`inspect(name, data)` is the one check every upload goes through (the proposal documents,
the consultation's revised documents and every later upload, via
`kcity.applications.services.stored_upload`). It returns the detected type, the display
name to store (exactly as sent, but for a full-width extension, which is normalised with
NFKC) and flags for the secretariat, or raises `UploadRefused` with a code (for tests and
logs) and a translated message saying why.

- The name ends in exactly one allowed extension (table `TYPES`) that matches the content;
  no control or bidirectional characters, no path parts, no drive or stream (`:`), no
  executable extension anywhere in it.
- PDF: parsed with pypdf (trailer, cross-reference, page tree; limits on pages, objects
  and time). A launch action is refused; JavaScript is accepted but flagged.
- DOCX, XLSX, PPTX, HWPX (zip packages): entries read from the central directory (no
  extraction to disk): entry names, duplicates, total uncompressed size and each entry's
  compression ratio; every XML part parsed with defusedxml (no DTD, no entities), sizes
  checked as they are read; shared strings no longer than Excel's cell limit.
- PNG, JPEG: Pillow reads the header, the pixel count is checked before any decoding, then
  verify() and load().
- HWP: the OLE compound file's header, sector chains and directory are checked and must
  name the HWP FileHeader stream.
"""

import io
import re
import struct
import time
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from kcity.core.errors import Refused

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HWP_SIGNATURE = b"HWP Document File"

# Limits (the upload's size itself is limited by settings.KCITY_MAX_UPLOAD_BYTES).
MAX_NAME_LENGTH = 150
MAX_PDF_PAGES = 2000
MAX_PDF_OBJECTS = 200_000
MAX_SECONDS = 20.0
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_TOTAL = 200 * 1024 * 1024  # uncompressed, all entries together
MAX_ZIP_RATIO = 100  # uncompressed / compressed, for entries above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_XML_TEXT = 5_000_000  # characters in one XML text node
MAX_SHARED_STRING = 32_767  # Excel's limit for a cell
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class FileType:
    code: str  # also the stored file's extension
    content_type: str
    label: str
    extensions: tuple  # the names' allowed extensions, first is the usual one


PDF = FileType("pdf", "application/pdf", "PDF", ("pdf",))
PNG = FileType("png", "image/png", "PNG", ("png",))
JPEG = FileType("jpg", "image/jpeg", "JPEG", ("jpg", "jpeg"))
HWP = FileType("hwp", "application/x-hwp", "HWP", ("hwp",))
HWPX = FileType("hwpx", "application/hwp+zip", "HWPX", ("hwpx",))
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX",
    ("docx",),
)
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX",
    ("xlsx",),
)
PPTX = FileType(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PPTX", ("pptx",),
)
# The one table of types and the names' extensions they allow.
TYPES = (PDF, DOCX, XLSX, PPTX, HWP, HWPX, JPEG, PNG)
ALLOWED = TYPES
BY_EXTENSION = {ext: t for t in TYPES for ext in t.extensions}

EXECUTABLE = frozenset("""
    exe bat cmd com scr js jse vbs vbe wsf wsh msi msp ps1 psm1 psd1 sh bash zsh csh ksh
    jar dll sys cpl pif hta lnk reg inf scf application gadget msc vb ws py pyc pyw pl rb
    php php3 php4 php5 phtml asp aspx jsp cgi apk app deb rpm dmg pkg run bin elf out so
    dylib htm html xhtml svg mht mhtml xml xsl url desktop command iso img vhd
    vhdx chm docm dotm xlsm xltm xlam pptm potm ppsm sldm
""".split())

FLAG_JAVASCRIPT = "javascript"

BIDI_CONTROLS = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
BIDI_MARKS = {"\u200e", "\u200f", "\u061c"}
WINDOWS_DEVICE = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


class UploadRefused(Refused):
    """A refused upload: `code` names the rule, the message says why in the reader's
    language."""

    def __init__(self, code: str, message):
        super().__init__(message)
        self.code = code


@dataclass
class Inspection:
    filetype: FileType
    name: str  # the display name to store
    flags: list = field(default_factory=list)


# ---- names ---------------------------------------------------------------------------------


def _is_dot(char: str) -> bool:
    return unicodedata.normalize("NFKC", char) == "."


def check_name(name: str) -> tuple[str, str]:
    """(display name, lower-case extension) for a file name that may be kept, or
    UploadRefused saying why not. The display name is the name as sent; only a full-width
    extension (`．ｐｄｆ`) is normalised (NFKC)."""
    if not name or not name.strip():
        raise UploadRefused("name-missing", _("The file has no name."))
    for char in name:
        category = unicodedata.category(char)
        if (category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp")
                or unicodedata.bidirectional(char) in BIDI_CONTROLS or char in BIDI_MARKS
                or char == "\ufeff"):
            raise UploadRefused(
                "name-characters",
                _("The file name contains a control or text-direction character "
                  "(U+%(code)04X); rename the file and upload it again.")
                % {"code": ord(char)},
            )
    folded = unicodedata.normalize("NFKC", name)
    if "/" in folded or "\\" in folded:
        raise UploadRefused("name-path", _("The file name contains a folder path (/ or \\); "
                                           "upload the file under its own name."))
    if ":" in folded:
        raise UploadRefused("name-colon", _("The file name contains a drive or stream "
                                            "separator (:); rename the file."))
    if len(name) > MAX_NAME_LENGTH:
        raise UploadRefused("name-long", _("The file name is longer than %(limit)s "
                                           "characters; shorten it.")
                            % {"limit": MAX_NAME_LENGTH})
    parts = folded.casefold().split(".")
    executable = [p.strip() for p in parts[1:] if p.strip() in EXECUTABLE]
    if executable:
        raise UploadRefused("name-executable", _("The file name contains the extension "
                                                 ".%(ext)s of a program or script; such "
                                                 "files are not accepted.")
                            % {"ext": executable[0]})
    dot = max((i for i, c in enumerate(name) if _is_dot(c)), default=-1)
    stem, raw_ext = name[:dot], name[dot + 1:]
    ext = unicodedata.normalize("NFKC", raw_ext)
    if dot < 0 or not ext:
        raise UploadRefused("name-extension", _("The file name has no extension; name it "
                                                "like plan.pdf (accepted: %(exts)s).")
                            % {"exts": _extensions()})
    if not stem.strip(" .") or WINDOWS_DEVICE.match(stem.strip()):
        raise UploadRefused("name-stem", _("The file name has only an extension (like "
                                           ".htaccess) or is a reserved name; give the file "
                                           "a name before its extension."))
    if ext.casefold() not in BY_EXTENSION:
        raise UploadRefused("name-extension", _("The extension .%(ext)s is not accepted "
                                                "(accepted: %(exts)s).")
                            % {"ext": ext, "exts": _extensions()})
    if any(p.strip() in BY_EXTENSION for p in parts[1:-1]):
        raise UploadRefused("name-double-extension", _("The file name has more than one "
                                                       "extension; keep only the last one "
                                                       "(like plan.pdf)."))
    return stem + "." + ext, ext.casefold()


def _extensions() -> str:
    return ", ".join("." + ext for ext in BY_EXTENSION)


# ---- content -------------------------------------------------------------------------------


def inspect(name: str, data: bytes) -> Inspection:
    """The one check of an upload's name and content (see the module's docstring)."""
    display, ext = check_name(name)
    filetype, flags = _content(data)
    if filetype is None:
        raise UploadRefused("type", _("This file is not one of the accepted types "
                                      "(%(types)s), whatever its name.")
                            % {"types": ", ".join(t.label for t in TYPES)})
    if ext not in filetype.extensions:
        raise UploadRefused(
            "name-mismatch",
            _("The file is a %(type)s file but its name ends in .%(ext)s; name it "
              "with %(expected)s.")
            % {"type": filetype.label, "ext": ext,
               "expected": " or ".join("." + e for e in filetype.extensions)},
        )
    return Inspection(filetype, display, flags)


def detect(fileobj) -> FileType | None:
    """The allowed type of a (seekable) file object, or None when it is none of them or its
    structure is refused."""
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    try:
        return _content(data)[0]
    except UploadRefused:
        return None


def _content(data: bytes) -> tuple[FileType | None, list]:
    if data.startswith(b"%PDF-"):
        return PDF, _check_pdf(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_image(data, "PNG")
        return PNG, []
    if data.startswith(b"\xff\xd8\xff"):
        _check_image(data, "JPEG")
        return JPEG, []
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data), []
    if data.startswith(OLE_MAGIC):
        return _check_hwp(data), []
    return None, []


def _broken(code: str, label: str) -> UploadRefused:
    return UploadRefused(code, _("The %(type)s file is damaged or incomplete (it cannot be "
                                 "read to its end); save or export it again and upload it.")
                         % {"type": label})


# ---- PDF -----------------------------------------------------------------------------------

LAUNCH_RE = re.compile(rb"/Launch(?![A-Za-z0-9])")
JS_RE = re.compile(rb"/J(?:S|avaScript)(?![A-Za-z0-9])")


def _check_pdf(data: bytes) -> list:
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise _broken("pdf-broken", "PDF")
    started = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused("pdf-encrypted", _("The PDF is protected by a password; "
                                                   "upload it without the protection."))
        root = reader.trailer["/Root"].get_object()
        if "/Pages" not in root:
            raise _broken("pdf-broken", "PDF")
        pages = len(reader.pages)
        if pages == 0:
            raise _broken("pdf-broken", "PDF")
        if pages > MAX_PDF_PAGES:
            raise UploadRefused("pdf-pages", _("The PDF has %(pages)s pages; the limit is "
                                               "%(limit)s.")
                                % {"pages": pages, "limit": MAX_PDF_PAGES})
        launch, script = _walk_pdf(reader, started)
    except UploadRefused:
        raise
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError, IndexError,
            AssertionError, RecursionError, OSError, struct.error, ZeroDivisionError) as exc:
        raise _broken("pdf-broken", "PDF") from exc
    launch = launch or bool(LAUNCH_RE.search(data))
    script = script or bool(JS_RE.search(data))
    if launch:
        raise UploadRefused("pdf-launch", _("The PDF contains a launch action (it would "
                                            "start a program when opened); such files are "
                                            "not accepted."))
    return [FLAG_JAVASCRIPT] if script else []


def _walk_pdf(reader, started: float) -> tuple[bool, bool]:
    """(launch action, JavaScript) found in any object of the file, compressed object
    streams included."""
    refs = [(num, gen) for gen, nums in reader.xref.items() for num in nums]
    refs += [(num, 0) for num in reader.xref_objStm]
    if len(refs) > MAX_PDF_OBJECTS:
        raise UploadRefused("pdf-objects", _("The PDF has too many objects to be checked."))
    launch = script = False
    stack = [reader.trailer] + [IndirectObject(n, g, reader) for n, g in refs]
    seen = 0
    while stack:
        seen += 1
        if seen % 500 == 0 and time.monotonic() - started > MAX_SECONDS:
            raise UploadRefused("too-slow", _("The file takes too long to check; simplify "
                                              "or re-export it."))
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            obj = obj.get_object()  # followed once per reference above, never recursively
            if isinstance(obj, IndirectObject):
                continue
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                launch = launch or key == "/Launch" or value == NameObject("/Launch")
                script = script or key in ("/JS", "/JavaScript") or \
                    value == NameObject("/JavaScript")
                if isinstance(value, (DictionaryObject, ArrayObject)):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(v for v in obj if isinstance(v, (DictionaryObject, ArrayObject)))
            launch = launch or NameObject("/Launch") in obj
    return launch, script


# ---- images --------------------------------------------------------------------------------


def _check_image(data: bytes, fmt: str) -> None:
    too_big = UploadRefused("image-pixels", _("The image is too large (more than %(limit)s "
                                              "million pixels); reduce it and upload it "
                                              "again.") % {"limit": MAX_PIXELS // 1_000_000})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:  # reads the header
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise too_big
                image.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            struct.error, IndexError, TypeError) as exc:
        raise _broken("image-broken", fmt) from exc


# ---- zip packages (DOCX, XLSX, PPTX, HWPX) -------------------------------------------------

OFFICE_PARTS = {
    "word/document.xml": (DOCX, "wordprocessingml.document.main"),
    "xl/workbook.xml": (XLSX, "spreadsheetml.sheet.main"),
    "ppt/presentation.xml": (PPTX, "presentationml.presentation.main"),
}


def _bad_entry_name(name: str) -> bool:
    parts = name.split("/")
    return (name.startswith("/") or "\\" in name or ":" in name or ".." in parts
            or any(ord(c) < 32 for c in name))


def _check_zip(data: bytes) -> FileType | None:
    started = time.monotonic()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_entries(infos)
            names = {info.filename for info in infos}
            filetype = _zip_type(archive, names)
            if filetype is None:
                return None
            for info in infos:
                if time.monotonic() - started > MAX_SECONDS:
                    raise UploadRefused("too-slow", _("The file takes too long to check; "
                                                      "simplify or re-export it."))
                if info.filename.endswith((".xml", ".rels")) or info.filename == "mimetype":
                    content = _read_entry(archive, info)
                    if info.filename != "mimetype":
                        _check_xml(info.filename, content, filetype)
                else:
                    _read_entry(archive, info)  # CRC and size checked, data dropped
            return filetype
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError,
            ValueError, RuntimeError, NotImplementedError, struct.error) as exc:
        raise _broken("zip-broken", _("Office")) from exc


def _check_entries(infos) -> None:
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadRefused("zip-entries", _("The file holds more than %(limit)s parts.")
                            % {"limit": MAX_ZIP_ENTRIES})
    seen, total = set(), 0
    for info in infos:
        if _bad_entry_name(info.filename):
            raise UploadRefused("zip-entry-name", _("The file holds a part named %(name)s, "
                                                    "a path outside the document; such "
                                                    "files are not accepted.")
                                % {"name": info.filename[:80]})
        if info.filename in seen:
            raise UploadRefused("zip-duplicate", _("The file holds two parts named "
                                                   "%(name)s; such files are not accepted.")
                                % {"name": info.filename[:80]})
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UploadRefused("zip-encrypted", _("The file is protected by a password; "
                                                   "upload it without the protection."))
        total += info.file_size
        ratio_too_high = (info.file_size > RATIO_FLOOR
                          and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1))
        if total > MAX_ZIP_TOTAL or ratio_too_high:
            raise UploadRefused("zip-bomb", _("The file unpacks to far more data than its "
                                              "size (a \"zip bomb\"); such files are not "
                                              "accepted."))


def _read_entry(archive, info) -> bytes:
    """An entry's bytes, read in pieces and never beyond its declared size."""
    chunks, read = [], 0
    with archive.open(info) as entry:
        while chunk := entry.read(64 * 1024):
            read += len(chunk)
            if read > info.file_size:
                raise UploadRefused("zip-bomb", _("The file unpacks to far more data than "
                                                  "its size (a \"zip bomb\"); such files "
                                                  "are not accepted."))
            chunks.append(chunk)
    return b"".join(chunks)


def _zip_type(archive, names: set) -> FileType | None:
    if ("mimetype" in names and _read_entry(archive, archive.getinfo("mimetype")).strip()
            == b"application/hwp+zip"):
        return HWPX
    if "[Content_Types].xml" not in names:
        return None
    declared = _read_entry(archive, archive.getinfo("[Content_Types].xml"))
    for part, (filetype, content_type) in OFFICE_PARTS.items():
        if part in names and content_type.encode() in declared:
            return filetype
    return None


def _check_xml(name: str, content: bytes, filetype: FileType) -> None:
    try:
        root = SafeET.fromstring(content, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise UploadRefused("xml-entities", _("The part %(name)s of the file declares a "
                                              "DTD or entities (used to make a file expand "
                                              "when read); such files are not accepted.")
                            % {"name": name[:80]}) from exc
    except SafeET.ParseError as exc:
        raise _broken("xml-broken", filetype.label) from exc
    limit = MAX_SHARED_STRING if name == "xl/sharedStrings.xml" else MAX_XML_TEXT
    for element in root.iter():
        if len(element.text or "") > limit or len(element.tail or "") > limit:
            raise UploadRefused("xml-huge-text", _("The part %(name)s of the file holds a "
                                                   "text longer than %(limit)s characters; "
                                                   "such files are not accepted.")
                                % {"name": name[:80], "limit": limit})


# ---- HWP (OLE compound file) ---------------------------------------------------------------

FREESECT, ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE


def _check_hwp(data: bytes) -> FileType | None:
    """An OLE compound file whose header, FAT, directory chain and entries are sound, and
    whose directory has the HWP FileHeader stream starting with the HWP signature."""
    try:
        header = data[:512]
        (major, byte_order, shift, mini_shift) = struct.unpack_from("<HHHH", header, 0x1A)
        if byte_order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
            raise _broken("hwp-broken", "HWP")
        size = 1 << shift
        sectors = (len(data) - 512) // size if major == 3 else len(data) // size - 1
        n_fat, first_dir = struct.unpack_from("<II", header, 0x2C)
        first_difat, n_difat = struct.unpack_from("<II", header, 0x44)

        def sector(n: int) -> bytes:
            if n >= sectors:
                raise _broken("hwp-broken", "HWP")
            return data[(n + 1) * size:(n + 2) * size]

        fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < FREESECT]
        next_difat, guard = first_difat, 0
        while next_difat not in (FREESECT, ENDOFCHAIN) and guard <= n_difat:
            entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
            fat_sectors += [s for s in entries[:-1] if s < ENDOFCHAIN]
            next_difat, guard = entries[-1], guard + 1
        if len(fat_sectors) != n_fat or n_fat == 0:
            raise _broken("hwp-broken", "HWP")
        fat = []
        for s in fat_sectors:
            fat += struct.unpack(f"<{size // 4}I", sector(s))
        directory, current, seen = b"", first_dir, set()
        while current != ENDOFCHAIN:
            if current in seen or current >= len(fat):
                raise _broken("hwp-broken", "HWP")
            seen.add(current)
            directory += sector(current)
            current = fat[current]
        names = []
        for offset in range(0, len(directory), 128):
            entry = directory[offset:offset + 128]
            length = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.append((entry[:length - 2].decode("utf-16-le", "replace"), kind))
        if not names or names[0][1] != 5:
            raise _broken("hwp-broken", "HWP")
    except (struct.error, IndexError) as exc:
        raise _broken("hwp-broken", "HWP") from exc
    if ("FileHeader", 2) in names and HWP_SIGNATURE in data:
        return HWP
    return None
