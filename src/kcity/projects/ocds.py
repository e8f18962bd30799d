"""Procurements as Open Contracting Data Standard 1.1 release packages.

Each tender is one contracting process, `ocid` = KCITY_OCID_PREFIX + "-" + tender id. Each
stage it reached is one release with a stable id (`<ocid>-planning`, `-tender`, `-tender-
closed`, `-award`, `-contract`, `-implementation`, `-cancelled`), tagged with the stage and
dated when the stage happened: the planning (the project's award as the budget), the tender
(the public notice), the award (the winning bid's organisation, the contract value), the
contract (dates, the signed document's existence) and its implementation (the project's
payments, when the project has a `payments` relation). Amounts are {amount, currency: KRW};
dates ISO 8601 with their offset. Parties carry their roles: MOLIT the buyer, the track's
secretariat the procuring entity, the bidders tenderers (only after the deadline: bids are
sealed until then) and the winner the supplier.

Only what `permissions.visible_tenders` shows anonymously (published and later) is exported,
unless the caller asks for every tender (`public=False`, the command's --all)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from kcity.accounts.models import Organisation, OrgKind, SecretariatUnit
from kcity.permissions import visible_tenders
from kcity.projects.procurement_models import PUBLIC_STATES, Tender
from kcity.projects.procurement_models import TenderState as T

SEOUL = ZoneInfo("Asia/Seoul")
VERSION = "1.1"
TENDER_STATUS = {
    T.DRAFT: "planning", T.PUBLISHED: "active", T.CLOSED: "active", T.EVALUATED: "active",
    T.AWARDED: "complete", T.CANCELLED: "cancelled",
}
SECRETARIAT_NAMES = {
    SecretariatUnit.MOLIT: "Ministry of Land, Infrastructure and Transport (MOLIT)",
    SecretariatUnit.KIND: "Korea Overseas Infrastructure & Urban Development Corporation (KIND)",
    SecretariatUnit.KAIA: "Korea Agency for Infrastructure Technology Advancement (KAIA)",
}


def ocid_prefix() -> str:
    return getattr(settings, "KCITY_OCID_PREFIX", "ocds-kcity")


def ocid(tender) -> str:
    return f"{ocid_prefix()}-{tender.pk}"


def iso(value) -> str | None:
    """A datetime (UTC stored) or a date (a Korean calendar day) as ISO 8601 with offset."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return dt.datetime.combine(value, dt.time(), tzinfo=SEOUL).isoformat()


def krw(amount) -> dict:
    return {"amount": int(amount), "currency": "KRW"}


def _org_id(org) -> str:
    if org.business_registration_number:
        return f"KR-BRN-{org.business_registration_number}"
    return f"KCITY-ORG-{org.pk}"


def _party(org, roles) -> dict:
    party = {"id": _org_id(org), "name": org.name, "roles": sorted(set(roles))}
    if getattr(org, "country", None):
        party["address"] = {"countryName": org.country.name}
        if org.city:
            party["address"]["locality"] = org.city
    return party


def _secretariat(unit: str) -> dict:
    org = Organisation.objects.filter(kind=OrgKind.SECRETARIAT, secretariat_unit=unit).first()
    if org is not None:
        return {"id": _org_id(org), "name": org.name}
    return {"id": f"KCITY-{unit.upper()}", "name": SECRETARIAT_NAMES.get(unit, unit)}


def _payments(project) -> list:
    """The project's payments, when the payments model exists (read defensively)."""
    manager = getattr(project, "payments", None)
    if manager is None or not hasattr(manager, "all"):
        return []
    out = []
    for payment in manager.all().order_by("pk"):
        amount = getattr(payment, "amount", None)
        when = (getattr(payment, "paid_at", None) or getattr(payment, "paid_on", None)
                or getattr(payment, "created_at", None))
        if amount is None or when is None:
            continue
        out.append((payment, amount, when))
    return out


def _sealed(tender, now) -> bool:
    return now < tender.bid_deadline or tender.state in (T.DRAFT, T.PUBLISHED)


