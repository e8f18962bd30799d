"""Planning consultations: rounds 1 and 2 scheduled in KST, minutes and questions, revised
documents between the rounds, who sees what, the audit trail, and the consultation panels."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import upload_samples
from kcity.accounts.models import Organisation, Role, User
from kcity.applications import filetypes
from kcity.applications import services as proposals
from kcity.applications.demo import DEMO_PDF, _attach_all, _planning
from kcity.applications.models import Outcome, Proposal
from kcity.applications.models import ProposalState as S
from kcity.applications.rules import MANUAL_CHECKS
from kcity.core.errors import Refused
from kcity.evaluation import consultations, services
from kcity.evaluation.models import ConsultationRound, EvaluationEvent
from kcity.jobs.models import OutboundEmail
from kcity.programs.models import Track

CAN_THO = "Can Tho delta smart city plan"
MINUTES = "The city confirmed the Ninh Kieu riverside as the pilot area."
QUESTION = "Send the council's resolution on matching funds."


@pytest.fixture
def da_nang(users):
    """An eligible planning proposal with no consultation yet."""
    gov, staff = users["gov-applicant"], users["secretariat"]
    track = Track.objects.get(cycle__year=2028, code="PLAN")
    p = _planning(track, gov, "Da Nang plan", "Da Nang")
    proposals.submit_concept_note(proposal=p, by=gov, text="Concept.")
    proposals.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=staff,
                                      outcome=Outcome.INVITE)
    _attach_all(p, gov)
    proposals.submit_proposal(proposal=p, by=gov, key=proposals.new_submit_key())
    proposals.save_checklist(proposal=p, by=staff, ticked={c for c,
                                                           _label in MANUAL_CHECKS[track.kind]})
    return proposals.screen(proposal=p, by=staff, decision=S.ELIGIBLE)


@pytest.fixture
def can_tho(demo):
    return Proposal.objects.get(title=CAN_THO)


def schedule_post(number, date="2027-05-10", time="14:00"):
    return {"round": number, "date": date, "time": time, "agenda": "1. Priorities",
            "participants": "City (2); KIND (2)"}


def test_secretariat_schedules_in_kst_and_it_is_stored_in_utc(client, users, da_nang):
    client.force_login(users["secretariat"])
    response = client.post(f"/en/evaluation/proposals/{da_nang.pk}/consultation/schedule/",
                           schedule_post(1), follow=True)
    body = response.content.decode()
    assert "Consultation round 1 scheduled." in body
    round1 = ConsultationRound.objects.get(proposal=da_nang, round=1)
    assert round1.scheduled_at == dt.datetime(2027, 5, 10, 5, 0, tzinfo=dt.UTC)
    assert "2027-05-10 14:00 KST" in body and "1. Priorities" in body
    event = EvaluationEvent.objects.get(proposal=da_nang, action="consultation_scheduled")
    assert event.actor == users["secretariat"]
    assert event.detail["round"] == 1 and event.detail["scheduled_at"].startswith("2027-05-10T05")
    assert event.detail["before"]["scheduled_at"] is None
    assert OutboundEmail.objects.filter(key=f"evaluation:{event.pk}").exists()

    client.post(f"/en/evaluation/proposals/{da_nang.pk}/consultation/schedule/",
                schedule_post(1, time="16:30"))  # moved: audited with the old moment
    moved = EvaluationEvent.objects.filter(proposal=da_nang,
                                           action="consultation_scheduled").last()
    assert moved.detail["before"]["scheduled_at"].startswith("2027-05-10T05:00")
    assert ConsultationRound.objects.get(pk=round1.pk).scheduled_at.hour == 7


def test_round_2_waits_for_the_minutes_of_round_1(users, da_nang):
    staff = users["secretariat"]
    with pytest.raises(Refused, match="only once the minutes of round 1"):
        consultations.schedule_round(by=staff, proposal=da_nang, number=2,
                                     scheduled_at=timezone.now(), agenda="Agenda",
                                     participants="People")
    held = timezone.now() - dt.timedelta(days=3)
    consultations.schedule_round(by=staff, proposal=da_nang, number=1, scheduled_at=held,
                                 agenda="Agenda", participants="People")
    with pytest.raises(Refused, match="only once the minutes of round 1"):
        consultations.schedule_round(by=staff, proposal=da_nang, number=2,
                                     scheduled_at=timezone.now(), agenda="Agenda",
                                     participants="People")
    assert not ConsultationRound.objects.filter(proposal=da_nang, round=2).exists()
    consultations.record_minutes(by=staff, proposal=da_nang, number=1, minutes=MINUTES,
                                 questions=QUESTION)
    with pytest.raises(Refused, match="must come after round 1"):
        consultations.schedule_round(by=staff, proposal=da_nang, number=2,
                                     scheduled_at=held - dt.timedelta(hours=1), agenda="A",
                                     participants="P")
    consultations.schedule_round(by=staff, proposal=da_nang, number=2,
                                 scheduled_at=timezone.now() + dt.timedelta(days=9),
                                 agenda="Answers", participants="People")
    with pytest.raises(Refused, match="has taken place"):
        consultations.schedule_round(by=staff, proposal=da_nang, number=1, scheduled_at=held,
                                     agenda="Again", participants="People")
    recorded = EvaluationEvent.objects.get(proposal=da_nang, action="consultation_recorded")
    assert recorded.detail["minutes"] == MINUTES and recorded.detail["questions"] == QUESTION


def test_minutes_come_after_the_meeting_and_need_text(users, da_nang):
    staff = users["secretariat"]
    with pytest.raises(Refused, match="Schedule the round"):
        consultations.record_minutes(by=staff, proposal=da_nang, number=1, minutes=MINUTES,
                                     questions="")
    later = timezone.now() + dt.timedelta(days=2)
    consultations.schedule_round(by=staff, proposal=da_nang, number=1, scheduled_at=later,
                                 agenda="Agenda", participants="People")
    with pytest.raises(Refused, match="after the meeting"):
        consultations.record_minutes(by=staff, proposal=da_nang, number=1, minutes=MINUTES,
                                     questions="")
    with pytest.raises(Refused, match="Write the minutes"):
        consultations.record_minutes(by=staff, proposal=da_nang, number=1, minutes="  ",
                                     questions="",
                                     now=later + dt.timedelta(hours=2))
    consultations.record_minutes(by=staff, proposal=da_nang, number=1, minutes=MINUTES,
                                 questions="", now=later + dt.timedelta(hours=2))
    assert ConsultationRound.objects.get(proposal=da_nang, round=1).minutes == MINUTES


def test_only_the_tracks_secretariat_schedules(client, users, da_nang):
    kaia = User.objects.create_user(
        "kaia-staff", "kaia@example.org", "pw-kaia-123", role=Role.SECRETARIAT,
        organisation=Organisation.objects.get(secretariat_unit="KAIA"))
    for actor in (users["gov-applicant"], kaia):
        with pytest.raises(Refused, match="Only the secretariat of this track"):
            consultations.schedule_round(by=actor, proposal=da_nang, number=1,
                                         scheduled_at=timezone.now(), agenda="A", participants="P")
    client.force_login(users["gov-applicant"])  # sees the page, cannot schedule
    assert client.get(f"/en/evaluation/proposals/{da_nang.pk}/").status_code == 200
    client.post(f"/en/evaluation/proposals/{da_nang.pk}/consultation/schedule/",
                schedule_post(1))
    client.force_login(users["company-applicant"])  # a stranger: 404
    assert client.get(f"/en/evaluation/proposals/{da_nang.pk}/").status_code == 404
    assert client.post(f"/en/evaluation/proposals/{da_nang.pk}/consultation/schedule/",
                       schedule_post(1)).status_code == 404
    assert not ConsultationRound.objects.filter(proposal=da_nang).exists()
    assert not EvaluationEvent.objects.filter(proposal=da_nang).exists()


def test_demonstration_proposals_have_no_consultation(users, open_panel):
    bandung = open_panel.proposals.get(title="AI bus priority for Bandung")
    with pytest.raises(Refused, match="Only planning proposals"):
        consultations.schedule_round(by=users["secretariat"], proposal=bandung, number=1,
                                     scheduled_at=timezone.now(), agenda="A", participants="P")


def test_applicant_sees_schedule_agenda_and_questions_not_the_minutes(client, users, can_tho):
    client.force_login(users["gov-applicant"])
    body = client.get(f"/en/evaluation/proposals/{can_tho.pk}/").content.decode()
    round2 = ConsultationRound.objects.get(proposal=can_tho, round=2)
    shown = timezone.localtime(round2.scheduled_at).strftime("%Y-%m-%d %H:%M")
    assert f"{shown} KST" in body
    assert "Site and data readiness" in body  # round 1 agenda
    assert "Send the council" in body  # the question
    assert "Revised site plan.pdf" in body
    assert "Traffic data exist" not in body  # the minutes are for the panel
    assert f"/en/evaluation/proposals/{can_tho.pk}/" in client.get(
        "/en/evaluation/proposals/").content.decode()
    client.force_login(users["secretariat"])
    assert "Traffic data exist" in client.get(
        f"/en/evaluation/proposals/{can_tho.pk}/").content.decode()


def test_revised_document_upload_between_the_rounds(client, users, can_tho):
    client.force_login(users["gov-applicant"])
    upload = SimpleUploadedFile("../Answers to round 1?.pdf", DEMO_PDF)
    response = client.post(f"/en/evaluation/proposals/{can_tho.pk}/consultation/revised/",
                           {"file": upload}, follow=True)
    assert "Attached" in response.content.decode()
    round2 = ConsultationRound.objects.get(proposal=can_tho, round=2)
    docs = list(round2.revised_documents.order_by("code"))
    assert [d.code for d in docs] == ["revised-r1-1", "revised-r1-2"]
    new = docs[-1]
    assert new.sha256 == hashlib.sha256(DEMO_PDF).hexdigest()
    assert new.detected_type == "pdf" and "/" not in new.original_name
    assert new.proposal == can_tho
    event = EvaluationEvent.objects.filter(proposal=can_tho, action="revised_document").last()
    assert event.detail["code"] == "revised-r1-2" and event.detail["sha256"] == new.sha256
    download = client.get(f"/en/proposals/{can_tho.pk}/documents/{new.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == DEMO_PDF

    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not really a pdf")
    response = client.post(f"/en/evaluation/proposals/{can_tho.pk}/consultation/revised/",
                           {"file": fake}, follow=True)
    assert "not one of the accepted types" in response.content.decode()
    assert round2.revised_documents.count() == 2

    client.force_login(users["company-applicant"])  # not the applicant: 404, nothing stored
    assert client.post(f"/en/evaluation/proposals/{can_tho.pk}/consultation/revised/",
                       {"file": SimpleUploadedFile("x.pdf", DEMO_PDF)}).status_code == 404
    with pytest.raises(Refused, match="Only the applicant organisation"):
        consultations.upload_revised_document(by=users["secretariat"], proposal=can_tho,
                                              upload=ContentFile(DEMO_PDF, name="x.pdf"))


@pytest.mark.parametrize("name, build, code", upload_samples.HOSTILE,
                         ids=lambda v: repr(v)[:30])
def test_revised_documents_are_checked_like_proposal_documents(client, users, can_tho, name,
                                                               build, code):
    """The same hostile files the proposal form refuses (a DOCX named .hwp, a truncated PDF,
    proposal.pdf.exe, ...), refused on the revised-document form with the same reason."""
    client.force_login(users["gov-applicant"])
    before = list(can_tho.documents.values_list("pk", "sha256"))
    content = build()
    body, content_type = upload_samples.multipart({}, name.encode(), content)
    response = client.generic("POST", f"/en/evaluation/proposals/{can_tho.pk}/consultation/"
                              "revised/", body, content_type=content_type)
    assert response.status_code == 400
    with pytest.raises(filetypes.UploadRefused) as refusal:
        filetypes.inspect(name, content)
    assert refusal.value.code == code
    page = response.content.decode()
    assert refusal.value.messages[0].replace('"', "&quot;").replace("'", "&#x27;") in page
    assert 'id="revised-upload"' in page  # shown on the form
    assert list(can_tho.documents.values_list("pk", "sha256")) == before


def test_a_revised_pdf_with_javascript_is_kept_flagged(client, users, can_tho):
    client.force_login(users["gov-applicant"])
    body, content_type = upload_samples.multipart({}, "답변서🚀.pdf".encode(),
                                                  upload_samples.pdf_js_open_action())
    response = client.generic("POST", f"/en/evaluation/proposals/{can_tho.pk}/consultation/"
                              "revised/", body, content_type=content_type)
    assert response.status_code == 302
    new = can_tho.documents.get(code="revised-r1-2")
    assert new.has_javascript and new.original_name == "답변서🚀.pdf"
    client.force_login(users["secretariat"])
    page = client.get(f"/en/evaluation/proposals/{can_tho.pk}/").content.decode()
    assert "contains JavaScript: served only as a download" in page
    download = client.get(f"/en/proposals/{can_tho.pk}/documents/{new.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"


def test_no_revised_documents_before_round_1_or_after_round_2(users, da_nang, can_tho):
    gov, staff = users["gov-applicant"], users["secretariat"]
    with pytest.raises(Refused, match="after round 1 has taken place"):
        consultations.upload_revised_document(by=gov, proposal=da_nang,
                                              upload=ContentFile(DEMO_PDF, name="a.pdf"))
    round2 = ConsultationRound.objects.get(proposal=can_tho, round=2)
    consultations.record_minutes(by=staff, proposal=can_tho, number=2, minutes="Answers accepted.",
                                 questions="",
                                 now=round2.scheduled_at + dt.timedelta(hours=2))
    with pytest.raises(Refused, match="Round 2 has taken place"):
        consultations.upload_revised_document(by=gov, proposal=can_tho,
                                              upload=ContentFile(DEMO_PDF, name="b.pdf"))
    assert can_tho.documents.filter(code__startswith="revised-").count() == 1


@pytest.fixture
def round2_panel(users, can_tho):
    """The consultation-2 panel: all five experts of the pool (none is conflicted)."""
    return services.form_panel(by=users["secretariat"], track=can_tho.track,
                               stage="consultation_2", size=5, seed=11)


def test_panel_reads_the_round_and_its_revised_documents(client, users, can_tho, round2_panel):
    evaluator = users["evaluator"]
    doc = ConsultationRound.objects.get(proposal=can_tho, round=2).revised_documents.get()
    services.declare(by=evaluator, proposal=can_tho, has_conflict=False)
    client.force_login(evaluator)
    body = client.get(f"/en/evaluation/panels/{round2_panel.pk}/proposals/{can_tho.pk}/"
                      ).content.decode()
    assert "Consultation, round 1" in body and "Traffic data exist" in body
    assert f"/en/proposals/{can_tho.pk}/documents/{doc.pk}/" in body
    assert client.get(f"/en/proposals/{can_tho.pk}/documents/{doc.pk}/").status_code == 200
    assert client.get(f"/en/evaluation/proposals/{can_tho.pk}/").status_code == 200

    conflicted = users["expert-urban"]
    services.declare(by=conflicted, proposal=can_tho, has_conflict=True,
                     reason="I drafted the city's plan.")
    client.force_login(conflicted)
    assert client.get(f"/en/proposals/{can_tho.pk}/documents/{doc.pk}/").status_code == 404
    assert client.get(f"/en/evaluation/proposals/{can_tho.pk}/").status_code == 404


def test_consultation_panel_closes_once_its_round_has_minutes(users, can_tho, round2_panel):
    staff, evaluator = users["secretariat"], users["evaluator"]
    services.declare(by=evaluator, proposal=can_tho, has_conflict=False)
    sheet = {c.code: (str(Decimal(c.weight) * Decimal("0.8")), "")
             for c in can_tho.track.criteria.all()}
    services.save_sheet(by=evaluator, panel=round2_panel, proposal=can_tho, entries=sheet,
                        submit=True)
    with pytest.raises(Refused, match="no minutes yet for: " + CAN_THO):
        services.close_panel(by=staff, panel=round2_panel)
    round2 = ConsultationRound.objects.get(proposal=can_tho, round=2)
    consultations.record_minutes(by=staff, proposal=can_tho, number=2, minutes="Answers accepted.",
                                 questions="",
                                 now=round2.scheduled_at + dt.timedelta(hours=2))
    assert services.close_panel(by=staff, panel=round2_panel).is_closed


def test_the_applicant_is_mailed_in_its_language(users, can_tho, mailoutbox):
    from kcity.evaluation.emails import send_event_mail

    gov = users["gov-applicant"]
    events = EvaluationEvent.objects.filter(proposal=can_tho).order_by("pk")
    assert [e.action for e in events] == ["consultation_scheduled", "consultation_recorded",
                                          "revised_document", "consultation_scheduled"]
    for event in events:
        assert OutboundEmail.objects.filter(key=f"evaluation:{event.pk}").exists()
        send_event_mail(event.pk)
    assert len(mailoutbox) == 4 and all(m.to == [gov.email] for m in mailoutbox)
    assert "Consultation round 1 on “Can Tho delta smart city plan” is scheduled." in \
        mailoutbox[0].body
    assert "Send the council's resolution" in mailoutbox[1].body
    assert "Revised site plan.pdf" in mailoutbox[2].body
    assert f"/evaluation/proposals/{can_tho.pk}/" in mailoutbox[3].body
