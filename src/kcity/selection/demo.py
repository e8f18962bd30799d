"""Demo results: the 2027 demo cycle, from its call to its published results, through the
services a user goes through.

2027 is a future year, so its cycle is marked `is_demo`: every public page of it says the
data are made up, and its results never count in the programme's record (the real years,
2020-2026, show only the real history). The steps, one function each, in order:

1. `results_cycle`: the cycle (from the 2026 configuration), its call already closed;
2. `results_applicants`: the demo cities and companies register and the secretariat
   verifies them (the demo log-ins `gov-applicant` and `company-applicant` are two of them);
3. `results_proposals`: each applicant creates, fills in, documents and submits a proposal
   inside the call's window (planning proposals after a pre-consultation); the secretariat
   screens them eligible;
4. `results_consultations`: consultation round 1 of each planning proposal, with minutes;
5. `results_panels`: panels drawn with a recorded seed; each expert declares conflicts and
   submits score sheets; the demonstrations present; the secretariat closes the panels;
6. `results_selection`: a round built from the evaluated proposals, its max-merit scenario
   approved and published (proposal states, e-mails, public results page and PDF notice).

Every step finds what exists (organisations by name, proposals by title, panels by track and
stage, the round by cycle) and makes only what is missing, so the demo loads again safely.
Later steps (projects, procurement) go after `results_selection` in `load_demo_results`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.utils import timezone

from kcity.accounts import services as accounts
from kcity.accounts.models import GovLevel, OrgKind, User
from kcity.applications import services as proposals
from kcity.applications.demo import (
    _attach_all,
    _demonstration,
    _planning,
    _submit,
    demo_cycle,
    set_call_dates,
)
from kcity.applications.models import Outcome as PreOutcome
from kcity.applications.models import Proposal
from kcity.applications.models import ProposalState as S
from kcity.applications.rules import MANUAL_CHECKS, needs_pre_consultation
from kcity.evaluation import consultations, presentations
from kcity.evaluation import services as evaluation
from kcity.evaluation.demo import TRACK_CONFIG, _experts, _score
from kcity.evaluation.models import ConsultationRound, Panel
from kcity.programs import lifecycle as cycle_lifecycle
from kcity.programs.models import Cycle, CycleStatus
from kcity.selection import services
from kcity.selection.models import Policy, SelectionRound

M = 1_000_000
RESULTS_YEAR = 2027
ROUND = {"budget": 3_400 * M, "max_per_country": 2, "bonus_matching_funds": Decimal(2),
             "bonus_prior_planning": Decimal(1)}
PANEL_SIZE = 3
SEEDS = {("PLAN", "consultation_1"): 27001, ("DEMO", "paper_review"): 27002,
         ("DEMO", "presentation"): 27003}

# Planning: (city, country, username, request in M KRW, matching funds, earlier study, merit)
PLANNING = [
    ("Haiphong", "VN", "gov-applicant", 500, True, False, "0.97"),
    ("Da Nang", "VN", "demo-danang", 650, True, False, "0.95"),
    ("Lima", "PE", "demo-lima", 700, False, True, "0.93"),
    ("Kisumu", "KE", "demo-kisumu", 550, False, False, "0.9"),
    ("Tashkent", "UZ", "demo-tashkent", 600, False, False, "0.84"),
]
# Demonstration: (solution, city, country, username, request in M KRW, matching, merit)
DEMONSTRATION = [
    ("AI traffic signals", "Hanoi", "VN", "company-applicant", 400, True, "1.0"),
    ("Flood sensors", "Manila", "PH", "demo-hangang", 360, True, "0.97"),
    ("Smart poles", "Bangkok", "TH", "company-applicant", 400, False, "0.95"),
    ("Digital twin of the port", "Surabaya", "ID", "demo-nuri", 300, True, "0.93"),
    ("Smart crosswalks", "Cebu", "PH", "demo-saebit", 380, False, "0.9"),
    ("Air quality network", "Ho Chi Minh City", "VN", "demo-hangang", 320, False, "0.86"),
    ("Smart parking", "Kuala Lumpur", "MY", "demo-saebit", 260, False, "0.7"),
]
# The demo cities and companies without one of the README's log-ins: username ->
# (kind, organisation fields, first name, last name)
APPLICANTS = {
    "demo-danang": (OrgKind.FOREIGN_GOVERNMENT, {
        "name": "Da Nang City People's Committee (demo)", "country": "VN", "city": "Da Nang",
        "gov_level": GovLevel.LOCAL}, "Thi Lan", "Tran"),
    "demo-lima": (OrgKind.FOREIGN_GOVERNMENT, {
        "name": "Municipality of Lima (demo)", "country": "PE", "city": "Lima",
        "gov_level": GovLevel.LOCAL}, "Lucia", "Quispe"),
    "demo-kisumu": (OrgKind.FOREIGN_GOVERNMENT, {
        "name": "Kisumu County Government (demo)", "country": "KE", "city": "Kisumu",
        "gov_level": GovLevel.LOCAL}, "Achieng", "Otieno"),
    "demo-tashkent": (OrgKind.FOREIGN_GOVERNMENT, {
        "name": "Tashkent City Khokimiyat (demo)", "country": "UZ", "city": "Tashkent",
        "gov_level": GovLevel.LOCAL}, "Aziz", "Karimov"),
    "demo-saebit": (OrgKind.KOREAN_COMPANY, {
        "name": "Saebit Safety Systems Inc. (demo)", "name_ko": "새빛안전시스템(주)(데모)",
        "city": "Seoul", "business_registration_number": "101-86-12346"}, "Ji-ho", "Yang"),
    "demo-hangang": (OrgKind.KOREAN_COMPANY, {
        "name": "Hangang Water Technologies Co., Ltd. (demo)", "name_ko": "한강워터테크(주)(데모)",
        "city": "Seoul", "business_registration_number": "105-86-11112"}, "Na-ri", "Song"),
    "demo-nuri": (OrgKind.KOREAN_COMPANY, {
        "name": "Nuri Urban Data Corp. (demo)", "name_ko": "누리어반데이터(주)(데모)",
        "city": "Daejeon", "business_registration_number": "110-86-22227"}, "Tae-yang", "Oh"),
}


def planning_title(city: str) -> str:
    return f"Smart city master plan for {city}"


def demonstration_title(solution: str, city: str) -> str:
    return f"{solution} for {city}"


def _when() -> dict[str, dt.datetime]:
    """The call's moments: it opened about half a year ago and closed three months later;
    the applicants worked inside that window."""
    now = timezone.now()
    return {"opens": now - dt.timedelta(days=200), "closes": now - dt.timedelta(days=110),
            "intake": now - dt.timedelta(days=130)}


def _staff() -> User:
    return User.objects.get(username="secretariat")


def results_cycle() -> Cycle:
    """The 2027 demo cycle; a new one opens its call (closed since) for the steps below."""
    cycle = demo_cycle(RESULTS_YEAR)
    if not Proposal.objects.filter(cycle=cycle).exists():
        when = _when()
        set_call_dates(cycle, when["opens"], when["closes"])
        if cycle.status != CycleStatus.OPEN:
            cycle = cycle_lifecycle.transition(cycle, CycleStatus.OPEN, by=_staff(),
                                               now=when["opens"])
        track = cycle.tracks.get(code="DEMO")
        for field, value in TRACK_CONFIG.items():
            setattr(track, field, value)
        track.save(update_fields=list(TRACK_CONFIG))
    return cycle


def results_applicants(cycle) -> dict[str, User]:
    """Each demo city and company registers (a random password: no log-in) and the
    secretariat verifies it."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["gov-applicant", "company-applicant", "partner", *APPLICANTS])}
    pending = []
    for username, (kind, organisation, first, last) in APPLICANTS.items():
        if username in users:
            continue
        user = accounts.register_applicant(
            kind=kind, organisation=organisation,
            person={"username": username, "first_name": first, "last_name": last,
                        "email": f"{username}@demo.kcitynetwork.kr"},
            password=secrets.token_urlsafe(24))
        users[username] = user
        pending.append(user.organisation)
    if pending:
        accounts.verify_organisations(organisations=pending, by=_staff())
    return users


