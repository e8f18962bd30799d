"""Uploads (type from content, size, names, SHA-256, safe downloads), bad input on every
form, and visibility (a stranger gets 404)."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from proposal_helpers import PDF, office_zip, pdf

from kcity.applications import filetypes, services
from kcity.applications.errors import Refused
from kcity.applications.models import ConsortiumMember, Document, Proposal

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32
HWP = filetypes.OLE_MAGIC + b"\0" * 100 + "FileHeader".encode("utf-16-le") + b"\0" * 50 + (
    b"HWP Document File" + b"\0" * 100
)


def hwpx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/section0.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize("content, code", [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpg"), (HWP, "hwp"), (hwpx(), "hwpx"),
    (office_zip("word/document.xml", "wordprocessingml.document.main"), "docx"),
    (office_zip("xl/workbook.xml", "spreadsheetml.sheet.main"), "xlsx"),
    (office_zip("ppt/presentation.xml", "presentationml.presentation.main"), "pptx"),
])
def test_types_are_read_from_the_content(content, code):
    assert filetypes.detect(io.BytesIO(content)).code == code


@pytest.mark.parametrize("content", [
    b"just text, named .pdf", b"MZ\x90\x00 an exe", filetypes.OLE_MAGIC + b"\0" * 600,
    office_zip("word/document.xml", "something.else"), b"PK\x03\x04 broken zip",
])
def test_other_content_is_refused(content):
    assert filetypes.detect(io.BytesIO(content)) is None


def test_sanitised_names():
    assert filetypes.sanitise_name("../../etc/passwd") == "passwd"
    assert filetypes.sanitise_name("..\\..\\boot.ini") == "boot.ini"
    assert filetypes.sanitise_name("사업계획서 <최종>.pdf") == "사업계획서 _최종_.pdf"
    assert filetypes.sanitise_name("a\x00b\nc.pdf") == "abc.pdf"
    assert filetypes.sanitise_name("...") == "document"
    assert len(filetypes.sanitise_name("x" * 300 + ".pdf")) == 150


def test_upload_stores_hash_and_a_safe_name(ready_demo, users, client):
    doc = services.upload_document(ready_demo, users["company-applicant"], "business_plan",
                                   pdf("../../etc/passwd"))
    assert doc.original_name == "passwd"
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest() and doc.size == len(PDF)
    assert doc.file.name.startswith(f"proposals/{ready_demo.pk}/") and ".." not in doc.file.name
    assert Document.objects.filter(proposal=ready_demo, code="business_plan").count() == 1
    client.force_login(users["company-applicant"])
    page = client.get(f"/en/proposals/{ready_demo.pk}/").content.decode()
    assert ">passwd</a>" in page and "etc/passwd" not in page
    response = client.get(f"/en/proposals/{ready_demo.pk}/documents/{doc.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("plan.pdf", b"not a pdf at all"), "not one of the accepted types"),
    (SimpleUploadedFile("plan.pdf", b""), "The submitted file is empty"),
    (SimpleUploadedFile("big.pdf", PDF + b"0" * 2000), "the limit is"),
])
def test_bad_uploads_get_a_message_and_change_nothing(
    client, ready_demo, users, settings, upload, message
):
    settings.KCITY_MAX_UPLOAD_BYTES = 1000
    before = list(ready_demo.documents.values_list("pk", "sha256"))
    client.force_login(users["company-applicant"])
    response = client.post(f"/en/proposals/{ready_demo.pk}/documents/",
                           {"code": "business_plan", "file": upload}, follow=True)
    assert message in response.content.decode()
    assert list(ready_demo.documents.values_list("pk", "sha256")) == before


def test_upload_for_an_unknown_document_code_is_refused(client, ready_demo, users):
    client.force_login(users["company-applicant"])
    response = client.post(f"/en/proposals/{ready_demo.pk}/documents/",
                           {"code": "../../x", "file": pdf()}, follow=True)
    assert "Select a valid choice" in response.content.decode()


def test_amount_with_letters_and_too_long_title_change_nothing(client, ready_demo, users):
    client.force_login(users["company-applicant"])
    url = f"/en/proposals/{ready_demo.pk}/edit/"
    response = client.post(url, {"title": "New", "requested_amount": "4억 KRW"})
    assert "Enter a whole number." in response.content.decode()
    response = client.post(url, {"title": "x" * 201, "requested_amount": "1"})
    assert "at most 200 characters" in response.content.decode()
    response = client.post(url, {"title": "", "requested_amount": "1"})
    assert "This field is required." in response.content.decode()
    fresh = Proposal.objects.get(pk=ready_demo.pk)
    assert (fresh.title, fresh.requested_amount) == ("Test crosswalk", 400_000_000)


def test_autosave_saves_a_valid_draft_and_refuses_bad_input(client, ready_demo, users):
    client.force_login(users["company-applicant"])
    url = f"/en/proposals/{ready_demo.pk}/autosave/"
    bad = client.post(url, {"title": "T", "requested_amount": "abc"})
    assert bad.status_code == 400 and "requested_amount" in bad.json()["errors"]
    good = client.post(url, {"title": "Autosaved title", "requested_amount": "390,000,000"})
    assert good.status_code == 200 and good.json()["saved"]
    fresh = Proposal.objects.get(pk=ready_demo.pk)
    assert (fresh.title, fresh.requested_amount) == ("Autosaved title", 390_000_000)


def test_bad_invitation_and_new_proposal_input(client, ready_demo, users, demo_track):
    client.force_login(users["company-applicant"])
    count = ConsortiumMember.objects.count()
    response = client.post(f"/en/proposals/{ready_demo.pk}/members/",
                           {"name": "", "email": "not-an-email", "role": "site_host"},
                           follow=True)
    content = response.content.decode()
    assert "Enter a valid email address." in content and "This field is required." in content
    assert ConsortiumMember.objects.count() == count
    before = Proposal.objects.count()
    response = client.post("/en/proposals/new/", {"track": demo_track.pk, "title": ""})
    assert "This field is required." in response.content.decode()
    assert Proposal.objects.count() == before


def test_invitation_link_confirms_the_member(client, demo_track, users):
    company, partner = users["company-applicant"], users["partner"]
    p = services.create_proposal(company, demo_track, "Invite test")
    member = services.invite_member(p, company, name="UI", email=partner.email,
                                    role="site_host")
    client.force_login(partner)
    assert client.get(f"/en/proposals/{p.pk}/").status_code == 404  # not yet a member
    page = client.get(f"/en/proposals/invitations/{member.token}/")
    assert "Invite test" in page.content.decode()
    client.post(f"/en/proposals/invitations/{member.token}/", {"answer": "confirm"})
    member.refresh_from_db()
    assert member.confirmed_at and member.organisation == partner.organisation
    assert client.get(f"/en/proposals/{p.pk}/").status_code == 200
    assert client.get("/en/proposals/invitations/wrong-token/").status_code == 404
    with pytest.raises(Refused, match="answered already"):
        services.respond_to_invitation(member.token, partner, accept=True)


def test_strangers_get_404_everywhere(client, ready_demo, users, stranger):
    doc = ready_demo.documents.first()
    submission = services.submit_proposal(ready_demo, users["company-applicant"],
                                          services.new_submit_key())
    urls = [
        f"/en/proposals/{ready_demo.pk}/", f"/en/proposals/{ready_demo.pk}/edit/",
        f"/en/proposals/{ready_demo.pk}/documents/{doc.pk}/",
        f"/en/proposals/{ready_demo.pk}/receipts/{submission.pk}/",
        f"/en/proposals/{ready_demo.pk}/receipts/{submission.pk}/pdf/",
        f"/en/proposals/{ready_demo.pk}/submit/", f"/en/proposals/screening/{ready_demo.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(stranger)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(users["gov-applicant"])
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_pages_render_in_both_languages(client, demo, users):
    client.force_login(users["company-applicant"])
    proposal = Proposal.objects.filter(organisation=users["company-applicant"].organisation,
                                       state="draft").first()
    for lang in ("en", "ko"):
        for url in ["", "new/", f"{proposal.pk}/", f"{proposal.pk}/edit/",
                    f"{proposal.pk}/submit/", f"{proposal.pk}/withdraw/"]:
            response = client.get(f"/{lang}/proposals/{url}")
            assert response.status_code == 200, (lang, url)
    client.force_login(users["secretariat"])
    for lang in ("en", "ko"):
        assert client.get(f"/{lang}/proposals/screening/").status_code == 200
        assert client.get(f"/{lang}/proposals/screening/{proposal.pk}/").status_code == 200
