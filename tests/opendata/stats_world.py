"""A known world for the statistics and report tests: the shipped history, one real cycle
(2031) run on the platform with proposals in every state, two projects with money, payments
and follow-on, and a demo cycle whose rows must never be counted."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kcity.accounts.models import Organisation, OrgKind, Role, SecretariatUnit, User
from kcity.applications.models import Proposal
from kcity.evaluation.models import Panel, PanelResult
from kcity.portfolio.models import SelectedProject
from kcity.programs.models import Cycle, Track, TrackKind
from kcity.projects.delivery_models import Deliverable, Payment
from kcity.projects.models import FollowOn, Project
from kcity.site.demo import load_history

YEAR = 2031
PASSWORD = "pw-stats-123"


def person(username, org, role):
    return User.objects.create_user(username, f"{username}@example.org", PASSWORD,
                                    organisation=org, role=role)


def build_world(*, history: bool = True, extra_projects: int = 0) -> dict:
    if history:
        load_history()
    molit = Organisation.objects.create(kind=OrgKind.SECRETARIAT, name="MOLIT stats",
                                        secretariat_unit=SecretariatUnit.MOLIT, country="KR")
    secretariat = person("s-molit", molit, Role.SECRETARIAT)
    cycle = Cycle.objects.create(year=YEAR, title_en="K-City Network 2031 call",
                                 title_ko="2031년 케이시티 네트워크 공모",
                                 total_budget=4_000_000_000, max_projects=8)
    plan = Track.objects.create(cycle=cycle, code="PLAN", kind=TrackKind.PLANNING, order=1,
                                name_en="Smart city planning", name_ko="스마트시티 계획",
                                secretariat=SecretariatUnit.KIND, grant_min=300_000_000,
                                grant_max=500_000_000, budget=2_000_000_000, max_projects=4)
    demo_track = Track.objects.create(
        cycle=cycle, code="DEMO", kind=TrackKind.DEMONSTRATION, order=2,
        name_en="Overseas demonstration", name_ko="해외실증", secretariat=SecretariatUnit.KAIA,
        grant_max=400_000_000, budget=2_000_000_000, max_projects=4)
    # name, country, track, state
    spec = [
        ("Hue City", "VN", plan, "selected"),
        ("Da Nang City", "VN", plan, "not_selected"),
        ("Cebu Province", "PH", plan, "ineligible"),
        ("Tashkent Hokimiyat", "UZ", demo_track, "selected"),
        ("Almaty Akimat", "KZ", demo_track, "reserve"),
        ("Draft Town", "KE", plan, "draft"),  # a draft is never counted
    ]
    orgs, proposals = {}, {}
    for name, country, track, state in spec:
        org = Organisation.objects.create(kind=OrgKind.FOREIGN_GOVERNMENT, name=name,
                                          country=country, gov_level="local")
        user = person(f"u-{country}-{len(orgs)}", org, Role.APPLICANT)
        orgs[name] = org
        proposals[name] = Proposal.objects.create(
            cycle=cycle, track=track, organisation=org, created_by=user, state=state,
            title=f"{name} smart city", city=name.split()[0], country=country,
            requested_amount=400_000_000, matching_funds_amount=0)
    panel = Panel.objects.create(track=plan, stage="paper", size=3)
    for rank, name in enumerate(["Hue City", "Da Nang City"], start=1):
        PanelResult.objects.create(panel=panel, proposal=proposals[name], stage_score=90 - rank,
                                   final_score=Decimal(f"{91 - 7 * rank}.50"), rank=rank)

    def project(name, kind, award, contract, city, country):
        p = proposals[name]
        return Project.objects.create(
            proposal=p, deliverable_type="master_plan", award=award, contract_value=contract,
            state="in_progress", planned_start=dt.date(YEAR, 3, 1),
            planned_end=dt.date(YEAR, 12, 31),
            record=SelectedProject.objects.create(year=YEAR, track_kind=kind, programme=kind,
                                                  city=city, country=country, title=p.title))

    hue = project("Hue City", "planning", 500_000_000, 450_000_000, "Hue", "VN")
    tashkent = project("Tashkent Hokimiyat", "demonstration", 400_000_000, None, "Tashkent",
                       "UZ")
    deliverable = Deliverable.objects.create(
        project=hue, kind="master_plan", title_en="Master plan", title_ko="마스터플랜",
        due_on=dt.date(YEAR, 9, 1), state="accepted", created_by=secretariat)
    Deliverable.objects.create(project=tashkent, kind="demonstration_report",
                               title_en="Report", title_ko="보고서", due_on=dt.date(YEAR, 11, 1),
                               created_by=secretariat)
    now = timezone.now()
    for amount, day in ((100_000_000, dt.date(YEAR, 9, 10)), (50_000_000, dt.date(YEAR, 10, 1))):
        Payment.objects.create(project=hue, deliverable=deliverable, amount=amount, paid_on=day,
                               recorded_by=secretariat, recorded_at=now)
    FollowOn.objects.create(project=hue, kind="mdb_investment", amount=2_000_000_000,
                            on=dt.date(YEAR, 12, 1), partners="ADB")
    FollowOn.objects.create(project=hue, kind="ppp", amount=None, on=dt.date(YEAR, 12, 2))
    FollowOn.objects.create(project=tashkent, kind="ppp", amount=300_000_000,
                            on=dt.date(YEAR, 12, 3))
    for i in range(extra_projects):  # more rows, for the query-count tests
        SelectedProject.objects.create(year=2032 + i % 3, track_kind="planning",
                                       programme="planning", city=f"City {i}",
                                       country=["LA", "MN", "PE", "EG"][i % 4], title=f"P{i}")
    # A demo cycle: its proposal and project must never be counted.
    demo_cycle = Cycle.objects.create(year=2099, title_en="Demo", title_ko="데모", is_demo=True)
    demo_plan = Track.objects.create(cycle=demo_cycle, code="PLAN", kind=TrackKind.PLANNING,
                                     name_en="Demo planning", name_ko="데모 계획",
                                     secretariat=SecretariatUnit.KIND)
    demo_org = Organisation.objects.create(kind=OrgKind.FOREIGN_GOVERNMENT, name="Demo City",
                                           country="FR", gov_level="local")
    demo_proposal = Proposal.objects.create(
        cycle=demo_cycle, track=demo_plan, organisation=demo_org, created_by=secretariat,
        state="selected", title="Demo plan", city="Paris", country="FR",
        requested_amount=1, matching_funds_amount=0)
    demo_project = Project.objects.create(
        proposal=demo_proposal, deliverable_type="master_plan", award=9_000_000_000,
        state="in_progress", planned_start=dt.date(2099, 1, 1), planned_end=dt.date(2099, 2, 1),
        record=SelectedProject.objects.create(year=2099, track_kind="planning",
                                              programme="planning", city="Paris", country="FR"))
    FollowOn.objects.create(project=demo_project, kind="ppp", amount=7_000_000_000,
                            on=dt.date(2099, 1, 2))
    return {"cycle": cycle, "secretariat": secretariat, "proposals": proposals, "orgs": orgs,
            "hue": hue, "tashkent": tashkent,
            "applicant": proposals["Da Nang City"].created_by}