def _screen_eligible(proposal, staff) -> None:
    proposals.save_checklist(proposal=proposal, by=staff,
                             ticked={c for c, _label in MANUAL_CHECKS[proposal.track.kind]})
    proposals.screen(proposal=proposal, by=staff, decision=S.ELIGIBLE)


def results_proposals(cycle, users) -> None:
    """Each applicant's proposal, submitted inside the call's window and screened eligible."""
    staff, now = _staff(), _when()["intake"]
    existing = set(Proposal.objects.filter(cycle=cycle).values_list("title", flat=True))
    plan, demo = cycle.tracks.get(code="PLAN"), cycle.tracks.get(code="DEMO")
    for city, country, username, request, matching, study, _merit in PLANNING:
        title = planning_title(city)
        if title in existing:
            continue
        user = users[username]
        p = _planning(
            plan, user, title, city, now=now, country=country, requested_amount=request * M,
            matching_funds_amount=150 * M if matching else 0,
            matching_funds_evidence="City council resolution on counterpart funds."
            if matching else "",
            prior_study_url="https://kcitynetwork.kr/studies/demo" if study else "",
            site_and_scale=f"Central districts of {city}.",
            national_plan_priority="The national smart city strategy names the city.")
        if needs_pre_consultation(plan):
            proposals.submit_concept_note(proposal=p, by=user,
                                          text=f"A smart city master plan for {city}.",
                                          now=now)
            proposals.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(),
                                              by=staff,
                                              outcome=PreOutcome.INVITE, now=now)
        _attach_all(p, user, now=now)
        _submit(p, user, now=now)
        _screen_eligible(p, staff)
    for solution, city, country, username, request, matching, _merit in DEMONSTRATION:
        title = demonstration_title(solution, city)
        if title in existing:
            continue
        user = users[username]
        share = Decimal(request) / 400
        p = _demonstration(
            demo, user, users["partner"], title, now=now, city=city, country=country,
            solution=f"{solution}, proven in Korea.", requested_amount=request * M,
            matching_cash=60 * M if matching else 0,
            matching_in_kind=30 * M if matching else 0,
            budget_labour=int(150 * M * share), budget_equipment=int(200 * M * share),
            budget_travel=request * M - int(150 * M * share) - int(200 * M * share))
        _attach_all(p, user, now=now)
        _submit(p, user, now=now)
        _screen_eligible(p, staff)


