"""The world the access matrix (tests/security/test_access_matrix.py) is checked against.

It is the demo (`kcity.site.demo.load_demo`: every object made through the real services, as
`kcity demo` loads it) plus what the demo has no account for: a KIND and a KAIA secretariat
officer (neither is staff: only MOLIT's `secretariat` enters the administration), an
organisation waiting for verification (through the registration service) and a draft cycle
(through the cycle import, as the secretariat prepares next year's call).

The ten roles and who plays them:

- `anonymous`: nobody logged in;
- `applicant`: demo `company-applicant` (Hanbit Smart Mobility): lead applicant of
  `proposal`; host and contractor of `host_project`; bidder on `tender`;
- `other_applicant`: demo `gov-applicant` (Hai Phong), another organisation: lead
  applicant of `planning` only;
- `partner`: demo `partner` (Universitas Indonesia): confirmed consortium member of
  `proposal` and `host_project`;
- `evaluator`: demo `expert-ict`: sits on `panel` (closed) with no conflict with
  `proposal`; on `tender`'s committee;
- `conflicted`: demo `evaluator`: sits on `panel` too, declared a conflict with `proposal`;
- `contractor`: demo `contractor` (Hana Urban Planning): contractor of `project` (in
  progress); bidder on `tender`;
- `kind`: `m-kind`, KIND secretariat: runs the planning tracks (`planning`, `project`);
- `kaia`: `m-kaia`, KAIA secretariat: runs the demonstration tracks (`proposal`, `panel`,
  `host_project`, `tender`);
- `molit`: demo `secretariat` (MOLIT, staff): runs everything, and the selection.

The objects (attributes of the `World`): `proposal` (2028 demonstration, evaluated) with its
`document`, `submission` (receipt) and `member` (the partner); `invitation` (an unconfirmed
invitation's member row, for its token); `neighbour` (another proposal of `panel`, nobody's
conflict); `planning` (2028 planning proposal after a consultation round); `panel` (the
closed paper-review panel of `proposal`); `project` (2027, planning, in progress) with
`party` (a signed framework party), `deliverable` (pending) and `delivered` (a submitted
file); `host_project` (2027 demonstration, `applicant` hosts it); `tender` (awarded, with
`bid` of the applicant and `other_bid` of the contractor); `open_tender` (published, its
deadline ahead) with `sealed_bid` (the contractor's);
`waiting_project` (no tender from the demo) and its `draft_tender` (drafted by KAIA, not
published); `round`, `scenario` (published) and `draft_scenario`; `results_year` (2027,
published) and `open_year` (2028); `draft_year` (a draft cycle); `pending_org` (registered,
not verified).
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kcity.accounts import services as accounts
from kcity.accounts.models import Organisation, OrgKind, Role, SecretariatUnit, User
from kcity.applications.demo import DEMO_PDF
from kcity.applications.models import ConsortiumMember, Proposal
from kcity.evaluation.models import Panel
from kcity.opendata.report_services import request_report
from kcity.opendata.report_tasks import store_pdf
from kcity.programs import config
from kcity.programs.models import Cycle, CycleStatus
from kcity.projects import procurement
from kcity.projects.delivery_models import DeliverableState, DeliverableSubmission
from kcity.projects.models import Project, ProjectState
from kcity.projects.procurement_demo import _pdf, _terms
from kcity.projects.procurement_models import Tender, TenderState
from kcity.selection.models import ScenarioState, SelectionRound
from kcity.site.demo import load_demo

ROLES = ("anonymous", "applicant", "other_applicant", "partner", "evaluator", "conflicted",
         "contractor", "kind", "kaia", "molit")

# role -> demo username (kind and kaia are made here)
DEMO_ACCOUNTS = {
    "applicant": "company-applicant", "other_applicant": "gov-applicant", "partner": "partner",
    "evaluator": "expert-ict", "conflicted": "evaluator", "contractor": "contractor",
    "molit": "secretariat",
}
PROPOSAL = "Flood early warning for Semarang"  # the demo evaluator declared a conflict with it
PLANNING = "Can Tho delta smart city plan"
DRAFT_YEAR = 2029


@dataclass
class World:
    users: dict[str, User | None]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _officer(username: str, unit: str) -> User:
    org = Organisation.objects.get(kind=OrgKind.SECRETARIAT, secretariat_unit=unit)
    return User.objects.create_user(username, f"{username}@example.org", "pw-matrix-123",
                                    organisation=org, role=Role.SECRETARIAT)


def _pending_organisation() -> Organisation:
    user = accounts.register_applicant(
        kind=OrgKind.FOREIGN_GOVERNMENT,
        organisation={"name": "Vientiane Capital Administration (matrix)", "country": "LA",
                      "city": "Vientiane", "gov_level": "local"},
        person={"username": "m-pending", "first_name": "Somsak", "last_name": "Vong",
                "email": "m-pending@example.org"},
        password="pw-matrix-123")
    return user.organisation


def _draft_cycle() -> Cycle:
    cycle = config.import_cycle(config.export_cycle(Cycle.objects.get(year=2026)),
                                year=DRAFT_YEAR)
    assert cycle.status == CycleStatus.DRAFT
    return cycle


def _draft_tender(project, by) -> Tender:
    """A tender the secretariat has drafted and not yet published: nobody else sees it."""
    return procurement.draft_tender(project=project, by=by,
                                    **_terms(project, timezone.now(), deadline_days=30))


def _sealed_bid(tender, by):
    """A bid on the open notice, before its deadline: sealed to all but its bidder."""
    return procurement.submit_bid(tender=tender, by=by, price=tender.ceiling - 1_000_000,
                                  proposal_file=_pdf("sealed-technical-proposal.pdf"))


def _report(by, *, confidential: bool):
    """An annual report the secretariat asked for, stored as the worker stores it."""
    report = request_report(year=2026, language="en", confidential=confidential, by=by,
                            now=timezone.now())
    return store_pdf(report, DEMO_PDF, now=timezone.now())


def build_world() -> World:
    load_demo()
    users: dict[str, User | None] = {"anonymous": None}
    users.update({role: User.objects.get(username=name) for role, name in DEMO_ACCOUNTS.items()})
    users["kind"] = _officer("m-kind", SecretariatUnit.KIND)
    users["kaia"] = _officer("m-kaia", SecretariatUnit.KAIA)
    applicant_org = users["applicant"].organisation

    proposal = Proposal.objects.get(cycle__year=2028, title=PROPOSAL)
    planning = Proposal.objects.get(cycle__year=2028, title=PLANNING)
    panel = Panel.objects.get(track=proposal.track, stage="paper_review")
    project = Project.objects.get(contractor=users["contractor"].organisation,
                                  state=ProjectState.IN_PROGRESS)
    host_project = Project.objects.filter(proposal__organisation=applicant_org,
                                          tenders__isnull=False).distinct().get()
    tender = Tender.objects.get(project=host_project, state=TenderState.AWARDED)
    round_ = SelectionRound.objects.get(cycle__year=2027)
    open_tender = Tender.objects.get(state=TenderState.PUBLISHED)
    waiting_project = Project.objects.filter(
        state=ProjectState.AGREEMENT_PENDING, tenders__isnull=True,
        proposal__track__secretariat=SecretariatUnit.KAIA).order_by("pk").first()
    objects = {
        "proposal": proposal,
        "document": proposal.documents.order_by("pk").first(),
        "submission": proposal.submissions.order_by("pk").first(),
        "member": proposal.members.get(organisation=users["partner"].organisation),
        "invitation": ConsortiumMember.objects.get(proposal__cycle__year=2028,
                                                   confirmed_at__isnull=True),
        "neighbour": panel.proposals.exclude(pk=proposal.pk).order_by("pk").first(),
        "planning": planning,
        "panel": panel,
        "project": project,
        "party": project.framework_parties.exclude(signed_document=None).order_by("pk").first(),
        "deliverable": project.deliverables.get(state=DeliverableState.PENDING),
        "delivered": DeliverableSubmission.objects.filter(deliverable__project=project)
        .order_by("pk").first(),
        "host_project": host_project,
        "tender": tender,
        "bid": tender.bids.get(organisation=applicant_org),
        "other_bid": tender.bids.get(organisation=users["contractor"].organisation),
        "open_tender": open_tender,
        "sealed_bid": _sealed_bid(open_tender, users["contractor"]),
        "waiting_project": waiting_project,
        "draft_tender": _draft_tender(waiting_project, users["kaia"]),
        "round": round_,
        "scenario": round_.scenarios.get(state=ScenarioState.PUBLISHED),
        "draft_scenario": round_.scenarios.get(state=ScenarioState.DRAFT),
        "results_year": 2027,
        "open_year": 2028,
        "draft_year": _draft_cycle().year,
        "pending_org": _pending_organisation(),
        "public_report": _report(users["molit"], confidential=False),
        "confidential_report": _report(users["molit"], confidential=True),
    }
    missing = [name for name, value in objects.items() if value is None]
    assert not missing, f"the demo no longer makes {missing}: update tests/security/access_world.py"
    return World(users=users, objects=objects)
