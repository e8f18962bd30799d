"""OCDS: every procurement exports as an OCDS 1.1 release package that validates against the
official 1.1.5 schema (vendored in docs/standards, no network) and uses only codes of the
closed codelists; `kcity export ocds` writes it; the public download shows published tenders
only."""

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft4Validator, FormatChecker
from procurement_helpers import NOW, after_deadline, pdf, terms
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from kcity.projects import ocds, procurement
from kcity.projects.procurement_demo import load_demo_procurement
from kcity.projects.procurement_models import Tender

pytestmark = pytest.mark.django_db

STANDARD = Path(__file__).resolve().parents[3] / "docs" / "standards" / "ocds-1.1.5"


def _load(name):
    return json.loads((STANDARD / name).read_text(encoding="utf-8"))


PACKAGE_SCHEMA = _load("release-package-schema.json")
RELEASE_SCHEMA = _load("release-schema.json")
REGISTRY = Registry().with_resources([
    (PACKAGE_SCHEMA["id"], Resource(PACKAGE_SCHEMA, specification=DRAFT4)),
    (RELEASE_SCHEMA["id"], Resource(RELEASE_SCHEMA, specification=DRAFT4)),
])


def codes(codelist: str) -> set[str]:
    with (STANDARD / "codelists" / codelist).open(encoding="utf-8") as fh:
        return {row["Code"] for row in csv.DictReader(fh)}


def closed_codes_used(schema, data, root=RELEASE_SCHEMA, path="$"):
    """(path, codelist, value) for every value in `data` under a closed codelist."""
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("codelist") and schema.get("openCodelist") is False:
        values = data if isinstance(data, list) else [data]
        for value in values:
            yield path, schema["codelist"], value
    if isinstance(data, dict):
        for key, value in data.items():
            if key in schema.get("properties", {}):
                yield from closed_codes_used(schema["properties"][key], value, root,
                                             f"{path}.{key}")
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(data):
            yield from closed_codes_used(schema["items"], item, root, f"{path}[{i}]")


