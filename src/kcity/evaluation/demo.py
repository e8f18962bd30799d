"""Demo evaluation on the 2028 demonstration track, so every evaluation screen has content.

A closed paper-review panel with its aggregated ranking (results released; one proposal falls
under the track's threshold and stops there), and an open presentation panel on which the
demo `evaluator` still has proposals to score, each proposal with its presentation slot; the
evaluator has declared a conflict with one proposal of the cycle. A planning proposal has
had consultation round 1 (minutes, questions), its applicant has uploaded a revised
document, and round 2 is scheduled. An expert from Universitas Indonesia
(a consortium member) is in the pool and is never drawn. Idempotent: panels are found by
track and stage, experts and proposals by name, and only what is missing is made.
"""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.applications import services as proposals
from kcity.applications.demo import (
    DEMO_PDF,
    DEMO_YEAR,
    _attach_all,
    _demonstration,
    _planning,
    _submit,
)
from kcity.applications.models import Outcome, Proposal
from kcity.applications.models import ProposalState as S
from kcity.applications.rules import MANUAL_CHECKS, needs_pre_consultation
from kcity.evaluation import consultations, presentations, services
from kcity.evaluation.models import ConflictDeclaration, ExpertProfile, Panel
from kcity.programs.models import Track

DEMO_PASSWORD = "kcity-demo"  # the same as kcity.site.demo.DEMO_PASSWORD

# username -> (organisation name, kind, first, last, fields, countries, languages)
DEMO_EXPERTS = {
    "expert-urban": ("Seoul National University", OrgKind.INSTITUTION, "Soo-jin", "Han",
                     ["urban_planning", "housing"], ["VN", "KH"], ["ko", "en"]),
    "expert-ict": ("Korea Advanced Institute of Science and Technology", OrgKind.INSTITUTION,
                   "Dong-hyun", "Yoon", ["ict", "mobility"], ["ID", "TH"], ["ko", "en"]),
    "expert-finance": ("Korea Development Institute", OrgKind.INSTITUTION, "Eun-ji", "Kang",
                       ["finance", "public_policy"], ["PH", "UZ"], ["ko", "en", "fr"]),
    "expert-ui": ("Universitas Indonesia", OrgKind.PARTNER, "Budi", "Santoso",
                  ["mobility", "environment"], ["ID"], ["id", "en"]),
}
EVALUATOR_PROFILE = (["urban_planning", "mobility"], ["VN", "ID", "MN"], ["ko", "en"])
TRACK_CONFIG = {"aggregation": "trimmed_mean",
                "stage_weights": {"paper_review": 40, "presentation": 60},
                "min_score_threshold": 70}
EXTRA_PROPOSALS = ["Smart streetlights for Surabaya", "Flood early warning for Semarang"]
LATE_PROPOSAL = "Smart waste bins for Medan"  # screened after the panels: still eligible
CONFLICT = ("Flood early warning for Semarang",
            "I advised the lead company on an earlier version of this proposal in 2026.")
# Per expert a small tilt so dispersion and ranking show something; never in the bottom band.
TILT = {"evaluator": Decimal("0.85"), "expert-urban": Decimal("0.75"),
        "expert-ict": Decimal("0.9"), "expert-finance": Decimal("0.6")}
MERIT = {"AI bus priority for Bandung": Decimal("1.0"),
         "Smart streetlights for Surabaya": Decimal("0.9"),
         "Flood early warning for Semarang": Decimal("0.8")}