def releases(tender, *, now=None) -> list[dict]:
    """The releases of one tender, one per stage reached, oldest first."""
    now = now or timezone.now()
    project = tender.project
    proposal = project.proposal
    track = proposal.track
    oc = ocid(tender)
    buyer = _secretariat(SecretariatUnit.MOLIT)
    procuring = _secretariat(track.secretariat or SecretariatUnit.MOLIT)
    roles: dict[str, tuple[dict, set]] = {}

    def add(party_id, party, role):
        roles.setdefault(party_id, (party, set()))[1].add(role)

    add(buyer["id"], {**buyer}, "buyer")
    add(procuring["id"], {**procuring}, "procuringEntity")
    bids = [] if _sealed(tender, now) else list(
        tender.bids.select_related("organisation").order_by("pk"))
    for bid in bids:
        add(_org_id(bid.organisation), _party(bid.organisation, []), "tenderer")
    contract = getattr(tender, "contract", None) if tender.state == T.AWARDED else None
    if contract is not None:
        add(_org_id(contract.supplier), _party(contract.supplier, []), "supplier")
    if contract is not None and _payments(project):
        add(buyer["id"], {**buyer}, "payer")
        add(_org_id(contract.supplier), _party(contract.supplier, []), "payee")
    parties = [{**party, "roles": sorted(r)} for party, r in roles.values()]

    planning = {
        "rationale": proposal.title,
        "budget": {"description": "K-City Network grant award", "amount": krw(project.award),
                   "project": proposal.title, "projectID": str(project.pk)},
    }
    period = {"startDate": iso(tender.published_at or tender.notice_date),
              "endDate": iso(tender.bid_deadline)}
    tender_block = {
        "id": f"{oc}-tender",
        "title": proposal.title,
        "description": tender.scope_en,
        "status": TENDER_STATUS[tender.state],
        "procuringEntity": procuring,
        "value": krw(tender.ceiling),
        "procurementMethod": "open",
        "procurementMethodDetails": "Open to verified Korean companies and consultants",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": (f"technical {tender.technical_weight} / price "
                                 f"{tender.price_weight}; price score = lowest price / bid "
                                 f"price x {tender.price_weight}"),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": period,
        "awardPeriod": {"startDate": iso(tender.evaluation_date),
                        "endDate": iso(tender.award_date)},
        "hasEnquiries": False,
    }
    if tender.briefing_at:
        tender_block["submissionMethodDetails"] = (
            f"Briefing session {iso(tender.briefing_at)}, {tender.briefing_place}")
    if bids:
        tender_block["numberOfTenderers"] = len(bids)
        tender_block["tenderers"] = [{"id": _org_id(b.organisation), "name": b.organisation.name}
                                     for b in bids]

    base = {"ocid": oc, "initiationType": "tender", "language": "en", "buyer": buyer,
            "parties": parties}

    def release(stage, date, tags, **blocks):
        return {**base, "id": f"{oc}-{stage}", "date": iso(date), "tag": tags, **blocks}

    out = [release("planning", tender.created_at, ["planning"], planning=planning,
                   tender={"id": f"{oc}-tender", "status": "planning"})]
    if tender.published_at:
        out.append(release("tender", tender.published_at, ["tender"], planning=planning,
                           tender={**tender_block, "status": "active"}))
    if tender.closed_at and bids:
        out.append(release("tender-closed", tender.closed_at, ["tenderUpdate"],
                           tender={**tender_block, "status": "active"}))
    if tender.cancelled_at:
        out.append(release("cancelled", tender.cancelled_at, ["tenderCancellation"],
                           tender={**tender_block, "status": "cancelled"}))
    if contract is not None:
        award = {
            "id": f"{oc}-award-1", "title": proposal.title, "status": "active",
            "date": iso(tender.awarded_at), "value": krw(contract.value),
            "suppliers": [{"id": _org_id(contract.supplier), "name": contract.supplier.name}],
            "contractPeriod": {"startDate": iso(contract.start), "endDate": iso(contract.end)},
        }
        out.append(release("award", tender.awarded_at, ["award"], tender=tender_block,
                           awards=[award]))
        contract_block = {
            "id": f"{oc}-contract-1", "awardID": award["id"], "title": proposal.title,
            "status": "active", "value": krw(contract.value),
            "period": {"startDate": iso(contract.start), "endDate": iso(contract.end)},
            "dateSigned": iso(contract.signed_on),
            "documents": [{"id": f"{oc}-contract-1-signed", "documentType": "contractSigned",
                           "title": "Signed contract", "format": contract.content_type,
                           "datePublished": iso(contract.created_at)}],
        }
        out.append(release("contract", contract.created_at, ["contract"], awards=[award],
                           contracts=[contract_block]))
        payments = _payments(project)
        if payments:
            transactions = [{
                "id": f"{oc}-payment-{p.pk}", "date": iso(when), "value": krw(amount),
                "payer": buyer,
                "payee": {"id": _org_id(contract.supplier), "name": contract.supplier.name},
            } for p, amount, when in payments]
            last = max(when for _p, _a, when in payments)
            out.append(release("implementation", last, ["implementation"], contracts=[{
                **contract_block, "implementation": {"transactions": transactions}}]))
    return out


def package(tenders, *, uri: str, now=None) -> dict:
    """One release package with every release of `tenders`."""
    now = now or timezone.now()
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": iso(now),
        "publisher": {"name": "K-City Network Global Cooperation Program secretariat (MOLIT)"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "releases": [r for t in tenders for r in releases(t, now=now)],
    }


def exported_tenders(*, public: bool = True):
    """What is exported: the tenders anyone may see (published and later), or every one."""
    rows = visible_tenders(None) if public else Tender.objects.all()
    if public:
        rows = rows.filter(state__in=PUBLIC_STATES, published_at__isnull=False)
    return rows.select_related("project__proposal__track").order_by("pk")
