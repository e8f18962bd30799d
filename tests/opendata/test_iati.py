"""The portfolio as an IATI 2.03 activity file: schema-valid offline, every public project
one activity with stable identifiers, the codelists' codes, and the money of the paperwork."""

from pathlib import Path

import pytest
from django.utils import translation
from export_world import NOW, PAYMENTS, build_portfolio
from lxml import etree

from kcity.opendata import iati
from kcity.opendata.selectors import portfolio

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "standards" / "iati-2.03"


@pytest.fixture(scope="module")
def schema():
    # The schema includes iati-common.xsd and imports xml.xsd by relative paths: no network.
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA / "iati-activities-schema.xsd"), parser))


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield build_portfolio()


def parsed(**kw):
    return etree.fromstring(iati.xml_bytes(now=NOW, **kw))


def activity(root, record):
    found = root.xpath(f'iati-activity[iati-identifier="{iati.activity_id(record)}"]')
    assert len(found) == 1
    return found[0]


def test_the_file_validates_against_the_iati_schema(world, schema):
    root = parsed()
    schema.assertValid(root)
    assert root.get("version") == "2.03"
    schema.assertValid(parsed(include_demo=True))


def test_one_activity_per_public_project_with_stable_identifiers(world):
    root = parsed()
    ids = root.xpath("iati-activity/iati-identifier/text()")
    assert len(ids) == portfolio().count() == world["history"] + 2
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("KR-COA-1613000-KCITY-") for i in ids)
    assert ids == parsed().xpath("iati-activity/iati-identifier/text()")  # stable
    made_up = world["made_up"].record
    assert iati.activity_id(made_up) not in ids
    demo = parsed(include_demo=True)
    flagged = activity(demo, made_up)
    assert "Demo" in flagged.xpath('string(description[@type="4"]/narrative)')


def test_a_platform_project_carries_its_money_and_parties(world):
    project = world["project"]
    node = activity(parsed(), project.record)
    assert node.get("default-currency") == "KRW"
    assert node.xpath("reporting-org/@ref") == ["KR-COA-1613000"]
    assert node.xpath("reporting-org/narrative[@xml:lang='ko']/text()") == ["국토교통부"]
    roles = {o.get("role"): o for o in node.xpath("participating-org")}
    assert roles["1"].get("ref") == "KR-COA-1613000"
    assert roles["2"].xpath("narrative/text()")[0] == "Hue City"
    assert roles["2"].get("type") == "11"  # a local government
    assert "KIND" in roles["3"].xpath("string(narrative)")
    assert roles["4"].get("ref") == "KR-BRN-123-45-67890"
    assert node.xpath("activity-status/@code") == ["2"]
    assert dict(zip(node.xpath("activity-date/@type"), node.xpath("activity-date/@iso-date"),
                    strict=True)) == {"1": "2031-03-01", "2": "2031-03-02", "3": "2031-12-31"}
    assert node.xpath("recipient-country/@code") == ["VN"]
    assert node.xpath("sector/@code") == ["43030"]
    assert node.xpath("budget/value/text()") == [str(project.award)]
    assert node.xpath("budget/value/@currency") == ["KRW"]
    commitments = node.xpath('transaction[transaction-type/@code="2"]/value/text()')
    assert commitments == [str(project.contract_value)]
    paid = node.xpath('transaction[transaction-type/@code="3"]')
    assert [int(t.findtext("value")) for t in paid] == list(PAYMENTS)
    assert [t.find("transaction-date").get("iso-date") for t in paid] == [
        "2031-06-15", "2031-07-15"]
    assert {t.find("receiver-org").get("ref") for t in paid} == {"KR-BRN-123-45-67890"}


def test_a_demonstration_and_a_history_row(world):
    root = parsed()
    demo = activity(root, world["demonstration"].record)
    assert demo.xpath("sector/@code") == ["22040"]
    assert demo.xpath("activity-status/@code") == ["1"]  # agreement pending
    assert "KAIA" in demo.xpath('string(participating-org[@role="3"]/narrative)')
    assert not demo.xpath('participating-org[@role="4"]')  # no contractor yet
    assert demo.xpath('transaction/transaction-type/@code') == ["2"]  # the award committed
    history = portfolio().filter(paperwork__isnull=True).order_by("year", "pk").first()
    old = activity(root, history)
    assert not old.xpath("budget") and not old.xpath("transaction")
    assert old.xpath("activity-status/@code") == ["4"]  # years before 2031: closed
    assert old.xpath("activity-date/@iso-date") == [f"{history.year}-01-01"]
    assert old.xpath("title/narrative/text()")[-1] == history.title or history.title in \
        old.xpath("title/narrative/text()")
    assert old.xpath("description/narrative[@xml:lang='ko']")


def test_korean_and_english_narratives(world):
    node = activity(parsed(), world["project"].record)
    assert "Vietnam" in node.xpath("string(description[@type='1']/narrative[not(@xml:lang)])")
    assert "베트남" in node.xpath("string(description[@type='1']/narrative[@xml:lang='ko'])")


def test_the_org_identifier_is_a_setting(world, settings):
    settings.KCITY_IATI_ORG_REF = "XM-DAC-742-99"
    node = parsed()
    assert set(node.xpath("iati-activity/reporting-org/@ref")) == {"XM-DAC-742-99"}
    assert all(i.startswith("XM-DAC-742-99-KCITY-")
               for i in node.xpath("iati-activity/iati-identifier/text()"))


def test_queries_do_not_grow_with_the_portfolio(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # secretariats, projects, payments, tenders
        iati.xml_bytes(now=NOW)
