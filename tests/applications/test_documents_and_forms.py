"""Uploads (type from content, size, names, SHA-256, safe downloads), bad input on every
form, and visibility (a stranger gets 404)."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from proposal_helpers import PDF, office_zip, pdf

from kcity.applications import filetypes, services
from kcity.applications.models import ConsortiumMember, Document, Proposal
from kcity.core.errors import Refused
from upload_samples import hwp


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, fmt)
    return buffer.getvalue()


PNG, JPEG, HWP = image("PNG"), image("JPEG"), hwp()


def hwpx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/section0.xml", "<hs:sec xmlns:hs='urn:hwpml'/>")
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


def test_upload_stores_hash_and_a_safe_name(ready_demo, users, client):
    doc = services.upload_document(proposal=ready_demo, by=users["company-applicant"],
                                   code="business_plan",
                                   upload=pdf("사업계획서 <최종> (v2).pdf"))
    assert doc.original_name == "사업계획서 <최종> (v2).pdf"
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest() and doc.size == len(PDF)
    assert doc.file.name.startswith(f"proposals/{ready_demo.pk}/") and ".." not in doc.file.name
    assert Document.objects.filter(proposal=ready_demo, code="business_plan").count() == 1
    client.force_login(users["company-applicant"])
    page = client.get(f"/en/proposals/{ready_demo.pk}/").content.decode()
    assert ">사업계획서 &lt;최종&gt; (v2).pdf</a>" in page
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
    p = services.create_proposal(by=company, track=demo_track, title="Invite test")
    member = services.invite_member(proposal=p, by=company, name="UI", email=partner.email,
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
        services.respond_to_invitation(token=member.token, by=partner, accept=True)


def test_strangers_get_404_everywhere(client, ready_demo, users, stranger):
    doc = ready_demo.documents.first()
    submission = services.submit_proposal(proposal=ready_demo, by=users["company-applicant"],
                                          key=services.new_submit_key())
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