def check_package(package):
    validator = Draft4Validator(PACKAGE_SCHEMA, registry=REGISTRY, format_checker=FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
    assert not errors, errors
    used = [u for release in package["releases"] for u in closed_codes_used(RELEASE_SCHEMA,
                                                                             release)]
    assert used  # the walk sees the codelists (tag, statuses, roles, ...)
    bad = [(p, c, v) for p, c, v in used if v not in codes(c)]
    assert not bad, bad
    ids = [r["id"] for r in package["releases"]]
    assert len(ids) == len(set(ids))
    return used


def test_the_walk_flags_a_code_outside_a_closed_codelist():
    release = {"tag": ["tender"], "tender": {"status": "open-ish"}}
    used = list(closed_codes_used(RELEASE_SCHEMA, release))
    assert ("$.tender.status", "tenderStatus.csv", "open-ish") in used
    assert "open-ish" not in codes("tenderStatus.csv")


@pytest.fixture
def awarded(with_bids, staff, bidders):
    tender = procurement.close_bids(tender=with_bids, by=staff, now=after_deadline(with_bids))
    members = procurement.draw_committee(tender=tender, by=staff, size=2, seed=5,
                                         now=after_deadline(tender))
    for bid in tender.bids.all():
        for member in members:
            procurement.score_bid(bid=bid, by=member.evaluator, points=70,
                                  now=after_deadline(tender))
    tender = procurement.finish_evaluation(tender=tender, by=staff, now=after_deadline(tender, 2))
    procurement.award_contract(tender=tender, by=staff, value=300_000_000,
                               signed_on=dt.date(2027, 10, 15), start=dt.date(2027, 11, 1),
                               end=dt.date(2028, 9, 30), contract_file=pdf("contract.pdf"),
                               now=after_deadline(tender, 14))
    return Tender.objects.get(pk=tender.pk)


def test_a_full_procurement_validates(awarded, bidders, settings):
    settings.KCITY_OCID_PREFIX = "ocds-test01"
    package = ocds.package([awarded], uri="https://example.org/p.json",
                           now=after_deadline(awarded, 20))
    used = check_package(package)
    tags = [r["tag"] for r in package["releases"]]
    assert tags == [["planning"], ["tender"], ["tenderUpdate"], ["award"], ["contract"]]
    assert {c for _p, c, _v in used} >= {"releaseTag.csv", "tenderStatus.csv",
                                          "awardStatus.csv", "contractStatus.csv"}
    # party roles are an open codelist; ours are all from it anyway
    assert {r for rel in package["releases"] for p in rel["parties"] for r in p["roles"]} <= \
        codes("partyRole.csv")
    assert all(r["ocid"] == f"ocds-test01-{awarded.pk}" for r in package["releases"])
    award = package["releases"][3]["awards"][0]
    assert award["value"] == {"amount": 300_000_000, "currency": "KRW"}
    winner = award["suppliers"][0]["name"]
    assert winner == bidders[1].organisation.name  # equal technical scores: lower price wins
    roles = {p["name"]: p["roles"] for p in package["releases"][-1]["parties"]}
    assert "supplier" in roles[winner] and "tenderer" in roles[winner]
    assert any("buyer" in r for r in roles.values())
    assert any("procuringEntity" in r for r in roles.values())
    assert package["releases"][0]["date"].endswith("+00:00")
    # release ids are stable: the same export twice gives the same ids
    again = ocds.package([awarded], uri="x", now=after_deadline(awarded, 30))
    assert [r["id"] for r in again["releases"]] == [r["id"] for r in package["releases"]]


def test_bids_stay_out_of_the_package_before_the_deadline(with_bids, bidders):
    package = ocds.package([with_bids], uri="x", now=NOW)
    check_package(package)
    text = json.dumps(package, ensure_ascii=False)
    for person in bidders:
        assert person.organisation.name not in text
    assert "400000000" not in text and "300000000" not in text


def test_the_demo_procurements_validate(projects):
    tenders = load_demo_procurement(projects, now=NOW)
    assert [t.state for t in tenders] == ["awarded", "published"]
    assert tenders[0].bids.count() == 2 and tenders[0].contract.value <= tenders[0].ceiling
    assert tenders[0].project.contractor_id == tenders[0].contract.supplier_id
    assert tenders[1].bid_deadline > NOW
    check_package(ocds.package(tenders, uri="x", now=NOW))
    assert load_demo_procurement(projects, now=NOW) == []  # runs again safely


def test_cli_exports_public_tenders_only(project, projects, staff, tmp_path, with_bids):
    demo_notices = {ocds.ocid(t) for t in Tender.objects.exclude(pk=with_bids.pk)}
    assert len(demo_notices) == 2  # the demo's procured project and its open notice
    draft = procurement.draft_tender(project=projects[1], by=staff, now=NOW, **terms())
    out = tmp_path / "ocds.json"
    call_command("export", "ocds", "-o", str(out))
    package = json.loads(out.read_text(encoding="utf-8"))
    check_package(package)
    ocids = {r["ocid"] for r in package["releases"]}
    assert ocids == demo_notices | {ocds.ocid(with_bids)}
    call_command("export", "ocds", "-o", str(out), "--all")
    assert {r["ocid"] for r in json.loads(out.read_text())["releases"]} == (
        demo_notices | {ocds.ocid(with_bids), ocds.ocid(draft)})


def test_cli_errors(tmp_path, db):
    with pytest.raises(CommandError, match="no procurement"):
        call_command("export", "ocds", "-o", str(tmp_path / "x.json"))
    with pytest.raises(CommandError, match="folder"):
        call_command("export", "ocds", "-o", str(tmp_path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export", "ocds", "-o", str(tmp_path / "nope" / "x.json"))
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export", "iati-next", "-o", str(tmp_path / "x.json"))
