"""PDFs rendered in a short-lived child process (what the job worker does)."""

import os

import pytest

from kcity.core import pdf

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def test_an_isolated_render_gives_the_same_document_as_one_in_process():
    html = "<h1>Receipt 접수증</h1><p>KCN-2027-PLAN-0001</p>"
    inline = pdf.html_to_pdf(html, isolated=False)
    child = pdf.html_to_pdf(html, isolated=True)
    assert child.startswith(b"%PDF-") and inline.startswith(b"%PDF-")
    assert child.rstrip().endswith(b"%%EOF")
    # The same layout and fonts; only the creation date inside may differ.
    assert abs(len(child) - len(inline)) < 100


def test_a_failure_in_the_child_is_raised_in_the_parent(monkeypatch):
    def broken(html):
        raise ValueError("bad stylesheet")

    monkeypatch.setattr(pdf, "_render", broken)  # the forked child inherits the patch
    with pytest.raises(pdf.PDFRenderError, match="ValueError: bad stylesheet"):
        pdf.html_to_pdf("<p>x</p>", isolated=True)


def test_a_child_that_dies_without_answering_is_an_error_not_an_empty_pdf(monkeypatch):
    monkeypatch.setattr(pdf, "_render", lambda html: os._exit(3))
    with pytest.raises(pdf.PDFRenderError, match="without an answer"):
        pdf.html_to_pdf("<p>x</p>", isolated=True)


def test_a_child_that_hangs_is_stopped(monkeypatch):
    import time

    monkeypatch.setattr(pdf, "CHILD_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(pdf, "_render", lambda html: time.sleep(30))
    started = time.monotonic()
    with pytest.raises(pdf.PDFRenderError, match="too long"):
        pdf.html_to_pdf("<p>x</p>", isolated=True)
    assert time.monotonic() - started < 10


def test_isolate_renders_makes_children_the_default(monkeypatch):
    monkeypatch.setattr(pdf, "_isolate_by_default", False)
    parent = os.getpid()
    seen = []

    def render(html):
        seen.append(os.getpid())  # only the child's list gets this, so report it back
        return str(os.getpid()).encode()

    pdf.isolate_renders()
    monkeypatch.setattr(pdf, "_render", render)
    answer = pdf.html_to_pdf("<p>x</p>")
    assert int(answer) != parent and seen == []
    assert int(pdf.html_to_pdf("<p>x</p>", isolated=False)) == parent
