"""The portfolio as an IATI 2.03 activity file: one `iati-activity` per public project.

Identifiers (IATI organisation identifiers take a prefix from org-id.guide's register, the
IATI OrganisationRegistrationAgency codelist, then the organisation's code in that list):

- MOLIT, the reporting and funding organisation, is `KR-COA-1613000` (setting
  `KCITY_IATI_ORG_REF`). `KR-COA` is org-id.guide's "Korea (the Republic of) Chart of
  Accounts" list, the one Korean list for government agencies, departments and ministries;
  1613000 is MOLIT's code in the government's standard administrative organisation codes
  (행정표준코드, the code of its open-data services, `apis.data.go.kr/1613000/...`). The
  ministry has published no IATI identifier of its own; when it registers one (with the IATI
  Registry, or an OECD DAC agency code as `XM-DAC-742-n`), set the setting and every
  identifier follows.
- A project is `<org ref>-KCITY-<id>`, the id of its row in the public portfolio
  (`portfolio.SelectedProject`), which never changes.
- A Korean company (the contractor, a secretariat with a recorded business registration
  number) is `KR-BRN-<number>` (org-id.guide's National Tax Service list); an organisation
  without a known identifier is named by its narratives alone.

Codes (IATI codelists): organisation roles 1 funding (MOLIT), 2 accountable (the host
government), 3 extending (the secretariat: KIND for planning, KAIA for demonstration) and 4
implementing (the Korean contractor, or the history's Korean partner); organisation types 10
government, 11 local government, 15 other public sector, 71 private sector in the provider
country. Sector (DAC 5-digit, vocabulary 1), chosen for the programme's two tracks:
planning studies are 43030 "Urban development and management"; overseas demonstrations of
smart-city solutions are 22040 "Information and communication technology (ICT)". Status:
a pending agreement is 1 (pipeline), in progress 2 (implementation), completed 4 (closed),
cancelled 5; a project of the shipped history (no paperwork: the record is its selection)
is 2 until two calendar years after its selection year, then 4. Finance type 110 (standard
grant); aid type D02 (other technical assistance) for planning, C01 (project-type
interventions) for demonstration; collaboration type 1 (bilateral).

Money (KRW, the default currency): the award is the budget (original, committed, over the
planned dates); the contract value (or, before a contract, the award) is the outgoing
commitment (type 2), dated when the procurement's contract was signed, else when the
project started or was opened; each payment is a disbursement (type 3) on its date, from
MOLIT to the contractor. A history project has no money: no budget, no transaction, and one
activity date, the planned start of its selection year (the history records no dates).

The file validates against the vendored schema (docs/standards/iati-2.03); the portfolio is
read in one query plus one per prefetched relation, whatever the number of projects.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries.fields import Country
from lxml import etree

from kcity.accounts.models import Organisation, OrgKind, SecretariatUnit
from kcity.opendata.exports import paperwork_of
from kcity.opendata.selectors import portfolio
from kcity.portfolio.models import Programme
from kcity.projects.delivery_models import Payment
from kcity.projects.models import ProjectState
from kcity.projects.procurement_models import Tender, TenderState

SEOUL = ZoneInfo("Asia/Seoul")
VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_ORG_REF = "KR-COA-1613000"
MOLIT_NAMES = {"en": "Ministry of Land, Infrastructure and Transport (MOLIT)", "ko": "국토교통부"}
SECRETARIAT_NAMES = {
    SecretariatUnit.KIND: {"en": "Korea Overseas Infrastructure & Urban Development "
                                 "Corporation (KIND)", "ko": "한국해외인프라도시개발지원공사"},
    SecretariatUnit.KAIA: {"en": "Korea Agency for Infrastructure Technology Advancement "
                                 "(KAIA)", "ko": "국토교통과학기술진흥원"},
    SecretariatUnit.MOLIT: MOLIT_NAMES,
}
SECTORS = {"planning": "43030", "demonstration": "22040"}
AID_TYPES = {"planning": "D02", "demonstration": "C01"}
STATUS = {ProjectState.AGREEMENT_PENDING: "1", ProjectState.IN_PROGRESS: "2",
          ProjectState.COMPLETED: "4", ProjectState.CANCELLED: "5"}
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_EXTENDING, ROLE_IMPLEMENTING = "1", "2", "3", "4"
COMMITMENT, DISBURSEMENT = "2", "3"
LANGUAGES = ("en", "ko")


def org_ref() -> str:
    return getattr(settings, "KCITY_IATI_ORG_REF", DEFAULT_ORG_REF)


def activity_id(record) -> str:
    return f"{org_ref()}-KCITY-{record.pk}"


def company_ref(org) -> str | None:
    number = getattr(org, "business_registration_number", "")
    return f"KR-BRN-{number}" if number else None


def day(value) -> str:
    """A date, or a stored (UTC) datetime as its Korean calendar day, in ISO form."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(SEOUL).date()
    return value.isoformat()


