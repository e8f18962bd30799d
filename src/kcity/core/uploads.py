"""Uploaded files' names as the browser sent them.

Django mends an upload's name before any view sees it: it drops folders
(`../../etc/passwd` becomes `passwd`) and non-printable characters (NUL, right-to-left
override), and a part whose filename header is not UTF-8 (CP949 Korean from older Windows
tools) is dropped altogether, so the form says "This field is required". The upload checks
(`kcity.applications.filetypes.check_name`) refuse such names with a reason instead, so
this middleware has each request parse its multipart body with `NameKeepingParser`:

- every uploaded file gets `sent_name`, the name as sent (only HTML character references
  undone, as Django does), next to Django's mended `name`;
- a part's `filename="..."` that is not UTF-8 is read as CP949 (the legacy Korean code
  page, a superset of EUC-KR) and handed on as RFC 2231 `filename*=UTF-8''...`, so the file
  arrives with its Korean name.
"""

import html
import re
from functools import partial
from urllib.parse import quote

from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList
from django.utils.http import parse_header_parameters

LEGACY_ENCODING = "cp949"
FILENAME_RE = re.compile(rb'filename="([^"\r\n]*)"', re.IGNORECASE)


class NameKeepingParser(MultiPartParser):
    """Django's parser, remembering each file's name as sent on the file object."""

    _sent_name = None

    def sanitize_file_name(self, file_name):
        self._sent_name = html.unescape(file_name) if file_name else None
        mended = super().sanitize_file_name(file_name)
        if not mended and self._sent_name:
            mended = "unnamed"  # the name check refuses the sent name with a reason
        return mended

    def handle_file_complete(self, old_field_name, counters):
        super().handle_file_complete(old_field_name, counters)
        files = self._files.getlist(old_field_name) if old_field_name else []
        if files and self._sent_name is not None:
            files[-1].sent_name = self._sent_name
        self._sent_name = None


class LegacyFileNames:
    """A multipart body read through, with each part header's non-UTF-8 filename="..."
    re-encoded (see the module's docstring). Only header blocks (a boundary line up to the
    blank line) are touched, never a file's bytes."""

    def __init__(self, stream, boundary: bytes):
        self._stream = stream
        self._marker = b"--" + boundary + b"\r\n"
        self._block = re.compile(re.escape(self._marker) + rb"(.*?)\r\n\r\n", re.DOTALL)
        self._pending = b""
        self._eof = False

    def read(self, size=-1):
        while True:
            if self._eof:
                out, self._pending = self._pending, b""
                return self._fix(out)
            chunk = self._stream.read(size)
            if not chunk:
                self._eof = True
                continue
            data = self._pending + chunk
            cut = max(0, len(data) - len(self._marker))  # a marker may be cut in two
            last = data.rfind(self._marker)
            if last != -1 and data.find(b"\r\n\r\n", last) == -1 and len(data) - last < 65536:
                cut = min(cut, last)  # hold an incomplete header block back
            elif last != -1:
                cut = max(cut, data.find(b"\r\n\r\n", last) + 4)
            out, self._pending = data[:cut], data[cut:]
            if out:
                return self._fix(out)

    def _fix(self, data: bytes) -> bytes:
        return self._block.sub(self._fix_block, data)

    def _fix_block(self, match) -> bytes:
        return FILENAME_RE.sub(_utf8_filename, match.group(0))


def _utf8_filename(match) -> bytes:
    raw = match.group(1)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        name = raw.decode(LEGACY_ENCODING, errors="replace")
        return b"filename*=UTF-8''" + quote(name, safe="").encode("ascii")
    return match.group(0)


def parse_keeping_names(request, META, post_data):
    """`HttpRequest.parse_file_upload` with `NameKeepingParser` and `LegacyFileNames`."""
    request.upload_handlers = ImmutableList(
        request.upload_handlers,
        warning="You cannot alter upload handlers after the upload has been processed.",
    )
    _content_type, params = parse_header_parameters(META.get("CONTENT_TYPE", ""))
    boundary = params.get("boundary", "")
    if boundary:
        post_data = LegacyFileNames(post_data, boundary.encode("ascii", "ignore"))
    parser = NameKeepingParser(META, post_data, request.upload_handlers, request.encoding)
    return parser.parse()


class KeepUploadNamesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.parse_file_upload = partial(parse_keeping_names, request)
        return self.get_response(request)
