"""On the demo data: the open-data page links the procurements' OCDS packages, the whole
package holds public tenders only (a draft never), and the IATI file of the demo's portfolio
(demo cycles included) is schema-valid."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone, translation
from lxml import etree

from kcity.opendata import iati
from kcity.opendata.selectors import portfolio
from kcity.projects import ocds, procurement
from kcity.projects.models import Project
from kcity.projects.procurement_models import Tender

SCHEMA = (Path(__file__).resolve().parents[2] / "docs" / "standards" / "iati-2.03"
          / "iati-activities-schema.xsd")


@pytest.fixture
def draft(demo, settings, tmp_path):
    from kcity.accounts.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    staff = User.objects.get(username="secretariat")
    project = Project.objects.filter(tenders__isnull=True, state="agreement_pending").first()
    now = timezone.now()
    with translation.override("en"):
        return procurement.draft_tender(
            project=project, by=staff, now=now, scope_en="Draft scope", scope_ko="초안 범위",
            ceiling=project.award, notice_date=now.date(), briefing_at=None, briefing_place="",
            bid_deadline=now + dt.timedelta(days=30),
            evaluation_date=now.date() + dt.timedelta(days=33),
            award_date=now.date() + dt.timedelta(days=40), consortia_allowed=True,
            technical_weight=80, price_weight=20)


def test_the_ocds_package_holds_public_tenders_only(client, draft):
    public = {ocds.ocid(t) for t in ocds.exported_tenders(public=True)}
    assert public and ocds.ocid(draft) not in public
    assert Tender.objects.count() == len(public) + 1
    response = client.get("/en/open-data/ocds.json")
    assert response.status_code == 200
    package = json.loads(response.content)
    assert {r["ocid"] for r in package["releases"]} == public
    assert "Draft scope" not in response.content.decode()
    page = client.get("/en/open-data/").content.decode()
    assert 'href="/en/open-data/ocds.json"' in page
    for tender in ocds.exported_tenders(public=True):
        assert f'href="/en/procurement/{tender.pk}/ocds.json"' in page
    assert f"/en/procurement/{draft.pk}/ocds.json" not in page
    assert client.get(f"/en/procurement/{draft.pk}/ocds.json").status_code == 404


def test_the_demo_portfolio_as_iati_is_schema_valid(demo):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for include_demo in (False, True):
        root = etree.fromstring(iati.xml_bytes(include_demo=include_demo))
        schema.assertValid(root)
        assert len(root) == portfolio(include_demo=include_demo).count()
    assert portfolio(include_demo=True).count() > portfolio().count()
