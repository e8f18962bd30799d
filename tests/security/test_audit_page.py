"""The secretariat's audit page (/audit/): search by user, action, object and days, pages of
50, CSV export of the rows found; 404 for everyone else; each unit reads its own tracks."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from kcity.accounts.models import Organisation, Role, User
from kcity.core import audit
from kcity.core.models import AuditAction, AuditEntry
from kcity.programs.models import Track


def staff_of(unit, name):
    org = Organisation.objects.get(secretariat_unit=unit)
    return User.objects.create_user(name, f"{name}@example.org", "pw-staff-123",
                                    organisation=org, role=Role.SECRETARIAT)


@pytest.fixture
def entries(users):
    """One entry on a KIND (planning) track and one on a KAIA (demonstration) track."""
    plan = Track.objects.get(cycle__year=2028, code="PLAN")
    demo = Track.objects.get(cycle__year=2028, code="DEMO")
    assert (plan.secretariat, demo.secretariat) == ("KIND", "KAIA")
    at = dt.datetime(2030, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    kind = audit.record(action=AuditAction.CHECKLIST, obj=plan, by=users["secretariat"],
                        scope="KIND", frm="", to="ticked", now=at, item="zz-kind-only")
    kaia = audit.record(action=AuditAction.DOWNLOAD, obj=demo, by=users["evaluator"],
                        scope="KAIA", now=at + dt.timedelta(days=1), item="zz-kaia-only")
    return kind, kaia


def test_only_the_secretariat_reaches_the_page(client, users):
    assert client.get("/en/audit/").status_code == 302  # to the log-in
    for name in ("gov-applicant", "company-applicant", "evaluator", "contractor"):
        client.force_login(users[name])
        assert client.get("/en/audit/").status_code == 404, name
        assert client.get("/en/audit/export.csv").status_code == 404, name
    client.force_login(users["secretariat"])
    page = client.get("/en/audit/")
    assert page.status_code == 200 and "Audit trail" in page.content.decode()
    assert 'id="audit-link"' in client.get("/en/accounts/profile/").content.decode()


def test_search_by_action_user_object_and_days(client, users, entries):
    kind, kaia = entries
    client.force_login(users["secretariat"])
    body = client.get("/en/audit/", {"action": "checklist", "start": "2030-03-02",
                                     "end": "2030-03-02"}).content.decode()
    assert f"#{kind.object_id}" in body and "1 entry found" in body
    body = client.get("/en/audit/", {"actor": "evaluator", "start": "2030-03-03"}).content.decode()
    assert "1 entry found" in body and "Confidential download" in body
    body = client.get("/en/audit/", {"object_type": "programs.track",
                                     "object_id": kaia.object_id,
                                     "start": "2030-03-01"}).content.decode()
    assert "1 entry found" in body
    # the last day counts whole (KST): 2030-03-03 09:30 KST is inside "to 2030-03-03"
    body = client.get("/en/audit/", {"start": "2030-03-01", "end": "2030-03-03"}).content.decode()
    assert "2 entries found" in body


def test_bad_search_is_told_not_a_500(client, users, entries):
    client.force_login(users["secretariat"])
    response = client.get("/en/audit/", {"start": "2030-03-05", "end": "2030-03-01",
                                         "action": "no-such"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The first day comes after the last." in body and "0 entries found" in body
    assert client.get("/en/audit/", {"page": "x"}).status_code == 200
    assert client.get("/en/audit/export.csv", {"start": "not a day"}).status_code == 200


def test_csv_export_has_exactly_the_rows_found(client, users, entries, settings):
    kind, _kaia = entries
    client.force_login(users["secretariat"])
    response = client.get("/en/audit/export.csv", {"action": "checklist", "start": "2030-03-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["at (KST)", "user", "action"]
    assert len(rows) == 2
    assert rows[1][:5] == ["2030-03-02 09:30:00", "secretariat", "checklist", "programs.track",
                           kind.object_id]
    assert "zz-kind-only" in rows[1][-1]


def test_csv_cells_are_not_spreadsheet_formulas(client, users):
    audit.record(action=AuditAction.ROLE, obj=users["partner"], by=users["secretariat"],
                 frm="=HYPERLINK(\"http://evil\")", to="@SUM(1)")
    client.force_login(users["secretariat"])
    rows = list(csv.reader(io.StringIO(client.get(
        "/en/audit/export.csv", {"action": "role", "actor": "secretariat"},
    ).content.decode("utf-8-sig"))))
    evil = [r for r in rows if "HYPERLINK" in r[6]]
    assert evil and evil[0][6].startswith("'=") and evil[0][7] == "'@SUM(1)"


def test_each_unit_reads_its_own_tracks_and_molit_reads_all(client, users, entries):
    kind_staff, kaia_staff = staff_of("KIND", "kind-staff"), staff_of("KAIA", "kaia-staff")
    client.force_login(kaia_staff)
    body = client.get("/en/audit/export.csv").content.decode("utf-8-sig")
    assert "zz-kaia-only" in body and "zz-kind-only" not in body
    client.force_login(kind_staff)
    body = client.get("/en/audit/export.csv").content.decode("utf-8-sig")
    assert "zz-kind-only" in body and "zz-kaia-only" not in body
    client.force_login(users["secretariat"])  # MOLIT
    body = client.get("/en/audit/export.csv").content.decode("utf-8-sig")
    assert "zz-kind-only" in body and "zz-kaia-only" in body


def test_pages_of_fifty(client, users):
    target = users["partner"]
    for i in range(51):
        audit.record(action=AuditAction.PERMISSION, obj=target, by=users["secretariat"],
                     to=f"zz-step-{i:02d}")
    client.force_login(users["secretariat"])
    query = {"object_type": "accounts.user", "object_id": str(target.pk),
             "action": "permission"}
    first = client.get("/en/audit/", query).content.decode()
    assert "51 entries found" in first and "zz-step-50" in first and "zz-step-00" not in first
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/en/audit/", {**query, "page": 2}).content.decode()
    assert "zz-step-00" in second and "zz-step-50" not in second
    assert AuditEntry.objects.filter(object_id=str(target.pk), action="permission",
                                     to_value__startswith="zz-step-").count() == 51


def test_the_page_speaks_korean(client, users):
    client.force_login(users["secretariat"])
    body = client.get("/ko/audit/").content.decode()
    assert "감사 기록" in body
