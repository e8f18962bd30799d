"""HTML to PDF with WeasyPrint, optionally in a short-lived child process.

WeasyPrint keeps font, layout and image caches that grow with every document it
lays out; a long-running worker that renders thousands of receipts would grow with
them. `isolated=True` renders in a forked child that exits afterwards, so the
worker's own memory stays flat. The child only turns a string into bytes: it touches
no database connection, and the parent reads the result through a pipe.
"""

import contextlib
import os
import select
import signal
import struct
import time

CHILD_TIMEOUT_SECONDS = 120.0
_isolate_by_default = False


class PDFRenderError(RuntimeError):
    pass


def html_to_pdf(html: str, *, isolated: bool | None = None) -> bytes:
    """The PDF of `html`; `isolated` defaults to what `isolate_renders()` set."""
    if isolated is None:
        isolated = _isolate_by_default
    if not isolated or not hasattr(os, "fork"):
        return _render(html)
    return _render_in_child(html)


# One small page in every face the portal's PDFs use (the receipt's stylesheet: NanumGothic
# for Hangul and Latin, its bold for the headings, DejaVu Sans Mono for the hash), so that a
# forked child finds each face already loaded and parsed by its parent. A face the warm-up
# did not use is loaded again by every child, and lost when it exits: with only the default
# face warmed, a receipt cost 1.5 times as much.
WARM_UP_HTML = """<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: "NanumGothic", "Noto Sans CJK KR", "DejaVu Sans", sans-serif; }
.mono { font-family: "DejaVu Sans Mono", monospace; }
</style></head><body><h1>K-City Network 케이시티 접수증</h1>
<table><tr><th>Receipt 번호</th><td>KCN-2026-DEMO-0001 스마트</td></tr></table>
<p>Ministry of Land, Infrastructure and Transport 국토교통부 <b>굵게 bold</b> <i>italic</i></p>
<p class="mono">0123456789abcdef</p></body></html>"""


def isolate_renders() -> None:
    """From now on this process renders every PDF in a child (the job worker calls it at
    start). It renders a small page in the PDFs' faces first (`WARM_UP_HTML`), so that
    WeasyPrint and the fonts are loaded once here and each child starts with them instead
    of loading them again."""
    global _isolate_by_default
    _render(WARM_UP_HTML)
    _isolate_by_default = True


def _render(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def _render_in_child(html: str) -> bytes:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, send, exit without running the parent's clean-up
        os.close(read_end)
        status = 0
        try:
            try:
                payload, status = b"P" + _render(html), 0
            except BaseException as exc:  # noqa: BLE001 (reported to the parent)
                payload, status = b"E" + f"{type(exc).__name__}: {exc}".encode()[:2000], 1
            _write_all(write_end, struct.pack("!Q", len(payload)) + payload)
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        data = _read_all(read_end, pid)
    finally:
        os.close(read_end)
        _reap(pid)
    if len(data) < 9 or struct.unpack("!Q", data[:8])[0] != len(data) - 8:
        raise PDFRenderError("the PDF renderer process ended without an answer")
    kind, body = data[8:9], data[9:]
    if kind != b"P":
        raise PDFRenderError(body.decode(errors="replace"))
    return body


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_all(fd: int, pid: int) -> bytes:
    chunks, deadline = [], time.monotonic() + CHILD_TIMEOUT_SECONDS
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            raise PDFRenderError("the PDF renderer took too long and was stopped")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