def rows(*, include_demo: bool = False):
    """The portfolio with everything an activity needs, in one query plus prefetches."""
    awarded = Tender.objects.filter(state=TenderState.AWARDED).select_related("contract")
    return portfolio(include_demo=include_demo).select_related(
        "paperwork__proposal__track", "paperwork__proposal__organisation",
        "paperwork__contractor",
    ).prefetch_related(
        Prefetch("paperwork__payments", queryset=Payment.objects.order_by("paid_on", "pk")),
        Prefetch("paperwork__tenders", queryset=awarded, to_attr="awarded_tenders"),
    )


def _sub(parent, tag, text=None, **attrs):
    node = etree.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()
                                          if v is not None})
    if text is not None:
        node.text = text
    return node


def _narratives(parent, texts: dict):
    """One narrative per language with a text; English is the activity's default language."""
    for lang in LANGUAGES:
        text = (texts.get(lang) or "").strip()
        if text:
            node = _sub(parent, "narrative", text)
            if lang != "en":
                node.set(XML_LANG, lang)


def _org(parent, tag, names, **attrs):
    node = _sub(parent, tag, **attrs)
    _narratives(node, names)
    return node


@lru_cache(maxsize=4096)
def _labels(lang: str, country: str, programme: str) -> tuple[str, str]:
    """A country's and a programme's names in `lang` (the catalogues do not change)."""
    with translation.override(lang):
        return (str(Country(country).name),
                str(dict(Programme.choices).get(programme, programme)))


def _texts(record, lang: str) -> dict:
    """The activity's generated texts in one language."""
    country, programme = _labels(lang, record.country.code, record.programme)
    place = f"{record.city}, {country}"
    with translation.override(lang):
        return {
            "title": f"{programme}: {place}",
            "description": _("K-City Network Global Cooperation Program, %(programme)s, "
                             "selected in %(year)s for %(place)s.") % {
                "programme": programme, "year": record.year, "place": place},
            "partner": _("Korean partner: %(partner)s") % {"partner": record.korean_partner},
            "demo": _("Demo — made-up data"),
            "host": _("Host government (%(place)s)") % {"place": place},
            "when": _("Selected in %(year)s; the record gives no exact dates.") % {
                "year": record.year},
        }


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def _status(record, work, today) -> str:
    if work is not None:
        return STATUS.get(work.state, "2")
    return "4" if today.year >= record.year + 2 else "2"


def _value(parent, tag, amount: int, when: str, **attrs):
    return _sub(parent, tag, str(int(amount)), currency="KRW", value_date=when, **attrs)


def _commitment_day(work) -> str:
    contracts = [t.contract for t in getattr(work, "awarded_tenders", [])
                 if getattr(t, "contract", None) is not None]
    if contracts:
        return day(min(c.signed_on for c in contracts))
    return day(work.started_at or work.created_at)