def _experts() -> dict[str, User]:
    users = {}
    evaluator = User.objects.get(username="evaluator")
    ExpertProfile.objects.update_or_create(user=evaluator, defaults=dict(zip(
        ("fields", "countries", "languages"), EVALUATOR_PROFILE, strict=True)))
    users["evaluator"] = evaluator
    for username, (org_name, kind, first, last, fields, countries, langs) in DEMO_EXPERTS.items():
        org = Organisation.objects.filter(name=org_name).first()
        if org is None:
            org = Organisation.objects.create(kind=kind, name=org_name, country="KR",
                                              verified_at=timezone.now())
        user, created = User.objects.update_or_create(username=username, defaults={
            "organisation": org, "role": Role.EVALUATOR, "first_name": first, "last_name": last,
            "email": f"{username}@demo.kcitynetwork.kr", "is_active": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        ExpertProfile.objects.update_or_create(user=user, defaults={
            "fields": fields, "countries": countries, "languages": langs})
        users[username] = user
    return users


def _eligible_proposals(track, titles):
    company = User.objects.get(username="company-applicant")
    partner = User.objects.get(username="partner")
    staff = User.objects.get(username="secretariat")
    for title in titles:
        if Proposal.objects.filter(track=track, title=title).exists():
            continue
        p = _demonstration(track, company, partner, title)
        _attach_all(p, company)
        _submit(p, company)
        proposals.save_checklist(proposal=p, by=staff, ticked={c for c,
                                                               _label in MANUAL_CHECKS[track.kind]})
        proposals.screen(proposal=p, by=staff, decision=S.ELIGIBLE)


def _score(panel, experts, skip=(), merit_of=None, conflict=CONFLICT):
    """Each seated expert answers the conflict question and submits a sheet; `merit_of`
    (title -> 0..1) sets how good each proposal is, `conflict` (title, reason) is the
    proposal the demo evaluator declares a conflict with."""
    merit_of = MERIT if merit_of is None else merit_of
    criteria = list(panel.track.criteria.order_by("order", "code"))
    for member in panel.members.filter(active=True).select_related("evaluator"):
        user = member.evaluator
        name = user.username
        if name in skip:
            continue
        for proposal in panel.proposals.order_by("pk"):
            conflicted = (conflict is not None and name == "evaluator"
                          and proposal.title == conflict[0])
            if not ConflictDeclaration.objects.filter(evaluator=user, proposal=proposal).exists():
                services.declare(by=user, proposal=proposal, has_conflict=conflicted,
                                 reason=conflict[1] if conflicted else "")
            if conflicted:
                continue
            merit = merit_of.get(proposal.title, Decimal("0.8")) * TILT.get(name, Decimal("0.8"))
            entries = {
                c.code: (str((c.weight * merit).quantize(Decimal("1"))),
                         f"{c.name}: {'strong' if merit > Decimal('0.7') else 'adequate'}.")
                for c in criteria
            }
            services.save_sheet(by=user, panel=panel, proposal=proposal, entries=entries,
                                submit=True)


PLANNING = ("Can Tho delta smart city plan", "Can Tho")


def _consulted_planning_proposal(staff):
    """A planning proposal after consultation round 1 (minutes, questions), with a revised
    document and round 2 scheduled."""
    title, city = PLANNING
    if Proposal.objects.filter(cycle__year=DEMO_YEAR, title=title).exists():
        return
    gov = User.objects.get(username="gov-applicant")
    track = Track.objects.get(cycle__year=DEMO_YEAR, code="PLAN")
    p = _planning(track, gov, title, city)
    if needs_pre_consultation(track):
        proposals.submit_concept_note(proposal=p, by=gov,
                                      text="Smart services for the river districts.")
        proposals.decide_pre_consultation(pre_consultation=p.latest_pre_consultation(), by=staff,
                                          outcome=Outcome.INVITE)
    _attach_all(p, gov)
    _submit(p, gov)
    proposals.save_checklist(proposal=p, by=staff, ticked={c for c,
                                                           _label in MANUAL_CHECKS[track.kind]})
    p = proposals.screen(proposal=p, by=staff, decision=S.ELIGIBLE)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    consultations.schedule_round(
        by=staff, proposal=p, number=1, scheduled_at=hour - dt.timedelta(days=10),
        agenda="1. The city's priorities\n2. Site and data readiness\n3. Matching funds",
        participants="Can Tho People's Committee (2); KIND (2); panel experts (3)")
    consultations.record_minutes(
        by=staff, proposal=p, number=1,
        minutes="The city confirmed the Ninh Kieu riverside as the pilot area. Traffic data exist "
        "for the main roads only. Matching funds await the council's budget session.",
        questions="1. Send the council's resolution on matching funds.\n"
        "2. Show the site plan with the data sources per district.")
    consultations.upload_revised_document(
        by=gov, proposal=p, upload=ContentFile(DEMO_PDF, name="Revised site plan.pdf"))
    consultations.schedule_round(
        by=staff, proposal=p, number=2, scheduled_at=hour + dt.timedelta(days=14),
        agenda="1. Answers to the questions of round 1\n2. Revised site plan",
        participants="Can Tho People's Committee (2); KIND (2); panel experts (3)")


def load_demo_evaluation() -> dict:
    staff = User.objects.get(username="secretariat")
    experts = _experts()
    track = Track.objects.get(cycle__year=DEMO_YEAR, code="DEMO")
    for field, value in TRACK_CONFIG.items():
        setattr(track, field, value)
    track.save(update_fields=list(TRACK_CONFIG))
    _eligible_proposals(track, EXTRA_PROPOSALS)

    paper = Panel.objects.filter(track=track, stage="paper_review").first()
    if paper is None:
        paper = services.form_panel(by=staff, track=track, stage="paper_review", size=4, seed=2027)
        _score(paper, experts)
        paper = services.close_panel(by=staff, panel=paper)
        services.release_results(by=staff, panel=paper)

    presentation = Panel.objects.filter(track=track, stage="presentation").first()
    if presentation is None:
        presentation = services.form_panel(by=staff, track=track, stage="presentation", size=4,
                                           seed=20271)
        # The demo evaluator's own sheets are left to do; the others have scored.
        _score(presentation, experts, skip={"evaluator"})
        start = timezone.now().replace(minute=0, second=0, microsecond=0)
        for i, proposal in enumerate(presentation.proposals.order_by("pk")):
            presentations.book_slot(
                by=staff, panel=presentation, proposal=proposal,
                starts_at=start + dt.timedelta(days=7, minutes=40 * i),
                minutes=30, presenters="Seo-yeon Park (Hanbit Smart Mobility); Dewi Lestari "
                    "(Universitas Indonesia)")
    _eligible_proposals(track, [LATE_PROPOSAL])
    _consulted_planning_proposal(staff)
    return {
        "panels": Panel.objects.filter(track__cycle__year=DEMO_YEAR).count(),
        "proposals": Proposal.objects.filter(cycle__year=DEMO_YEAR).count(),
    }
