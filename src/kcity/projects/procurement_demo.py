"""The demo procurement (made-up data of the 2027 demo cycle), made through the services a
user goes through: for the first open project a whole procurement (notice published, two
verified Korean companies bid, the committee drawn with a seed scores, award to the best
combined score, contract signed); for the second a published notice open for bids. Runs
again safely: a project that has a tender is left as it is."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from kcity.accounts.models import OrgKind, Role, SecretariatUnit, User
from kcity.applications.demo import blank_pdf
from kcity.projects import procurement
from kcity.projects.models import Project, ProjectState
from kcity.projects.procurement_models import Tender, TenderState
from kcity.projects.procurement_selectors import ranking

DEMO_SEED = 2027
SCOPE_EN = ("Korean consultant to prepare the {deliverable} agreed with the host government: "
            "site survey, stakeholder workshops, the plan and its financing options.")
SCOPE_KO = ("상대국 정부와 합의한 {deliverable} 수립 용역: 현장 조사, 이해관계자 워크숍, "
            "계획 수립 및 재원 조달 방안.")


def demo_projects():
    """Projects of the 2027 demo cycle awaiting their agreement or in progress."""
    return (Project.objects.filter(
        proposal__track__cycle__is_demo=True, proposal__track__cycle__year=2027,
        state__in=(ProjectState.AGREEMENT_PENDING, ProjectState.IN_PROGRESS))
        .select_related("proposal__track").order_by("pk"))


def _pdf(name: str):
    return SimpleUploadedFile(name, blank_pdf(), "application/pdf")


def _secretariat(project):
    return (User.objects.filter(role=Role.SECRETARIAT, is_active=True)
            .filter(Q(organisation__secretariat_unit=SecretariatUnit.MOLIT)
                    | Q(organisation__secretariat_unit=project.proposal.track.secretariat))
            .order_by("pk").first())


def _one_per_organisation():
    seen, people = set(), []
    for user in User.objects.filter(
            is_active=True, organisation__kind__in=(OrgKind.KOREAN_COMPANY, OrgKind.CONTRACTOR),
            organisation__country="KR", organisation__verified_at__isnull=False).order_by("pk"):
        if user.organisation_id not in seen:
            seen.add(user.organisation_id)
            people.append(user)
    return people


def _terms(project, start, *, deadline_days: int) -> dict:
    deliverable = project.get_deliverable_type_display()
    deadline = start + dt.timedelta(days=deadline_days)
    return {
        "scope_en": SCOPE_EN.format(deliverable=deliverable),
        "scope_ko": SCOPE_KO.format(deliverable=deliverable),
        "ceiling": project.award * 9 // 10, "notice_date": start.date(),
        "briefing_at": start + dt.timedelta(days=7),
        "briefing_place": "K-City Network secretariat, Sejong / 세종 K-City 네트워크 사무국",
        "bid_deadline": deadline, "evaluation_date": (deadline + dt.timedelta(days=7)).date(),
        "award_date": (deadline + dt.timedelta(days=14)).date(), "consortia_allowed": True,
        "technical_weight": 80, "price_weight": 20,
    }


def full_procurement(project, *, now):
    """Notice, two bids, committee scores, award and contract, dated in the past of `now`."""
    staff = _secretariat(project)
    start = now - dt.timedelta(days=60)
    tender = procurement.draft_tender(project=project, by=staff, now=start,
                                      **_terms(project, start, deadline_days=30))
    tender = procurement.publish_tender(tender=tender, by=staff, now=start)
    bidders = _one_per_organisation()[:2]
    ceiling = tender.ceiling
    for i, person in enumerate(bidders):
        procurement.register_for_briefing(tender=tender, by=person,
                                          now=start + dt.timedelta(days=2))
        procurement.submit_bid(tender=tender, by=person, price=ceiling - (i + 1) * ceiling // 20,
                               proposal_file=_pdf(f"technical-proposal-{i + 1}.pdf"),
                               now=start + dt.timedelta(days=20 + i))
    tender = procurement.close_bids(tender=tender, by=staff, now=tender.bid_deadline)
    members = procurement.draw_committee(tender=tender, by=staff, size=3, seed=DEMO_SEED,
                                         now=tender.bid_deadline + dt.timedelta(days=1))
    for j, member in enumerate(members):
        for i, bid in enumerate(tender.bids.order_by("pk")):
            procurement.score_bid(bid=bid, by=member.evaluator, points=88 - 6 * i - j,
                                  now=tender.bid_deadline + dt.timedelta(days=3))
    evaluated = tender.bid_deadline + dt.timedelta(days=7)
    tender = procurement.finish_evaluation(tender=tender, by=staff, now=evaluated)
    signed = (evaluated + dt.timedelta(days=7)).date()
    best = ranking(tender)[0]["bid"]
    return procurement.award_contract(
        tender=tender, by=staff, value=best.price, signed_on=signed,
        start=signed + dt.timedelta(days=7),
        end=max(project.planned_end, signed + dt.timedelta(days=180)),
        contract_file=_pdf("signed-contract.pdf"), now=evaluated + dt.timedelta(days=7))


def open_procurement(project, *, now):
    """A published notice open for bids (deadline a month ahead)."""
    staff = _secretariat(project)
    start = now - dt.timedelta(days=3)
    tender = procurement.draft_tender(project=project, by=staff, now=start,
                                      **_terms(project, start, deadline_days=33))
    return procurement.publish_tender(tender=tender, by=staff, now=start)


def load_demo_procurement(projects=None, *, now=None) -> list:
    """A full procurement for the first project (of `projects`, by default the open projects
    of the 2027 demo cycle) and an open notice for the second; projects with a tender are
    left alone. Returns the tenders made."""
    now = now or timezone.now()
    projects = list(demo_projects() if projects is None else projects)
    made = []
    fresh = [p for p in projects
             if not p.tenders.exclude(state=TenderState.CANCELLED).exists()]
    if len(projects) >= 1 and projects[0] in fresh:
        made.append(full_procurement(projects[0], now=now).tender)
    if len(projects) >= 2 and projects[1] in fresh:
        made.append(open_procurement(projects[1], now=now))
    return [Tender.objects.select_related("project").get(pk=t.pk) for t in made]
