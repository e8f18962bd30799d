"""A cycle's evaluated proposals written directly as the outcome of an evaluation
(proposals in the `evaluated` state, one closed panel per track with its results, no e-mail),
so a test has a selection round to build in a fraction of a second. This is test data in the
test database only: the demo runs every step through the services, on its demo cycle.

Shared by the selection tests and the selection browser test (tests/ is on the path)."""

from decimal import Decimal

from django.utils import timezone

from kcity.accounts.models import Organisation, OrgKind, User
from kcity.applications.models import Proposal
from kcity.applications.models import ProposalState as S
from kcity.evaluation.models import Panel, PanelResult, PanelStatus

M = 1_000_000

# Planning: (city, country, score, request in M KRW, matching funds, earlier study)
PLANNING = [
    ("Da Nang", "VN", "91.5", 650, True, False),
    ("Lima", "PE", "89.0", 700, False, True),
    ("Bandung", "ID", "87.25", 600, True, False),
    ("Kisumu", "KE", "86.0", 550, False, False),
    ("Ulaanbaatar", "MN", "84.5", 700, True, True),
    ("Haiphong", "VN", "83.0", 500, False, False),
    ("Tashkent", "UZ", "80.75", 650, False, False),
    ("Medellin", "CO", "78.0", 600, True, False),
]
OWN_CITY = "Haiphong"  # the demo gov-applicant's city (Hai Phong City People's Committee)
# Demonstration: (solution, city, country, company key, score, request in M KRW, matching)
DEMONSTRATION = [
    ("AI traffic signals", "Hanoi", "VN", "mobility", "92.0", 400, True),
    ("Smart crosswalks", "Depok", "ID", "safety", "90.5", 380, False),
    ("Flood sensors", "Manila", "PH", "water", "89.25", 350, True),
    ("Smart poles", "Bangkok", "TH", "mobility", "88.0", 400, False),
    ("Digital twin of the port", "Surabaya", "ID", "data", "87.5", 300, True),
    ("Drone delivery of medicines", "Phnom Penh", "KH", "data", "86.0", 390, False),
    ("Smart bus stops", "Vientiane", "LA", "mobility", "85.5", 280, False),
    ("Air quality network", "Ho Chi Minh City", "VN", "water", "84.0", 320, True),
    ("Smart parking", "Kuala Lumpur", "MY", "safety", "82.75", 250, False),
    ("Energy management for schools", "Nairobi", "KE", "data", "81.0", 360, False),
    ("Leak detection for water mains", "Cebu", "PH", "water", "79.5", 400, False),
    ("Electric tricycle sharing", "Yogyakarta", "ID", "mobility", "77.0", 450, True),
]
COMPANIES = {  # "mobility" is the demo company-applicant's Hanbit Smart Mobility
    "safety": ("Saebit Safety Systems Inc.", "새빛안전시스템(주)"),
    "water": ("Hangang Water Technologies Co., Ltd.", "한강워터테크(주)"),
    "data": ("Nuri Urban Data Corp.", "누리어반데이터(주)"),
}


def _organisation(name: str, kind: str, country: str, name_ko: str = "") -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = Organisation.objects.create(kind=kind, name=name, name_ko=name_ko,
                                          country=country, verified_at=timezone.now())
    return org


def _proposal(cycle, track, org, user, title, **fields) -> tuple[Proposal, bool]:
    existing = Proposal.objects.filter(cycle=cycle, title=title).first()
    if existing is not None:
        return existing, False
    return Proposal.objects.create(
        cycle=cycle, track=track, organisation=org, created_by=user, state=S.EVALUATED,
        title=title, **fields), True


def evaluated_directly(cycle) -> None:
    """The cycle's evaluated proposals and the closed panel of each track."""
    plan, demo = cycle.tracks.get(code="PLAN"), cycle.tracks.get(code="DEMO")
    staff = User.objects.get(username="secretariat")
    gov, company = (User.objects.get(username=u) for u in ("gov-applicant", "company-applicant"))
    scored = []
    for city, country, score, request, matching, study in PLANNING:
        if city == OWN_CITY:
            org, user = gov.organisation, gov
        else:
            org = _organisation(f"{city} City Government (demo)", OrgKind.FOREIGN_GOVERNMENT,
                                country)
            user = staff
        proposal, new = _proposal(
            cycle, plan, org, user, f"Smart city master plan for {city} ({cycle.year})",
            city=city, country=country, requested_amount=request * M,
            matching_funds_amount=150 * M if matching else None,
            prior_study_url="https://kcitynetwork.kr/studies/demo" if study else "")
        scored.append((plan, proposal, new, score))
    for solution, city, country, key, score, request, matching in DEMONSTRATION:
        if key == "mobility":
            org, user = company.organisation, company
        else:
            name, name_ko = COMPANIES[key]
            org, user = _organisation(name, OrgKind.KOREAN_COMPANY, "KR", name_ko), staff
        proposal, new = _proposal(
            cycle, demo, org, user, f"{solution} for {city} ({cycle.year})", city=city,
            country=country, requested_amount=request * M,
            matching_cash=60 * M if matching else None)
        scored.append((demo, proposal, new, score))
    now = timezone.now()
    panels = {}
    for track in (plan, demo):
        stage = (track.stages or ["paper_review"])[-1]
        panels[track.pk], _created = Panel.objects.get_or_create(
            track=track, stage=stage,
            defaults={"size": 3, "seed": cycle.year, "status": PanelStatus.CLOSED,
                      "closed_at": now, "results_released": False})
    ranks: dict[int, int] = {}
    for track, proposal, new, score in sorted(scored, key=lambda s: -Decimal(s[3])):
        ranks[track.pk] = ranks.get(track.pk, 0) + 1
        if not new:
            continue
        panel = panels[track.pk]
        panel.proposals.add(proposal)
        PanelResult.objects.create(panel=panel, proposal=proposal, stage_score=Decimal(score),
                                   final_score=Decimal(score), rank=ranks[track.pk])
