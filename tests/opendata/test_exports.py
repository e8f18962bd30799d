"""The open-data tables: the projects (public) and the proposals (per role) as CSV and XLSX,
the open-data page and its downloads, and `kcity export`. The three project exports (CSV,
XLSX, IATI) tell the same numbers as the database."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import translation
from export_world import NOW, PAYMENTS, build_portfolio
from lxml import etree
from openpyxl import load_workbook

from kcity.opendata import exports, iati
from kcity.opendata.selectors import portfolio
from kcity.projects.models import Payment

BOM = b"\xef\xbb\xbf"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield build_portfolio()


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> tuple[list[dict], list]:
    sheet = load_workbook(io.BytesIO(content)).active
    cells = list(sheet.iter_rows())
    headers = [c.value for c in cells[0]]
    return [dict(zip(headers, (c.value for c in row), strict=True)) for row in cells[1:]], cells


def headers(columns, lang):
    with translation.override(lang):
        return [str(c.header) for c in columns]


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def money(value) -> int:
    return int(value) if value not in (None, "") else 0


def test_csv_xlsx_and_iati_tell_the_same_numbers(client, world):
    en = headers(exports.PROJECT_COLUMNS, "en")
    award, paid, count = en[exports.PROJECT_COLUMNS.index(
        next(c for c in exports.PROJECT_COLUMNS if c.key == "award"))], "Disbursed (KRW)", \
        "Follow-ons"
    from_csv = csv_rows(download(client, "/en/open-data/projects.csv"))
    from_xlsx, _cells = xlsx_rows(download(client, "/en/open-data/projects.xlsx"))
    root = etree.fromstring(download(client, "/en/open-data/iati-activities.xml"))

    real = portfolio()
    expected_awards = real.aggregate(total=Sum("paperwork__award"))["total"]
    assert expected_awards == 500_000_000 + 900_000_000
    assert len(from_csv) == len(from_xlsx) == len(root) == real.count() == world["history"] + 2
    assert sum(money(r[award]) for r in from_csv) == expected_awards
    assert sum(money(r[award]) for r in from_xlsx) == expected_awards
    assert sum(int(v) for v in root.xpath("iati-activity/budget/value/text()")) == expected_awards
    assert sum(money(r[paid]) for r in from_csv) == sum(PAYMENTS)
    assert sum(money(r[paid]) for r in from_xlsx) == sum(PAYMENTS)
    assert sum(int(v) for v in root.xpath(
        'iati-activity/transaction[transaction-type/@code="3"]/value/text()')) == sum(PAYMENTS)
    assert sum(PAYMENTS) == Payment.objects.aggregate(total=Sum("amount"))["total"]
    assert sum(money(r[count]) for r in from_csv) == sum(money(r[count]) for r in from_xlsx) == 1
    assert [r["ID"] for r in from_csv] == [str(r["ID"]) for r in from_xlsx]
    # The API reads the same set and tells the same numbers.
    from_api, page = [], 1
    while True:
        answer = client.get("/api/v1/projects", {"page": page, "page_size": 100}).json()
        from_api += answer["items"]
        if len(from_api) >= answer["count"]:
            break
        page += 1
    assert [str(p["id"]) for p in from_api] == [r["ID"] for r in from_csv]
    assert sum(p["award"] or 0 for p in from_api) == expected_awards
    assert sum(p["disbursed"] for p in from_api) == sum(PAYMENTS)
    assert sum(p["follow_on_count"] for p in from_api) == 1


def test_project_rows_read_the_one_portfolio(client, world):
    rows = {r["ID"]: r for r in csv_rows(download(client, "/en/open-data/projects.csv"))}
    hue = rows[str(world["project"].record.pk)]
    assert (hue["Year"], hue["City"], hue["Country code"], hue["Region"], hue["Status"]) == (
        "2031", "Hue", "VN", "Southeast Asia", "in progress")
    assert (hue["Award (KRW)"], hue["Contract value (KRW)"], hue["Disbursed (KRW)"]) == (
        "500000000", "400000000", "250000000")
    assert (hue["Follow-ons"], hue["Follow-on investment (KRW)"]) == ("1", "2000000000")
    assert (hue["Planned start"], hue["Planned end"]) == ("2031-03-01", "2031-12-31")
    history = next(r for r in rows.values() if r["Year"] == "2020")
    assert history["Status"] == "selected" and history["Award (KRW)"] == ""
    assert history["Disbursed (KRW)"] == "" and history["Sources"].startswith("http")


def test_anonymous_project_exports_hold_public_columns_and_real_projects(client, world):
    content = download(client, "/en/open-data/projects.csv")
    rows = csv_rows(content)
    assert list(rows[0]) == headers(exports.PROJECT_COLUMNS, "en")
    text = content.decode("utf-8-sig")
    assert "Made-up plan" not in text and "@example.org" not in text
    assert "Hanbit Mobility" not in text  # an applicant organisation is not a public column
    with_demo = csv_rows(download(client, "/en/open-data/projects.csv?demo=1"))
    flagged = [r for r in with_demo if r["Demo (made-up data)"] == "yes"]
    assert [r["Title"] for r in flagged] == ["Made-up plan"]
    assert len(with_demo) == len(rows) + 1
    assert client.get("/en/open-data/projects.csv?demo=maybe").status_code == 302


def test_xlsx_money_is_numbers_with_a_format(client, world):
    rows, cells = xlsx_rows(download(client, "/en/open-data/projects.xlsx"))
    column = headers(exports.PROJECT_COLUMNS, "en").index("Award (KRW)")
    awarded = [row[column] for row in cells[1:] if row[column].value is not None]
    assert {type(c.value) for c in awarded} == {int}
    assert {c.number_format for c in awarded} == {"#,##0"}
    started = [r["Planned start"] for r in rows if r["Planned start"]]
    assert started and all(v.year == 2031 for v in started)


def test_headers_in_the_requests_language(client, world):
    ko = csv_rows(download(client, "/ko/open-data/projects.csv"))
    ko_headers = headers(exports.PROJECT_COLUMNS, "ko")
    assert list(ko[0]) == ko_headers != headers(exports.PROJECT_COLUMNS, "en")
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in h) for h in ko_headers if h != "ID")
    hue = next(r for r in ko if r["ID"] == str(world["project"].record.pk))
    assert "동남아시아" in hue.values()  # the region, in Korean
    rows, _cells = xlsx_rows(download(client, "/ko/open-data/projects.xlsx"))
    assert list(rows[0]) == ko_headers
    response = client.get("/ko/open-data/projects.csv")
    assert response.streaming and response["Content-Language"] == "ko"
    assert 'filename="kcity-projects-ko.csv"' in response["Content-Disposition"]


def test_anonymous_gets_no_proposal_export(client, world):
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/en/open-data/proposals.{fmt}")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("who", "titles"), [
    ("host", {"Hue smart city plan", "Made-up plan"}),
    ("stranger", {"Bandung smart parking"}),
    ("kind", {"Hue smart city plan", "Made-up plan"}),
    ("kaia", {"Bandung smart parking"}),
    ("contractor", set()),
])
def test_each_role_exports_the_proposals_it_may_see(client, world, who, titles):
    client.force_login(world[who])
    from_csv = csv_rows(download(client, "/en/open-data/proposals.csv"))
    from_xlsx, _cells = xlsx_rows(download(client, "/en/open-data/proposals.xlsx"))
    assert {r["Title"] for r in from_csv} == {r["Title"] for r in from_xlsx} == titles
    assert not any("score" in h.lower() for h in headers(exports.PROPOSAL_COLUMNS, "en"))


def test_the_open_data_page_lists_every_download_in_both_languages(client, world):
    en = client.get("/en/open-data/").content.decode()
    for url in ("/en/open-data/projects.csv", "/en/open-data/projects.xlsx",
                "/en/open-data/iati-activities.xml", "/api/docs"):
        assert f'href="{url}' in en
    assert "No tender has been published yet." in en
    assert "/en/open-data/proposals.csv" not in en
    ko = client.get("/ko/open-data/").content.decode()
    assert 'href="/ko/open-data/projects.csv"' in ko and "공개 데이터" in ko
    client.force_login(world["host"])
    assert 'href="/en/open-data/proposals.csv"' in client.get("/en/open-data/").content.decode()
    assert client.get("/en/open-data/ocds.json").status_code == 404  # nothing published


def test_cli_exports_projects_and_iati(world, tmp_path, capsys):
    schema = etree.XMLSchema(etree.parse(
        str(ROOT / "docs" / "standards" / "iati-2.03" / "iati-activities-schema.xsd")))
    total = portfolio().count()
    call_command("export", "projects", "-o", str(tmp_path / "p.csv"))
    assert len(csv_rows((tmp_path / "p.csv").read_bytes())) == total
    assert f"Wrote {total} projects" in capsys.readouterr().out
    call_command("export", "projects", "-o", str(tmp_path / "p.XLSX"), "--language", "ko")
    rows, _cells = xlsx_rows((tmp_path / "p.XLSX").read_bytes())
    assert len(rows) == total and "연도" in rows[0]
    call_command("export", "projects", "-o", str(tmp_path / "d.csv"), "--demo")
    assert len(csv_rows((tmp_path / "d.csv").read_bytes())) == total + 1
    call_command("export", "iati", "-o", str(tmp_path / "a.xml"))
    root = etree.parse(str(tmp_path / "a.xml")).getroot()
    schema.assertValid(root)
    assert len(root) == total
    assert not list(tmp_path.glob(".*.part"))


def test_cli_refuses_bad_input(world, tmp_path):
    with pytest.raises(CommandError, match=r"\.csv or \.xlsx"):
        call_command("export", "projects", "-o", str(tmp_path / "p.txt"))
    with pytest.raises(CommandError, match=r"\.xml"):
        call_command("export", "iati", "-o", str(tmp_path / "a.json"))
    with pytest.raises(CommandError, match="ocds only"):
        call_command("export", "projects", "-o", str(tmp_path / "p.csv"), "--all")
    with pytest.raises(CommandError, match="not to ocds"):
        call_command("export", "ocds", "-o", str(tmp_path / "o.json"), "--demo")
    with pytest.raises(CommandError, match="folder"):
        call_command("export", "iati", "-o", str(tmp_path))
    assert not list(tmp_path.iterdir())


def test_a_wrong_suffix_exits_non_zero(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "KCITY_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "kcity.cli", "export", "projects", "-o", str(tmp_path / "p.pdf")],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode != 0
    assert "Name a .csv or .xlsx file" in done.stderr
    assert not (tmp_path / "p.pdf").exists()


def test_the_iati_file_matches_the_command_and_the_download(client, world):
    web = etree.fromstring(download(client, "/en/open-data/iati-activities.xml"))
    direct = etree.fromstring(iati.xml_bytes(now=NOW))
    assert web.xpath("iati-activity/iati-identifier/text()") == direct.xpath(
        "iati-activity/iati-identifier/text()")