def activity(record, *, secretariats: dict, now) -> etree._Element:
    """One project as an `iati-activity`."""
    work = paperwork_of(record)
    proposal = work.proposal if work is not None else None
    node = etree.Element("iati-activity", {
        "last-updated-datetime": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        XML_LANG: "en", "default-currency": "KRW", "hierarchy": "1",
    })
    _sub(node, "iati-identifier", activity_id(record))
    _org(node, "reporting-org", MOLIT_NAMES, ref=org_ref(), type="10")

    texts = {lang: _texts(record, lang) for lang in LANGUAGES}

    def each(key):
        return {lang: texts[lang][key] for lang in LANGUAGES}

    titles = each("title")
    if record.title:
        titles["ko" if _has_hangul(record.title) else "en"] = record.title
    title = _sub(node, "title")
    _narratives(title, titles)

    description = _sub(node, "description", type="1")
    _narratives(description, each("description"))
    if record.korean_partner:
        partner = _sub(node, "description", type="4")
        _narratives(partner, each("partner"))
    if record.is_demo:
        demo = _sub(node, "description", type="4")
        _narratives(demo, each("demo"))

    _org(node, "participating-org", MOLIT_NAMES, ref=org_ref(), type="10", role=ROLE_FUNDING)
    if proposal is not None:
        host = proposal.organisation
        host_type = None
        if host.kind == OrgKind.FOREIGN_GOVERNMENT:
            host_type = "11" if host.gov_level == "local" else "10"
        _org(node, "participating-org", {"en": host.name, "ko": host.name_ko},
             role=ROLE_ACCOUNTABLE, type=host_type)
    else:
        _org(node, "participating-org", each("host"), role=ROLE_ACCOUNTABLE)
    unit = (proposal.track.secretariat if proposal is not None and proposal.track.secretariat
            else SecretariatUnit.KAIA if record.track_kind == "demonstration"
            else SecretariatUnit.KIND)
    secretariat = secretariats.get(unit)
    _org(node, "participating-org", SECRETARIAT_NAMES[unit],
         ref=company_ref(secretariat) if secretariat else None, type="15", role=ROLE_EXTENDING)
    contractor = work.contractor if work is not None and work.contractor_id else None
    if contractor is not None:
        _org(node, "participating-org", {"en": contractor.name, "ko": contractor.name_ko},
             ref=company_ref(contractor), type="71", role=ROLE_IMPLEMENTING)
    elif record.korean_partner:
        _org(node, "participating-org", {"en": record.korean_partner},
             role=ROLE_IMPLEMENTING)

    _sub(node, "activity-status", code=_status(record, work, now.astimezone(SEOUL).date()))
    if work is not None:
        _sub(node, "activity-date", iso_date=day(work.planned_start), type="1")
        if work.started_at:
            _sub(node, "activity-date", iso_date=day(work.started_at), type="2")
        _sub(node, "activity-date", iso_date=day(work.planned_end), type="3")
        if work.completed_at:
            _sub(node, "activity-date", iso_date=day(work.completed_at), type="4")
    else:
        when = _sub(node, "activity-date", iso_date=f"{record.year}-01-01", type="1")
        _narratives(when, each("when"))

    _sub(node, "recipient-country", code=record.country.code, percentage="100")
    _sub(node, "sector", vocabulary="1", code=SECTORS.get(record.track_kind, "43030"),
         percentage="100")
    _sub(node, "collaboration-type", code="1")
    _sub(node, "default-finance-type", code="110")
    _sub(node, "default-aid-type", code=AID_TYPES.get(record.track_kind, "D02"), vocabulary="1")

    if work is None:
        return node
    start = day(work.planned_start)
    budget = _sub(node, "budget", type="1", status="2")
    _sub(budget, "period-start", iso_date=start)
    _sub(budget, "period-end", iso_date=day(work.planned_end))
    _value(budget, "value", work.award, start)

    receiver = ({"en": contractor.name, "ko": contractor.name_ko}, company_ref(contractor)) \
        if contractor is not None else None
    committed = work.contract_value if work.contract_value is not None else work.award
    when = _commitment_day(work)
    _transaction(node, COMMITMENT, committed, when, receiver)
    for payment in work.payments.all():
        _transaction(node, DISBURSEMENT, payment.amount, day(payment.paid_on), receiver,
                     ref=f"{activity_id(record)}-payment-{payment.pk}")
    return node


def _transaction(parent, kind, amount, when, receiver, ref=None):
    node = _sub(parent, "transaction", ref=ref)
    _sub(node, "transaction-type", code=kind)
    _sub(node, "transaction-date", iso_date=when)
    _value(node, "value", amount, when)
    _org(node, "provider-org", MOLIT_NAMES, ref=org_ref())
    if receiver is not None:
        names, ref_ = receiver
        _org(node, "receiver-org", names, ref=ref_, type="71")
    return node


def document(*, include_demo: bool = False, now=None) -> etree._Element:
    """The whole portfolio as an `iati-activities` element."""
    now = now or timezone.now()
    root = etree.Element("iati-activities", {
        "version": VERSION,
        "generated-datetime": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
    })
    secretariats = {o.secretariat_unit: o for o in Organisation.objects.filter(
        kind=OrgKind.SECRETARIAT).exclude(secretariat_unit="").order_by("-pk")}
    for record in rows(include_demo=include_demo):
        root.append(activity(record, secretariats=secretariats, now=now))
    return root


def serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def xml_bytes(*, include_demo: bool = False, now=None) -> bytes:
    return serialise(document(include_demo=include_demo, now=now))