def results_consultations(cycle) -> None:
    """Consultation round 1 with each planning city: scheduled, held and minuted."""
    staff = _staff()
    held = _when()["closes"] + dt.timedelta(days=20)
    held = held.replace(minute=0, second=0, microsecond=0)
    for i, p in enumerate(Proposal.objects.filter(cycle=cycle, track__code="PLAN")
                          .order_by("pk")):
        if ConsultationRound.objects.filter(proposal=p, round=1).exists():
            continue
        consultations.schedule_round(
            by=staff, proposal=p, number=1, scheduled_at=held + dt.timedelta(hours=2 * i),
            agenda="1. The city's priorities\n2. Site and data readiness\n3. Matching funds",
            participants=f"{p.organisation.name} (2); KIND (2); panel experts (3)")
        consultations.record_minutes(
            by=staff, proposal=p, number=1,
            minutes=f"{p.city} confirmed the pilot districts and the data it holds.",
            questions="1. Send the site plan with the data sources per district.")


def _merits() -> dict[str, Decimal]:
    merits = {planning_title(row[0]): Decimal(row[-1]) for row in PLANNING}
    merits.update({demonstration_title(row[0], row[1]): Decimal(row[-1])
                   for row in DEMONSTRATION})
    return merits


def _panel(cycle, code, stage, experts, before_close=None) -> Panel:
    staff = _staff()
    track = cycle.tracks.get(code=code)
    panel = Panel.objects.filter(track=track, stage=stage).first()
    if panel is None:
        panel = evaluation.form_panel(by=staff, track=track, stage=stage, size=PANEL_SIZE,
                                      seed=SEEDS[code, stage])
    if not panel.is_closed:
        if before_close is not None:
            before_close(panel)
        _score(panel, experts, merit_of=_merits(), conflict=None)
        panel = evaluation.close_panel(by=staff, panel=panel)
    return panel


def _book_presentations(panel) -> None:
    start = (_when()["closes"] + dt.timedelta(days=30)).replace(
        minute=0, second=0, microsecond=0)
    for i, proposal in enumerate(panel.proposals.order_by("pk")):
        if panel.slots.filter(proposal=proposal).exists():
            continue
        presentations.book_slot(by=_staff(), panel=panel, proposal=proposal,
                                starts_at=start + dt.timedelta(minutes=40 * i),
                                minutes=30,
                                presenters=f"{proposal.organisation.name}; Universitas Indonesia")


def results_panels(cycle) -> list[Panel]:
    """The planning track's consultation panel; the demonstration track's paper review and
    presentation panels. Each is drawn, scored by its experts and closed."""
    experts = _experts()
    return [
        _panel(cycle, "PLAN", "consultation_1", experts),
        _panel(cycle, "DEMO", "paper_review", experts),
        _panel(cycle, "DEMO", "presentation", experts, before_close=_book_presentations),
    ]


def results_selection(cycle) -> SelectionRound:
    """The round built from the evaluated proposals, its max-merit scenario approved and
    published."""
    staff = _staff()
    round = SelectionRound.objects.filter(cycle=cycle).order_by("pk").first()
    if round is None:
        round = services.create_round(by=staff, cycle=cycle, **ROUND)
    if not round.is_published:
        scenario = round.scenarios.filter(policy=Policy.MAX_MERIT).order_by("pk").first()
        if not scenario.is_approved:
            services.approve_scenario(by=staff, scenario=scenario, explain=False)
        services.publish(by=staff, round=round)
    return round


def load_demo_results() -> dict:
    cycle = results_cycle()
    users = results_applicants(cycle)
    results_proposals(cycle, users)
    results_consultations(cycle)
    results_panels(cycle)
    round = results_selection(cycle)
    return {"results_cycle": cycle.year, "round": round.pk}
