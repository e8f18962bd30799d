"""Uploads are checked by structure and name, not by their first bytes (issue 15, item 4).

A table of files this test builds itself (valid and hostile, see upload_samples), each with
the outcome the one check `filetypes.inspect` must give: stored as a type, stored but
flagged, or refused with a code. Then the same files through the real proposal upload form
(the consultation's revised-document form has its own test in tests/evaluation), names the
browser sends raw (folders, NUL, right-to-left override, CP949 bytes), the flagged
JavaScript PDF on the secretariat's screens and as a download."""

import io

import pytest
from django.utils import translation

import upload_samples as s
from kcity.applications import filetypes, services
from kcity.applications.models import Document
from kcity.core import uploads

PDF = s.pdf()


def empty():
    return b""


def stored(code):
    return ("stored", code)


def flagged(code):
    return ("flagged", code)


def refused(code):
    return ("refused", code)


TABLE = [
    # valid files of every type, with every allowed extension
    ("plan.pdf", s.pdf, stored("pdf")),
    ("PLAN.PDF", s.pdf, stored("pdf")),
    ("v1.2 plan (final).pdf", s.pdf, stored("pdf")),
    ("site.png", lambda: s.image("PNG"), stored("png")),
    ("site.jpg", lambda: s.image("JPEG"), stored("jpg")),
    ("site.jpeg", lambda: s.image("JPEG"), stored("jpg")),
    ("plan.docx", s.docx, stored("docx")),
    ("budget.xlsx", s.xlsx, stored("xlsx")),
    ("slides.pptx", s.pptx, stored("pptx")),
    ("plan.hwp", s.hwp, stored("hwp")),
    ("plan.hwpx", s.hwpx, stored("hwpx")),
    # the name's extension must match the content
    ("plan.hwp", s.docx, refused("name-mismatch")),
    ("plan.docx", s.pdf, refused("name-mismatch")),
    ("site.png", lambda: s.image("JPEG"), refused("name-mismatch")),
    ("plan.pdf", s.hwp, refused("name-mismatch")),
    # only starts like a PDF, or cut short
    ("plan.pdf", lambda: b"%PDF-1.7\n", refused("pdf-broken")),
    ("plan.pdf", lambda: PDF[: len(PDF) // 2], refused("pdf-broken")),
    ("plan.pdf", lambda: PDF[:-8], refused("pdf-broken")),
    ("plan.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
     refused("pdf-broken")),
    ("site.png", lambda: s.image("PNG")[:-30], refused("image-broken")),
    ("site.png", lambda: s.image("PNG")[:40], refused("image-broken")),
    ("site.jpg", lambda: s.image("JPEG")[:200], refused("image-broken")),
    ("plan.hwp", lambda: s.hwp()[:1000], refused("hwp-broken")),
    ("plan.hwp", lambda: s.hwp(byte_order=0x1234), refused("hwp-broken")),
    ("plan.hwp", lambda: s.hwp(stream="Workbook"), refused("type")),
    ("plan.docx", lambda: s.docx()[:-40], refused("zip-broken")),
    ("plan.pdf", lambda: b"MZ\x90\x00 an executable", refused("type")),
    # PDF actions: launch refused, JavaScript stored but flagged
    ("plan.pdf", s.pdf_launch, refused("pdf-launch")),
    ("plan.pdf", s.pdf_js_open_action, flagged("pdf")),
    ("plan.pdf", s.pdf_js_names, flagged("pdf")),
    # zips: bombs, hostile XML, hostile entry names
    ("plan.docx", s.zip_bomb, refused("zip-bomb")),
    ("plan.docx", lambda: s.docx(main_xml=s.BILLION_LAUGHS), refused("xml-entities")),
    ("plan.docx", lambda: s.docx(main_xml=s.EXTERNAL_ENTITY), refused("xml-entities")),
    ("budget.xlsx", lambda: s.xlsx(s.QUADRATIC), refused("xml-entities")),
    ("budget.xlsx", lambda: s.xlsx("<sst><si><t>" + "A" * 40_000 + "</t></si></sst>"),
     refused("xml-huge-text")),
    ("plan.docx", lambda: s.docx(main_xml="<w:document><unclosed>"), refused("xml-broken")),
    ("plan.docx", s.duplicate_entries, refused("zip-duplicate")),
    ("plan.docx", lambda: s.docx(extra=[("../../evil.sh", b"x")]), refused("zip-entry-name")),
    ("plan.docx", lambda: s.docx(extra=[("/etc/cron.d/x", b"x")]), refused("zip-entry-name")),
    ("plan.docx", lambda: s.docx(extra=[("word\\..\\x", b"x")]), refused("zip-entry-name")),
    ("plan.docx", lambda: s.docx(extra=[("C:/x", b"x")]), refused("zip-entry-name")),
    # images claiming a huge pixel count, refused before decoding
    ("site.png", lambda: s.png_claiming(100_000, 100_000), refused("image-pixels")),
    ("site.png", lambda: s.png_claiming(8_000, 8_000), refused("image-pixels")),
    # names
    ("proposal.pdf.exe", s.pdf, refused("name-executable")),
    ("Proposal.PDF.EXE", s.pdf, refused("name-executable")),
    ("proposal.exe.pdf", s.pdf, refused("name-executable")),
    ("proposal.js.pdf", s.pdf, refused("name-executable")),
    ("proposal.pdf:evil.exe", s.pdf, refused("name-colon")),
    ("C:plan.pdf", s.pdf, refused("name-colon")),
    ("file.pdf\0.exe", s.pdf, refused("name-characters")),
    ("plan\n.pdf", s.pdf, refused("name-characters")),
    ("invoice\u202efdp.exe", s.pdf, refused("name-characters")),
    ("plan\u202egpj.pdf", s.pdf, refused("name-characters")),
    ("plan\u2066.pdf", s.pdf, refused("name-characters")),
    ("plan\u200f.pdf", s.pdf, refused("name-characters")),
    ("../../etc/passwd", s.pdf, refused("name-path")),
    ("..\\..\\plan.pdf", s.pdf, refused("name-path")),
    ("/tmp/plan.pdf", s.pdf, refused("name-path")),
    ("plan\uff0fx.pdf", s.pdf, refused("name-path")),  # a full-width solidus
    (".htaccess", s.pdf, refused("name-stem")),
    (".pdf", s.pdf, refused("name-stem")),
    ("CON.pdf", s.pdf, refused("name-stem")),
    ("proposal", s.pdf, refused("name-extension")),
    ("proposal.", s.pdf, refused("name-extension")),
    ("proposal.txt", s.pdf, refused("name-extension")),
    ("plan.docx.pdf", s.pdf, refused("name-double-extension")),
    ("x" * 151 + ".pdf", s.pdf, refused("name-long")),
    ("", s.pdf, refused("name-missing")),
    ("plan.pdf", empty, refused("type")),
]


def _inspect(name, data):
    try:
        found = filetypes.inspect(name, data)
    except filetypes.UploadRefused as exc:
        return ("refused", exc.code), exc
    kind = "flagged" if filetypes.FLAG_JAVASCRIPT in found.flags else "stored"
    return (kind, found.filetype.code), found


def _id(value):
    return repr(value)[:40] if isinstance(value, str) else None


@pytest.mark.parametrize("name, build, expected", TABLE, ids=_id)
def test_the_one_check(name, build, expected):
    outcome, detail = _inspect(name, build())
    assert outcome == expected
    if expected[0] == "refused":
        assert detail.messages and detail.messages[0]  # says why
    else:
        assert detail.name == name  # the display name is kept exactly


def test_refusals_say_why_in_korean():
    with translation.override("ko"):
        _outcome, detail = _inspect("proposal.pdf.exe", PDF)
        assert ".exe" in detail.messages[0]
        assert any("\uac00" <= c <= "\ud7a3" for c in detail.messages[0])
        _outcome, detail = _inspect("plan.pdf", s.zip_bomb())
        assert any("\uac00" <= c <= "\ud7a3" for c in detail.messages[0])


def test_the_total_uncompressed_size_is_limited(monkeypatch):
    monkeypatch.setattr(filetypes, "MAX_ZIP_TOTAL", 2 * 1024 * 1024)
    outcome, _detail = _inspect("plan.docx", s.zip_too_big_in_total(3, 1024 * 1024))
    assert outcome == refused("zip-bomb")
    assert _inspect("plan.docx", s.zip_too_big_in_total(1, 1024 * 1024))[0] == stored("docx")


def test_full_width_extensions_are_normalised_and_emoji_kept():
    assert filetypes.check_name("제안서\uff0e\uff50\uff44\uff46") == ("제안서.pdf", "pdf")
    assert filetypes.check_name("제안서🚀.pdf") == ("제안서🚀.pdf", "pdf")
    family = "팀 👨\u200d👩\u200d👧 plan.pdf"  # joiners inside an emoji are kept
    assert filetypes.check_name(family) == (family, "pdf")


def test_one_table_of_types_and_extensions():
    assert filetypes.BY_EXTENSION == {
        "pdf": filetypes.PDF, "docx": filetypes.DOCX, "xlsx": filetypes.XLSX,
        "pptx": filetypes.PPTX, "hwp": filetypes.HWP, "hwpx": filetypes.HWPX,
        "jpg": filetypes.JPEG, "jpeg": filetypes.JPEG, "png": filetypes.PNG,
    }


# ---- through the proposal's upload form ---------------------------------------------------

# Rows a browser can send as they are (Django's own form refuses an empty file or a missing
# name; NUL and newlines in names are sent raw below).
FORM_ROWS = [row for row in TABLE if row[0] and "\0" not in row[0] and "\n" not in row[0]
             and row[1] is not empty]


def _post_raw(client, url, fields, filename: bytes, content: bytes):
    """A multipart POST written by hand, so the file name reaches the server as sent."""
    body, content_type = s.multipart(fields, filename, content)
    return client.generic("POST", url, body, content_type=content_type)


@pytest.fixture
def applicant(client, users, ready_demo):
    client.force_login(users["company-applicant"])
    return client


def _documents(proposal):
    return list(proposal.documents.values_list("pk", "sha256", "original_name"))


@pytest.mark.parametrize("name, build, expected", [
    row for row in FORM_ROWS if row[2][0] == "refused" and row[2][1] != "zip-bomb"
], ids=_id)
def test_the_proposal_form_refuses_what_the_check_refuses(applicant, ready_demo, name, build,
                                                          expected):
    before = _documents(ready_demo)
    url = f"/en/proposals/{ready_demo.pk}/documents/"
    response = _post_raw(applicant, url, {"code": "business_plan"}, name.encode(), build())
    body = response.content.decode()
    assert response.status_code == 400
    _outcome, detail = _inspect(name, build())
    assert detail.messages[0].replace('"', "&quot;") in body  # on the form, saying why
    assert 'value="business_plan" selected' in body  # the chosen document is kept
    assert _documents(ready_demo) == before


@pytest.mark.parametrize("name, build, code", s.HOSTILE, ids=lambda v: repr(v)[:30])
def test_the_hostile_samples_are_refused_by_the_check(name, build, code):
    assert _inspect(name, build())[0] == refused(code)


def test_the_proposal_form_refuses_a_zip_bomb(applicant, ready_demo):
    response = _post_raw(applicant, f"/en/proposals/{ready_demo.pk}/documents/",
                         {"code": "business_plan"}, b"plan.docx", s.zip_bomb())
    before = _documents(ready_demo)
    assert response.status_code == 400 and "zip bomb" in response.content.decode()
    assert _documents(ready_demo) == before


@pytest.mark.parametrize("sent, code", [
    (b"../../etc/passwd", "name-path"),
    (b"..\\..\\plan.pdf", "name-path"),
    (b"file.pdf\x00.exe", "name-characters"),
    ("plan\u202egpj.pdf".encode(), "name-characters"),
    (b"proposal.pdf:evil.exe", "name-colon"),
    (b"..", "name-extension"),
])
def test_names_are_judged_as_sent_not_as_mended(applicant, ready_demo, sent, code):
    """Django drops folders and control characters from names; the check sees them."""
    before = _documents(ready_demo)
    response = _post_raw(applicant, f"/en/proposals/{ready_demo.pk}/documents/",
                         {"code": "business_plan"}, sent, PDF)
    assert response.status_code == 400
    assert "This field is required" not in response.content.decode()
    try:
        filetypes.check_name(sent.decode("utf-8"))
    except filetypes.UploadRefused as exc:
        assert exc.code == code
        assert exc.messages[0].replace("'", "&#x27;") in response.content.decode()
    else:
        pytest.fail(f"{sent!r} is accepted")
    assert _documents(ready_demo) == before


def test_a_cp949_file_name_is_read_as_korean(applicant, ready_demo):
    name = "사업계획서 최종.pdf"
    response = _post_raw(applicant, f"/en/proposals/{ready_demo.pk}/documents/",
                         {"code": "business_plan"}, name.encode("cp949"), PDF)
    assert response.status_code == 302
    assert ready_demo.documents.get(code="business_plan").original_name == name


def test_the_emoji_name_is_kept_exactly(applicant, ready_demo):
    name = "제안서🚀.pdf"
    _post_raw(applicant, f"/en/proposals/{ready_demo.pk}/documents/",
              {"code": "business_plan"}, name.encode(), PDF)
    document = ready_demo.documents.get(code="business_plan")
    assert document.original_name == name
    assert "🚀" not in document.file.name and document.file.name.endswith(".pdf")
    page = applicant.get(f"/en/proposals/{ready_demo.pk}/").content.decode()
    assert f">{name}</a>" in page
    download = applicant.get(f"/en/proposals/{ready_demo.pk}/documents/{document.pk}/")
    assert "filename*=utf-8''%EC%A0%9C%EC%95%88%EC%84%9C%F0%9F%9A%80.pdf" in \
        download["Content-Disposition"]


def test_the_javascript_pdf_is_flagged_and_only_downloaded(applicant, ready_demo, client,
                                                            users):
    content = s.pdf_js_open_action()
    response = _post_raw(applicant, f"/en/proposals/{ready_demo.pk}/documents/",
                         {"code": "business_plan"}, b"plan.pdf", content)
    assert response.status_code == 302
    document = Document.objects.get(proposal=ready_demo, code="business_plan")
    assert document.has_javascript and document.detected_type == "pdf"
    plain = ready_demo.documents.exclude(pk=document.pk).first()
    assert plain is None or not plain.has_javascript

    services.submit_proposal(proposal=ready_demo, by=users["company-applicant"],
                             key=services.new_submit_key())  # now on the secretariat's list
    client.force_login(users["secretariat"])
    listing = client.get("/en/proposals/screening/").content.decode()
    assert listing.count("contains JavaScript") >= 1
    detail = client.get(f"/en/proposals/screening/{ready_demo.pk}/").content.decode()
    assert "contains JavaScript: served only as a download" in detail
    download = client.get(f"/en/proposals/{ready_demo.pk}/documents/{document.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(download.streaming_content) == content


def test_a_plain_pdf_is_not_flagged(applicant, ready_demo):
    _post_raw(applicant, f"/en/proposals/{ready_demo.pk}/documents/",
              {"code": "business_plan"}, b"plan.pdf", PDF)
    document = ready_demo.documents.get(code="business_plan")
    assert not document.has_javascript
    download = applicant.get(f"/en/proposals/{ready_demo.pk}/documents/{document.pk}/")
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("read_size", [1, 7, 64, 65536])
def test_legacy_names_are_re_encoded_in_any_read_size(read_size):
    """The body is read through in pieces: a header block cut across reads is still mended,
    a file's bytes (even ones that look like a filename header) pass unchanged."""
    content = b'--x filename="\xbf\xb9" ' + PDF + b"\r\n\r\n" * 3
    body, content_type = s.multipart({"code": "plan"}, "예산 계획.pdf".encode("cp949"), content)
    boundary = content_type.split("boundary=")[1].encode()
    stream = uploads.LegacyFileNames(io.BytesIO(body), boundary)
    out = b""
    while piece := stream.read(read_size):
        out += piece
    expected = body.replace(b'filename="' + "예산 계획.pdf".encode("cp949") + b'"',
                            b"filename*=UTF-8''%EC%98%88%EC%82%B0%20%EA%B3%84%ED%9A%8D.pdf")
    assert out == expected and content in out
