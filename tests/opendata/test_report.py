"""The annual report: its text (read back with pypdf) carries the counts of a known world in
Korean and in English; the public version lacks the confidential annex and the names of
applicants not selected; the command writes a valid PDF and refuses a bad year or language;
the worker renders a report once; only the secretariat reaches the confidential version."""

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader
from stats_world import YEAR, build_world

from kcity.core.errors import Refused
from kcity.opendata import report
from kcity.opendata.report_models import AnnualReport
from kcity.site.demo import load_history

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def world():
    return build_world()


def test_english_report_counts_and_confidential_annex(world):
    text = text_of(report.render_pdf(year=YEAR, language="en", public=False))
    assert "annual report 2031" in text
    assert "Confidential: for the secretariat and the committee only" in text
    # applications: 3 planning, 2 demonstration (the draft is not counted); 4 countries
    assert re.search(r"Applications received this year 5\b", text)
    assert re.search(r"Smart city planning 3\b", text)
    assert re.search(r"Overseas demonstration 2\b", text)
    assert re.search(r"Viet Nam 2\b", text) or re.search(r"Vietnam 2\b", text)
    assert re.search(r"Projects selected this year 2\b", text)
    # money of the year's projects and follow-on to date
    assert "900,000,000 KRW" in text and "450,000,000 KRW" in text
    assert "150,000,000 KRW" in text  # disbursed and paid during the year
    assert "2,300,000,000 KRW" in text
    # the annex names every applicant with its score
    assert "Annex (confidential)" in text
    assert "Da Nang City" in text and "Almaty Akimat" in text and "Cebu Province" in text
    assert "77.50" in text  # Da Nang's final score
    assert "Draft Town" not in text and "Demo City" not in text


def test_public_report_lacks_the_confidential_parts(world):
    text = text_of(report.render_pdf(year=YEAR, language="en", public=True))
    assert "Public version" in text and "Confidential" not in text
    assert "Annex" not in text
    for unselected in ("Da Nang City", "Almaty Akimat", "Cebu Province"):
        assert unselected not in text
    assert "77.50" not in text and "84.50" not in text
    assert re.search(r"Applications received this year 5\b", text)  # counts stay
    assert "Hue" in text and "Tashkent" in text  # selected projects are public


def test_korean_report(world):
    text = text_of(report.render_pdf(year=YEAR, language="ko", public=True))
    assert "2031년 연차 보고서" in text and "국가스마트도시위원회" in text
    assert re.search(r"올해 접수된 신청 5\b", text)
    assert re.search(r"스마트시티 계획 3\b", text)
    assert "9억 원" in text  # awarded 900,000,000 KRW
    assert "1억 5,000만 원" in text  # disbursed
    assert "베트남" in text


def test_history_year_report_counts_41_in_23_to_date():
    load_history()
    text = text_of(report.render_pdf(year=2023, language="en", public=True))
    assert re.search(r"Projects selected this year 8\b", text)
    assert re.search(r"Projects since the programme began 41\b", text)
    assert re.search(r"Countries since the programme began 23\b", text)
    assert "No call of this year was run on this platform" in text


def test_bad_year_or_language_is_refused():
    load_history()
    for year, language in ((2023, "fr"), ("20x3", "en"), (1999, "en"), (2045, "ko")):
        with pytest.raises(Refused):
            report.render_pdf(year=year, language=language, public=True)


def test_command_writes_a_pdf_and_fails_clearly(tmp_path, capsys):
    load_history()
    out = tmp_path / "report.pdf"
    call_command("report", "2022", "--lang", "ko", "--public", "-o", str(out))
    text = text_of(out.read_bytes())
    assert "2022년 연차 보고서" in text and "공개본" in text
    with pytest.raises(CommandError, match="language"):
        call_command("report", "2022", "--lang", "de", "-o", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="nothing to report for 1990|between"):
        call_command("report", "1990", "--lang", "en", "-o", str(tmp_path / "y.pdf"))
    with pytest.raises(CommandError, match="nothing to report for 2050"):
        call_command("report", "2050", "--lang", "en", "-o", str(tmp_path / "z.pdf"))
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "z.pdf").exists()


def test_command_line_exit_code(tmp_path):
    """`kcity report` itself: a bad language ends with a message and a non-zero exit code."""
    from kcity.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["report", "2022", "--lang", "xx", "-o", str(tmp_path / "a.pdf")])
    assert stop.value.code != 0


def _login(client, user):
    client.force_login(user)


def test_generate_render_once_and_download(client, world, django_capture_on_commit_callbacks):
    secretariat = world["secretariat"]
    _login(client, secretariat)
    assert client.get("/en/reports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/reports/generate/",
                               {"year": str(YEAR), "language": "en", "confidential": "on"})
    assert response.status_code == 302
    confidential = AnnualReport.objects.get(confidential=True)
    assert confidential.ready and confidential.requested_by == secretariat
    data = confidential.file.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == confidential.sha256
    assert "Da Nang City" in text_of(data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/reports/generate/", {"year": str(YEAR), "language": "ko"})
    public = AnnualReport.objects.get(confidential=False)
    assert public.ready and public.language == "ko"
    # the job run again renders nothing new
    from kcity.opendata.report_tasks import render_report
    assert render_report.call(public.pk) == "already rendered"

    download = client.get(f"/en/reports/{confidential.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == data
    assert client.get("/en/reports/generate/").status_code == 405
    listing = client.get("/en/reports/").content.decode()
    assert confidential.sha256[:14] in listing

    # a bad request is refused with a message, nothing queued
    with django_capture_on_commit_callbacks(execute=True):
        bad = client.post("/en/reports/generate/", {"year": "1990", "language": "en"},
                          follow=True)
    assert "between" in bad.content.decode() and AnnualReport.objects.count() == 2

    # anyone else: the list 404s, the confidential report 404s, the public one downloads
    client.logout()
    for who in (None, world["applicant"]):
        if who:
            _login(client, who)
        assert client.get("/en/reports/").status_code == 404
        assert client.post("/en/reports/generate/",
                           {"year": str(YEAR), "language": "en"}).status_code == 404
        assert client.get("/en/reports/generate/").status_code == 404
        assert client.get(f"/en/reports/{confidential.pk}/download/").status_code == 404
        assert client.get(f"/en/reports/{public.pk}/download/").status_code == 200
        page = client.get("/en/statistics/").content.decode()
        assert f"/en/reports/{public.pk}/download/" in page
        assert f"/en/reports/{confidential.pk}/download/" not in page
    assert AnnualReport.objects.count() == 2


def test_a_pending_public_report_is_not_downloadable(client, world):
    from django.utils import timezone

    from kcity.opendata.report_services import request_report

    pending = request_report(year=YEAR, language="en", confidential=False,
                             by=world["secretariat"], now=timezone.now())
    assert not pending.ready  # the job runs after the commit, which this test never makes
    assert client.get(f"/en/reports/{pending.pk}/download/").status_code == 404
    with pytest.raises(Refused):
        request_report(year=YEAR, language="en", confidential=False, by=world["secretariat"],
                       now=timezone.now())
    with pytest.raises(Refused):
        request_report(year=YEAR, language="en", confidential=True, by=world["applicant"],
                       now=timezone.now())
